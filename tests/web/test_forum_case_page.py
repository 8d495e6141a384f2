"""The forum officer's case page: the dispatch form's routing suggestion follows the category,
similar open cases with the reasons they match, deadlines with their zone and the working days
left, the process chart."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from casework.models import Case, CaseTask, Stage
from casework.ui.deadlines import remaining, when
from casework.web import similar
from tests import factories as f
from tests.conftest import DESA_2
from workflows import sla
from workflows.models import HolidayChange
from workflows.sla import WIB

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(case: Case) -> str:
    return f"/petugas/laporan/{case.number}/"


def routing_url(case: Case) -> str:
    return f"/petugas/laporan/{case.number}/rute/"


def ticked(html: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="opds" value="([^"]+)"[^>]*checked', html)


# ----------------------------------------------------------------------------- routing


def test_the_category_select_asks_for_the_routing_suggestion(officers):
    case = f.in_triage(officers)
    html = login(officers["forum"]).get(page_url(case)).content.decode()
    select = re.search(r'<select name="category"[^>]*>', html)
    assert select is not None
    assert f'hx-get="{routing_url(case)}"' in select.group(0)
    assert 'hx-target="#dispatch-routing"' in select.group(0)
    assert 'name="suggested" value="dputr"' in html


def test_a_new_category_moves_the_suggestion_and_keeps_hand_ticked_boxes(officers):
    case = f.in_triage(officers)  # infrastruktur: dputr suggested
    forum = login(officers["forum"])
    response = forum.get(
        routing_url(case),
        {"category": "adminduk", "opds": ["dputr", "dinkes"], "suggested": "dputr"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(ticked(html)) == ["dinkes", "dispendukcapil"]
    assert "Dinas Kependudukan dan Pencatatan Sipil" in html.split("routing-suggestion")[1]
    assert 'name="suggested" value="dispendukcapil"' in html
    # back to a bridge case: Dukcapil leaves, PU returns, the hand-ticked Dinkes stays
    response = forum.get(
        routing_url(case),
        {
            "category": "infrastruktur",
            "opds": ["dinkes", "dispendukcapil"],
            "suggested": "dispendukcapil",
        },
    )
    assert sorted(ticked(response.content.decode())) == ["dinkes", "dputr"]


def test_the_routing_suggestion_is_out_of_reach_outside_the_scope(officers):
    case = f.in_triage(officers)
    response = login(officers["forum_other"]).get(routing_url(case), {"category": "kesehatan"})
    assert response.status_code == 404


def test_a_refused_dispatch_keeps_the_suggestion_of_the_category_picked(officers):
    case = f.in_triage(officers)
    response = login(officers["forum"]).post(
        f"/petugas/laporan/{case.number}/aksi/dispatch/", {"category": "kesehatan", "opds": []}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'name="suggested" value="dinkes"' in html


# ----------------------------------------------------------------------------- deadlines


def wib(year: int, month: int, day: int, hour: int = 16) -> datetime:
    return datetime(year, month, day, hour, tzinfo=WIB)


def test_a_deadline_reads_with_its_zone_and_the_working_days_left(reference):
    # Friday morning; the deadline is Tuesday at close of business: Monday and Tuesday left
    now = wib(2026, 12, 4, 10)
    with translation.override("id"):
        assert when(wib(2026, 12, 8)) == "8 Des 2026 16.00 WIB"
        assert remaining(wib(2026, 12, 8), now) == ("2 hari kerja lagi", False)
        assert remaining(wib(2026, 12, 7), now) == ("1 hari kerja lagi", False)
        assert remaining(wib(2026, 12, 4), now) == ("hari ini", False)
        # late: counted in working days too (the weekend does not count)
        assert remaining(wib(2026, 12, 1), now) == ("lewat 3 hari kerja", True)
        assert remaining(wib(2026, 12, 3), now) == ("lewat 1 hari kerja", True)
        assert remaining(wib(2026, 12, 4, 9), now) == ("lewat batas hari ini", True)
    with translation.override("en"):
        assert when(wib(2026, 12, 8)) == "8 Dec 2026 16:00 WIB"
        assert remaining(wib(2026, 12, 8), now) == ("2 working days left", False)
        assert remaining(wib(2026, 12, 3), now) == ("1 working day late", True)


def test_a_holiday_added_by_the_administrator_is_not_a_working_day_left(reference):
    HolidayChange.objects.create(date=date(2026, 12, 7), is_holiday=True, name="Libur daerah")
    with translation.override("en"):
        assert remaining(wib(2026, 12, 8), wib(2026, 12, 4, 10))[0] == "1 working day left"


def working_days_back(n: int) -> date:
    """The day ``n`` working days before today (WIB)."""
    today = timezone.localtime().date()
    day = today
    while sla.working_days_between(day, today) < n:
        day -= timedelta(days=1)
    return day


def test_the_officers_pages_show_deadlines_with_zone_and_working_days(officers):
    case = f.in_triage(officers)
    task = CaseTask.objects.get(case=case, stage=Stage.TRIAGE)
    task.due_at = sla.add_working_days(timezone.now(), 3)
    task.save(update_fields=["due_at"])
    forum = login(officers["forum"])
    html = forum.get(page_url(case)).content.decode()
    nearest = html.split('data-testid="deadlines"')[1].split("</dd>")[0]
    assert "16.00 WIB</time> · " in nearest and "3 hari kerja lagi" in nearest
    for url in ("/petugas/tugas/", "/petugas/laporan/"):
        assert "3 hari kerja lagi" in forum.get(url).content.decode(), url

    late = datetime.combine(working_days_back(2), time(16), tzinfo=WIB)
    task.due_at = late
    task.save(update_fields=["due_at"])
    html = forum.get(page_url(case)).content.decode()
    assert "lewat 2 hari kerja" in html
    assert late.strftime("%Y-%m-%dT16:00:00+07:00") in html  # machine-readable, with its zone
    review = login(officers["supervisor"]).get("/petugas/pengawasan/?tab=overdue").content.decode()
    assert "lewat 2 hari kerja" in review


# ----------------------------------------------------------------------------- similar cases

ROAD = {
    "title": "Jalan rusak berlubang di dusun Krajan",
    "description": "Jalan utama rusak parah dan berlubang, pengendara motor sering jatuh.",
}
ROAD_AGAIN = {
    "title": "Perbaikan jalan berlubang Krajan",
    "description": "Mohon perbaikan jalan yang rusak, lubangnya besar dan membahayakan motor.",
}
UNRELATED = [
    {
        "title": "Posyandu kekurangan vaksin",
        "description": "Bidan desa menyampaikan stok vaksin campak habis sejak bulan lalu.",
        "category": "kesehatan",
    },
    {
        "title": "Guru honorer belum dibayar",
        "description": "Honor guru SD selama tiga bulan belum diterima.",
        "category": "pendidikan",
    },
    {
        "title": "Sampah menumpuk di sungai",
        "description": "Tumpukan sampah plastik menyumbat aliran sungai dekat pasar.",
        "category": "lingkungan",
    },
]


def similar_url(case: Case) -> str:
    """The merge form's similar cases, asked for when the form is opened."""
    return f"/petugas/laporan/{case.number}/serupa/"


def candidates(html: str) -> str:
    return html.split('data-testid="merge-candidates"')[1].split("</ul>")[0]


def test_a_case_of_the_same_need_ranks_first_with_its_reasons(officers):
    for fields in UNRELATED:
        f.forwarded(officers, **fields)
    kim2 = f.make_officer("kim_operator", DESA_2, "kim2")
    other_desa = f.forwarded({**officers, "kim": kim2}, desa=DESA_2, **ROAD_AGAIN)
    same = f.forwarded(
        officers, latitude=Decimal("-8.2101"), longitude=Decimal("113.0501"), **ROAD_AGAIN
    )
    case = f.in_triage(officers, latitude=Decimal("-8.2000"), longitude=Decimal("113.0500"), **ROAD)
    html = login(officers["forum"]).get(similar_url(case)).content.decode()
    listing = candidates(html)
    numbers = re.findall(r'name="candidate" value="([^"]+)"', listing)
    assert numbers == [same.number, other_desa.number]  # the unrelated ones are not shown
    first = re.findall(r'data-testid="similar-reasons">([^<]*)<', listing)[0]
    assert "kata yang sama: " in first and "jalan" in first and "rusak" in first
    assert "desa yang sama" in first
    assert "1,1 km" in first
    assert "0% mirip" not in listing


def test_no_candidate_is_shown_when_nothing_is_alike(officers):
    for fields in UNRELATED:
        f.forwarded(officers, **fields)
    case = f.in_triage(officers, **ROAD)
    html = login(officers["forum"]).get(similar_url(case)).content.decode()
    assert 'data-testid="merge-candidates"' not in html
    assert "Tidak ada laporan terbuka yang serupa di kecamatan ini." in html


def test_a_confidential_candidate_reads_as_on_its_case_page_without_its_reporter(officers):
    """What the list shows of a candidate is what its case page shows the reader: the text of
    a rahasia case to the officers of its scope, never its reporter; out of scope, nothing."""
    secret = f.in_triage(
        officers,
        confidentiality="rahasia",
        reporter_name="Sulastri Wibowo",
        reporter_email="sulastri@example.org",
        contact_consent=True,
        **ROAD_AGAIN,
    )
    case = f.in_triage(officers, **ROAD)
    client = login(officers["forum"])
    listing = candidates(client.get(similar_url(case)).content.decode())
    assert secret.number in listing and ROAD_AGAIN["title"] in listing
    assert "Sulastri" not in listing and "sulastri@" not in listing
    page = client.get(page_url(secret)).content.decode()
    assert ROAD_AGAIN["title"] in page and "Sulastri" not in page
    # an officer of another kecamatan is offered nothing of it
    other = login(officers["forum_other"])
    assert other.get(page_url(case)).status_code == 404
    assert other.get(similar_url(case)).status_code == 404


def test_the_case_page_looks_for_similar_cases_only_when_the_merge_form_is_opened(officers):
    """The text search of the kecamatan is the case page's dearest query: the page carries
    a placeholder the merge form fills when opened (htmx), or, without script, a link that
    opens the page with them."""
    same = f.forwarded(officers, **ROAD_AGAIN)
    case = f.in_triage(officers, **ROAD)
    client = login(officers["forum"])
    html = client.get(page_url(case)).content.decode()
    assert 'data-testid="merge-candidates-lazy"' in html
    assert f'hx-get="{similar_url(case)}"' in html
    assert same.number not in html
    inline = client.get(page_url(case) + "?serupa=1").content.decode()
    assert same.number in candidates(inline)
    assert re.search(r'<details class="action" id="act-merge"[^>]* open>', inline)
    assert same.number in candidates(client.get(similar_url(case)).content.decode())


def test_only_an_officer_who_may_merge_gets_the_similar_cases(officers):
    case = f.in_triage(officers, **ROAD)
    f.forwarded(officers, **ROAD_AGAIN)
    assert login(officers["kim"]).get(similar_url(case)).status_code == 404
    assert login(officers["pu"]).get(similar_url(case)).status_code == 404
    assert login(officers["forum"]).get(similar_url(case)).status_code == 200


def test_the_python_scorer_serves_databases_without_text_search(officers, monkeypatch):
    monkeypatch.setattr(similar, "on_postgresql", lambda: False)
    assert similar.stem("perbaikan") == "baik" and similar.stem("jalannya") == "jalan"
    assert similar.trigram_similarity("jalan rusak", "jalan rusak") == 1.0
    unrelated = [f.forwarded(officers, **fields) for fields in UNRELATED]
    same = f.forwarded(officers, **ROAD_AGAIN)
    case = f.in_triage(officers, **ROAD)
    pool = [Case.objects.get(pk=c.pk) for c in [*unrelated, same]]
    ranked = similar.rank(case, pool)
    assert [other.pk for other, _found in ranked] == [same.pk]
    found = ranked[0][1]
    assert {"jalan", "rusak"} <= set(found.shared) and found.same_desa

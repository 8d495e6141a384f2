"""The transparency page's on-time rates count the agency work still unanswered past its
deadline as late, and show the period and the counts behind every share; kecamatan without
aspirations are grouped apart, and each kecamatan with some links to its public list (never
a rahasia case, never a person), paged, in a constant number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from casework import reports, services
from casework.models import Case, CaseTask, Stage
from casework.public import transparency
from casework.public.views import PAGE_SIZE, _rate
from tests import factories as f
from tests.conftest import KECAMATAN, OTHER_KECAMATAN

from .helpers import REPORTER, english, matched, table_row, text_of

pytestmark = pytest.mark.django_db

URL = "/transparansi/"
OPEN = ("NEW", "ASSIGNED", "STARTED")


def overdue(case: Case, stage: str, *, hours: float = 1) -> None:
    """The case's open task of ``stage`` passed its deadline ``hours`` ago."""
    moved = CaseTask.objects.filter(case=case, stage=stage, status__in=OPEN).update(
        due_at=timezone.now() - timedelta(hours=hours)
    )
    assert moved == 1


def answered_on_time(officers: dict, title: str) -> Case:
    case = f.in_progress(officers, title=title)
    return services.respond_assignment(case=case, actor=officers["pu"], response="Sudah.")


@pytest.fixture
def late_work(officers):
    """Tempursari: Dinas PU answered one aspiration on time and sits past its deadline on
    another; Dinas Kesehatan has not accepted a third past its deadline; a fourth is still
    within its deadline (not due: not counted)."""
    answered_on_time(officers, "Jalan A")
    waiting = f.in_progress(officers, title="Jalan B")
    overdue(waiting, Stage.OPD_RESPONSE)
    unaccepted = f.dispatched(officers, opds=("dinkes",), title="Posyandu C")
    overdue(unaccepted, Stage.OPD_ACCEPTANCE)
    f.in_progress(officers, title="Jalan D")  # due in the future


def period_end() -> str:
    return formats.date_format(timezone.localdate(), "j M Y")


def test_unanswered_work_past_its_deadline_counts_as_late(late_work):
    html = english().get(URL).content.decode()
    totals = matched(r'data-testid="totals">(.*?)</section>', html, re.S)
    assert 'data-testid="total-on-time">33%<' in totals  # one of three, not "100%"
    with translation.override("en"):
        end = period_end()
    detail = text_of(matched(r'data-testid="total-on-time-detail">(.*?)</p>', totals, re.S))
    assert detail.startswith("33% on time: 1 of 3 agency tasks, 1 ")
    assert f"–{end}; 2 late, including 2 not answered yet." in detail

    assert table_row(html, KECAMATAN)["on-time"] == (
        "33% 1 of 3 agency tasks 2 overdue, not answered yet"
    )
    assert table_row(html, "dputr")["on-time"] == (
        "50% 1 of 2 agency tasks 1 overdue, not answered yet"
    )
    assert table_row(html, "dinkes")["on-time"] == (
        "0% 0 of 1 agency task 1 overdue, not answered yet"
    )
    # the chart's bars carry the counts too
    chart = matched(r'data-testid="chart-on-time".*?</svg>', html, re.S, group=0)
    assert "(1/2)" in chart and "(0/1)" in chart


def test_the_counts_read_in_indonesian(late_work):
    html = Client().get(URL).content.decode()  # Bahasa Indonesia, the default
    detail = text_of(matched(r'data-testid="total-on-time-detail">(.*?)</p>', html, re.S))
    end = period_end()
    assert detail.startswith("33% tepat waktu: 1 dari 3 tugas OPD, 1 ")
    assert detail.endswith(f"–{end}; 2 terlambat, termasuk 2 yang belum dijawab.")
    assert (
        table_row(html, "dinkes")["on-time"] == "0% 0 dari 1 tugas OPD 1 terlambat, belum dijawab"
    )


def test_answers_given_late_count_as_late(officers):
    case = f.in_progress(officers, title="Jalan terlambat")
    overdue(case, Stage.OPD_RESPONSE)
    services.respond_assignment(case=case, actor=officers["pu"], response="Sudah.")
    answered_on_time(officers, "Jalan tepat")
    html = english().get(URL).content.decode()
    detail = text_of(matched(r'data-testid="total-on-time-detail">(.*?)</p>', html, re.S))
    assert detail.startswith("50% on time: 1 of 2 agency tasks, ")
    assert detail.endswith("; 1 late.")
    assert table_row(html, "dputr")["on-time"] == "50% 1 of 2 agency tasks"


def test_punctuality_by_opd_and_by_kecamatan(late_work, officers):
    # late work of other stages is not the agencies'
    triage = f.in_triage(officers, title="Menunggu forum")
    overdue(triage, Stage.TRIAGE)
    now = timezone.now()
    start = transparency.window_start(now)
    by_opd = reports.opd_punctuality(now=now, start=start, key="unit__code")
    assert (by_opd["dputr"].on_time, by_opd["dputr"].answered_late, by_opd["dputr"].overdue) == (
        1,
        0,
        1,
    )
    assert (by_opd["dinkes"].total, by_opd["dinkes"].late, by_opd["dinkes"].rate) == (1, 1, 0)
    by_kecamatan = reports.opd_punctuality(now=now, start=start, key="case__kecamatan_id")
    assert set(by_kecamatan) == {KECAMATAN}
    assert by_kecamatan[KECAMATAN].rate == pytest.approx(1 / 3)


def test_a_share_never_rounds_to_all_or_nothing():
    assert _rate(199 / 200) == "99%"
    assert _rate(1 / 300) == "1%"
    assert _rate(1.0) == "100%"
    assert _rate(0.0) == "0%"
    assert _rate(None) == "–"


def test_no_agency_work_due(reference):
    html = english().get(URL).content.decode()
    detail = text_of(matched(r'data-testid="total-on-time-detail">(.*?)</p>', html, re.S))
    assert detail.startswith("No agency task was due in 1 ")


# ----------------------------------------------------------------------------- kecamatan


def test_kecamatan_without_aspirations_are_grouped_apart_and_rows_link_to_their_list(officers):
    answered_on_time(officers, "Jalan A")
    html = english().get(URL).content.decode()
    table = matched(r'data-testid="kecamatan-table">(.*?)</table>', html, re.S)
    assert re.findall(r'<tr data-code="([^"]+)"', table) == [KECAMATAN]
    assert f'href="/transparansi/kecamatan/{KECAMATAN}/"' in table
    assert "0 / 0" not in html
    group = matched(r'<details[^>]*data-testid="kecamatan-empty">(.*?)</details>', html, re.S)
    assert "open" not in matched(r'(<details[^>]*data-testid="kecamatan-empty">)', html)
    summary = text_of(matched(r"<summary>(.*?)</summary>", group, re.S))
    assert summary == "20 kecamatan with no aspirations in this period"
    assert f'data-code="{OTHER_KECAMATAN}"' in group and "Pronojiwo" in group
    # the agencies likewise
    opd_group = matched(r'<details[^>]*data-testid="opd-empty">(.*?)</details>', html, re.S)
    assert 'data-code="dinkes"' in opd_group
    assert "agencies with no aspirations in this period" in opd_group


@pytest.fixture
def listed(officers):
    """Tempursari's cases in every public kind and some that stay out of the list."""
    cases = {
        "biasa": f.responded(officers, title="Jalan biasa dijawab"),
        "anonim": f.in_progress(officers, title="Lampu anonim", confidentiality="anonim"),
        "two_opd": f.dispatched(officers, opds=("dputr", "dinkes"), title="Jembatan dua OPD"),
        "forwarded": f.forwarded(officers, title="Saluran diteruskan"),
        "rahasia": f.in_progress(officers, title="Kasus rahasia", confidentiality="rahasia"),
        "unchecked": f.submit(title="Belum diperiksa desa"),
        "rejected": f.drive(officers, "rejected", title="Ditolak kasar"),
        "old": f.forwarded(officers, title="Laporan lama"),
        "elsewhere": f.submit(desa="35.08.02.2001", title="Kecamatan lain"),
    }
    Case.objects.filter(pk=cases["old"].pk).update(created_at=timezone.now() - timedelta(days=400))
    return cases


def kecamatan_url(code: str = KECAMATAN) -> str:
    return f"/transparansi/kecamatan/{code}/"


def test_the_kecamatan_list_shows_public_cases_only(listed):
    response = english().get(kecamatan_url())
    assert response.status_code == 200
    html = response.content.decode()
    listing = matched(r'data-testid="kecamatan-list">(.*?)</ul>', html, re.S)
    numbers = re.findall(r'data-number="([^"]+)"', listing)
    shown = ("forwarded", "two_opd", "anonim", "biasa")  # newest first
    assert numbers == [listed[k].number for k in shown]
    for hidden in ("rahasia", "unchecked", "rejected", "old", "elsewhere"):
        assert listed[hidden].number not in html
        assert listed[hidden].title not in html
    item = matched(rf'data-number="{listed["two_opd"].number}">(.*?)</li>', listing, re.S)
    text = text_of(item)
    assert text.startswith("Jembatan dua OPD Dispatched ")  # title, status
    assert "Dinas Pekerjaan Umum dan Tata Ruang, Dinas Kesehatan" in text
    assert "Tegalrejo" in text and "Submitted" in text
    item = matched(rf'data-number="{listed["biasa"].number}">(.*?)</li>', listing, re.S)
    with translation.override("en"):
        assert listed["biasa"].get_status_display() in text_of(item)
    assert "Finished" not in text_of(item)  # answered, not closed: its last change instead
    # no identity, no description, no officer
    for secret in REPORTER:
        assert secret not in html
    assert listed["biasa"].description not in html
    for username in ("pu", "forum", "kim", "dinkes"):
        assert f">{username}<" not in html
    assert "4 aspirations, 1 " in text_of(html)


def test_the_kecamatan_list_in_indonesian_with_status_labels(listed):
    html = Client().get(kecamatan_url()).content.decode()
    assert "Aspirasi dari Kecamatan Tempursari" in html
    item = matched(rf'data-number="{listed["anonim"].number}">(.*?)</li>', html, re.S)
    assert "Ditindaklanjuti" in item and "Dinas Pekerjaan Umum dan Tata Ruang" in item


def test_the_kecamatan_list_is_paged_in_a_constant_number_of_queries(officers):
    Client().get(kecamatan_url())  # reference data loaded once per process

    def measure() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(kecamatan_url())
            assert response.status_code == 200
        return len(queries), response.content.decode()

    f.in_progress(officers, title="Satu")
    few, _html = measure()
    for n in range(PAGE_SIZE):
        f.dispatched(officers, opds=("dputr", "dinkes"), title=f"Banyak {n}")
    many, first = measure()
    assert few == many <= 4, (few, many)
    assert first.count('data-number="') == PAGE_SIZE
    assert 'rel="next"' in first and "halaman=2" in first
    second = Client().get(kecamatan_url(), {"halaman": "2"}).content.decode()
    assert second.count('data-number="') == 1 and 'rel="prev"' in second
    assert "Satu" in second  # the oldest last


def test_an_unknown_kecamatan_is_not_found(officers):
    assert Client().get(kecamatan_url("35.08.99")).status_code == 404
    assert Client().get(kecamatan_url("35.08.01.2001")).status_code == 404  # a desa
    assert Client().get(kecamatan_url("35.08")).status_code == 404  # the kabupaten
    assert Client().get(kecamatan_url(OTHER_KECAMATAN)).status_code == 200  # none yet

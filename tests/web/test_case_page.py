"""The case page: what each role sees, the actions it offers and takes, refusals, the process
chart, languages, and a constant number of statements; the case list and its CSV export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import cast

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casework import actions, selectors, services
from casework.models import Case, CaseEvent
from tests import factories as f
from tests.conftest import DESA_2, DESA_INACTIVE, OTHER_DESA

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def streamed(response: HttpResponseBase) -> bytes:
    """The body of a streaming response (a file download, a CSV export)."""
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(cast(Iterable[bytes], response.streaming_content))


def page_url(case: Case) -> str:
    return f"/petugas/laporan/{case.number}/"


def action_url(case: Case, action: str) -> str:
    return f"/petugas/laporan/{case.number}/aksi/{action}/"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def shown_actions(html: str) -> list[str]:
    """The actions the page offers, in page order."""
    return re.findall(r'data-action="([a-z_]+)"', html.split('data-testid="timeline"')[0])


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# ----------------------------------------------------------------------------- access


def test_every_role_in_scope_sees_the_page(officers):
    case = f.dispatched(officers, opds=("dputr",))
    for key in ("kim", "forum", "forum2", "coordinator", "pu", "pu2", "pu_head", "supervisor"):
        response = login(officers[key]).get(page_url(case))
        assert response.status_code == 200, key
        assert case.number in response.content.decode()


def test_out_of_scope_is_404(officers):
    case = f.dispatched(officers, opds=("dputr",))
    for key in ("forum_other", "kim_other", "dinsos"):
        client = login(officers[key])
        assert client.get(page_url(case)).status_code == 404, key
        # an action on it is 404 too, and changes nothing
        assert client.post(action_url(case, "claim")).status_code == 404, key
    assert reload(case).status == "dispatched"


def test_anonymous_goes_to_the_sign_in_form(officers):
    case = f.submit()
    response = Client().get(page_url(case))
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/?next=")
    assert page_url(case) in response["Location"].replace("%2F", "/")


def test_unknown_action_is_404_and_get_is_refused(officers):
    case = f.forwarded(officers)
    client = login(officers["forum"])
    assert client.post(action_url(case, "explode")).status_code == 404
    assert client.get(action_url(case, "claim")).status_code == 405


# ----------------------------------------------------------------------------- what is shown


def test_page_shows_the_case_and_the_reporter_as_disclosed(officers):
    case = f.forwarded(officers, latitude=Decimal("-8.123456"), longitude=Decimal("113.223456"))
    html = login(officers["forum"]).get(page_url(case)).content.decode()
    assert case.description in html
    assert "Siti Aminah" in html
    assert "3508014101900001" not in html  # NIK masked for all but the supervisor
    assert "3508********0001" in html
    assert "https://www.openstreetmap.org/?mlat=-8.123456&amp;mlon=113.223456#map=17/" in html
    assert 'data-testid="chart"' in html and "<svg" in html

    secret = f.forwarded(officers, confidentiality="anonim", title="Anonim")
    html = login(officers["forum"]).get(page_url(secret)).content.decode()
    assert "Siti Aminah" not in html and "siti@example.org" not in html
    html = login(officers["supervisor"]).get(page_url(secret)).content.decode()
    assert "Siti Aminah" in html and "3508014101900001" in html


def test_timeline_lists_events_with_actor_and_payload(officers):
    case = f.in_triage(officers)
    services.request_info(case=case, actor=officers["forum"], question="Di RT berapa?")
    html = login(officers["forum"]).get(page_url(case)).content.decode()
    timeline = html.split('data-testid="timeline"')[1]
    for action in ("submit", "verify", "claim", "request_info"):
        assert f'data-action="{action}"' in timeline
    assert "Di RT berapa?" in timeline
    assert ">forum<" in timeline or " forum" in timeline
    assert "kim" in timeline


def test_chart_marks_the_current_position(officers):
    case = f.forwarded(officers)
    html = login(officers["forum"]).get(page_url(case)).content.decode()
    svg = html.split('data-testid="chart"')[1]
    # the triage node is open (new), verification is done
    assert re.search(r'<g id="triage"[^>]*class="new"', svg)
    assert re.search(r'<g id="verify"[^>]*class="done"', svg)


@pytest.mark.parametrize(
    ("builder", "key", "expected"),
    [
        ("forwarded", "forum", {"claim", "dispatch", "resolve", "merge", "reject", "request_info"}),
        ("forwarded", "pu", None),  # not in scope before dispatch
        (
            "forwarded",
            "coordinator",
            {"claim", "dispatch", "resolve", "merge", "reject", "request_info", "reassign"},
        ),
        ("submit", "kim", {"claim", "verify", "request_info", "reject"}),
        ("dispatched", "pu", {"claim", "accept", "decline"}),
        ("dispatched", "forum", set()),
        ("dispatched", "pu_head", {"claim", "accept", "decline", "reassign"}),
        ("in_progress", "pu", {"release", "respond", "decline"}),
        ("in_progress", "supervisor", {"reassign"}),
    ],
)
def test_actions_shown_match_the_permissions(officers, builder, key, expected):
    build = getattr(f, builder)
    case = build() if builder == "submit" else build(officers)
    user = officers[key]
    response = login(user).get(page_url(case))
    if expected is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    fresh = selectors.case_for(user, case.number)
    allowed = actions.allowed(user, fresh, list(selectors.open_tasks(fresh)))
    assert set(allowed) == expected
    assert set(shown_actions(response.content.decode())) == expected


def test_dispatch_form_preselects_the_routing_suggestion(officers):
    case = f.in_triage(officers)  # infrastruktur → dputr
    html = login(officers["forum"]).get(page_url(case)).content.decode()
    checked = re.findall(r'<input type="checkbox" name="opds" value="([^"]+)"[^>]*checked', html)
    assert checked == ["dputr"]
    # every field of the dispatch form has a label tied to it
    for field in ("id_dispatch_category", "id_dispatch_priority", "id_dispatch_note"):
        assert f'for="{field}"' in html and f'id="{field}"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_merge_form_lists_similar_cases_ranked_by_title(officers):
    near = f.forwarded(officers, title="Jalan desa rusak berlubang parah")
    far = f.submit(title="Pohon tumbang", desa=DESA_INACTIVE)  # same category
    f.submit(title="Jalan desa berlubang", desa=OTHER_DESA)  # other kecamatan
    case = f.in_triage(officers, title="Jalan desa berlubang dalam")
    html = login(officers["forum"]).get(page_url(case) + "?serupa=1").content.decode()
    listing = html.split('data-testid="merge-candidates"')[1].split("</ul>")[0]
    numbers = re.findall(r'name="candidate" value="([^"]+)"', listing)
    assert numbers == [near.number, far.number]
    assert "%" in listing


# ----------------------------------------------------------------------------- actions


def post(client: Client, case: Case, action: str, data: dict | None = None):
    return client.post(action_url(case, action), data or {})


def test_forum_path_through_the_page(officers):
    case = f.forwarded(officers)
    forum = login(officers["forum"])
    response = post(forum, case, "claim")
    assert response.status_code == 302 and reload(case).status == "in_triage"
    response = post(forum, case, "request_info", {"question": "Foto lokasinya?"})
    assert response.status_code == 302 and reload(case).status == "needs_info"
    kim = login(officers["kim"])
    response = post(kim, case, "provide_info", {"text": "Di depan balai desa."})
    assert response.status_code == 302 and reload(case).status == "in_triage"
    response = post(forum, case, "dispatch", {"opds": ["dputr", "dinkes"], "note": "Segera"})
    assert response.status_code == 302
    assert response["Location"] == "/petugas/tugas/"  # the case left the forum's hands
    assert reload(case).status == "dispatched"
    assert messages_of(response)


def test_opd_path_through_the_page(officers):
    case = f.dispatched(officers, opds=("dputr", "dinkes"))
    pu = login(officers["pu"])
    response = post(pu, case, "accept")
    assert response.status_code == 302
    assert response["Location"] == page_url(case)  # respond and decline remain
    assert reload(case).status == "in_progress"
    response = post(
        login(officers["dinkes"]),
        case,
        "decline",
        {"reason": "Bukan wewenang", "suggested_opd": "dinsos"},
    )
    assert response.status_code == 302 and reload(case).status == "in_progress"
    response = post(pu, case, "respond", {"response": "Sudah ditambal."})
    assert response.status_code == 302 and reload(case).status == "responded"


def test_verify_resolve_reject_and_merge_through_the_page(officers):
    case = f.submit()
    assert post(login(officers["kim"]), case, "verify").status_code == 302
    assert reload(case).status == "forwarded"

    forum = login(officers["forum"])
    answered = f.in_triage(officers, title="Jadwal posyandu")
    post(forum, answered, "resolve", {"response": "Setiap Selasa."})
    assert reload(answered).status == "responded"

    rejected = f.in_triage(officers, title="Iklan")
    post(forum, rejected, "reject", {"reason": "Bukan aspirasi."})
    assert reload(rejected).status == "rejected"

    duplicate = f.in_triage(officers, title="Jalan desa berlubang lagi")
    post(forum, duplicate, "merge", {"candidate": case.number})
    assert reload(duplicate).status == "merged"
    assert reload(duplicate).merged_into_id == case.pk
    assert reload(case).supporters == 2

    typed = f.in_triage(officers, title="Jalan rusak")
    post(forum, typed, "merge", {"into": case.number.lower()})
    assert reload(typed).status == "merged"


def test_reassign_and_release_through_the_page(officers):
    case = f.in_triage(officers)
    response = post(login(officers["coordinator"]), case, "reassign", {"to": "forum2"})
    assert response.status_code == 302
    task = selectors.open_tasks(case).get()
    assert task.owner == officers["forum2"]
    response = post(login(officers["forum2"]), case, "release", {"next": "/petugas/tugas/"})
    assert response["Location"] == "/petugas/tugas/"
    assert reload(case).status == "forwarded"
    # the officer must belong to the unit holding the task
    response = post(login(officers["coordinator"]), case, "reassign", {"to": "pu"})
    assert response.status_code == 400
    assert selectors.open_tasks(case).get().owner_id is None


def test_forged_actions_are_refused_without_change(officers):
    case = f.forwarded(officers)
    events = CaseEvent.objects.filter(case=case).count()
    cases: list[tuple[str, str, dict[str, object]]] = [
        ("kim", "dispatch", {"opds": ["dputr"]}),  # KIM may not dispatch
        ("kim", "claim", {}),  # verification is done
        ("forum", "accept", {}),  # an OPD action
        ("forum", "reassign", {"to": "forum2"}),  # officers do not reassign
        ("forum", "provide_info", {"text": "x"}),
    ]
    for key, action, data in cases:
        response = post(login(officers[key]), case, action, data)
        assert response.status_code == 302, (key, action)
        assert messages_of(response), (key, action)
    assert reload(case).status == "forwarded"
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_service_refusal_is_reported(officers):
    case = f.forwarded(officers)
    client = login(officers["forum"])
    post(client, case, "claim")
    # another officer of the same unit: the task is held, so no action is offered
    response = post(login(officers["forum2"]), case, "dispatch", {"opds": ["dputr"]})
    assert response.status_code == 302 and messages_of(response)
    # a merge into a case of another kecamatan is refused by the service: shown at the field
    other = f.submit(desa=OTHER_DESA)
    response = post(client, case, "merge", {"into": other.number})
    assert response.status_code == 400
    assert reload(case).status == "in_triage"


def test_invalid_form_is_400_with_the_error_next_to_the_field(officers):
    case = f.in_triage(officers)
    response = post(login(officers["forum"]), case, "reject", {"reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_reject_reason_error"' in html
    assert re.search(r'<details class="action" id="act-reject"[^>]*open', html)
    assert reload(case).status == "in_triage"

    response = post(login(officers["forum"]), case, "dispatch", {"opds": ["nope"]})
    assert response.status_code == 400
    assert 'id="id_dispatch_opds_error"' in response.content.decode()


# ----------------------------------------------------------------------------- language


def test_language_defaults_to_indonesian_and_switches_to_english(officers):
    case = f.forwarded(officers)
    client = login(officers["forum"])
    assert '<html lang="id">' in client.get(page_url(case)).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": page_url(case)})
    html = client.get(page_url(case)).content.decode()
    assert '<html lang="en">' in html
    assert "What you can do" in html


# ----------------------------------------------------------------------------- statements


def _count_page(client: Client, case: Case) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page_url(case))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _case_with_events(officers, cycles: int) -> Case:
    case = f.forwarded(officers)
    for _i in range(cycles):
        services.claim_task(case=case, actor=officers["forum"])
        services.release_task(case=case, actor=officers["forum"])
    return case


def test_case_page_statements_do_not_grow_with_events(officers):
    short = _case_with_events(officers, 0)  # 2 events
    long = _case_with_events(officers, 7)  # 16 events
    assert CaseEvent.objects.filter(case=short).count() < 4
    assert CaseEvent.objects.filter(case=long).count() >= 15
    client = login(officers["coordinator"])
    _count_page(client, short)  # warm the caches
    few, many = _count_page(client, short), _count_page(client, long)
    assert few == many
    assert many <= 16


def _count_list(client: Client, url: str = "/petugas/laporan/") -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_case_list_statements_do_not_grow_with_cases(officers):
    for _i in range(2):
        f.forwarded(officers)
    client = login(officers["forum"])
    _count_list(client)
    few = _count_list(client)
    for _i in range(18):
        f.forwarded(officers)
    many = _count_list(client)
    assert few == many
    assert many <= 10


# ----------------------------------------------------------------------------- case list


def test_case_list_filters_and_scope(officers):
    a = f.forwarded(officers, title="Jembatan putus", priority="tinggi")
    b = f.dispatched(officers, title="Lampu jalan mati")
    c = f.submit(title="Sampah menumpuk", desa=DESA_2, category="lingkungan")
    other = f.submit(desa=OTHER_DESA, title="Di kecamatan lain")
    client = login(officers["forum"])

    def numbers(query: str = "") -> set[str]:
        html = client.get(f"/petugas/laporan/?{query}").content.decode()
        return set(re.findall(r'class="mono">([A-Z]+-\d{4}-\d{5})</a>', html))

    assert numbers() == {a.number, b.number, c.number}
    assert other.number not in numbers()
    assert numbers("status=dispatched") == {b.number}
    assert numbers("priority=tinggi") == {a.number}
    assert numbers("category=lingkungan") == {c.number}
    assert numbers(f"desa={DESA_2}") == {c.number}
    assert numbers("q=jembatan") == {a.number}
    assert numbers(f"q={b.number}") == {b.number}
    assert numbers("overdue=1") == set()
    assert numbers("overdue=0") == {a.number, b.number, c.number}
    # the supervisor sees every kecamatan and filters by one
    sup = login(officers["supervisor"])
    html = sup.get("/petugas/laporan/?kecamatan=35.08.02").content.decode()
    assert other.number in html and a.number not in html
    # htmx asks for the results only
    partial = client.get("/petugas/laporan/?q=jembatan", headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and a.number in partial.content.decode()


def test_case_list_paginates_by_25(officers):
    for _i in range(27):
        f.submit()
    client = login(officers["kim"])
    first = client.get("/petugas/laporan/").content.decode()
    assert first.count('data-testid="case-row"') == 25
    second = client.get("/petugas/laporan/?page=2").content.decode()
    assert second.count('data-testid="case-row"') == 2


def test_csv_export_follows_the_filters_and_hides_reporters(officers):
    a = f.forwarded(officers, title='=HYPERLINK("x")')
    b = f.dispatched(officers, title="Lampu jalan mati")
    response = login(officers["forum"]).get("/petugas/laporan/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = streamed(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 3
    assert {rows[1][0], rows[2][0]} == {a.number, b.number}
    assert "Siti Aminah" not in body and "siti@example.org" not in body
    assert "81234567890" not in body and "3508014101900001" not in body
    assert "'=HYPERLINK" in body  # never a live formula

    filtered = login(officers["forum"]).get("/petugas/laporan/?format=csv&status=dispatched")
    rows = list(csv.reader(io.StringIO(streamed(filtered).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [b.number]

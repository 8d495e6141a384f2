"""Submitting aspirations, the officers' case list with its filters, and the case detail."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import services
from casework.models import Case, CaseTask
from tests import factories as f
from tests.conftest import DESA, DESA_2, DESA_INACTIVE, KECAMATAN, OTHER_DESA

from .helpers import assert_error, url

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "title": "Lampu jalan mati",
    "description": "Lampu PJU di depan balai desa mati sejak seminggu.",
    "category": "infrastruktur",
    "desa": DESA,
    "priority": "tinggi",
    "confidentiality": "biasa",
    "reporter_name": "Budi Santoso",
    "reporter_phone": "085712345678",
    "reporter_email": "budi@example.org",
    "reporter_nik": "3508010101800002",
    "contact_consent": True,
    "address": "Jl. Raya Tegalrejo 1",
    "latitude": "-8.2834567891",
    "longitude": "113.0123",
}


# ----------------------------------------------------------------------------- submit


def test_anonymous_submit(reference, anon):
    response = anon.post(url("cases"), SUBMISSION, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "received"
    assert body["number"].startswith("LMJ-")
    assert len(body["tracking_code"]) == 14  # XXXX-XXXX-XXXX
    case = Case.objects.get(number=body["number"])
    assert case.tracking_code == body["tracking_code"].replace("-", "")
    assert case.channel == "api"  # the API's default channel
    assert case.created_by is None
    assert case.priority == "tinggi"
    assert str(case.latitude) == "-8.283457"  # extra GPS decimals are rounded
    assert case.events.get().actor is None


def test_submit_to_a_desa_without_active_kim_skips_verification(reference, anon):
    body = {**SUBMISSION, "desa": DESA_INACTIVE, "channel": "web"}
    response = anon.post(url("cases"), body, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "forwarded"
    assert Case.objects.get().channel == "web"


def test_minimal_submit(reference, anon):
    body = {k: SUBMISSION[k] for k in ("title", "description", "category", "desa")}
    response = anon.post(url("cases"), body, format="json")
    assert response.status_code == 201
    case = Case.objects.get()
    assert (case.priority, case.confidentiality, case.reporter_name) == ("sedang", "biasa", "")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"category": "tidak-ada"}, "category"),  # refused by the service
        ({"desa": KECAMATAN}, "desa"),  # a kecamatan is not a desa
        ({"reporter_nik": "12345"}, "reporter_nik"),
        ({"reporter_email": "bukan-email"}, "reporter_email"),
        ({"priority": "segera"}, "priority"),
        ({"latitude": "95"}, "latitude"),
        ({"channel": "pos"}, "channel"),
    ],
)
def test_submit_bad_input(reference, anon, change, field):
    response = anon.post(url("cases"), {**SUBMISSION, **change}, format="json")
    body = assert_error(response, 400, "invalid")
    assert field in body["fields"]
    assert not Case.objects.exists()


def test_kim_operator_records_for_their_own_desa_only(officers, as_officer):
    kim = as_officer("kim")
    response = kim.post(url("cases"), {**SUBMISSION, "channel": "kim"}, format="json")
    assert response.status_code == 201
    case = Case.objects.get(number=response.json()["number"])
    assert case.created_by == officers["kim"]
    assert case.events.get().actor == officers["kim"]

    refused = kim.post(url("cases"), {**SUBMISSION, "desa": OTHER_DESA}, format="json")
    assert_error(refused, 403, "permission_denied")
    assert Case.objects.count() == 1


# ----------------------------------------------------------------------------- list


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["number"] for item in response.json()["results"]}


def test_list_is_scoped_paginated_and_newest_first(officers, as_officer):
    here = [f.submit() for _ in range(3)]
    there = f.submit(desa=OTHER_DESA)
    response = as_officer("forum").get(url("cases"), {"page_size": 2})
    body = response.json()
    assert body["count"] == 3
    assert body["next"] and body["previous"] is None
    assert [c["number"] for c in body["results"]] == [here[2].number, here[1].number]
    item = body["results"][0]
    assert item["status"] == "received"
    assert item["status_label"] == "Diterima"
    assert item["category"] == {"code": "infrastruktur", "name": "Infrastruktur"}
    assert item["desa"]["code"] == DESA
    assert item["kecamatan"]["code"] == KECAMATAN
    assert "reporter_name" not in item

    assert numbers(as_officer("kim_other").get(url("cases"))) == {there.number}
    assert numbers(as_officer("forum_other").get(url("cases"))) == {there.number}
    assert numbers(as_officer("dinsos").get(url("cases"))) == set()
    assert len(numbers(as_officer("supervisor").get(url("cases")))) == 4


def test_list_filters(officers, as_officer):
    received = f.submit(title="Sampah menumpuk", category="lingkungan", priority="rendah")
    desa_2 = f.submit(desa=DESA_2, description="Pohon tumbang menutup jalan")
    to_pu = f.dispatched(officers, opds=("dputr",))
    to_both = f.dispatched(officers, opds=("dputr", "dinkes"), priority="darurat")
    supervisor = as_officer("supervisor")

    def listed(**params):
        return numbers(supervisor.get(url("cases"), params))

    assert listed(status="received") == {received.number, desa_2.number}
    assert listed(status=["received", "dispatched"]) == {
        received.number,
        desa_2.number,
        to_pu.number,
        to_both.number,
    }
    assert listed(desa=DESA_2) == {desa_2.number}
    assert listed(kecamatan=KECAMATAN) == {
        received.number,
        desa_2.number,
        to_pu.number,
        to_both.number,
    }
    assert listed(opd="dputr") == {to_pu.number, to_both.number}
    assert listed(opd="dinkes") == {to_both.number}
    assert listed(opd="tidak-ada") == set()
    assert listed(category="lingkungan") == {received.number}
    assert listed(priority="darurat") == {to_both.number}
    assert listed(q="sampah") == {received.number}
    assert listed(q="pohon tumbang") == {desa_2.number}
    assert listed(q=to_pu.number[-5:]) == {to_pu.number}

    # overdue: an open task past due; a task without a due time is never overdue
    assert listed(overdue="true") == set()
    CaseTask.objects.filter(case=to_pu, status="NEW").update(
        due_at=timezone.now() - timedelta(hours=1)
    )
    CaseTask.objects.filter(case=received, status="NEW").update(
        due_at=timezone.now() + timedelta(days=1)
    )
    assert listed(overdue="true") == {to_pu.number}
    assert listed(overdue="false") == {received.number, desa_2.number, to_both.number}

    ordered = supervisor.get(url("cases"), {"ordering": "created_at"}).json()["results"]
    assert ordered[0]["number"] == received.number

    assert_error(supervisor.get(url("cases"), {"status": "lost"}), 400, "invalid")


@pytest.mark.parametrize("who", ["supervisor", "forum"])
def test_case_list_runs_a_constant_number_of_queries(officers, client_for, who):
    officer = officers[who]
    client = client_for(officer)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("cases"), {"page_size": 50, "overdue": "false"})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    for _ in range(2):
        f.dispatched(officers, opds=("dputr",))
    few, listed = count()
    assert listed == 2
    for _ in range(18):
        f.submit(desa=DESA_INACTIVE)
    many, listed = count()
    assert listed == 20
    assert many == few
    assert few == 2, few  # the count and the page


# ----------------------------------------------------------------------------- detail


def test_detail(officers, as_officer):
    case = f.dispatched(officers, opds=("dputr", "dinkes"), address="RT 02")
    response = as_officer("pu").get(url("case", number=case.number))
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == case.number
    assert body["status"] == "dispatched"
    assert body["description"] == case.description
    assert body["address"] == "RT 02"
    assert body["allowed_actions"] == ["claim", "accept", "decline"]
    assert sorted((t["stage"], t["unit"]["code"], t["assignee"]) for t in body["tasks"]) == [
        ("opd_acceptance", "dinkes", None),
        ("opd_acceptance", "dputr", None),
    ]
    assert [(a["opd"], a["status"]) for a in body["assignments"]] == [
        ("dputr", "pending"),
        ("dinkes", "pending"),
    ]
    assert [
        (e["action"], e["actor"], e["from_status"], e["to_status"]) for e in body["events"]
    ] == [
        ("submit", None, "", "received"),
        ("claim", "kim", "received", "received"),
        ("verify", "kim", "received", "forwarded"),
        ("claim", "forum", "forwarded", "in_triage"),
        ("dispatch", "forum", "in_triage", "dispatched"),
    ]
    assert body["events"][-1]["payload"]["opds"] == ["dputr", "dinkes"]
    assert body["reporter_name"] == "Siti Aminah"
    assert body["reporter_nik"] == "3508********0001"


def test_detail_of_a_merged_case_names_its_target(officers, as_officer):
    target = f.forwarded(officers)
    duplicate = services.merge_case(
        case=f.forwarded(officers), actor=officers["forum"], into=target.number
    )
    body = as_officer("forum").get(url("case", number=duplicate.number)).json()
    assert body["merged_into"] == target.number
    assert body["tasks"] == []
    assert body["allowed_actions"] == []


def test_detail_unknown_number(officers, as_officer):
    assert_error(as_officer("supervisor").get(url("case", number="LMJ-0000-00000")), 404)


def test_detail_runs_a_constant_number_of_queries(officers, client_for):
    client = client_for(officers["forum"])
    short = f.submit()
    long = f.dispatched(officers, opds=("dputr", "dinkes", "dinsos"))

    def count(case) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("case", number=case.number)).status_code == 200
        return len(ctx.captured_queries)

    assert count(short) == count(long)


# Reporter identity: officers see it, except for anonim/rahasia cases where only the
# supervisor and the KIM operator who recorded it do. The NIK is masked except for the
# supervisor.
FULL = {
    "reporter_name": "Siti Aminah",
    "reporter_phone": "+6281234567890",  # as stored: E.164
    "reporter_email": "siti@example.org",
    "reporter_nik": "3508014101900001",
}
MASKED = {**FULL, "reporter_nik": "3508********0001"}
HIDDEN = dict.fromkeys(FULL)


@pytest.mark.parametrize(
    ("confidentiality", "who", "expected"),
    [
        ("biasa", "supervisor", FULL),
        ("biasa", "kim", MASKED),
        ("biasa", "forum", MASKED),
        ("biasa", "pu", MASKED),
        ("anonim", "supervisor", FULL),
        ("anonim", "kim", HIDDEN),
        ("anonim", "kim (recorded it)", MASKED),
        ("anonim", "forum", HIDDEN),
        ("anonim", "coordinator", HIDDEN),
        ("anonim", "pu", HIDDEN),
        ("rahasia", "supervisor", FULL),
        ("rahasia", "kim", HIDDEN),
        ("rahasia", "kim (recorded it)", MASKED),
        ("rahasia", "forum", HIDDEN),
        ("rahasia", "pu", HIDDEN),
    ],
)
def test_reporter_identity_by_confidentiality(officers, as_officer, confidentiality, who, expected):
    recorded = who == "kim (recorded it)"
    extra = {"actor": officers["kim"], "channel": "kim"} if recorded else {}
    case = f.dispatched(officers, opds=("dputr",), confidentiality=confidentiality, **extra)
    body = as_officer("kim" if recorded else who).get(url("case", number=case.number)).json()
    assert {k: body[k] for k in FULL} == expected
    if expected is HIDDEN:
        text = str(body)
        assert all(value not in text for value in FULL.values())


def test_the_submission_rules_are_the_service_s_on_the_api_too(reference, anon):
    """Both coordinates or neither, and consent for contact details: the web forms used to be
    the only ones to check these; the API accepted a latitude alone."""
    body = {**SUBMISSION, "contact_consent": False}
    assert_error(anon.post(url("cases"), body, format="json"), 400, "invalid")
    alone = {k: v for k, v in SUBMISSION.items() if k != "longitude"}
    refused = assert_error(anon.post(url("cases"), alone, format="json"), 400, "invalid")
    assert set(refused["fields"]) == {"longitude"}
    assert not Case.objects.exists()
    both = {**SUBMISSION, "latitude": "-8.1", "longitude": "113.2"}
    assert anon.post(url("cases"), both, format="json").status_code == 201

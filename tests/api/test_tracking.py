"""Public tracking by the reporter's code: what it shows, what it never shows, and the
citizen's actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.models import Case
from tests import factories as f
from tests.factories import make_officer

from .helpers import assert_error, track_url

pytestmark = pytest.mark.django_db

REPORTER = ("Siti Aminah", "81234567890", "siti@example.org", "3508014101900001", "3508****")


@pytest.fixture
def distinct_officers(reference):
    """Officers whose usernames appear in no other text, to search the body for them."""
    return {
        "kim": make_officer("kim_operator", "35.08.01.2001", "usr-kim-7q"),
        "forum": make_officer("forum_officer", "35.08.01", "usr-forum-7q"),
        "pu": make_officer("opd_officer", "dputr", "usr-pu-7q"),
        "dinkes": make_officer("opd_officer", "dinkes", "usr-dinkes-7q"),
    }


def a_full_story(who: dict, confidentiality: str) -> Case:
    """A case that went through information requests, two OPD, a decline and a dispute."""
    case = f.submit(confidentiality=confidentiality)
    case = services.verify_case(case=case, actor=who["kim"])
    case = services.request_info(case=case, actor=who["forum"], question="Di RT berapa?")
    case = services.provide_info(case=case, text="RT 03, rumah Siti Aminah 081234567890")
    case = services.release_task(case=case, actor=who["forum"])
    case = services.dispatch_case(
        case=case, actor=who["forum"], opds=["dputr", "dinkes"], note="usr-forum-7q catatan"
    )
    case = services.accept_assignment(case=case, actor=who["pu"])
    case = services.decline_assignment(
        case=case, actor=who["dinkes"], reason="Internal: bukan dinkes"
    )
    case = services.respond_assignment(case=case, actor=who["pu"], response="Sudah ditambal.")
    case = services.dispute_case(case=case, reason="Siti Aminah: belum rapi")
    return services.respond_assignment(case=case, actor=who["pu"], response="Sudah dicor ulang.")


@pytest.mark.parametrize("confidentiality", ["biasa", "anonim", "rahasia"])
def test_public_view_leaks_no_identity(distinct_officers, anon, confidentiality):
    case = a_full_story(distinct_officers, confidentiality)
    response = anon.get(track_url(case.tracking_code))
    assert response.status_code == 200
    text = response.content.decode()
    for secret in REPORTER:
        assert secret not in text
    for officer in distinct_officers.values():
        assert officer.username not in text
    assert "Internal: bukan dinkes" not in text  # decline reasons are internal
    assert "catatan" not in text  # so are dispatch notes
    body = response.json()
    assert "actor" not in text and "payload" not in text
    # the holder of the code is the reporter: their case in full, a rahasia one included
    assert body["title"] == case.title
    assert body["description"] == case.description
    assert [a["response"] for a in body["answers"]] == ["Sudah dicor ulang."]
    assert [a["name"] for a in body["answers"]] == ["Dinas Pekerjaan Umum dan Tata Ruang"]


def test_public_view_of_an_ordinary_case(distinct_officers, anon):
    case = a_full_story(distinct_officers, "biasa")
    code = case.tracking_code
    spelled = f"{code[:4]}-{code[4:8]}-{code[8:]}".lower()
    body = anon.get(track_url(spelled)).json()
    assert body["number"] == case.number
    assert (body["status"], body["status_label"]) == ("responded", "Menunggu konfirmasi warga")
    assert body["category"] == {"code": "infrastruktur", "name": "Infrastruktur"}
    assert body["desa"] == {"code": "35.08.01.2001", "name": case.desa.name}
    assert body["info_question"] is None
    assert body["answers"] == [
        {
            "source": "opd",
            "opd": "dputr",
            "name": "Dinas Pekerjaan Umum dan Tata Ruang",
            "response": "Sudah dicor ulang.",
            "answered_at": body["answers"][0]["answered_at"],
            "attachments": [],
        }
    ]
    assert body["allowed_actions"] == ["confirm", "dispute"]
    timeline = [(e["action"], e["from_status"], e["to_status"]) for e in body["timeline"]]
    assert timeline == [
        ("submit", "", "received"),
        ("verify", "received", "forwarded"),
        ("request_info", "in_triage", "needs_info"),
        ("provide_info", "needs_info", "in_triage"),
        ("dispatch", "in_triage", "dispatched"),  # claimed on the way (claims are internal)
        ("accept", "dispatched", "in_progress"),
        ("decline", "in_progress", "in_progress"),
        ("respond", "in_progress", "responded"),
        ("dispute", "responded", "in_progress"),
        ("respond", "in_progress", "responded"),
    ]
    by_action = {e["action"]: e for e in body["timeline"]}
    assert by_action["request_info"]["question"] == "Di RT berapa?"
    assert "text" not in by_action["provide_info"]
    assert "reason" not in by_action["decline"]
    assert "reason" not in by_action["dispute"]
    # every OPD event names its agency
    dinkes = {"code": "dinkes", "name": "Dinas Kesehatan"}
    assert by_action["decline"]["opd"] == dinkes
    assert by_action["accept"]["opd"]["name"] == "Dinas Pekerjaan Umum dan Tata Ruang"
    assert by_action["dispatch"]["opds"][1] == dinkes
    assert all(e["action_label"] for e in body["timeline"])


def test_public_view_while_waiting_for_information(officers, anon):
    case = f.in_triage(officers)
    services.request_info(case=case, actor=officers["forum"], question="Foto lokasi?")
    body = anon.get(track_url(case.tracking_code)).json()
    assert body["info_question"] == "Foto lokasi?"
    assert body["allowed_actions"] == ["provide_info"]


def test_public_view_of_a_rejected_case_shows_the_reason(officers, anon):
    case = services.reject_case(case=f.forwarded(officers), actor=officers["forum"], reason="Iklan")
    body = anon.get(track_url(case.tracking_code)).json()
    assert body["timeline"][-1] == {
        "action": "reject",
        "action_label": body["timeline"][-1]["action_label"],
        "from_status": "in_triage",
        "to_status": "rejected",
        "created_at": body["timeline"][-1]["created_at"],
        "reason": "Iklan",
    }
    assert body["allowed_actions"] == []


def test_public_view_of_a_forum_answer(officers, anon):
    case = f.in_triage(officers, category="permintaan-informasi")
    services.resolve_case(case=case, actor=officers["forum"], response="Jadwal posyandu: Senin")
    body = anon.get(track_url(case.tracking_code)).json()
    assert [(a["source"], a["opd"], a["response"]) for a in body["answers"]] == [
        ("forum", None, "Jadwal posyandu: Senin")
    ]
    assert body["answers"][0]["name"].startswith("Forum KIM Kecamatan")
    assert body["allowed_actions"] == ["confirm"]  # no OPD answer to dispute


def test_public_view_of_a_merged_case_points_to_its_target(officers, anon):
    target = f.forwarded(officers)
    duplicate = services.merge_case(
        case=f.forwarded(officers), actor=officers["forum"], into=target.number
    )
    body = anon.get(track_url(duplicate.tracking_code)).json()
    assert body["merged_into"] == {
        "number": target.number,
        "status": "forwarded",
        "status_label": "Diteruskan ke forum kecamatan",
    }
    assert anon.get(track_url(target.tracking_code)).json()["supporters"] == 2


def test_unknown_tracking_code(reference, anon):
    assert_error(anon.get(track_url("XXXX-XXXX-XXXX")), 404, "not_found")
    assert_error(anon.post(track_url("XXXX-XXXX-XXXX", "confirm"), {"rating": 5}), 404)


# ----------------------------------------------------------------------------- citizen actions


def test_provide_info_by_tracking_code(officers, anon):
    case = f.in_triage(officers)
    services.request_info(case=case, actor=officers["forum"], question="RT berapa?")
    response = anon.post(track_url(case.tracking_code, "provide_info"), {"text": "RT 03"})
    assert response.status_code == 200
    assert response.json()["status"] == "in_triage"
    assert response.json()["info_question"] is None


def test_confirm_by_tracking_code(officers, anon):
    case = f.responded(officers)
    response = anon.post(
        track_url(case.tracking_code, "confirm"), {"rating": 4, "comment": "Cepat"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    case.refresh_from_db()
    assert (case.rating, case.rating_comment) == (4, "Cepat")
    assert "Cepat" not in response.content.decode()


def test_dispute_by_tracking_code(officers, anon):
    case = f.responded(officers)
    response = anon.post(track_url(case.tracking_code, "dispute"), {"reason": "Belum"})
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"


def test_citizen_actions_refused(officers, anon):
    case = f.responded(officers)
    body = assert_error(anon.post(track_url(case.tracking_code, "confirm"), {"rating": 9}), 400)
    assert "rating" in body["fields"]
    assert (
        "reason" in assert_error(anon.post(track_url(case.tracking_code, "dispute")), 400)["fields"]
    )
    waiting = f.in_triage(officers)
    assert_error(anon.post(track_url(waiting.tracking_code, "confirm"), {"rating": 5}), 409)
    assert_error(anon.post(track_url(waiting.tracking_code, "provide_info"), {"text": "x"}), 409)
    assert_error(anon.post(track_url(waiting.tracking_code, "close")), 404, "not_found")
    answered_by_forum = f.in_triage(officers, category="permintaan-informasi")
    services.resolve_case(case=answered_by_forum, actor=officers["forum"], response="Ini")
    assert_error(
        anon.post(track_url(answered_by_forum.tracking_code, "dispute"), {"reason": "x"}), 409
    )


def test_citizen_action_on_a_rahasia_case_answers_the_reporter_view(officers, anon):
    case = f.responded(officers, confidentiality="rahasia")
    body = anon.post(track_url(case.tracking_code, "confirm"), {"rating": 5}).json()
    assert (body["number"], body["status"], body["status_label"]) == (
        case.number,
        "closed",
        "Selesai",
    )
    assert body["title"] == case.title and body["answers"][0]["response"] == "Sudah ditambal."


def test_public_view_runs_a_constant_number_of_queries(distinct_officers, officers, anon):
    short = f.submit()
    long = a_full_story(distinct_officers, "biasa")

    def count(case) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert anon.get(track_url(case.tracking_code)).status_code == 200
        return len(ctx.captured_queries)

    assert count(short) == count(long) == 3  # the case, its events, its files

"""Officer actions over HTTP: each action, the role × scope matrix, conflicts and bad input."""

import pytest

from casework import services
from casework.models import Assignment, Case, CaseEvent
from tests import factories as f

from .helpers import action_url, assert_error, url

pytestmark = pytest.mark.django_db

TARGET = object()  # replaced by the number of another open case of the kecamatan


def build(state: str, officers) -> Case:
    if state == "received":
        return f.submit()
    if state == "forwarded":
        return f.forwarded(officers)
    if state == "in_triage":
        return f.in_triage(officers)
    if state == "needs_info":
        case = f.in_triage(officers)
        return services.request_info(case=case, actor=officers["forum"], question="RT berapa?")
    if state == "dispatched":
        return f.dispatched(officers, opds=("dputr",))
    if state == "dispatched_two":
        return f.dispatched(officers, opds=("dputr", "dinkes"))
    if state == "in_progress":
        return f.in_progress(officers)
    raise AssertionError(state)


Q = {"question": "Di RT berapa?"}
R = {"reason": "Bukan wewenang kami"}
A = {"response": "Sudah ditindaklanjuti."}

# (action, state, officer, body, HTTP status, case status after a success)
MATRIX = [
    ("verify", "received", "kim", {}, 200, "forwarded"),
    ("verify", "received", "kim_other", {}, 404, None),
    ("verify", "received", "forum", {}, 403, None),
    ("verify", "received", "supervisor", {}, 403, None),
    ("verify", "received", "pu", {}, 404, None),
    ("claim", "forwarded", "forum", {}, 200, "in_triage"),
    ("claim", "forwarded", "coordinator", {}, 200, "in_triage"),
    ("claim", "forwarded", "forum_other", {}, 404, None),
    ("claim", "forwarded", "dinsos", {}, 404, None),
    ("release", "in_triage", "forum", {}, 200, "forwarded"),
    ("release", "in_triage", "forum_other", {}, 404, None),
    ("reassign", "forwarded", "coordinator", {"to": "forum2"}, 200, "in_triage"),
    ("reassign", "forwarded", "supervisor", {"to": "forum2"}, 200, "in_triage"),
    ("reassign", "forwarded", "forum", {"to": "forum2"}, 403, None),
    ("reassign", "forwarded", "forum_other", {"to": "forum2"}, 404, None),
    ("reassign", "dispatched", "pu_head", {"to": "pu2"}, 200, "dispatched"),
    ("reassign", "dispatched", "pu", {"to": "pu2"}, 403, None),
    ("reassign", "dispatched", "dinsos", {"to": "pu2"}, 404, None),
    ("request_info", "in_triage", "forum", Q, 200, "needs_info"),
    ("request_info", "received", "kim", Q, 200, "needs_info"),
    ("request_info", "in_triage", "forum_other", Q, 404, None),
    ("request_info", "dispatched", "pu", Q, 403, None),
    ("provide_info", "needs_info", "kim", {"text": "RT 03"}, 200, "in_triage"),
    ("provide_info", "needs_info", "kim_other", {"text": "RT 03"}, 404, None),
    ("provide_info", "needs_info", "forum", {"text": "RT 03"}, 403, None),
    ("dispatch", "forwarded", "forum", {"opds": ["dputr"]}, 200, "dispatched"),
    ("dispatch", "forwarded", "coordinator", {"opds": ["dputr"]}, 200, "dispatched"),
    ("dispatch", "forwarded", "forum_other", {"opds": ["dputr"]}, 404, None),
    ("dispatch", "forwarded", "kim", {"opds": ["dputr"]}, 403, None),
    ("dispatch", "forwarded", "supervisor", {"opds": ["dputr"]}, 403, None),
    ("dispatch", "dispatched", "pu", {"opds": ["dinsos"]}, 403, None),
    ("dispatch", "dispatched", "dinsos", {"opds": ["dinsos"]}, 404, None),
    ("resolve", "in_triage", "forum", A, 200, "responded"),
    ("resolve", "in_triage", "kim", A, 403, None),
    ("resolve", "in_triage", "forum_other", A, 404, None),
    ("merge", "forwarded", "forum", {"into": TARGET}, 200, "merged"),
    ("merge", "forwarded", "kim", {"into": TARGET}, 403, None),
    ("merge", "forwarded", "forum_other", {"into": TARGET}, 404, None),
    ("reject", "forwarded", "forum", R, 200, "rejected"),
    ("reject", "received", "kim", R, 200, "rejected"),
    ("reject", "received", "kim_other", R, 404, None),
    ("reject", "forwarded", "forum_other", R, 404, None),
    ("reject", "dispatched", "pu", R, 403, None),
    ("accept", "dispatched", "pu", {}, 200, "in_progress"),
    ("accept", "dispatched", "pu_head", {}, 200, "in_progress"),
    ("accept", "dispatched", "dinkes", {}, 404, None),
    ("accept", "dispatched", "dinsos", {}, 404, None),
    ("accept", "dispatched", "forum", {}, 403, None),
    ("accept", "dispatched", "kim", {}, 403, None),
    ("accept", "dispatched", "supervisor", {}, 403, None),
    ("decline", "dispatched", "pu", R, 200, "in_triage"),  # no OPD left: back to the forum
    ("decline", "dispatched_two", "dinkes", R, 200, "dispatched"),
    ("decline", "dispatched", "dinsos", R, 404, None),
    ("decline", "dispatched", "forum", R, 403, None),
    ("respond", "in_progress", "pu", A, 200, "responded"),
    ("respond", "in_progress", "dinsos", A, 404, None),
    ("respond", "in_progress", "forum", A, 403, None),
    ("respond", "in_progress", "kim", A, 403, None),
]


def _id(row) -> str:
    return "-".join(str(part) for part in (row[0], row[1], row[2], row[4]))


@pytest.mark.parametrize(
    ("action", "state", "who", "body", "http", "after"), MATRIX, ids=[_id(r) for r in MATRIX]
)
def test_action_matrix(officers, as_officer, action, state, who, body, http, after):
    case = build(state, officers)
    if body.get("into") is TARGET:
        body = {"into": f.forwarded(officers).number}
    before = (case.status, CaseEvent.objects.filter(case=case).count())

    response = as_officer(who).post(action_url(case.number, action), body, format="json")

    case.refresh_from_db()
    if http == 200:
        assert response.status_code == 200, response.content
        detail = response.json()
        assert detail["number"] == case.number
        assert detail["status"] == after == case.status
        assert detail["events"][-1]["action"] == action
        assert detail["events"][-1]["actor"] == officers[who].username
        assert isinstance(detail["allowed_actions"], list)
    else:
        assert_error(response, http)
        assert (case.status, CaseEvent.objects.filter(case=case).count()) == before


DETAIL_MATRIX = [
    ("kim", 200),
    ("kim_other", 404),
    ("forum", 200),
    ("forum2", 200),
    ("coordinator", 200),
    ("forum_other", 404),
    ("pu", 200),
    ("pu2", 200),
    ("pu_head", 200),
    ("dinkes", 404),  # the case went to dputr only
    ("dinsos", 404),
    ("supervisor", 200),
]


@pytest.mark.parametrize(("who", "http"), DETAIL_MATRIX)
def test_detail_matrix(officers, as_officer, who, http):
    case = f.dispatched(officers, opds=("dputr",))
    response = as_officer(who).get(url("case", number=case.number))
    if http == 200:
        assert response.status_code == 200
        assert response.json()["number"] == case.number
    else:
        assert_error(response, http, "not_found")


def test_actions_need_a_login(officers, anon):
    case = f.forwarded(officers)
    assert_error(anon.post(action_url(case.number, "claim")), 401, "not_authenticated")
    assert_error(anon.get(url("case", number=case.number)), 401, "not_authenticated")


def test_unknown_action(officers, as_officer):
    case = f.forwarded(officers)
    assert_error(as_officer("forum").post(action_url(case.number, "close")), 404, "not_found")
    assert_error(as_officer("forum").post(action_url(case.number, "confirm")), 404, "not_found")


def test_allowed_actions_follow_the_task(officers, as_officer):
    case = f.forwarded(officers)
    assert as_officer("forum").get(url("case", number=case.number)).json()["allowed_actions"] == [
        "claim",
        "dispatch",
        "resolve",
        "request_info",
        "merge",
        "reject",
    ]
    as_officer("forum").post(action_url(case.number, "claim"))
    assert as_officer("forum2").get(url("case", number=case.number)).json()["allowed_actions"] == []
    assert as_officer("coordinator").get(url("case", number=case.number)).json()[
        "allowed_actions"
    ] == ["reassign"]


def test_dispatch_with_category_priority_and_note(officers, as_officer):
    case = f.forwarded(officers)
    body = {
        "opds": ["dputr", "dinkes"],
        "category": "kesehatan",
        "priority": "darurat",
        "note": "Segera",
    }
    response = as_officer("forum").post(action_url(case.number, "dispatch"), body, format="json")
    assert response.status_code == 200
    detail = response.json()
    assert detail["category"]["code"] == "kesehatan"
    assert detail["priority"] == "darurat"
    assert [(a["opd"], a["status"], a["note"]) for a in detail["assignments"]] == [
        ("dputr", "pending", "Segera"),
        ("dinkes", "pending", "Segera"),
    ]
    assert sorted(t["unit"]["code"] for t in detail["tasks"]) == ["dinkes", "dputr"]


def test_decline_with_a_suggestion(officers, as_officer):
    case = f.dispatched(officers, opds=("dputr", "dinkes"))
    body = {"reason": "Bukan wewenang", "suggested_opd": "dinsos"}
    detail = as_officer("dinkes").post(action_url(case.number, "decline"), body).json()
    dinkes = next(a for a in detail["assignments"] if a["opd"] == "dinkes")
    assert (dinkes["status"], dinkes["decline_reason"], dinkes["suggested_opd"]) == (
        "declined",
        "Bukan wewenang",
        "dinsos",
    )


def test_reassign_names_the_task_when_several_are_open(officers, as_officer):
    case = f.dispatched(officers, opds=("dputr", "dinkes"))
    supervisor = as_officer("supervisor")
    body = assert_error(
        supervisor.post(action_url(case.number, "reassign"), {"to": "pu2"}), 400, "invalid"
    )
    assert "task" in body["fields"]
    detail = supervisor.get(url("case", number=case.number)).json()
    task = next(t for t in detail["tasks"] if t["unit"]["code"] == "dputr")
    response = supervisor.post(
        action_url(case.number, "reassign"), {"to": "pu2", "task": task["id"]}
    )
    assert response.status_code == 200
    assigned = {t["unit"]["code"]: t["assignee"] for t in response.json()["tasks"]}
    assert assigned == {"dputr": "pu2", "dinkes": None}


# ----------------------------------------------------------------------------- 409


def test_dispatch_twice_is_a_conflict(officers, as_officer):
    case = f.forwarded(officers)
    forum = as_officer("forum")
    assert forum.post(action_url(case.number, "dispatch"), {"opds": ["dputr"]}).status_code == 200
    again = forum.post(action_url(case.number, "dispatch"), {"opds": ["dinsos"]})
    assert_error(again, 409, "invalid_transition")
    assert list(Assignment.objects.filter(case=case).values_list("opd__code", flat=True)) == [
        "dputr"
    ]


def test_accept_twice_is_a_conflict(officers, as_officer):
    case = f.dispatched(officers, opds=("dputr",))
    assert as_officer("pu").post(action_url(case.number, "accept")).status_code == 200
    assert_error(as_officer("pu").post(action_url(case.number, "accept")), 409)


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("dispatch", {"opds": ["dputr"]}),
        ("resolve", A),
        ("reject", R),
        ("request_info", Q),
        ("claim", {}),
    ],
)
def test_task_held_by_another_officer(officers, as_officer, action, body):
    case = f.in_triage(officers)  # claimed by "forum"
    response = as_officer("forum2").post(action_url(case.number, action), body, format="json")
    assert_error(response, 409, "task_taken")
    case.refresh_from_db()
    assert case.status == "in_triage"


def test_opd_task_held_by_the_accepting_officer(officers, as_officer):
    case = f.in_progress(officers)  # accepted by "pu": the response is theirs
    assert_error(as_officer("pu2").post(action_url(case.number, "respond"), A), 409, "task_taken")
    assert_error(as_officer("pu2").post(action_url(case.number, "release")), 409)


def test_illegal_transition_on_a_closed_case(officers, as_officer):
    case = services.reject_case(case=f.forwarded(officers), actor=officers["forum"], reason="x")
    assert_error(as_officer("forum").post(action_url(case.number, "claim")), 409)
    assert_error(as_officer("forum").post(action_url(case.number, "resolve"), A), 409)


# ----------------------------------------------------------------------------- 400


@pytest.mark.parametrize(
    ("state", "who", "action", "body", "field"),
    [
        ("forwarded", "forum", "dispatch", {}, "opds"),
        ("forwarded", "forum", "dispatch", {"opds": []}, "opds"),
        ("forwarded", "forum", "dispatch", {"opds": ["tidak-ada"]}, "opds"),
        ("forwarded", "forum", "dispatch", {"opds": ["dputr"], "priority": "x"}, "priority"),
        ("forwarded", "forum", "dispatch", {"opds": ["dputr"], "category": "x"}, "category"),
        ("forwarded", "forum", "reject", {"reason": "  "}, "reason"),
        ("forwarded", "forum", "merge", {"into": "LMJ-0000-00000"}, "into"),
        ("forwarded", "coordinator", "reassign", {"to": "nobody"}, "to"),
        ("forwarded", "coordinator", "reassign", {"to": "pu"}, "to"),
        ("forwarded", "coordinator", "reassign", {"to": "forum2", "task": "x"}, "task"),
        ("in_triage", "forum", "request_info", {}, "question"),
        ("in_triage", "forum", "resolve", {"response": ""}, "response"),
        ("dispatched", "pu", "decline", {"reason": "x", "suggested_opd": "nope"}, "suggested_opd"),
    ],
)
def test_bad_input(officers, as_officer, state, who, action, body, field):
    case = build(state, officers)
    response = as_officer(who).post(action_url(case.number, action), body, format="json")
    detail = assert_error(response, 400, "invalid")
    assert field in detail["fields"], detail
    case.refresh_from_db()
    assert case.status == build_status(state)


def build_status(state: str) -> str:
    return {"dispatched_two": "dispatched"}.get(state, state)

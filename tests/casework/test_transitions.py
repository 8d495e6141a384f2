"""Every action in every state: the legal ones reach their target, the others are refused
with a domain error and change nothing (status, audit trail, tasks)."""

from collections.abc import Callable

import pytest

from casework import services
from casework.errors import Conflict, DomainError, NotFound
from casework.models import Case, CaseTask
from tests import factories as f

pytestmark = pytest.mark.django_db


def _needs_info(o):
    case = f.in_triage(o)
    return services.request_info(case=case, actor=o["forum"], question="Di RT berapa?")


def _merged(o):
    target = f.forwarded(o)
    return services.merge_case(case=f.forwarded(o), actor=o["forum"], into=target.number)


STATES: dict[str, Callable[[dict], Case]] = {
    "received": f.submit_for,
    "forwarded": f.forwarded,
    "in_triage": f.in_triage,
    "needs_info": _needs_info,
    "dispatched": lambda o: f.dispatched(o, opds=("dputr",)),
    "in_progress": f.in_progress,
    "responded": f.responded,
    "closed": lambda o: services.confirm_case(case=f.responded(o), rating=4),
    "rejected": lambda o: services.reject_case(case=f.forwarded(o), actor=o["forum"], reason="x"),
    "merged": _merged,
}

ACTIONS = {
    "verify": lambda c, o, t: services.verify_case(case=c, actor=o["kim"]),
    "request_info_kim": lambda c, o, t: services.request_info(case=c, actor=o["kim"], question="?"),
    "reject_kim": lambda c, o, t: services.reject_case(case=c, actor=o["kim"], reason="iklan"),
    "claim": lambda c, o, t: services.claim_task(case=c, actor=o["forum"]),
    "release": lambda c, o, t: services.release_task(case=c, actor=o["forum"]),
    "request_info": lambda c, o, t: services.request_info(case=c, actor=o["forum"], question="?"),
    "provide_info": lambda c, o, t: services.provide_info(case=c, text="RT 03"),
    "dispatch": lambda c, o, t: services.dispatch_case(case=c, actor=o["forum"], opds=["dputr"]),
    "resolve": lambda c, o, t: services.resolve_case(case=c, actor=o["forum"], response="ok"),
    "merge": lambda c, o, t: services.merge_case(case=c, actor=o["forum"], into=t.number),
    "reject": lambda c, o, t: services.reject_case(case=c, actor=o["forum"], reason="spam"),
    "accept": lambda c, o, t: services.accept_assignment(case=c, actor=o["pu"]),
    "decline": lambda c, o, t: services.decline_assignment(case=c, actor=o["pu"], reason="bw"),
    "respond": lambda c, o, t: services.respond_assignment(case=c, actor=o["pu"], response="ok"),
    "confirm": lambda c, o, t: services.confirm_case(case=c, rating=5),
    "dispute": lambda c, o, t: services.dispute_case(case=c, reason="belum"),
    "close": lambda c, o, t: services.close_case(case=c),
}

TRIAGE_LEGAL = {
    "dispatch": "dispatched",
    "resolve": "responded",
    "merge": "merged",
    "reject": "rejected",
    "request_info": "needs_info",
}
LEGAL = {
    "received": {"verify": "forwarded", "request_info_kim": "needs_info", "reject_kim": "rejected"},
    "forwarded": {"claim": "in_triage", **TRIAGE_LEGAL},
    "in_triage": {"release": "forwarded", **TRIAGE_LEGAL},
    "needs_info": {"provide_info": "in_triage", "reject": "rejected"},
    "dispatched": {"accept": "in_progress", "decline": "in_triage"},
    "in_progress": {"respond": "responded", "decline": "in_triage"},
    "responded": {"confirm": "closed", "dispute": "in_progress", "close": "closed"},
    "closed": {},
    "rejected": {},
    "merged": {},
}
OPD_ACTIONS = {"accept", "decline", "respond"}
BEFORE_DISPATCH = {"received", "forwarded", "in_triage", "needs_info", "rejected", "merged"}


def snapshot(case):
    case.refresh_from_db()
    tasks = sorted(
        CaseTask.objects.filter(case=case).values_list("pk", "status", "owner_id", "finished")
    )
    return case.status, case.updated_at, case.events.count(), tasks


CASES = [(state, action) for state in STATES for action in ACTIONS]


@pytest.mark.parametrize(("state", "action"), CASES, ids=[f"{s}-{a}" for s, a in CASES])
def test_action_in_state(officers, state, action):
    target = f.forwarded(officers)  # an open case of the same kecamatan, for merge
    case = STATES[state](officers)
    assert case.status == state
    expected = LEGAL[state].get(action)
    if expected is not None:
        after = ACTIONS[action](case, officers, target)
        assert after.status == expected
        case.refresh_from_db()
        assert case.status == expected
        last = case.events.order_by("-created_at", "-id").first()
        assert last is not None
        assert last.to_status == expected
        return
    before = snapshot(case)
    # an OPD has no business with a case not dispatched to it: out of its scope
    refusal = NotFound if action in OPD_ACTIONS and state in BEFORE_DISPATCH else Conflict
    with pytest.raises(DomainError) as raised:
        ACTIONS[action](case, officers, target)
    assert isinstance(raised.value, refusal), raised.value
    assert snapshot(case) == before


def test_status_cannot_be_assigned_directly(officers):
    case = f.submit()
    with pytest.raises(AttributeError):
        case.status = "closed"


def test_audit_trail_is_append_only(officers):
    from django.db import transaction

    from casework.models import CaseEvent

    event = f.submit().events.get()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    # the database refuses it too, on PostgreSQL and on SQLite alike
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()

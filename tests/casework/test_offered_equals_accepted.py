"""Offered equals accepted, proved: for every status a case can be in, with its tasks unowned or
held, every officer role (in and out of scope) and the reporter, and every action, an action
the pages and the API offer (``allowed_actions``, the tracking page's actions) is accepted by
its service with a valid body, and one they do not offer is refused with nothing changed.

Each combination runs in a savepoint that is rolled back, on the same case. Runs on
PostgreSQL (``make test``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from casework import actions, disclosure, selectors, services
from casework.actions.policy import reassignable
from casework.errors import DomainError
from casework.lifecycle import CaseStatus
from casework.models import Assignment, Case, CaseEvent, CaseTask, Notification, User
from casework.scenarios import Route
from tests import factories as f

pytestmark = pytest.mark.django_db

# every officer of the fixture: each role, in the case's scope and out of it, the holder of a
# task and a colleague of the holder
ACTORS = (
    "kim",
    "kim_other",
    "forum",
    "forum2",
    "coordinator",
    "forum_other",
    "pu",
    "pu2",
    "pu_head",
    "dinkes",
    "dinsos",
    "supervisor",
)


def _held_by(key: str, build: Callable[[dict], Case]) -> Callable[[dict], Case]:
    """The case of ``build`` with the open task of ``key``'s unit claimed by ``key``."""

    def held(o: dict) -> Case:
        return services.claim_task(case=build(o), actor=o[key])

    return held


def _decline(key: str, build: Callable[[dict], Case]) -> Callable[[dict], Case]:
    def declined(o: dict) -> Case:
        return services.decline_assignment(case=build(o), actor=o[key], reason="Bukan kami.")

    return declined


TWO = Route(opds=("dputr", "dinkes"))
# each status, with its tasks unowned and held where that differs, and the other histories
# that leave a case in a status with other tasks open
VARIANTS: dict[str, Callable[[dict], Case]] = {
    "received": f.submit_for,
    "received, held by the KIM": _held_by("kim", f.submit_for),
    "received, KIM inactive → forwarded": lambda o: f.submit(desa="35.08.01.2003"),
    "forwarded": f.forwarded,
    "in_triage": f.in_triage,
    "needs_info, asked by the forum": lambda o: f.drive(o, "needs_info"),
    "needs_info, asked by the village": lambda o: f.drive(o, "needs_info", Route(ask="village")),
    "dispatched to two OPD": lambda o: f.drive(o, "dispatched", TWO),
    "dispatched, held by an OPD": _held_by("pu", lambda o: f.drive(o, "dispatched", TWO)),
    "dispatched, one OPD declined": _decline("pu", lambda o: f.drive(o, "dispatched", TWO)),
    "in_progress": f.in_progress,
    "in_progress, one OPD still to accept": lambda o: f.drive(
        o, "in_progress", Route(opds=("dputr", "dinkes"), accepted=1)
    ),
    "in_progress, one OPD answered": lambda o: f.drive(
        o, "in_progress", Route(opds=("dputr", "dinkes"), responded=1)
    ),
    "responded by an OPD": f.responded,
    "responded by the forum": lambda o: f.drive(o, "responded", Route(answer="forum")),
    "in_progress after a dispute": lambda o: services.dispute_case(
        case=f.responded(o), reason="Belum beres."
    ),
    "closed": lambda o: f.drive(o, "closed"),
    "rejected": lambda o: f.drive(o, "rejected"),
    "merged": lambda o: f.drive(o, "merged", Route(into=f.forwarded(o))),
}


def _reassign_body(actor: User, tasks: list[CaseTask]) -> dict[str, Any]:
    mine = reassignable(actor, tasks) if actor.role else []
    if not mine:
        return {"to": "forum2"}
    task = mine[0]
    assert task.unit_id is not None  # reassignable tasks are a unit's
    to = (
        User.objects.filter(unit_id=task.unit_id, is_active=True)
        .order_by("username")
        .values_list("username", flat=True)
        .first()
    )
    return {"to": to, "task_id": task.pk}


def body(code: str, actor: User | None, tasks: list[CaseTask], target: Case) -> dict[str, Any]:
    """A valid body of each action."""
    bodies: dict[str, dict[str, Any]] = {
        "request_info": {"question": "Di RT berapa?"},
        "provide_info": {"text": "RT 03 RW 01."},
        "dispatch": {"opds": ["dinsos"]},
        "resolve": {"response": "Sudah dijawab di forum."},
        "merge": {"into": target.number},
        "reject": {"reason": "Bukan aspirasi."},
        "decline": {"reason": "Bukan wewenang kami."},
        "respond": {"response": "Sudah ditambal."},
        "confirm": {"rating": 4, "comment": "Terima kasih."},
        "dispute": {"reason": "Belum beres."},
        "reassign": _reassign_body(actor, tasks) if actor is not None else {},
    }
    return bodies.get(code, {})


def snapshot(case: Case) -> tuple:
    """Everything an action may change."""
    row = Case.objects.filter(pk=case.pk).values().get()
    tasks = sorted(
        CaseTask.objects.filter(case_id=case.pk).values_list("pk", "status", "owner_id", "due_at")
    )
    assignments = sorted(Assignment.objects.filter(case_id=case.pk).values_list("pk", "status"))
    return (
        row,
        tasks,
        assignments,
        CaseEvent.objects.filter(case_id=case.pk).count(),
        Notification.objects.count(),
    )


def attempt(call: Callable[[], Any], case: Case) -> tuple[bool, str, bool]:
    """(accepted, the refusal, nothing changed when refused), in a savepoint rolled back."""
    with transaction.atomic():
        before = snapshot(case)
        try:
            call()
        except DomainError as refusal:
            unchanged = snapshot(case) == before
            transaction.set_rollback(True)
            return False, f"{type(refusal).__name__}: {refusal.detail}", unchanged
        transaction.set_rollback(True)
        return True, "", True


COMBINATIONS: dict[str, int] = {}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_offered_equals_accepted(officers, variant):
    assert connection.vendor == "postgresql", "run with make test (PostgreSQL)"
    case = VARIANTS[variant](officers)
    target = f.forwarded(officers, title="Jalan rusak di dusun sebelah")  # for a merge
    wrong: list[str] = []
    tried = 0
    for key in ACTORS:
        actor = User.objects.get(username=key)  # as a request's user: nothing loaded
        for action in actions.officer_actions():
            fresh = Case.objects.get(pk=case.pk)
            tasks = list(selectors.open_tasks(fresh))
            offered = selectors.in_scope(actor, fresh) and action.code in actions.allowed(
                actor, fresh, tasks
            )
            kwargs = body(action.code, actor, tasks, target)
            accepted, refusal, unchanged = attempt(
                functools.partial(action.service, case=fresh, actor=actor, **kwargs), fresh
            )
            tried += 1
            if offered != accepted or not unchanged:
                wrong.append(
                    f"{key} {action.code}: offered {offered}, accepted {accepted} {refusal}"
                    + ("" if unchanged else " (and changed the case)")
                )
    for action in actions.reporter_actions():
        fresh = Case.objects.get(pk=case.pk)
        events = list(selectors.case_events(fresh))
        offered = action.code in disclosure.citizen_actions(fresh, events)
        kwargs = body(action.code, None, [], target)
        accepted, refusal, unchanged = attempt(
            functools.partial(action.service, case=fresh, **kwargs), fresh
        )
        tried += 1
        if offered != accepted or not unchanged:
            wrong.append(
                f"reporter {action.code}: offered {offered}, accepted {accepted} {refusal}"
            )
    COMBINATIONS[variant] = tried
    assert not wrong, f"{variant} ({case.status}):\n" + "\n".join(wrong)


def test_the_variants_cover_every_status(officers):
    statuses = {VARIANTS[v](officers).status for v in VARIANTS}
    assert statuses == set(CaseStatus.values)

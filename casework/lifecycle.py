"""The lifecycle contract: the states of a case, the stages of human work, the transitions of
the status, and the outcome table that the status and the process both read.

Nothing here touches the database. :class:`casework.models.Case` builds its django-fsm
transitions from :data:`TRANSITIONS`; the process (``workflows.flows.CaseFlow``) takes its
route keys from :data:`OUTCOMES` and decides the end of an OPD round with :func:`opd_round`;
the services finish a task with :func:`outcome`. So the case status and the process cannot
route differently: a node whose routes are not those of the table refuses to load, and a test
walks every row through both (``tests/casework/test_lifecycle.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    FORWARDED = "forwarded", _("Diteruskan ke forum kecamatan")
    IN_TRIAGE = "in_triage", _("Ditelaah")
    NEEDS_INFO = "needs_info", _("Menunggu kelengkapan")
    DISPATCHED = "dispatched", _("Didisposisikan")
    IN_PROGRESS = "in_progress", _("Ditindaklanjuti")
    RESPONDED = "responded", _("Menunggu konfirmasi warga")
    CLOSED = "closed", _("Selesai")
    REJECTED = "rejected", _("Ditolak")
    MERGED = "merged", _("Digabungkan")


S = CaseStatus
OPEN_STATUSES = frozenset(
    {S.RECEIVED, S.FORWARDED, S.IN_TRIAGE, S.NEEDS_INFO, S.DISPATCHED, S.IN_PROGRESS, S.RESPONDED}
)
FINAL_STATUSES = frozenset({S.CLOSED, S.REJECTED, S.MERGED})


class Stage(models.TextChoices):
    """Stages of human work; also the keys of service-level policies."""

    VERIFICATION = "verification", _("Village verification")
    TRIAGE = "triage", _("Kecamatan triage")
    OPD_ACCEPTANCE = "opd_acceptance", _("OPD acceptance")
    OPD_RESPONSE = "opd_response", _("OPD response")
    CONFIRMATION = "confirmation", _("Citizen confirmation")


# task statuses of the process engine that mean "still to do"
OPEN_TASK_STATUSES = ("NEW", "ASSIGNED", "STARTED")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for acceptance")
    ACCEPTED = "accepted", _("Accepted")
    RESPONDED = "responded", _("Responded")
    DECLINED = "declined", _("Declined (bukan wewenang)")


# ----------------------------------------------------------------------------- transitions

# The transitions of Case.status: method name -> (sources, targets). A transition with
# several targets returns the one it takes (django-fsm's RETURN_VALUE).
TRANSITIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "forward": ((S.RECEIVED,), (S.FORWARDED,)),
    "take_into_triage": ((S.FORWARDED,), (S.IN_TRIAGE,)),
    "return_to_queue": ((S.IN_TRIAGE,), (S.FORWARDED,)),
    "ask_for_info": ((S.RECEIVED, S.IN_TRIAGE), (S.NEEDS_INFO,)),
    "receive_info": ((S.NEEDS_INFO,), (S.RECEIVED, S.IN_TRIAGE)),
    "dispatch": ((S.IN_TRIAGE,), (S.DISPATCHED,)),
    "resolve": ((S.IN_TRIAGE,), (S.RESPONDED,)),
    "merge": ((S.IN_TRIAGE,), (S.MERGED,)),
    "reject": ((S.RECEIVED, S.IN_TRIAGE), (S.REJECTED,)),
    "accept": ((S.DISPATCHED, S.IN_PROGRESS), (S.IN_PROGRESS,)),
    "decline": (
        (S.DISPATCHED, S.IN_PROGRESS),
        (S.DISPATCHED, S.IN_PROGRESS, S.IN_TRIAGE, S.RESPONDED),
    ),
    "respond": ((S.IN_PROGRESS,), (S.IN_PROGRESS, S.RESPONDED)),
    "confirm": ((S.RESPONDED,), (S.CLOSED,)),
    "dispute": ((S.RESPONDED,), (S.IN_PROGRESS,)),
    "close": ((S.RESPONDED,), (S.CLOSED,)),
}


# ----------------------------------------------------------------------------- outcomes

# what an OPD round leads to once no branch is open: the join's routes
ANSWERED = "answered"
RETURNED = "returned"
ROUND_ROUTES = (ANSWERED, RETURNED)
# the first stage of a new case: the start's routes
START_VERIFY = "verify"
START_TRIAGE = "triage"
START_ROUTES = (START_VERIFY, START_TRIAGE)
# the end of an OPD round decides the status (see opd_round)
ROUND = "round"


@dataclass(frozen=True)
class Outcome:
    """An action completing a task of a stage: the route the process takes from the task
    (stored as the task's outcome), the transition of the case status, and the status it
    reaches (:data:`ROUND`: decided by :func:`opd_round`)."""

    action: str
    stage: str
    route: str
    transition: str
    status: str


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("verify", Stage.VERIFICATION, "verified", "forward", S.FORWARDED),
    Outcome("reject", Stage.VERIFICATION, "rejected", "reject", S.REJECTED),
    Outcome("dispatch", Stage.TRIAGE, "dispatched", "dispatch", S.DISPATCHED),
    Outcome("resolve", Stage.TRIAGE, "resolved", "resolve", S.RESPONDED),
    Outcome("merge", Stage.TRIAGE, "merged", "merge", S.MERGED),
    Outcome("reject", Stage.TRIAGE, "rejected", "reject", S.REJECTED),
    Outcome("accept", Stage.OPD_ACCEPTANCE, "accepted", "accept", S.IN_PROGRESS),
    Outcome("decline", Stage.OPD_ACCEPTANCE, "declined", "decline", ROUND),
    Outcome("respond", Stage.OPD_RESPONSE, "responded", "respond", ROUND),
    Outcome("decline", Stage.OPD_RESPONSE, "declined", "decline", ROUND),
    Outcome("confirm", Stage.CONFIRMATION, "confirmed", "confirm", S.CLOSED),
    Outcome("close", Stage.CONFIRMATION, "closed", "close", S.CLOSED),
    Outcome("dispute", Stage.CONFIRMATION, "disputed", "dispute", S.IN_PROGRESS),
)


def outcome(action: str, stage: str) -> Outcome:
    """The row of an action completing a task of ``stage``."""
    for row in OUTCOMES:
        if row.action == action and row.stage == stage:
            return row
    raise LookupError(f"no outcome for {action!r} at {stage!r}")


def routes(stage: str) -> frozenset[str]:
    """The route keys a task of ``stage`` may complete with."""
    return frozenset(row.route for row in OUTCOMES if row.stage == stage)


@dataclass(frozen=True)
class Round:
    """Where a case stands after one OPD's answer or decline: its status, and the join's
    route once every branch is in (None while an OPD still works on it)."""

    status: str
    route: str | None


def opd_round(others: Iterable[str]) -> Round:
    """After an OPD responds or declines, from the statuses of the case's *other*
    assignments: while one is pending or accepted the case waits for it (in progress once
    any accepted); otherwise it is answered when any OPD responded, and goes back to the
    forum's triage when every OPD declined."""
    statuses = set(others)
    if AssignmentStatus.ACCEPTED in statuses:
        return Round(S.IN_PROGRESS, None)
    if AssignmentStatus.PENDING in statuses:
        return Round(S.DISPATCHED, None)
    if AssignmentStatus.RESPONDED in statuses:
        return Round(S.RESPONDED, ANSWERED)
    return Round(S.IN_TRIAGE, RETURNED)


def after_response(others: Iterable[str]) -> Round:
    """:func:`opd_round` after this OPD *responded*: the case is answered once no other OPD
    still works on it, whatever the others did."""
    found = opd_round(others)
    if found.route is not None:
        return Round(S.RESPONDED, ANSWERED)
    return Round(S.IN_PROGRESS, None)


def round_after(action: str, others: Iterable[str]) -> Round:
    """The round after ``action`` (``respond`` or ``decline``) by one OPD."""
    return after_response(others) if action == "respond" else opd_round(others)

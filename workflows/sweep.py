"""The service-level sweep: reminders, escalations and auto-close of what is due now.

Its cost follows the work that is due, not the work that is open: due tasks are read through
the partial index on ``sla_next_at`` in batches, each batch locked (``SKIP LOCKED``, so that
two sweeps never take the same task), and escalated set-based: one INSERT of escalation rows,
one of case events, one of notifications and one UPDATE of the tasks per batch, in one
transaction. A sweep killed half-way loses nothing (the batch rolls back and is done again)
and repeats nothing (each step moves the task's clock on; a unique row per task, kind, level
and cycle guards the rest).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from casework import refdata
from casework.actions.declarations import CLOSE
from casework.errors import DomainError
from casework.journal import Journal
from casework.models import (
    OPEN_TASK_STATUSES,
    Case,
    CaseEvent,
    CaseTask,
    Escalation,
    EscalationKind,
    Notification,
    Role,
    Stage,
    User,
)
from casework.notifications.delivery import requeue_pending

from . import sla

log = logging.getLogger(__name__)
FORUM_STAGES = {Stage.VERIFICATION, Stage.TRIAGE}


@dataclass
class SweepResult:
    reminders: int = 0
    escalations: int = 0
    closed: int = 0
    batches: int = 0
    requeued_notifications: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.reminders + self.escalations + self.closed


@dataclass
class _Step:
    task_id: int
    case_id: int
    case_status: str
    stage: str
    kind: str
    level: int
    cycle: int
    unit_id: int | None
    owner_id: int | None
    due_at: datetime
    kecamatan_id: str
    number: str
    title: str


def _steps_due(row: dict, now: datetime) -> tuple[list[_Step], int, datetime | None, bool]:
    """The steps of one task's clock that have fallen due, its next step, and whether the
    case is to close (confirmation window over)."""
    step, next_at = row["sla_step"], row["sla_next_at"]
    emitted: list[_Step] = []
    due = row["due_at"]

    def emit(kind: str, level: int) -> None:
        emitted.append(
            _Step(
                task_id=row["id"],
                case_id=row["case_id"],
                case_status=row["case__status"],
                stage=row["stage"],
                kind=kind,
                level=level,
                cycle=row["sla_cycle"],
                unit_id=row["unit_id"],
                owner_id=row["owner_id"],
                due_at=due,
                kecamatan_id=row["case__kecamatan_id"],
                number=row["case__number"],
                title=row["case__title"],
            )
        )

    while next_at is not None and next_at <= now:
        if step == sla.STEP_CLOSE:
            return emitted, sla.STEP_DONE, None, True
        if step == sla.STEP_REMIND:
            if due > now:  # a reminder after the deadline helps nobody
                emit(EscalationKind.REMINDER, 0)
            step, next_at = sla.STEP_LEVEL_1, due
        elif step == sla.STEP_LEVEL_1:
            emit(EscalationKind.ESCALATION, 1)
            step = sla.STEP_LEVEL_2
            next_at = sla.add_working_days(due, sla.LEVEL_2_AFTER_WORKING_DAYS)
        elif step == sla.STEP_LEVEL_2:
            emit(EscalationKind.ESCALATION, 2)
            step, next_at = sla.STEP_DONE, None
        else:
            step, next_at = sla.STEP_DONE, None
    return emitted, step, next_at, False


class _Recipients:
    """Who hears about a step: the assignee (or the unit) for a reminder, the forum
    coordinators or the OPD heads at level 1, the supervisors at level 2."""

    def __init__(self) -> None:
        self._by_unit: dict[int, list[User]] | None = None
        self._by_id: dict[int, User] = {}

    def _load(self, unit_ids: set[int]) -> None:
        users = User.objects.filter(is_active=True).exclude(email="").filter(unit_id__in=unit_ids)
        self._by_unit = defaultdict(list)
        for user in users:
            if user.unit_id is not None:
                self._by_unit[user.unit_id].append(user)
            self._by_id[user.pk] = user

    def prepare(self, steps: list[_Step]) -> None:
        units: set[int] = set()
        supervisor = refdata.unit("supervisor", _kabupaten())
        if supervisor is not None:
            units.add(supervisor.pk)
        for s in steps:
            if s.unit_id:
                units.add(s.unit_id)
            forum = refdata.forum_of(s.kecamatan_id)
            if forum is not None:
                units.add(forum.pk)
        self._load(units)

    def for_step(self, s: _Step) -> list[User]:
        assert self._by_unit is not None
        if s.kind == EscalationKind.REMINDER:
            if s.owner_id:
                owner = self._by_id.get(s.owner_id)
                return [owner] if owner else []
            return self._by_unit.get(s.unit_id or 0, [])
        if s.level == 1:
            if s.stage in FORUM_STAGES:
                forum = refdata.forum_of(s.kecamatan_id)
                people = self._by_unit.get(forum.pk, []) if forum else []
                return [u for u in people if u.role == Role.FORUM_COORDINATOR]
            return [u for u in self._by_unit.get(s.unit_id or 0, []) if u.role == Role.OPD_HEAD]
        supervisor = refdata.unit("supervisor", _kabupaten())
        return self._by_unit.get(supervisor.pk, []) if supervisor else []


def _kabupaten() -> str:
    from django.conf import settings

    return settings.ASPIRASI_KABUPATEN_CODE


def _process_batch(now: datetime, batch: int, result: SweepResult) -> tuple[int, list[int]]:
    """Lock and handle one batch of due tasks; returns (tasks handled, cases to close)."""
    with transaction.atomic():
        rows = list(
            CaseTask.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
            .filter(status__in=OPEN_TASK_STATUSES, sla_next_at__lte=now)
            .order_by("sla_next_at")
            .values(
                "id",
                "case_id",
                "case__status",
                "case__kecamatan_id",
                "case__number",
                "case__title",
                "stage",
                "unit_id",
                "owner_id",
                "due_at",
                "sla_step",
                "sla_next_at",
                "sla_cycle",
            )[:batch]
        )
        if not rows:
            return 0, []
        steps: list[_Step] = []
        updates: dict[int, tuple[int, datetime | None]] = {}
        to_close: list[int] = []
        for row in rows:
            emitted, step, next_at, close = _steps_due(row, now)
            steps.extend(emitted)
            updates[row["id"]] = (step, next_at)
            if close:
                to_close.append(row["case_id"])

        Escalation.objects.bulk_create(
            [
                Escalation(
                    case_id=s.case_id,
                    task_id=s.task_id,
                    stage=s.stage,
                    kind=s.kind,
                    level=s.level,
                    cycle=s.cycle,
                    unit_id=s.unit_id,
                    due_at=s.due_at,
                    created_at=now,
                )
                for s in steps
            ],
            ignore_conflicts=True,
        )
        journal = Journal()
        journal.events.extend(
            [
                CaseEvent(
                    case_id=s.case_id,
                    action="remind" if s.level == 0 else "escalate",
                    from_status=s.case_status,
                    to_status=s.case_status,
                    created_at=now,
                    payload={
                        "stage": s.stage,
                        "level": s.level,
                        "task": s.task_id,
                        "due_at": s.due_at.isoformat(),
                    },
                )
                for s in steps
            ]
        )
        recipients = _Recipients()
        messages = journal.messages
        if steps:
            recipients.prepare(steps)
            for s in steps:
                for user in recipients.for_step(s):
                    messages.append(
                        Notification(
                            case_id=s.case_id,
                            key=f"sla:{s.task_id}:{s.kind}:{s.level}:{s.cycle}:{user.pk}",
                            channel="email",
                            recipient=user.email,
                            user=user,
                            template="sla_step",
                            created_at=now,
                            context={
                                "kind": s.kind,
                                "level": s.level,
                                "stage": s.stage,
                                "task": s.task_id,
                                "due_at": s.due_at.isoformat(),
                                "number": s.number,
                                "title": s.title,
                            },
                        )
                    )
        # the events and the messages in one INSERT each; a message already written for its
        # step is not written, nor handed over, again
        journal.write(skip_existing=True)
        CaseTask.objects.bulk_update(
            [
                CaseTask(pk=pk, sla_step=step, sla_next_at=next_at)
                for pk, (step, next_at) in updates.items()
            ],
            ["sla_step", "sla_next_at"],
            batch_size=batch,
        )
        result.reminders += sum(1 for s in steps if s.level == 0)
        result.escalations += sum(1 for s in steps if s.level > 0)
        result.batches += 1
        return len(rows), to_close


def _close(case_ids: list[int], result: SweepResult) -> None:
    for case in Case.objects.filter(pk__in=case_ids):
        try:
            CLOSE.service(case=case)
            result.closed += 1
        except DomainError as exc:  # confirmed or disputed meanwhile: nothing to close
            log.info("case %s not closed: %s", case.pk, exc)


def sweep(*, now: datetime | None = None, batch: int | None = None) -> SweepResult:
    """Run every step that is due at ``now``, batch after batch, until none is left."""
    from django.conf import settings

    now = now or timezone.now()
    batch = batch or settings.ASPIRASI_SWEEP_BATCH
    result = SweepResult()
    while True:
        handled, to_close = _process_batch(now, batch, result)
        _close(to_close, result)
        if handled < batch:
            break
    result.requeued_notifications = requeue_pending()
    return result

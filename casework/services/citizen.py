"""What the reporter does with their tracking code (supply information, confirm or dispute the
answer), the village KIM supplying information on their behalf, and the close when the
confirmation window ends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from .. import ports
from ..actions import declarations as d
from ..actions import implements
from ..errors import InvalidInput
from ..lifecycle import CaseStatus, Stage
from ..models import AssignmentStatus, Case, User
from . import kernel


@implements(d.PROVIDE_INFO)
def provide_info(
    *, case: Case, text: str, actor: User | None = None, attachments: Sequence[Any] = ()
) -> Case:
    """The reporter (by tracking code, ``actor`` None) or the desa's KIM operator answers the
    question; the stage that asked starts again with its full time."""
    text = kernel.text(text, "text")
    files = kernel.check_files(attachments)
    decide = kernel.for_reporter(d.PROVIDE_INFO) if actor is None else None
    with kernel.staged_files(files, actor=actor) as stored, transaction.atomic():
        act = kernel.begin(d.PROVIDE_INFO, case=case, actor=actor, decide=decide)
        case = act.case
        before = case.status
        kernel.transition(case, "receive_info")
        case.info_question = ""
        kernel.save(case, "status", "info_return_status", "info_question", "paused_at", "target_at")
        stage = Stage.VERIFICATION if case.status == CaseStatus.RECEIVED else Stage.TRIAGE
        clock = ports.clock()
        for task in act.tasks:
            if task.stage == stage:
                clock.resume(task, case=case)
        event = act.record(before, text=text)
        act.audit.journal.attach(event, stored)
        act.audit.write()
    return case


@implements(d.CONFIRM)
def confirm_case(*, case: Case, rating: int, comment: str = "") -> Case:
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise InvalidInput(
            {"rating": [_("Give a rating from 1 to 5.")]}, fields={"rating": "invalid"}
        )
    comment = kernel.text(comment, "comment", required=False)
    with transaction.atomic():
        act = kernel.begin(d.CONFIRM, case=case, actor=None, decide=kernel.for_reporter(d.CONFIRM))
        before = act.case.status
        act.transition(rating, comment)
        kernel.save(act.case, "status", "rating", "rating_comment", "closed_at")
        act.complete()
        act.record(before, rating=rating, comment=comment)
        act.audit.write()
    return act.case


@implements(d.DISPUTE)
def dispute_case(*, case: Case, reason: str) -> Case:
    """The reporter disputes the answer: reopened for the OPD that answered."""
    reason = kernel.text(reason, "reason")
    with transaction.atomic():
        act = kernel.begin(d.DISPUTE, case=case, actor=None, decide=kernel.for_reporter(d.DISPUTE))
        case = act.case
        before = case.status
        act.transition()
        case.assignments.filter(status=AssignmentStatus.RESPONDED).update(
            status=AssignmentStatus.ACCEPTED, responded_at=None
        )
        kernel.save(case, "status")
        act.complete()
        act.record(before, reason=reason)
        act.audit.write()
    return case


@implements(d.CLOSE)
def close_case(*, case: Case) -> Case:
    """The confirmation window ended without a reply (run by the system)."""
    with transaction.atomic():
        act = kernel.begin(d.CLOSE, case=case, actor=None, decide=kernel.by_system)
        before = act.case.status
        act.transition()
        kernel.save(act.case, "status", "closed_at")
        act.complete()
        act.record(before)
        act.audit.write()
    return act.case

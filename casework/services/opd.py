"""An OPD's part in a case: accept the assignment, respond with the follow-up, or decline it as
not its authority. After a response or a decline, :func:`casework.lifecycle.opd_round` says
where the case stands, as the process's join does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import refdata, selectors
from ..actions import declarations as d
from ..actions import implements
from ..errors import InvalidInput
from ..lifecycle import after_response, opd_round
from ..models import Assignment, AssignmentStatus, Case, CaseTask, User
from . import kernel


def _assignment_of(task: CaseTask | None) -> Assignment:
    assert task is not None
    return Assignment.objects.select_for_update().get(pk=task.data["assignment"])


@implements(d.ACCEPT)
def accept_assignment(*, case: Case, actor: User) -> Case:
    with transaction.atomic():
        act = kernel.begin(d.ACCEPT, case=case, actor=actor)
        assignment = _assignment_of(act.task)
        before = act.case.status
        act.transition()
        kernel.save(act.case, "status")
        assignment.status = AssignmentStatus.ACCEPTED
        assignment.accepted_at = timezone.now()
        assignment.save(update_fields=["status", "accepted_at"])
        act.complete()
        act.record(before, opd=selectors.unit_of(actor).code)
        act.audit.write()
    return act.case


@implements(d.DECLINE)
def decline_assignment(
    *, case: Case, actor: User, reason: str, suggested_opd: str | None = None
) -> Case:
    """Not this OPD's authority (bukan wewenang). With no OPD left the case returns to triage."""
    reason = kernel.text(reason, "reason")
    suggestion = None
    if suggested_opd:
        suggestion = refdata.opd(suggested_opd)
        if suggestion is None:
            raise InvalidInput(
                {"suggested_opd": [_("Unknown OPD.")]}, fields={"suggested_opd": "invalid"}
            )
    with transaction.atomic():
        act = kernel.begin(d.DECLINE, case=case, actor=actor)
        case = act.case
        assignment = _assignment_of(act.task)
        round_ = opd_round(kernel.others(case, assignment.pk))
        before = case.status
        act.transition(round=round_)
        kernel.save(case, "status")
        assignment.status = AssignmentStatus.DECLINED
        assignment.declined_at = timezone.now()
        assignment.decline_reason = reason
        assignment.suggested_opd = suggestion
        assignment.save(update_fields=["status", "declined_at", "decline_reason", "suggested_opd"])
        act.complete(round=round_)
        act.record(
            before,
            opd=selectors.unit_of(actor).code,
            reason=reason,
            suggested_opd=suggestion.code if suggestion else None,
        )
        act.audit.write()
    return case


@implements(d.RESPOND)
def respond_assignment(
    *, case: Case, actor: User, response: str, attachments: Sequence[Any] = ()
) -> Case:
    """The OPD's follow-up, with photos or documents of it if any."""
    response = kernel.text(response, "response")
    files = kernel.check_files(attachments)
    with kernel.staged_files(files, actor=actor) as stored, transaction.atomic():
        act = kernel.begin(d.RESPOND, case=case, actor=actor)
        case = act.case
        assignment = _assignment_of(act.task)
        round_ = after_response(kernel.others(case, assignment.pk))
        before = case.status
        act.transition(round=round_)
        kernel.save(case, "status")
        assignment.status = AssignmentStatus.RESPONDED
        assignment.responded_at = timezone.now()
        assignment.response = response
        assignment.save(update_fields=["status", "responded_at", "response"])
        act.complete(round=round_)
        event = act.record(before, opd=selectors.unit_of(actor).code, response=response)
        act.audit.journal.attach(event, stored)
        act.audit.write()
    return case

"""Queue work: claiming a task, giving it back, and a manager giving it to someone else."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from .. import ports
from ..actions import declarations as d
from ..actions import implements
from ..errors import Conflict, InvalidInput
from ..lifecycle import CaseStatus, Stage
from ..models import Case, User
from . import kernel


@implements(d.CLAIM)
def claim_task(*, case: Case, actor: User) -> Case:
    """Take the unowned open task of one's unit (the claim is the decision's own)."""
    with transaction.atomic():
        act = kernel.begin(d.CLAIM, case=case, actor=actor)
        act.audit.write()
    return act.case


@implements(d.RELEASE)
def release_task(*, case: Case, actor: User) -> Case:
    with transaction.atomic():
        act = kernel.begin(d.RELEASE, case=case, actor=actor)
        case, task = act.case, act.task
        assert task is not None
        before = case.status
        ports.engine().release(task)
        if task.stage == Stage.TRIAGE and case.status == CaseStatus.IN_TRIAGE:
            kernel.transition(case, "return_to_queue")
            kernel.save(case, "status")
        act.record(before, task=task.pk, stage=task.stage)
        act.audit.write()
    return case


@implements(d.REASSIGN)
def reassign_task(*, case: Case, actor: User, to: str, task_id: int | None = None) -> Case:
    """Coordinators, OPD heads and supervisors give an open task to an officer of its unit."""
    from ..actions.policy import reassignable

    with transaction.atomic():
        act = kernel.begin(d.REASSIGN, case=case, actor=actor)
        case = act.case
        tasks = reassignable(actor, act.tasks)
        if task_id is not None:
            tasks = [t for t in tasks if t.pk == task_id]
            if not tasks:
                raise Conflict(_("There is no open task to reassign."), code="invalid_transition")
        if len(tasks) > 1:
            raise InvalidInput(
                {"task": [_("Several tasks are open; name the task to reassign.")]},
                fields={"task": "required"},
            )
        task = tasks[0]
        target = User.objects.filter(username=to, is_active=True).first()
        if target is None or target.unit_id != task.unit_id:
            raise InvalidInput(
                {"to": [_("Name an active officer of the unit holding the task.")]},
                fields={"to": "invalid"},
            )
        before = case.status
        previous_owner = task.owner_id
        ports.engine().reassign(task, target)
        if task.stage == Stage.TRIAGE and case.status == CaseStatus.FORWARDED:
            kernel.transition(case, "take_into_triage")
            kernel.save(case, "status")
        act.record(
            before,
            task=task.pk,
            stage=task.stage,
            to=target.username,
            previous_owner=previous_owner,
        )
        act.audit.write()
    return case

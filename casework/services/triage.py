"""The village's and the forum's decisions on a case: ask for information, dispatch to OPD,
answer at forum level, merge into another case, reject."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import ports, refdata, selectors
from ..actions import declarations as d
from ..actions import implements
from ..errors import InvalidInput
from ..lifecycle import OPEN_STATUSES, CaseStatus
from ..models import Assignment, Case, Priority, Unit, User
from . import kernel


@implements(d.REQUEST_INFO)
def request_info(*, case: Case, actor: User, question: str) -> Case:
    """The village (verification) or the forum (triage) asks the reporter; the stage's clock
    stops until the answer comes."""
    question = kernel.text(question, "question")
    with transaction.atomic():
        act = kernel.begin(d.REQUEST_INFO, case=case, actor=actor)
        case, task = act.case, act.task
        assert task is not None
        before = case.status
        kernel.transition(case, "ask_for_info", question)
        kernel.save(case, "status", "info_return_status", "info_question", "paused_at")
        ports.clock().pause(task)
        act.record(before, question=question, stage=task.stage)
        act.audit.write()
    return case


def _opds(opds: Sequence[str]) -> tuple[list[str], list[Unit]]:
    codes = list(dict.fromkeys(code.strip() for code in (opds or []) if code and code.strip()))
    if not codes:
        raise InvalidInput({"opds": [_("Name at least one OPD.")]}, fields={"opds": "required"})
    units: list[Unit] = []
    for code in codes:
        unit = refdata.opd(code)
        if unit is None:
            raise InvalidInput(
                {"opds": [_("Unknown OPD “%(code)s”.") % {"code": code}]},
                fields={"opds": "invalid"},
            )
        units.append(unit)
    return codes, units


@implements(d.DISPATCH)
def dispatch_case(
    *,
    case: Case,
    actor: User,
    opds: Sequence[str],
    category: str | None = None,
    priority: str | None = None,
    note: str = "",
) -> Case:
    codes, units = _opds(opds)
    category_obj = None
    if category:
        category_obj = refdata.category(category)
        if category_obj is None:
            raise InvalidInput(
                {"category": [_("Unknown category.")]}, fields={"category": "invalid"}
            )
    if priority:
        priority = kernel.choice(priority, Priority, "priority")
    note = kernel.text(note, "note", required=False)
    with transaction.atomic():
        act = kernel.begin(d.DISPATCH, case=case, actor=actor)
        case = act.case
        before = case.status
        act.transition()
        fields = ["status"]
        if category_obj is not None and category_obj.pk != case.category_id:
            case.category = category_obj
            fields.append("category")
        if priority and priority != case.priority:
            case.priority = priority
            fields.append("priority")
        kernel.save(case, *fields)
        now = timezone.now()
        Assignment.objects.bulk_create(
            [Assignment(case=case, opd=unit, note=note, dispatched_at=now) for unit in units]
        )
        act.complete()
        act.record(
            before, opds=codes, category=case.category.code, priority=case.priority, note=note
        )
        act.audit.write()
    return case


@implements(d.RESOLVE)
def resolve_case(*, case: Case, actor: User, response: str) -> Case:
    """Answered at forum level (typically an information request)."""
    response = kernel.text(response, "response")
    with transaction.atomic():
        act = kernel.begin(d.RESOLVE, case=case, actor=actor)
        before = act.case.status
        act.transition(response)
        kernel.save(act.case, "status", "response")
        act.complete()
        act.record(before, response=response)
        act.audit.write()
    return act.case


@implements(d.MERGE)
def merge_case(*, case: Case, actor: User, into: str) -> Case:
    """A duplicate joins another open case of the same kecamatan, which gains a supporter."""
    into = kernel.text(into, "into", max_length=20).upper()
    with transaction.atomic():
        kernel.check(d.MERGE, case=case, actor=actor)
        # only cases the officer may see can be named: no probing of other kecamatan
        target_pk = (
            selectors.cases_for(actor).filter(number=into).values_list("pk", flat=True).first()
        )
        if target_pk is None:
            raise InvalidInput({"into": [_("No such case.")]}, fields={"into": "invalid"})
        if target_pk == case.pk:
            raise InvalidInput(
                {"into": [_("A case cannot be merged into itself.")]}, fields={"into": "invalid"}
            )
        # lock both rows in id order so that two opposite merges cannot deadlock
        locked = {
            c.pk: c
            for c in Case.objects.select_for_update(no_key=True)
            .filter(pk__in=[case.pk, target_pk])
            .order_by("pk")
        }
        target = locked[target_pk]
        act = kernel.begin(d.MERGE, case=locked[case.pk], actor=actor, locked=True)
        case = act.case
        if target.kecamatan_id != case.kecamatan_id or target.status not in OPEN_STATUSES:
            raise InvalidInput(
                {"into": [_("Merge only into an open case of the same kecamatan.")]},
                fields={"into": "invalid"},
            )
        before = case.status
        act.transition(target)
        kernel.save(case, "status", "merged_into", "closed_at")
        target.supporters += 1
        target.updated_at = timezone.now()
        target.save(update_fields=["supporters", "updated_at"])
        act.complete()
        act.record(before, into=target.number)
        act.audit.add(
            "merge",
            target.status,
            target.status,
            case=target,
            merged_from=case.number,
            supporters=target.supporters,
        )
        act.audit.write()
    return case


@implements(d.REJECT)
def reject_case(*, case: Case, actor: User, reason: str) -> Case:
    reason = kernel.text(reason, "reason")
    with transaction.atomic():
        act = kernel.begin(d.REJECT, case=case, actor=actor)
        case = act.case
        before = case.status
        if case.status == CaseStatus.NEEDS_INFO:
            # giving up on missing information: back to the stage, then rejected
            kernel.transition(case, "receive_info")
        act.transition(reason)
        kernel.save(
            case,
            "status",
            "rejection_reason",
            "closed_at",
            "info_return_status",
            "paused_at",
            "target_at",
        )
        act.complete()
        act.record(before, reason=reason)
        act.audit.write()
    return case

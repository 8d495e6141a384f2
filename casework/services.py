"""One service per lifecycle action (DESIGN.md §3).

Each service owns its transaction: it locks the case row, checks who may act and whether the
transition is legal, changes the case through its state machine, drives the process engine,
writes the audit events, and schedules side effects for after the commit. A refusal raises
a :class:`~casework.errors.DomainError` and changes nothing.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from . import batch, engine, lifecycle, refdata, selectors
from .batch import RowBatch
from .errors import Conflict, InvalidInput, NotFound, PermissionDenied
from .models import (
    MANAGER_ROLES,
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    Case,
    CaseEvent,
    CaseStatus,
    CaseTask,
    Channel,
    Confidentiality,
    Escalation,
    Notification,
    NotifyChannel,
    Priority,
    Role,
    Stage,
    Unit,
    UnitKind,
    User,
)
from .notifications import outbox
from .notifications.rendering import mask_phone
from .numbers import next_case_number, next_case_number_with

log = logging.getLogger(__name__)

TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, 5 bits a symbol
TRACKING_LENGTH = 12  # 60 bits
FORUM_ROLES = selectors.FORUM_ROLES
OPD_ROLES = selectors.OPD_ROLES
TRIAGE_ROLES = FORUM_ROLES
OPEN_TASK = ("NEW", "ASSIGNED", "STARTED")


# ----------------------------------------------------------------------------- plumbing


@dataclass
class _Audit:
    """Collects the events of one action and writes them in one INSERT."""

    case: Case
    actor: User | None
    events: list[CaseEvent] = field(default_factory=list)

    def add(
        self,
        action: str,
        from_status: str,
        to_status: str,
        case: Case | None = None,
        **payload: Any,
    ) -> None:
        self.events.append(
            CaseEvent(
                case=case or self.case,
                actor=self.actor,
                action=action,
                from_status=from_status,
                to_status=to_status,
                payload=payload,
            )
        )

    def flush(self, rows: RowBatch | None = None) -> None:
        """Write the events and their messages, or add them to ``rows``."""
        if rows is not None:
            rows.add(*self.events)
        elif len(self.events) == 1:
            self.events[0].save(force_insert=True)
        elif self.events:
            CaseEvent.objects.bulk_create(self.events)
        # the reporter's messages and the officers' about new work in their queues: one
        # INSERT in this transaction, handed to the workers after the commit
        messages = [m for m in map(_reporter_message, self.events) if m is not None]
        work = [w for w in map(_new_work, self.events) if w is not None]
        outbox.write(messages, work, rows=rows)


# steps of a case the reporter hears about (and ``respond``/``decline`` when they leave the
# case answered)
PUBLIC_ACTIONS = frozenset(
    {"submit", "verify", "dispatch", "request_info", "resolve", "reject", "merge", "close"}
)
PUBLIC_PAYLOAD = ("question", "response", "reason", "into")
# an aspiration sent by SMS or WhatsApp is acknowledged in the reply to the message itself
REPLIED_CHANNELS = frozenset({Channel.SMS, Channel.WHATSAPP})


def _reporter_message(event: CaseEvent) -> Notification | None:
    case = event.case
    answered = event.action in ("respond", "decline") and event.to_status == CaseStatus.RESPONDED
    public = event.action in PUBLIC_ACTIONS or answered
    channel = case.notify_channel
    recipient = case.reporter_email if channel == NotifyChannel.EMAIL else case.reporter_phone
    if not public or not channel or not recipient:
        return None
    if event.action == "merge" and "into" not in event.payload:
        return None  # the target of a merge: its reporter hears nothing new
    if event.action == "submit" and case.channel in REPLIED_CHANNELS and channel == case.channel:
        return None  # the reply to the reporter's message carried the tracking code
    context = {
        "action": event.action,
        "number": case.number,
        "title": case.title,
        "status": event.to_status,
        "tracking_code": format_tracking_code(case.tracking_code),
    }
    if event.action == "respond":
        context["response"] = case.response or event.payload.get("response", "")
    elif event.action != "decline":  # a decline's reason is internal
        context.update({k: event.payload[k] for k in PUBLIC_PAYLOAD if event.payload.get(k)})
    if channel != NotifyChannel.EMAIL:
        # the number stays encrypted on the case; the worker reads it from there
        recipient = mask_phone(recipient)
    return Notification(
        case=case,
        channel=channel,
        recipient=recipient,
        template="case_update",
        context=context,
    )


# who is told about work landing in their queue, per stage of the new task
STAGE_ROLES = {
    Stage.VERIFICATION: (Role.KIM_OPERATOR,),
    Stage.TRIAGE: tuple(sorted(FORUM_ROLES)),
    Stage.OPD_ACCEPTANCE: tuple(sorted(OPD_ROLES)),
    Stage.OPD_RESPONSE: tuple(sorted(OPD_ROLES)),
}


def _new_work(event: CaseEvent) -> outbox.NewWork | None:
    """Officers' messages about an action that put work in a queue: a new case (the KIM's
    verification queue, or the forum's triage queue when the KIM is inactive), a verified
    one (the forum), a dispatch (each OPD), the last OPD declining (back to the triage
    officer), a dispute (the OPD that answered). The recipients are read from the case's open
    tasks by the INSERT that writes the messages (:func:`notify.write`)."""
    case, action = event.case, event.action
    if action == "submit":
        stage = Stage.VERIFICATION if event.to_status == CaseStatus.RECEIVED else Stage.TRIAGE
    elif action == "verify":
        stage = Stage.TRIAGE
    elif action == "dispatch":
        stage = Stage.OPD_ACCEPTANCE
    elif action == "decline" and event.to_status == CaseStatus.IN_TRIAGE:
        stage = Stage.TRIAGE
    elif action == "dispute":
        stage = Stage.OPD_RESPONSE
    else:
        return None
    context: dict[str, Any] = {
        "kind": "new_work",
        "action": action,
        "number": case.number,
        "title": case.title,
        "stage": stage,
        "priority": case.priority,
    }
    if action in ("decline", "dispute") and event.payload.get("reason"):
        context["reason"] = event.payload["reason"]
    return outbox.NewWork(
        case=case,
        stages=(stage,),
        roles=STAGE_ROLES[stage],
        context=context,
        exclude_user_id=event.actor_id,
    )


def _lock(case: Case) -> Case:
    """Re-read the case with its row locked for the rest of the transaction."""
    try:
        # NO KEY UPDATE: rows that merely reference the case (events written by the sweep)
        # are not blocked by an action in progress
        return Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    except Case.DoesNotExist:
        raise NotFound(_("No such case.")) from None


def _save(case: Case, *fields: str) -> None:
    case.updated_at = timezone.now()
    try:
        case.save(update_fields=[*fields, "updated_at"])
    except ConcurrentTransition:
        raise Conflict(_("The case was changed by someone else; reload and try again.")) from None


def _transition(case: Case, method: str, *args: Any, **kwargs: Any) -> None:
    try:
        getattr(case, method)(*args, **kwargs)
    except TransitionNotAllowed:
        raise Conflict(
            _("This action is not allowed while the case is %(status)s.")
            % {"status": case.get_status_display()},
            code="invalid_transition",
        ) from None


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _require_role(actor: User, roles: Iterable[str]) -> None:
    _require(
        selectors.is_officer(actor) and actor.role in roles,
        _("Your role may not take this action."),
    )


def _require_scope(actor: User, case: Case) -> None:
    if not selectors.in_scope(actor, case):
        raise NotFound(_("No such case."))


def _text(value: str | None, name: str, *, required: bool = True, max_length: int = 5000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput({name: [_("This field is required.")]}, fields={name: "required"})
    if len(value) > max_length:
        raise InvalidInput({name: [_("Too long.")]}, fields={name: "max_length"})
    return value


def _open_tasks(case: Case, stages: Sequence[str], unit_id: int | None = None) -> list[CaseTask]:
    qs = CaseTask.objects.select_related("process").filter(
        case_id=case.pk, status__in=OPEN_TASK, stage__in=stages
    )
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    tasks = list(qs.order_by("created"))
    for task in tasks:
        task.process.case = case  # the engine's callbacks read the locked instance
    return tasks


def _one_task(case: Case, stages: Sequence[str], unit_id: int | None = None) -> CaseTask:
    tasks = _open_tasks(case, stages, unit_id)
    if not tasks:
        raise Conflict(
            _("This action is not allowed while the case is %(status)s.")
            % {"status": case.get_status_display()},
            code="invalid_transition",
        )
    return tasks[0]


def _take(task: CaseTask, actor: User, case: Case, audit: _Audit) -> None:
    """An officer acting on an unclaimed task of their unit claims it on the way."""
    if task.owner_id == actor.pk:
        return
    if task.owner_id is not None:
        raise Conflict(_("Another officer holds this task."), code="task_taken")
    _require(task.unit_id == actor.unit_id, _("This task belongs to another unit's queue."))
    before = case.status
    engine.get().claim(task, actor)
    if task.stage == Stage.TRIAGE and case.status == CaseStatus.FORWARDED:
        _transition(case, "take_into_triage")
        _save(case, "status")
    audit.add("claim", before, case.status, task=task.pk, stage=task.stage)


def _village_or_triage_task(case: Case, actor: User, audit: _Audit) -> CaseTask:
    """The task a KIM operator (verification) or a forum officer (triage) acts on."""
    _require_scope(actor, case)
    stage = Stage.VERIFICATION if actor.role == Role.KIM_OPERATOR else Stage.TRIAGE
    task = _actor_task(case, actor, [stage])
    _take(task, actor, case, audit)
    return task


def _actor_task(case: Case, actor: User, stages: Sequence[str]) -> CaseTask:
    """The open task of these stages in the actor's unit (claimed on the way)."""
    return _one_task(case, stages, unit_id=actor.unit_id)


# ----------------------------------------------------------------------------- intake


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(TRACKING_LENGTH))


def format_tracking_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _choice(value: str | None, choices: type, name: str, default: str | None = None) -> str:
    if value in (None, "") and default is not None:
        return default
    if value not in choices.values:
        raise InvalidInput(
            {name: [_("“%(value)s” is not a valid choice.") % {"value": value}]},
            fields={name: "invalid_choice"},
        )
    return value


def submit_case(
    *,
    actor: User | None,
    title: str,
    description: str,
    category: str,
    desa: str,
    channel: str,
    priority: str | None = None,
    confidentiality: str | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    reporter_nik: str = "",
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    contact_consent: bool = False,
    notify_channel: str | None = None,
) -> Case:
    """Record an aspiration and start its process: ``received`` (or ``forwarded`` when the
    desa's KIM is inactive). ``actor`` is None for a citizen."""
    errors: dict[str, list[str]] = {}
    category_obj = refdata.category(category or "")
    if category_obj is None:
        errors["category"] = [_("Unknown category.")]
    desa_obj = refdata.village(desa or "")
    if desa_obj is None:
        errors["desa"] = [_("Unknown desa/kelurahan code.")]
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        errors["title"] = [_("This field is required.")]
    if not description:
        errors["description"] = [_("This field is required.")]
    if reporter_nik and (not reporter_nik.isdigit() or len(reporter_nik) != 16):
        errors["reporter_nik"] = [_("A NIK has 16 digits.")]
    if errors:
        raise InvalidInput(errors, fields={k: "invalid" for k in errors})
    if notify_channel is None:
        # updates go where the reporter can be reached: e-mail, or SMS if they agreed
        notify_channel = (
            NotifyChannel.EMAIL
            if reporter_email
            else NotifyChannel.SMS
            if reporter_phone and contact_consent
            else ""
        )
    elif notify_channel:
        notify_channel = _choice(notify_channel, NotifyChannel, "notify_channel")
        contact = reporter_email if notify_channel == NotifyChannel.EMAIL else reporter_phone
        if not contact:
            errors["notify_channel"] = [_("Give the contact detail for this channel.")]
    if errors:
        raise InvalidInput(errors, fields={k: "invalid" for k in errors})
    priority = _choice(priority, Priority, "priority", Priority.SEDANG)
    channel = _choice(channel, Channel, "channel")
    confidentiality = _choice(confidentiality, Confidentiality, "confidentiality", "biasa")
    if actor is not None and actor.is_authenticated and actor.role == Role.KIM_OPERATOR:
        _require(
            selectors.unit_of(actor).region_id == desa_obj.code,
            _("A KIM operator records aspirations of their own desa."),
        )

    now = timezone.now()
    process_engine = engine.get()
    # on PostgreSQL the intake is two round trips: the case number with the rows' keys, then
    # every row in one pipeline (casework/batch.py); elsewhere the ORM saves row by row
    rows = RowBatch() if batch.available() else None
    with transaction.atomic():
        if rows is not None:
            reserve = {Case: 1, **process_engine.start_rows()}
            number, ids = next_case_number_with(
                timezone.localtime(now),
                [batch.nextval_sql(model, count) for model, count in reserve.items()],
            )
            for model, model_ids in zip(reserve, ids, strict=True):
                rows.give_ids(model, model_ids)
        else:
            number = next_case_number(timezone.localtime(now))
        case = Case(
            number=number,
            tracking_code=new_tracking_code(),
            title=title[:200],
            description=description,
            category=category_obj,
            priority=priority,
            desa=desa_obj,
            kecamatan_id=desa_obj.parent_id,
            address=(address or "").strip()[:255],
            latitude=latitude,
            longitude=longitude,
            channel=channel,
            reporter_name=(reporter_name or "").strip()[:150],
            reporter_phone=(reporter_phone or "").strip()[:20],
            reporter_email=(reporter_email or "").strip(),
            reporter_nik=reporter_nik or "",
            confidentiality=confidentiality,
            contact_consent=bool(contact_consent),
            notify_channel=notify_channel,
            created_by=actor if actor is not None and actor.is_authenticated else None,
            created_at=now,
            updated_at=now,
        )
        kim = refdata.kim_of(desa_obj.code)
        skipped = kim is None or not kim.active
        if skipped:
            case.forward()
        case.target_at = process_engine.target(case)
        if rows is not None:
            rows.take_id(case)
            rows.add(case)
        else:
            case.save(force_insert=True)
        process_engine.start(case, rows)
        audit = _Audit(case, actor if actor is not None and actor.is_authenticated else None)
        audit.add("submit", "", case.status, channel=channel, verification_skipped=skipped)
        audit.flush(rows)
        if rows is not None:
            rows.write()
    return case


# ----------------------------------------------------------------------------- village


def verify_case(*, case: Case, actor: User) -> Case:
    _require_role(actor, {Role.KIM_OPERATOR})
    with transaction.atomic():
        case = _lock(case)
        _require_scope(actor, case)
        audit = _Audit(case, actor)
        task = _actor_task(case, actor, [Stage.VERIFICATION])
        _take(task, actor, case, audit)
        before = case.status
        _transition(case, "forward")
        _save(case, "status")
        engine.get().complete(task, "verified")
        audit.add("verify", before, case.status)
        audit.flush()
    return case


# ----------------------------------------------------------------------------- queue work


def claim_task(*, case: Case, actor: User) -> Case:
    _require(selectors.is_officer(actor), _("Only officers work queues."))
    with transaction.atomic():
        case = _lock(case)
        _require_scope(actor, case)
        unit_tasks = _open_tasks(case, list(Stage.values), actor.unit_id)
        tasks = [t for t in unit_tasks if t.owner_id is None]
        if not tasks:
            if any(t.owner_id == actor.pk for t in unit_tasks):
                raise Conflict(_("You already hold this task."), code="already_claimed")
            if unit_tasks:
                raise Conflict(_("Another officer holds this task."), code="task_taken")
            raise Conflict(_("There is no task of your unit to claim."), code="invalid_transition")
        audit = _Audit(case, actor)
        _take(tasks[0], actor, case, audit)
        audit.flush()
    return case


def release_task(*, case: Case, actor: User) -> Case:
    _require(selectors.is_officer(actor), _("Only officers work queues."))
    with transaction.atomic():
        case = _lock(case)
        _require_scope(actor, case)
        mine = [t for t in _open_tasks(case, list(Stage.values)) if t.owner_id == actor.pk]
        if not mine:
            raise Conflict(_("You hold no task of this case."), code="invalid_transition")
        task = mine[0]
        if case.status == CaseStatus.NEEDS_INFO:
            raise Conflict(
                _("The case is waiting for information; ask a coordinator to reassign it."),
                code="invalid_transition",
            )
        before = case.status
        engine.get().release(task)
        if task.stage == Stage.TRIAGE and case.status == CaseStatus.IN_TRIAGE:
            _transition(case, "return_to_queue")
            _save(case, "status")
        audit = _Audit(case, actor)
        audit.add("release", before, case.status, task=task.pk, stage=task.stage)
        audit.flush()
    return case


def reassign_task(*, case: Case, actor: User, to: str, task_id: int | None = None) -> Case:
    """Coordinators, OPD heads and supervisors give an open task to an officer of its unit."""
    _require_role(actor, MANAGER_ROLES)
    with transaction.atomic():
        case = _lock(case)
        _require_scope(actor, case)
        unit_filter = None if actor.role == Role.SUPERVISOR else actor.unit_id
        tasks = [t for t in _open_tasks(case, list(Stage.values), unit_filter) if t.unit_id]
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
        target = User.objects.filter(username=to, is_active=True).select_related("unit").first()
        if target is None or target.unit_id != task.unit_id:
            raise InvalidInput(
                {"to": [_("Name an active officer of the unit holding the task.")]},
                fields={"to": "invalid"},
            )
        before = case.status
        previous_owner = task.owner_id
        engine.get().reassign(task, target)
        if task.stage == Stage.TRIAGE and case.status == CaseStatus.FORWARDED:
            _transition(case, "take_into_triage")
            _save(case, "status")
        audit = _Audit(case, actor)
        audit.add(
            "reassign",
            before,
            case.status,
            task=task.pk,
            stage=task.stage,
            to=target.username,
            previous_owner=previous_owner,
        )
        audit.flush()
    return case


# ----------------------------------------------------------------------------- information


def request_info(*, case: Case, actor: User, question: str) -> Case:
    question = _text(question, "question")
    _require_role(actor, TRIAGE_ROLES | {Role.KIM_OPERATOR})
    with transaction.atomic():
        case = _lock(case)
        audit = _Audit(case, actor)
        task = _village_or_triage_task(case, actor, audit)
        before = case.status
        _transition(case, "ask_for_info", question)
        _save(case, "status", "info_return_status", "info_question", "paused_at")
        engine.get().pause(task)
        audit.add("request_info", before, case.status, question=question, stage=task.stage)
        audit.flush()
    return case


def provide_info(*, case: Case, text: str, actor: User | None = None) -> Case:
    """The citizen (by tracking code, ``actor`` None) or the desa's KIM operator answers."""
    text = _text(text, "text")
    with transaction.atomic():
        case = _lock(case)
        if actor is not None:
            _require_role(actor, {Role.KIM_OPERATOR})
            _require_scope(actor, case)
        before = case.status
        _transition(case, "receive_info")
        case.info_question = ""
        _save(case, "status", "info_return_status", "info_question", "paused_at", "target_at")
        stage = Stage.VERIFICATION if case.status == CaseStatus.RECEIVED else Stage.TRIAGE
        for task in _open_tasks(case, [stage]):
            engine.get().resume(task)
        audit = _Audit(case, actor)
        audit.add("provide_info", before, case.status, text=text)
        audit.flush()
    return case


# ----------------------------------------------------------------------------- triage


def _triage_task(case: Case, actor: User, audit: _Audit) -> CaseTask:
    _require_role(actor, TRIAGE_ROLES)
    _require_scope(actor, case)
    task = _actor_task(case, actor, [Stage.TRIAGE])
    _take(task, actor, case, audit)
    return task


def dispatch_case(
    *,
    case: Case,
    actor: User,
    opds: Sequence[str],
    category: str | None = None,
    priority: str | None = None,
    note: str = "",
) -> Case:
    _require_role(actor, TRIAGE_ROLES)
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
    category_obj = None
    if category:
        category_obj = refdata.category(category)
        if category_obj is None:
            raise InvalidInput(
                {"category": [_("Unknown category.")]}, fields={"category": "invalid"}
            )
    if priority:
        priority = _choice(priority, Priority, "priority")
    note = _text(note, "note", required=False)
    with transaction.atomic():
        case = _lock(case)
        audit = _Audit(case, actor)
        task = _triage_task(case, actor, audit)
        before = case.status
        _transition(case, "dispatch")
        fields = ["status"]
        if category_obj is not None and category_obj.pk != case.category_id:
            case.category = category_obj
            fields.append("category")
        if priority and priority != case.priority:
            case.priority = priority
            fields.append("priority")
        _save(case, *fields)
        now = timezone.now()
        Assignment.objects.bulk_create(
            [Assignment(case=case, opd=unit, note=note, dispatched_at=now) for unit in units]
        )
        engine.get().complete(task, "dispatched")
        audit.add(
            "dispatch",
            before,
            case.status,
            opds=codes,
            category=case.category.code,
            priority=case.priority,
            note=note,
        )
        audit.flush()
    return case


def resolve_case(*, case: Case, actor: User, response: str) -> Case:
    """Answered at forum level (typically an information request)."""
    response = _text(response, "response")
    with transaction.atomic():
        case = _lock(case)
        audit = _Audit(case, actor)
        task = _triage_task(case, actor, audit)
        before = case.status
        _transition(case, "resolve", response)
        _save(case, "status", "response")
        engine.get().complete(task, "resolved")
        audit.add("resolve", before, case.status, response=response)
        audit.flush()
    return case


def merge_case(*, case: Case, actor: User, into: str) -> Case:
    """A duplicate joins another open case of the same kecamatan, which gains a supporter."""
    _require_role(actor, TRIAGE_ROLES)
    _require_scope(actor, case)
    into = _text(into, "into", max_length=20)
    with transaction.atomic():
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
        case, target = locked[case.pk], locked[target_pk]
        if target.kecamatan_id != case.kecamatan_id or target.status not in OPEN_STATUSES:
            raise InvalidInput(
                {"into": [_("Merge only into an open case of the same kecamatan.")]},
                fields={"into": "invalid"},
            )
        audit = _Audit(case, actor)
        task = _triage_task(case, actor, audit)
        before = case.status
        _transition(case, "merge", target)
        _save(case, "status", "merged_into", "closed_at")
        target.supporters += 1
        target.updated_at = timezone.now()
        target.save(update_fields=["supporters", "updated_at"])
        engine.get().complete(task, "merged")
        audit.add("merge", before, case.status, into=target.number)
        audit.add(
            "merge",
            target.status,
            target.status,
            case=target,
            merged_from=case.number,
            supporters=target.supporters,
        )
        audit.flush()
    return case


def reject_case(*, case: Case, actor: User, reason: str) -> Case:
    reason = _text(reason, "reason")
    _require_role(actor, TRIAGE_ROLES | {Role.KIM_OPERATOR})
    with transaction.atomic():
        case = _lock(case)
        audit = _Audit(case, actor)
        task = _village_or_triage_task(case, actor, audit)
        before = case.status
        if case.status == CaseStatus.NEEDS_INFO:
            # giving up on missing information: back to the stage, then rejected
            _transition(case, "receive_info")
        _transition(case, "reject", reason)
        _save(
            case,
            "status",
            "rejection_reason",
            "closed_at",
            "info_return_status",
            "paused_at",
            "target_at",
        )
        engine.get().complete(task, "rejected")
        audit.add("reject", before, case.status, reason=reason)
        audit.flush()
    return case


# ----------------------------------------------------------------------------- OPD


def _assignment_of(task: CaseTask) -> Assignment:
    return Assignment.objects.select_for_update().get(pk=task.data["assignment"])


def accept_assignment(*, case: Case, actor: User) -> Case:
    _require_role(actor, OPD_ROLES)
    with transaction.atomic():
        case = _lock(case)
        _require_scope(actor, case)
        task = _actor_task(case, actor, [Stage.OPD_ACCEPTANCE])
        audit = _Audit(case, actor)
        _take(task, actor, case, audit)
        assignment = _assignment_of(task)
        before = case.status
        _transition(case, "accept")
        _save(case, "status")
        assignment.status = AssignmentStatus.ACCEPTED
        assignment.accepted_at = timezone.now()
        assignment.save(update_fields=["status", "accepted_at"])
        engine.get().complete(task, "accepted")
        audit.add("accept", before, case.status, opd=selectors.unit_of(actor).code)
        audit.flush()
    return case


def _others(case: Case, excluding: int) -> list[str]:
    """The statuses of the case's other OPD assignments."""
    return list(case.assignments.exclude(pk=excluding).values_list("status", flat=True))


def decline_assignment(
    *, case: Case, actor: User, reason: str, suggested_opd: str | None = None
) -> Case:
    """Not this OPD's authority (bukan wewenang). With no OPD left the case returns to triage."""
    _require_role(actor, OPD_ROLES)
    reason = _text(reason, "reason")
    suggestion = None
    if suggested_opd:
        suggestion = refdata.opd(suggested_opd)
        if suggestion is None:
            raise InvalidInput(
                {"suggested_opd": [_("Unknown OPD.")]}, fields={"suggested_opd": "invalid"}
            )
    _require_role(actor, OPD_ROLES)
    with transaction.atomic():
        case = _lock(case)
        _require_scope(actor, case)
        task = _actor_task(case, actor, [Stage.OPD_ACCEPTANCE, Stage.OPD_RESPONSE])
        audit = _Audit(case, actor)
        _take(task, actor, case, audit)
        assignment = _assignment_of(task)
        round_ = lifecycle.opd_round(_others(case, assignment.pk))
        before = case.status
        _transition(case, "decline", round=round_)
        _save(case, "status")
        assignment.status = AssignmentStatus.DECLINED
        assignment.declined_at = timezone.now()
        assignment.decline_reason = reason
        assignment.suggested_opd = suggestion
        assignment.save(update_fields=["status", "declined_at", "decline_reason", "suggested_opd"])
        engine.get().complete(task, "declined")
        audit.add(
            "decline",
            before,
            case.status,
            opd=selectors.unit_of(actor).code,
            reason=reason,
            suggested_opd=suggestion.code if suggestion else None,
        )
        audit.flush()
    return case


def respond_assignment(*, case: Case, actor: User, response: str) -> Case:
    response = _text(response, "response")
    _require_role(actor, OPD_ROLES)
    with transaction.atomic():
        case = _lock(case)
        _require_scope(actor, case)
        task = _actor_task(case, actor, [Stage.OPD_RESPONSE])
        audit = _Audit(case, actor)
        _take(task, actor, case, audit)
        assignment = _assignment_of(task)
        round_ = lifecycle.after_response(_others(case, assignment.pk))
        before = case.status
        _transition(case, "respond", round=round_)
        _save(case, "status")
        assignment.status = AssignmentStatus.RESPONDED
        assignment.responded_at = timezone.now()
        assignment.response = response
        assignment.save(update_fields=["status", "responded_at", "response"])
        engine.get().complete(task, "responded")
        audit.add(
            "respond", before, case.status, opd=selectors.unit_of(actor).code, response=response
        )
        audit.flush()
    return case


# ----------------------------------------------------------------------------- citizen


def confirm_case(*, case: Case, rating: int, comment: str = "") -> Case:
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise InvalidInput(
            {"rating": [_("Give a rating from 1 to 5.")]}, fields={"rating": "invalid"}
        )
    comment = _text(comment, "comment", required=False)
    with transaction.atomic():
        case = _lock(case)
        before = case.status
        _transition(case, "confirm", rating, comment)
        _save(case, "status", "rating", "rating_comment", "closed_at")
        engine.get().complete(_one_task(case, [Stage.CONFIRMATION]), "confirmed")
        audit = _Audit(case, None)
        audit.add("confirm", before, case.status, rating=rating, comment=comment)
        audit.flush()
    return case


def dispute_case(*, case: Case, reason: str) -> Case:
    """The citizen disputes the answer: reopened for the same OPD."""
    reason = _text(reason, "reason")
    with transaction.atomic():
        case = _lock(case)
        before = case.status
        _transition(case, "dispute")
        answered = case.assignments.filter(status=AssignmentStatus.RESPONDED)
        if not answered.exists():
            # answered at forum level: there is no OPD to reopen for
            raise Conflict(
                _("This answer came from the forum; ask the forum instead of disputing it."),
                code="invalid_transition",
            )
        answered.update(status=AssignmentStatus.ACCEPTED, responded_at=None)
        _save(case, "status")
        engine.get().complete(_one_task(case, [Stage.CONFIRMATION]), "disputed")
        audit = _Audit(case, None)
        audit.add("dispute", before, case.status, reason=reason)
        audit.flush()
    return case


def close_case(*, case: Case) -> Case:
    """The confirmation window ended without a reply (run by the system)."""
    with transaction.atomic():
        case = _lock(case)
        before = case.status
        _transition(case, "close")
        _save(case, "status", "closed_at")
        engine.get().complete(_one_task(case, [Stage.CONFIRMATION]), "closed")
        audit = _Audit(case, None)
        audit.add("close", before, case.status)
        audit.flush()
    return case


# ----------------------------------------------------------------------------- supervision


def acknowledge_escalation(*, escalation_id: int, actor: User, comment: str) -> Escalation:
    """A supervisor has seen an escalation and says what is being done about it."""
    _require_role(actor, {Role.SUPERVISOR})
    comment = _text(comment, "comment")
    with transaction.atomic():
        escalation = (
            selectors.escalations_for(actor)
            .select_for_update(of=("self",))
            .filter(pk=escalation_id)
            .first()
        )
        if escalation is None:
            raise NotFound(_("No such escalation."))
        if escalation.acknowledged_at is not None:
            raise Conflict(_("This escalation was already acknowledged."), code="acknowledged")
        escalation.acknowledged_at = timezone.now()
        escalation.acknowledged_by = actor
        escalation.comment = comment
        escalation.save(update_fields=["acknowledged_at", "acknowledged_by", "comment"])
        case = escalation.case
        audit = _Audit(case, actor)
        audit.add(
            "acknowledge",
            case.status,
            case.status,
            escalation=escalation.pk,
            stage=escalation.stage,
            level=escalation.level,
            comment=comment,
        )
        audit.flush()
    return escalation


OFFICER_ACTIONS = {
    "verify": verify_case,
    "claim": claim_task,
    "release": release_task,
    "reassign": reassign_task,
    "request_info": request_info,
    "provide_info": provide_info,
    "dispatch": dispatch_case,
    "resolve": resolve_case,
    "merge": merge_case,
    "reject": reject_case,
    "accept": accept_assignment,
    "decline": decline_assignment,
    "respond": respond_assignment,
}
CITIZEN_ACTIONS = {
    "provide_info": provide_info,
    "confirm": confirm_case,
    "dispute": dispute_case,
}

__all__ = ["UnitKind", *OFFICER_ACTIONS]

"""What every service shares: the action in progress (:class:`Act`), the lock, the decision of
the action's policy, the claim on the way, the outcome of the task, the audit events and the
messages they cause, and the files that come with an action.

A service owns its transaction. Inside it, :func:`begin` locks the case row (``FOR NO KEY
UPDATE``: rows that merely reference the case are not blocked), reads the case's open tasks,
and asks the action's policy (:mod:`casework.actions.policy`) whether the actor may take it:
the same decision that offered the action on the page or in ``allowed_actions``. A refusal
raises a :class:`~casework.errors.DomainError` and changes nothing. The service then changes
the case through its state machine, completes the task with the route of the action's
outcome (:data:`casework.lifecycle.OUTCOMES`), and :meth:`Act.record` writes the audit event;
:meth:`Audit.write` writes the events with the messages the declarations ask for, in the same
transaction, handed to the workers after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from .. import ports, selectors
from ..actions import Action, get
from ..actions.policy import STAGE_ROLES, Decision, state_refused
from ..attachments import MAX_FILES, PreparedUpload, prepare_uploads, thumbnails_of
from ..batch import RowBatch
from ..errors import Conflict, InvalidInput, NotFound, Unavailable
from ..journal import Journal
from ..lifecycle import OPEN_TASK_STATUSES, ROUND, CaseStatus, Outcome, Round, Stage, outcome
from ..models import (
    AssignmentStatus,
    Attachment,
    Case,
    CaseEvent,
    CaseTask,
    Notification,
    NotifyChannel,
    User,
)
from ..notifications.outbox import NewWork
from ..notifications.rendering import mask_phone

log = logging.getLogger(__name__)

TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, 5 bits a symbol
TRACKING_LENGTH = 12  # 60 bits


def format_tracking_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# ----------------------------------------------------------------------------- the case row


def lock(case: Case) -> Case:
    """Re-read the case with its row locked for the rest of the transaction."""
    try:
        # NO KEY UPDATE: rows that merely reference the case (events written by the sweep)
        # are not blocked by an action in progress
        return Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    except Case.DoesNotExist:
        raise NotFound(_("No such case.")) from None


def save(case: Case, *fields: str) -> None:
    case.updated_at = timezone.now()
    try:
        case.save(update_fields=[*fields, "updated_at"])
    except ConcurrentTransition:
        raise Conflict(_("The case was changed by someone else; reload and try again.")) from None


def transition(case: Case, method: str, *args: Any, **kwargs: Any) -> None:
    try:
        getattr(case, method)(*args, **kwargs)
    except TransitionNotAllowed:
        raise Conflict(
            _("This action is not allowed while the case is %(status)s.")
            % {"status": case.get_status_display()},
            code="invalid_transition",
        ) from None


def open_tasks(case: Case) -> list[CaseTask]:
    """The case's open tasks, oldest first, with their process (the engine acts on it)."""
    return list(
        CaseTask.objects.select_related("process")
        .filter(case_id=case.pk, status__in=OPEN_TASK_STATUSES)
        .order_by("created", "id")
    )


# ----------------------------------------------------------------------------- input


def text(value: str | None, name: str, *, required: bool = True, max_length: int = 5000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput({name: [_("This field is required.")]}, fields={name: "required"})
    if len(value) > max_length:
        raise InvalidInput({name: [_("Too long.")]}, fields={name: "max_length"})
    return value


def choice(
    value: str | None, choices: type[TextChoices], name: str, default: str | None = None
) -> str:
    if value in (None, "") and default is not None:
        return default
    if value not in choices.values:
        raise InvalidInput(
            {name: [_("“%(value)s” is not a valid choice.") % {"value": value}]},
            fields={name: "invalid_choice"},
        )
    return str(value)


# ----------------------------------------------------------------------------- files


def check_files(uploads: Sequence[Any]) -> list[PreparedUpload]:
    """Checked uploads (already checked ones pass as they are): too many files, or one that
    is unreadable, oversized or of a foreign type, is refused as bad input before anything
    is recorded."""
    items = list(uploads or ())
    raw = [item for item in items if not isinstance(item, PreparedUpload)]
    try:
        if len(items) > MAX_FILES:
            prepare_uploads(items)  # raises the "too many" error
        checked = iter(prepare_uploads(raw))
    except ValidationError as error:
        raise InvalidInput(
            {"attachments": list(error.messages)}, fields={"attachments": "invalid"}
        ) from None
    return [item if isinstance(item, PreparedUpload) else next(checked) for item in items]


@contextmanager
def staged_files(
    uploads: Sequence[PreparedUpload], *, actor: User | None
) -> Iterator[list[Attachment]]:
    """Store checked uploads (a photo with its small copies) before the action's
    transaction, and give their rows to record with it. A storage error refuses the action
    (:class:`~casework.errors.Unavailable`) before anything is recorded; an action that
    fails after the files were stored removes them again. So a case never points at a
    missing file, and a refused action leaves no file behind."""
    uploader = actor if actor is not None and actor.is_authenticated else None
    stored: list[Attachment] = []
    try:
        for item in uploads:
            attachment = Attachment(
                uploaded_by=uploader,
                original_name=item.original_name,
                content_type=item.content_type,
                size=len(item.data),
            )
            stored.append(attachment)
            attachment.file.save(f"upload.{item.ext}", ContentFile(item.data), save=False)
            store_thumbnails(attachment, item)
    except OSError as error:
        _remove(stored)
        log.error("attachments not stored: %s", error)
        raise Unavailable(
            _(
                "The files could not be stored, so nothing was recorded. Please try again "
                "in a moment."
            ),
            code="storage_unavailable",
        ) from None
    try:
        yield stored
    except BaseException:
        _remove(stored)
        raise


def store_thumbnails(attachment: Attachment, item: PreparedUpload | None = None) -> bool:
    """Store the small copies of a photo on ``attachment`` (not saved): those ``item`` came
    with, or made from the stored file. False for a document, or a stored file that no
    longer decodes; OSError when the storage fails."""
    if not attachment.is_image:
        return False
    thumbnails = item.thumbnails if item is not None else None
    if thumbnails is None:
        if item is not None:
            data = item.data
        else:
            with attachment.file.open("rb") as handle:
                data = handle.read()
        try:
            thumbnails = thumbnails_of(data, attachment.content_type)
        except ValidationError:
            log.warning("attachment %s: no thumbnails, the image does not decode", attachment.pk)
            return False
    for size, copy in thumbnails.copies:
        attachment.thumbnail(size).save(f"thumb.{size}.jpg", ContentFile(copy), save=False)
    attachment.width, attachment.height = thumbnails.width, thumbnails.height
    return True


def ensure_thumbnails(attachment: Attachment) -> bool:
    """Make and record the small copies of a photo stored without them (stored before
    copies were made); False for a document or an image that no longer decodes. Two
    requests making them at once record one pair and remove the other."""
    if not attachment.is_image:
        return False
    if attachment.thumb_small.name and attachment.thumb_large.name:
        return True
    if not store_thumbnails(attachment):
        return False
    recorded = Attachment.objects.filter(pk=attachment.pk, thumb_small="").update(
        thumb_small=attachment.thumb_small.name,
        thumb_large=attachment.thumb_large.name,
        width=attachment.width,
        height=attachment.height,
    )
    if not recorded:  # made by another request meanwhile: keep theirs
        for file in (attachment.thumb_small, attachment.thumb_large):
            if file.name:
                default_storage.delete(file.name)
        attachment.refresh_from_db(fields=["thumb_small", "thumb_large", "width", "height"])
    return True


def _remove(stored: Sequence[Attachment]) -> None:
    for attachment in stored:
        for file in (attachment.file, attachment.thumb_small, attachment.thumb_large):
            if not file.name:
                continue
            try:
                default_storage.delete(file.name)
            except OSError:  # pragma: no cover (the storage failing again)
                log.warning("stored file %s not removed", file.name)


# ----------------------------------------------------------------------------- audit


@dataclass
class Audit:
    """The events of one action, and what they cause: the reporter's message and the
    officers' messages about new work, as the actions' declarations say
    (:class:`casework.actions.Notify`)."""

    case: Case
    actor: User | None
    events: list[CaseEvent] = field(default_factory=list)
    journal: Journal = field(default_factory=Journal)

    def add(
        self,
        action: str,
        from_status: str,
        to_status: str,
        case: Case | None = None,
        **payload: Any,
    ) -> CaseEvent:
        event = CaseEvent(
            case=case or self.case,
            actor=self.actor if self.actor is not None and self.actor.is_authenticated else None,
            action=action,
            from_status=from_status,
            to_status=to_status,
            payload=payload,
        )
        self.events.append(event)
        return event

    def write(self, rows: RowBatch | None = None) -> None:
        """Write the events, their files and their messages (or add them to ``rows``)."""
        journal = self.journal
        journal.events = self.events
        for event in self.events:
            declared = get(event.action)
            message = reporter_message(event, declared)
            if message is not None:
                journal.messages.append(message)
            work = new_work(event, declared)
            if work is not None:
                journal.work.append(work)
        journal.write(rows)


def reporter_message(event: CaseEvent, action: Action) -> Notification | None:
    case = event.case
    channel = case.notify_channel
    recipient = case.reporter_email if channel == NotifyChannel.EMAIL else case.reporter_phone
    if not channel or not recipient or not action.notify.tells_reporter(event):
        return None
    context = {
        "action": event.action,
        "number": case.number,
        "title": case.title,
        "status": event.to_status,
        "tracking_code": format_tracking_code(case.tracking_code),
    }
    context.update({k: event.payload[k] for k in action.notify.payload if event.payload.get(k)})
    if channel != NotifyChannel.EMAIL:
        # the number stays encrypted on the case; the worker reads it from there
        recipient = mask_phone(recipient)
    return Notification(
        case=case, channel=channel, recipient=recipient, template="case_update", context=context
    )


def new_work(event: CaseEvent, action: Action) -> NewWork | None:
    """The officers' messages about work an action put in a queue (the recipients are read
    from the case's open tasks by the INSERT that writes the messages)."""
    stage = action.notify.work_stage(event)
    if stage is None:
        return None
    case = event.case
    context: dict[str, Any] = {
        "kind": "new_work",
        "action": event.action,
        "number": case.number,
        "title": case.title,
        "stage": stage,
        "priority": case.priority,
    }
    context.update(
        {k: event.payload[k] for k in action.notify.work_payload if event.payload.get(k)}
    )
    return NewWork(
        case=case,
        stages=(stage,),
        roles=tuple(sorted(STAGE_ROLES[Stage(stage)])),
        context=context,
        exclude_user_id=event.actor_id,
    )


# ----------------------------------------------------------------------------- the action


@dataclass
class Act:
    """One action in progress, inside its transaction: the locked case, the actor (None for
    the reporter and the system), the case's open tasks and the one the action works on."""

    action: Action
    case: Case
    actor: User | None
    tasks: list[CaseTask]
    task: CaseTask | None
    audit: Audit

    @property
    def outcome(self) -> Outcome:
        """The outcome table's row of this action on this task's stage."""
        assert self.task is not None, f"{self.action.code} works on no task"
        return outcome(self.action.code, self.task.stage)

    def transition(self, *args: Any, **kwargs: Any) -> None:
        """The case's transition of the outcome."""
        transition(self.case, self.outcome.transition, *args, **kwargs)

    def complete(self, data: dict | None = None, *, round: Round | None = None) -> None:
        """Complete the task with the outcome's route, once the case has its new status."""
        row = self.outcome
        expected = round.status if row.status == ROUND and round is not None else row.status
        if self.case.status != expected:
            raise RuntimeError(
                f"{row.action} at {row.stage}: the case is {self.case.status}, the outcome "
                f"table says {expected}"
            )
        assert self.task is not None
        ports.engine().complete(self.task, row.route, case=self.case, data=data)

    def record(self, before: str, **payload: Any) -> CaseEvent:
        return self.audit.add(self.action.code, before, self.case.status, **payload)


def begin(
    action: Action,
    *,
    case: Case,
    actor: User | None,
    decide: Callable[[Case, list[CaseTask]], Decision] | None = None,
    locked: bool = False,
) -> Act:
    """Lock the case and decide with the action's policy; a refusal raises and changes
    nothing. An unowned task the officer acts on is claimed on the way (an audit event of
    its own). ``decide`` replaces the policy (the reporter's and the system's actions);
    ``locked``: the caller has locked ``case`` already."""
    if not locked:
        case = lock(case)
    tasks = open_tasks(case)
    decision = decide(case, tasks) if decide is not None else _policy(action, actor, case, tasks)
    if decision.refusal is not None:
        raise decision.refusal
    act = Act(action, case, actor, tasks, decision.task, Audit(case, actor))
    if decision.claim and decision.task is not None and actor is not None:
        claim(act, decision.task)
    return act


def _policy(action: Action, actor: User | None, case: Case, tasks: list[CaseTask]) -> Decision:
    policy = action.policy
    assert policy is not None and hasattr(policy, "decide"), f"{action.code} has no policy"
    return policy.decide(actor, case, tasks, lambda: selectors.in_scope(actor, case))


def check(action: Action, *, case: Case, actor: User | None) -> None:
    """The action's decision on the case as it is now, without locking it: for a service
    that must lock more than the case (a merge locks both cases, in id order), so that a
    refusal comes first and the same as :func:`begin`'s."""
    decision = _policy(action, actor, case, open_tasks(case))
    if decision.refusal is not None:
        raise decision.refusal


def claim(act: Act, task: CaseTask) -> None:
    """The officer takes ``task``; a forum claim takes the case into triage."""
    case, actor = act.case, act.actor
    assert actor is not None
    before = case.status
    ports.engine().claim(task, actor)
    if task.stage == Stage.TRIAGE and case.status == CaseStatus.FORWARDED:
        transition(case, "take_into_triage")
        save(case, "status")
    act.audit.add("claim", before, case.status, task=task.pk, stage=task.stage)


def for_reporter(action: Action) -> Callable[[Case, list[CaseTask]], Decision]:
    """The decision of an action taken by whoever holds the tracking code."""
    policy = action.reporter
    assert policy is not None

    def decide(case: Case, tasks: list[CaseTask]) -> Decision:
        opd_answered = (
            selectors.opd_answered(case)
            if policy.opd_answer and case.status in policy.statuses
            else True
        )
        decision = policy.decide_for_reporter(case, opd_answered=opd_answered)
        if decision.refusal is None and action.outcomes:
            # confirm and dispute complete the reporter's confirmation task
            decision = _confirmation(case, tasks)
        return decision

    return decide


def by_system(case: Case, tasks: list[CaseTask]) -> Decision:
    """The system's own step (the end of the confirmation window), on the confirmation task."""
    return _confirmation(case, tasks)


def _confirmation(case: Case, tasks: list[CaseTask]) -> Decision:
    found = [t for t in tasks if t.stage == Stage.CONFIRMATION]
    return Decision(task=found[0]) if found else state_refused(case)


def others(case: Case, excluding: int) -> list[str]:
    """The statuses of the case's other OPD assignments."""
    return list(case.assignments.exclude(pk=excluding).values_list("status", flat=True))


__all__ = [
    "TRACKING_ALPHABET",
    "TRACKING_LENGTH",
    "Act",
    "AssignmentStatus",
    "Audit",
    "begin",
    "format_tracking_code",
]

"""What the reporter does with their tracking code (supply information, confirm or dispute the
answer), the village KIM supplying information on their behalf, the close when the
confirmation window ends, and the tracking link sent again to a reporter who kept only the
case number."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from celery import current_app
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import numbers, phones, ports, selectors
from ..actions import declarations as d
from ..actions import implements
from ..errors import InvalidInput
from ..journal import Journal
from ..lifecycle import CaseStatus, Stage
from ..models import AssignmentStatus, Case, CaseEvent, Notification, NotifyChannel, User
from ..notifications.rendering import mask_phone
from . import kernel

log = logging.getLogger(__name__)


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


# ----------------------------------------------------------------------------- the link again

RESEND_WINDOW = "%Y%m%d%H"  # one message per case in each hour (WIB)
RESEND_PER_DAY = 3  # and no more than this in any 24 hours
RESEND_TASK = "casework.tasks.send_tracking_link"  # published by name: no import upwards
# what the asker is told, whether or not anything was sent
RESEND_ANSWER = gettext_lazy(
    "If the case number and the contact match what was recorded with the aspiration, the "
    "tracking link is on its way there; it may take a few minutes. Nothing arrived? The KIM "
    "of your desa can look the code up for you."
)
PHONE_CHANNELS = frozenset({NotifyChannel.SMS, NotifyChannel.WHATSAPP})


def resend_tracking_link(*, number: str, contact: str) -> None:
    """Ask for the tracking link again: ``number`` the case's number, ``contact`` the e-mail
    address or phone number recorded with it. Only the shape of the input is refused here;
    whether anything matches is decided by a worker (:func:`send_tracking_link`), so that
    the asker learns nothing, not even from how long the answer took. A broker that does not
    answer loses the request (logged): the person asks again."""
    canonical = numbers.as_case_number(number or "")
    errors: dict[str, list[str]] = {}
    if canonical is None:
        errors["number"] = [_("Enter the case number, e.g. LMJ-2611-00042.")]
    typed = (contact or "").strip()
    email = phone = None
    if "@" in typed:
        try:
            validate_email(typed)
            email = typed.lower()
        except ValidationError:
            pass
    else:
        phone = phones.normalise(typed)
    if email is None and phone is None:
        errors["contact"] = [_("Enter the phone number or e-mail address you gave.")]
    if errors:
        raise InvalidInput(errors, fields=dict.fromkeys(errors, "invalid"))
    try:
        current_app.send_task(
            RESEND_TASK, kwargs={"number": canonical, "email": email, "phone": phone}
        )
    except Exception:  # noqa: BLE001  (broker down: the same answer; the person asks again)
        log.warning("broker unavailable; a request for a tracking link was not passed on")


def send_tracking_link(*, number: str, email: str | None, phone: str | None) -> bool:
    """Send the tracking link to the reporter's contact on file when ``number`` is the
    case's number and ``email`` or ``phone`` (E.164) the one recorded with it: by e-mail, or
    by the phone channel the reporter chose (else SMS). At most one message per case and
    hour, and :data:`RESEND_PER_DAY` in any 24 hours; the message and its audit event are
    written in one transaction. True when a message was queued."""
    case = selectors.case_for_resend(number)
    if case is None:
        return False
    if email is not None and email == (case.reporter_email or "").strip().lower():
        channel, recipient = NotifyChannel.EMAIL, case.reporter_email
    elif phone is not None and phone == phones.normalise(case.reporter_phone or ""):
        chosen = case.notify_channel
        channel = NotifyChannel(chosen) if chosen in PHONE_CHANNELS else NotifyChannel.SMS
        # the number stays encrypted on the case; the worker reads it from there
        recipient = mask_phone(case.reporter_phone)
    else:
        return False
    now = timezone.now()
    sent_lately = Notification.objects.filter(
        case=case, template="tracking_link", created_at__gte=now - timedelta(days=1)
    ).count()
    if sent_lately >= RESEND_PER_DAY:
        return False
    message = Notification(
        case=case,
        key=f"resend:{case.pk}:{timezone.localtime(now):{RESEND_WINDOW}}",
        channel=channel,
        recipient=recipient,
        template="tracking_link",
        context={
            "action": d.RESEND_LINK.code,
            "number": case.number,
            "title": case.title,
            "status": case.status,
            "tracking_code": kernel.format_tracking_code(case.tracking_code),
        },
    )
    event = CaseEvent(
        case=case,
        action=d.RESEND_LINK.code,
        from_status=case.status,
        to_status=case.status,
        payload={"channel": str(channel)},
    )
    try:
        with transaction.atomic():
            Journal(events=[event], messages=[message]).write()
    except IntegrityError:
        return False  # already sent in this hour: nothing more
    return True

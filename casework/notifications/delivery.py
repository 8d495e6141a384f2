"""Delivering the outbox: a worker sends one row at a time with the row locked, so that a
repeated or redelivered task never sends twice. A failure is recorded on the row
(``attempts``, ``last_error``) and tried again after a back-off of 1, 2, 4, 8 and 16 minutes
(``next_attempt_at``); after the last try the row is ``failed``. The reporter's phone number
is read from the case, where it is encrypted; the row keeps only a masked number."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import phones
from ..models import Notification, NotificationStatus
from .backends import PermanentError, backend
from .handoff import publish
from .rendering import SHORT_CHANNELS, render

log = logging.getLogger(__name__)

# the first try and five more, 1, 2, 4, 8 and 16 minutes apart (31 minutes in all)
MAX_ATTEMPTS = 6
REQUEUE_CHUNK = 100  # messages per task handed over by the sweep


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 1, 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2 ** max(0, attempts - 1))


def _address(notification: Notification) -> str:
    """Where the message goes: the reporter's phone is read from the case (encrypted there),
    every other address is on the row."""
    if notification.user_id is None and notification.channel in SHORT_CHANNELS:
        phone = phones.normalise(notification.case.reporter_phone or "")
        if not phone:
            raise PermanentError("the case has no valid phone number")
        return phone
    return notification.recipient


def deliver(notification_id: int) -> bool:
    """Send one pending message that is due; True when sent now. Safe to repeat: a message
    sent, failed for good, waiting for its next try or being sent by another worker is left
    alone."""
    now = timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case")
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        try:
            subject, body = render(notification)
            backend(notification.channel).send(
                recipient=_address(notification), subject=subject, body=body
            )
        except Exception as exc:  # noqa: BLE001  (recorded on the outbox row, retried)
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notification.attempts >= MAX_ATTEMPTS or isinstance(exc, PermanentError):
                notification.status = NotificationStatus.FAILED
                notification.next_attempt_at = None
            else:
                notification.next_attempt_at = now + backoff(notification.attempts)
            notification.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            log.warning(
                "notification %s failed (try %d): %s",
                notification_id,
                notification.attempts,
                notification.last_error,
            )
            return False
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.next_attempt_at = None
        notification.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at"])
        return True


def requeue_pending(*, older_than_seconds: int = 60, limit: int = 1000) -> int:
    """Hand pending messages to the workers again: those never delivered (broker down,
    worker killed) once older than the grace period, and failed ones whose next try is due.
    One query on the partial index of pending messages."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING)
        .filter(
            Q(next_attempt_at__isnull=True, created_at__lt=cutoff) | Q(next_attempt_at__lte=now)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        try:
            for start in range(0, len(ids), REQUEUE_CHUNK):
                publish(ids[start : start + REQUEUE_CHUNK])
        except Exception:  # noqa: BLE001
            log.warning("broker unavailable; %d notification(s) still pending", len(ids))
            return 0
    return len(ids)

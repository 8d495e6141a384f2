"""Notifications: an outbox written with the change, delivered by workers through a backend
per channel (e-mail here; SMS and WhatsApp gateways plug in through the same interface)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.module_loading import import_string

from .models import CaseStatus, Notification, NotificationStatus, Stage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class Backend(Protocol):
    def send(self, *, recipient: str, subject: str, body: str) -> None:
        """Deliver one message or raise."""


class EmailBackend:
    def send(self, *, recipient: str, subject: str, body: str) -> None:
        send_mail(subject, body, None, [recipient])


def backend(channel: str) -> Backend:
    paths = getattr(settings, "ASPIRASI_NOTIFICATION_BACKENDS", {})
    if channel in paths:
        return import_string(paths[channel])()
    if channel == "email":
        return EmailBackend()
    raise LookupError(f"no notification backend for channel {channel!r}")


def render(notification: Notification) -> tuple[str, str]:
    """Subject (first line) and body of a message, in Bahasa Indonesia."""
    context = dict(notification.context)
    with translation.override(settings.LANGUAGE_CODE):
        if context.get("status") in CaseStatus.values:
            context["status_label"] = str(CaseStatus(context["status"]).label)
        if context.get("stage") in Stage.values:
            context["stage_label"] = str(Stage(context["stage"]).label)
        if context.get("due_at"):
            due = timezone.localtime(datetime.fromisoformat(context["due_at"]))
            context["due"] = formats.date_format(due, "DATETIME_FORMAT")
        text = render_to_string(f"notifications/{notification.template}.txt", context).strip()
    subject, _sep, body = text.partition("\n")
    return subject.strip(), body.strip()


def enqueue(ids: Iterable[int]) -> None:
    """After the commit, hand the messages to the workers; if the broker is down they stay
    pending and the sweep hands them over again."""
    ids = list(ids)
    if not ids:
        return

    def send() -> None:
        from .tasks import deliver_notifications

        try:
            deliver_notifications.delay(ids)
        except Exception:  # noqa: BLE001  (broker down: the outbox keeps them)
            log.warning("broker unavailable; %d notification(s) left for the sweep", len(ids))

    transaction.on_commit(send)


def deliver(notification_id: int) -> bool:
    """Send one pending message; True when sent now. Safe to repeat."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        try:
            subject, body = render(notification)
            backend(notification.channel).send(
                recipient=notification.recipient, subject=subject, body=body
            )
        except Exception as exc:  # noqa: BLE001  (recorded on the outbox row, retried)
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = NotificationStatus.FAILED
            notification.save(update_fields=["attempts", "last_error", "status"])
            log.warning("notification %s failed: %s", notification_id, notification.last_error)
            return False
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.save(update_fields=["attempts", "status", "sent_at"])
        return True


def requeue_pending(*, older_than_seconds: int = 60, limit: int = 1000) -> int:
    """Hand pending messages the workers never got (broker down, worker killed) to them again."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        from .tasks import deliver_notifications

        try:
            deliver_notifications.delay(ids)
        except Exception:  # noqa: BLE001
            log.warning("broker unavailable; %d notification(s) still pending", len(ids))
            return 0
    return len(ids)

"""Celery tasks of casework: thin, idempotent, given ids."""

from __future__ import annotations

from celery import shared_task

from . import idempotency, services
from .notifications.delivery import deliver
from .notifications.handoff import DELIVER_TASK
from .ui.forms import purge_held_files


@shared_task(name=DELIVER_TASK, acks_late=True)
def deliver_notifications(ids: list[int]) -> int:
    """Send pending outbox messages; a repeated or redelivered call sends nothing twice.

    A failed message is not retried here: its row records the error and the time of the
    next try (backing off), and the sweep hands it to a worker again when that time comes,
    so no retry waits on the broker (no long countdowns on Redis)."""
    return sum(deliver(pk) for pk in ids)


@shared_task(name="casework.tasks.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    """Remove the idempotency keys past their retention (beat, every hour)."""
    return idempotency.purge()


@shared_task(name="casework.tasks.purge_held_files", ignore_result=True)
def purge_refused_forms_files() -> int:
    """Remove the files refused forms kept that nobody sent again (beat, every hour)."""
    return purge_held_files()


@shared_task(name=services.citizen.RESEND_TASK, ignore_result=True)
def send_tracking_link(number: str, email: str | None, phone: str | None) -> bool:
    """Send a tracking link asked for again, when the contact matches (see the service)."""
    return services.send_tracking_link(number=number, email=email, phone=phone)

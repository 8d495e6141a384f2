"""Celery tasks of casework: thin, idempotent, given ids."""

from __future__ import annotations

from celery import shared_task

from .notifications.delivery import deliver
from .notifications.handoff import DELIVER_TASK


@shared_task(name=DELIVER_TASK, acks_late=True)
def deliver_notifications(ids: list[int]) -> int:
    """Send pending outbox messages; a repeated or redelivered call sends nothing twice.

    A failed message is not retried here: its row records the error and the time of the
    next try (backing off), and the sweep hands it to a worker again when that time comes,
    so no retry waits on the broker (no long countdowns on Redis)."""
    return sum(deliver(pk) for pk in ids)

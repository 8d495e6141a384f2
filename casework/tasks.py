"""Celery tasks of casework: thin, idempotent, given ids."""

from __future__ import annotations

from celery import shared_task

from . import notify


@shared_task(acks_late=True)
def deliver_notifications(ids: list[int]) -> int:
    """Send pending outbox messages; a repeated or redelivered call sends nothing twice."""
    return sum(notify.deliver(pk) for pk in ids)

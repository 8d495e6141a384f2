"""Celery tasks of the process: thin wrappers run by beat and the workers."""

from __future__ import annotations

from celery import shared_task

from .sweep import sweep


@shared_task(acks_late=True, ignore_result=True)
def sweep_due_work() -> dict:
    """Reminders, escalations and auto-close of everything due now (beat, every minute)."""
    result = sweep()
    return {
        "reminders": result.reminders,
        "escalations": result.escalations,
        "closed": result.closed,
        "requeued": result.requeued_notifications,
    }

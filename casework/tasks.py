"""Celery tasks of casework: thin, idempotent, given ids."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Case, CaseEvent, Confidentiality

log = logging.getLogger(__name__)

# steps the reporter hears about
PUBLIC_ACTIONS = frozenset(
    {
        "submit",
        "verify",
        "dispatch",
        "request_info",
        "resolve",
        "respond",
        "reject",
        "merge",
        "confirm",
        "close",
    }
)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_case_event(case_id: int, action: str) -> bool:
    """Tell the reporter about a public step of their case, by e-mail when they left one."""
    if action not in PUBLIC_ACTIONS:
        return False
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not case.reporter_email:
        return False
    if action == "merge" and case.merged_into_id is None:
        return False  # the target of a merge: its reporter hears nothing new
    event = (
        CaseEvent.objects.filter(case=case, action=action).order_by("-created_at", "-id").first()
    )
    with translation.override("id"):
        subject = _("[%(number)s] %(status)s") % {
            "number": case.number,
            "status": case.get_status_display(),
        }
        lines = [
            _("Your aspiration “%(title)s” is now: %(status)s.")
            % {"title": case.title, "status": case.get_status_display()},
        ]
        if case.confidentiality != Confidentiality.RAHASIA and event is not None:
            for key in ("question", "response", "reason"):
                if event.payload.get(key):
                    lines.append(str(event.payload[key]))
        lines.append(_("Track it with your code: %(code)s") % {"code": case.tracking_code})
    send_mail(subject, "\n\n".join(lines), None, [case.reporter_email])
    return True

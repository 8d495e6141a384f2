"""What a message says: the subject and body of an outbox row, rendered in the site's language
from ``notifications/<template>.txt`` (and the short ``.sms.txt`` variant on SMS and
WhatsApp)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from ..lifecycle import CaseStatus, Stage
from ..models import Notification, Priority

SHORT_CHANNELS = frozenset({"sms", "whatsapp"})
SHORT_MAX_CHARS = 320  # two concatenated SMS


def mask_phone(phone: str) -> str:
    """What the outbox shows of a reporter's number: 0812****7890."""
    digits = (phone or "").strip()
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def _context(notification: Notification) -> dict[str, Any]:
    context = dict(notification.context)
    if context.get("status") in CaseStatus.values:
        context["status_label"] = str(CaseStatus(context["status"]).label)
    if context.get("stage") in Stage.values:
        context["stage_label"] = str(Stage(context["stage"]).label)
    if context.get("priority") in Priority.values:
        context["priority_label"] = str(Priority(context["priority"]).label)
    if context.get("due_at"):
        due = timezone.localtime(datetime.fromisoformat(context["due_at"]))
        context["due"] = formats.date_format(due, "DATETIME_FORMAT")
    return context


def render(notification: Notification) -> tuple[str, str]:
    """Subject (first line) and body of a message, in the site's language (Bahasa
    Indonesia). On SMS and WhatsApp the short variant of the template when there is one,
    all of it the body, at most ``SHORT_MAX_CHARS`` characters; the subject is empty."""
    template = notification.template
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(notification)
        if notification.channel in SHORT_CHANNELS:
            short = render_to_string(
                [f"notifications/{template}.sms.txt", f"notifications/{template}.txt"], context
            )
            return "", shorten(short, SHORT_MAX_CHARS)
        text = str(render_to_string(f"notifications/{template}.txt", context)).strip()
    subject, _sep, body = text.partition("\n")
    return subject.strip(), body.strip()


def shorten(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters (whitespace runs become one space)."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

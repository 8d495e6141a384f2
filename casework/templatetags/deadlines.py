"""``{% load deadlines %}``: ``{{ task.due_at|deadline }}`` shows a deadline the same way on
every officers' page: ``4 Des 2026 16.00 WIB · 3 hari kerja lagi``."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from casework.ui.deadlines import remaining, when

register = template.Library()


@register.filter
def deadline(value: datetime | None) -> SafeString | str:
    if not value:
        return "—"
    left, past = remaining(value)
    return format_html(
        '<time datetime="{}">{}</time> · <span class="{}" data-testid="due-left">{}</span>',
        timezone.localtime(value).isoformat(),
        when(value),
        "due-left past" if past else "due-left",
        left,
    )

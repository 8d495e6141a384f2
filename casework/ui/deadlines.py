"""Deadlines as officers read them: the date and time with their zone, and the working days
left (or past), counted on the calendar the service levels use (through the clock port)."""

from __future__ import annotations

from datetime import datetime

from django.utils import dateformat, timezone
from django.utils.translation import gettext, ngettext, pgettext

from casework import ports


def when(value: datetime) -> str:
    """``4 Des 2026 16.00 WIB``: the local date and time and the zone's abbreviation."""
    local = timezone.localtime(value)
    # Translators: a deadline's date and time (Django's date format characters)
    shown = dateformat.format(local, pgettext("deadline format", "j M Y H:i"))
    return f"{shown} {local.tzname()}"


def remaining(value: datetime, now: datetime | None = None) -> tuple[str, bool]:
    """The working days left before the deadline, or past it; and whether it is past."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    day = timezone.localtime(value).date()
    clock = ports.clock()
    if value >= now:
        n = clock.working_days_between(today, day)
        if n == 0:
            return gettext("due today"), False
        text = ngettext("%(n)s working day left", "%(n)s working days left", n)
        return text % {"n": n}, False
    n = clock.working_days_between(day, today)
    if n == 0:
        return gettext("past due today"), True
    text = ngettext("%(n)s working day late", "%(n)s working days late", n)
    return text % {"n": n}, True

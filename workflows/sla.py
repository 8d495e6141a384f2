"""Working-day calendar and service-level deadlines (docs/operations.md, "Calendar and service levels").

Working days are Monday–Friday minus Indonesian public holidays and cuti bersama (the
``holidays`` package, country ``ID``, categories public and government), with the
administrator's additions and removals. Day 0 is the day of receipt in WIB; a deadline of N
working days falls at close of business on the N-th working day after day 0.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from casework import caches
from casework.models import Case, CaseTask, Priority, SlaClass

from .models import HolidayChange, SlaPolicy, SlaStage

WIB = ZoneInfo("Asia/Jakarta")
CACHE_TTL = 60.0

# the default service levels (docs/operations.md), in working days (end to end: calendar days)
DEFAULT_DAYS = {
    SlaStage.VERIFICATION: 2,
    SlaStage.TRIAGE: 3,
    SlaStage.OPD_ACCEPTANCE: 2,
    SlaStage.OPD_RESPONSE: 5,
    SlaStage.CONFIRMATION: 10,
    SlaStage.END_TO_END: 60,
}
URGENT_OPD_RESPONSE_DAYS = 1
COMPLEX_OPD_RESPONSE_DAYS = 14


def close_of_business() -> dtime:
    hour, _sep, minute = getattr(settings, "ASPIRASI_CLOSE_OF_BUSINESS", "16:00").partition(":")
    return dtime(int(hour), int(minute or 0))


@lru_cache(maxsize=64)
def _national(year: int) -> frozenset[date]:
    return frozenset(
        holidays.country_holidays("ID", years=year, categories=("public", "government")).keys()
    )


@dataclass(frozen=True)
class _Config:
    loaded_at: float
    added: frozenset[date]
    removed: frozenset[date]
    policies: dict[tuple[str, int | None, str], int]


_lock = threading.Lock()
_config: _Config | None = None


def _load() -> _Config:
    added: set[date] = set()
    removed: set[date] = set()
    for day, is_holiday in HolidayChange.objects.values_list("date", "is_holiday"):
        (added if is_holiday else removed).add(day)
    policies: dict[tuple[str, int | None, str], int] = {
        (stage, category_id, priority): days
        for stage, category_id, priority, days in SlaPolicy.objects.values_list(
            "stage", "category_id", "priority", "working_days"
        )
    }
    return _Config(time.monotonic(), frozenset(added), frozenset(removed), policies)


def config() -> _Config:
    global _config
    current = _config
    if current is None or time.monotonic() - current.loaded_at > CACHE_TTL:
        with _lock:
            current = _load()
            if caches.may_keep():
                _config = current
    return current


def invalidate() -> None:
    global _config
    _config = None


caches.register("sla", invalidate, (HolidayChange, SlaPolicy))


def connect_invalidation() -> None:
    caches.connect("sla")


def is_working_day(day: date) -> bool:
    cfg = config()
    if day in cfg.added:
        return False
    if day in cfg.removed:
        return True
    return day.weekday() < 5 and day not in _national(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """Close of business on the ``days``-th working day after the day of ``start`` (WIB)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start.astimezone(WIB).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.combine(day, close_of_business(), tzinfo=WIB)


MAX_COUNTED_DAYS = 3660  # longer spans are counted as this many calendar days


def working_days_between(start: date, end: date) -> int:
    """The working days after ``start`` up to and including ``end`` (0 if ``end`` is not
    after ``start``)."""
    span = min((end - start).days, MAX_COUNTED_DAYS)
    return sum(1 for n in range(1, span + 1) if is_working_day(start + timedelta(days=n)))


def working_days_for(stage: str, *, category_id: int | None, sla_class: str, priority: str) -> int:
    """The most specific policy: category+priority, category, priority, then the defaults."""
    policies = config().policies
    for key in (
        (stage, category_id, priority),
        (stage, category_id, ""),
        (stage, None, priority),
        (stage, None, ""),
    ):
        if key in policies:
            return policies[key]
    if stage == SlaStage.OPD_RESPONSE:
        if priority == Priority.DARURAT:
            return URGENT_OPD_RESPONSE_DAYS
        if sla_class == SlaClass.COMPLEX:
            return COMPLEX_OPD_RESPONSE_DAYS
    return DEFAULT_DAYS[SlaStage(stage)]


def stage_days(stage: str, case: Case) -> int:
    """The working days of ``stage`` for ``case``: the policy of its category, service-level
    class and priority."""
    from casework import refdata

    category = refdata.snapshot().categories_by_id.get(case.category_id)
    return working_days_for(
        stage,
        category_id=case.category_id,
        sla_class=category.sla_class if category else SlaClass.STANDARD,
        priority=case.priority,
    )


def stage_deadline(stage: str, case: Case, start: datetime) -> datetime:
    return add_working_days(start, stage_days(stage, case))


# ----------------------------------------------------------------------------- the task clock
# sla_step names the next step of a task's clock; sla_next_at is when it falls due.
STEP_REMIND, STEP_LEVEL_1, STEP_LEVEL_2, STEP_DONE, STEP_CLOSE = 0, 1, 2, 3, 4
REMIND_AT = 0.75
LEVEL_2_AFTER_WORKING_DAYS = 2


def start_clock(task: CaseTask, *, case: Case, start: datetime) -> datetime:
    """Set a new task's deadline and first service-level step; returns the deadline."""
    due = stage_deadline(task.stage, case, start)
    task.due_at = due
    if task.stage == SlaStage.CONFIRMATION:
        task.sla_step, task.sla_next_at = STEP_CLOSE, due
    else:
        task.sla_step, task.sla_next_at = STEP_REMIND, start + (due - start) * REMIND_AT
    return due


def pause(task: CaseTask) -> None:
    task.sla_next_at = None
    task.save(update_fields=["sla_next_at"])


def restart(task: CaseTask, *, case: Case) -> None:
    """Information arrived: the stage starts again with its full time (a new clock cycle,
    so its reminders and escalations can happen again)."""
    from django.utils import timezone

    start_clock(task, case=case, start=timezone.now())
    task.sla_cycle += 1
    task.save(update_fields=["due_at", "sla_step", "sla_next_at", "sla_cycle"])


def end_to_end_target(case: Case) -> datetime:
    from casework import refdata

    category = refdata.snapshot().categories_by_id.get(case.category_id)
    days = working_days_for(
        SlaStage.END_TO_END,
        category_id=case.category_id,
        sla_class=category.sla_class if category else SlaClass.STANDARD,
        priority=case.priority,
    )
    return case.created_at + timedelta(days=days)

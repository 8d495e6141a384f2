"""The public transparency figures: how many aspirations each kecamatan and each OPD received
over the last twelve months, how many were answered, how many answers came on time and how
long citizens waited for an answer. Each figure is one grouped query; nothing here names a
person.

Definitions (the page says the same in words):

* **window**: from the first day (WIB) of the month eleven months ago until now, the
  window of :func:`casework.reports.on_time_by_opd` with ``months=12``;
* **received** (kecamatan): cases submitted in the window, whatever became of them;
  **received** (OPD): cases dispatched to the OPD in the window, except those it declined
  as not its authority;
* **answered**: of those, the cases that reached *Menunggu konfirmasi warga* (an answer by
  the forum or by every OPD), whatever happened next; for an OPD, the cases it answered;
* **on time**: of the OPD's work due, the responses given no later than their deadline, as
  in :mod:`casework.reports`; work still unanswered past its deadline counts as late
  (:func:`casework.reports.opd_punctuality`; for a kecamatan: the OPD work on its cases);
* **days to answer**: the median, over the answered cases, of the time from submission to
  the first answer (for an OPD: to its own first answer).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KT

from casework import disclosure, refdata, reports
from casework.models import (
    Assignment,
    AssignmentStatus,
    Case,
    CaseEvent,
    CaseStatus,
    Confidentiality,
    RegionLevel,
    UnitKind,
)

MONTHS = 12
PUBLISHABLE = (Confidentiality.BIASA, Confidentiality.ANONIM)
ANSWERED_STATUSES = (CaseStatus.RESPONDED, CaseStatus.CLOSED)
ANSWER_ACTIONS = ("resolve", "respond", "decline")

# the events a public item's answers come from, attached by a prefetch
ANSWER_EVENTS = "answer_events"
# a kecamatan's public list: cases the village has checked, still standing (not rejected,
# not merged into another); a case asked for information before that check stays out
LISTED_STATUSES = (
    CaseStatus.FORWARDED,
    CaseStatus.IN_TRIAGE,
    CaseStatus.NEEDS_INFO,
    CaseStatus.DISPATCHED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.RESPONDED,
    CaseStatus.CLOSED,
)
# the OPD a listed item names, attached by a prefetch (those that returned it are left out)
LISTED_ASSIGNMENTS = "listed_assignments"


@dataclass
class Row:
    """One kecamatan's or one OPD's figures (``code`` empty: the whole kabupaten)."""

    code: str
    label: str
    received: int = 0
    answered: int = 0
    punctuality: reports.Punctuality = field(default_factory=reports.Punctuality)
    median: timedelta | None = None

    @property
    def answered_rate(self) -> float | None:
        return self.answered / self.received if self.received else None

    @property
    def on_time_rate(self) -> float | None:
        return self.punctuality.rate

    @property
    def has_data(self) -> bool:
        return bool(self.received or self.punctuality.total)

    @property
    def median_days(self) -> float | None:
        return self.median.total_seconds() / 86400 if self.median is not None else None


@dataclass
class Figures:
    start: date
    end: datetime
    kecamatan: list[Row]
    opd: list[Row]
    total: Row


def window_start(now: datetime, months: int = MONTHS) -> datetime:
    first = reports.month_starts(now, months)[0]
    return datetime(first.year, first.month, 1, tzinfo=reports.local_zone())


def _first_answer(case_ref: str) -> Subquery:
    """When the case first reached *responded* (answered by the forum or by every OPD)."""
    return Subquery(
        CaseEvent.objects.filter(case_id=OuterRef(case_ref), to_status=CaseStatus.RESPONDED)
        .order_by("created_at")
        .values("created_at")[:1]
    )


def _first_opd_answer() -> Subquery:
    """When the assignment's OPD first answered its case."""
    return Subquery(
        CaseEvent.objects.filter(case_id=OuterRef("case_id"), action="respond")
        .alias(opd_code=KT("payload__opd"))
        .filter(opd_code=OuterRef("opd__code"))
        .order_by("created_at")
        .values("created_at")[:1]
    )


def _grouped(rows: QuerySet, key: str, start_field: str) -> dict[Any, dict[str, Any]]:
    """``received``, ``answered`` and the median of ``answered_at - start_field`` per ``key``
    (one query; the median in SQL on PostgreSQL, in Python elsewhere)."""
    wait = ExpressionWrapper(F("answered_at") - F(start_field), output_field=DurationField())
    found: dict[Any, dict[str, Any]] = {}
    if connection.vendor == "postgresql":
        for row in (
            rows.order_by()
            .values(key)
            .annotate(
                received=Count("id"),
                answered=Count("answered_at"),
                median=reports.Median(wait, output_field=DurationField()),
            )
        ):
            found[row[key]] = row
        return found
    waits: dict[Any, list[timedelta]] = defaultdict(list)
    for group, started, answered in rows.order_by().values_list(key, start_field, "answered_at"):
        row = found.setdefault(group, {"received": 0, "answered": 0, "median": None})
        row["received"] += 1
        if answered is not None:
            row["answered"] += 1
            waits[group].append(answered - started)
    for group, values in waits.items():
        found[group]["median"] = reports.median_of(values)
    return found


def by_kecamatan(now: datetime, start: datetime) -> list[Row]:
    cases = Case.objects.filter(created_at__gte=start, created_at__lte=now).annotate(
        answered_at=_first_answer("pk")
    )
    counts = _grouped(cases, "kecamatan_id", "created_at")
    on_time = reports.opd_punctuality(now=now, start=start, key="case__kecamatan_id")
    regions = refdata.snapshot().regions.values()
    rows = []
    for region in sorted(
        (r for r in regions if r.level == RegionLevel.KECAMATAN), key=lambda r: r.name
    ):
        row = Row(code=region.code, label=region.name)
        _fill(row, counts.get(region.code), on_time.get(region.code))
        rows.append(row)
    return rows


def by_opd(now: datetime, start: datetime) -> list[Row]:
    assignments = (
        Assignment.objects.filter(dispatched_at__gte=start, dispatched_at__lte=now)
        .exclude(status=AssignmentStatus.DECLINED)
        .annotate(answered_at=_first_opd_answer())
    )
    counts = _grouped(assignments, "opd_id", "case__created_at")
    on_time = reports.opd_punctuality(now=now, start=start, key="unit__code")
    units = refdata.snapshot().units.values()
    rows = []
    for unit in sorted((u for u in units if u.kind == UnitKind.OPD), key=lambda u: u.name):
        found = counts.get(unit.pk)
        if not unit.active and found is None and unit.code not in on_time:
            continue
        row = Row(code=unit.code, label=unit.name)
        _fill(row, found, on_time.get(unit.code))
        rows.append(row)
    return rows


def _fill(row: Row, counts: dict[str, Any] | None, on_time: reports.Punctuality | None) -> None:
    if counts:
        row.received = counts["received"]
        row.answered = counts["answered"]
        row.median = counts["median"]
    if on_time:
        row.punctuality = on_time


def kabupaten_median(now: datetime, start: datetime) -> timedelta | None:
    """The median time to the first answer over all the kabupaten's answered cases."""
    cases = Case.objects.filter(created_at__gte=start, created_at__lte=now).annotate(
        answered_at=_first_answer("pk")
    )
    if connection.vendor == "postgresql":
        wait = ExpressionWrapper(F("answered_at") - F("created_at"), output_field=DurationField())
        return cases.aggregate(median=reports.Median(wait, output_field=DurationField()))["median"]
    waits = [a - c for c, a in cases.values_list("created_at", "answered_at") if a is not None]
    return statistics.median(waits) if waits else None


def figures(now: datetime) -> Figures:
    start = window_start(now)
    kecamatan = by_kecamatan(now, start)
    opd = by_opd(now, start)
    total = Row(code="", label="")
    for row in kecamatan:
        total.received += row.received
        total.answered += row.answered
        total.punctuality.add(row.punctuality)
    total.median = kabupaten_median(now, start)
    return Figures(start=start.date(), end=now, kecamatan=kecamatan, opd=opd, total=total)


# ----------------------------------------------------------------------------- answered list


def answered_cases(kecamatan: str = "") -> QuerySet[Case]:
    """Answered aspirations anyone may read: ordinary and anonymous ones (never rahasia),
    newest first, with the events their answers come from (one more query per page)."""
    rows = Case.objects.filter(
        status__in=ANSWERED_STATUSES, confidentiality__in=PUBLISHABLE
    ).select_related("category", "desa", "kecamatan")
    if kecamatan:
        rows = rows.filter(kecamatan_id=kecamatan)
    return rows.order_by("-created_at", "-id").prefetch_related(
        Prefetch(
            "events",
            queryset=CaseEvent.objects.filter(action__in=ANSWER_ACTIONS).order_by(
                "created_at", "id"
            ),
            to_attr=ANSWER_EVENTS,
        )
    )


def public_item(case: Case) -> dict[str, Any]:
    """What the list shows of one case: the public view's title, place, category and
    answers (disclosure's rules), never a person."""
    view = disclosure.public_view(case, getattr(case, ANSWER_EVENTS))
    return {
        "number": view["number"],
        "title": view.get("title"),
        "desa": view.get("desa"),
        "kecamatan": view.get("kecamatan"),
        "category": view.get("category"),
        "created_at": view.get("created_at"),
        "answers": view.get("answers", []),
        "status_label": view["status_label"],
    }


# ----------------------------------------------------------------------------- kecamatan list


def kecamatan_cases(kecamatan: str, *, start: datetime, now: datetime) -> QuerySet[Case]:
    """A kecamatan's aspirations of the window anyone may read: ordinary and anonymous ones
    (never rahasia) the village has checked and that still stand, newest first, with the OPD
    handling them (one more query per page)."""
    return (
        Case.objects.filter(
            kecamatan_id=kecamatan,
            status__in=LISTED_STATUSES,
            confidentiality__in=PUBLISHABLE,
            created_at__gte=start,
            created_at__lte=now,
        )
        .exclude(status=CaseStatus.NEEDS_INFO, info_return_status=CaseStatus.RECEIVED)
        .select_related("category", "desa", "kecamatan")
        .order_by("-created_at", "-id")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.exclude(status=AssignmentStatus.DECLINED)
                .select_related("opd")
                .order_by("dispatched_at", "id"),
                to_attr=LISTED_ASSIGNMENTS,
            )
        )
    )


def listed_item(case: Case) -> dict[str, Any]:
    """What a kecamatan's list shows of one case: the public view's title, place, status and
    dates (disclosure's rules), and the names of the OPD handling it; never a person."""
    view = disclosure.public_view(case, [])
    if "title" not in view:  # a case the public view keeps to its number and status
        raise ValueError(f"{case.number} is not public")
    return {
        "number": view["number"],
        "title": view["title"],
        "status": view["status"],
        "status_label": view["status_label"],
        "desa": view["desa"],
        "category": view["category"],
        "created_at": view["created_at"],
        "updated_at": view["updated_at"],
        "closed_at": view["closed_at"],
        "opd": [a.opd.name for a in getattr(case, LISTED_ASSIGNMENTS)],
    }

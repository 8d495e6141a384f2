"""Read-only queries behind the supervisor's review and the kabupaten dashboard.

Like :mod:`casework.selectors`, this module returns scoped querysets and plain rows; the
views only shape them. Each dashboard figure is one grouped query.

Definitions (the dashboard says the same in words):

* **overdue task**: an open human task of a unit whose deadline (``due_at``) has passed,
  excluding the citizen's confirmation window and cases waiting for information (their
  clock is stopped);
* **on time, OPD**: an OPD response task (stage ``opd_response``) finished with the outcome
  ``responded`` no later than its deadline; counted in the month (WIB) it finished;
* **punctuality, OPD** (the public figures): those responses, on time or late, and the OPD
  tasks still open past their deadline, counted as late;
* **on time, kecamatan**: a triage task (stage ``triage``) finished, whatever its outcome
  (dispatch, answer, merge, rejection), no later than its deadline;
* **time per stage**: the median of ``finished - created`` over the tasks of that stage
  finished in the last 90 days (waiting for information included).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from casework import selectors
from casework.models import (
    OPEN_TASK_STATUSES,
    Case,
    CaseStatus,
    CaseTask,
    Escalation,
    EscalationKind,
    Role,
    Stage,
    User,
)

REVIEW_ROLES = frozenset({Role.SUPERVISOR, Role.FORUM_COORDINATOR, Role.OPD_HEAD})
MONTHS = 6
MEDIAN_WINDOW = timedelta(days=90)
TOP_UNITS = 10


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# ----------------------------------------------------------------------------- review lists


def escalations_for(
    user: User,
    *,
    now: datetime,
    level: int | None = None,
    unit: str = "",
    stage: str = "",
    state: str = "",
    age_days: int | None = None,
) -> QuerySet[Escalation]:
    """The user's escalated tasks narrowed by the review page's filters, one row each: the
    task's highest escalation (of its latest clock cycle); tasks still open first, the most
    overdue first among them."""
    higher = Escalation.objects.filter(task_id=OuterRef("task_id"), kind=OuterRef("kind")).filter(
        Q(cycle__gt=OuterRef("cycle")) | Q(cycle=OuterRef("cycle"), level__gt=OuterRef("level"))
    )
    rows = selectors.escalations_for(user).filter(~Exists(higher))
    if level:
        rows = rows.filter(level=level)
    if unit:
        rows = rows.filter(unit__code=unit)
    if stage:
        rows = rows.filter(stage=stage)
    if state == "open":
        rows = rows.filter(acknowledged_at__isnull=True)
    elif state == "acknowledged":
        rows = rows.filter(acknowledged_at__isnull=False)
    if age_days:
        rows = rows.filter(created_at__lt=now - timedelta(days=age_days))
    # work still open first (the late work someone can still do), then the most overdue
    still_open = models.Case(
        When(task__status__in=OPEN_TASK_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return rows.select_related("task__unit").order_by(still_open, "due_at", "id")


def escalation_levels(rows: Iterable[Escalation]) -> dict[int, list[Escalation]]:
    """The escalations of the rows' tasks in the rows' clock cycles, by task, lowest level
    first (one statement)."""
    cycles = {row.task_id: row.cycle for row in rows}
    if not cycles:
        return {}
    found: dict[int, list[Escalation]] = defaultdict(list)
    others = Escalation.objects.filter(
        task_id__in=list(cycles), kind=EscalationKind.ESCALATION
    ).only("task_id", "cycle", "level", "created_at", "acknowledged_at")
    for escalation in others.order_by("level"):
        if escalation.cycle == cycles[escalation.task_id]:
            found[escalation.task_id].append(escalation)
    return found


def overdue_q(now: datetime) -> Q:
    return (
        Q(status__in=OPEN_TASK_STATUSES, due_at__lt=now, unit__isnull=False)
        & ~Q(stage="")
        & ~Q(stage=Stage.CONFIRMATION)
        & ~Q(case__status=CaseStatus.NEEDS_INFO)
    )


def overdue_tasks_for(
    user: User,
    *,
    now: datetime,
    unit: str = "",
    stage: str = "",
    age_days: int | None = None,
) -> QuerySet[CaseTask]:
    """Open tasks past their deadline that the user oversees: the supervisor every unit's, a
    forum coordinator those of the kecamatan's cases, an OPD head the OPD's; the longest
    overdue first (the order of the open-tasks-by-deadline index, so a page of a long list
    stops after its rows; the unit is on every row and a filter)."""
    rows = CaseTask.objects.filter(overdue_q(now)).select_related(
        "case", "case__kecamatan", "unit", "owner"
    )
    if not selectors.is_officer(user) or user.role not in REVIEW_ROLES:
        return rows.none()
    if user.role == Role.FORUM_COORDINATOR:
        rows = rows.filter(case__kecamatan_id=selectors.unit_of(user).region_id)
    elif user.role == Role.OPD_HEAD:
        rows = rows.filter(unit_id=selectors.unit_of(user).pk)
    if unit:
        rows = rows.filter(unit__code=unit)
    if stage:
        rows = rows.filter(stage=stage)
    if age_days:
        rows = rows.filter(due_at__lt=now - timedelta(days=age_days))
    return rows.order_by("due_at", "id")


def reviewable_task(user: User, task_id: int) -> CaseTask | None:
    """One open task the user oversees (overdue or escalated), for a reassignment."""
    base = CaseTask.objects.select_related("case", "unit").filter(
        pk=task_id, status__in=OPEN_TASK_STATUSES
    )
    if not selectors.is_officer(user) or user.role not in REVIEW_ROLES:
        return None
    if user.role == Role.FORUM_COORDINATOR:
        base = base.filter(case__kecamatan_id=selectors.unit_of(user).region_id)
    elif user.role == Role.OPD_HEAD:
        base = base.filter(unit_id=selectors.unit_of(user).pk)
    return base.first()


def officers_by_unit(unit_ids: set[int]) -> dict[int, list[User]]:
    """Active officers of several units in one query, for the reassignment choices."""
    found: dict[int, list[User]] = defaultdict(list)
    if unit_ids:
        for officer in (
            User.objects.filter(unit_id__in=unit_ids, is_active=True)
            .exclude(role="")
            .order_by("username")
        ):
            if officer.unit_id is not None:
                found[officer.unit_id].append(officer)
    return found


def may_reassign(user: User, task: CaseTask) -> bool:
    """Whether the reassign service would accept this task from this user (shown only then)."""
    if task.status not in OPEN_TASK_STATUSES or task.unit_id is None:
        return False
    if user.role == Role.SUPERVISOR:
        return True
    return user.role in (Role.FORUM_COORDINATOR, Role.OPD_HEAD) and task.unit_id == user.unit_id


# ----------------------------------------------------------------------------- dashboard


def cases_by_status() -> list[dict]:
    """Every case of the kabupaten by status, in lifecycle order, zeros included."""
    counts = dict(
        Case.objects.order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return [
        {"code": code, "label": label, "value": counts.get(code, 0)}
        for code, label in CaseStatus.choices
    ]


def overdue_by_unit(*, now: datetime, limit: int = TOP_UNITS) -> list[dict]:
    """The units with the most overdue open tasks, with their oldest deadline."""
    rows = (
        CaseTask.objects.filter(overdue_q(now))
        .order_by()
        .values("unit__code", "unit__name", "unit__kind")
        .annotate(n=Count("id"), oldest=Min("due_at"))
        .order_by("-n", "oldest", "unit__name")[:limit]
    )
    return [
        {
            "code": row["unit__code"],
            "label": row["unit__name"],
            "kind": row["unit__kind"],
            "value": row["n"],
            "oldest": row["oldest"],
            "days": max(0, (now - row["oldest"]).days),
        }
        for row in rows
    ]


def month_starts(now: datetime, months: int = MONTHS) -> list[date]:
    """The first days of the last ``months`` months (WIB), oldest first, this month last."""
    local = timezone.localtime(now, local_zone()).date()
    year, month = local.year, local.month
    found = []
    for _ in range(months):
        found.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


@dataclass
class RateSeries:
    """One unit's (or the whole kabupaten's) on-time rate month by month."""

    code: str
    label: str
    cells: list[dict] = field(default_factory=list)
    on_time: int = 0
    total: int = 0

    @property
    def rate(self) -> float | None:
        return self.on_time / self.total if self.total else None


def _rates(
    rows: Iterable[dict[str, Any]], key: str, label: str, months: list[date], total_label: str
) -> list[RateSeries]:
    zone = local_zone()
    grid: dict[tuple[str, date], tuple[int, int]] = {}
    names: dict[str, str] = {}
    for row in rows:
        month = timezone.localtime(row["month"], zone).date().replace(day=1)
        grid[(row[key], month)] = (row["on_time"], row["total"])
        names[row[key]] = row[label]
    series = [RateSeries(code="", label=total_label)]
    series += [
        RateSeries(code=code, label=name)
        for code, name in sorted(names.items(), key=lambda item: item[1])
    ]
    for month in months:
        all_on_time = sum(grid.get((s.code, month), (0, 0))[0] for s in series[1:])
        all_total = sum(grid.get((s.code, month), (0, 0))[1] for s in series[1:])
        for s in series:
            on_time, total = (
                (all_on_time, all_total) if not s.code else grid.get((s.code, month), (0, 0))
            )
            s.cells.append(
                {
                    "month": month,
                    "on_time": on_time,
                    "total": total,
                    "rate": on_time / total if total else None,
                }
            )
            s.on_time += on_time
            s.total += total
    return series


def _finished_by_month(stage: str, now: datetime, months: list[date]) -> QuerySet[CaseTask]:
    zone = local_zone()
    start = datetime(months[0].year, months[0].month, 1, tzinfo=zone)
    return (
        CaseTask.objects.filter(
            stage=stage,
            status="DONE",
            finished__gte=start,
            finished__lte=now,
            due_at__isnull=False,
        )
        .order_by()
        .annotate(month=TruncMonth("finished", tzinfo=zone))
    )


def on_time_by_opd(
    *, now: datetime, total_label: str, months: int = MONTHS
) -> tuple[list[date], list[RateSeries]]:
    """Share of OPD responses given by their deadline, per OPD and month (one query)."""
    starts = month_starts(now, months)
    rows = (
        _finished_by_month(Stage.OPD_RESPONSE, now, starts)
        .filter(data__outcome="responded")
        .values("unit__code", "unit__name", "month")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(finished__lte=F("due_at"))))
    )
    return starts, _rates(rows, "unit__code", "unit__name", starts, total_label)


def on_time_by_kecamatan(
    *, now: datetime, total_label: str, months: int = MONTHS
) -> tuple[list[date], list[RateSeries]]:
    """Share of triage tasks finished by their deadline, per kecamatan and month (one query)."""
    starts = month_starts(now, months)
    rows = (
        _finished_by_month(Stage.TRIAGE, now, starts)
        .values("case__kecamatan_id", "case__kecamatan__name", "month")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(finished__lte=F("due_at"))))
    )
    return starts, _rates(rows, "case__kecamatan_id", "case__kecamatan__name", starts, total_label)


OPD_STAGES = (Stage.OPD_ACCEPTANCE, Stage.OPD_RESPONSE)


@dataclass
class Punctuality:
    """An OPD's (or a kecamatan's, or the kabupaten's) work against its deadlines: answers
    given on time, answers given late, and work still unanswered past its deadline."""

    on_time: int = 0
    answered_late: int = 0
    overdue: int = 0  # open OPD tasks past their deadline: late, not answered yet

    @property
    def answered(self) -> int:
        return self.on_time + self.answered_late

    @property
    def late(self) -> int:
        return self.answered_late + self.overdue

    @property
    def total(self) -> int:
        return self.on_time + self.late

    @property
    def rate(self) -> float | None:
        return self.on_time / self.total if self.total else None

    def add(self, other: Punctuality) -> None:
        self.on_time += other.on_time
        self.answered_late += other.answered_late
        self.overdue += other.overdue


def opd_punctuality(*, now: datetime, start: datetime, key: str) -> dict[Any, Punctuality]:
    """OPD work against its deadlines per ``key`` (``"unit__code"``, ``"case__kecamatan_id"``),
    in one grouped query:

    * the OPD responses given between ``start`` and ``now`` (as :func:`on_time_by_opd`
      counts them), on time when given no later than their deadline, late otherwise;
    * the OPD tasks (acceptance or response) still open at ``now`` past their deadline,
      whenever it fell: late work not answered yet (not while the case waits for the
      reporter's information: its clock is stopped).
    """
    answered = Q(
        stage=Stage.OPD_RESPONSE,
        status="DONE",
        finished__gte=start,
        finished__lte=now,
        due_at__isnull=False,
        data__outcome="responded",
    )
    overdue = overdue_q(now) & Q(stage__in=OPD_STAGES)
    rows = (
        CaseTask.objects.filter(answered | overdue)
        .order_by()
        .values(key)
        .annotate(
            on_time=Count("id", filter=answered & Q(finished__lte=F("due_at"))),
            answered_late=Count("id", filter=answered & Q(finished__gt=F("due_at"))),
            overdue=Count("id", filter=overdue),
        )
    )
    return {
        row[key]: Punctuality(
            on_time=row["on_time"], answered_late=row["answered_late"], overdue=row["overdue"]
        )
        for row in rows
    }


def median_of(values: list[timedelta]) -> timedelta:
    """The median of durations (``statistics.median`` is typed for numbers)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


class Median(Aggregate):
    """PostgreSQL's continuous median (interpolated between the two middle values)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def median_time_per_stage(*, now: datetime, window: timedelta = MEDIAN_WINDOW) -> list[dict]:
    """Median time from creation to finish of the tasks of each stage finished in ``window``."""
    done = CaseTask.objects.filter(
        status="DONE", finished__gte=now - window, finished__lte=now
    ).exclude(stage="")
    duration = ExpressionWrapper(F("finished") - F("created"), output_field=DurationField())
    found: dict[str, tuple[timedelta | None, int]] = {}
    if connection.vendor == "postgresql":
        for row in (
            done.order_by()
            .values("stage")
            .annotate(n=Count("id"), median=Median(duration, output_field=DurationField()))
        ):
            found[row["stage"]] = (row["median"], row["n"])
    else:  # SQLite and others: one plain query, the median in Python
        spans: dict[str, list[timedelta]] = defaultdict(list)
        for stage, created, finished in done.values_list("stage", "created", "finished"):
            spans[stage].append(finished - created)
        for stage, values in spans.items():
            found[stage] = (median_of(values), len(values))
    rows = []
    for code, label in Stage.choices:
        median, n = found.get(code, (None, 0))
        rows.append(
            {
                "code": code,
                "label": label,
                "median": median,
                "hours": median.total_seconds() / 3600 if median is not None else None,
                "n": n,
            }
        )
    return rows

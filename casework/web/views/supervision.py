"""Supervision: the review of escalated and overdue work (the dashboard is
:mod:`casework.web.views.dashboard`).

Who may open what:

* review (``web:review``): the supervisor (whole kabupaten), a forum coordinator (the
  kecamatan's cases) and an OPD head (the OPD's work); anyone else 403;
* acknowledging an escalation: the supervisor only (the form is shown to no one else and
  the service refuses a forged request);
* reassigning a task: the supervisor for any unit, a coordinator or head for their own unit;
* dashboard (``web:dashboard``): the supervisor only; coordinators and heads get 403 (their
  own figures are their review page and task queue).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casework import refdata, reports, services
from casework.errors import DomainError
from casework.models import Role, Stage, UnitKind
from casework.ui.forms import report_refusal, safe_next, set_choices

from ..csv import csv_response
from .common import (
    COUNT_LIMIT,
    OfficerRequest,
    View,
    officer_required,
    page_context,
    tally,
    window,
)

PAGE_SIZE = 25
TABS = ("escalations", "overdue")
AGE_CHOICES = [
    ("", gettext_lazy("Any age")),
    ("2", gettext_lazy("More than 2 days")),
    ("7", gettext_lazy("More than 7 days")),
    ("30", gettext_lazy("More than 30 days")),
]


def roles_required(
    *roles: str,
) -> Callable[[View], View]:
    """Signed-in officers of these roles only: anonymous → sign-in, other roles → 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: OfficerRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return officer_required(wrapper)

    return decorate


review_access = roles_required(*reports.REVIEW_ROLES)
supervisor_only = roles_required(Role.SUPERVISOR)


def _back(request: OfficerRequest) -> str:
    return safe_next(request, "web:review")


# ----------------------------------------------------------------------------- review


def _unit_choices(user: Any) -> list[Any]:
    """The units whose work the user reviews, grouped by kind (from the cached reference)."""
    snap = refdata.snapshot()
    units = [u for u in snap.units_by_id.values() if u.active and u.kind != UnitKind.SUPERVISOR]
    if user.role == Role.OPD_HEAD:
        units = [u for u in units if u.pk == user.unit_id]
    elif user.role == Role.FORUM_COORDINATOR:
        kecamatan = user.unit.region_id

        def in_kecamatan(unit: Any) -> bool:
            if unit.kind == UnitKind.OPD:
                return True
            if unit.kind == UnitKind.FORUM:
                return unit.region_id == kecamatan
            region = snap.regions.get(unit.region_id)
            return region is not None and region.parent_id == kecamatan

        units = [u for u in units if in_kecamatan(u)]
    groups = []
    for kind, label in (
        (UnitKind.OPD, _("OPD")),
        (UnitKind.FORUM, _("Kecamatan forums")),
        (UnitKind.KIM, _("Village KIM")),
    ):
        members = sorted((u for u in units if u.kind == kind), key=lambda u: u.name)
        if members:
            groups.append((label, [(u.code, u.name) for u in members]))
    return [("", _("All units")), *groups]


class ReviewFilterForm(forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", gettext_lazy("Both levels")),
            ("1", gettext_lazy("1 · coordinator or OPD head")),
            ("2", gettext_lazy("2 · supervisor")),
        ],
    )
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), required=False)
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), required=False)
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[
            ("", gettext_lazy("Open and acknowledged")),
            ("open", gettext_lazy("Not yet acknowledged")),
            ("acknowledged", gettext_lazy("Acknowledged")),
        ],
    )
    age = forms.TypedChoiceField(
        label=gettext_lazy("Age"), required=False, coerce=int, empty_value=None, choices=AGE_CHOICES
    )

    def __init__(self, *args: Any, user: Any, tab: str = "escalations", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tab = tab
        set_choices(self, "unit", _unit_choices(user))
        set_choices(self, "stage", [("", _("All stages")), *Stage.choices])
        if tab == "overdue":
            del self.fields["level"]
            del self.fields["state"]
            self.fields["age"].label = gettext_lazy("Overdue by")
        else:
            self.fields["age"].label = gettext_lazy("Raised")

    def values(self) -> dict[str, Any]:
        """The valid filters (an invalid one is ignored, and shown with its error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "level": data.get("level"),
            "unit": data.get("unit") or "",
            "stage": data.get("stage") or "",
            "state": data.get("state") or "",
            "age_days": data.get("age"),
        }


def _overdue_filters(values: dict[str, Any]) -> dict[str, Any]:
    return {k: values[k] for k in ("unit", "stage", "age_days")}


def _days(delta: Any) -> int:
    return max(0, delta.days)


@review_access
def review(request: OfficerRequest) -> HttpResponseBase:
    user = request.user
    now = timezone.now()
    asked = request.GET.get("tab", "")
    tab = asked if asked in TABS else "escalations"
    form = ReviewFilterForm(request.GET or None, user=user, tab=tab)
    values = form.values()  # the overdue tab's form has no level or state
    escalations = reports.escalations_for(user, now=now, **values)
    overdue = reports.overdue_tasks_for(user, now=now, **_overdue_filters(values))
    if request.GET.get("format") == "csv":
        if tab == "overdue":
            return _overdue_csv(request, overdue, now)
        return _escalations_csv(request, escalations, now)

    # counted up to COUNT_LIMIT, overdue tasks by deadline: both counts then walk an index
    # and stop, whatever the planner guesses about how many rows match
    by_deadline = overdue.order_by("due_at")  # the open-tasks-by-deadline index's order
    counts = {
        "escalations": tally(escalations, COUNT_LIMIT),
        "overdue": tally(by_deadline, COUNT_LIMIT),
    }
    rows_of: Callable[[Any], Any]
    if tab == "escalations":
        source, rows_of = escalations, _escalation_rows
    else:
        # unless there are more, every overdue task is among the first COUNT_LIMIT by
        # deadline: the page (by unit) is sorted out of those
        source = (
            overdue
            if counts["overdue"].more
            else overdue.filter(pk__in=by_deadline.values("pk")[:COUNT_LIMIT])
        )
        rows_of = _overdue_rows
    page = window(
        source,
        request.GET.get("page"),
        rows=rows_of,
        per_page=PAGE_SIZE,
        limit=COUNT_LIMIT,
        total=counts[tab],
    )
    counts[tab] = page.total  # counted further if the page lies past the first count
    rows = list(page.object_list)
    tasks = [row.task for row in rows] if tab == "escalations" else rows
    reassignable = {t.pk for t in tasks if reports.may_reassign(user, t)}
    officers = reports.officers_by_unit({t.unit_id for t in tasks if t.pk in reassignable})
    for task in tasks:
        task.can_reassign = task.pk in reassignable
        task.officer_choices = officers.get(task.unit_id, [])
    if tab == "escalations":
        levels = reports.escalation_levels(rows)
        for row in rows:
            row.levels = levels.get(row.task_id, [row])
            row.age_days = _days(now - row.created_at)
            row.can_acknowledge = user.role == Role.SUPERVISOR and row.acknowledged_at is None
            late = row.task.is_open and row.due_at < now
            row.overdue_by = _days(now - row.due_at) if late else None
    else:
        for row in rows:
            row.overdue_days = _days(now - row.due_at)

    query = request.GET.copy()
    for key in ("page", "format"):
        query.pop(key, None)
    tab_query = {}
    for name in TABS:
        copy = query.copy()
        copy["tab"] = name
        if name == "overdue":
            copy.pop("level", None)
            copy.pop("state", None)
        tab_query[name] = copy.urlencode()
    context = page_context(
        request,
        "review",
        form=form,
        tab=tab,
        page=page,
        rows=rows,
        counts=counts,
        now=now,
        query=query.urlencode(),
        tab_query=tab_query,
        is_supervisor=user.role == Role.SUPERVISOR,
        filters_active=any(v for v in values.values()),
    )
    return render(request, "web/review.html", context)


def _escalation_rows(escalations: Any) -> Any:
    return escalations.select_related(
        "case",
        "case__category",
        "case__kecamatan",
        "unit",
        "task__owner",
        "task__unit",
        "acknowledged_by",
    )


def _overdue_rows(tasks: Any) -> Any:
    return tasks.select_related("case", "case__kecamatan", "unit", "owner")


def _escalations_csv(request: OfficerRequest, rows: Any, now: datetime) -> HttpResponseBase:
    header = [
        _("Case"),
        _("Title"),
        _("Stage"),
        _("Unit code"),
        _("Unit"),
        _("Level"),
        _("Deadline"),
        _("Raised at"),
        _("Age (days)"),
        _("Assignee"),
        _("Acknowledged by"),
        _("Acknowledged at"),
        _("Comment"),
    ]

    def lines() -> Iterable[list[Any]]:
        for e in rows.iterator(chunk_size=500):
            yield [
                e.case.number,
                e.case.title,
                e.get_stage_display(),
                e.unit.code if e.unit else "",
                e.unit.name if e.unit else "",
                e.level,
                e.due_at,
                e.created_at,
                _days(now - e.created_at),
                e.task.owner.username if e.task.owner else "",
                e.acknowledged_by.username if e.acknowledged_by else "",
                e.acknowledged_at,
                e.comment,
            ]

    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return csv_response(f"eskalasi-{stamp}.csv", header, lines(), request)


def _overdue_csv(request: OfficerRequest, rows: Any, now: datetime) -> HttpResponseBase:
    header = [
        _("Case"),
        _("Title"),
        _("Case status"),
        _("Stage"),
        _("Unit code"),
        _("Unit"),
        _("Kecamatan"),
        _("Deadline"),
        _("Overdue (days)"),
        _("Assignee"),
    ]

    def lines() -> Iterable[list[Any]]:
        for t in rows.iterator(chunk_size=500):
            yield [
                t.case.number,
                t.case.title,
                t.case.get_status_display(),
                t.get_stage_display(),
                t.unit.code,
                t.unit.name,
                t.case.kecamatan.name,
                t.due_at,
                _days(now - t.due_at),
                t.owner.username if t.owner else "",
            ]

    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return csv_response(f"terlambat-{stamp}.csv", header, lines(), request)


@review_access
@require_POST
def acknowledge(request: OfficerRequest, pk: int) -> HttpResponseBase:
    try:
        escalation = services.acknowledge_escalation(
            escalation_id=pk, actor=request.user, comment=request.POST.get("comment", "")
        )
    except DomainError as error:
        report_refusal(request, error)
    else:
        messages.success(
            request,
            _("Escalation of %(number)s acknowledged.") % {"number": escalation.case.number},
        )
    return redirect(_back(request))


@review_access
@require_POST
def reassign(request: OfficerRequest, task_id: int) -> HttpResponseBase:
    task = reports.reviewable_task(request.user, task_id)
    if task is None:
        raise Http404
    to = request.POST.get("to", "")
    try:
        services.reassign_task(case=task.case, actor=request.user, to=to, task_id=task.pk)
    except DomainError as error:
        report_refusal(request, error)
    else:
        messages.success(
            request,
            _("%(number)s given to %(officer)s.") % {"number": task.case.number, "officer": to},
        )
    return redirect(_back(request))


urlpatterns = [
    path("petugas/pengawasan/", review, name="review"),
    path("petugas/pengawasan/<int:pk>/tanggapi/", acknowledge, name="review-acknowledge"),
    path("petugas/pengawasan/tugas/<int:task_id>/alihkan/", reassign, name="review-reassign"),
]

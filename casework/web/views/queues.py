"""The work queues: my tasks and the unit's unclaimed tasks, with bulk claim and reassign."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from casework import refdata, selectors, services
from casework.actions import declarations as d
from casework.actions.policy import Policy
from casework.errors import DomainError, NotFound
from casework.models import MANAGER_ROLES, CaseTask, User
from casework.ui.forms import report_refusal, safe_next

from ..csv import csv_response
from ..forms import BulkTaskForm, TaskFilterForm
from .common import COUNT_LIMIT, OfficerRequest, officer_required, page_context, tally, window

PAGE_SIZE = 25
SOON = timedelta(hours=24)
SEARCH_COUNT_LIMIT = 100


@officer_required
def tasks(request: OfficerRequest) -> HttpResponseBase:
    user = request.user
    form = TaskFilterForm(request.GET or None)
    asked = request.GET.get("tab", "")
    tab = asked if asked in ("mine", "queue") else "mine"
    filters = form.filters() if request.GET else {}
    now = timezone.now()
    lists = {
        name: selectors.filter_tasks(selectors.tasks_for(user, name), now=now, **filters)
        for name in ("mine", "queue")
    }
    if request.GET.get("format") == "csv":
        return csv_response(
            f"tugas-{tab}-{timezone.localtime(now):%Y%m%d-%H%M}.csv",
            [
                _("Case"),
                _("Title"),
                _("Case status"),
                _("Priority"),
                _("Stage"),
                _("Desa"),
                _("Due"),
                _("Assignee"),
            ],
            (
                [
                    t.case.number,
                    t.case.title,
                    t.case.get_status_display(),
                    t.case.get_priority_display(),
                    t.get_stage_display(),
                    t.case.desa.name,
                    t.due_at,
                    t.owner.username if t.owner else "",
                ]
                for t in lists[tab].iterator(chunk_size=500)
            ),
            request,
        )
    # a text search checks each task's case: its counts stop sooner
    limit = SEARCH_COUNT_LIMIT if filters.get("q") else COUNT_LIMIT
    page = window(
        lists[tab], request.GET.get("page"), rows=_task_rows, per_page=PAGE_SIZE, limit=limit
    )
    counts = {name: page.total if name == tab else tally(qs, limit) for name, qs in lists.items()}
    regions = refdata.snapshot().regions
    for task in page:
        task.overdue = task.due_at is not None and task.due_at < now
        task.soon = not task.overdue and task.due_at is not None and task.due_at < now + SOON
        desa = regions.get(task.case.desa_id)
        task.desa_name = desa.name if desa is not None else task.case.desa_id
        task.row_action = _row_action(user, task)
    query = request.GET.copy()
    query.pop("page", None)
    context = page_context(
        request,
        "tasks",
        form=form,
        tab=tab,
        page=page,
        counts=counts,
        query=query.urlencode(),
        tab_query={t: _with(query, tab=t) for t in ("mine", "queue")},
        can_reassign=user.role in MANAGER_ROLES,
        officers=(
            selectors.officers_of_unit(selectors.unit_of(user).pk)
            if user.role in MANAGER_ROLES
            else []
        ),
    )
    return render(request, "web/tasks.html", context)


def _row_action(user: User, task: CaseTask) -> str | None:
    """The one-click action a row offers on its task (claim or release), decided by the
    actions' policies as the case page and the services decide it (the row's task is all
    the decision needs; the list holds only tasks of the user's scope)."""
    for action in (d.CLAIM, d.RELEASE):
        policy = action.policy
        assert isinstance(policy, Policy)
        if policy.decide(user, task.case, [task], lambda: True).granted:
            return action.code
    return None


def _task_rows(tasks: QuerySet[CaseTask]) -> QuerySet[CaseTask]:
    """What a row of the task list shows, and no more (the desa's name comes from the cached
    reference data)."""
    return tasks.select_related("case", "owner").only(
        "status",
        "stage",
        "due_at",
        "owner_id",
        "unit_id",
        "case__number",
        "case__title",
        "case__status",
        "case__priority",
        "case__desa_id",
        "owner__username",
    )


def _with(query: QueryDict, **changes: str) -> str:
    copy = query.copy()
    for key, value in changes.items():
        copy[key] = value
    return copy.urlencode()


@officer_required
@require_POST
def bulk(request: OfficerRequest) -> HttpResponseBase:
    """Claim or reassign several tasks at once; each is its own action, reported one by one."""
    user = request.user
    ids = [int(pk) for pk in request.POST.getlist("tasks") if pk.isdigit()]
    visible = {
        t.pk: t
        for t in CaseTask.objects.filter(
            pk__in=ids, case__in=selectors.cases_for(user)
        ).select_related("case")
    }
    form = BulkTaskForm(request.POST, task_choices=list(visible))
    back = safe_next(request, "web:tasks")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    done, refused = 0, []
    for pk in form.cleaned_data["tasks"]:
        task = visible[pk]
        try:
            if form.cleaned_data["operation"] == "claim":
                services.claim_task(case=task.case, actor=user)
            else:
                services.reassign_task(
                    case=task.case, actor=user, to=form.cleaned_data["to"], task_id=task.pk
                )
            done += 1
        except DomainError as error:
            refused.append(f"{task.case.number}: {error.detail}")
    if done:
        messages.success(
            request, ngettext("%(n)d task done.", "%(n)d tasks done.", done) % {"n": done}
        )
    for line in refused:
        messages.error(request, line)
    return redirect(back)


@officer_required
@require_POST
def claim_and_open(request: OfficerRequest, number: str) -> HttpResponseBase:
    """Claim the case's open task from the queue and open the case to work on it; a refusal
    (another officer was quicker) is reported on the page the claim came from."""
    user = request.user
    try:
        case = selectors.case_for(user, number)
    except NotFound:
        raise Http404 from None
    try:
        services.claim_task(case=case, actor=user)
    except DomainError as error:
        report_refusal(request, error)
        return redirect(safe_next(request, "web:tasks"))
    messages.success(request, str(d.CLAIM.done))
    return redirect("web:case", number=case.number)

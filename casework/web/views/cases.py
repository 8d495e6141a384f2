"""The case page, the officer actions taken from it, the case list with its CSV export, and
the download of attachments.

Every view reaches a case through :mod:`casework.selectors` (404 outside the reader's scope)
and changes it only through the service of the action; the forms check shapes only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import (
    Http404,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import actions, disclosure, ports, selectors
from casework.errors import DomainError, InvalidInput, NotFound, Unavailable
from casework.filters import CaseFilter
from casework.models import (
    AssignmentStatus,
    Attachment,
    Case,
    CaseStatus,
    CaseTask,
    Priority,
)
from casework.ui.files import file_response
from casework.ui.forms import errors_onto_form, report_refusal, safe_next

from ..action_forms import (
    ACTION_FORMS,
    ONE_CLICK,
    ActionForm,
    DispatchForm,
    MergeForm,
    ReassignForm,
)
from ..csv import csv_response
from ..forms import CaseFilterForm
from ..similar import similar_cases
from .common import OfficerRequest, officer_required, page_context, paginate

PAGE_SIZE = 25
SOON = timedelta(hours=24)
MERGE_SHOWN = 10

# payload fields shown in the timeline, in this order
PAYLOAD_LABELS = {
    "question": gettext_lazy("Question"),
    "text": gettext_lazy("Information"),
    "response": gettext_lazy("Answer"),
    "reason": gettext_lazy("Reason"),
    "note": gettext_lazy("Note"),
    "comment": gettext_lazy("Comment"),
    "opds": gettext_lazy("OPD"),
    "opd": gettext_lazy("OPD"),
    "suggested_opd": gettext_lazy("Suggested OPD"),
    "into": gettext_lazy("Merged into"),
    "merged_from": gettext_lazy("Merged from"),
    "to": gettext_lazy("Given to"),
    "rating": gettext_lazy("Rating"),
    "level": gettext_lazy("Level"),
}
# a case its desa's KIM operator recorded: recorded and verified in one event
RECORDED_AND_VERIFIED = gettext_lazy("Recorded and verified by the village KIM")
OPD_KEYS = frozenset({"opds", "opd", "suggested_opd"})  # payload fields holding OPD codes
STATUS_LABELS = dict(CaseStatus.choices)
PRIORITY_LABELS = dict(Priority.choices)


def _case_or_404(user: Any, number: str) -> Case:
    try:
        return selectors.case_for(user, number)
    except NotFound:
        raise Http404 from None


def _back(request: OfficerRequest, number: str) -> str:
    return safe_next(request, "web:case", number)


# ----------------------------------------------------------------------------- process chart


def process_chart(case: Case) -> str:
    """The process chart as inline SVG with this case's position marked (the process
    engine's, through its port)."""
    return ports.engine().chart_svg(case, translation.get_language() or "id")


# ----------------------------------------------------------------------------- case page


def _action_forms(
    user: Any,
    case: Case,
    tasks: list[CaseTask],
    allowed: list[str],
    bound: ActionForm | None,
    *,
    similar: bool,
) -> list[ActionForm]:
    forms = []
    for action in allowed:
        if bound is not None and bound.action == action:
            forms.append(bound)
            continue
        forms.append(
            _new_form(action, None, None, user=user, case=case, tasks=tasks, similar=similar)
        )
    return forms


def _new_form(
    action: str,
    data: Any,
    files: Any,
    *,
    user: Any,
    case: Case,
    tasks: list[CaseTask],
    similar: bool = True,
) -> ActionForm:
    """The form of ``action``; the merge form's similar cases are looked for only when
    ``similar`` (a text search of the kecamatan: the page asks for them when the form is
    opened, see :func:`case_similar`)."""
    form_class = ACTION_FORMS[action]
    extra: dict[str, Any] = {}
    if issubclass(form_class, MergeForm):
        extra["candidates"] = similar_cases(user, case, MERGE_SHOWN) if similar else None
    elif issubclass(form_class, ReassignForm):
        extra["officers"] = _officers_by_task(user, tasks)
    return form_class(data, files, case=case, user=user, tasks=tasks, **extra)


def _officers_by_task(user: Any, tasks: list[CaseTask]) -> dict[int, list[Any]]:
    by_unit: dict[int, list[Any]] = {}
    officers = {}
    for task in tasks:
        if task.unit_id is None:
            continue
        if task.unit_id not in by_unit:
            by_unit[task.unit_id] = list(selectors.officers_of_unit(task.unit_id))
        officers[task.pk] = by_unit[task.unit_id]
    return officers


def _timeline(case: Case, files_by_event: dict[int, list[Attachment]]) -> list[dict[str, Any]]:
    items = []
    for event in case.event_list:
        payload = event.payload if isinstance(event.payload, dict) else {}
        details = []
        for key, label in PAYLOAD_LABELS.items():
            value = payload.get(key)
            if value in (None, "", []):
                continue
            if key in OPD_KEYS:  # agencies by name, not code
                codes = value if isinstance(value, list) else [value]
                value = [disclosure.opd_name(str(code)) for code in codes]
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            details.append({"key": key, "label": label, "value": str(value)})
        declared = actions.find(event.action)
        items.append(
            {
                "event": event,
                "label": (
                    RECORDED_AND_VERIFIED
                    if event.action == "submit" and payload.get("verified")
                    else declared.event
                    if declared is not None
                    else event.action
                ),
                "actor": event.actor.get_username() if event.actor is not None else None,
                "from_label": STATUS_LABELS.get(event.from_status, event.from_status),
                "to_label": STATUS_LABELS.get(event.to_status, event.to_status),
                "changed": event.from_status != event.to_status,
                "details": details,
                "files": files_by_event.get(event.pk, []),
            }
        )
    return items


def _objection(case: Case) -> dict[str, Any] | None:
    """The reporter's latest objection while the case is reopened for it, with the answers
    it disputes."""
    if case.status != CaseStatus.IN_PROGRESS:
        return None
    disputes = [e for e in case.event_list if e.action == "dispute"]
    if not disputes:
        return None
    event = disputes[-1]
    payload = event.payload if isinstance(event.payload, dict) else {}
    answers = [
        a for a in case.assignment_list if a.status == AssignmentStatus.ACCEPTED and a.response
    ]
    return {"event": event, "reason": payload.get("reason", ""), "answers": answers}


def _render_case(
    request: OfficerRequest, number: str, *, bound: ActionForm | None = None, status: int = 200
) -> HttpResponseBase:
    user = request.user
    try:
        case = selectors.case_detail(user, number)
    except NotFound:
        raise Http404 from None
    now = timezone.now()
    tasks = case.open_task_list
    for task in tasks:
        task.overdue = task.due_at is not None and task.due_at < now
        task.soon = not task.overdue and task.due_at is not None and task.due_at < now + SOON
    dues = [t.due_at for t in tasks if t.due_at is not None]
    allowed = actions.allowed(user, case, tasks)
    files = selectors.attachments_of(case)
    files_by_event: dict[int, list[Attachment]] = defaultdict(list)
    for item in files:
        if item.event_id is not None:
            files_by_event[item.event_id].append(item)
    action_forms = _action_forms(
        user, case, tasks, allowed, bound, similar=request.GET.get("serupa") == "1"
    )
    context = page_context(
        request,
        "cases",
        case=case,
        tasks=tasks,
        next_due=min(dues) if dues else None,
        next_overdue=bool(dues) and min(dues) < now,
        target_overdue=case.target_at is not None and case.is_open and case.target_at < now,
        reporter=disclosure.reporter_for(user, case),
        attachments=files,
        timeline=_timeline(case, files_by_event),
        one_click=[f for f in action_forms if f.action in ONE_CLICK],
        with_input=[f for f in action_forms if f.action not in ONE_CLICK],
        bound_action=bound.action if bound is not None else None,
        chart=mark_safe(process_chart(case)),  # noqa: S308  (rendered from the flow's own template)
        current_steps=[t.get_stage_display() for t in tasks],
        map_url=_map_url(case),
        objection=_objection(case),
        opened_action="merge" if request.GET.get("serupa") == "1" else None,
    )
    return render(request, "web/case.html", context, status=status)


def _map_url(case: Case) -> str | None:
    if case.latitude is None or case.longitude is None:
        return None
    lat, lon = case.latitude, case.longitude
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


@officer_required
def case_page(request: OfficerRequest, number: str) -> HttpResponseBase:
    return _render_case(request, number)


@officer_required
def case_action(request: OfficerRequest, number: str, action: str) -> HttpResponseBase:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if action not in ACTION_FORMS:
        raise Http404
    user = request.user
    case = _case_or_404(user, number)  # 404 outside the scope
    tasks = list(selectors.open_tasks(case))
    if action not in actions.allowed(user, case, tasks):
        messages.error(request, _("You may not take this action on this case now."))
        return redirect(_back(request, number))
    form = _new_form(action, request.POST, request.FILES, user=user, case=case, tasks=tasks)
    if not form.is_valid():
        return _render_case(request, number, bound=form, status=400)
    declared = actions.get(action)
    try:
        case = declared.service(case=case, actor=user, **form.service_kwargs())
    except InvalidInput as error:
        if not errors_onto_form(form, error, renamed={"task_id": "task"}):
            report_refusal(request, error)
            return redirect(_back(request, number))
        return _render_case(request, number, bound=form, status=400)
    except Unavailable as error:
        form.add_error(None, str(error.detail))
        return _render_case(request, number, bound=form, status=error.status_code)
    except DomainError as error:
        report_refusal(request, error)
        return redirect(_back(request, number))
    messages.success(request, str(declared.done))
    if action in ("claim", "release"):
        return redirect(_back(request, number))
    still_mine = actions.allowed(user, case, list(selectors.open_tasks(case)))
    if still_mine:
        return redirect("web:case", number=number)
    return redirect("web:tasks")  # the case has left the user's hands


@officer_required
def case_routing(request: OfficerRequest, number: str) -> HttpResponseBase:
    """The dispatch form's OPD boxes for the category picked (htmx): the routing rule's
    suggestion for it ticked, the boxes the officer ticked by hand kept."""
    user = request.user
    case = _case_or_404(user, number)  # 404 outside the scope
    form = ACTION_FORMS["dispatch"](None, case=case, user=user)
    assert isinstance(form, DispatchForm)
    form.reroute(
        str(request.GET.get("category", "")),
        request.GET.getlist("opds"),
        str(request.GET.get("suggested", "")),
    )
    response = render(request, "web/partials/dispatch_routing.html", {"form": form})
    response["Cache-Control"] = "private, no-store"
    return response


@officer_required
def case_similar(request: OfficerRequest, number: str) -> HttpResponseBase:
    """The merge form's similar open cases (htmx, when the form is opened): looked for only
    for an officer who may merge this case now."""
    user = request.user
    case = _case_or_404(user, number)  # 404 outside the scope
    tasks = list(selectors.open_tasks(case))
    if "merge" not in actions.allowed(user, case, tasks):
        raise Http404
    form = _new_form("merge", None, None, user=user, case=case, tasks=tasks)
    response = render(request, "web/partials/merge_candidates.html", {"form": form})
    response["Cache-Control"] = "private, no-store"
    return response


# ----------------------------------------------------------------------------- attachments


@officer_required
def attachment_download(request: OfficerRequest, pk: int) -> HttpResponseBase:
    """An attachment (or a photo's small copy, ``?size=``), only to officers who may see its
    case, checked on every request; never from a public URL."""
    found = Attachment.objects.select_related("case").filter(pk=pk).first()
    if found is None:
        raise Http404
    _case_or_404(request.user, found.case.number)
    return file_response(request, found)


# ----------------------------------------------------------------------------- case list


def _filtered_cases(request: OfficerRequest) -> tuple[CaseFilterForm, Any]:
    user = request.user
    form = CaseFilterForm(request.GET or None, user=user)
    cases = selectors.cases_for(user).order_by("-created_at", "-id")
    filters = form.filters()
    if filters:
        filterset = CaseFilter(data=filters, queryset=cases)
        cases = filterset.qs if filterset.is_valid() else cases.none()
    return form, cases


def _nearest_due(case: Case) -> Any:
    dues = [t.due_at for t in getattr(case, "open_task_list", []) if t.due_at is not None]
    return min(dues) if dues else None


@officer_required
def case_list(request: OfficerRequest) -> HttpResponseBase:
    if request.GET.get("format") == "csv":
        return _csv_export(request)
    form, cases = _filtered_cases(request)
    count = cases.count()
    page = paginate(
        cases.prefetch_related(selectors.prefetch_open_tasks()),
        count,
        request.GET.get("page"),
        PAGE_SIZE,
    )
    now = timezone.now()
    for case in page:
        case.next_due = _nearest_due(case)
        case.overdue = case.next_due is not None and case.next_due < now
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = page_context(
        request,
        "cases",
        form=form,
        page=page,
        count=count,
        query=query.urlencode(),
    )
    partial = (
        request.headers.get("HX-Request") == "true"
        and not request.headers.get("HX-Boosted")
        and not request.headers.get("HX-History-Restore-Request")
    )
    template = "web/partials/case_list_results.html" if partial else "web/cases.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


CSV_HEADER = (
    gettext_lazy("Number"),
    gettext_lazy("Title"),
    gettext_lazy("Status"),
    gettext_lazy("Priority"),
    gettext_lazy("Category"),
    gettext_lazy("Kecamatan"),
    gettext_lazy("Desa/kelurahan"),
    gettext_lazy("Received at"),
    gettext_lazy("Nearest due"),
    gettext_lazy("Supporters"),
)


def _csv_rows(cases: Any) -> Iterator[list[Any]]:
    for case in cases:
        yield [
            case.number,
            case.title,
            STATUS_LABELS.get(case.status, case.status),
            PRIORITY_LABELS.get(case.priority, case.priority),
            case.category.name,
            case.kecamatan.name,
            case.desa.name,
            case.created_at,
            _nearest_due(case),
            case.supporters,
        ]


def _csv_export(request: OfficerRequest) -> StreamingHttpResponse:
    """The list as filtered, every page, streamed; reporters are never part of it."""
    _form, cases = _filtered_cases(request)
    rows = cases.prefetch_related(selectors.prefetch_open_tasks()).iterator(chunk_size=500)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_response(f"aspirasi-{stamp}.csv", CSV_HEADER, _csv_rows(rows), request)


urlpatterns = [
    path("petugas/laporan/", case_list, name="cases"),
    path("petugas/laporan/<str:number>/", case_page, name="case"),
    path("petugas/laporan/<str:number>/aksi/<str:action>/", case_action, name="case-action"),
    path("petugas/laporan/<str:number>/rute/", case_routing, name="case-routing"),
    path("petugas/laporan/<str:number>/serupa/", case_similar, name="case-similar"),
    path("petugas/lampiran/<int:pk>/", attachment_download, name="attachment"),
]

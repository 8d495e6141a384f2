"""Public pages for citizens. Views parse input, call a selector or a service and shape the
page; what the public may see of a case is :mod:`casework.disclosure`'s to decide.

The tracking code is the key: the confirmation page, the tracking page and its actions are
reached only with it, answer "not found" alike for a wrong and a malformed code, are counted
against the client's lookup limit, and are never cached. No page names a reporter or an
officer.

Confidential (rahasia) cases: the tracking page shows only their number and status, like the
API; the forms for the reporter's actions still appear (supplying information, confirming or
disputing the answer), since whoever holds the code is the reporter. The question and the
answer reach a rahasia reporter through the update channel they chose, or their village KIM.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from casework import actions, disclosure, refdata, selectors, services
from casework.actions import declarations as d
from casework.errors import DomainError, InvalidInput, NotFound, Unavailable
from casework.models import Case, CaseStatus, Channel, Confidentiality, RegionLevel, Stage
from casework.ratelimit import limit
from casework.ui.charts import bar_chart, percent
from casework.ui.forms import errors_onto_form, report_refusal

from . import transparency
from .forms import CITIZEN_FORMS, HONEYPOT, SubmitForm, TrackForm

log = logging.getLogger(__name__)

PAGE_SIZE = 10
FIGURES_CACHE_KEY = "public:transparency:v1"
FIGURES_TTL = 300  # seconds: the figures move slowly; the page may be busy


# ----------------------------------------------------------------------------- home


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html")


# ----------------------------------------------------------------------------- submit


@require_http_methods(["GET", "POST"])
@limit("submit", "ASPIRASI_RATE_SUBMIT")
def submit(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        if request.POST.get(HONEYPOT, "").strip():
            # a bot filled the field no person sees: it is told what a person would be told,
            # and nothing is recorded
            log.info("public submission dropped: honeypot filled")
            return render(request, "public/thanks.html")
        form = SubmitForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                case = d.SUBMIT.service(actor=None, channel=Channel.WEB, **form.service_kwargs())
            except InvalidInput as error:
                errors_onto_form(form, error)
            except Unavailable as error:
                # nothing was recorded: the citizen sends the same form again
                form.add_error(None, str(error.detail))
                status = error.status_code
            except DomainError as error:
                report_refusal(request, error)
            else:
                return redirect("public:submitted", code=case.tracking_code)
    else:
        form = SubmitForm()
    files_lost = request.method == "POST" and bool(request.FILES)
    return render(
        request, "public/submit.html", {"form": form, "files_lost": files_lost}, status=status
    )


@never_cache
@limit("track", "ASPIRASI_RATE_TRACK", method="GET")
def submitted(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmation after a submission: the case number and the tracking code."""
    case = _by_code(code)
    if case is None:
        return _not_found(request)
    view = disclosure.public_view(case, [])
    context = {
        "case": case,
        "view": view,
        "tracking_code": services.format_tracking_code(case.tracking_code),
        "case_url": request.build_absolute_uri(
            reverse("public:case", kwargs={"code": case.tracking_code})
        ),
        "verification": case.status == CaseStatus.RECEIVED,
        "rahasia": case.confidentiality == Confidentiality.RAHASIA,
    }
    return render(request, "public/submitted.html", context)


# ----------------------------------------------------------------------------- tracking


def _by_code(code: str) -> Case | None:
    normalised = selectors.normalise_tracking_code(code or "")
    if len(normalised) != services.TRACKING_LENGTH:
        return None  # malformed: answered like an unknown code
    try:
        return selectors.case_by_tracking_code(normalised)
    except NotFound:
        return None


def _not_found(request: HttpRequest, form: TrackForm | None = None) -> HttpResponse:
    """One answer for every code that leads nowhere: no hint of what was wrong."""
    context = {"form": form or TrackForm(), "not_found": True}
    return render(request, "public/track.html", context, status=404)


@never_cache
@limit("track", "ASPIRASI_RATE_TRACK", method="GET")
def track(request: HttpRequest) -> HttpResponse:
    """The form for the code (``?kode=``); with a code, the case's page itself (one lookup,
    counted once)."""
    if "kode" not in request.GET:
        return render(request, "public/track.html", {"form": TrackForm()})
    form = TrackForm(request.GET)
    if not form.is_valid():
        return render(request, "public/track.html", {"form": form}, status=400)
    case = _by_code(form.cleaned_data["kode"])
    if case is None:
        return _not_found(request, form)
    return _case_page(request, case)


@never_cache
@limit("track", "ASPIRASI_RATE_TRACK", method="GET")
def case_page(request: HttpRequest, code: str) -> HttpResponse:
    case = _by_code(code)
    if case is None:
        return _not_found(request)
    return _case_page(request, case)


@require_POST
@never_cache
@limit("track_action", "ASPIRASI_RATE_SUBMIT")
def citizen_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Supply information, confirm or dispute: by whoever holds the code."""
    form_class = CITIZEN_FORMS.get(action)
    if form_class is None:
        raise Http404
    case = _by_code(code)
    if case is None:
        return _not_found(request)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return _case_page(request, case, bound=form, status=400)
    declared = actions.get(action)
    try:
        case = declared.service(case=case, **form.service_kwargs())
    except InvalidInput as error:
        if errors_onto_form(form, error):
            return _case_page(request, case, bound=form, status=400)
        report_refusal(request, error)
    except Unavailable as error:
        form.add_error(None, str(error.detail))
        return _case_page(request, case, bound=form, status=error.status_code)
    except DomainError as error:
        report_refusal(request, error)
    else:
        assert declared.reporter is not None
        messages.success(request, str(declared.reporter.done))
    return redirect("public:case", code=case.tracking_code)


def _case_page(
    request: HttpRequest, case: Case, *, bound: Any = None, status: int = 200
) -> HttpResponse:
    events = list(selectors.case_events(case))
    view = disclosure.public_view(case, events)
    rahasia = case.confidentiality == Confidentiality.RAHASIA
    if rahasia:
        # the public view of a rahasia case carries no actions; the reporter's are the same
        # as for any case (disclosure's rule)
        actions = disclosure.citizen_actions(case, events)
    else:
        actions = view["allowed_actions"]
    if bound is not None and bound.action not in actions:
        # a stale page: the case moved on since the form was shown
        messages.error(request, _("This is not possible any more: the case has moved on."))
    forms = []
    for action in actions:
        if bound is not None and bound.action == action:
            forms.append(bound)
        else:
            forms.append(CITIZEN_FORMS[action]())
    labels = dict(CaseStatus.choices)
    timeline = [
        {**item, "to_label": labels.get(item["to_status"], "")}
        if item["to_status"] and item["to_status"] != item["from_status"]
        else item
        for item in view.get("timeline", [])
    ]
    context = {
        "case": case,
        "view": view,
        "timeline": timeline,
        "rahasia": rahasia,
        "tracking_code": services.format_tracking_code(case.tracking_code),
        "code": case.tracking_code,
        "holders": [] if rahasia else _holders(case),
        "forms": forms,
        "bound_action": bound.action if bound is not None else "",
    }
    return render(request, "public/case.html", context, status=status)


def _holders(case: Case) -> list[dict[str, Any]]:
    """Who holds the case now, by unit (KIM desa, Forum KIM Kecamatan, OPD) and never by
    person, with the deadline of each open stage (none while the clock waits for the
    reporter's information)."""
    paused = case.status == CaseStatus.NEEDS_INFO
    holders = []
    for task in selectors.open_tasks(case):
        if task.stage == Stage.CONFIRMATION:
            who = _("You, the reporter")
        elif task.unit is not None:
            who = task.unit.name
        else:
            continue
        holders.append(
            {
                "who": who,
                "stage": task.get_stage_display(),
                "confirmation": task.stage == Stage.CONFIRMATION,
                "due_at": None if paused else task.due_at,
            }
        )
    return holders


# ----------------------------------------------------------------------------- transparency


def _figures(now: Any) -> transparency.Figures:
    """The aggregates, from the shared cache when fresh (a cache outage only costs time)."""
    try:
        found = cache.get(FIGURES_CACHE_KEY)
    except Exception:  # noqa: BLE001  (cache down: compute)
        found = None
    if isinstance(found, transparency.Figures):
        return found
    found = transparency.figures(now)
    try:
        cache.set(FIGURES_CACHE_KEY, found, FIGURES_TTL)
    except Exception:  # noqa: BLE001
        log.warning("transparency figures not cached: cache unavailable")
    return found


def transparency_page(request: HttpRequest) -> HttpResponse:
    figures = _figures(timezone.now())
    kecamatan_names = {
        r.code: r.name
        for r in refdata.snapshot().regions.values()
        if r.level == RegionLevel.KECAMATAN
    }
    chosen = request.GET.get("kecamatan", "")
    if chosen not in kecamatan_names:
        chosen = ""
    paginator = Paginator(transparency.answered_cases(chosen), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("halaman"))
    items = [transparency.public_item(case) for case in page.object_list]

    # bars only where there is something to see; the table lists every kecamatan
    received_chart = bar_chart(
        [{"label": row.label, "value": row.received} for row in figures.kecamatan if row.received]
    )
    on_time_items = [
        {
            "label": row.label,
            "value": round(row.on_time_rate * 100),
            "tone": _tone(row.on_time_rate),
            "rate": row.on_time_rate,
        }
        for row in figures.opd
        if row.on_time_rate is not None
    ]
    on_time_chart = bar_chart(on_time_items, text=lambda item: percent(item["rate"]))
    context = {
        "figures": figures,
        "start": figures.start,
        "total": _display(figures.total),
        "kecamatan_rows": [_display(row) for row in figures.kecamatan],
        "opd_rows": [_display(row) for row in figures.opd],
        "received_chart": received_chart,
        "on_time_chart": on_time_chart,
        "page": page,
        "items": items,
        "kecamatan_choices": sorted(kecamatan_names.items(), key=lambda pair: pair[1]),
        "chosen": chosen,
    }
    return render(request, "public/transparency.html", context)


def _display(row: transparency.Row) -> dict[str, Any]:
    days = row.median_days
    return {
        "code": row.code,
        "label": row.label,
        "received": row.received,
        "answered": row.answered,
        "answered_rate": percent(row.answered_rate),
        "on_time": row.on_time,
        "responses": row.responses,
        "on_time_rate": percent(row.on_time_rate),
        "days": formats.number_format(round(days, 1), 1) if days is not None else "–",
    }


def _tone(rate: float | None) -> str:
    """Bars of a poor on-time rate (under half) stand out."""
    return "poor" if rate is not None and rate < 0.5 else ""

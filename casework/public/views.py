"""Public pages for citizens. Views parse input, call a selector or a service and shape the
page; what the public may see of a case is :mod:`casework.disclosure`'s to decide.

The tracking code is the key: the confirmation page, the tracking page and its actions are
reached only with it, answer "not found" alike for a wrong and a malformed code, are counted
against the client's lookup limit, and are never cached. No page names a reporter or an
officer.

Whoever holds the code is the reporter: the tracking page shows them their own case in full
(disclosure's reporter view), a confidential (rahasia) one included, with the files they sent
and those of the agencies' follow-ups, opened through the same code. What a rahasia case keeps
from view is everything public: the transparency page lists nothing of it.

A case number is no key: typed where the code belongs, it gets where the code is to be found
and the offer to send the link again to the contact on file, the same page for every number
of that shape, and the same answer to the request whether or not number and contact match.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from casework import (
    actions,
    disclosure,
    idempotency,
    numbers,
    refdata,
    reports,
    selectors,
    services,
)
from casework.actions import declarations as d
from casework.errors import DomainError, InvalidInput, KeyReused, NotFound, Unavailable
from casework.models import Case, CaseStatus, Channel, Confidentiality, RegionLevel, Stage
from casework.ratelimit import limit
from casework.ui.charts import bar_chart, percent
from casework.ui.files import file_response
from casework.ui.forms import (
    HeldFiles,
    error_summary,
    errors_onto_form,
    report_refusal,
    submission_claim,
    submission_key,
)
from casework.ui.receipt import steps_ahead

from . import transparency
from .forms import CITIZEN_FORMS, HONEYPOT, SubmitForm, TrackForm
from .resend import ResendForm

log = logging.getLogger(__name__)

PAGE_SIZE = 10
FIGURES_CACHE_KEY = "public:transparency:v2"
FIGURES_TTL = 300  # seconds: the figures move slowly; the page may be busy
NBSP = "\N{NO-BREAK SPACE}"


# ----------------------------------------------------------------------------- home


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html")


# ----------------------------------------------------------------------------- submit


@require_http_methods(["GET", "POST"])
@limit("submit", "ASPIRASI_RATE_SUBMIT")
def submit(request: HttpRequest) -> HttpResponse:
    status = 200
    sent_before: dict[str, str] | None = None
    key = submission_key(request)
    if request.method == "POST":
        if request.POST.get(HONEYPOT, "").strip():
            # a bot filled the field no person sees: it is told what a person would be told,
            # and nothing is recorded
            log.info("public submission dropped: honeypot filled")
            return render(request, "public/thanks.html")
        form = SubmitForm(request.POST, request.FILES)
        held = HeldFiles.from_post(request.POST)
        status = 400
        if form.is_valid():
            kwargs = form.service_kwargs()
            kwargs["attachments"] = [*held.uploads(), *kwargs.get("attachments", ())]
            # sent again after a lost reply, the form gives the receipt of its first sending
            claim = submission_claim(request, idempotency.PUBLIC_FORM)
            try:
                case = d.SUBMIT.service(
                    actor=None, channel=Channel.WEB, idempotency=claim, **kwargs
                )
            except InvalidInput as error:
                errors_onto_form(form, error)
            except Unavailable as error:
                # nothing was recorded: the citizen sends the same form again
                form.add_error(None, str(error.detail))
                status = error.status_code
            except KeyReused as error:
                # sent before with other content: the first receipt, and a new key to send
                # this content as a new aspiration
                sent_before = {
                    "number": error.case.number,
                    "url": reverse("public:submitted", kwargs={"code": error.case.tracking_code}),
                }
                key, status = idempotency.new_form_key(), error.status_code
            except DomainError as error:
                report_refusal(request, error)
            else:
                held.discard()
                return redirect("public:submitted", code=case.tracking_code)
        # refused: the files that pass the checks wait for the next try
        held.hold(request.FILES.getlist("attachments"))
    else:
        form = SubmitForm()
        held = HeldFiles()
    context = {
        "form": form,
        "summary": error_summary(form),
        "held": held,
        "submission_key": key,
        "sent_before": sent_before,
    }
    return render(request, "public/submit.html", context, status=status)


@never_cache
@limit("track", "ASPIRASI_RATE_TRACK", method="GET")
def submitted(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmation after a submission: the case number and the tracking code."""
    case = _by_code(code)
    if case is None:
        return _not_found(request)
    view = disclosure.reporter_view(case, [])
    context = {
        "case": case,
        "view": view,
        "tracking_code": services.format_tracking_code(case.tracking_code),
        "case_url": request.build_absolute_uri(
            reverse("public:case", kwargs={"code": case.tracking_code})
        ),
        "steps": steps_ahead(case),
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


def _number_given(
    request: HttpRequest,
    number: str,
    *,
    form: TrackForm | None = None,
    resend: ResendForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """A case number where the tracking code belongs: where the code is, and the offer to
    send the link again. The same page for every number of that shape, whether a case has it
    or not."""
    context = {
        "form": form or TrackForm(),
        "number_given": number,
        "resend_form": resend or ResendForm(initial={"number": number}),
    }
    return render(request, "public/track.html", context, status=status)


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
    number = numbers.as_case_number(form.cleaned_data["kode"])
    if number is not None:
        return _number_given(request, number, form=form)
    case = _by_code(form.cleaned_data["kode"])
    if case is None:
        return _not_found(request, form)
    return _case_page(request, case)


@never_cache
@limit("track", "ASPIRASI_RATE_TRACK", method="GET")
def case_page(request: HttpRequest, code: str) -> HttpResponse:
    number = numbers.as_case_number(code)
    if number is not None:
        return _number_given(request, number, status=404)
    case = _by_code(code)
    if case is None:
        return _not_found(request)
    return _case_page(request, case)


@require_POST
@never_cache
@limit("resend", "ASPIRASI_RATE_RESEND")
def resend(request: HttpRequest) -> HttpResponse:
    """Send the tracking link again to the contact on file. One answer whether or not the
    number and the contact match (the service tells nothing either)."""
    form = ResendForm(request.POST)
    if form.is_valid():
        try:
            services.resend_tracking_link(**form.service_kwargs())
        except InvalidInput as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, str(services.RESEND_ANSWER))
            return redirect("public:track")
    number = numbers.as_case_number(request.POST.get("number", "")) or ""
    return _number_given(request, number, resend=form, status=400)


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
    view = disclosure.reporter_view(case, events, selectors.attachments_of(case))
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
        "rahasia": case.confidentiality == Confidentiality.RAHASIA,
        "tracking_code": services.format_tracking_code(case.tracking_code),
        "code": case.tracking_code,
        "holders": _holders(case),
        "map_url": _map_url(view),
        "forms": forms,
        "bound_action": bound.action if bound is not None else "",
    }
    return render(request, "public/case.html", context, status=status)


def _map_url(view: dict[str, Any]) -> str | None:
    """The place the reporter marked, on OpenStreetMap (a link: the page loads no map)."""
    lat, lon = view.get("latitude"), view.get("longitude")
    if lat is None or lon is None:
        return None
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


@limit("track", "ASPIRASI_RATE_TRACK", method="GET")
def attachment(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    """A file of the case (or a photo's small copy, ``?size=``), to the holder of its code:
    what they sent, and the agencies' follow-ups (disclosure's rule), checked on every
    request; any other file, code or number answers 404. Kept by the reader's browser
    only (``casework.ui.files``)."""
    case = _by_code(code)
    if case is None:
        raise Http404
    try:
        found = selectors.case_attachment(case, pk)
    except NotFound:
        raise Http404 from None
    if not disclosure.reporter_may_open(found):
        raise Http404
    assert found.event is not None  # reporter_may_open: it came with an event
    return file_response(
        request, found, name=disclosure.public_file_name(found, found.event.action)
    )


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


def _kecamatan_names() -> dict[str, str]:
    return {
        r.code: r.name
        for r in refdata.snapshot().regions.values()
        if r.level == RegionLevel.KECAMATAN
    }


def transparency_page(request: HttpRequest) -> HttpResponse:
    figures = _figures(timezone.now())
    kecamatan_names = _kecamatan_names()
    period = _period(figures.start, figures.end)
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
            "label": f"{row.label} ({_number(row.punctuality.on_time)}"
            f"/{_number(row.punctuality.total)})",
            "value": round(row.on_time_rate * 100),
            "tone": _tone(row.on_time_rate),
            "rate": row.on_time_rate,
        }
        for row in figures.opd
        if row.on_time_rate is not None
    ]
    on_time_chart = bar_chart(on_time_items, text=lambda item: _rate(item["rate"]))
    total = _display(figures.total)
    if figures.total.punctuality.total:
        total["on_time_detail"] = _("%(rate)s on time: %(counts)s, %(period)s; %(late)s.") % {
            "rate": total["on_time_rate"],
            "counts": _share(figures.total.punctuality),
            "period": period,
            "late": _lateness(figures.total.punctuality),
        }
    else:
        total["on_time_detail"] = _("No agency task was due in %(period)s.") % {"period": period}
    context = {
        "figures": figures,
        "start": figures.start,
        "period": period,
        "total": total,
        "kecamatan_rows": [_display(row) for row in figures.kecamatan if row.has_data],
        "kecamatan_empty": [row for row in figures.kecamatan if not row.has_data],
        "opd_rows": [_display(row) for row in figures.opd if row.has_data],
        "opd_empty": [row for row in figures.opd if not row.has_data],
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
    work = row.punctuality
    return {
        "code": row.code,
        "label": row.label,
        "received": row.received,
        "answered": row.answered,
        "answered_rate": percent(row.answered_rate),
        "on_time": work.on_time,
        "tasks": work.total,
        "overdue": work.overdue,
        "on_time_rate": _rate(row.on_time_rate),
        "on_time_counts": _share(work) if work.total else "",
        "unanswered": _unanswered(work.overdue) if work.overdue else "",
        "days": formats.number_format(round(days, 1), 1) if days is not None else "–",
    }


def _rate(rate: float | None) -> str:
    """A share in whole percent that never reads 100% while some work was late, nor 0%
    while some was on time."""
    if rate is not None and 0 < rate < 1:
        rate = min(max(rate, 0.01), 0.99)
    return percent(rate)


def _number(n: int) -> str:
    return formats.number_format(n, force_grouping=True)


def _share(work: reports.Punctuality) -> str:
    """ "45 of 58 agency tasks": the counts behind an on-time rate."""
    return ngettext(
        "%(on_time)s of %(total)s agency task",
        "%(on_time)s of %(total)s agency tasks",
        work.total,
    ) % {"on_time": _number(work.on_time), "total": _number(work.total)}


def _unanswered(n: int) -> str:
    return ngettext(
        "%(n)s overdue, not answered yet",
        "%(n)s overdue, not answered yet",
        n,
    ) % {"n": _number(n)}


def _lateness(work: reports.Punctuality) -> str:
    """ "13 late, including 9 not answered yet"."""
    if work.overdue:
        return ngettext(
            "%(late)s late, including %(overdue)s not answered yet",
            "%(late)s late, including %(overdue)s not answered yet",
            work.late,
        ) % {"late": _number(work.late), "overdue": _number(work.overdue)}
    if work.late:
        return _("%(late)s late") % {"late": _number(work.late)}
    return _("none late")


def _period(start: date, end: datetime) -> str:
    """ "1 Jan–30 Nov 2026": the window of the figures, in the local calendar (each date kept
    on one line)."""
    last = timezone.localtime(end, reports.local_zone()).date()
    first_format = "j M" if start.year == last.year else "j M Y"
    first = formats.date_format(start, first_format)
    return f"{first}–{formats.date_format(last, 'j M Y')}".replace(" ", NBSP)


def _tone(rate: float | None) -> str:
    """Bars of a poor on-time rate (under half) stand out."""
    return "poor" if rate is not None and rate < 0.5 else ""


def kecamatan_page(request: HttpRequest, code: str) -> HttpResponse:
    """A kecamatan's aspirations of the transparency page's window that anyone may read:
    title, place, status, the OPD handling them and the dates; never a person, never a
    rahasia case."""
    name = _kecamatan_names().get(code)
    if name is None:
        raise Http404
    now = timezone.now()
    start = transparency.window_start(now)
    paginator = Paginator(transparency.kecamatan_cases(code, start=start, now=now), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("halaman"))
    context = {
        "code": code,
        "name": name,
        "period": _period(start.date(), now),
        "page": page,
        "items": [transparency.listed_item(case) for case in page.object_list],
    }
    return render(request, "public/kecamatan.html", context)

"""KIM desa intake: an operator records an aspiration collected offline on a citizen's
behalf, and prints the receipt with the tracking code for the citizen."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from casework import idempotency, refdata, selectors, services
from casework.actions import declarations as d
from casework.errors import DomainError, InvalidInput, KeyReused, NotFound, Unavailable
from casework.models import Channel, Role, UnitKind, User
from casework.ui.forms import (
    HeldFiles,
    error_summary,
    errors_onto_form,
    report_refusal,
    submission_claim,
    submission_key,
)
from casework.ui.receipt import steps_ahead

from ..action_forms import IntakeForm
from .common import OfficerRequest, officer_required, page_context

TRACKING_PATH = "/lacak/"


def _is_kim_operator(user: User) -> bool:
    return user.role == Role.KIM_OPERATOR and selectors.unit_of(user).kind == UnitKind.KIM


@officer_required
def intake(request: OfficerRequest) -> HttpResponse:
    user = request.user
    if not _is_kim_operator(user):
        raise PermissionDenied
    desa = refdata.village(selectors.unit_of(user).region_id or "")
    status = 200
    sent_before: dict[str, str] | None = None
    key = submission_key(request)
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES)
        held = HeldFiles.from_post(request.POST)
        status = 400
        if form.is_valid():
            kwargs = form.service_kwargs()
            kwargs["attachments"] = [*held.uploads(), *kwargs.get("attachments", ())]
            # sent again after a lost reply, the form gives the receipt of its first sending
            claim = submission_claim(request, idempotency.scope_of(user))
            try:
                case = d.SUBMIT.service(
                    actor=user,
                    channel=Channel.KIM,
                    desa=selectors.unit_of(user).region_id,
                    idempotency=claim,
                    **kwargs,
                )
            except InvalidInput as error:
                errors_onto_form(form, error)
            except Unavailable as error:
                # nothing was recorded: the operator sends the same form again
                form.add_error(None, str(error.detail))
                status = error.status_code
            except KeyReused as error:
                # sent before with other content: the first receipt, and a new key to record
                # this content as a new aspiration
                sent_before = {
                    "number": error.case.number,
                    "url": reverse("web:intake-done", kwargs={"number": error.case.number}),
                }
                key, status = idempotency.new_form_key(), error.status_code
            except DomainError as error:
                report_refusal(request, error)
            else:
                held.discard()
                return redirect("web:intake-done", number=case.number)
        # refused: the files that pass the checks wait for the next try
        held.hold(request.FILES.getlist("attachments"))
    else:
        form = IntakeForm()
        held = HeldFiles()
    context = page_context(
        request,
        "intake",
        form=form,
        desa=desa,
        summary=error_summary(form),
        held=held,
        submission_key=key,
        sent_before=sent_before,
    )
    return render(request, "web/intake.html", context, status=status)


@officer_required
def intake_done(request: OfficerRequest, number: str) -> HttpResponse:
    """The receipt: only the operator who recorded the case, or a KIM operator of its desa,
    sees the tracking code (whoever holds it acts as the citizen)."""
    user = request.user
    try:
        case = selectors.case_for(user, number)
    except NotFound:
        raise Http404 from None
    recorder = case.created_by_id == user.pk
    same_kim = _is_kim_operator(user) and selectors.unit_of(user).region_id == case.desa_id
    if not (recorder or same_kim):
        raise Http404
    context = page_context(
        request,
        "intake",
        case=case,
        tracking_code=services.format_tracking_code(case.tracking_code),
        tracking_url=request.build_absolute_uri(TRACKING_PATH),
        steps=steps_ahead(case),
        title=_("Receipt"),
    )
    return render(request, "web/intake_done.html", context)


urlpatterns = [
    path("petugas/catat/", intake, name="intake"),
    path("petugas/catat/<str:number>/selesai/", intake_done, name="intake-done"),
]

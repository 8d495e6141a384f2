"""What every officer page shares: access, navigation, the scope shown in the header."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casework import selectors
from casework.errors import DomainError
from casework.models import MANAGER_ROLES, Role, UnitKind

SCOPE_LABELS = {
    UnitKind.KIM: _("desa %(name)s"),
    UnitKind.FORUM: _("kecamatan %(name)s"),
    UnitKind.OPD: _("cases dispatched to %(name)s"),
    UnitKind.SUPERVISOR: _("the whole kabupaten"),
}


def officer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the sign-in form; signed-in users without a unit get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("web:login"))
        if not selectors.is_officer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def scope_label(user: Any) -> str:
    unit = user.unit
    label = SCOPE_LABELS.get(unit.kind)
    if label is None:
        return ""
    name = unit.region.name if unit.region_id and unit.kind != UnitKind.OPD else unit.name
    return str(label) % {"name": name}


def navigation(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    user = request.user
    items = [("home", _("Home"), reverse("web:home")), ("tasks", _("Tasks"), reverse("web:tasks"))]
    if user.role == Role.KIM_OPERATOR:
        items.append(("intake", _("Record an aspiration"), reverse("web:intake")))
    items.append(("cases", _("Cases"), reverse("web:cases")))
    if user.role in MANAGER_ROLES:
        items.append(("review", _("Escalations"), reverse("web:review")))
    if user.role == Role.SUPERVISOR:
        items.append(("dashboard", _("Dashboard"), reverse("web:dashboard")))
    return [
        {"key": key, "label": label, "url": url, "current": key == current}
        for key, label, url in items
    ]


def page_context(request: HttpRequest, current: str, **extra: Any) -> dict[str, Any]:
    return {
        "nav": navigation(request, current),
        "scope_label": scope_label(request.user),
        **extra,
    }


def report_refusal(request: HttpRequest, error: DomainError) -> None:
    detail = error.detail
    if isinstance(detail, dict):
        text = " ".join(str(m) for messages_ in detail.values() for m in messages_)
    else:
        text = str(detail)
    messages.error(request, text)


def paginate(queryset: Any, count: int, number: Any, per_page: int = 25) -> Any:
    """A page of ``queryset`` whose total is already known (no second COUNT)."""
    paginator = Paginator(queryset, per_page)
    paginator.__dict__["count"] = count  # cached_property, filled in advance
    return paginator.get_page(number)

"""What every officer page shares: access, navigation, the scope shown in the header."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from math import ceil
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casework import selectors
from casework.models import MANAGER_ROLES, Role, UnitKind, User

SCOPE_LABELS = {
    UnitKind.KIM: _("desa %(name)s"),
    UnitKind.FORUM: _("kecamatan %(name)s"),
    UnitKind.OPD: _("cases dispatched to %(name)s"),
    UnitKind.SUPERVISOR: _("the whole kabupaten"),
}


class OfficerRequest(HttpRequest):
    """A request :func:`officer_required` let through: its user is an officer."""

    user: User


View = Callable[..., HttpResponseBase]


def officer_required(view: View) -> View:
    """Anonymous visitors go to the sign-in form; signed-in users without a unit get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
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


def navigation(request: OfficerRequest, current: str) -> list[dict[str, Any]]:
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


def page_context(request: OfficerRequest, current: str, **extra: Any) -> dict[str, Any]:
    return {
        "nav": navigation(request, current),
        "scope_label": scope_label(request.user),
        **extra,
    }


def paginate(queryset: Any, count: int, number: Any, per_page: int = 25) -> Any:
    """A page of ``queryset`` whose total is already known (no second COUNT)."""
    paginator = Paginator(queryset, per_page)
    paginator.__dict__["count"] = count  # cached_property, filled in advance
    return paginator.get_page(number)


# Long lists (a unit queue can hold tens of thousands of tasks) are counted only up to this
# many rows: counting further costs more than the page itself, and "1000+" tells an officer
# as much as the exact figure. Below the limit the count is exact.
COUNT_LIMIT = 1000


@dataclass(frozen=True)
class Tally:
    """How many rows a list has, counted no further than a limit: ``more`` says the list
    goes on past ``n`` (shown as "n+")."""

    n: int
    more: bool = False

    def __str__(self) -> str:
        return f"{self.n}+" if self.more else str(self.n)


def tally(queryset: QuerySet, limit: int = COUNT_LIMIT) -> Tally:
    """Count ``queryset`` up to ``limit`` rows (one statement, which stops there).

    The queryset's order is kept on purpose: the rows counted are then the first ones of an
    index in that order (a queue by due time), and the count stops early whatever the
    planner guesses about how many rows match."""
    found = queryset[: limit + 1].count()
    return Tally(min(found, limit), found > limit)


def page_number(raw: Any) -> int:
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


class Window:
    """One page of a long list, with what the pager needs: like a paginator's page, but the
    total is a :class:`Tally`, exact only up to the counting limit."""

    def __init__(self, rows: list[Any], number: int, per_page: int, total: Tally) -> None:
        self.object_list = rows
        self.number = number
        self.per_page = per_page
        self.total = total

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def num_pages(self) -> int:
        """The pages known to exist (all of them unless ``total.more``)."""
        return max(1, ceil((self.total.n + self.total.more) / self.per_page))

    @property
    def pages_label(self) -> str:
        return f"{self.num_pages}+" if self.total.more else str(self.num_pages)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def window(
    queryset: QuerySet,
    raw_number: Any,
    *,
    rows: Callable[[QuerySet], QuerySet],
    per_page: int = 25,
    limit: int = COUNT_LIMIT,
    total: Tally | None = None,
) -> Window:
    """A page of ``queryset`` in three steps, two statements: count up to the limit (or up to
    this page, if deeper), pick the page's ids in the queryset's order (from an index, on the
    queues), then load what is shown for just those ids: ``rows(ids)`` returns the queryset
    of the displayed rows. A page past the end shows the last page, as ``Paginator.get_page``
    does. ``total``, if already counted, saves the count unless the page lies past it; an
    empty list costs no further statement."""
    number = page_number(raw_number)
    if total is None or (total.more and number * per_page > total.n):
        total = tally(queryset, max(limit, number * per_page))
    if not total.more:
        number = min(number, max(1, ceil(total.n / per_page)))
    if not total.n:
        return Window([], number, per_page, total)
    offset = (number - 1) * per_page
    ids = queryset.values("pk")[offset : offset + per_page]
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    found = list(rows(queryset.model._default_manager.filter(pk__in=ids)).order_by(*ordering))
    return Window(found, number, per_page, total)

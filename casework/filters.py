"""Filters of the officers' case list, applied to the scoped queryset of
:func:`casework.selectors.cases_for`."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from casework import refdata
from casework.models import (
    OPEN_TASK_STATUSES,
    Assignment,
    Case,
    CaseStatus,
    CaseTask,
    Escalation,
    Priority,
    Stage,
    UnitKind,
)


class CaseFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(
        choices=CaseStatus.choices, help_text=_("Repeat to match any of several statuses.")
    )
    kecamatan = filters.CharFilter(field_name="kecamatan_id", help_text=_("Region code."))
    desa = filters.CharFilter(field_name="desa_id", help_text=_("Region code."))
    opd = filters.CharFilter(
        method="filter_opd", help_text=_("Cases dispatched to this OPD (its code).")
    )
    category = filters.CharFilter(field_name="category__code", help_text=_("Category code."))
    priority = filters.MultipleChoiceFilter(choices=Priority.choices)
    overdue = filters.BooleanFilter(
        method="filter_overdue", help_text=_("Has an open task past its due time.")
    )
    q = filters.CharFilter(
        method="filter_q", help_text=_("Text in the number, title or description.")
    )
    ordering = filters.OrderingFilter(
        fields=(("created_at", "created_at"), ("updated_at", "updated_at"), ("number", "number")),
        help_text=_("Default: newest first (-created_at)."),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_opd(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        unit = refdata.unit(UnitKind.OPD, value.strip())
        if unit is None:
            return queryset.none()
        return queryset.filter(
            Exists(Assignment.objects.filter(case_id=OuterRef("pk"), opd_id=unit.pk))
        )

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_overdue(
        self, queryset: QuerySet[Case], name: str, value: bool | None
    ) -> QuerySet[Case]:
        if value is None:
            return queryset
        late = Exists(
            CaseTask.objects.filter(
                case_id=OuterRef("pk"),
                status__in=OPEN_TASK_STATUSES,
                due_at__lt=timezone.now(),  # a task without a due time is never overdue
            ).exclude(stage="")
        )
        return queryset.filter(late if value else ~late)

    def filter_q(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )


class EscalationFilter(filters.FilterSet):
    level = filters.NumberFilter(field_name="level", help_text=_("1 or 2."))
    unit = filters.CharFilter(
        field_name="unit__code", help_text=_("Code of the unit that missed the deadline.")
    )
    stage = filters.ChoiceFilter(field_name="stage", choices=Stage.choices)
    state = filters.ChoiceFilter(
        method="filter_state",
        choices=(("open", _("Not yet acknowledged")), ("acknowledged", _("Acknowledged"))),
    )

    class Meta:
        model = Escalation
        fields: list[str] = []

    def filter_state(
        self, queryset: QuerySet[Escalation], name: str, value: str
    ) -> QuerySet[Escalation]:
        return queryset.filter(acknowledged_at__isnull=(value == "open"))

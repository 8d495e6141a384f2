"""Shapes in and out of the API. Input serializers check shapes only (types, lengths, known
choices); the services decide everything else. Output serializers only read."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework import disclosure, permissions
from casework.models import (
    AssignmentStatus,
    CaseStatus,
    Channel,
    Confidentiality,
    Priority,
    RegionLevel,
    SlaClass,
    Stage,
)
from casework.services import format_tracking_code

OFFICER_ACTION_CHOICES = list(permissions.ORDER)


# ----------------------------------------------------------------------------- auth


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("username"), max_length=150)
    password = serializers.CharField(
        label=_("password"), max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("Messages per input field, for bad input."),
    )


# ----------------------------------------------------------------------------- reference data


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    sla_class = serializers.ChoiceField(choices=SlaClass.choices)


class OpdSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=RegionLevel.choices)
    parent = serializers.CharField(source="parent_id", allow_null=True)


# ----------------------------------------------------------------------------- submit


class CoordinateField(serializers.DecimalField):
    """A latitude or longitude in degrees; extra decimals (a phone's GPS) are rounded to six."""

    def __init__(self, limit: int, **kwargs: Any) -> None:
        super().__init__(
            max_digits=9,
            decimal_places=6,
            rounding=ROUND_HALF_EVEN,
            min_value=Decimal(-limit),
            max_value=Decimal(limit),
            required=False,
            allow_null=True,
            coerce_to_string=False,
            **kwargs,
        )

    def validate_precision(self, value: Decimal) -> Decimal:
        return value  # quantize() rounds to six places, the range validators do the rest


class BuiltFieldsMixin:
    """Fields built from their declarations instead of deep-copied.

    DRF gives every serializer instance its own fields by ``copy.deepcopy`` of the declared
    ones, which deep-copies each field's arguments again (labels, choices, help texts): on the
    submission endpoint that was a tenth of a request's time. The arguments are never
    changed after declaration, so calling each field's class with them again, as
    ``Field.__deepcopy__`` does but without the copies, gives the same fields.
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: type(field)(*field._args, **field._kwargs)
            for name, field in self._declared_fields.items()  # type: ignore[attr-defined]
        }


class CaseSubmitSerializer(BuiltFieldsMixin, serializers.Serializer):
    title = serializers.CharField(label=_("title"), max_length=200)
    description = serializers.CharField(label=_("description"), max_length=10000)
    category = serializers.SlugField(label=_("category"), max_length=40)
    desa = serializers.CharField(
        label=_("desa/kelurahan"), max_length=13, help_text=_("Kemendagri region code.")
    )
    priority = serializers.ChoiceField(
        label=_("priority"), choices=Priority.choices, required=False
    )
    channel = serializers.ChoiceField(
        label=_("channel"), choices=Channel.choices, default=Channel.API
    )
    confidentiality = serializers.ChoiceField(
        label=_("confidentiality"), choices=Confidentiality.choices, required=False
    )
    reporter_name = serializers.CharField(
        label=_("reporter name"), max_length=150, required=False, allow_blank=True
    )
    reporter_phone = serializers.CharField(
        label=_("reporter phone"), max_length=20, required=False, allow_blank=True
    )
    reporter_email = serializers.EmailField(
        label=_("reporter email"), required=False, allow_blank=True
    )
    reporter_nik = serializers.RegexField(
        r"^\d{16}$",
        label=_("reporter NIK"),
        required=False,
        allow_blank=True,
        error_messages={"invalid": _("A NIK has 16 digits.")},
    )
    address = serializers.CharField(
        label=_("address"), max_length=255, required=False, allow_blank=True
    )
    latitude = CoordinateField(90, label=_("latitude"))
    longitude = CoordinateField(180, label=_("longitude"))


class CaseSubmittedSerializer(BuiltFieldsMixin, serializers.Serializer):
    number = serializers.CharField()
    tracking_code = serializers.SerializerMethodField(
        help_text=_("Give it to the reporter: it opens the public tracking page.")
    )
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()

    def get_tracking_code(self, case: Any) -> str:
        return format_tracking_code(case.tracking_code)


# ----------------------------------------------------------------------------- officers: cases


class CaseListItemSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    priority = serializers.ChoiceField(choices=Priority.choices)
    category = CodeNameSerializer()
    desa = CodeNameSerializer()
    kecamatan = CodeNameSerializer()
    channel = serializers.ChoiceField(choices=Channel.choices)
    confidentiality = serializers.ChoiceField(choices=Confidentiality.choices)
    supporters = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class UsernameField(serializers.CharField):
    """A user shown by username, or null."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return value.get_username()


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    stage_label = serializers.CharField(source="get_stage_display")
    unit = CodeNameSerializer(allow_null=True)
    assignee = UsernameField(source="owner")
    due_at = serializers.DateTimeField(allow_null=True)
    created = serializers.DateTimeField()


class AssignmentSerializer(serializers.Serializer):
    opd = serializers.CharField(source="opd.code")
    opd_name = serializers.CharField(source="opd.name")
    status = serializers.ChoiceField(choices=AssignmentStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    note = serializers.CharField()
    response = serializers.CharField()
    decline_reason = serializers.CharField()
    suggested_opd = serializers.CharField(source="suggested_opd.code", allow_null=True)
    dispatched_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    responded_at = serializers.DateTimeField(allow_null=True)
    declined_at = serializers.DateTimeField(allow_null=True)


class EventSerializer(serializers.Serializer):
    action = serializers.CharField()
    actor = UsernameField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    created_at = serializers.DateTimeField()
    payload = serializers.JSONField()


class EscalationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    stage_label = serializers.CharField(source="get_stage_display")
    level = serializers.IntegerField()
    unit = CodeNameSerializer(allow_null=True)
    due_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_by = UsernameField()
    comment = serializers.CharField()


class EscalationListItemSerializer(EscalationSerializer):
    case = serializers.CharField(source="case.number")
    case_title = serializers.CharField(source="case.title")
    case_status = serializers.ChoiceField(source="case.status", choices=CaseStatus.choices)
    kecamatan = CodeNameSerializer(source="case.kecamatan")
    assignee = UsernameField(source="task.owner")


class AcknowledgeInput(serializers.Serializer):
    comment = serializers.CharField(max_length=5000)


class CaseDetailSerializer(CaseListItemSerializer):
    """A case as an officer sees it; expects the case from ``selectors.case_detail`` and the
    request in the context."""

    description = serializers.CharField()
    address = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    reporter_name = serializers.SerializerMethodField()
    reporter_phone = serializers.SerializerMethodField()
    reporter_email = serializers.SerializerMethodField()
    reporter_nik = serializers.SerializerMethodField(
        help_text=_("Masked except for the supervisor.")
    )
    info_question = serializers.CharField()
    response = serializers.CharField()
    rejection_reason = serializers.CharField()
    merged_into = serializers.CharField(source="merged_into.number", allow_null=True)
    rating = serializers.IntegerField(allow_null=True)
    rating_comment = serializers.CharField()
    allowed_actions = serializers.SerializerMethodField()
    tasks = TaskSerializer(source="open_task_list", many=True)
    next_due_at = serializers.SerializerMethodField(
        help_text=_("The nearest deadline of the open tasks.")
    )
    target_at = serializers.DateTimeField(
        allow_null=True, help_text=_("End-to-end target; waiting for information moves it.")
    )
    assignments = AssignmentSerializer(source="assignment_list", many=True)
    escalations = EscalationSerializer(source="escalation_list", many=True)
    events = EventSerializer(source="event_list", many=True)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_due_at(self, case: Any) -> str | None:
        dues = [t.due_at for t in case.open_task_list if t.due_at is not None]
        return serializers.DateTimeField().to_representation(min(dues)) if dues else None

    def _reporter(self, case: Any) -> dict[str, str | None]:
        cache = self.context.setdefault("_reporter", {})
        if case.pk not in cache:
            cache[case.pk] = disclosure.reporter_for(self.context["request"].user, case)
        return cache[case.pk]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reporter_name(self, case: Any) -> str | None:
        return self._reporter(case)["reporter_name"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reporter_phone(self, case: Any) -> str | None:
        return self._reporter(case)["reporter_phone"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reporter_email(self, case: Any) -> str | None:
        return self._reporter(case)["reporter_email"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reporter_nik(self, case: Any) -> str | None:
        return self._reporter(case)["reporter_nik"]

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=OFFICER_ACTION_CHOICES))
    )
    def get_allowed_actions(self, case: Any) -> list[str]:
        return permissions.available_actions(
            self.context["request"].user, case, case.open_task_list
        )


# ----------------------------------------------------------------------------- officers: tasks


class TaskCaseSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    priority = serializers.ChoiceField(choices=Priority.choices)
    category = CodeNameSerializer()
    desa = CodeNameSerializer()


class TaskListItemSerializer(TaskSerializer):
    case = TaskCaseSerializer()


class TaskQuerySerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=[("mine", _("My open tasks")), ("queue", _("Unclaimed tasks of my unit"))],
        default="mine",
    )


# ----------------------------------------------------------------------------- officer actions


class ActionInput(serializers.Serializer):
    """Base of the bodies of officer and citizen actions: ``service_kwargs`` names the
    validated fields the way the service takes them."""

    rename: dict[str, str] = {}

    def service_kwargs(self) -> dict[str, Any]:
        return {self.rename.get(k, k): v for k, v in self.validated_data.items()}


def _text(label: Any, max_length: int = 5000, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(label=label, max_length=max_length, **kwargs)


class EmptyInput(ActionInput):
    pass


class ReassignInput(ActionInput):
    rename = {"task": "task_id"}
    to = serializers.CharField(label=_("officer's username"), max_length=150)
    task = serializers.IntegerField(
        label=_("task"),
        required=False,
        help_text=_("Needed only when several tasks of the case are open."),
    )


class RequestInfoInput(ActionInput):
    question = _text(_("question"))


class ProvideInfoInput(ActionInput):
    text = _text(_("information"))


class DispatchInput(ActionInput):
    opds = serializers.ListField(
        label=_("OPD"), child=serializers.CharField(max_length=32), min_length=1, max_length=20
    )
    category = serializers.SlugField(label=_("category"), max_length=40, required=False)
    priority = serializers.ChoiceField(
        label=_("priority"), choices=Priority.choices, required=False
    )
    note = _text(_("dispatch note"), required=False, allow_blank=True)


class ResponseInput(ActionInput):
    response = _text(_("answer"))


class MergeInput(ActionInput):
    into = serializers.CharField(label=_("case number to merge into"), max_length=20)


class ReasonInput(ActionInput):
    reason = _text(_("reason"))


class DeclineInput(ActionInput):
    reason = _text(_("reason"))
    suggested_opd = serializers.CharField(
        label=_("suggested OPD"), max_length=32, required=False, allow_blank=True
    )


# ----------------------------------------------------------------------------- citizens


class ConfirmInput(ActionInput):
    rating = serializers.IntegerField(label=_("rating"), min_value=1, max_value=5)
    comment = _text(_("comment"), required=False, allow_blank=True)


class PublicMergedIntoSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField()


class PublicAnswerSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=[("forum", "forum"), ("opd", "opd")])
    opd = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    response = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)


class PublicEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    action_label = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    created_at = serializers.DateTimeField()
    question = serializers.CharField(required=False)
    response = serializers.CharField(required=False)
    reason = serializers.CharField(required=False)


class PublicCaseSerializer(serializers.Serializer):
    """The tracking view. A rahasia case shows only ``number``, ``status`` and
    ``status_label``; the other fields are then absent."""

    number = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField()
    title = serializers.CharField(required=False)
    category = CodeNameSerializer(required=False)
    desa = CodeNameSerializer(required=False)
    kecamatan = CodeNameSerializer(required=False)
    supporters = serializers.IntegerField(required=False)
    created_at = serializers.DateTimeField(required=False)
    updated_at = serializers.DateTimeField(required=False)
    closed_at = serializers.DateTimeField(required=False, allow_null=True)
    info_question = serializers.CharField(
        required=False,
        allow_null=True,
        help_text=_("The question to answer with provide_info, while the case waits for it."),
    )
    merged_into = PublicMergedIntoSerializer(required=False, allow_null=True)
    answers = PublicAnswerSerializer(many=True, required=False)
    timeline = PublicEventSerializer(many=True, required=False)
    allowed_actions = serializers.ListField(
        child=serializers.ChoiceField(choices=list(disclosure.CITIZEN_ACTIONS)), required=False
    )

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        # a field missing from the view stays absent (DRF would write null for nullable ones)
        shown = super().to_representation(instance)
        return {key: value for key, value in shown.items() if key in instance}

"""Shapes in and out of the API. Input serializers check shapes only (types, lengths, known
choices); the services decide everything else. Output serializers only read."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework import actions, disclosure
from casework.actions.schema import InputSerializer, serializer_class
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

OFFICER_ACTION_CHOICES = [action.code for action in actions.officer_actions()]
REPORTER_ACTION_CHOICES = [action.code for action in actions.reporter_actions()]


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
    fields = serializers.DictField(  # type: ignore[assignment]  # the error body's own "fields"
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
    parent = serializers.CharField(  # type: ignore[assignment]  # the region's parent code
        source="parent_id", allow_null=True
    )


# ----------------------------------------------------------------------------- submit


class BuiltFieldsMixin:
    """Fields built from their declarations instead of deep-copied.

    DRF gives every serializer instance its own fields by ``copy.deepcopy`` of the declared
    ones, which deep-copies each field's arguments again (labels, choices, help texts): on the
    submission endpoint that was a tenth of a request's time. The arguments are never
    changed after declaration, so calling each field's class with them again, as
    ``Field.__deepcopy__`` does but without the copies, gives the same fields.
    """

    _declared_fields: dict[str, serializers.Field]

    def get_fields(self) -> dict[str, serializers.Field]:
        # a field's constructor arguments, as DRF's Field.__new__ keeps them
        declared: dict[str, Any] = self._declared_fields
        return {
            name: type(field)(*field._args, **field._kwargs) for name, field in declared.items()
        }


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
    received_via = serializers.CharField(
        help_text=_("How the officer who recorded it received the aspiration; empty if none.")
    )
    received_on = serializers.DateField(
        allow_null=True, help_text=_("The day the officer who recorded it received it.")
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
        cache = self.context["_reporter"] if "_reporter" in self.context else {}
        if "_reporter" not in self.context:
            self.context["_reporter"] = cache  # type: ignore[index]  # DRF passes a dict
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
        return actions.allowed(self.context["request"].user, case, case.open_task_list)


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


# ----------------------------------------------------------------------------- action inputs

# one input serializer per action, built from its declaration (casework.actions.schema)
INPUTS: dict[str, type[InputSerializer]] = {
    action.code: serializer_class(
        "CaseSubmitSerializer"
        if action.code == "submit"
        else "".join(part.title() for part in action.code.split("_")) + "Input",
        action.input,
        doc=f"The input of the action “{action.code}”.",
    )
    for action in actions.all_actions()
    if action.input.on("api")
}
EmptyInput = serializer_class("EmptyInput", actions.declarations.CLAIM.input, doc="No input.")
CaseSubmitSerializer = INPUTS["submit"]
AcknowledgeInput = INPUTS["acknowledge"]


# ----------------------------------------------------------------------------- citizens


class PublicMergedIntoSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField()


class PublicFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text=_("In bytes."))
    url = serializers.SerializerMethodField(
        help_text=_(
            "Opens the file; it needs the same tracking code. A photo also opens as a small "
            "JPEG copy with ?size=200 or ?size=800 (pixels on the long side)."
        )
    )

    def get_url(self, item: dict[str, Any]) -> str:
        path = reverse("public:attachment", kwargs={"code": self.context["code"], "pk": item["id"]})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class PublicAnswerSerializer(serializers.Serializer):
    source = serializers.ChoiceField(  # type: ignore[assignment]  # the answer's source
        choices=[("forum", "forum"), ("opd", "opd")]
    )
    opd = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    response = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    attachments = PublicFileSerializer(
        many=True, required=False, help_text=_("The photos and documents of this answer.")
    )


class PublicEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    action_label = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    created_at = serializers.DateTimeField()
    question = serializers.CharField(required=False)
    response = serializers.CharField(required=False)
    reason = serializers.CharField(required=False)
    opd = CodeNameSerializer(required=False, help_text=_("The agency (OPD) that acted."))
    opds = CodeNameSerializer(
        many=True, required=False, help_text=_("The agencies (OPD) it was forwarded to.")
    )
    attachments = PublicFileSerializer(many=True, required=False)

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        shown = super().to_representation(instance)
        return {key: value for key, value in shown.items() if key in instance}


class ResendLinkInput(serializers.Serializer):
    """Ask for the tracking link again (the shapes only; whether they match is never said)."""

    number = serializers.CharField(
        max_length=30, help_text=_("The case number, e.g. LMJ-2611-00042.")
    )
    contact = serializers.CharField(
        max_length=254, help_text=_("The phone number or e-mail address given with the case.")
    )


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PublicCaseSerializer(serializers.Serializer):
    """The tracking view, for the holder of the tracking code (the reporter): their case in
    full, a rahasia one included, without any reporter field or officer's name."""

    number = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField()
    title = serializers.CharField(required=False)
    description = serializers.CharField(required=False, help_text=_("What the reporter wrote."))
    address = serializers.CharField(required=False, allow_blank=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, coerce_to_string=False
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, coerce_to_string=False
    )
    attachments = PublicFileSerializer(
        many=True,
        required=False,
        help_text=_("The photos and documents the reporter sent (or the KIM on their behalf)."),
    )
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
        child=serializers.ChoiceField(choices=REPORTER_ACTION_CHOICES), required=False
    )

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        # a field missing from the view stays absent (DRF would write null for nullable ones)
        shown = super().to_representation(instance)
        return {key: value for key, value in shown.items() if key in instance}

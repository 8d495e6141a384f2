"""REST API v1. Views parse input, call a selector or a service, and shape the answer; the
services hold the rules (docs/architecture.md)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import authenticate
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import actions, disclosure, idempotency, selectors, services
from casework.actions import Action
from casework.actions import declarations as d
from casework.errors import InvalidInput, NotFound
from casework.filters import CaseFilter, EscalationFilter
from casework.models import Case, User

from . import reference
from . import serializers as s
from .pagination import CasePagination
from .permissions import IsOfficer
from .throttles import CitizenActionThrottle, ResendThrottle, SubmitThrottle, TrackThrottle

CASE_NOT_FOUND = _("No such case.")
TRACKING_NOT_FOUND = _("No case with this tracking code.")
REFERENCE_MAX_AGE = 300  # seconds: reference data changes rarely
IDEMPOTENCY_HEADER = "Idempotency-Key"  # the IETF httpapi header field

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description=_("Bad input.")),
    401: OpenApiResponse(s.ErrorSerializer, description=_("Not logged in.")),
    403: OpenApiResponse(s.ErrorSerializer, description=_("Your role may not do this.")),
    404: OpenApiResponse(s.ErrorSerializer, description=_("Missing, or out of your scope.")),
    409: OpenApiResponse(
        s.ErrorSerializer,
        description=_("Not allowed in the case's current state, or another officer holds it."),
    ),
    422: OpenApiResponse(
        s.ErrorSerializer,
        description=_("The Idempotency-Key was already used for a different request."),
    ),
    503: OpenApiResponse(
        s.ErrorSerializer,
        description=_("The file storage did not answer: nothing was recorded; send it again."),
    ),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in codes}


def _case_for(user: Any, number: str) -> Case:
    try:
        return selectors.case_for(user, number)
    except NotFound:
        raise NotFound(CASE_NOT_FOUND) from None


def _case_detail(request: Request, number: str) -> dict[str, Any]:
    try:
        case = selectors.case_detail(request.user, number)
    except NotFound:
        raise NotFound(CASE_NOT_FOUND) from None
    return s.CaseDetailSerializer(case, context={"request": request}).data


def _case_by_tracking_code(code: str) -> Case:
    try:
        return selectors.case_by_tracking_code(code)
    except NotFound:
        raise NotFound(TRACKING_NOT_FOUND) from None


def _reporter_view(request: Request, code: str) -> dict[str, Any]:
    """The tracking view: the holder of the code is the reporter (disclosure's rule)."""
    case = _case_by_tracking_code(code)
    view = disclosure.reporter_view(
        case, selectors.case_events(case), selectors.attachments_of(case)
    )
    context = {"request": request, "code": case.tracking_code}
    return s.PublicCaseSerializer(view, context=context).data


class PublicAPIView(APIView):
    """Open to anyone, without authentication (and so without CSRF checks)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]


# ----------------------------------------------------------------------------- auth


class TokenView(APIView):
    """``POST`` trades a username and password for the API token of that user; ``DELETE``
    revokes the caller's token (a later ``POST`` issues a new one)."""

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        operation_id="auth_token_create",
        summary=_("Obtain an API token"),
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer, **errors(400)},
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        body = s.TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=body.validated_data["username"],
            password=body.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise InvalidInput(
                _("Unable to log in with the given username and password."),
                code="invalid_credentials",
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(
        operation_id="auth_token_destroy",
        summary=_("Revoke my API token"),
        request=None,
        responses={204: None, **errors(401)},
        tags=["auth"],
    )
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=cast(User, request.user)).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


# ----------------------------------------------------------------------------- reference data


class ReferenceView(PublicAPIView):
    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == status.HTTP_200_OK:
            patch_cache_control(response, public=True, max_age=REFERENCE_MAX_AGE)
        return response


class CategoryListView(ReferenceView):
    @extend_schema(
        operation_id="categories_list",
        summary=_("Categories of aspirations"),
        responses=s.CategorySerializer(many=True),
        tags=["reference"],
    )
    def get(self, request: Request) -> Response:
        return Response(s.CategorySerializer(reference.categories(), many=True).data)


class OpdListView(ReferenceView):
    @extend_schema(
        operation_id="opds_list",
        summary=_("Agencies (OPD) cases are dispatched to"),
        responses=s.OpdSerializer(many=True),
        tags=["reference"],
    )
    def get(self, request: Request) -> Response:
        return Response(s.OpdSerializer(reference.opds(), many=True).data)


class RegionListView(ReferenceView):
    @extend_schema(
        operation_id="regions_list",
        summary=_("Regions: the children of a region, or the top of the tree"),
        parameters=[
            OpenApiParameter(
                "parent",
                OpenApiTypes.STR,
                description=_(
                    "Region code (35.08, 35.08.01): list its kecamatan or desa/kelurahan. "
                    "Without it: the kabupaten."
                ),
            )
        ],
        responses={200: s.RegionSerializer(many=True), **errors(404)},
        tags=["reference"],
    )
    def get(self, request: Request) -> Response:
        parent = request.query_params.get("parent", "").strip() or None
        if parent is not None and reference.region(parent) is None:
            raise NotFound(_("No such region."))
        return Response(s.RegionSerializer(reference.regions(parent), many=True).data)


# ----------------------------------------------------------------------------- cases


class CaseListView(GenericAPIView):
    """Officers list the cases of their scope; anyone submits a new one."""

    serializer_class = s.CaseListItemSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilter
    pagination_class = CasePagination

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsOfficer()]

    def get_throttles(self) -> list[Any]:
        if self.request.method == "POST":  # submissions only, not the officers' list
            return [SubmitThrottle()]
        return super().get_throttles()

    def get_queryset(self) -> Any:
        return selectors.cases_for(self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        operation_id="cases_list",
        summary=_("Cases in my scope, newest first"),
        responses={200: s.CaseListItemSerializer(many=True), **errors(400, 401, 403)},
        tags=["cases"],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.CaseListItemSerializer(page, many=True).data)

    @extend_schema(
        operation_id="cases_create",
        summary=_("Submit an aspiration"),
        description=_(
            "Open to citizens and API clients without logging in. An officer may record an "
            "aspiration for a citizen (a KIM operator only for their own desa). The answer "
            "carries the tracking code the reporter follows the case with."
        ),
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description=_(
                    "A key of your choice for this submission (a UUID is best), kept for at "
                    "least 24 hours. Sending the same request again with the same key (after "
                    "a lost reply) creates nothing and answers the first result again: the "
                    "same case number and tracking code. The same key with a different "
                    "request is refused (422); while the first request with the key is still "
                    "being processed, another is refused (409). Keys are your own: an "
                    "officer's apart from anyone else's."
                ),
            )
        ],
        request=s.CaseSubmitSerializer,
        responses={201: s.CaseSubmittedSerializer, **errors(400, 403, 409, 422, 503)},
        tags=["cases"],
    )
    def post(self, request: Request) -> Response:
        claim = _claim(request)
        body = s.CaseSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actor = request.user if request.user.is_authenticated else None
        case = d.SUBMIT.service(actor=actor, idempotency=claim, **body.service_kwargs())
        row = claim.row if claim is not None and claim.replayed else None
        if row is not None and row.response_status is not None:
            return Response(row.response_body, status=row.response_status)
        return Response(s.CaseSubmittedSerializer(case).data, status=status.HTTP_201_CREATED)


def _claim(request: Request) -> idempotency.Claim | None:
    """The request's idempotency key, if it has one, with the answer to keep."""
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    if raw is None:
        return None
    return idempotency.Claim(
        scope=idempotency.scope_of(request.user),
        key=idempotency.clean_key(raw),
        fingerprint=idempotency.request_fingerprint(request.data, request.FILES),
        answer=lambda case: (
            status.HTTP_201_CREATED,
            dict(s.CaseSubmittedSerializer(case).data),
        ),
    )


class CaseDetailView(APIView):
    permission_classes = [IsOfficer]

    @extend_schema(
        operation_id="cases_retrieve",
        summary=_("A case with its open tasks, OPD assignments and audit trail"),
        responses={200: s.CaseDetailSerializer, **errors(401, 403, 404)},
        tags=["cases"],
    )
    def get(self, request: Request, number: str) -> Response:
        return Response(_case_detail(request, number))


class OfficerActionView(APIView):
    """One officer action on a case; a view per declared action (casework.actions)."""

    permission_classes = [IsOfficer]
    declaration: Action

    def post(self, request: Request, number: str) -> Response:
        case = _case_for(request.user, number)
        body = s.INPUTS.get(self.declaration.code, s.EmptyInput)(data=request.data)
        body.is_valid(raise_exception=True)
        self.declaration.service(case=case, actor=request.user, **body.service_kwargs())
        return Response(_case_detail(request, number))


def _view_name(prefix: str, action: Action) -> str:
    return prefix + "".join(part.title() for part in action.code.split("_")) + "ActionView"


def _officer_action_view(action: Action) -> type[OfficerActionView]:
    def post(self: OfficerActionView, request: Request, number: str) -> Response:
        return OfficerActionView.post(self, request, number)

    post = extend_schema(
        operation_id=f"cases_actions_{action.code}",
        summary=action.summary,
        description=action.effect,
        request=s.INPUTS.get(action.code),
        responses={200: s.CaseDetailSerializer, **errors(400, 401, 403, 404, 409)},
        tags=["case actions"],
    )(post)
    return type(_view_name("", action), (OfficerActionView,), {"declaration": action, "post": post})


OFFICER_ACTION_VIEWS = {
    action.code: _officer_action_view(action) for action in actions.officer_actions()
}


# ----------------------------------------------------------------------------- tasks


class TaskListView(GenericAPIView):
    permission_classes = [IsOfficer]
    serializer_class = s.TaskListItemSerializer
    pagination_class = CasePagination
    filter_backends: list[type] = []

    @extend_schema(
        operation_id="tasks_list",
        summary=_("My open tasks, or my unit's queue of unclaimed tasks"),
        parameters=[s.TaskQuerySerializer],
        responses={200: s.TaskListItemSerializer(many=True), **errors(400, 401, 403)},
        tags=["tasks"],
    )
    def get(self, request: Request) -> Response:
        query = s.TaskQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        tasks = selectors.tasks_for(request.user, query.validated_data["scope"])
        page = self.paginate_queryset(tasks)
        return self.get_paginated_response(s.TaskListItemSerializer(page, many=True).data)


# ----------------------------------------------------------------------------- escalations


class EscalationListView(GenericAPIView):
    permission_classes = [IsOfficer]
    serializer_class = s.EscalationListItemSerializer
    pagination_class = CasePagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = EscalationFilter

    def get_queryset(self) -> Any:
        return selectors.escalations_for(self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        operation_id="escalations_list",
        summary=_("Escalated deadlines to review, newest first"),
        description=_(
            "The supervisor sees the kabupaten's, a forum coordinator the kecamatan's, an OPD "
            "head the OPD's."
        ),
        responses={200: s.EscalationListItemSerializer(many=True), **errors(400, 401, 403)},
        tags=["escalations"],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.EscalationListItemSerializer(page, many=True).data)


class EscalationAcknowledgeView(APIView):
    permission_classes = [IsOfficer]

    @extend_schema(
        operation_id="escalations_acknowledge",
        summary=d.ACKNOWLEDGE.summary,
        request=s.AcknowledgeInput,
        responses={200: s.EscalationListItemSerializer, **errors(400, 401, 403, 404, 409)},
        tags=["escalations"],
    )
    def post(self, request: Request, pk: int) -> Response:
        body = s.AcknowledgeInput(data=request.data)
        body.is_valid(raise_exception=True)
        escalation = d.ACKNOWLEDGE.service(
            escalation_id=pk, actor=request.user, **body.service_kwargs()
        )
        return Response(s.EscalationListItemSerializer(escalation).data)


# ----------------------------------------------------------------------------- public tracking


class TrackView(PublicAPIView):
    throttle_classes = [TrackThrottle]

    @extend_schema(
        operation_id="track_retrieve",
        summary=_("Follow a case by its tracking code"),
        description=_(
            "Dashes and lower case are accepted. The holder of the code is the reporter: "
            "their case in full, a rahasia one included (what they sent, the questions, the "
            "answers with the answering agency's name and files). Shows no reporter identity "
            "and no officer names."
        ),
        responses={200: s.PublicCaseSerializer, **errors(404)},
        tags=["tracking"],
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(_reporter_view(request, code))


class ResendLinkView(PublicAPIView):
    throttle_classes = [ResendThrottle]

    @extend_schema(
        operation_id="track_resend_create",
        summary=_("Send the tracking link again"),
        description=_(
            "To the reporter's phone number or e-mail address on file, when the case number "
            "and the contact given match it (decided by a worker); at most one message per "
            "case and hour, three a day. The answer is the same whether or not they match."
        ),
        request=s.ResendLinkInput,
        responses={202: s.DetailSerializer, **errors(400)},
        tags=["tracking"],
    )
    def post(self, request: Request) -> Response:
        body = s.ResendLinkInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.resend_tracking_link(
            number=body.validated_data["number"], contact=body.validated_data["contact"]
        )
        return Response({"detail": str(services.RESEND_ANSWER)}, status=status.HTTP_202_ACCEPTED)


class CitizenActionView(PublicAPIView):
    """One action of the holder of the tracking code; a view per declared action."""

    throttle_classes = [CitizenActionThrottle]
    declaration: Action

    def post(self, request: Request, code: str) -> Response:
        case = _case_by_tracking_code(code)
        body = s.INPUTS.get(self.declaration.code, s.EmptyInput)(data=request.data)
        body.is_valid(raise_exception=True)
        self.declaration.service(case=case, **body.service_kwargs())
        return Response(_reporter_view(request, code))


def _citizen_action_view(action: Action) -> type[CitizenActionView]:
    assert action.reporter is not None

    def post(self: CitizenActionView, request: Request, code: str) -> Response:
        return CitizenActionView.post(self, request, code)

    post = extend_schema(
        operation_id=f"track_actions_{action.code}",
        summary=action.reporter.summary,
        description=action.effect,
        request=s.INPUTS.get(action.code),
        responses={200: s.PublicCaseSerializer, **errors(400, 404, 409)},
        tags=["tracking"],
    )(post)
    return type(
        _view_name("Citizen", action), (CitizenActionView,), {"declaration": action, "post": post}
    )


CITIZEN_ACTION_VIEWS = {
    action.code: _citizen_action_view(action) for action in actions.reporter_actions()
}

"""The inbound webhook of the SMS and WhatsApp gateways: ``POST /api/v1/inbound/<channel>/``.

No login: the gateway signs the raw body with the shared secret ``ASPIRASI_INBOUND_SECRET``
(HMAC-SHA256, header ``X-Aspirasi-Signature: sha256=<hex>``). The answer carries the reply
the gateway sends back to the sender. The commands themselves are in
:mod:`casework.inbound`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import inbound

from .serializers import ErrorSerializer

SIGNATURE_HEADER = "X-Aspirasi-Signature"
_HEX = re.compile(r"^[0-9a-f]{64}$")

InboundMessageSerializer = type(
    "InboundMessageSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "A message the gateway received.",
        "from": serializers.CharField(
            max_length=32, help_text=_("The sender's phone number, e.g. +6281234567890.")
        ),
        "text": serializers.CharField(
            max_length=4000, allow_blank=True, trim_whitespace=True, help_text=_("The message.")
        ),
        "id": serializers.CharField(
            max_length=255,
            required=False,
            allow_blank=True,
            help_text=_(
                "The gateway's id of the message: a message delivered again with the same id "
                "records nothing new and gets the same reply."
            ),
        ),
    },
)


class InboundReplySerializer(serializers.Serializer):
    reply = serializers.CharField(help_text=_("The text to send back to the sender."))


class InboundDisabled(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("Inbound messages are disabled.")
    default_code = "inbound_disabled"


def signature(secret: str, body: bytes) -> str:
    """The value of the signature header for a body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _verify(secret: str, body: bytes, header: str | None) -> bool:
    given = (header or "").strip()
    if not given.lower().startswith("sha256="):
        return False
    digest = given[len("sha256=") :].lower()
    if not _HEX.match(digest):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, digest)


class InboundMessageView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="inbound_create",
        summary=_("A message received by the SMS or WhatsApp gateway"),
        description=_(
            "For the gateway only: the raw body is signed with the shared secret, "
            "`X-Aspirasi-Signature: sha256=<hex HMAC-SHA256 of the body>`. "
            "`ASPIRASI <desa code or name>#<text>` records an aspiration and the reply "
            "carries its tracking code; `CEK <tracking code>` replies with the status; "
            "anything else gets a reply explaining both. The gateway sends `reply` back to "
            "the sender. Each sender may send `ASPIRASI_RATE_INBOUND` messages (429 beyond)."
        ),
        parameters=[
            OpenApiParameter(
                "channel",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=["sms", "whatsapp"],
                description=_("The gateway's channel."),
            ),
            OpenApiParameter(
                SIGNATURE_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description=_("sha256=<hex HMAC-SHA256 of the raw body with the shared secret>"),
            ),
        ],
        request=InboundMessageSerializer,
        responses={
            200: InboundReplySerializer,
            400: OpenApiResponse(ErrorSerializer, description=_("Bad input.")),
            403: OpenApiResponse(ErrorSerializer, description=_("Missing or wrong signature.")),
            422: OpenApiResponse(
                ErrorSerializer, description=_("The message id came before with another message.")
            ),
            429: OpenApiResponse(
                ErrorSerializer, description=_("Too many messages from this sender.")
            ),
            503: OpenApiResponse(
                ErrorSerializer, description=_("Inbound messages are not configured.")
            ),
        },
        examples=[
            OpenApiExample(
                "aspiration",
                value={
                    "from": "+6281234567890",
                    "text": "ASPIRASI Tegalrejo#Jalan berlubang",
                    "id": "msg-0001",
                },
                request_only=True,
            ),
            OpenApiExample(
                "status",
                value={"from": "+6281234567890", "text": "CEK ABCD-EFGH-JKMN"},
                request_only=True,
            ),
        ],
        auth=[],
        tags=["inbound"],
    )
    def post(self, request: Request, channel: str) -> Response:
        secret = getattr(settings, "ASPIRASI_INBOUND_SECRET", "")
        if not secret:
            raise InboundDisabled()
        body = request.body  # the raw bytes, as signed
        if not _verify(secret, body, request.headers.get(SIGNATURE_HEADER)):
            raise exceptions.PermissionDenied(_("Missing or wrong signature."))
        message = _message(body)
        sender = inbound.normalise_sender(message["from"])
        if sender is None:
            raise exceptions.ValidationError({"from": [_("Not a phone number.")]})
        wait = inbound.sender_retry_after(request._request, sender)
        if wait is not None:
            raise exceptions.Throttled(wait)
        reply = inbound.handle(
            channel=channel,
            sender=sender,
            text=message["text"],
            message_id=message.get("id", ""),
        )
        return Response({"reply": reply.text})


def _message(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise exceptions.ParseError(_("The body is not JSON.")) from None
    if not isinstance(data, dict):
        raise exceptions.ParseError(_("The body is not a JSON object."))
    parsed = InboundMessageSerializer(data=data)
    parsed.is_valid(raise_exception=True)
    return parsed.validated_data

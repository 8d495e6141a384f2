"""Every API error is JSON ``{"code": …, "detail": …}`` (plus ``fields`` for bad input).

Domain refusals (:class:`casework.errors.DomainError`) carry their own HTTP status: 400 bad
input, 403 role, 404 missing or out of scope, 409 illegal transition or lost race. DRF's own
exceptions (authentication, permissions, parsing, throttling) are reshaped the same way.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from casework.errors import DomainError

INVALID_INPUT = _("Invalid input.")
NOT_FOUND = _("Not found.")


def _first_message(detail: Any) -> Any:
    """The first message of a (possibly nested) list of error messages."""
    while isinstance(detail, list | tuple) and detail:
        detail = detail[0]
    return detail


def _validation_body(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        non_field = detail.get(api_settings.NON_FIELD_ERRORS_KEY)
        fields = {k: v for k, v in detail.items() if k != api_settings.NON_FIELD_ERRORS_KEY}
        body: dict[str, Any] = {
            "code": "invalid",
            "detail": _first_message(non_field) if non_field else INVALID_INPUT,
        }
        if fields:
            body["fields"] = fields
        return body
    if isinstance(detail, list | tuple):
        return {"code": "invalid", "detail": _first_message(detail) or INVALID_INPUT}
    return {"code": "invalid", "detail": detail}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        if isinstance(exc.detail, dict):
            body: dict[str, Any] = {"code": exc.code, "detail": INVALID_INPUT, "fields": exc.detail}
        else:
            body = {"code": exc.code, "detail": exc.detail}
        return Response(body, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc.detail)
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
    detail = response.data.get("detail") if isinstance(response.data, dict) else response.data
    response.data = {"code": code, "detail": detail}
    return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under the API that matches no endpoint (an unknown action included)."""
    return JsonResponse({"code": "not_found", "detail": NOT_FOUND}, status=404)

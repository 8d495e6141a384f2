"""Who may call an endpoint at all. What an officer may do to a case is decided by the
services (and shown by :func:`casework.permissions.available_actions`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from casework import selectors


class IsOfficer(BasePermission):
    """An authenticated user with a role in a unit. Anonymous callers get 401, other
    authenticated users (an administrator without a unit) 403."""

    message = _("Only officers may use this endpoint.")
    code = "not_an_officer"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return selectors.is_officer(request.user)

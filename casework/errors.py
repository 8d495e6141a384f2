"""One error type for domain refusals, mapped once to HTTP by the API's exception handler and
shown by the pages next to the form that caused it."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal by the domain: nothing was changed."""

    status_code = 400
    code = "invalid"

    def __init__(self, detail: Any, *, code: str | None = None, fields: dict | None = None):
        super().__init__(str(detail))
        self.detail = detail
        if code:
            self.code = code
        self.fields = fields or {}


class InvalidInput(DomainError):
    status_code = 400
    code = "invalid"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"


class Conflict(DomainError):
    """The action is not allowed in the current state, or lost to a concurrent one."""

    status_code = 409
    code = "conflict"


class Unavailable(DomainError):
    """Something the action needs does not answer (the file storage): nothing was recorded,
    and the same request may be sent again."""

    status_code = 503
    code = "unavailable"


class KeyReused(DomainError):
    """An idempotency key already used for another request: nothing was recorded. ``case``
    is the case the key's first request created."""

    status_code = 422
    code = "idempotency_key_reused"

    def __init__(self, detail: Any, *, case: Any = None, **kwargs: Any):
        super().__init__(detail, **kwargs)
        self.case = case

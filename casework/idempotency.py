"""Idempotent submissions: a request sent again with the key of one that already created a
case gets that case (and the answer it got), never a second one.

A client names each submission with a key: the API's ``Idempotency-Key`` header, the pages'
hidden ``submission_key`` field, a gateway's message id. The key belongs to its client's
scope (an officer, the anonymous public, a gateway's channel) and is written, with the
fingerprint of the request and the case, in the transaction that creates the case: a crash
leaves neither a key without its case nor a case without its key. The same key with the
same request answers the first result; with another request it is refused (422); while the
first is still being written, a second is refused as in flight (409: PostgreSQL's advisory
lock, taken without waiting; elsewhere the database's single writer makes the second wait
and find the first). Keys are kept :data:`RETENTION`, then purged (:func:`purge`, run by
beat).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .batch import RowBatch
from .errors import Conflict, InvalidInput, KeyReused
from .models import Case, IdempotencyKey

RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255
ANONYMOUS = "anonymous"
# the public form's keys: made by the page itself, apart from those API clients choose
PUBLIC_FORM = "anonymous:form"

REUSED = _(
    "This idempotency key was already used for a different request; nothing was recorded. "
    "Use a new key for a new submission."
)
IN_FLIGHT = _(
    "A request with this idempotency key is still being processed; send it again in a moment."
)
BAD_KEY = _("An idempotency key has 1 to 255 visible characters.")


def scope_of(user: Any) -> str:
    """The client a key belongs to: the officer, or the anonymous public."""
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return ANONYMOUS


def clean_key(raw: str) -> str:
    """The key of a header or field (a structured-field string: quotes allowed); refuses an
    empty, overlong or non-printable one."""
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise InvalidInput(BAD_KEY, code="invalid_idempotency_key")
    return key


def form_key(raw: str | None) -> str | None:
    """A page's ``submission_key``: a UUID, else None (the form then carries a new one)."""
    try:
        return str(uuid.UUID((raw or "").strip()))
    except ValueError:
        return None


def new_form_key() -> str:
    return str(uuid.uuid4())


def fingerprint(fields: Mapping[str, Any], files: Iterable[Any] = ()) -> str:
    """SHA-256 of the request: its fields as canonical JSON and the digest of each file."""
    digest = hashlib.sha256()
    digest.update(json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode())
    for upload in files:
        each = hashlib.sha256()
        for chunk in upload.chunks():
            each.update(chunk)
        upload.seek(0)
        digest.update(b"\0file:" + each.hexdigest().encode())
    return digest.hexdigest()


def request_fingerprint(data: Any, files: Any, *, leave_out: Iterable[str] = ()) -> str:
    """The fingerprint of a request's body: a JSON object as it is, form fields (a
    ``QueryDict``) with all their values, and the digests of the uploaded ``files`` (a
    ``MultiValueDict``), fields named in ``leave_out`` left out (a CSRF token, the key)."""
    skip = set(leave_out)
    if hasattr(data, "getlist"):
        fields: Any = {
            name: [v for v in data.getlist(name) if not hasattr(v, "chunks")]
            for name in sorted(data)
            if name not in skip and name not in files
        }
    else:
        fields = (
            {k: v for k, v in data.items() if k not in skip} if isinstance(data, dict) else data
        )
    uploads = [upload for name in sorted(files) for upload in files.getlist(name)]
    return fingerprint({"fields": fields, "files": sorted(files)}, uploads)


@dataclass
class Claim:
    """One keyed submission. ``answer`` gives the response to keep for a case (status and
    body), called in the transaction. After the service: ``replayed`` says whether the case
    is the first request's, ``row`` is the key's row."""

    scope: str
    key: str
    fingerprint: str
    answer: Callable[[Case], tuple[int, Any]] | None = None
    replayed: bool = False
    row: IdempotencyKey | None = field(default=None, repr=False)

    def _found(self, row: IdempotencyKey | None) -> Case | None:
        if row is None:
            return None
        if row.fingerprint != self.fingerprint:
            raise KeyReused(REUSED, case=row.case)
        self.row, self.replayed = row, True
        return row.case

    def find(self) -> Case | None:
        """The case of the key's first request, if one was recorded (a different request
        with the key is refused)."""
        row = (
            IdempotencyKey.objects.select_related("case")
            .filter(scope=self.scope, key=self.key)
            .first()
        )
        return self._found(row)

    def lock(self) -> Case | None:
        """In the submission's transaction: hold the key until the commit (409 when another
        request holds it), then :meth:`find`."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
                    [f"idempotency|{self.scope}|{self.key}"],
                )
                (held,) = cursor.fetchone()
            if not held:
                raise Conflict(IN_FLIGHT, code="idempotency_key_in_flight")
        return self.find()

    def record(self, case: Case, rows: RowBatch | None) -> None:
        """Write the key with its case (and the answer), in the case's transaction."""
        status, body = self.answer(case) if self.answer is not None else (None, None)
        row = IdempotencyKey(
            scope=self.scope,
            key=self.key,
            fingerprint=self.fingerprint,
            case=case,
            response_status=status,
            response_body=body,
            created_at=case.created_at,
        )
        if rows is not None:
            rows.add(row)
        else:
            row.save(force_insert=True)
        self.row = row


class Replay(Exception):
    """Raised inside a submission's transaction when the key's first request has committed
    meanwhile: the work is undone, and the first case is the answer."""

    def __init__(self, case: Case) -> None:
        super().__init__(case.number)
        self.case = case


def purge(now: datetime | None = None) -> int:
    """Remove the keys older than the retention; the number removed."""
    cutoff = (now or timezone.now()) - RETENTION
    removed, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return removed

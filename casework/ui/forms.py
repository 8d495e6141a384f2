"""Forms on the pages: a service's refusal shown next to the fields it names, the summary of
a form's errors with a link to each field, the files of a refused form kept for the next try,
the page to go back to after a form, and the dressing of the fields a phone user types
into."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .. import attachments, idempotency
from ..attachments import MAX_FILES, PreparedUpload, prepare_upload
from ..errors import DomainError, InvalidInput

log = logging.getLogger(__name__)


def errors_onto_form(form: forms.Form, error: InvalidInput, *, renamed: dict | None = None) -> bool:
    """Put a service's field errors next to the fields (``renamed``: the service's name of a
    field -> the form's); the rest above the form. False when none names a field."""
    detail = error.detail if isinstance(error.detail, dict) else {None: [error.detail]}
    renamed = renamed or {}
    placed = False
    for name, problems in detail.items():
        field = renamed.get(name, name)
        target = field if field in form.fields else None
        for problem in problems if isinstance(problems, list | tuple) else [problems]:
            form.add_error(target, str(problem))
        placed = placed or target is not None
    return placed


SUMMARY_LABEL_MAX = 40


def error_summary(form: forms.Form) -> list[dict[str, Any]]:
    """The form's errors in the order of its fields, each with the anchor of its input
    (``href``; the first option of a group of radio buttons or boxes) and the field's short
    name, then those of the whole form (no anchor)."""
    entries: list[dict[str, Any]] = []
    for name, problems in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            continue
        bound = form[name]
        anchor = bound.auto_id
        if isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            anchor = f"{anchor}_0"
        # a field named by a whole sentence (a consent box) is named by its message alone
        label = str(bound.label or "").rstrip(".: ")
        label = label if len(label) <= SUMMARY_LABEL_MAX else ""
        for problem in problems:
            entries.append({"href": f"#{anchor}", "label": label, "message": problem})
    for problem in form.non_field_errors():
        entries.append({"href": "", "label": "", "message": problem})
    return entries


# ----------------------------------------------------------------------------- kept files

HELD_FIELD = "held_files"  # the signed list of the kept files (a hidden field)
HELD_KEEP = "held_keep"  # the boxes of the kept files still wanted
HELD_SALT = "casework.ui.forms.held-files"
HELD_DIR = "held"
HELD_MAX_AGE = 6 * 60 * 60  # seconds a refused form's files wait for the next try


@dataclass(frozen=True)
class HeldFile:
    path: str  # in the default storage, under HELD_DIR, a random name
    name: str  # the name the person gave it
    content_type: str
    ext: str


class HeldFiles:
    """The files of a form that was refused, kept for the next try so nobody attaches a
    photo twice. They are checked (and stripped of their metadata) as any upload, stored
    under random names, and named in a signed token the page carries in a hidden field;
    the next submission takes back those whose box stays ticked. A token cannot be forged
    or changed, and it expires."""

    def __init__(self, items: Sequence[HeldFile] = ()) -> None:
        self.items = list(items)

    @classmethod
    def from_post(cls, data: QueryDict) -> HeldFiles:
        """The kept files the submission still wants; the unticked ones are removed."""
        token = data.get(HELD_FIELD, "")
        if not token:
            return cls()
        try:
            raw = signing.loads(token, salt=HELD_SALT, max_age=HELD_MAX_AGE)
            items = [HeldFile(**item) for item in raw]
        except (signing.BadSignature, TypeError, ValueError):
            return cls()
        wanted = set(data.getlist(HELD_KEEP))
        kept = [item for index, item in enumerate(items) if str(index) in wanted]
        HeldFiles([item for item in items if item not in kept]).discard()
        return cls(kept)

    def hold(self, uploads: Sequence[Any]) -> None:
        """Keep the acceptable ``uploads`` too, up to the number a form takes; a file the
        checks refuse is not kept (its error is shown next to the field)."""
        for upload in uploads:
            if len(self.items) >= MAX_FILES:
                break
            try:
                prepared = prepare_upload(upload)
                path = default_storage.save(
                    f"{HELD_DIR}/{uuid.uuid4().hex}.{prepared.ext}", ContentFile(prepared.data)
                )
            except ValidationError:
                continue
            except OSError as error:  # the storage failing: the person attaches it again
                log.warning("a refused form's file not kept: %s", error)
                continue
            self.items.append(
                HeldFile(path, prepared.original_name, prepared.content_type, prepared.ext)
            )

    def uploads(self) -> list[PreparedUpload]:
        """The kept files as checked uploads, ready for a service."""
        found = []
        for item in self.items:
            try:
                with default_storage.open(item.path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            found.append(PreparedUpload(data, item.content_type, item.ext, item.name))
        return found

    def discard(self) -> None:
        for item in self.items:
            try:
                default_storage.delete(item.path)
            except OSError:  # pragma: no cover (the storage failing again)
                log.warning("kept file %s not removed", item.path)
        self.items = []

    @property
    def token(self) -> str:
        return signing.dumps([asdict(item) for item in self.items], salt=HELD_SALT, compress=True)

    @property
    def listing(self) -> list[tuple[int, str]]:
        return [(index, item.name) for index, item in enumerate(self.items)]

    def __bool__(self) -> bool:
        return bool(self.items)


def purge_held_files(*, now: datetime | None = None, older_than: int = HELD_MAX_AGE) -> int:
    """Remove the kept files of refused forms nobody sent again: past the token's life no
    submission can take them back. Returns how many were removed."""
    cutoff = (now or timezone.now()) - timedelta(seconds=older_than)
    try:
        _folders, names = default_storage.listdir(HELD_DIR)
    except FileNotFoundError:  # nothing kept yet
        return 0
    removed = 0
    for name in names:
        path = f"{HELD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
        except OSError as error:  # gone meanwhile, or the storage failing: next hour
            log.warning("kept file %s not removed: %s", path, error)
    return removed


# ----------------------------------------------------------------------------- sent once

SUBMISSION_KEY = "submission_key"  # the hidden field naming one submission of a form
CSRF_FIELD = "csrfmiddlewaretoken"


def submission_key(request: HttpRequest) -> str:
    """The key a form is rendered with: the one it was sent with (a refused form keeps it),
    else a new one."""
    if request.method == "POST":
        key = idempotency.form_key(request.POST.get(SUBMISSION_KEY))
        if key is not None:
            return key
    return idempotency.new_form_key()


def submission_claim(request: HttpRequest, scope: str) -> idempotency.Claim | None:
    """The submission a form names with its key (None without one): sent again, it gives the
    case it recorded the first time."""
    key = idempotency.form_key(request.POST.get(SUBMISSION_KEY))
    if key is None:
        return None
    return idempotency.Claim(
        scope=scope,
        key=key,
        fingerprint=idempotency.request_fingerprint(
            request.POST, request.FILES, leave_out=(CSRF_FIELD, SUBMISSION_KEY)
        ),
    )


def report_refusal(request: HttpRequest, error: DomainError) -> None:
    """A refusal as a message on the next page."""
    detail = error.detail
    if isinstance(detail, dict):
        text = " ".join(str(m) for problems in detail.values() for m in problems)
    else:
        text = str(detail)
    messages.error(request, text)


def safe_next(request: HttpRequest, default: str, *args: Any) -> str:
    """The page a form asks to go back to (``next``), if it is on this site; else the URL
    named ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default, args=args)


def phone_input(autocomplete: str) -> forms.TextInput:
    return forms.TextInput(attrs={"type": "tel", "autocomplete": autocomplete})


# the long side, in pixels, a photo is scaled to in the browser before it is sent
PHOTO_MAX_PIXELS = 1600


def files_input() -> forms.FileInput:
    from ..actions.schema import MultipleFileInput

    # data-photo-max: the browser scales larger photos down before sending (photo-resize.js)
    return MultipleFileInput(
        attrs={
            "accept": "image/jpeg,image/png,image/webp,application/pdf",
            "data-photo-max": str(PHOTO_MAX_PIXELS),
        }
    )


def _files_help() -> str:
    return str(
        _(
            "Optional: up to %(n)d photos (JPEG, PNG, WebP) or PDF documents, %(mb)s MB each. "
            "Location data in photos is removed."
        )
        % {"n": attachments.MAX_FILES, "mb": attachments.max_bytes() // (1024 * 1024)}
    )


# formatted when shown, in the language of the request
FILES_HELP = format_lazy("{}", lazy(_files_help, str)())


def files_dress() -> dict[str, Any]:
    return {"label": _("Attachments"), "help_text": FILES_HELP, "widget": files_input()}


def set_choices(form: forms.Form, name: str, choices: Any) -> None:
    """Give the choice field ``name`` of ``form`` its choices (known when the form is made)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), name
    field.choices = choices

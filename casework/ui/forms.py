"""Forms on the pages: a service's refusal shown next to the fields it names, the page to go
back to after a form, and the dressing of the fields a phone user types into."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .. import attachments
from ..errors import DomainError, InvalidInput


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


def files_input() -> forms.FileInput:
    from ..actions.schema import MultipleFileInput

    return MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"})


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

"""The input of an action, declared once, and the two shapes built from it: the API's input
serializer (DRF) and the web page's form (Django).

A schema checks shapes only (types, lengths, ranges, known choices); every business rule is
the service's. A field names the keyword the service takes (``arg``) when the wire name
differs, and may belong to one surface only (``files``: the web pages; the API is JSON).
The web pages dress a form's fields (labels in their own words, widgets, choices that come
from reference data) without changing what they accept: see :func:`form_class`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, Literal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .. import phones

Kind = Literal[
    "text",  # several lines of free text
    "line",  # one line of free text
    "slug",  # a short code (letters, digits, dashes)
    "code",  # a code whose values come from reference data (checked by the service)
    "codes",  # a list of such codes
    "choice",  # one value of a fixed set of choices
    "int",
    "bool",
    "email",
    "regex",
    "phone",  # a phone number, normalised to E.164 (casework.phones)
    "coordinate",  # degrees of latitude or longitude, rounded to six places
    "date",  # a calendar day (ISO 8601 on the API)
    "files",  # uploaded files (web pages only)
]
Surface = Literal["api", "web"]
TEXT_MAX = 5000
Label = str | Promise


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    label: Label
    required: bool = True
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    choices: type[TextChoices] | None = None
    regex: str | None = None
    help_text: Label = ""
    errors: Mapping[str, Label] = field(default_factory=dict)
    arg: str | None = None  # the service's keyword, when it differs from ``name``
    default: Any = None  # the API's value when the field is absent (None: left out)
    blank: bool = False  # a choice may be left empty ("")
    surfaces: frozenset[Surface] = frozenset({"api", "web"})

    @property
    def keyword(self) -> str:
        return self.arg or self.name


def text(name: str, label: Label, *, required: bool = True, **kw: Any) -> Field:
    return Field(name, "text", label, required=required, max_length=TEXT_MAX, **kw)


def files(name: str = "attachments") -> Field:
    return Field(name, "files", _("Attachments"), required=False, surfaces=frozenset({"web"}))


@dataclass(frozen=True)
class Schema:
    """The fields of one action's input."""

    fields: tuple[Field, ...] = ()

    def __iter__(self) -> Any:
        return iter(self.fields)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def on(self, surface: Surface) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if surface in f.surfaces)

    def only(self, *names: str) -> Schema:
        return Schema(tuple(f for f in self.fields if f.name in names))

    def without(self, *names: str) -> Schema:
        return Schema(tuple(f for f in self.fields if f.name not in names))

    def changed(self, name: str, **changes: Any) -> Schema:
        return Schema(tuple(replace(f, **changes) if f.name == name else f for f in self.fields))

    def keywords(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Cleaned values named as the service takes them (fields of the schema only)."""
        known = {f.name: f for f in self.fields}
        return {known[k].keyword: v for k, v in values.items() if k in known}


# ----------------------------------------------------------------------------- the API


class CoordinateSerializerField(serializers.DecimalField):
    """A latitude or longitude in degrees; extra decimals (a phone's GPS) are rounded to six."""

    def __init__(self, limit: int, **kwargs: Any) -> None:
        super().__init__(
            max_digits=9,
            decimal_places=6,
            rounding=ROUND_HALF_EVEN,
            min_value=Decimal(-limit),
            max_value=Decimal(limit),
            allow_null=True,
            coerce_to_string=False,
            **kwargs,
        )

    def validate_precision(self, value: Decimal) -> Decimal:
        return value  # quantize() rounds to six places, the range validators do the rest


class PhoneSerializerField(serializers.CharField):
    """A phone number as typed; its value is the E.164 form (``+6281234567890``)."""

    default_error_messages = {"invalid": phones.INVALID}

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        if not text:
            return text
        number = phones.normalise(text)
        if number is None:
            self.fail("invalid")
        return number


def _limit(f: Field) -> int:
    return 90 if f.name.startswith("lat") else 180


def serializer_field(f: Field) -> serializers.Field:
    kw: dict[str, Any] = {"label": f.label, "required": f.required}
    if f.help_text:
        kw["help_text"] = f.help_text
    if f.errors:
        kw["error_messages"] = dict(f.errors)
    if not f.required and f.default is not None:
        kw["default"] = f.default
        del kw["required"]
    if f.kind in ("text", "line", "code"):
        return serializers.CharField(max_length=f.max_length, allow_blank=not f.required, **kw)
    if f.kind == "slug":
        return serializers.SlugField(max_length=f.max_length, **kw)
    if f.kind == "codes":
        return serializers.ListField(
            child=serializers.CharField(max_length=f.max_length),
            min_length=f.min_items,
            max_length=f.max_items,
            **kw,
        )
    if f.kind == "choice":
        assert f.choices is not None
        return serializers.ChoiceField(choices=f.choices.choices, allow_blank=f.blank, **kw)
    if f.kind == "int":
        return serializers.IntegerField(min_value=f.min_value, max_value=f.max_value, **kw)
    if f.kind == "bool":
        return serializers.BooleanField(**kw)
    if f.kind == "email":
        return serializers.EmailField(allow_blank=not f.required, **kw)
    if f.kind == "regex":
        assert f.regex is not None
        return serializers.RegexField(f.regex, allow_blank=not f.required, **kw)
    if f.kind == "phone":
        return PhoneSerializerField(max_length=f.max_length, allow_blank=not f.required, **kw)
    if f.kind == "coordinate":
        return CoordinateSerializerField(_limit(f), **kw)
    if f.kind == "date":
        return serializers.DateField(allow_null=not f.required, **kw)
    raise ValueError(f"{f.name}: {f.kind} fields are not part of the API")


class InputSerializer(serializers.Serializer):
    """An action's input on the API; :meth:`service_kwargs` names it as the service takes it.

    Each instance needs fields of its own (DRF binds them to it). They are shallow copies of
    fields built once per class from the declaration: building sixteen fields for every
    submission was a tenth of the request's Python. A copy shares only what no request
    changes (labels, choices, validators); what binding and validation set lands on the copy.
    A list field is built afresh: its child is bound to it."""

    schema: Schema = Schema()
    _built: tuple[tuple[Field, serializers.Field], ...] | None = None

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        built = cls.__dict__.get("_built")
        if built is None:
            built = cls._built = tuple((f, serializer_field(f)) for f in self.schema.on("api"))
        return {
            spec.name: serializer_field(spec)
            if isinstance(field, serializers.ListField)
            else copy.copy(field)
            for spec, field in built
        }

    def service_kwargs(self) -> dict[str, Any]:
        return self.schema.keywords(self.validated_data)


def serializer_class(name: str, schema: Schema, *, doc: str = "") -> type[InputSerializer]:
    """The API's input serializer of ``schema`` (its OpenAPI component is ``name``)."""
    return type(name, (InputSerializer,), {"schema": schema, "__doc__": doc or None})


# ----------------------------------------------------------------------------- the web pages


class CoordinateFormField(forms.DecimalField):
    """Degrees; a phone's extra decimals are rounded to six places."""

    def __init__(self, limit: int, **kwargs: Any) -> None:
        super().__init__(min_value=Decimal(-limit), max_value=Decimal(limit), **kwargs)
        self.widget.attrs.update({"step": "any", "inputmode": "decimal"})

    # django-stubs gives DecimalField the to_python of IntegerField, its base
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        number = super().to_python(value)
        if number is None:
            return None
        try:
            return Decimal(number).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
        except InvalidOperation:
            raise ValidationError(_("Enter a number."), code="invalid") from None


class PhoneFormField(forms.CharField):
    """A phone number as typed; cleaned into its E.164 form (``+6281234567890``)."""

    default_error_messages = {"invalid": phones.INVALID}

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        number = phones.normalise(text)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class FilesFormField(forms.FileField):
    """Several files in one input; cleaned into the list of uploads (the service checks
    them)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(FilesFormField, self).clean(item, initial) for item in items if item]


def form_field(f: Field, dress: Mapping[str, Any] | None = None) -> forms.Field:
    """The form field of ``f``; ``dress`` gives the page's label, help text, widget, choices
    (for ``code`` and ``codes`` fields) or initial value."""
    dress = dict(dress or {})
    kw: dict[str, Any] = {
        "label": dress.pop("label", f.label),
        "required": f.required,
        "help_text": dress.pop("help_text", f.help_text),
    }
    if f.errors:
        kw["error_messages"] = dict(f.errors)
    widget = dress.pop("widget", None)
    if widget is not None:
        kw["widget"] = widget
    choices = dress.pop("choices", None)
    if "initial" in dress:
        kw["initial"] = dress.pop("initial")
    if dress:
        raise TypeError(f"{f.name}: unknown presentation {sorted(dress)}")
    if f.kind == "text":
        kw.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        return forms.CharField(max_length=f.max_length, **kw)
    if f.kind == "line":
        return forms.CharField(max_length=f.max_length, **kw)
    if f.kind in ("code", "slug") and choices is None:
        return forms.CharField(max_length=f.max_length, **kw)
    if f.kind in ("code", "slug", "choice"):
        if choices is None:
            assert f.choices is not None, f"{f.name}: a choice field without choices"
            choices = f.choices.choices
        return forms.ChoiceField(choices=choices, **kw)
    if f.kind == "codes":
        return forms.MultipleChoiceField(choices=choices or [], **kw)
    if f.kind == "int":
        if choices is not None:
            return forms.TypedChoiceField(choices=choices, coerce=int, **kw)
        return forms.IntegerField(min_value=f.min_value, max_value=f.max_value, **kw)
    if f.kind == "bool":
        return forms.BooleanField(**kw)
    if f.kind == "email":
        return forms.EmailField(**kw)
    if f.kind == "regex":
        assert f.regex is not None
        return forms.RegexField(f.regex, max_length=f.max_length, **kw)
    if f.kind == "phone":
        return PhoneFormField(max_length=f.max_length, **kw)
    if f.kind == "coordinate":
        return CoordinateFormField(_limit(f), **kw)
    if f.kind == "date":
        kw.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        return forms.DateField(**kw)
    if f.kind == "files":
        return FilesFormField(**kw)
    raise ValueError(f"{f.name}: unknown kind {f.kind}")


class InputForm(forms.Form):
    """An action's input on a web page; :meth:`service_kwargs` names it as the service takes
    it."""

    schema: Schema = Schema()
    # field name -> presentation (label, help_text, widget, choices, initial); a callable (the
    # presentation, or its choices) is called with the form, for what depends on the case or
    # the user
    dress: Mapping[str, Mapping[str, Any] | Callable[[Any], Mapping[str, Any]]] = {}
    extra_fields: Sequence[str] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        built = {}
        for f in self.schema.on("web"):
            dressing = self.dress.get(f.name, {})
            if callable(dressing):
                dressing = dressing(self)
            if callable(dressing.get("choices")):
                dressing = {**dressing, "choices": dressing["choices"](self)}
            built[f.name] = form_field(f, dressing)
        # the page's own fields (declared on the class) stay, after the schema's
        self.fields = {**built, **{k: v for k, v in self.fields.items() if k not in built}}

    def service_kwargs(self) -> dict[str, Any]:
        return self.schema.keywords(self.cleaned_data)


def form_class[F: InputForm](
    name: str,
    schema: Schema,
    *,
    base: type[F],
    dress: Mapping[str, Any] | None = None,
    attrs: Mapping[str, Any] | None = None,
) -> type[F]:
    """A form class of ``schema`` on ``base``, dressed for a page."""
    body: dict[str, Any] = {"schema": schema, "dress": dict(dress or {}), **(attrs or {})}
    return type(name, (base,), body)


def names(fields: Iterable[Field]) -> list[str]:
    return [f.name for f in fields]

"""Forms of the case page's actions and of the KIM intake. They check shapes (lengths, known
choices, files) the way the API's input serializers do; the services decide the rest."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from casework import attachments, refdata
from casework.models import (
    OPEN_TASK_STATUSES,
    CaseStatus,
    Confidentiality,
    Priority,
    RegionLevel,
    Role,
    UnitKind,
)

TEXT_MAX = 5000


def _text(
    label: Any,
    *,
    required: bool = True,
    max_length: int = TEXT_MAX,
    rows: int = 4,
    help_text: Any = "",
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def opd_choices(exclude: int | None = None) -> list[tuple[str, str]]:
    units = [
        u
        for (kind, _code), u in refdata.snapshot().units.items()
        if kind == UnitKind.OPD and u.active and u.pk != exclude
    ]
    return [(u.code, u.name) for u in sorted(units, key=lambda u: u.name)]


def category_choices() -> list[tuple[str, str]]:
    categories = [c for c in refdata.snapshot().categories.values() if c.active]
    return [(c.code, c.name) for c in sorted(categories, key=lambda c: c.name)]


# ----------------------------------------------------------------------------- files


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to three photos (JPEG, PNG, WebP) or PDF documents; cleaned into checked uploads
    (:class:`casework.attachments.PreparedUpload`) with the photos' metadata removed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault(
            "help_text",
            # formatted when shown, in the language of the request
            format_lazy(
                "{}",
                lazy(
                    lambda: (
                        _(
                            "Optional: up to %(n)d photos (JPEG, PNG, WebP) or PDF documents, "
                            "%(mb)s MB each. Location data in photos is removed."
                        )
                        % {
                            "n": attachments.MAX_FILES,
                            "mb": attachments.max_bytes() // (1024 * 1024),
                        }
                    ),
                    str,
                )(),
            ),
        )
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        )
        kwargs["required"] = False
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[attachments.PreparedUpload]:
        if not data:
            files = []
        elif isinstance(data, (list, tuple)):
            files = [super(AttachmentsField, self).clean(f, initial) for f in data if f]
        else:
            files = [super().clean(data, initial)]
        return attachments.prepare_uploads([f for f in files if f])


# ----------------------------------------------------------------------------- actions


class ActionForm(forms.Form):
    """The input of one officer action; ``service_kwargs`` names it the way the service
    (``services.OFFICER_ACTIONS[action]``) takes it."""

    action = ""
    label: Any = ""
    multipart = False

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        case: Any,
        user: Any,
        tasks: Any = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        super().__init__(data, files, **kwargs)
        self.case = case
        self.user = user
        self.tasks = list(tasks)

    def service_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "attachments"}

    @property
    def files_to_attach(self) -> list[attachments.PreparedUpload]:
        return list(self.cleaned_data.get("attachments") or [])


class ClaimForm(ActionForm):
    action = "claim"
    label = _("Claim")


class ReleaseForm(ActionForm):
    action = "release"
    label = _("Release")


class VerifyForm(ActionForm):
    action = "verify"
    label = _("Verify and forward to the forum")


class AcceptForm(ActionForm):
    action = "accept"
    label = _("Accept")


class RequestInfoForm(ActionForm):
    action = "request_info"
    label = _("Ask for more information")
    question = _text(
        _("Question to the reporter"),
        help_text=_("The reporter sees this question on the tracking page."),
    )


class ProvideInfoForm(ActionForm):
    action = "provide_info"
    label = _("Supply the requested information")
    text = _text(_("Information from the reporter"))


class DispatchForm(ActionForm):
    action = "dispatch"
    label = _("Dispatch to OPD")
    opds = forms.MultipleChoiceField(
        label=_("OPD"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The routing rule's suggestion is preselected."),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=Priority.choices)
    note = _text(_("Note to the OPD"), required=False, rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opds"].choices = opd_choices()
        self.fields["category"].choices = category_choices()
        case = self.case
        self.fields["category"].initial = case.category.code
        self.fields["priority"].initial = case.priority
        self.suggested = None
        suggested_id = refdata.suggested_opd_id(case.category_id, case.kecamatan_id)
        if suggested_id is not None:
            unit = refdata.unit_by_id(suggested_id)
            if unit is not None and unit.active:
                self.suggested = unit
                self.fields["opds"].initial = [unit.code]

    def clean_opds(self) -> list[str]:
        opds = self.cleaned_data["opds"]
        if len(opds) > 20:
            raise ValidationError(_("Name at most 20 OPD."))
        return opds


class ResolveForm(ActionForm):
    action = "resolve"
    label = _("Answer at forum level")
    response = _text(_("Answer"), help_text=_("The reporter reads this answer."))


class RespondForm(ActionForm):
    action = "respond"
    label = _("Record the follow-up")
    multipart = True
    response = _text(_("Follow-up (tindak lanjut)"), help_text=_("The reporter reads this."))
    attachments = AttachmentsField()


WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    "dan di ke dari yang untuk dengan pada ini itu ada tidak sudah belum agar atau juga "
    "karena oleh saat akan dalam para kami kita mohon tolong the and of to in".split()
)


def title_words(title: str) -> frozenset[str]:
    return frozenset(w for w in WORD.findall(title.lower()) if len(w) > 2 and w not in STOPWORDS)


def word_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the words of two titles that they have in common (Jaccard), 0 to 1."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def rank_similar(case: Any, candidates: Any, limit: int = 10) -> list[Any]:
    """The candidates with the most title words in common with ``case`` first (newest first
    among equals); each gets a ``similarity`` percentage."""
    own = title_words(case.title)
    ranked = []
    for position, other in enumerate(candidates):
        other.similarity = round(100 * word_overlap(own, title_words(other.title)))
        ranked.append((-other.similarity, position, other))
    ranked.sort(key=lambda item: item[:2])
    return [other for _score, _pos, other in ranked[:limit]]


class MergeForm(ActionForm):
    action = "merge"
    label = _("Merge into another case")
    candidate = forms.ChoiceField(
        label=_("Similar open cases in this kecamatan"),
        required=False,
        widget=forms.RadioSelect,
    )
    into = forms.CharField(
        label=_("Or type the case number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "LMJ-2611-00042", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, candidates: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        self.fields["candidate"].choices = [(c.number, c.number) for c in self.candidates]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        typed = (data.get("into") or "").strip().upper()
        chosen = typed or data.get("candidate") or ""
        if not chosen:
            self.add_error("into", _("Pick a similar case or type a case number."))
        elif chosen == self.case.number:
            self.add_error("into", _("A case cannot be merged into itself."))
        data["into"] = chosen
        return data

    def service_kwargs(self) -> dict[str, Any]:
        return {"into": self.cleaned_data["into"]}


class RejectForm(ActionForm):
    action = "reject"
    label = _("Reject")
    reason = _text(_("Reason for rejection"), help_text=_("The reporter reads this reason."))


class DeclineForm(ActionForm):
    action = "decline"
    label = _("Decline: not our authority")
    reason = _text(_("Why this is not your OPD's authority"))
    suggested_opd = forms.ChoiceField(label=_("OPD that should handle it"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["suggested_opd"].choices = [
            ("", _("— don't know —")),
            *opd_choices(exclude=self.user.unit_id),
        ]

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "reason": self.cleaned_data["reason"],
            "suggested_opd": self.cleaned_data.get("suggested_opd") or None,
        }


class ReassignForm(ActionForm):
    """Give an open task to an officer of its unit; ``officers`` maps a task id to the
    officers of that task's unit."""

    action = "reassign"
    label = _("Reassign")
    task = forms.TypedChoiceField(label=_("Task"), coerce=int)
    to = forms.ChoiceField(label=_("Officer"))

    def __init__(
        self, *args: Any, officers: dict[int, list[Any]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.officers = officers or {}
        user = self.user
        self.reassignable = [
            t
            for t in self.tasks
            if t.unit_id is not None
            and t.status in OPEN_TASK_STATUSES
            and (user.role == Role.SUPERVISOR or t.unit_id == user.unit_id)
        ]
        self.fields["task"].choices = [
            (t.pk, f"{t.get_stage_display()} · {t.unit.name}") for t in self.reassignable
        ]
        if len(self.reassignable) == 1:
            # one task: nothing to choose
            self.fields["task"].initial = self.reassignable[0].pk
            self.fields["task"].required = False
            self.fields["task"].widget = forms.HiddenInput()
        groups = []
        for t in self.reassignable:
            people = [
                (u.username, f"{u.get_full_name() or u.username} ({u.get_role_display()})")
                for u in self.officers.get(t.pk, [])
            ]
            groups.append((t.unit.name, people))
        if len(groups) == 1:
            self.fields["to"].choices = [("", "—"), *groups[0][1]]
        else:
            # the same unit may hold several tasks: list its officers once
            seen: dict[str, list[tuple[str, str]]] = {}
            for name, people in groups:
                seen.setdefault(name, people)
            self.fields["to"].choices = [("", "—"), *seen.items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("task") in (None, "") and len(self.reassignable) == 1:
            data["task"] = self.reassignable[0].pk
        task_id, to = data.get("task"), data.get("to")
        if task_id is not None and to:
            allowed = {u.username for u in self.officers.get(task_id, [])}
            if to not in allowed:
                self.add_error("to", _("Choose an officer of the unit holding the task."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        return {"to": self.cleaned_data["to"], "task_id": self.cleaned_data["task"]}


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        ClaimForm,
        ReleaseForm,
        VerifyForm,
        AcceptForm,
        RespondForm,
        DispatchForm,
        ResolveForm,
        RequestInfoForm,
        ProvideInfoForm,
        MergeForm,
        RejectForm,
        DeclineForm,
        ReassignForm,
    )
}
# actions taken with one click (no input)
ONE_CLICK = frozenset(action for action, form in ACTION_FORMS.items() if not form.base_fields)


# ----------------------------------------------------------------------------- case list


def _all(pairs: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *pairs]


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or title"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    desa = forms.ChoiceField(label=_("Desa/kelurahan"), required=False)
    overdue = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=_all([("1", _("Overdue")), ("0", _("Not overdue"))]),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _all(CaseStatus.choices)
        self.fields["priority"].choices = _all(Priority.choices)
        self.fields["category"].choices = _all(category_choices())
        regions = refdata.snapshot().regions.values()
        unit = user.unit
        kecamatan = sorted(
            (r for r in regions if r.level == RegionLevel.KECAMATAN), key=lambda r: r.name
        )
        villages = sorted(
            (r for r in regions if r.level in (RegionLevel.DESA, RegionLevel.KELURAHAN)),
            key=lambda r: r.name,
        )
        if unit.kind == UnitKind.KIM:
            # one desa in scope: nothing to choose
            del self.fields["kecamatan"]
            del self.fields["desa"]
            return
        if unit.kind == UnitKind.FORUM:
            del self.fields["kecamatan"]
            self.fields["desa"].choices = _all(
                (r.code, r.name) for r in villages if r.parent_id == unit.region_id
            )
            return
        self.fields["kecamatan"].choices = _all((r.code, r.name) for r in kecamatan)
        names = {r.code: r.name for r in kecamatan}
        grouped: dict[str, list[tuple[str, str]]] = {}
        for r in villages:
            grouped.setdefault(names.get(r.parent_id or "", ""), []).append((r.code, r.name))
        self.fields["desa"].choices = _all(sorted(grouped.items()))

    def filters(self) -> dict[str, Any]:
        """The valid filters, in the terms of the API's case filter."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
        if "overdue" in data:
            data["overdue"] = "true" if data["overdue"] == "1" else "false"
        for name in ("status", "priority"):  # the API filter takes several of these
            if name in data:
                data[name] = [data[name]]
        return data


# ----------------------------------------------------------------------------- intake


class CoordinateField(forms.DecimalField):
    """Degrees; a phone's extra decimals are rounded to six places."""

    def __init__(self, limit: int, **kwargs: Any) -> None:
        super().__init__(
            required=False, min_value=Decimal(-limit), max_value=Decimal(limit), **kwargs
        )
        self.widget.attrs.update({"step": "any", "inputmode": "decimal"})

    def to_python(self, value: Any) -> Decimal | None:
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
        except InvalidOperation:
            raise ValidationError(_("Enter a number."), code="invalid") from None


class PhoneField(forms.RegexField):
    """A reporter's phone or WhatsApp number as people write it: digits, spaces, +, - and
    brackets; optional."""

    def __init__(self, *, label: Any, autocomplete: str, **kwargs: Any) -> None:
        super().__init__(
            r"^\+?[0-9 ()-]{6,20}$",
            label=label,
            max_length=20,
            required=False,
            error_messages={"invalid": _("Enter a phone number: digits, spaces, + and -.")},
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": autocomplete}),
            **kwargs,
        )


CONFIDENTIALITY_HELP = {
    Confidentiality.BIASA: _(
        "Biasa (ordinary): officers handling the case see who reported it; the public "
        "tracking page shows the aspiration but never the reporter."
    ),
    Confidentiality.ANONIM: _(
        "Anonim: the reporter's identity is hidden from the forum and the OPD; only this "
        "KIM and the supervisor at Diskominfo see it."
    ),
    Confidentiality.RAHASIA: _(
        "Rahasia (confidential): like anonim, and the aspiration itself is not shown "
        "publicly; the tracking page shows only its number and status."
    ),
}


class IntakeForm(forms.Form):
    """An aspiration a KIM operator collected offline, recorded on the citizen's behalf."""

    category = forms.ChoiceField(label=_("Category"))
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("One line: what and where.")
    )
    description = forms.CharField(
        label=_("Description"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=255,
        required=False,
        help_text=_("Dusun, RT/RW, street or a landmark nearby."),
    )
    latitude = CoordinateField(90, label=_("Latitude"))
    longitude = CoordinateField(180, label=_("Longitude"))
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.SEDANG
    )
    confidentiality = forms.ChoiceField(
        label=_("Confidentiality"),
        choices=[(value, CONFIDENTIALITY_HELP[value]) for value in Confidentiality.values],
        initial=Confidentiality.BIASA,
        widget=forms.RadioSelect,
    )
    reporter_name = forms.CharField(label=_("Citizen's name"), max_length=150, required=False)
    reporter_phone = PhoneField(label=_("Phone / WhatsApp"), autocomplete="off")
    reporter_email = forms.EmailField(label=_("E-mail"), required=False)
    reporter_nik = forms.RegexField(
        r"^\d{16}$",
        label=_("NIK"),
        max_length=16,
        required=False,
        error_messages={"invalid": _("A NIK has 16 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    consent = forms.BooleanField(
        label=_(
            "The citizen agrees that these details are recorded and that they may be "
            "contacted about this aspiration."
        ),
        required=False,
    )
    attachments = AttachmentsField()

    REPORTER_FIELDS = ("reporter_name", "reporter_phone", "reporter_email", "reporter_nik")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *category_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given = any(data.get(name) for name in self.REPORTER_FIELDS)
        if given and not data.get("consent"):
            self.add_error(
                "consent",
                _("Ask the citizen for consent, or leave their details out."),
            )
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            if "latitude" not in self.errors and "longitude" not in self.errors:
                self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "title": data["title"],
            "description": data["description"],
            "address": data.get("address", ""),
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "priority": data["priority"],
            "confidentiality": data["confidentiality"],
            **{name: data.get(name) or "" for name in self.REPORTER_FIELDS},
        }

"""Forms of the public pages. They check shapes (lengths, known choices, files, consent);
the services decide the rest and their refusals are shown on the same page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from casework import refdata
from casework.models import Confidentiality, NotifyChannel, RegionLevel
from casework.web.case_forms import AttachmentsField, CoordinateField, PhoneField

# The honeypot: a field people never see (hidden, skipped by the keyboard and by screen
# readers) and simple bots fill in. Its name looks like something worth filling.
HONEYPOT = "website"

TEXT_MAX = 5000

# What each confidentiality mode means for the citizen, in plain words, shown next to it.
CONFIDENTIALITY_HELP = {
    Confidentiality.BIASA: _(
        "The officers handling your aspiration see your name. The aspiration itself may be "
        "shown publicly, always without your name."
    ),
    Confidentiality.ANONIM: _(
        "Only the KIM operators of your desa and the supervisor at Diskominfo can see who "
        "you are. The aspiration may be shown publicly, without your identity."
    ),
    Confidentiality.RAHASIA: _(
        "Nothing of it is public, and your identity is protected as for anonymous. With your "
        "tracking code you see only its number and status; questions and answers reach you "
        "through the channel you choose below."
    ),
}
CONFIDENTIALITY_LABELS = {
    Confidentiality.BIASA: _("Ordinary (biasa)"),
    Confidentiality.ANONIM: _("Anonymous (anonim)"),
    Confidentiality.RAHASIA: _("Confidential (rahasia)"),
}
NOTIFY_CHOICES = [
    ("", _("No updates: I will check with my tracking code")),
    (NotifyChannel.EMAIL, _("E-mail")),
    (NotifyChannel.SMS, _("SMS")),
    (NotifyChannel.WHATSAPP, _("WhatsApp")),
]


def category_choices() -> list[tuple[str, str]]:
    """Active categories, named in the page's language where a translation exists."""
    english = (get_language() or "").startswith("en")
    found = [c for c in refdata.snapshot().categories.values() if c.active]
    named = [(c.code, (c.name_en if english and c.name_en else c.name)) for c in found]
    return sorted(named, key=lambda pair: pair[1])


def desa_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every desa/kelurahan grouped under its kecamatan (``<optgroup>``), both by name: the
    picker works without JavaScript."""
    regions = refdata.snapshot().regions.values()
    kecamatan = {r.code: r.name for r in regions if r.level == RegionLevel.KECAMATAN}
    grouped: dict[str, list[tuple[str, str]]] = {code: [] for code in kecamatan}
    for r in regions:
        if r.level in (RegionLevel.DESA, RegionLevel.KELURAHAN) and r.parent_id in grouped:
            grouped[r.parent_id].append((r.code, r.name))
    return [
        (kecamatan[code], sorted(villages, key=lambda pair: pair[1]))
        for code, villages in sorted(grouped.items(), key=lambda item: kecamatan[item[0]])
        if villages
    ]


class SubmitForm(forms.Form):
    """An aspiration from a citizen, without an account."""

    category = forms.ChoiceField(label=_("Category"))
    desa = forms.ChoiceField(
        label=_("Desa/kelurahan"),
        help_text=_("Listed under its kecamatan."),
        error_messages={"invalid_choice": _("Choose a desa/kelurahan from the list.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("One line: what and where, e.g. “Broken bridge at Dusun Krajan”."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=10000,
        help_text=_("What happened, since when, who is affected. Please do not write your NIK."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    address = forms.CharField(
        label=_("Address or landmark (optional)"),
        max_length=255,
        required=False,
        help_text=_("Dusun, RT/RW, street or a landmark nearby."),
    )
    latitude = CoordinateField(90, label=_("Latitude (optional)"))
    longitude = CoordinateField(180, label=_("Longitude (optional)"))
    attachments = AttachmentsField()
    confidentiality = forms.ChoiceField(
        label=_("Who may see it"),
        choices=[(value, CONFIDENTIALITY_LABELS[value]) for value in Confidentiality.values],
        initial=Confidentiality.BIASA,
        widget=forms.RadioSelect,
    )
    reporter_name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    reporter_phone = PhoneField(label=_("Phone / WhatsApp number"), autocomplete="tel")
    reporter_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    notify_channel = forms.ChoiceField(
        label=_("Send me updates by"),
        choices=NOTIFY_CHOICES,
        required=False,
        initial="",
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that my contact details are recorded with this aspiration and that the "
            "officers handling it may contact me about it."
        ),
        required=False,
    )

    CONTACT_FIELDS = ("reporter_name", "reporter_phone", "reporter_email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("— choose —")), *category_choices()]
        self.fields["desa"].choices = [("", _("— choose —")), *desa_choices()]
        self.fields["reporter_name"].widget.attrs["autocomplete"] = "name"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        channel = data.get("notify_channel") or ""
        if channel == NotifyChannel.EMAIL and not data.get("reporter_email"):
            if "reporter_email" not in self.errors:
                self.add_error("reporter_email", _("Give your e-mail address to get updates."))
        elif channel in (NotifyChannel.SMS, NotifyChannel.WHATSAPP):
            if not data.get("reporter_phone") and "reporter_phone" not in self.errors:
                self.add_error("reporter_phone", _("Give your phone number to get updates."))
        given = any(data.get(name) for name in self.CONTACT_FIELDS) or bool(channel)
        if given and not data.get("consent"):
            self.add_error(
                "consent",
                _("Tick this box to give your contact details, or leave them empty."),
            )
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            if "latitude" not in self.errors and "longitude" not in self.errors:
                self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return data

    def kecamatan_names(self) -> list[str]:
        """The kecamatan of the desa list, in its order (for the optional filter)."""
        return [group for group, options in self.fields["desa"].choices if group and options]

    def confidentiality_options(self) -> list[dict[str, Any]]:
        """The radio buttons of the confidentiality choice, each with its explanation."""
        return [
            {"radio": radio, "help": CONFIDENTIALITY_HELP[radio.data["value"]]}
            for radio in self["confidentiality"]
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "desa": data["desa"],
            "title": data["title"],
            "description": data["description"],
            "address": data.get("address", ""),
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "confidentiality": data["confidentiality"],
            "reporter_name": data.get("reporter_name") or "",
            "reporter_phone": data.get("reporter_phone") or "",
            "reporter_email": data.get("reporter_email") or "",
            "contact_consent": bool(data.get("consent")),
            "notify_channel": data.get("notify_channel") or "",
        }


class TrackForm(forms.Form):
    kode = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        help_text=_("The 12 letters and digits you received, e.g. 7KQ2-M9XD-4HTR."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
            }
        ),
    )


# ----------------------------------------------------------------------------- citizen actions


class CitizenForm(forms.Form):
    """The input of one citizen action on the tracking page (``services.CITIZEN_ACTIONS``)."""

    action = ""
    multipart = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "attachments"}

    @property
    def files_to_attach(self) -> list[Any]:
        return list(self.cleaned_data.get("attachments") or [])


class ProvideInfoForm(CitizenForm):
    action = "provide_info"
    multipart = True
    text = forms.CharField(
        label=_("Your answer"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = AttachmentsField()


RATING_CHOICES = [
    (5, _("5 — very good")),
    (4, _("4 — good")),
    (3, _("3 — fair")),
    (2, _("2 — poor")),
    (1, _("1 — very poor")),
]


class ConfirmForm(CitizenForm):
    action = "confirm"
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DisputeForm(CitizenForm):
    action = "dispute"
    reason = forms.CharField(
        label=_("What is still wrong?"),
        max_length=TEXT_MAX,
        help_text=_("The agency that answered works on it again."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


CITIZEN_FORMS: dict[str, type[CitizenForm]] = {
    form.action: form for form in (ProvideInfoForm, ConfirmForm, DisputeForm)
}

"""Forms of the public pages, built from the actions' declarations: the fields and what they
accept are the action's input schema, dressed here for a citizen. The services decide the rest
(consent, both coordinates or neither, the files) and their refusals are shown on the same
page."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from casework import actions, refdata
from casework.actions import Action
from casework.actions import declarations as d
from casework.actions.schema import InputForm, form_class
from casework.models import Confidentiality, NotifyChannel, RegionLevel
from casework.ui.forms import files_dress, phone_input

# The honeypot: a field people never see (hidden, skipped by the keyboard and by screen
# readers) and simple bots fill in. Its name looks like something worth filling.
HONEYPOT = "website"

TEXT_MAX = 5000

# What each confidentiality mode means for the citizen, in plain words, shown next to it.
CONFIDENTIALITY_HELP: dict[str, Any] = {
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
CONFIDENTIALITY_LABELS: dict[str, Any] = {
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


class _SubmitForm(InputForm):
    """An aspiration from a citizen, without an account (the submit action's input, less what
    is not the citizen's to choose: the channel, the priority, a NIK, how an officer received
    it)."""

    def kecamatan_names(self) -> list[str]:
        """The kecamatan of the desa list, in its order (for the optional filter)."""
        field = self.fields["desa"]
        assert isinstance(field, forms.ChoiceField)
        groups = cast(list[tuple[str, Any]], field.choices)  # as the dressing sets them
        return [group for group, options in groups if group and options]

    def confidentiality_options(self) -> list[dict[str, Any]]:
        """The radio buttons of the confidentiality choice, each with its explanation."""
        return [
            {"radio": radio, "help": CONFIDENTIALITY_HELP[radio.data["value"]]}
            for radio in self["confidentiality"]
        ]


SubmitForm = form_class(
    "SubmitForm",
    d.SUBMIT.input.without("channel", "priority", "reporter_nik", "received_via", "received_on"),
    base=_SubmitForm,
    dress={
        "category": lambda form: {
            "label": _("Category"),
            "choices": [("", _("— choose —")), *category_choices()],
        },
        "desa": lambda form: {
            "label": _("Desa/kelurahan"),
            "help_text": _("Listed under its kecamatan."),
            "choices": [("", _("— choose —")), *desa_choices()],
        },
        "title": {
            "label": _("Title"),
            "help_text": _("One line: what and where, e.g. “Broken bridge at Dusun Krajan”."),
        },
        "description": {
            "label": _("Description"),
            "help_text": _(
                "What happened, since when, who is affected. Please do not write your NIK."
            ),
            "widget": forms.Textarea(attrs={"rows": 6}),
        },
        "address": {
            "label": _("Address or landmark (optional)"),
            "help_text": _("Dusun, RT/RW, street or a landmark nearby."),
        },
        "latitude": {"label": _("Latitude (optional)")},
        "longitude": {"label": _("Longitude (optional)")},
        "attachments": files_dress(),
        "confidentiality": {
            "label": _("Who may see it"),
            "choices": [(v, CONFIDENTIALITY_LABELS[v]) for v in Confidentiality.values],
            "initial": Confidentiality.BIASA,
            "widget": forms.RadioSelect,
        },
        "reporter_name": {
            "label": _("Your name"),
            "widget": forms.TextInput(attrs={"autocomplete": "name"}),
        },
        "reporter_phone": {"label": _("Phone / WhatsApp number"), "widget": phone_input("tel")},
        "reporter_email": {
            "label": _("E-mail"),
            "widget": forms.EmailInput(attrs={"autocomplete": "email"}),
        },
        "notify_channel": {
            "label": _("Send me updates by"),
            "help_text": "",
            "choices": NOTIFY_CHOICES,
            "initial": "",
            "widget": forms.RadioSelect,
        },
        "contact_consent": {
            "label": _(
                "I agree that my contact details are recorded with this aspiration and that "
                "the officers handling it may contact me about it."
            ),
            "help_text": "",
        },
    },
)


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


class CitizenForm(InputForm):
    """The input of one action of the holder of the tracking code, on the tracking page."""

    action = ""  # the action's code
    multipart = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        super().__init__(*args, **kwargs)


RATING_CHOICES = [
    (5, _("5 — very good")),
    (4, _("4 — good")),
    (3, _("3 — fair")),
    (2, _("2 — poor")),
    (1, _("1 — very poor")),
]

# how each action's fields look on the tracking page (the schema says what they accept)
DRESS: dict[str, dict[str, Any]] = {
    "provide_info": {
        "text": {"label": _("Your answer"), "widget": forms.Textarea(attrs={"rows": 4})},
        "attachments": files_dress(),
    },
    "confirm": {
        "rating": {
            "label": _("How satisfied are you with the answer?"),
            "choices": RATING_CHOICES,
            "widget": forms.RadioSelect,
        },
        "comment": {"label": _("Comment (optional)"), "widget": forms.Textarea(attrs={"rows": 3})},
    },
    "dispute": {
        "reason": {
            "label": _("What is still wrong?"),
            "help_text": _("The agency that answered works on it again."),
            "widget": forms.Textarea(attrs={"rows": 3}),
        },
    },
}


def _citizen_form(action: Action) -> type[CitizenForm]:
    name = "".join(part.title() for part in action.code.split("_")) + "Form"
    fields = action.input.on("web")
    attrs = {"action": action.code, "multipart": any(f.kind == "files" for f in fields)}
    built = form_class(
        name, action.input, base=CitizenForm, dress=DRESS.get(action.code), attrs=attrs
    )
    return built


CITIZEN_FORMS: dict[str, type[CitizenForm]] = {
    action.code: _citizen_form(action) for action in actions.reporter_actions()
}

"""The case page's action forms and the KIM intake form, built from the actions' declarations
(:mod:`casework.actions.declarations`): the fields and what they accept come from the
action's input schema; this module only dresses them for the page (labels in the officers'
words, widgets, choices from the reference data). The services decide the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import actions, refdata
from casework.actions import Action
from casework.actions import declarations as d
from casework.actions.policy import reassignable
from casework.actions.schema import InputForm, form_class
from casework.models import CaseTask, Confidentiality, Priority, ReceivedVia, UnitKind
from casework.ui.forms import files_dress, phone_input, set_choices


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


def _text(label: Any, *, rows: int = 4, help_text: Any = "") -> dict[str, Any]:
    return {
        "label": label,
        "help_text": help_text,
        "widget": forms.Textarea(attrs={"rows": rows}),
    }


# ----------------------------------------------------------------------------- actions


class ActionForm(InputForm):
    """The input of one officer action on the case page; ``service_kwargs`` names it the way
    the action's service takes it."""

    action = ""  # the action's code
    declaration: Action
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
        self.case = case
        self.user = user
        self.tasks = list(tasks)
        super().__init__(data, files, **kwargs)

    @property
    def label(self) -> Any:
        return self.declaration.label

    @property
    def tone(self) -> str:
        return self.declaration.tone


def _unit_name(task: CaseTask) -> str:
    return task.unit.name if task.unit is not None else ""


class DispatchForm(ActionForm):
    """The routing rule's OPD preselected; the case's category and priority as they are.

    When the officer picks another category, :meth:`reroute` moves the tick of the former
    suggestion to the new one and keeps every box ticked by hand."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case = self.case
        self.fields["category"].initial = case.category.code
        self.fields["priority"].initial = case.priority
        category = case.category.code
        if self.is_bound:
            category = str(self.data.get("category") or category)
        self.suggested = suggestion(category, case.kecamatan_id)
        if self.suggested is not None:
            self.fields["opds"].initial = [self.suggested.code]
        # a new category asks the page for its suggestion (htmx); the boxes follow it
        self.fields["category"].widget.attrs.update(
            {
                "hx-get": reverse("web:case-routing", args=[case.number]),
                "hx-trigger": "change",
                "hx-target": "#dispatch-routing",
                "hx-swap": "outerHTML",
                "hx-include": "closest form",
                "aria-controls": "dispatch-routing",
            }
        )

    def reroute(self, category: str, ticked: list[str], previous: str) -> None:
        """Suggest the OPD of ``category``'s routing rule: the former suggestion
        (``previous``) is unticked, the new one ticked, the other ``ticked`` boxes kept."""
        self.fields["category"].initial = category
        self.suggested = suggestion(category, self.case.kecamatan_id)
        known = {code for code, _name in opd_choices()}
        kept = [code for code in ticked if code in known and code != previous]
        if self.suggested is not None and self.suggested.code not in kept:
            kept.append(self.suggested.code)
        self.fields["opds"].initial = kept


def suggestion(category_code: str, kecamatan_code: str) -> Any:
    """The active OPD the routing rules suggest for a category in a kecamatan, or None."""
    category = refdata.snapshot().categories.get(category_code)
    if category is None:
        return None
    suggested_id = refdata.suggested_opd_id(category.pk, kecamatan_code)
    unit = refdata.unit_by_id(suggested_id) if suggested_id is not None else None
    return unit if unit is not None and unit.active else None


class MergeForm(ActionForm):
    """Pick one of the similar open cases, or type the number of another."""

    candidate = forms.ChoiceField(
        label=_("Similar open cases in this kecamatan"),
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, candidates: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # None: not looked for yet; the page loads them when the form is opened
        self.lazy = candidates is None
        self.candidates = list(candidates or ())
        set_choices(self, "candidate", [(c.number, c.number) for c in self.candidates])
        self.fields["into"].required = False  # a candidate may be picked instead

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        typed = (data.get("into") or "").strip().upper()
        chosen = typed or data.get("candidate") or ""
        if not chosen:
            self.add_error("into", _("Pick a similar case or type a case number."))
        elif chosen == self.case.number:
            self.add_error("into", _("A case cannot be merged into itself."))
        data["into"] = chosen
        return data


class ReassignForm(ActionForm):
    """Give an open task to an officer of its unit; ``officers`` maps a task id to the
    officers of that task's unit."""

    def __init__(
        self, *args: Any, officers: dict[int, list[Any]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.officers = officers or {}
        self.reassignable = reassignable(self.user, self.tasks)
        task_field = forms.TypedChoiceField(label=_("Task"), coerce=int)
        task_field.choices = [
            (t.pk, f"{t.get_stage_display()} · {_unit_name(t)}") for t in self.reassignable
        ]
        if len(self.reassignable) == 1:
            # one task: nothing to choose
            task_field.initial = self.reassignable[0].pk
            task_field.required = False
            task_field.widget = forms.HiddenInput()
        groups = []
        for t in self.reassignable:
            people = [
                (u.username, f"{u.get_full_name() or u.username} ({u.get_role_display()})")
                for u in self.officers.get(t.pk, [])
            ]
            groups.append((_unit_name(t), people))
        to_field = forms.ChoiceField(label=_("Officer"))
        if len(groups) == 1:
            to_field.choices = [("", "—"), *groups[0][1]]
        else:
            # the same unit may hold several tasks: list its officers once
            seen: dict[str, list[tuple[str, str]]] = {}
            for name, people in groups:
                seen.setdefault(name, people)
            to_field.choices = [("", "—"), *seen.items()]
        self.fields["task"] = task_field
        self.fields["to"] = to_field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("task") in (None, "") and len(self.reassignable) == 1:
            data["task"] = self.reassignable[0].pk
        task_id, to = data.get("task"), data.get("to")
        if task_id is not None and to:
            allowed = {u.username for u in self.officers.get(task_id, [])}
            if to not in allowed:
                self.add_error("to", _("Choose an officer of the unit holding the task."))
        return data


# how each action's fields look on the case page (the schema says what they accept)
DRESS: dict[str, dict[str, Any]] = {
    "request_info": {
        "question": _text(
            _("Question to the reporter"),
            help_text=_("The reporter sees this question on the tracking page."),
        )
    },
    "provide_info": {
        "text": _text(_("Information from the reporter")),
        "attachments": files_dress(),
    },
    "dispatch": {
        "opds": {
            "label": _("OPD"),
            "widget": forms.CheckboxSelectMultiple,
            "help_text": _("The routing rule's suggestion is preselected."),
            "choices": lambda form: opd_choices(),
        },
        "category": {"label": _("Category"), "choices": lambda form: category_choices()},
        "priority": {"label": _("Priority"), "choices": Priority.choices},
        "note": _text(_("Note to the OPD"), rows=3),
    },
    "resolve": {
        "response": _text(_("Answer"), help_text=_("The reporter reads this answer.")),
    },
    "respond": {
        "response": _text(_("Follow-up (tindak lanjut)"), help_text=_("The reporter reads this.")),
        "attachments": files_dress(),
    },
    "merge": {
        "into": {
            "label": _("Or type the case number"),
            "widget": forms.TextInput(
                attrs={"placeholder": "LMJ-2611-00042", "autocomplete": "off"}
            ),
        }
    },
    "reject": {
        "reason": _text(_("Reason for rejection"), help_text=_("The reporter reads this reason.")),
    },
    "decline": {
        "reason": _text(_("Why this is not your OPD's authority")),
        "suggested_opd": lambda form: {
            "label": _("OPD that should handle it"),
            "choices": [("", _("— don't know —")), *opd_choices(exclude=form.user.unit_id)],
        },
    },
}
BASES: dict[str, type[ActionForm]] = {
    "dispatch": DispatchForm,
    "merge": MergeForm,
    "reassign": ReassignForm,
}


def _form_class(action: Action) -> type[ActionForm]:
    name = "".join(part.title() for part in action.code.split("_")) + "Form"
    schema = action.input
    attrs = {
        "action": action.code,
        "declaration": action,
        "multipart": any(f.kind == "files" for f in schema.on("web")),
    }
    base = BASES.get(action.code, ActionForm)
    built = form_class(name, schema, base=base, dress=DRESS.get(action.code), attrs=attrs)
    return built


ACTION_FORMS: dict[str, type[ActionForm]] = {
    action.code: _form_class(action) for action in actions.officer_actions()
}
# actions taken with one click (no input)
ONE_CLICK = frozenset(code for code, form in ACTION_FORMS.items() if not form.schema.on("web"))


# ----------------------------------------------------------------------------- intake

CONFIDENTIALITY_HELP: dict[str, Any] = {
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

# the update channel as the operator offers it: left to the service's default unless chosen
NOTIFY_DEFAULT, NOTIFY_NONE = "", "none"
INTAKE_NOTIFY_CHOICES = [
    (NOTIFY_DEFAULT, _("As given: e-mail if there is an address, else SMS to the phone")),
    ("sms", _("SMS")),
    ("whatsapp", _("WhatsApp")),
    ("email", _("E-mail")),
    (NOTIFY_NONE, _("No updates: the citizen follows it with the tracking code or asks the KIM")),
]
NIK_HELP = _(
    "Optional, and only if the citizen agrees. It tells apart people with the same name and "
    "links their earlier aspirations. It is stored encrypted and shown in full only to the "
    "supervisor; it never appears on public pages."
)


class _IntakeForm(InputForm):
    """What the operator chose for the updates, in the service's terms: nothing chosen
    leaves the service's default, "no updates" is the empty channel."""

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        chosen = kwargs.get("notify_channel")
        if chosen == NOTIFY_DEFAULT:
            kwargs["notify_channel"] = None
        elif chosen == NOTIFY_NONE:
            kwargs["notify_channel"] = ""
        return kwargs


# an aspiration a KIM operator collected offline, recorded on the citizen's behalf: the desa
# is the operator's own and the channel is the KIM
IntakeForm = form_class(
    "IntakeForm",
    d.SUBMIT.input.without("desa", "channel"),
    base=_IntakeForm,
    dress={
        "category": lambda form: {
            "label": _("Category"),
            "choices": [("", "—"), *category_choices()],
        },
        "title": {"label": _("Title"), "help_text": _("One line: what and where.")},
        "description": {
            "label": _("Description"),
            "widget": forms.Textarea(attrs={"rows": 6}),
        },
        "address": {
            "label": _("Address or landmark"),
            "help_text": _("Dusun, RT/RW, street or a landmark nearby."),
        },
        "latitude": {"label": _("Latitude")},
        "longitude": {"label": _("Longitude")},
        "priority": {
            "label": _("Priority"),
            "initial": Priority.SEDANG,
        },
        "confidentiality": {
            "label": _("Confidentiality"),
            "choices": [(value, CONFIDENTIALITY_HELP[value]) for value in Confidentiality.values],
            "initial": Confidentiality.BIASA,
            "widget": forms.RadioSelect,
        },
        "reporter_name": {"label": _("Citizen's name")},
        "reporter_phone": {"label": _("Phone / WhatsApp"), "widget": phone_input("off")},
        "reporter_email": {"label": _("E-mail")},
        "reporter_nik": {
            "label": _("NIK (optional)"),
            "help_text": NIK_HELP,
            "widget": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        },
        "notify_channel": {
            "label": _("The citizen gets updates by"),
            "help_text": "",
            "choices": INTAKE_NOTIFY_CHOICES,
            "initial": NOTIFY_DEFAULT,
            "widget": forms.RadioSelect,
        },
        "received_via": lambda form: {
            "label": _("How the aspiration reached you"),
            "choices": ReceivedVia.choices,
            "initial": ReceivedVia.IN_PERSON,
            "help_text": "",
        },
        "received_on": lambda form: {
            "label": _("Received on"),
            "initial": timezone.localdate(),
            "help_text": _("The day the citizen gave it to you; not in the future."),
            "widget": forms.DateInput(
                attrs={"type": "date", "max": timezone.localdate().isoformat()},
                format="%Y-%m-%d",
            ),
        },
        "contact_consent": {
            "label": _(
                "The citizen agrees that these details are recorded and that they may be "
                "contacted about this aspiration."
            ),
            "help_text": "",
        },
        "attachments": files_dress(),
    },
)

"""Forms of the officers' app: they validate shapes; the services decide."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from casework import refdata
from casework.models import CaseStatus, Priority, RegionLevel, Stage, UnitKind
from casework.ui.forms import set_choices

from .action_forms import category_choices

ALL = _("All")


class LoginForm(AuthenticationForm):
    """Sign-in, with the refusal in the project's own words (Django's message names the
    username field inside a sentence that already names it)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or the password is wrong. Both are case-sensitive: check Caps Lock."
        ),
        "inactive": _("This account is not active. Ask the supervisor at Diskominfo."),
    }


def _choices(pairs: Iterable[tuple[str, Any]], empty: Any = ALL) -> list[tuple[str, Any]]:
    return [("", empty), *pairs]


class TaskFilterForm(forms.Form):
    tab = forms.ChoiceField(
        choices=[("mine", _("My tasks")), ("queue", _("Unit queue"))], required=False
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    desa = forms.CharField(label=_("Desa code"), required=False, max_length=13)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    overdue = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=_choices([("1", _("Overdue")), ("0", _("Not overdue"))]),
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "status", _choices(CaseStatus.choices))
        set_choices(self, "priority", _choices(Priority.choices))
        set_choices(self, "stage", _choices(Stage.choices))
        categories = sorted(refdata.snapshot().categories.values(), key=lambda c: c.name)
        set_choices(self, "category", _choices([(c.code, c.name) for c in categories]))

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = {k: v for k, v in self.cleaned_data.items() if k != "tab" and v}
        if "overdue" in data:
            data["overdue"] = data["overdue"] == "1"
        return data


class BulkTaskForm(forms.Form):
    operation = forms.ChoiceField(choices=[("claim", _("Claim")), ("reassign", _("Reassign"))])
    tasks = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    to = forms.CharField(label=_("Officer"), required=False, max_length=150)

    def __init__(self, *args: Any, task_choices: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "tasks", [(pk, pk) for pk in task_choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("operation") == "reassign" and not data.get("to"):
            self.add_error("to", _("Choose the officer to give the tasks to."))
        return data


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
        set_choices(self, "status", _all(CaseStatus.choices))
        set_choices(self, "priority", _all(Priority.choices))
        set_choices(self, "category", _all(category_choices()))
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
            set_choices(
                self,
                "desa",
                _all((r.code, r.name) for r in villages if r.parent_id == unit.region_id),
            )
            return
        set_choices(self, "kecamatan", _all((r.code, r.name) for r in kecamatan))
        names = {r.code: r.name for r in kecamatan}
        grouped: dict[str, list[tuple[str, str]]] = {}
        for r in villages:
            grouped.setdefault(names.get(r.parent_id or "", ""), []).append((r.code, r.name))
        set_choices(self, "desa", _all(sorted(grouped.items())))

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

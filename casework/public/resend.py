"""The form that asks for the tracking link again, with the case number and the phone number
or e-mail address given with the aspiration. It checks shapes only; whether they match is
the service's to decide, and the page never says."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ResendForm(forms.Form):
    number = forms.CharField(
        label=_("Case number"),
        max_length=30,
        help_text=_("As on your receipt, e.g. LMJ-2611-00042."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    contact = forms.CharField(
        label=_("Phone number or e-mail address you gave"),
        max_length=254,
        help_text=_("The link goes only there, and only if it is the one recorded."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def service_kwargs(self) -> dict[str, str]:
        return {"number": self.cleaned_data["number"], "contact": self.cleaned_data["contact"]}

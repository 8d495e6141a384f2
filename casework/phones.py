"""Phone numbers as a reporter writes them, checked and stored one way: E.164 (``+62…``).

A number without a country code is Indonesian (``0812-3456-7890``, ``62 812 3456 7890``); one
written with ``+`` may be of any country (a villager working abroad on WhatsApp). Validity is
the ``phonenumbers`` library's (the numbering plans it maintains), not a pattern of ours.
"""

from __future__ import annotations

import re

import phonenumbers
from django.utils.translation import gettext_lazy as _

REGION = "ID"
MAX_INPUT = 32  # characters of a number as typed, separators included
INVALID = _("Invalid phone number: write it like 0812 3456 7890 or +62 812 3456 7890.")
NOT_MOBILE = _("Updates by SMS or WhatsApp need a mobile number.")

# digits and the separators people type; letters (vanity numbers, "ext") are not a number here
_TYPED = re.compile(r"^\+?[0-9 ()./-]+$")
_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def _parse(raw: str) -> phonenumbers.PhoneNumber | None:
    text = (raw or "").strip()
    if not text or len(text) > MAX_INPUT or not _TYPED.match(text):
        return None
    if sum(ch.isdigit() for ch in text) < 6:
        return None
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalise(raw: str) -> str | None:
    """The E.164 form of a number (``+6281234567890``); None when it is not a valid number."""
    number = _parse(raw)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    """Whether a valid number can receive SMS and WhatsApp (a mobile number)."""
    number = _parse(e164)
    return number is not None and phonenumbers.number_type(number) in _MOBILE_TYPES

"""What a message says: the subject and body of an outbox row, rendered from
``notifications/<template>.txt`` (and the short ``.sms.txt`` variant on SMS and WhatsApp).

The reporter's messages (rows without an officer as recipient) are in the citizen's language,
Bahasa Indonesia, and every one carries the link to the case's tracking page
(``ASPIRASI_PUBLIC_URL``); the message asking the reporter to confirm an answer carries the
answers. A short message keeps to what its channel carries: an SMS to the GSM 7-bit alphabet
(typographic quotes, dashes and ellipses become their plain forms) and to
``ASPIRASI_SMS_MAX_PARTS`` parts of a concatenated SMS, a WhatsApp message to
:data:`WHATSAPP_MAX_CHARS` characters. A longer one is shortened between two words, and the
link stays whole at its end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone, translation

from ..lifecycle import CaseStatus, Stage
from ..models import Assignment, AssignmentStatus, Notification, Priority

SHORT_CHANNELS = frozenset({"sms", "whatsapp"})
CITIZEN_LANGUAGE = "id"  # the reporters' language
SHORT_MAX_CHARS = 306  # two concatenated SMS of the GSM alphabet (153 characters each)
WHATSAPP_MAX_CHARS = 1000
ELLIPSIS = "..."

# one SMS alone, and each part of a concatenated one: GSM 7-bit characters, or UCS-2 ones
GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")  # two units each
_PLAIN = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "…": "...",
        "–": "-",
        "—": "-",
        "‑": "-",
        "•": "-",
        "·": "-",
        "\u00a0": " ",
    }
)


def mask_phone(phone: str) -> str:
    """What the outbox shows of a reporter's number: +62812****7890 (0812****7890)."""
    digits = (phone or "").strip()
    if len(digits) <= 8:
        return "*" * len(digits)
    keep = 6 if digits.startswith("+") and len(digits) > 10 else 4
    return digits[:keep] + "*" * (len(digits) - keep - 4) + digits[-4:]


def tracking_url(code: str) -> str:
    """The absolute address of a case's tracking page, for its tracking code."""
    code = "".join(ch for ch in code if ch.isalnum())
    formatted = "-".join(code[i : i + 4] for i in range(0, len(code), 4))
    path = reverse("public:case", kwargs={"code": formatted})
    prefix = get_script_prefix()  # the public address already says where the site lives
    if prefix != "/" and path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    return settings.ASPIRASI_PUBLIC_URL.rstrip("/") + path


# ----------------------------------------------------------------------------- SMS length


def is_gsm(text: str) -> bool:
    """Whether an SMS of this text is sent in the GSM 7-bit alphabet."""
    return all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text)


def sms_parts(text: str) -> int:
    """How many parts an SMS of this text takes."""
    if is_gsm(text):
        units = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        single, part = GSM_SINGLE, GSM_PART
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = UCS2_SINGLE, UCS2_PART
    return 1 if units <= single else -(-units // part)


def plain(text: str) -> str:
    """Typographic characters as their plain forms (GSM alphabet), whitespace as one space."""
    return re.sub(r"\s+", " ", text.translate(_PLAIN)).strip()


def fit(text: str, tail: str, fits: Callable[[str], bool]) -> str:
    """``text`` and ``tail`` joined by a space, as much of ``text`` as ``fits`` allows: cut
    between two words (marked with an ellipsis), ``tail`` always whole."""

    def joined(head: str) -> str:
        return f"{head} {tail}" if head and tail else head or tail

    whole = joined(text)
    if fits(whole):
        return whole
    words = text.split(" ")

    def cut(count: int) -> str:
        return joined(" ".join(words[:count]).rstrip(" ,.;:-") + ELLIPSIS)

    low, high = 0, len(words) - 1  # the most words that fit, by bisection
    while low < high:
        middle = (low + high + 1) // 2
        if fits(cut(middle)):
            low = middle
        else:
            high = middle - 1
    return cut(low) if low else tail


def shorten(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, cut between two words."""
    return fit(re.sub(r"\s+", " ", text).strip(), "", lambda s: len(s) <= limit)


# ----------------------------------------------------------------------------- rendering


def _answers(notification: Notification, context: dict[str, Any]) -> list[dict[str, str]]:
    """The answers the reporter is asked to confirm: the forum's, or every OPD's that
    responded (by name)."""
    if context.get("status") != CaseStatus.RESPONDED:
        return []
    response = context.get("response") or ""
    if context.get("action") == "resolve":
        return [{"source": "", "text": response}] if response else []
    answered = (
        Assignment.objects.filter(case_id=notification.case_id, status=AssignmentStatus.RESPONDED)
        .exclude(response="")
        .select_related("opd")
        .order_by("responded_at", "pk")
    )
    answers = [{"source": a.opd.name, "text": a.response} for a in answered]
    return answers or ([{"source": "", "text": response}] if response else [])


def _context(notification: Notification) -> dict[str, Any]:
    context = dict(notification.context)
    if context.get("status") in CaseStatus.values:
        context["status_label"] = str(CaseStatus(context["status"]).label)
    if context.get("stage") in Stage.values:
        context["stage_label"] = str(Stage(context["stage"]).label)
    if context.get("priority") in Priority.values:
        context["priority_label"] = str(Priority(context["priority"]).label)
    if context.get("due_at"):
        due = timezone.localtime(datetime.fromisoformat(context["due_at"]))
        context["due"] = formats.date_format(due, "DATETIME_FORMAT")
    if notification.user_id is None:  # the reporter's
        context["tracking_url"] = tracking_url(notification.case.tracking_code)
        context["answers"] = _answers(notification, context)
    return context


def _limit(channel: str) -> Callable[[str], bool]:
    if channel == "sms":
        parts = max(1, int(getattr(settings, "ASPIRASI_SMS_MAX_PARTS", 2)))
        return lambda text: sms_parts(text) <= parts
    return lambda text: len(text) <= WHATSAPP_MAX_CHARS


def render(notification: Notification) -> tuple[str, str]:
    """Subject (first line) and body of a message: the reporter's in Bahasa Indonesia, the
    officers' in the site's language. On SMS and WhatsApp the short variant of the template
    when there is one, all of it the body, within the channel's length; the subject is
    empty."""
    template = notification.template
    reporter = notification.user_id is None
    language = CITIZEN_LANGUAGE if reporter else settings.LANGUAGE_CODE
    with translation.override(language):
        context = _context(notification)
        link = context.get("tracking_url", "")
        if notification.channel in SHORT_CHANNELS:
            short = str(
                render_to_string(
                    [f"notifications/{template}.sms.txt", f"notifications/{template}.txt"],
                    context,
                )
            )
            short = re.sub(r"\s+", " ", short).strip()
            if link:  # the link goes last, whole
                short = " ".join(part.strip() for part in short.split(link) if part.strip())
            if notification.channel == "sms":
                short = plain(short)
            return "", fit(short, link, _limit(notification.channel))
        text = str(render_to_string(f"notifications/{template}.txt", context)).strip()
    subject, _sep, body = text.partition("\n")
    body = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", body.strip())  # one blank line at most
    if link and link not in body:
        body = f"{body}\n\n{link}".strip()
    return subject.strip(), body

"""Aspirations and status checks sent by SMS or WhatsApp.

A gateway forwards each message it receives to the inbound webhook
(:mod:`casework.api.inbound`), which answers with the reply the gateway sends back. Two
commands, the keyword in any case:

* ``ASPIRASI <desa code or name>#<text>`` records an aspiration for that desa/kelurahan
  (``received``, or ``forwarded`` when its KIM is inactive) and replies with the tracking code;
* ``CEK <tracking code>`` replies with the case's status.

Anything else, an unknown desa or a name several desa share, gets a reply that explains the
format and creates nothing. Replies are in the site's language (Bahasa Indonesia); those
about a case end with the link to its tracking page.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from . import idempotency, phones, refdata, services
from .errors import DomainError, KeyReused, NotFound
from .models import Case, CaseStatus, Channel, Confidentiality, NotifyChannel, Region
from .notifications.rendering import plain, tracking_url
from .selectors import case_by_tracking_code, normalise_tracking_code

log = logging.getLogger(__name__)

SUBMIT_KEYWORD = "ASPIRASI"
CHECK_KEYWORD = "CEK"
CHANNELS = (Channel.SMS, Channel.WHATSAPP)
CATEGORY = "lainnya"
TITLE_CHARS = 60
MAX_TEXT = 2000
MAX_CANDIDATES = 5
# the same message from the same number within this time is one aspiration (a gateway that
# retries after a timeout creates no duplicate)
DEDUPE_SECONDS = 600
_CODE = re.compile(r"^\d{2}\.?\d{2}\.?\d{2}\.?\d{4}$")
_NAME_PREFIX = re.compile(r"^(desa|kelurahan|kel\.?|ds\.?)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Message:
    """A parsed message: ``kind`` is ``submit``, ``check`` or ``unknown``."""

    kind: str
    place: str = ""
    text: str = ""
    code: str = ""


@dataclass
class Reply:
    text: str
    case: Case | None = None
    created: bool = False


def parse(text: str) -> Message:
    text = (text or "").strip()
    match = re.match(r"^([A-Za-z]+)[\s:.,]*(.*)$", text, re.DOTALL)
    if match is None:
        return Message("unknown")
    keyword, rest = match.group(1).upper(), match.group(2).strip()
    if keyword == SUBMIT_KEYWORD:
        place, sep, body = rest.partition("#")
        return Message("submit", place=" ".join(place.split()), text=body.strip() if sep else "")
    if keyword == CHECK_KEYWORD:
        return Message("check", code=rest)
    return Message("unknown")


def normalise_sender(sender: str) -> str | None:
    """The sender's number in E.164 form (``+6281234567890``); None when it is not a valid
    phone number. Gateways write it with or without ``+`` (``6281234567890``)."""
    return phones.normalise(sender)


# ----------------------------------------------------------------------------- places


def _fold(name: str) -> str:
    name = _NAME_PREFIX.sub("", " ".join(name.split()))
    return name.casefold()


def _villages() -> list[Region]:
    prefix = settings.ASPIRASI_KABUPATEN_CODE + "."
    return sorted(
        (
            r
            for r in refdata.snapshot().regions.values()
            if r.is_village and r.code.startswith(prefix)
        ),
        key=lambda r: r.code,
    )


def find_villages(place: str) -> list[Region]:
    """The desa/kelurahan of the kabupaten a message names: by Kemendagri code (with or
    without dots) or by name (any case, ``Desa``/``Kelurahan`` before it allowed)."""
    place = place.strip()
    if not place:
        return []
    villages = _villages()
    if _CODE.match(place):
        digits = place.replace(".", "")
        code = f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
        return [r for r in villages if r.code == code]
    folded = _fold(place)
    return [r for r in villages if _fold(r.name) == folded]


def _example_place() -> str:
    villages = _villages()
    return villages[0].name if villages else "Tegalrejo"


def help_text() -> str:
    return _(
        "To send an aspiration: ASPIRASI <desa name or code>#<your message>, e.g. "
        "ASPIRASI %(desa)s#The road in our hamlet is damaged. "
        "To check a case: CEK <tracking code>."
    ) % {"desa": _example_place()}


# ----------------------------------------------------------------------------- handling


def handle(*, channel: str, sender: str, text: str, message_id: str = "") -> Reply:
    """Act on one inbound message and give the reply; a submission is saved before the reply
    is built, so nothing after the save can lose it. A message the gateway delivers again
    with the same ``message_id`` records nothing new and gets the same reply (the same id
    with another message is refused: :class:`~casework.errors.KeyReused`)."""
    with translation.override(settings.LANGUAGE_CODE):
        message = parse(text)
        if message.kind == "submit":
            reply = _submit(channel, sender, message, message_id)
        elif message.kind == "check":
            reply = Reply(_check(message.code))
        else:
            reply = Reply(help_text())
    if channel == Channel.SMS:  # the GSM alphabet: 160 characters a part, not 70
        reply.text = plain(reply.text)
    return reply


def _submit(channel: str, sender: str, message: Message, message_id: str = "") -> Reply:
    if not message.place:
        return Reply(_("Name your desa before the #.") + " " + help_text())
    if not message.text:
        return Reply(_("Write your aspiration after the #.") + " " + help_text())
    found = find_villages(message.place)
    if not found:
        return Reply(
            _("We do not know the desa “%(place)s”.") % {"place": message.place[:40]}
            + " "
            + help_text()
        )
    if len(found) > 1:
        kec = _("Kec.")  # the abbreviation of kecamatan
        candidates = "; ".join(
            f"{r.name} ({kec} {_kecamatan_name(r)}): {r.code}" for r in found[:MAX_CANDIDATES]
        )
        return Reply(
            _(
                "Several desa are called %(place)s: %(candidates)s. Send it again with the "
                "code, e.g. ASPIRASI %(code)s#<your message>."
            )
            % {"place": found[0].name, "candidates": candidates, "code": found[0].code}
        )
    village = found[0]
    body = message.text[:MAX_TEXT]
    key = "inbound:dedupe:" + hashlib.sha256(f"{channel}|{sender}|{body}".encode()).hexdigest()
    claim = None
    if message_id:  # the gateway's id: a delivery repeated at any time records nothing new
        claim = idempotency.Claim(
            scope=f"inbound:{channel}",
            key=idempotency.clean_key(message_id),
            fingerprint=idempotency.fingerprint({"from": sender, "text": message.text}),
        )
    case = _recent(key)
    created = case is None
    if case is None:
        try:
            case = services.submit_case(
                actor=None,
                title=title_of(body),
                description=body,
                category=CATEGORY,
                desa=village.code,
                channel=channel,
                reporter_phone=sender,
                contact_consent=True,  # they wrote to us, and get the replies here
                notify_channel=NotifyChannel(channel),
                idempotency=claim,
            )
        except KeyReused:
            raise
        except DomainError as exc:
            log.warning("inbound aspiration refused: %s", exc)
            return Reply(_("Your aspiration could not be recorded.") + " " + help_text())
        created = not (claim and claim.replayed)
        try:
            cache.set(key, case.pk, DEDUPE_SECONDS)
        except Exception:  # noqa: BLE001  (cache down: a retried delivery may duplicate)
            log.warning("inbound dedupe not recorded: cache unavailable")
    code = services.format_tracking_code(case.tracking_code)
    return Reply(
        _(
            "Thank you, your aspiration for %(desa)s was received as %(number)s. Tracking "
            "code: %(code)s. To check it, send CEK %(code)s."
        )
        % {"desa": village.name, "number": case.number, "code": code}
        + " "
        + tracking_url(case.tracking_code),
        case=case,
        created=created,
    )


def _recent(key: str) -> Case | None:
    try:
        pk = cache.get(key)
    except Exception:  # noqa: BLE001  (cache down: record it)
        return None
    return Case.objects.filter(pk=pk).first() if pk else None


def _kecamatan_name(village: Region) -> str:
    kecamatan = refdata.region(village.parent_id or "")
    return kecamatan.name if kecamatan else ""


def title_of(text: str) -> str:
    """The first words of the message, at most ``TITLE_CHARS`` characters."""
    text = " ".join(text.split())
    if len(text) <= TITLE_CHARS:
        return text
    cut = text[: TITLE_CHARS - 1]
    if text[TITLE_CHARS - 1] != " " and " " in cut[TITLE_CHARS // 2 :]:  # not mid-word
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def _check(raw_code: str) -> str:
    code = normalise_tracking_code(raw_code or "")
    if not code:
        return _("Send the tracking code after CEK, e.g. CEK ABCD-EFGH-JKMN.")
    try:
        case = case_by_tracking_code(code)
    except NotFound:
        return _(
            "No aspiration has the tracking code %(code)s. Check the code and send "
            "CEK <tracking code> again."
        ) % {"code": raw_code.strip()[:20]}
    status = str(CaseStatus(case.status).label)
    link = tracking_url(case.tracking_code)
    if case.confidentiality == Confidentiality.RAHASIA:
        return _("Status of your aspiration: %(status)s.") % {"status": status} + " " + link
    reply = _("Aspiration %(number)s “%(title)s”: %(status)s.") % {
        "number": case.number,
        "title": title_of(case.title)[:40],
        "status": status,
    }
    if case.status == CaseStatus.NEEDS_INFO and case.info_question:
        question = (
            case.info_question if len(case.info_question) <= 120 else case.info_question[:119] + "…"
        )
        reply += " " + _("Question for you: %(question)s") % {"question": question}
    return f"{reply} {link}"


# ----------------------------------------------------------------------------- limits


def sender_retry_after(request: HttpRequest, sender: str) -> int | None:
    """Count a message against its sender's limit (``ASPIRASI_RATE_INBOUND``); seconds to
    wait when over it, else None. A limit that cannot be checked lets the message through."""

    def key(_group: str, _request: Any) -> str:
        return hashlib.sha256(sender.encode()).hexdigest()

    try:
        usage = get_usage(
            request,
            group="inbound",
            key=key,
            rate=settings.ASPIRASI_RATE_INBOUND,
            increment=True,
        )
    except Exception:  # noqa: BLE001  (cache down: fail open)
        log.warning("inbound limit not checked: cache unavailable")
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))

"""Intake: a new aspiration (``submit``) and the village's verification of it (``verify``)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import batch, phones, ports, refdata, selectors
from ..actions import declarations as d
from ..actions import implements
from ..batch import RowBatch
from ..errors import InvalidInput, PermissionDenied
from ..idempotency import Claim, Replay
from ..models import (
    Case,
    CaseEvent,
    Channel,
    Confidentiality,
    NotifyChannel,
    Priority,
    ReceivedVia,
    Role,
    User,
)
from ..numbers import next_case_number, next_case_number_with
from . import kernel
from .kernel import TRACKING_ALPHABET, TRACKING_LENGTH

NIK = re.compile(r"^\d{16}$")
# an aspiration recorded later than this after it was received is a new one
RECEIVED_AT_MOST_AGO = timedelta(days=366)


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(TRACKING_LENGTH))


def _reporter_rules(
    *,
    name: str,
    phone: str,
    email: str,
    nik: str,
    consent: bool,
    notify_channel: str | None,
) -> tuple[dict[str, list[str]], str]:
    """The reporter's details: their shapes, consent for any of them, and a way to reach the
    reporter on the channel they chose. Returns the errors and the update channel."""
    errors: dict[str, list[str]] = {}
    if phone and phones.normalise(phone) is None:
        errors["reporter_phone"] = [str(phones.INVALID)]
    if nik and not NIK.match(nik):
        errors["reporter_nik"] = [_("A NIK has 16 digits.")]
    if notify_channel:
        notify_channel = kernel.choice(notify_channel, NotifyChannel, "notify_channel")
        if notify_channel == NotifyChannel.EMAIL and not email:
            errors["reporter_email"] = [_("Give an e-mail address to get updates.")]
        elif notify_channel != NotifyChannel.EMAIL and not phone:
            errors["reporter_phone"] = [_("Give a phone number to get updates.")]
        elif notify_channel != NotifyChannel.EMAIL and "reporter_phone" not in errors:
            if not phones.is_mobile(phone):
                errors["reporter_phone"] = [str(phones.NOT_MOBILE)]
    given = any((name, phone, email, nik)) or bool(notify_channel)
    if given and not consent:
        errors["contact_consent"] = [
            _("Contact details are recorded only with consent: give it, or leave them out.")
        ]
    if notify_channel is None:
        # updates go where the reporter can be reached: e-mail, else SMS to a mobile number
        sms = bool(phone) and phones.is_mobile(phone)
        notify_channel = NotifyChannel.EMAIL if email else NotifyChannel.SMS if sms else ""
    return errors, notify_channel


def _coordinates(
    latitude: Decimal | None, longitude: Decimal | None, errors: dict[str, list[str]]
) -> None:
    """Both coordinates or neither, each in its range."""
    if (latitude is None) != (longitude is None):
        errors["longitude"] = [_("Give both latitude and longitude, or neither.")]
        return
    for name, value, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if value is not None and not -limit <= value <= limit:
            errors[name] = [_("Between -%(limit)d and %(limit)d degrees.") % {"limit": limit}]


def _received(
    via: str | None,
    on: date | None,
    officer: User | None,
    errors: dict[str, list[str]],
) -> tuple[str, date | None]:
    """How and when an officer received the aspiration they record: a known way, a day not
    in the future. A citizen's own submission has neither."""
    via = via or ""
    if not via and on is None:
        return "", None
    if officer is None:
        name = "received_via" if via else "received_on"
        errors[name] = [_("Only an officer records how and when an aspiration was received.")]
        return "", None
    if via and via not in ReceivedVia.values:
        errors["received_via"] = [_("“%(value)s” is not a valid choice.") % {"value": via}]
    today = timezone.localdate()
    if on is not None and on > today:
        errors["received_on"] = [_("The day it was received cannot be in the future.")]
    elif on is not None and on < today - RECEIVED_AT_MOST_AGO:
        errors["received_on"] = [_("Record an aspiration within a year of receiving it.")]
    return via, on


@implements(d.SUBMIT)
def submit_case(
    *,
    actor: User | None,
    title: str,
    description: str,
    category: str,
    desa: str,
    channel: str,
    priority: str | None = None,
    confidentiality: str | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    reporter_nik: str = "",
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    contact_consent: bool = False,
    notify_channel: str | None = None,
    received_via: str | None = None,
    received_on: date | None = None,
    attachments: Sequence[Any] = (),
    idempotency: Claim | None = None,
) -> Case:
    """Record an aspiration and start its process: ``received``, or ``forwarded`` to the
    kecamatan forum when the desa's KIM is inactive, or when a KIM operator of the desa
    records it (their recording is their verification: one event says both). ``actor`` is
    None for a citizen. Files that come with it are stored before the transaction and
    recorded in it: a storage error records nothing.

    With ``idempotency`` (a keyed request, :mod:`casework.idempotency`) the key is written
    with the case; a key already recorded gives its case back, creating nothing."""
    if idempotency is not None:
        first = idempotency.find()
        if first is not None:
            return first
    errors: dict[str, list[str]] = {}
    category_obj = refdata.category(category or "")
    if category_obj is None:
        errors["category"] = [_("Unknown category.")]
    desa_obj = refdata.village(desa or "")
    if desa_obj is None:
        errors["desa"] = [_("Unknown desa/kelurahan code.")]
    fields = {
        "title": (title, True, 200),
        "description": (description, True, 10000),
        "address": (address, False, 255),
        "reporter_name": (reporter_name, False, 150),
    }
    cleaned: dict[str, str] = {}
    for name, (value, required, limit) in fields.items():
        try:
            cleaned[name] = kernel.text(value, name, required=required, max_length=limit)
        except InvalidInput as error:
            errors.update(error.detail)
    phone = (reporter_phone or "").strip()
    email = (reporter_email or "").strip()
    nik = (reporter_nik or "").strip()
    reporter_errors, notify_channel = _reporter_rules(
        name=cleaned.get("reporter_name", ""),
        phone=phone,
        email=email,
        nik=nik,
        consent=bool(contact_consent),
        notify_channel=notify_channel,
    )
    errors.update(reporter_errors)
    _coordinates(latitude, longitude, errors)
    officer = actor if actor is not None and actor.is_authenticated else None
    received_via, received_on = _received(received_via, received_on, officer, errors)
    if errors:
        raise InvalidInput(errors, fields={k: "invalid" for k in errors})
    phone = phones.normalise(phone) or ""  # stored in E.164 form: +6281234567890
    assert category_obj is not None and desa_obj is not None
    kecamatan = desa_obj.parent_id
    assert kecamatan is not None, "a desa lies in a kecamatan"
    priority = kernel.choice(priority, Priority, "priority", Priority.SEDANG)
    channel = kernel.choice(channel, Channel, "channel")
    confidentiality = kernel.choice(
        confidentiality, Confidentiality, "confidentiality", Confidentiality.BIASA
    )
    by_kim = officer is not None and officer.role == Role.KIM_OPERATOR
    if officer is not None and by_kim:
        if selectors.unit_of(officer).region_id != desa_obj.code:
            raise PermissionDenied(_("A KIM operator records aspirations of their own desa."))
    files = kernel.check_files(attachments)

    now = timezone.now()
    engine, clock = ports.engine(), ports.clock()
    # on PostgreSQL the intake is two round trips: the case number with the rows' keys, then
    # every row in one pipeline (casework/batch.py); elsewhere the ORM saves row by row
    rows = RowBatch() if batch.available() else None
    try:
        with kernel.staged_files(files, actor=officer) as stored, transaction.atomic():
            first = idempotency.lock() if idempotency is not None else None
            if first is not None:  # the key's first request committed meanwhile
                raise Replay(first)
            if rows is not None:
                reserve: dict[type[Model], int] = {Case: 1, **engine.start_rows()}
                if stored:
                    reserve[CaseEvent] = 1  # the files point at the submission's event
                number, ids = next_case_number_with(
                    timezone.localtime(now),
                    [batch.nextval_sql(model, count) for model, count in reserve.items()],
                )
                for model, model_ids in zip(reserve, ids, strict=True):
                    rows.give_ids(model, model_ids)
            else:
                number = next_case_number(timezone.localtime(now))
            case = Case(
                number=number,
                tracking_code=new_tracking_code(),
                title=cleaned["title"],
                description=cleaned["description"],
                category=category_obj,
                priority=priority,
                desa=desa_obj,
                kecamatan_id=kecamatan,
                address=cleaned["address"],
                latitude=latitude,
                longitude=longitude,
                channel=channel,
                reporter_name=cleaned["reporter_name"],
                reporter_phone=phone,
                reporter_email=email,
                reporter_nik=nik,
                confidentiality=confidentiality,
                contact_consent=bool(contact_consent),
                notify_channel=notify_channel,
                received_via=received_via,
                received_on=received_on,
                created_by=officer,
                created_at=now,
                updated_at=now,
            )
            kim = refdata.kim_of(desa_obj.code)
            skipped = kim is None or not kim.active
            # the desa's own KIM operator verifies what they record: the process starts at the
            # forum's triage, as after the verify action
            verified = by_kim and not skipped
            if skipped or verified:
                case.forward()
            case.target_at = clock.target(case)
            if rows is not None:
                rows.take_id(case)
                rows.add(case)
            else:
                case.save(force_insert=True)
            if idempotency is not None:
                idempotency.record(case, rows)
            engine.start(case, rows)
            audit = kernel.Audit(case, officer)
            facts: dict[str, Any] = {"channel": channel, "verification_skipped": skipped}
            if verified:
                facts["verified"] = True
            event = audit.add("submit", "", case.status, **facts)
            audit.journal.attach(event, stored)
            audit.write(rows)
            if rows is not None:
                rows.write()
    except Replay as replay:
        return replay.case
    return case


@implements(d.VERIFY)
def verify_case(*, case: Case, actor: User) -> Case:
    with transaction.atomic():
        act = kernel.begin(d.VERIFY, case=case, actor=actor)
        before = act.case.status
        act.transition()
        kernel.save(act.case, "status")
        act.complete()
        act.record(before)
        act.audit.write()
    return act.case

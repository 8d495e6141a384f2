"""Reporters' phone numbers and NIK are encrypted at rest."""

from typing import TypedDict

import pytest
from django.db import connection

from casework.errors import InvalidInput
from casework.models import Case
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_phone_and_nik_are_stored_encrypted(officers):
    case = f.submit(reporter_phone="081234567890", reporter_nik="3508014101900001")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reporter_phone, reporter_nik FROM casework_case WHERE id = %s", [case.pk]
        )
        phone, nik = cursor.fetchone()
    assert "081234567890" not in phone and phone.startswith("gAAAA")  # a Fernet token
    assert "3508014101900001" not in nik
    again = Case.objects.get(pk=case.pk)
    assert (again.reporter_phone, again.reporter_nik) == ("+6281234567890", "3508014101900001")


def test_empty_contact_details_stay_empty(officers):
    case = f.submit(reporter_phone="", reporter_nik="", reporter_email="")
    again = Case.objects.get(pk=case.pk)
    assert (again.reporter_phone, again.reporter_nik, again.notify_channel) == ("", "", "")


def test_updates_go_to_the_channel_the_reporter_gave(officers):
    assert f.submit(reporter_email="a@example.org").notify_channel == "email"
    by_sms = f.submit(reporter_email="", reporter_phone="081234567890", contact_consent=True)
    assert by_sms.notify_channel == "sms"
    nowhere = f.submit(reporter_email="", reporter_phone="081234567890", notify_channel="")
    assert nowhere.notify_channel == ""


class Contact(TypedDict, total=False):
    reporter_name: str
    reporter_phone: str
    reporter_email: str
    reporter_nik: str
    notify_channel: str
    contact_consent: bool


def test_contact_details_are_recorded_only_with_consent(officers):
    """The consent rule is the service's, whoever calls it (the API, a page, a channel)."""
    each: tuple[Contact, ...] = (
        {"reporter_phone": "081234567890"},
        {"reporter_name": "Siti"},
        {"reporter_nik": "3508014101900001"},
        {"notify_channel": "email"},
    )
    for details in each:
        with pytest.raises(InvalidInput) as refused:
            none: Contact = {"reporter_name": "", "reporter_phone": "", "reporter_email": ""}
            without: Contact = {**none, "reporter_nik": "", "contact_consent": False, **details}
            f.submit(**without)
        assert "contact_consent" in refused.value.detail, details
    assert not Case.objects.exists()

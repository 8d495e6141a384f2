"""Reporters' phone numbers: checked with the phonenumbers library and stored in E.164 form by
the intake service, whoever calls it (the API, the pages, the SMS/WhatsApp channels)."""

from __future__ import annotations

import pytest

from casework import phones
from casework.errors import InvalidInput
from casework.models import Case, Notification
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("62 812 3456 7890", "+6281234567890"),
        ("(0812) 3456.7890", "+6281234567890"),
        ("+60 12-345 6789", "+60123456789"),  # abroad, written with its country code
    ],
)
def test_numbers_are_normalised_to_e164(typed, stored):
    assert phones.normalise(typed) == stored


@pytest.mark.parametrize(
    "typed", ["081234", "------", "08123456", "1-800-FLOWERS", "0812 3456 7890 ext 5", "+", ""]
)
def test_what_is_no_number_is_refused(typed):
    assert phones.normalise(typed) is None


def test_the_service_stores_the_normalised_number(reference):
    case = f.submit(reporter_phone="0812-3456-7890")
    assert Case.objects.get(pk=case.pk).reporter_phone == "+6281234567890"


@pytest.mark.parametrize("typed", ["081234", "------"])
def test_the_service_refuses_what_is_no_number(reference, typed):
    with pytest.raises(InvalidInput) as refused:
        f.submit(reporter_phone=typed)
    assert set(refused.value.detail) == {"reporter_phone"}
    assert "Nomor telepon tidak valid" in refused.value.detail["reporter_phone"][0]
    assert not Case.objects.exists() and not Notification.objects.exists()


def test_updates_by_sms_need_a_mobile_number(reference):
    with pytest.raises(InvalidInput) as refused:
        f.submit(reporter_phone="0334 881234", reporter_email="", notify_channel="sms")
    assert set(refused.value.detail) == {"reporter_phone"}
    # a landline is still a way to call the reporter
    case = f.submit(reporter_phone="0334 881234", notify_channel="email")
    assert case.reporter_phone == "+62334881234"

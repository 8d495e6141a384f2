"""The public form shows a phone number that is no number at its field and records nothing;
a valid one is stored in E.164 form."""

from __future__ import annotations

import pytest
from django.test import Client

from casework.models import Case, Notification

from .test_submit import SUBMIT, form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["081234", "------"])
def test_the_form_shows_the_error_at_the_phone_field(reference, typed):
    response = Client().post(
        SUBMIT, form(reporter_phone=typed, contact_consent="on", notify_channel="sms")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_reporter_phone_error"' in html
    assert "Nomor telepon tidak valid" in html
    assert not Case.objects.exists() and not Notification.objects.exists()


def test_the_form_stores_the_normalised_number(reference):
    response = Client().post(
        SUBMIT,
        form(reporter_phone="0812-3456-7890", contact_consent="on", notify_channel="whatsapp"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Case.objects.get().reporter_phone == "+6281234567890"

"""Phone numbers on the channels: an inbound sender's number is checked like any reporter's
and recorded in E.164 form; the reporter's SMS go to the E.164 form of the number on the case,
and never to a number recorded before numbers were checked that is none."""

from __future__ import annotations

import pytest

from casework.models import Case, Notification
from casework.tasks import deliver_notifications
from tests import factories as f
from tests.conftest import DESA

from .test_inbound import _secret, send  # noqa: F401  (the secret fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sender", ["081234", "------", "+62 81 23"])
def test_a_sender_that_is_no_valid_number_is_bad_input(reference, sender):
    response = send(f"ASPIRASI {DESA}#Jalan rusak", sender=sender)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"from"}
    assert not Case.objects.exists()


@pytest.mark.parametrize("sender", ["6281234567890", "081234567890", "+62 812-3456-7890"])
def test_the_sender_is_recorded_in_e164_form(reference, sender):
    assert send(f"ASPIRASI {DESA}#Jalan rusak", sender=sender).status_code == 200
    assert Case.objects.get().reporter_phone == "+6281234567890"


@pytest.mark.parametrize(("on_file", "sent_to"), [("0812 3456 7890", "+6281234567890")])
def test_sms_go_to_the_e164_form_of_the_number_on_file(reference, sms_gateway, on_file, sent_to):
    case = f.submit(reporter_email="", notify_channel="sms")
    Case.objects.filter(pk=case.pk).update(reporter_phone=on_file)  # recorded long ago
    note = Notification.objects.get(case=case, user__isnull=True)
    assert deliver_notifications([note.pk]) == 1
    assert sms_gateway.received[0]["body"]["to"] == sent_to


def test_no_sms_goes_to_a_number_on_file_that_is_none(reference, sms_gateway):
    case = f.submit(reporter_email="", notify_channel="sms")
    case.reporter_phone = "------"  # recorded before numbers were checked
    case.save(update_fields=["reporter_phone"])
    note = Notification.objects.get(case=case, user__isnull=True)
    assert deliver_notifications([note.pk]) == 0
    note.refresh_from_db()
    assert note.status == "failed" and "no valid phone number" in note.last_error
    assert sms_gateway.received == []

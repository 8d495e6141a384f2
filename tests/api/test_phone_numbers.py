"""The API refuses a reporter's phone number that is no number, with a field error, and stores
the others in E.164 form; the reporter's SMS go to that number."""

from __future__ import annotations

import pytest

from casework.models import Case, Notification
from casework.tasks import deliver_notifications
from tests.channels.conftest import gateway, sms_gateway  # noqa: F401  (fixtures)

from .helpers import assert_error, url
from .test_cases import SUBMISSION

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["081234", "------"])
def test_a_phone_number_that_is_no_number_is_refused(reference, anon, typed):
    response = anon.post(url("cases"), {**SUBMISSION, "reporter_phone": typed}, format="json")
    body = assert_error(response, 400)
    assert set(body["fields"]) == {"reporter_phone"}
    assert not Case.objects.exists() and not Notification.objects.exists()


@pytest.mark.parametrize("typed", ["0812-3456-7890", "+62 812 3456 7890"])
def test_a_phone_number_is_stored_in_e164_form(reference, anon, typed):
    response = anon.post(url("cases"), {**SUBMISSION, "reporter_phone": typed}, format="json")
    assert response.status_code == 201, response.content
    assert Case.objects.get().reporter_phone == "+6281234567890"


def test_the_reporters_sms_go_to_the_normalised_number(reference, anon, sms_gateway):  # noqa: F811
    submission = {
        **SUBMISSION,
        "reporter_phone": "0812-3456-7890",
        "reporter_email": "",
        "notify_channel": "sms",
    }
    assert anon.post(url("cases"), submission, format="json").status_code == 201
    note = Notification.objects.get(user__isnull=True)
    assert note.recipient == "+62812****7890"  # masked in the outbox
    assert deliver_notifications([note.pk]) == 1
    assert sms_gateway.received[0]["body"]["to"] == "+6281234567890"

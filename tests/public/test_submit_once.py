"""The public form names each submission with its hidden ``submission_key``: sent again after
a lost reply it lands on the first case's receipt, and records nothing new."""

import re
import uuid

import pytest
from django.test import Client

from casework.models import Attachment, Case, IdempotencyKey, Notification
from tests.conftest import DESA

from .test_submit import form as submitted_form
from .test_submit import photo

pytestmark = pytest.mark.django_db

SUBMIT = "/aspirasi/baru/"
KEY_FIELD = re.compile(r'<input type="hidden" name="submission_key" value="([^"]+)">')


def form(**changes) -> dict:
    """The public form with contact details and consent: updates by e-mail."""
    return submitted_form(
        address="",
        reporter_name="Siti",
        reporter_email="siti@example.org",
        notify_channel="email",
        contact_consent="on",
        **changes,
    )


def key_of(response) -> str:
    found = KEY_FIELD.search(response.content.decode())
    assert found, "the form carries its submission_key"
    return found.group(1)


def test_the_form_carries_a_new_key_each_time_it_is_shown(reference):
    client = Client()
    first, second = key_of(client.get(SUBMIT)), key_of(client.get(SUBMIT))
    assert uuid.UUID(first).version == 4 and uuid.UUID(second).version == 4
    assert first != second


def test_a_refused_form_keeps_its_key(reference):
    client = Client()
    key = key_of(client.get(SUBMIT))
    refused = client.post(SUBMIT, form(title="", submission_key=key))
    assert refused.status_code == 400
    assert key_of(refused) == key


def test_sent_again_after_a_lost_reply_it_lands_on_the_first_receipt(reference):
    client = Client()
    key = key_of(client.get(SUBMIT))
    first = client.post(SUBMIT, form(submission_key=key, attachments=photo()))
    assert first.status_code == 302, first.content
    again = client.post(SUBMIT, form(submission_key=key, attachments=photo()))
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    case = Case.objects.get()
    assert case.tracking_code in first["Location"]
    assert Attachment.objects.count() == 1
    assert Notification.objects.filter(case=case, user=None).count() == 1  # the reporter
    assert IdempotencyKey.objects.get().case == case
    receipt = client.get(again["Location"])
    assert case.number in receipt.content.decode()


def test_without_a_key_a_form_sent_twice_is_two_cases(reference):
    client = Client()
    client.post(SUBMIT, form())
    client.post(SUBMIT, form(submission_key="not-a-uuid"))
    assert Case.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_changed_after_it_was_sent_it_shows_the_first_and_a_new_key(reference):
    client = Client()
    key = key_of(client.get(SUBMIT))
    first = client.post(SUBMIT, form(submission_key=key))
    changed = client.post(SUBMIT, form(submission_key=key, title="Jembatan putus total"))
    assert changed.status_code == 422
    html = changed.content.decode()
    case = Case.objects.get()
    assert case.number in html and first["Location"] in html
    assert 'data-testid="sent-before"' in html
    assert "Jembatan putus total" in html  # what they typed is still there
    new_key = key_of(changed)
    assert new_key != key
    # sent again as it is now: a new aspiration
    second = client.post(SUBMIT, form(submission_key=new_key, title="Jembatan putus total"))
    assert second.status_code == 302
    assert Case.objects.count() == 2


def test_a_key_an_api_client_chose_is_not_the_forms(reference):
    key = str(uuid.uuid4())
    api = Client().post(
        "/api/v1/cases/",
        {
            "title": "Lampu jalan mati",
            "description": "Lampu PJU di depan balai desa mati sejak seminggu.",
            "category": "infrastruktur",
            "desa": DESA,
        },
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )
    assert api.status_code == 201, api.content
    page = Client().post(SUBMIT, form(submission_key=key))
    assert page.status_code == 302  # a case of its own: no word of the API client's case
    assert Case.objects.count() == 2
    assert api.json()["tracking_code"].replace("-", "") not in page["Location"]

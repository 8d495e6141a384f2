"""The gateway's message id: a message delivered again with the same id records nothing new
and gets the same reply, whenever it comes."""

import json

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from casework.api.inbound import signature
from casework.models import Case, IdempotencyKey, Notification
from tests.conftest import DESA

from .test_inbound import SECRET, SENDER, SignatureHeader, _secret  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def send(text, message_id, *, channel="sms", sender=SENDER):
    body = json.dumps({"from": sender, "text": text, "id": message_id}).encode()
    headers: SignatureHeader = {"HTTP_X_ASPIRASI_SIGNATURE": signature(SECRET, body)}
    return APIClient().post(
        f"/api/v1/inbound/{channel}/", data=body, content_type="application/json", **headers
    )


def test_the_same_message_id_twice_is_one_case(reference):
    first = send(f"ASPIRASI {DESA}#Jalan rusak di depan sekolah", "gw-1")
    assert first.status_code == 200, first.content
    cache.clear()  # long after the content's short-lived guard: the id still holds
    again = send(f"ASPIRASI {DESA}#Jalan rusak di depan sekolah", "gw-1")
    assert again.status_code == 200
    assert again.json() == first.json()
    case = Case.objects.get()
    assert case.number in first.json()["reply"]
    assert Notification.objects.filter(case=case, user=None).count() <= 1
    row = IdempotencyKey.objects.get()
    assert (row.scope, row.key, row.case_id) == ("inbound:sms", "gw-1", case.pk)


def test_the_same_id_with_another_message_is_refused(reference):
    send(f"ASPIRASI {DESA}#Jalan rusak", "gw-1")
    other = send(f"ASPIRASI {DESA}#Lampu mati", "gw-1")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_ids_are_the_gateways_own(reference):
    send(f"ASPIRASI {DESA}#Jalan rusak", "gw-1", channel="sms")
    whatsapp = send(f"ASPIRASI {DESA}#Jalan rusak parah", "gw-1", channel="whatsapp")
    assert whatsapp.status_code == 200
    assert Case.objects.count() == 2


def test_different_ids_are_different_messages(reference):
    send(f"ASPIRASI {DESA}#Jalan rusak", "gw-1")
    cache.clear()
    send(f"ASPIRASI {DESA}#Jalan rusak", "gw-2")
    assert Case.objects.count() == 2

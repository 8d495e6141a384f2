"""SMS/WhatsApp intake: the signed webhook, ``ASPIRASI <desa>#<text>`` and ``CEK <code>``,
and the helpful replies that create nothing."""

import json
from typing import TypedDict

import pytest
from django.db import connection
from rest_framework.test import APIClient

from casework import inbound, services
from casework.api.inbound import signature
from casework.models import Case, Notification
from tests import factories as f
from tests.conftest import DESA, DESA_INACTIVE

pytestmark = pytest.mark.django_db

SECRET = "inbound-test-secret"
SENDER = "+6281234567890"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.ASPIRASI_INBOUND_SECRET = SECRET


class SignatureHeader(TypedDict, total=False):
    HTTP_X_ASPIRASI_SIGNATURE: str


def send(text, *, sender=SENDER, channel="sms", secret=SECRET, sign=True, raw=None):
    body = raw if raw is not None else json.dumps({"from": sender, "text": text}).encode()
    headers: SignatureHeader = (
        {"HTTP_X_ASPIRASI_SIGNATURE": signature(secret, body)} if sign else {}
    )
    return APIClient().post(
        f"/api/v1/inbound/{channel}/", data=body, content_type="application/json", **headers
    )


def reply_of(response):
    assert response.status_code == 200, response.content
    return response.json()["reply"]


# ----------------------------------------------------------------------------- the signature


def test_an_unsigned_message_is_refused(reference):
    response = send(f"ASPIRASI {DESA}#Jalan rusak", sign=False)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "header",
    ["sha256=" + "0" * 64, "sha256=zz", "md5=abc", "", "sha256=" + "é" * 64],
)
def test_a_wrongly_signed_message_is_refused(reference, header):
    body = json.dumps({"from": SENDER, "text": f"ASPIRASI {DESA}#Jalan rusak"}).encode()
    response = APIClient().post(
        "/api/v1/inbound/sms/",
        data=body,
        content_type="application/json",
        HTTP_X_ASPIRASI_SIGNATURE=header,
    )
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_signature_made_with_another_secret_is_refused(reference):
    assert send(f"ASPIRASI {DESA}#Jalan rusak", secret="other").status_code == 403
    assert not Case.objects.exists()


def test_a_body_changed_after_signing_is_refused(reference):
    body = json.dumps({"from": SENDER, "text": f"ASPIRASI {DESA}#Jalan rusak"}).encode()
    response = APIClient().post(
        "/api/v1/inbound/sms/",
        data=body.replace(b"rusak", b"bagus"),
        content_type="application/json",
        HTTP_X_ASPIRASI_SIGNATURE=signature(SECRET, body),
    )
    assert response.status_code == 403


def test_without_a_secret_inbound_is_disabled(reference, settings):
    settings.ASPIRASI_INBOUND_SECRET = ""
    response = send(f"ASPIRASI {DESA}#Jalan rusak", secret="")
    assert response.status_code == 503
    assert response.json()["code"] == "inbound_disabled"
    assert not Case.objects.exists()


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", json.dumps({"text": "CEK x"}).encode()])
def test_a_signed_but_malformed_body_is_bad_input(reference, raw):
    response = send("", raw=raw)
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_sender_that_is_no_number_is_bad_input(reference):
    response = send(f"ASPIRASI {DESA}#Jalan rusak", sender="evil; DROP")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"from"}
    assert not Case.objects.exists()


def test_other_channels_are_not_found(reference):
    assert send("CEK x", channel="email").status_code == 404


# ----------------------------------------------------------------------------- ASPIRASI


def test_an_aspiration_by_desa_code(reference):
    text = "Jalan utama dusun Krajan berlubang sejak musim hujan, mohon segera diperbaiki."
    reply = reply_of(send(f"ASPIRASI {DESA}#{text}"))
    case = Case.objects.get()
    assert case.status == "received"  # the desa's KIM is active: it verifies first
    assert (case.channel, case.desa_id, case.category.code) == ("sms", DESA, "lainnya")
    assert case.description == text
    assert case.title == "Jalan utama dusun Krajan berlubang sejak musim hujan, mohon…"
    assert len(case.title) <= 60
    assert (case.reporter_phone, case.contact_consent, case.notify_channel) == (SENDER, True, "sms")
    assert case.events.get().action == "submit" and case.events.get().actor is None
    assert services.format_tracking_code(case.tracking_code) in reply
    assert case.number in reply


def test_the_phone_number_is_encrypted_at_rest(reference):
    send(f"ASPIRASI {DESA}#Lampu jalan mati")
    case = Case.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM casework_case WHERE id = %s", [case.pk])
        (stored,) = cursor.fetchone()
    assert SENDER not in stored and "81234567890" not in stored


def test_an_aspiration_by_desa_name_in_any_case(reference):
    reply = reply_of(send("aspirasi desa TEGALREJO # Lampu jalan mati"))
    case = Case.objects.get()
    assert case.desa_id == DESA and case.description == "Lampu jalan mati"
    assert services.format_tracking_code(case.tracking_code) in reply


def test_an_aspiration_for_a_desa_without_active_kim_goes_to_the_forum(reference):
    region = inbound.refdata.region(DESA_INACTIVE)
    assert region is not None
    name = region.name
    reply_of(send(f"ASPIRASI {name}#Saluran air tersumbat"))
    case = Case.objects.get()
    assert (case.desa_id, case.status) == (DESA_INACTIVE, "forwarded")


def test_whatsapp_aspirations_are_recorded_as_such(reference):
    reply_of(send(f"ASPIRASI {DESA.replace('.', '')}#Jembatan retak", channel="whatsapp"))
    case = Case.objects.get()
    assert (case.channel, case.notify_channel, case.desa_id) == ("whatsapp", "whatsapp", DESA)


def test_the_reporter_gets_no_second_acknowledgement_but_the_kim_hears(people):
    send(f"ASPIRASI {DESA}#Lampu jalan mati")
    case = Case.objects.get()
    notes = Notification.objects.filter(case=case)
    assert [(n.template, n.recipient) for n in notes] == [("new_work", "kim@lumajangkab.go.id")]


def test_a_retried_delivery_of_the_same_message_records_one_case(reference):
    first = reply_of(send(f"ASPIRASI {DESA}#Lampu jalan mati"))
    again = reply_of(send(f"ASPIRASI {DESA}#Lampu jalan mati"))
    assert first == again and Case.objects.count() == 1
    reply_of(send(f"ASPIRASI {DESA}#Lampu jalan mati", sender="+6289999999999"))
    assert Case.objects.count() == 2


def test_an_ambiguous_desa_name_lists_the_candidates(reference):
    candidates = inbound.find_villages("Sumberejo")
    assert len(candidates) == 2
    reply = reply_of(send("ASPIRASI Sumberejo#Jalan rusak"))
    for village in candidates:
        assert village.code in reply
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "ASPIRASI Atlantis#Jalan rusak",
        "ASPIRASI 35.08.01#Jalan rusak",  # a kecamatan, not a desa
        "ASPIRASI 35.09.01.2001#Jalan rusak",  # another kabupaten
    ],
)
def test_an_unknown_desa_explains_the_format(reference, text):
    reply = reply_of(send(text))
    assert "ASPIRASI" in reply and "#" in reply and "CEK" in reply
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "text", [f"ASPIRASI {DESA} Jalan rusak", f"ASPIRASI {DESA}#", "ASPIRASI #Jalan rusak"]
)
def test_an_incomplete_aspiration_explains_the_format(reference, text):
    reply = reply_of(send(text))
    assert "ASPIRASI" in reply and "#" in reply
    assert not Case.objects.exists()


@pytest.mark.parametrize("text", ["halo", "", "   ", "123", "ASPIRASIKU ya", "🙂"])
def test_anything_else_gets_both_formats_and_creates_nothing(reference, text):
    reply = reply_of(send(text))
    assert "ASPIRASI" in reply and "CEK" in reply
    assert not Case.objects.exists()


def test_replies_fit_in_two_sms(reference):
    for text in ("halo", "ASPIRASI Sumberejo#x", "ASPIRASI Atlantis#x", "CEK 0000"):
        assert len(reply_of(send(text))) <= 320


# ----------------------------------------------------------------------------- CEK


def test_cek_replies_with_the_status_and_number(people):
    case = f.forwarded(people)
    code = services.format_tracking_code(case.tracking_code)
    reply = reply_of(send(f"cek {code.lower()}"))
    assert case.number in reply and "Diteruskan ke forum kecamatan" in reply


def test_cek_of_a_rahasia_case_gives_the_status_only(reference):
    case = f.submit(confidentiality="rahasia", title="Pungutan liar di kantor desa")
    reply = reply_of(send(f"CEK {case.tracking_code}"))
    assert "Diterima" in reply
    assert case.number not in reply and "Pungutan" not in reply


def test_cek_while_information_is_requested_shows_the_question(people):
    case = f.forwarded(people)
    services.request_info(case=case, actor=people["forum"], question="Di RT berapa?")
    reply = reply_of(send(f"CEK {case.tracking_code}"))
    assert "Menunggu kelengkapan" in reply and "Di RT berapa?" in reply


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN", "CEK", ""])
def test_cek_of_an_unknown_code_says_so(reference, code):
    reply = reply_of(send(f"CEK {code}"))
    assert "CEK" in reply
    assert not Case.objects.exists()


# ----------------------------------------------------------------------------- limits


def test_each_sender_is_limited(reference, settings):
    settings.ASPIRASI_RATE_INBOUND = "3/h"
    for _ in range(3):
        assert send("halo").status_code == 200
    response = send(f"ASPIRASI {DESA}#Jalan rusak")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json()["code"] == "throttled"
    assert not Case.objects.exists()
    assert send("halo", sender="+6289999999999").status_code == 200  # another number


def test_the_sender_limit_fails_open_when_the_cache_is_down(reference, settings):
    settings.ASPIRASI_RATE_INBOUND = "1/h"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    reply_of(send(f"ASPIRASI {DESA}#Jalan rusak"))
    reply_of(send(f"ASPIRASI {DESA}#Jembatan retak"))
    assert Case.objects.count() == 2


# ----------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ASPIRASI Tegalrejo#Jalan rusak", inbound.Message("submit", "Tegalrejo", "Jalan rusak")),
        ("Aspirasi:  Desa  Tegalrejo #  a#b ", inbound.Message("submit", "Desa Tegalrejo", "a#b")),
        ("ASPIRASI Tegalrejo", inbound.Message("submit", "Tegalrejo", "")),
        ("cek abcd-efgh-jkmn", inbound.Message("check", code="abcd-efgh-jkmn")),
        ("halo", inbound.Message("unknown")),
        ("", inbound.Message("unknown")),
    ],
)
def test_parse(text, expected):
    assert inbound.parse(text) == expected


def test_the_schema_documents_the_webhook(reference):
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/inbound/{channel}/"]["post"]
    assert operation["operationId"] == "inbound_create"
    assert "X-Aspirasi-Signature" in {p["name"] for p in operation["parameters"]}
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    name = body.rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][name]["properties"]) == {"from", "text", "id"}

"""A citizen submits an aspiration without an account: the case, the confirmation with the
tracking code, the refusals that record nothing, the honeypot and the rate limit."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from casework import services
from casework.models import Attachment, Case, CaseEvent, Notification
from tests.conftest import DESA, DESA_INACTIVE

from .helpers import english, text_of

pytestmark = pytest.mark.django_db

SUBMIT = "/aspirasi/baru/"


def form(**changes) -> dict:
    data = {
        "category": "infrastruktur",
        "desa": DESA,
        "title": "Jembatan bambu di Dusun Krajan rusak",
        "description": "Jembatan bambu penghubung dusun patah sejak banjir minggu lalu.",
        "address": "Dusun Krajan RT 01",
        "latitude": "",
        "longitude": "",
        "confidentiality": "biasa",
        "reporter_name": "",
        "reporter_phone": "",
        "reporter_email": "",
        "notify_channel": "",
        "website": "",
    }
    data.update(changes)
    return data


def photo(name: str = "jembatan.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 80, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_citizen_submits_and_lands_on_the_confirmation(reference):
    client = Client()
    response = client.post(
        SUBMIT,
        form(
            reporter_name="Siti Aminah",
            reporter_phone="0812 3456 7890",
            notify_channel="whatsapp",
            contact_consent="on",
            latitude="-8.2345678",
            longitude="113.1234",
            confidentiality="anonim",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/aspirasi/terkirim/{case.tracking_code}/"
    assert case.channel == "web"
    assert case.created_by is None
    assert case.status == "received"  # the desa's KIM is active: it verifies first
    assert case.confidentiality == "anonim"
    assert case.notify_channel == "whatsapp"
    assert case.contact_consent is True
    assert case.reporter_phone == "+6281234567890"  # E.164
    assert str(case.latitude) == "-8.234568"
    assert case.priority == "sedang"
    event = CaseEvent.objects.get(case=case, action="submit")
    assert event.actor is None and event.payload["channel"] == "web"
    # the update goes out by WhatsApp, after the commit
    assert Notification.objects.get(case=case).channel == "whatsapp"

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert case.number in html
    code = services.format_tracking_code(case.tracking_code)
    assert re.search(rf'data-testid="tracking-code">{code}<', html)
    assert f'href="/lacak/{case.tracking_code}/"' in html
    assert f"http://testserver/lacak/{case.tracking_code}/" in html
    # the confirmation shows the code, never the reporter
    assert "Siti Aminah" not in html and "0812 3456 7890" not in html
    assert "no-store" in page["Cache-Control"]


def test_without_contact_details_no_consent_is_needed_and_nothing_is_sent(reference):
    response = Client().post(SUBMIT, form(desa=DESA_INACTIVE))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == "forwarded"  # no active KIM: straight to the forum
    assert case.notify_channel == "" and case.contact_consent is False
    assert case.reporter_name == case.reporter_phone == case.reporter_email == ""
    assert not Notification.objects.exists()


def test_photos_come_with_the_submission(reference):
    response = Client().post(
        SUBMIT, form(attachments=[photo(), photo("dua.jpg")]), format="multipart"
    )
    assert response.status_code == 302
    case = Case.objects.get()
    files = list(Attachment.objects.filter(case=case))
    assert len(files) == 2
    assert {a.event.action if a.event else None for a in files} == {"submit"}
    assert all(a.uploaded_by is None for a in files)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"description": ""}, "description"),
        ({"desa": "35.08.99.9999"}, "desa"),
        ({"desa": "35.08.01"}, "desa"),  # a kecamatan is not a desa
        ({"category": "tidak-ada"}, "category"),
        ({"reporter_phone": "0812345678"}, "contact_consent"),
        ({"reporter_email": "siti@example.org"}, "contact_consent"),
        ({"reporter_name": "Siti"}, "contact_consent"),
        ({"notify_channel": "email", "contact_consent": "on"}, "reporter_email"),
        ({"notify_channel": "sms", "contact_consent": "on"}, "reporter_phone"),
        ({"notify_channel": "pigeon"}, "notify_channel"),
        ({"confidentiality": "rahasia-sekali"}, "confidentiality"),
        ({"latitude": "-8.1"}, "longitude"),
        ({"latitude": "123", "longitude": "113"}, "latitude"),
    ],
)
def test_invalid_input_records_nothing(reference, changes, field):
    response = Client().post(SUBMIT, form(**changes))
    assert response.status_code == 400
    assert not Case.objects.exists()
    html = response.content.decode()
    assert 'class="error-summary" role="alert"' in html
    assert re.search(rf'id="id_{field}_error"|id="id_{field}_\d+"[^>]*|name="{field}"', html)
    assert field in response.context["form"].errors


def test_a_file_that_is_not_a_photo_or_pdf_is_refused(reference):
    fake = SimpleUploadedFile("foto.jpg", b"MZ\x90\x00not an image", content_type="image/jpeg")
    response = Client().post(SUBMIT, form(attachments=[fake]))
    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    assert not Case.objects.exists()
    # the acceptable files of a refused form are kept for the next try (the refused one not)
    assert "kept from your last try" in text_of(
        english().post(SUBMIT, form(attachments=[photo()], title="")).content.decode()
    )


def test_more_than_three_files_are_refused(reference):
    response = Client().post(SUBMIT, form(attachments=[photo(f"{i}.jpg") for i in range(4)]))
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_storage_failure_records_nothing_and_says_so(reference, settings, tmp_path):
    """The files are stored with the submission or not at all: when the storage fails
    (here a media folder that cannot be created), no case is recorded, the citizen is told
    and finds the form as they filled it, and a second try after the storage is back records
    one case."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocker / "media")
    client = english()
    response = client.post(SUBMIT, form(attachments=[photo()], title="Jembatan putus"))
    assert response.status_code == 503
    assert not Case.objects.exists() and not Attachment.objects.exists()
    html = response.content.decode()
    assert "could not be stored, so nothing was recorded" in html
    assert 'value="Jembatan putus"' in html  # what they typed is still there

    settings.MEDIA_ROOT = str(tmp_path / "media")
    response = client.post(SUBMIT, form(attachments=[photo()], title="Jembatan putus"))
    assert response.status_code == 302
    assert Case.objects.count() == 1 and Attachment.objects.count() == 1


def test_the_honeypot_pretends_success_and_records_nothing(reference):
    response = Client().post(SUBMIT, form(website="http://spam.example"))
    assert response.status_code == 200
    assert response.templates[0].name == "public/thanks.html"
    assert not Case.objects.exists()
    html = response.content.decode()
    assert "tracking-code" not in html and "LMJ-" not in html


def test_submissions_are_rate_limited_per_client(reference, settings):
    settings.ASPIRASI_RATE_SUBMIT = "2/m"
    client = Client()
    for _ in range(3):  # looking at the form is not limited
        assert client.get(SUBMIT).status_code == 200
    assert client.post(SUBMIT, form()).status_code == 302
    assert client.post(SUBMIT, form(title="")).status_code == 400  # refused ones count too
    response = client.post(SUBMIT, form())
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert Case.objects.count() == 1
    # another client is not affected
    assert Client(REMOTE_ADDR="10.0.0.9").post(SUBMIT, form()).status_code == 302


def test_the_limit_fails_open_when_the_cache_is_down(reference, settings):
    settings.ASPIRASI_RATE_SUBMIT = "1/m"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    client = Client()
    assert client.post(SUBMIT, form()).status_code == 302
    assert client.post(SUBMIT, form()).status_code == 302
    assert Case.objects.count() == 2


def test_the_confirmation_needs_the_code(reference):
    client = Client()
    client.post(SUBMIT, form())
    case = Case.objects.get()
    wrong = ("0" if case.tracking_code[0] != "0" else "1") + case.tracking_code[1:]
    for code in (wrong, "abc", case.number):
        response = client.get(f"/aspirasi/terkirim/{code}/")
        assert response.status_code == 404
        assert 'data-testid="number"' not in response.content.decode()


def test_a_csrf_token_is_required(reference):
    client = Client(enforce_csrf_checks=True)
    assert client.post(SUBMIT, form()).status_code == 403
    assert not Case.objects.exists()

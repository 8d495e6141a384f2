"""KIM desa intake: an operator records an aspiration for a citizen and prints the receipt."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image

from casework import services
from casework.models import Attachment, Case, CaseEvent
from tests import factories as f
from tests.conftest import DESA, OTHER_DESA

pytestmark = pytest.mark.django_db

INTAKE = "/petugas/catat/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(**changes) -> dict:
    data = {
        "category": "infrastruktur",
        "title": "Saluran air tersumbat",
        "description": "Saluran di depan masjid tersumbat sampah sejak seminggu.",
        "address": "Dusun Krajan RT 02",
        "latitude": "",
        "longitude": "",
        "priority": "sedang",
        "confidentiality": "biasa",
        "reporter_name": "",
        "reporter_phone": "",
        "reporter_email": "",
        "reporter_nik": "",
    }
    data.update(changes)
    return data


def test_kim_operator_records_an_aspiration(officers):
    client = login(officers["kim"])
    page = client.get(INTAKE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="desa"' not in html  # fixed to the operator's desa, not editable
    assert "Tegalrejo" in html
    for name in ("category", "title", "description", "address", "latitude", "priority"):
        assert f'for="id_{name}"' in html and f'id="id_{name}"' in html

    response = client.post(INTAKE, form(latitude="-8.12345678", longitude="113.2", desa=OTHER_DESA))
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/petugas/catat/{case.number}/selesai/"
    assert case.status == "forwarded"  # verified by its recording
    assert case.channel == "kim"
    assert case.created_by == officers["kim"]
    assert case.desa_id == DESA  # whatever was posted
    assert str(case.latitude) == "-8.123457"
    event = CaseEvent.objects.get(case=case, action="submit")
    assert event.actor == officers["kim"]


def test_consent_is_required_when_contact_details_are_given(officers):
    client = login(officers["kim"])
    response = client.post(INTAKE, form(reporter_phone="081234567890"))
    assert response.status_code == 400
    assert 'id="id_contact_consent_error"' in response.content.decode()
    assert not Case.objects.exists()

    response = client.post(
        INTAKE,
        form(reporter_name="Pak Darto", reporter_phone="081234567890", contact_consent="on"),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.reporter_phone == "+6281234567890" and case.reporter_name == "Pak Darto"


def test_no_contact_needs_no_consent(officers):
    response = login(officers["kim"]).post(INTAKE, form())
    assert response.status_code == 302
    assert Case.objects.get().reporter_phone == ""


def test_invalid_input_is_shown_at_the_fields(officers):
    client = login(officers["kim"])
    response = client.post(
        INTAKE,
        form(title="", reporter_nik="123", contact_consent="on", latitude="95", longitude="1"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    for name in ("title", "reporter_nik", "latitude"):
        assert f'id="id_{name}_error"' in html, name
    assert not Case.objects.exists()


def test_only_kim_operators_may_record(officers):
    for key in ("forum", "coordinator", "pu", "supervisor"):
        client = login(officers[key])
        assert client.get(INTAKE).status_code == 403, key
        assert client.post(INTAKE, form()).status_code == 403, key
    assert not Case.objects.exists()
    response = Client().get(INTAKE)
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_receipt_shows_the_tracking_code_to_the_recorder_only(officers):
    client = login(officers["kim"])
    client.post(INTAKE, form())
    case = Case.objects.get()
    receipt = client.get(f"/petugas/catat/{case.number}/selesai/")
    assert receipt.status_code == 200
    html = receipt.content.decode()
    code = services.format_tracking_code(case.tracking_code)
    assert re.search(rf'data-testid="tracking-code">{code}<', html)
    assert "/lacak/" in html
    assert "window.print()" in html
    # other officers, even in scope, do not get the code (whoever holds it acts as the citizen)
    for key in ("kim_other", "forum", "supervisor"):
        assert login(officers[key]).get(f"/petugas/catat/{case.number}/selesai/").status_code == 404
    # a case submitted by a citizen has no receipt page for anyone but its desa's KIM
    online = f.submit()
    assert (
        login(officers["forum"]).get(f"/petugas/catat/{online.number}/selesai/").status_code == 404
    )


def test_intake_with_a_photo_strips_its_metadata(officers):
    img = Image.new("RGB", (32, 24), (10, 10, 200))
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitude: (8.0, 7.0, 30.0)}
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", exif=exif)
    photo = SimpleUploadedFile("saluran.jpg", buffer.getvalue(), content_type="image/jpeg")
    response = login(officers["kim"]).post(INTAKE, {**form(), "attachments": [photo]})
    assert response.status_code == 302
    item = Attachment.objects.get()
    assert item.event is not None
    assert item.event.action == "submit"
    assert item.uploaded_by == officers["kim"]
    with item.file.open("rb") as handle, Image.open(handle) as stored:
        assert not stored.getexif()


def test_a_bad_attachment_records_nothing(officers):
    fake = SimpleUploadedFile("foto.png", b"not an image", content_type="image/png")
    response = login(officers["kim"]).post(INTAKE, {**form(), "attachments": [fake]})
    assert response.status_code == 400
    assert 'id="id_attachments_error"' in response.content.decode()
    assert not Case.objects.exists()


def test_a_storage_failure_records_nothing_and_a_second_try_records_one_case(
    officers, settings, tmp_path
):
    """The operator's photos are stored with the case or not at all: a storage error used to
    answer 500 after the case was committed, and the operator's second try created a second
    case. Now nothing is recorded, the page says so with the form as it was filled, and the
    second try records one case with its photo."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocker / "media")
    client = login(officers["kim"])
    photo = SimpleUploadedFile("jalan.png", png(), content_type="image/png")
    response = client.post(INTAKE, form(attachments=[photo], title="Gorong-gorong ambrol"))
    assert response.status_code == 503
    assert not Case.objects.exists() and not Attachment.objects.exists()
    html = response.content.decode()
    assert 'role="alert"' in html and 'value="Gorong-gorong ambrol"' in html

    settings.MEDIA_ROOT = str(tmp_path / "media")
    again = SimpleUploadedFile("jalan.png", png(), content_type="image/png")
    response = client.post(INTAKE, form(attachments=[again], title="Gorong-gorong ambrol"))
    assert response.status_code == 302
    assert Case.objects.count() == 1 and Attachment.objects.count() == 1


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (10, 120, 10)).save(out, format="PNG")
    return out.getvalue()

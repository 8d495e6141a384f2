"""Attachments: type read from the content, size and count limits, metadata stripped from
photos, and downloads only for officers who may see the case."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import cast

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from PIL import ExifTags, Image

from casework import attachments, services
from casework.errors import InvalidInput
from casework.models import Attachment, Case
from tests import factories as f

pytestmark = pytest.mark.django_db

GPS = ExifTags.IFD.GPSInfo


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def streamed(response: HttpResponseBase) -> bytes:
    """The body of a streaming response (a file download, a CSV export)."""
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(cast(Iterable[bytes], response.streaming_content))


def photo(fmt: str = "PNG", *, size: tuple[int, int] = (40, 30), gps: bool = True) -> bytes:
    """A small image carrying EXIF with a GPS position (and a camera maker)."""
    img = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "KameraHP"
    if gps:
        exif[GPS] = {
            ExifTags.GPS.GPSLatitudeRef: "S",
            ExifTags.GPS.GPSLatitude: (8.0, 7.0, 30.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (113.0, 13.0, 10.0),
        }
    out = io.BytesIO()
    img.save(out, format=fmt, exif=exif)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def respond_with(officers, files, response: str = "Sudah ditambal."):
    case = f.in_progress(officers)
    result = login(officers["pu"]).post(
        f"/petugas/laporan/{case.number}/aksi/respond/",
        {"response": response, "attachments": files},
    )
    return case, result


# ----------------------------------------------------------------------------- checking


def test_the_sample_photo_really_carries_gps():
    with Image.open(io.BytesIO(photo())) as img:
        assert img.getexif().get_ifd(GPS)
    with Image.open(io.BytesIO(photo("JPEG"))) as img:
        assert img.getexif().get_ifd(GPS)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\nrest", "image/png"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
        (b"GIF89a", None),
        (b"<svg xmlns=", None),
        (b"MZ\x90\x00", None),
    ],
)
def test_type_is_read_from_the_first_bytes(head, expected):
    assert attachments.sniff(head) == expected


def test_validate_upload_ignores_name_and_browser_type():
    # a PNG named .pdf and sent as PDF is a PNG
    assert attachments.validate_upload(upload("x.pdf", photo(), "application/pdf")) == (
        "image/png",
        "png",
    )
    with pytest.raises(ValidationError):
        attachments.validate_upload(upload("foto.jpg", b"just text, not a photo", "image/jpeg"))


def test_webp_is_reencoded_without_metadata():
    img = Image.new("RGB", (20, 20), (0, 90, 0))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "KameraHP"
    img.save(out, format="WEBP", exif=exif)
    prepared = attachments.prepare_upload(upload("a.webp", out.getvalue(), "image/webp"))
    assert prepared.content_type == "image/webp"
    with Image.open(io.BytesIO(prepared.data)) as clean:
        assert clean.format == "WEBP"
        assert not clean.getexif()


def test_an_image_that_does_not_decode_is_refused():
    broken = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    with pytest.raises(ValidationError):
        attachments.prepare_upload(upload("rusak.png", broken))


def test_original_name_is_cleaned():
    assert attachments.clean_name("C:\\Users\\a\\<foto>.jpg") == "foto.jpg"
    long = "a" * 300 + ".jpeg"
    assert len(attachments.clean_name(long)) <= attachments.MAX_NAME
    assert attachments.clean_name(long).endswith(".jpeg")


# ----------------------------------------------------------------------------- through the page


def test_png_with_gps_is_stored_without_exif(officers):
    case, response = respond_with(officers, [upload("lokasi.png", photo())])
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "responded"
    item = Attachment.objects.get(case=case)
    assert item.content_type == "image/png"
    assert item.original_name == "lokasi.png"
    assert item.uploaded_by == officers["pu"]
    assert item.event is not None and item.event.action == "respond"
    assert item.file.name is not None
    assert item.file.name.startswith("attachments/") and "lokasi" not in item.file.name
    with item.file.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "PNG"
        assert not stored.getexif()
        assert not stored.getexif().get_ifd(GPS)
        assert "exif" not in stored.info
        assert stored.size == (40, 30)


def test_jpeg_with_gps_is_stored_without_exif(officers):
    case, response = respond_with(officers, [upload("foto.jpg", photo("JPEG"), "image/jpeg")])
    assert response.status_code == 302
    item = Attachment.objects.get(case=case)
    with item.file.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert "exif" not in stored.info


def test_a_text_file_named_jpg_is_refused(officers):
    fake = upload("foto.jpg", b"Ini bukan foto, hanya teks.", "image/jpeg")
    case, response = respond_with(officers, [fake])
    assert response.status_code == 400
    assert 'id="id_respond_attachments_error"' in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "in_progress"  # nothing was done
    assert not Attachment.objects.exists()


def test_an_oversize_file_is_refused(officers, settings):
    settings.ASPIRASI_ATTACHMENT_MAX_BYTES = 2000
    big = photo(size=(400, 400))
    big_pdf = PDF + b"0" * 3000
    assert len(big_pdf) > 2000
    case, response = respond_with(officers, [upload("besar.pdf", big_pdf, "application/pdf")])
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == "in_progress"
    assert not Attachment.objects.exists()
    with pytest.raises(ValidationError):
        attachments.validate_upload(upload("x.png", big + b"0" * 2000))


def test_more_than_three_files_are_refused(officers):
    files = [upload(f"f{i}.pdf", PDF, "application/pdf") for i in range(4)]
    case, response = respond_with(officers, files)
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == "in_progress"
    assert not Attachment.objects.exists()
    # the service refuses them, whoever calls it
    with pytest.raises(InvalidInput) as refused:
        services.respond_assignment(
            case=case,
            actor=officers["pu"],
            response="Foto terlampir.",
            attachments=[upload(f"f{i}.pdf", PDF, "application/pdf") for i in range(4)],
        )
    assert set(refused.value.detail) == {"attachments"}
    assert Case.objects.get(pk=case.pk).status == "in_progress"


def test_three_files_are_accepted_and_listed_on_the_page(officers):
    files = [
        upload("a.png", photo()),
        upload("b.jpg", photo("JPEG"), "image/jpeg"),
        upload("surat.pdf", PDF, "application/pdf"),
    ]
    case, response = respond_with(officers, files)
    assert response.status_code == 302
    assert Attachment.objects.filter(case=case).count() == 3
    html = login(officers["forum"]).get(f"/petugas/laporan/{case.number}/").content.decode()
    section = html.split('data-testid="attachments"')[1].split("</section>")[0]
    assert "surat.pdf" in section and "a.png" in section
    for item in Attachment.objects.filter(case=case):
        assert f"/petugas/lampiran/{item.pk}/" in section


# ----------------------------------------------------------------------------- download


def test_download_only_in_scope_with_nosniff(officers):
    case, _response = respond_with(
        officers, [upload("a.png", photo()), upload("surat.pdf", PDF, "application/pdf")]
    )
    image = Attachment.objects.get(case=case, content_type="image/png")
    pdf = Attachment.objects.get(case=case, content_type="application/pdf")
    for key in ("forum_other", "kim_other", "dinsos"):
        client = login(officers[key])
        assert client.get(f"/petugas/lampiran/{image.pk}/").status_code == 404, key
        assert client.get(f"/petugas/lampiran/{pdf.pk}/").status_code == 404, key
    assert Client().get(f"/petugas/lampiran/{image.pk}/").status_code == 302  # sign in first

    client = login(officers["forum"])
    response = client.get(f"/petugas/lampiran/{image.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    body = streamed(response)
    assert body.startswith(b"\x89PNG")

    response = client.get(f"/petugas/lampiran/{pdf.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert streamed(response) == PDF

    assert client.get("/petugas/lampiran/999999/").status_code == 404


def test_stored_files_have_no_public_url(officers, settings):
    case, _response = respond_with(officers, [upload("a.png", photo())])
    item = Attachment.objects.get(case=case)
    assert settings.MEDIA_URL not in ("", "/")
    for url in (f"/{settings.MEDIA_URL.strip('/')}/{item.file.name}", f"/{item.file.name}"):
        assert login(officers["supervisor"]).get(url).status_code == 404

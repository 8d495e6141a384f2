"""Photos get small copies when they are stored: 200 and 800 px on the long side, upright,
without metadata, small enough for a weak link; documents get none, and files stored before
thumbnails existed get theirs from ``manage.py make_thumbnails`` or on first request."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import ExifTags, Image

from casework import attachments
from casework.errors import InvalidInput, Unavailable
from casework.models import Attachment, Case
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def phone_photo(size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A phone camera's photo of about 4 MB: sensor-like noise, a red band along the top of
    the stored pixels, EXIF orientation 6 (shown turned 90° clockwise: the band on the
    right) and a GPS position."""
    width, height = size
    noise = Image.effect_noise(size, 25)
    gradient = Image.linear_gradient("L").resize(size)
    img = Image.merge("RGB", (Image.blend(noise, gradient, 0.5), noise, gradient))
    img.paste((255, 0, 0), (0, 0, width, height // 6))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "KameraHP"
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "S",
        ExifTags.GPS.GPSLatitude: (8.0, 7.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (113.0, 13.0, 10.0),
    }
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85, exif=exif)
    return out.getvalue()


def jpeg_upload(data: bytes, name: str = "IMG_20261201.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def opened(name: str | None) -> Image.Image:
    assert name
    with default_storage.open(name, "rb") as handle:
        img = Image.open(io.BytesIO(handle.read()))
        img.load()
    return img


def red(pixel: object) -> bool:
    assert isinstance(pixel, tuple)
    r, g, b = pixel[:3]
    return r > 200 and g < 60 and b < 60


def test_the_sample_is_a_four_megabyte_photo_with_orientation_and_gps():
    data = phone_photo()
    assert 3_500_000 < len(data) <= attachments.max_bytes()
    with Image.open(io.BytesIO(data)) as img:
        exif = img.getexif()
        assert exif[ExifTags.Base.Orientation] == 6
        assert exif.get_ifd(ExifTags.IFD.GPSInfo)


def test_a_phone_photo_gets_small_upright_thumbnails_without_metadata(officers, media):
    case = f.submit(attachments=[jpeg_upload(phone_photo())])
    item = Attachment.objects.get(case=case)
    assert item.is_image
    assert (item.width, item.height) == (3000, 4000)  # upright: orientation 6 applied
    for size, field in ((200, item.thumb_small), (800, item.thumb_large)):
        assert field.name, size
        assert default_storage.size(field.name) < 100_000, size
        thumb = opened(field.name)
        assert thumb.format == "JPEG"
        assert thumb.size == (size * 3 // 4, size)  # portrait, as the camera was held
        # the band along the stored top is on the right once turned upright
        w, h = thumb.size
        assert red(thumb.getpixel((w - 3, h // 2)))
        assert not red(thumb.getpixel((3, h // 2)))
        assert not red(thumb.getpixel((w // 2, 3)))
        exif = thumb.getexif()
        assert len(exif) == 0, dict(exif)
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in thumb.info and "xmp" not in thumb.info
    original = opened(item.file.name)  # what was uploaded is kept, only made safe
    assert original.size == (3000, 4000)
    assert not original.getexif().get_ifd(ExifTags.IFD.GPSInfo)


def test_a_document_gets_no_thumbnail(officers, media):
    case = f.submit(attachments=[SimpleUploadedFile("surat.pdf", PDF, "application/pdf")])
    item = Attachment.objects.get(case=case)
    assert not item.thumb_small and not item.thumb_large
    assert item.width is None and item.height is None


def test_a_png_with_transparency_gets_jpeg_thumbnails(officers, media):
    img = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    img.paste((0, 0, 255, 255), (0, 0, 150, 100))
    out = io.BytesIO()
    img.save(out, format="PNG")
    case = f.submit(attachments=[SimpleUploadedFile("peta.png", out.getvalue(), "image/png")])
    item = Attachment.objects.get(case=case)
    small = opened(item.thumb_small.name)
    assert (small.format, small.mode, small.size) == ("JPEG", "RGB", (200, 67))
    white = small.getpixel((190, 30))
    assert isinstance(white, tuple) and min(white) > 240  # transparent shown on white
    # a photo smaller than a thumbnail is not enlarged
    large = opened(item.thumb_large.name)
    assert large.size == (300, 100)


def test_a_storage_error_on_a_thumbnail_records_nothing(officers, media, monkeypatch):
    saved: list[str] = []
    real_save = default_storage.save

    def failing_save(name, content, max_length=None):
        if saved:  # the original went in; its thumbnail does not
            raise OSError("disk full")
        stored = real_save(name, content, max_length=max_length)
        saved.append(stored)
        return stored

    monkeypatch.setattr(default_storage, "save", failing_save)
    before = Case.objects.count()
    with pytest.raises(Unavailable):
        f.submit(attachments=[jpeg_upload(phone_photo((800, 600)))])
    assert Case.objects.count() == before
    assert not Attachment.objects.exists()
    assert saved and not default_storage.exists(saved[0])  # the stored original removed


def without_thumbnails(item: Attachment) -> Attachment:
    for field in (item.thumb_small, item.thumb_large):
        default_storage.delete(str(field.name))
    Attachment.objects.filter(pk=item.pk).update(thumb_small="", thumb_large="")
    item.refresh_from_db()
    return item


def test_make_thumbnails_fills_in_files_stored_before(officers, media):
    case = f.submit(
        attachments=[
            jpeg_upload(phone_photo((1200, 900))),
            SimpleUploadedFile("surat.pdf", PDF, "application/pdf"),
        ]
    )
    photo = without_thumbnails(Attachment.objects.get(case=case, content_type="image/jpeg"))
    out = io.StringIO()
    call_command("make_thumbnails", stdout=out)
    photo.refresh_from_db()
    assert photo.thumb_small.name and photo.thumb_large.name
    assert opened(photo.thumb_small.name).size == (150, 200)
    assert (photo.width, photo.height) == (900, 1200)
    assert "1" in out.getvalue()
    pdf = Attachment.objects.get(case=case, content_type="application/pdf")
    assert not pdf.thumb_small
    # a second run has nothing left to do
    call_command("make_thumbnails", stdout=io.StringIO())
    photo.refresh_from_db()
    assert opened(photo.thumb_small.name).size == (150, 200)


def test_thumbnails_of_a_stored_file_that_does_not_decode_are_refused(officers, media):
    case = f.submit(attachments=[jpeg_upload(phone_photo((400, 300)))])
    item = without_thumbnails(Attachment.objects.get(case=case))
    with default_storage.open(str(item.file.name), "wb") as handle:
        handle.write(b"\xff\xd8\xff" + b"\0" * 100)
    out, err = io.StringIO(), io.StringIO()
    call_command("make_thumbnails", stdout=out, stderr=err)
    item.refresh_from_db()
    assert not item.thumb_small
    assert str(item.pk) in err.getvalue()


def test_the_service_refuses_a_decompression_bomb(officers, media):
    img = Image.new("L", (9000, 5000))  # 45 megapixels in a few kilobytes
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    assert len(out.getvalue()) < attachments.max_bytes()
    with pytest.raises(InvalidInput):
        f.submit(attachments=[SimpleUploadedFile("bom.png", out.getvalue(), "image/png")])
    assert not Attachment.objects.exists()

"""Pages show photos by their thumbnails (``?size=200``/``?size=800`` with ``srcset``), never
the original inline; files are answered with private caching and validators, and the reader's
scope is checked on every request, a revalidation (304) included."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from casework import services
from casework.models import Attachment
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def jpeg(size: tuple[int, int] = (1600, 1200)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.effect_noise(size, 30).convert("RGB").save(out, format="JPEG", quality=90)
    return SimpleUploadedFile("foto-jalan.jpg", out.getvalue(), content_type="image/jpeg")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def case(officers):
    return f.submit(attachments=[jpeg(), SimpleUploadedFile("surat.pdf", PDF, "application/pdf")])


def photo_of(case) -> Attachment:
    return Attachment.objects.get(case=case, content_type="image/jpeg")


def test_the_case_page_shows_thumbnails_with_srcset_not_the_original(officers, case):
    item = photo_of(case)
    html = login(officers["forum"]).get(f"/petugas/laporan/{case.number}/").content.decode()
    original = f"/petugas/lampiran/{item.pk}/"
    images = re.findall(r"<img [^>]*>", html)
    shown = [img for img in images if original in img]
    assert shown, images
    for img in shown:
        assert f'src="{original}?size=200"' in img
        assert f"{original}?size=800 800w" in img and "srcset=" in img
        assert f'src="{original}"' not in img
    assert f'href="{original}"' in html  # the original stays one tap away


def test_the_tracking_page_shows_thumbnails_with_srcset(officers, case):
    item = photo_of(case)
    html = Client().get(f"/lacak/{case.tracking_code}/").content.decode()
    original = f"/lacak/{case.tracking_code}/lampiran/{item.pk}/"
    images = [img for img in re.findall(r"<img [^>]*>", html) if original in img]
    assert images
    for img in images:
        assert f'src="{original}?size=200"' in img and "srcset=" in img
        assert f"{original}?size=800 800w" in img
    pdf = Attachment.objects.get(case=case, content_type="application/pdf")
    assert f"lampiran/{pdf.pk}/?size" not in html  # documents have no thumbnail


@pytest.mark.parametrize("size", ["", "200", "800"])
def test_officers_files_are_privately_cached_and_revalidated(officers, case, size):
    item = photo_of(case)
    url = f"/petugas/lampiran/{item.pk}/" + (f"?size={size}" if size else "")
    client = login(officers["forum"])
    response = client.get(url)
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "max-age=" in cache_control
    assert "no-store" not in cache_control and "no-cache" not in cache_control
    max_age = re.search(r"max-age=(\d+)", cache_control)
    assert max_age is not None and int(max_age.group(1)) >= 86400
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    data = body(response)
    with Image.open(io.BytesIO(data)) as img:
        assert max(img.size) == (int(size) if size else 1600)
    assert len(data) < (100_000 if size else 10_000_000)
    assert response["X-Content-Type-Options"] == "nosniff"

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert "private" in again["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_thumbnail_and_original_have_different_validators(officers, case):
    item = photo_of(case)
    client = login(officers["forum"])
    tags = {
        client.get(f"/petugas/lampiran/{item.pk}/{query}")["ETag"]
        for query in ("", "?size=200", "?size=800")
    }
    assert len(tags) == 3


def test_out_of_scope_officers_get_nothing_even_with_a_validator(officers, case):
    item = photo_of(case)
    url = f"/petugas/lampiran/{item.pk}/"
    etag = login(officers["forum"]).get(url + "?size=200")["ETag"]
    for key in ("forum_other", "kim_other", "dinsos"):
        client = login(officers[key])
        for query in ("", "?size=200", "?size=800"):
            assert client.get(url + query).status_code == 404, (key, query)
            assert client.get(url + query, HTTP_IF_NONE_MATCH=etag).status_code == 404
            assert client.get(url + query, HTTP_IF_NONE_MATCH="*").status_code == 404
    anonymous = Client().get(url + "?size=200", HTTP_IF_NONE_MATCH=etag)
    assert anonymous.status_code == 302  # sign in first


def test_a_document_or_an_unknown_size_has_no_thumbnail(officers, case):
    pdf = Attachment.objects.get(case=case, content_type="application/pdf")
    item = photo_of(case)
    client = login(officers["forum"])
    assert client.get(f"/petugas/lampiran/{pdf.pk}/?size=200").status_code == 404
    assert client.get(f"/petugas/lampiran/{item.pk}/?size=1600").status_code == 404
    response = client.get(f"/petugas/lampiran/{pdf.pk}/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and response["ETag"]


def test_the_tracking_code_holder_gets_cached_files_and_others_nothing(officers, case):
    item = photo_of(case)
    url = f"/lacak/{case.tracking_code}/lampiran/{item.pk}/"
    client = Client()
    response = client.get(url + "?size=800")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]
    etag = response["ETag"]
    assert client.get(url + "?size=800", HTTP_IF_NONE_MATCH=etag).status_code == 304
    other = f.submit()
    for wrong in (
        f"/lacak/{other.tracking_code}/lampiran/{item.pk}/?size=800",
        f"/lacak/ZZZZZZZZZZZZ/lampiran/{item.pk}/?size=800",
        f"/lacak/{case.number}/lampiran/{item.pk}/?size=800",
    ):
        assert client.get(wrong, HTTP_IF_NONE_MATCH=etag).status_code == 404, wrong
        assert client.get(wrong).status_code == 404, wrong


def test_a_missing_thumbnail_is_made_on_first_request(officers, case):
    item = photo_of(case)
    for field in (item.thumb_small, item.thumb_large):
        default_storage.delete(str(field.name))
    Attachment.objects.filter(pk=item.pk).update(thumb_small="", thumb_large="")
    client = login(officers["forum"])
    response = client.get(f"/petugas/lampiran/{item.pk}/?size=200")
    assert response.status_code == 200
    with Image.open(io.BytesIO(body(response))) as img:
        assert img.size == (200, 150)
    item.refresh_from_db()
    assert item.thumb_small.name and item.thumb_large.name


def test_a_stored_image_that_no_longer_decodes_answers_a_clear_refusal(officers, case):
    item = photo_of(case)
    Attachment.objects.filter(pk=item.pk).update(thumb_small="", thumb_large="")
    with default_storage.open(str(item.file.name), "wb") as handle:
        handle.write(b"\xff\xd8\xff" + b"\0" * 50)
    response = login(officers["forum"]).get(f"/petugas/lampiran/{item.pk}/?size=200")
    assert response.status_code == 404


def test_the_opd_answer_photo_gets_thumbnails(officers):
    case = f.in_progress(officers)
    services.respond_assignment(
        case=case, actor=officers["pu"], response="Sudah ditambal.", attachments=[jpeg()]
    )
    item = photo_of(case)
    assert item.thumb_small.name and item.thumb_large.name

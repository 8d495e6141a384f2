"""Photos made small before they travel: the forms scale a large photo in the browser (at most
1600 px on the long side, upright) before it is sent, and the pages show photos by their
small copies, never the original inline."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from PIL import ExifTags, Image
from playwright.sync_api import expect

from casework import services
from casework.models import Attachment, Case
from tests import factories as f
from tests.conftest import DESA, KECAMATAN, ensure_reference

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def camera_photo(path: Path, size: tuple[int, int] = (3200, 2400)) -> Path:
    """A camera's landscape-stored photo held upright (EXIF orientation 6), red along the
    stored top: upright, the red is on the right."""
    width, height = size
    img = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize(size),
            Image.effect_noise(size, 20),
            Image.linear_gradient("L").rotate(90).resize(size),
        ),
    )
    img.paste((255, 0, 0), (0, 0, width, height // 6))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    img.save(path, format="JPEG", quality=90, exif=exif)
    return path


def stored_image(item: Attachment) -> Image.Image:
    with default_storage.open(str(item.file.name), "rb") as handle:
        img = Image.open(io.BytesIO(handle.read()))
        img.load()
    return img


def fill_submission(page: Any, picture: Path) -> None:
    page.goto("/aspirasi/baru/")
    page.select_option("#id_category", "infrastruktur")
    page.fill("#id_title", "Saluran irigasi jebol")
    page.fill("#id_description", "Saluran irigasi di sawah Dusun Krajan jebol sejak kemarin.")
    page.select_option("#id_desa", DESA)
    page.set_input_files("#id_attachments", str(picture))
    page.fill("#id_reporter_name", "Warga Krajan")
    page.fill("#id_reporter_phone", "0812 3456 7890")
    page.check("input[name=notify_channel][value=sms]")
    page.check("#id_contact_consent")


def test_the_public_form_scales_a_large_photo_before_sending(new_page, shot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "p"}
    }
    ensure_reference()
    picture = camera_photo(tmp_path / "IMG_0001.jpg")
    original_bytes = picture.stat().st_size

    page = new_page(viewport=PHONE)
    uploads: list[int] = []
    page.on(
        "request",
        lambda request: (
            uploads.append(len(request.post_data_buffer or b""))
            if request.method == "POST"
            else None
        ),
    )
    fill_submission(page, picture)
    # the field now holds the scaled photo (done as soon as it was picked)
    expect(page.locator("#id_attachments")).to_have_attribute("data-photo-max", "1600")
    page.wait_for_function(
        "(n) => { const f = document.querySelector('#id_attachments').files[0];"
        " return f && f.type === 'image/jpeg' && f.size < n; }",
        arg=original_bytes,
    )
    page.locator("[data-testid=send]").click()
    expect(page).to_have_url(re.compile(r"/aspirasi/terkirim/[0-9A-Z]{12}/$"))
    assert uploads and max(uploads) < original_bytes  # the form sent less than the photo

    case = Case.objects.get(title="Saluran irigasi jebol")
    item = Attachment.objects.get(case=case)
    stored = stored_image(item)
    assert max(stored.size) <= 1600
    assert stored.size == (1200, 1600)  # upright, as the camera was held
    pixel = stored.getpixel((1195, 800))
    assert isinstance(pixel, tuple)
    assert (
        pixel[0] > 200 and pixel[1] < 80 and pixel[2] < 80
    )  # the red the camera stored on top is on the right

    # the tracking page shows the photo by its small copy
    page.goto(f"/lacak/{case.tracking_code}/")
    thumb = page.locator("[data-testid=files] img").first
    thumb.scroll_into_view_if_needed()
    expect(thumb).to_have_attribute("src", re.compile(r"\?size=200$"))
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=files] img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert "size=" in page.evaluate("document.querySelector('[data-testid=files] img').currentSrc")
    shot(page, "photos-tracking-360.png")


def test_a_small_photo_and_a_document_are_sent_as_they_are(new_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "q"}
    }
    ensure_reference()
    small = tmp_path / "kecil.png"
    Image.new("RGB", (640, 480), (10, 120, 10)).save(small)
    page = new_page(viewport=PHONE)
    fill_submission(page, small)
    page.locator("[data-testid=send]").click()
    expect(page).to_have_url(re.compile(r"/aspirasi/terkirim/[0-9A-Z]{12}/$"))
    item = Attachment.objects.get(case__title="Saluran irigasi jebol")
    assert item.content_type == "image/png"
    assert stored_image(item).size == (640, 480)


def test_the_opd_answer_form_scales_a_large_photo(new_page, shot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_reference()
    officers = {
        "kim": f.make_officer("kim_operator", DESA, "kim"),
        "forum": f.make_officer("forum_officer", KECAMATAN, "forum"),
        "pu": f.make_officer("opd_officer", "dputr", "pu"),
        "supervisor": f.make_officer("supervisor", "35.08", "supervisor"),
    }
    case = f.in_progress(officers)
    picture = camera_photo(tmp_path / "sesudah.jpg", (2400, 1800))

    page = new_page(viewport=PHONE)
    page.goto("/petugas/")
    page.fill("#id_username", "pu")
    page.fill("#id_password", f.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"/petugas/laporan/{case.number}/")
    page.locator("#act-respond > summary").click()
    form = page.locator("#act-respond form")
    form.locator("textarea[name=response]").fill("Saluran sudah diperbaiki.")
    form.locator("input[type=file][name=attachments]").set_input_files(str(picture))
    page.wait_for_function(
        "(n) => { const f = document.querySelector('#act-respond input[type=file]').files[0];"
        " return f && f.size < n; }",
        arg=picture.stat().st_size,
    )
    form.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Tindak lanjut dicatat.")
    page.goto(f"/petugas/laporan/{case.number}/")
    expect(page.locator("[data-testid=attachments] img")).to_have_count(1)
    item = Attachment.objects.get(case=case)
    assert stored_image(item).size == (1200, 1600)
    # the page shows the small copy, never the original inline
    src = page.locator("[data-testid=attachments] img").get_attribute("src") or ""
    assert src.endswith("?size=200"), src
    page.locator("[data-testid=attachments]").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=attachments] img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    shot(page, "photos-case-360.png")
    assert services.ensure_thumbnails(item)

"""The tracking page of a confidential (rahasia) case on a phone (360 × 740): the reporter, who
holds the code, reads the answer they are asked to confirm, with the answering agency's name,
their own description, place and photo, and the agency's photo; the case number typed into
*Lacak* explains where the code is and offers to send the link again. With
``ASPIRASI_SCREENSHOTS`` set, the confirmation stage is saved as
``item01-rahasia-tracking-after.png``."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from casework import services
from casework.models import Notification
from tests import factories as f
from tests.conftest import DESA, KECAMATAN, ensure_reference

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png(name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def fits_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways at 360 px ({width} px wide)"


@pytest.fixture
def isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "citizen-tracking",
        }
    }
    ensure_reference()


def test_a_rahasia_case_shows_its_reporter_the_answer_to_confirm(isolated, new_page, shot):
    kim = f.make_officer("kim_operator", DESA, "kim")
    forum = f.make_officer("forum_officer", KECAMATAN, "forum")
    pu = f.make_officer("opd_officer", "dputr", "pu")
    case = f.submit(
        confidentiality="rahasia",
        title="Tanggul sungai retak di belakang balai desa",
        description="Tanggul sungai di belakang balai desa retak sepanjang lima meter.",
        address="Dusun Krajan RT 02",
        latitude=Decimal("-8.123456"),
        longitude=Decimal("113.223344"),
        attachments=[png("tanggul-retak.png", (150, 110, 70))],
    )
    case = services.verify_case(case=case, actor=kim)
    case = services.dispatch_case(case=case, actor=forum, opds=["dputr"])
    case = services.accept_assignment(case=case, actor=pu)
    case = services.respond_assignment(
        case=case,
        actor=pu,
        response="Tanggul sudah diperbaiki dengan bronjong batu pada 3 Desember.",
        attachments=[png("sesudah-perbaikan.png", (60, 120, 60))],
    )

    page = new_page(viewport=PHONE)
    page.goto(f"/lacak/{case.tracking_code}/")
    expect(page.locator("[data-testid=rahasia]")).to_be_visible()
    answers = page.locator("[data-testid=answers]")
    expect(answers).to_contain_text("Dinas Pekerjaan Umum dan Tata Ruang")
    expect(answers).to_contain_text("bronjong batu")
    expect(answers.locator("[data-testid=file]")).to_have_count(1)
    expect(page.locator("form[data-action=confirm]")).to_be_visible()
    sent = page.locator("[data-testid=sent]")
    expect(sent).to_contain_text("retak sepanjang lima meter")
    expect(sent).to_contain_text("Dusun Krajan RT 02")
    expect(sent.locator("[data-testid=map]")).to_have_count(1)
    expect(page.locator("[data-testid=timeline] li[data-action=accept]")).to_contain_text(
        "Dinas Pekerjaan Umum dan Tata Ruang"
    )
    expect(page.locator("main")).not_to_contain_text("Siti Aminah")
    fits_phone(page)
    page.locator("[data-testid=answers]").scroll_into_view_if_needed()
    shot(page, "item01-rahasia-tracking-after.png")

    # the reply photo opens with the code
    href = answers.locator("[data-testid=file]").get_attribute("href")
    photo = page.request.get(href)
    assert photo.status == 200 and photo.headers["content-type"] == "image/png"

    # the reporter confirms the answer they read
    confirm = page.locator("form[data-action=confirm]")
    confirm.locator("input[name=rating][value='4']").check()
    confirm.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=status]")).to_have_text("Selesai")

    # the public never sees it
    page.goto("/transparansi/")
    expect(page.locator("main")).not_to_contain_text(case.number)
    expect(page.locator("main")).not_to_contain_text("bronjong batu")


def test_a_case_number_in_lacak_offers_the_link_again(isolated, new_page, shot, resend_worker):
    case = f.submit(notify_channel="sms")
    page = new_page(viewport=PHONE)
    page.goto("/lacak/")
    page.fill("#id_kode", case.number)
    page.locator("[data-testid=track-form] button[type=submit]").click()
    expect(page.locator("[data-testid=number-given]")).to_contain_text("bukan kode lacak")
    resend = page.locator("[data-testid=resend-form]")
    expect(resend.locator("#id_number")).to_have_value(case.number)
    fits_phone(page)
    shot(page, "public-track-number-360.png")
    resend.locator("#id_contact").fill("0812 3456 7890")
    resend.locator("button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_contain_text("tautan lacak")
    assert Notification.objects.filter(case=case, template="tracking_link").count() == 1

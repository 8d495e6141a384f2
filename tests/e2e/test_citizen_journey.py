"""The citizen's pages in a real browser on a phone-sized screen (360 × 740), against a live
server.

One journey without an account: a citizen opens the home page, submits an aspiration with a
photo (picking the kecamatan, then the desa), notes the tracking code, tracks it by typing
the code in lower case with dashes, and, once the officers have answered (driven here
through the services: verify, dispatch, accept, respond), confirms the answer with a
rating. No page scrolls sideways at 360 px. With ``ASPIRASI_SCREENSHOTS`` set, the pages are
saved as PNG for the documentation (``make screenshots``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from casework import services
from casework.models import Case
from tests import factories as f
from tests.conftest import DESA, KECAMATAN, ensure_reference

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = re.compile(r"^[A-Z]+-\d{4}-\d{5}$")
TITLE = "Jembatan bambu Dusun Krajan patah"


def html_lang(page: Any) -> str:
    return page.evaluate("document.documentElement.lang")


def assert_fits_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways at 360 px ({width} px wide)"
    # nor does a table in its own scrolling box
    wide = page.evaluate(
        "[...document.querySelectorAll('main .scroll')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText.slice(0, 40))"
    )
    assert not wide, f"{page.url}: tables scroll sideways at 360 px: {wide}"


def test_citizen_journey(new_page, shot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # the journey's own rate-limit counters, whatever earlier runs left in the shared cache
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "citizen-journey",
        }
    }
    ensure_reference()
    kim = f.make_officer("kim_operator", DESA, "kim")
    forum = f.make_officer("forum_officer", KECAMATAN, "forum")
    pu = f.make_officer("opd_officer", "dputr", "pu")

    # --- a. the home page ----------------------------------------------------------------
    page = new_page(viewport=PHONE)
    page.goto("/")
    assert html_lang(page) == "id"
    expect(page.locator("[data-testid=go-submit]")).to_be_visible()
    expect(page.locator("[data-testid=go-track]")).to_be_visible()
    assert_fits_phone(page)
    shot(page, "public-home-360.png")

    # --- b. the aspiration form ----------------------------------------------------------
    page.locator("[data-testid=go-submit]").click()
    expect(page).to_have_url(re.compile(r"/aspirasi/baru/$"))
    page.select_option("#id_category", "infrastruktur")
    page.fill("#id_title", TITLE)
    page.fill(
        "#id_description",
        "Jembatan bambu penghubung Dusun Krajan dan sawah patah sejak banjir, "
        "anak-anak sekolah harus memutar jauh.",
    )
    # with JavaScript the kecamatan narrows the desa list; without it, one grouped list
    kecamatan = page.locator("#kecamatan-filter")
    expect(kecamatan).to_be_visible()
    kecamatan.select_option(label="Tempursari")
    desa_options = page.locator("#id_desa option")
    expect(desa_options).to_have_count(1 + 7)
    page.select_option("#id_desa", DESA)
    page.fill("#id_address", "Dusun Krajan RT 01")
    picture = tmp_path / "jembatan.png"
    Image.new("RGB", (64, 48), (120, 80, 40)).save(picture)
    page.set_input_files("#id_attachments", str(picture))
    page.check("input[name=confidentiality][value=anonim]")
    page.fill("#id_reporter_name", "Warga Krajan")
    page.fill("#id_reporter_phone", "0812 3456 7890")
    page.check("input[name=notify_channel][value=sms]")
    page.check("#id_contact_consent")
    # the honeypot is out of sight
    expect(page.locator("#id_website")).not_to_be_in_viewport()
    assert_fits_phone(page)
    shot(page, "public-submit-360.png")
    page.locator("[data-testid=send]").click()

    # --- c. the confirmation with the tracking code --------------------------------------
    expect(page).to_have_url(re.compile(r"/aspirasi/terkirim/[0-9A-Z]{12}/$"))
    number = page.locator("[data-testid=number]").inner_text().strip()
    code = page.locator("[data-testid=tracking-code]").inner_text().strip()
    assert NUMBER.match(number), number
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code), code
    case = Case.objects.get(number=number)
    assert case.channel == "web"
    assert case.confidentiality == "anonim"
    assert case.notify_channel == "sms" and case.contact_consent
    assert case.attachments.count() == 1
    assert services.format_tracking_code(case.tracking_code) == code
    expect(page.locator("main")).not_to_contain_text("Warga Krajan")
    assert_fits_phone(page)
    shot(page, "public-submitted-360.png")

    # --- d. tracking by the code, typed the way people type it ----------------------------
    page = new_page(viewport=PHONE)  # another phone, another day
    page.goto("/")
    page.locator("nav.main a[href='/lacak/']").click()
    expect(page).to_have_url(re.compile(r"/lacak/$"))
    page.fill("#id_kode", code.lower())
    page.locator("[data-testid=track-form] button[type=submit]").click()
    expect(page.locator("[data-testid=number]")).to_have_text(number)
    expect(page.locator("[data-testid=status]")).to_have_text("Diterima")
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("[data-testid=holders]")).to_contain_text("KIM Desa Tegalrejo")
    expect(page.locator("main")).not_to_contain_text("Warga Krajan")
    expect(page.locator("[data-testid=actions]")).to_have_count(0)
    assert_fits_phone(page)
    shot(page, "public-track-360.png")

    # --- e. the officers answer (through the services) ------------------------------------
    case = services.verify_case(case=case, actor=kim)
    case = services.dispatch_case(case=case, actor=forum, opds=["dputr"])
    case = services.accept_assignment(case=case, actor=pu)
    case = services.respond_assignment(
        case=case, actor=pu, response="Jembatan sudah diganti dengan papan kayu ulin."
    )
    assert case.status == "responded"

    # --- f. the citizen confirms with a rating --------------------------------------------
    page.reload()
    expect(page.locator("[data-testid=status]")).to_have_text("Menunggu konfirmasi warga")
    expect(page.locator("[data-testid=answers]")).to_contain_text("papan kayu ulin")
    expect(page.locator("[data-testid=answers]")).to_contain_text("Dinas Pekerjaan Umum")
    confirm = page.locator("form[data-action=confirm]")
    confirm.locator("input[name=rating][value='5']").check()
    confirm.locator("textarea[name=comment]").fill("Terima kasih, cepat sekali.")
    assert_fits_phone(page)
    confirm.locator("button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_have_count(1)
    expect(page.locator("[data-testid=status]")).to_have_text("Selesai")
    expect(page.locator("[data-testid=actions]")).to_have_count(0)
    case.refresh_from_db()
    assert (case.status, case.rating) == ("closed", 5)
    assert case.rating_comment == "Terima kasih, cepat sekali."

    # --- g. the answer is public, without the reporter ------------------------------------
    page.locator("nav.main a[href='/transparansi/']").click()
    listing = page.locator("[data-testid=answered-list]")
    expect(listing).to_contain_text(TITLE)
    expect(listing).to_contain_text("papan kayu ulin")
    expect(page.locator("main")).not_to_contain_text("Warga Krajan")
    expect(page.locator("[data-testid=total-received]")).to_have_text("1")
    assert_fits_phone(page)
    shot(page, "transparency-360.png")

    # the language switch: one tap, no menu
    page.locator("[data-testid=language] button[value=en]").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    expect(page).to_have_url(re.compile(r"/transparansi/$"))
    expect(page.locator("h1")).to_have_text("Transparency")
    assert_fits_phone(page)


def test_the_forms_work_without_javascript(browser, live_server, settings):
    """The aspiration form on a browser with scripts off: one grouped desa list."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "citizen-no-js",
        }
    }
    ensure_reference()
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="id-ID", java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/aspirasi/baru/")
        expect(page.locator("#kecamatan-filter")).to_be_hidden()
        expect(page.locator("#locate")).to_be_hidden()
        page.select_option("#id_category", "kesehatan")
        page.fill("#id_title", "Posyandu butuh timbangan baru")
        page.fill("#id_description", "Timbangan bayi di posyandu rusak.")
        page.select_option("#id_desa", DESA)
        assert_fits_phone(page)
        page.locator("[data-testid=send]").click()
        expect(page).to_have_url(re.compile(r"/aspirasi/terkirim/[0-9A-Z]{12}/$"))
        number = page.locator("[data-testid=number]").inner_text().strip()
        case = Case.objects.get(number=number)
        assert case.desa_id == DESA and case.notify_channel == ""
        # the language switch is a plain form button
        page.locator("[data-testid=language] button[value=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    finally:
        context.close()

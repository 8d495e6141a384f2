"""Forms and the KIM operator's and forum officer's pages on a 360-px phone, in a real
browser: a refused form keeps its photo and sends the focus to a summary whose entries lead
to their fields; the operator's location button, their intake verified by its recording, the
receipt's tracking code on one line, every tab of the main menu on screen; the queue's first
card within reach, claimed and opened in one click.

With ``ASPIRASI_SCREENSHOTS`` set, the refused public form is saved as
``item05-form-error-after.png`` (360 px wide, clipped to the summary and the file field)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from casework.models import Attachment, Case, CaseTask, Stage
from tests import factories as f
from tests.conftest import DESA, KECAMATAN, ensure_reference

from .conftest import PHONE, SCREENSHOTS
from .test_officer_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def one_line(page: Any, selector: str) -> None:
    """The element's text takes one line and does not overflow its box."""
    box = page.evaluate(
        """(sel) => { const e = document.querySelector(sel); const s = getComputedStyle(e);
        const line = parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.5;
        return {h: e.getBoundingClientRect().height, line: line,
                sw: e.scrollWidth, cw: e.clientWidth}; }""",
        selector,
    )
    assert box["h"] < box["line"] * 1.5, f"{selector} takes more than one line: {box}"
    assert box["sw"] <= box["cw"] + 1, f"{selector} overflows its box: {box}"


def fits_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways at 360 px ({width} px)"


def tabs_on_screen(page: Any) -> None:
    """Every link of the main menu lies within the viewport, none cut off."""
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('nav.main a')].map(a => {
            const r = a.getBoundingClientRect();
            return {text: a.textContent.trim(), left: r.left, right: r.right}; })"""
    )
    assert boxes
    for box in boxes:
        assert box["left"] >= 0 and box["right"] <= PHONE["width"], f"tab cut off: {box}"


def save_clip(page: Any, name: str, top_selector: str, bottom_selector: str) -> None:
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    top = page.locator(top_selector).bounding_box()
    bottom = page.locator(bottom_selector).bounding_box()
    assert top and bottom
    scroll = page.evaluate("window.scrollY")
    y = max(0, top["y"] + scroll - 8)
    height = bottom["y"] + scroll + bottom["height"] + 8 - y
    page.screenshot(
        path=str(folder / name),
        full_page=True,
        clip={"x": 0, "y": y, "width": PHONE["width"], "height": height},
        animations="disabled",
        caret="hide",
    )


# ----------------------------------------------------------------------------- item: forms


def test_a_refused_public_form_keeps_the_photo_and_leads_to_the_field(new_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_reference()
    page = new_page(viewport=PHONE)
    page.goto("/aspirasi/baru/")
    page.select_option("#id_category", "infrastruktur")
    page.fill("#id_title", "Jembatan bambu di Dusun Krajan rusak")
    page.fill("#id_description", "Jembatan bambu penghubung dusun patah sejak banjir.")
    page.select_option("#id_desa", DESA)
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "jembatan.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}],
    )
    # a phone number without consent: refused by the service
    page.fill("#id_reporter_phone", "0812 3456 7890")
    page.locator("[data-testid=send]").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page.locator("[data-testid=held-files]")).to_contain_text("jembatan.jpg")
    expect(page.locator("input[name=held_keep]")).to_be_checked()
    fits_phone(page)
    link = summary.locator("a[href='#id_contact_consent']")
    expect(link).to_have_count(1)
    save_clip(page, "item05-form-error-after.png", "#error-summary", "#id_attachments")
    link.click()
    expect(page.locator("#id_contact_consent")).to_be_focused()

    page.check("#id_contact_consent")
    page.locator("[data-testid=send]").click()
    expect(page).to_have_url(re.compile(r"/aspirasi/terkirim/"))
    one_line(page, "[data-testid=tracking-code]")
    fits_phone(page)
    case = Case.objects.get()
    assert list(Attachment.objects.filter(case=case).values_list("original_name", flat=True)) == [
        "jembatan.jpg"
    ]


# ----------------------------------------------------------------------------- the KIM operator


def test_the_operator_and_the_forum_at_phone_width(new_page, shot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_reference()
    people = {
        "kim": f.make_officer("kim_operator", DESA, "kim"),
        "forum": f.make_officer("forum_officer", KECAMATAN, "forum"),
    }
    for title in ("Lampu jalan mati di Dusun Krajan", "Saluran air tersumbat dekat pasar"):
        f.forwarded(people, title=title)  # the forum's queue is not empty

    page = new_page(
        viewport=PHONE,
        permissions=["geolocation"],
        geolocation={"latitude": -8.1234567, "longitude": 113.2345678},
    )
    sign_in(page, "kim", "/petugas/catat/")
    shot(page, "intake-360.png")
    tabs_on_screen(page)
    fits_phone(page)
    page.select_option("#id_category", "infrastruktur")
    page.fill("#id_title", "Jalan desa berlubang dekat balai desa")
    page.fill("#id_description", "Lubang besar di jalan desa depan balai desa.")
    page.select_option("#id_received_via", "meeting")
    page.locator("#locate").click()
    expect(page.locator("#id_latitude")).to_have_value("-8.123457")
    expect(page.locator("#id_longitude")).to_have_value("113.234568")
    page.fill("#id_reporter_phone", "0812 3456 7890")
    page.check("input[name=notify_channel][value=whatsapp]")
    page.check("#id_contact_consent")
    page.locator("form.intake button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/petugas/catat/[^/]+/selesai/$"))
    shot(page, "intake-receipt-360.png")
    one_line(page, "[data-testid=tracking-code]")
    fits_phone(page)
    number = page.locator("[data-testid=number]").inner_text().strip()
    case = Case.objects.get(number=number)
    assert case.status == "forwarded"  # verified by its recording
    assert (case.received_via, case.notify_channel) == ("meeting", "whatsapp")

    forum = new_page(viewport=PHONE)
    sign_in(forum, "forum", "/petugas/tugas/?tab=queue")
    shot(forum, "tasks-queue-phone-360.png")
    tabs_on_screen(forum)
    fits_phone(forum)
    first = forum.locator("tr[data-testid=task-row]").first
    top = first.bounding_box()
    assert top is not None and top["y"] < 300, f"the first card starts {top} px down"
    row = forum.locator("tr[data-testid=task-row]", has_text=number)
    row.get_by_role("button", name="Ambil dan buka").click()
    expect(forum).to_have_url(re.compile(rf"/petugas/laporan/{number}/$"))
    expect(forum.locator("[data-testid=status]")).to_have_text("Ditelaah")
    assert CaseTask.objects.get(case=case, stage=Stage.TRIAGE).owner.username == "forum"

"""Without signal, in a real browser: the public form, the KIM intake page and a tracking page
already seen load offline after one visit; a submission made offline waits on the device
("waiting for signal: 1") and is sent by itself, once, when the connection returns, also
after the page was closed; a half-typed form comes back after a reload; signing out drops the
officers' kept page.

With ``ASPIRASI_SCREENSHOTS`` set, the public form with its waiting submission is saved as
``offline-queue-after.png`` (360 px wide)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from casework.models import Case
from tests import factories as f
from tests.conftest import DESA, KECAMATAN, ensure_reference

from .conftest import PHONE, SCREENSHOTS
from .test_officer_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEPT = """async ([name, path]) => {
    if (!navigator.serviceWorker.controller) { return false; }
    const cache = await caches.open(name);
    return !!(await cache.match(new URL(path, location.href).href, {ignoreVary: true}));
}"""


DIAG = """async () => { const out = {controller: !!navigator.serviceWorker.controller, keys: await caches.keys()};
          for (const k of out.keys) { const c = await caches.open(k); out[k] = (await c.keys()).map(r => r.url).filter(u => !u.includes('static')); } return JSON.stringify(out); }"""


def eventually(page: Any, script: str, arg: Any = None, seconds: float = 15) -> None:
    """Wait until ``script`` (which may answer with a promise) answers true in the page."""
    for _ in range(int(seconds * 5)):
        if page.evaluate(script, arg):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"never true: {script} {page.url} {page.evaluate(DIAG)}")


def in_charge(page: Any, cache: str, path: str) -> None:
    """Wait until the service worker runs the page and keeps ``path`` in ``cache``."""
    eventually(page, KEPT, [cache, path])


def fill_public_form(page: Any, title: str) -> None:
    page.select_option("#id_category", "infrastruktur")
    page.fill("#id_title", title)
    page.fill("#id_description", "Jembatan bambu penghubung dusun patah sejak banjir.")
    page.select_option("#id_desa", DESA)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 40)).save(out, "JPEG")
    return out.getvalue()


def waiting(page: Any) -> Any:
    return page.locator("[data-testid=offline-waiting]")


def test_the_public_form_loads_offline_and_keeps_the_draft(new_page, shot):
    ensure_reference()
    page = new_page(viewport=PHONE)
    page.goto("/aspirasi/baru/")
    in_charge(page, "aspirasi-pages", "/aspirasi/baru/")
    page.fill("#id_title", "Lampu jalan mati di Dusun Krajan")
    page.fill("#id_description", "Sudah seminggu gelap.")
    page.wait_for_timeout(600)  # the draft is written a moment after the last key

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_have_text("Sampaikan aspirasi")
    expect(page.locator("#id_title")).to_have_value("Lampu jalan mati di Dusun Krajan")
    expect(page.locator("#id_description")).to_have_value("Sudah seminggu gelap.")
    expect(page.locator("[data-testid=offline-draft]")).to_contain_text("Draf dipulihkan")
    expect(page.locator("[data-testid=offline-draft]")).to_contain_text("WIB")
    shot(page, "offline-draft-360.png")

    page.locator("[data-testid=offline-discard]").click()
    expect(page.locator("#id_title")).to_have_value("")
    page.context.set_offline(False)
    page.reload()
    expect(page.locator("#id_title")).to_have_value("")


def test_a_submission_made_offline_is_sent_once_when_the_signal_returns(
    new_page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_reference()
    page = new_page(viewport=PHONE)
    page.goto("/aspirasi/baru/")
    in_charge(page, "aspirasi-pages", "/aspirasi/baru/")

    page.context.set_offline(True)
    page.reload()
    fill_public_form(page, "Jembatan bambu di Dusun Krajan rusak")
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "jembatan.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}],
    )
    page.locator("[data-testid=send]").click()
    expect(waiting(page)).to_contain_text("Menunggu sinyal: 1 aspirasi")
    status = page.locator("[data-testid=offline-status]")
    expect(status).to_have_attribute("role", "status")
    expect(page.locator("#id_title")).to_have_value("")  # ready for the next one
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.locator("h1").scroll_into_view_if_needed()
        page.screenshot(
            path=str(folder / "offline-queue-after.png"),
            clip={"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]},
            animations="disabled",
            caret="hide",
        )
    assert Case.objects.count() == 0

    page.context.set_offline(False)
    expect(page.locator("[data-testid=offline-sent]")).to_be_visible()
    expect(waiting(page)).to_have_count(0)
    page.reload()  # another flush on load sends nothing again
    expect(page.locator("[data-testid=offline-sent]")).to_be_visible()
    case = Case.objects.get()
    assert case.title == "Jembatan bambu di Dusun Krajan rusak"
    assert list(case.attachments.values_list("original_name", flat=True)) == ["jembatan.jpg"]

    page.locator("[data-testid=offline-sent] a").click()
    expect(page).to_have_url(re.compile(r"/aspirasi/terkirim/"))
    expect(page.locator("[data-testid=number]")).to_have_text(case.number)
    page.goto("/aspirasi/baru/")
    expect(page.locator("[data-testid=offline-sent]")).to_have_count(0)
    assert Case.objects.count() == 1


def test_a_submission_made_offline_is_sent_by_the_next_page_after_the_page_was_closed(new_page):
    ensure_reference()
    page = new_page(viewport=PHONE)
    page.goto("/aspirasi/baru/")
    in_charge(page, "aspirasi-pages", "/aspirasi/baru/")
    context = page.context

    context.set_offline(True)
    page.reload()
    fill_public_form(page, "Saluran air tersumbat dekat pasar")
    page.locator("[data-testid=send]").click()
    expect(waiting(page)).to_contain_text("Menunggu sinyal: 1 aspirasi")
    page.close()

    context.set_offline(False)
    again = context.new_page()
    again.goto("/")
    eventually(again, "() => !!navigator.serviceWorker.controller")
    again.goto("/aspirasi/baru/")
    expect(again.locator("[data-testid=offline-sent]")).to_be_visible()
    expect(again.locator("[data-testid=offline-waiting]")).to_have_count(0)
    assert list(Case.objects.values_list("title", flat=True)) == [
        "Saluran air tersumbat dekat pasar"
    ]


def test_the_intake_page_works_offline_for_its_operator_and_is_dropped_at_sign_out(new_page, shot):
    ensure_reference()
    operator = f.make_officer("kim_operator", DESA, "kim")
    page = new_page(viewport=PHONE)
    sign_in(page, "kim", "/petugas/catat/")
    in_charge(page, "aspirasi-officer", "/petugas/catat/")

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_have_text("Catat aspirasi")
    page.select_option("#id_category", "infrastruktur")
    page.fill("#id_title", "Jalan desa berlubang dekat balai desa")
    page.fill("#id_description", "Lubang besar di jalan desa depan balai desa.")
    page.select_option("#id_received_via", "meeting")
    page.locator("form.intake button[type=submit]").click()
    expect(waiting(page)).to_contain_text("Menunggu sinyal: 1 aspirasi")
    shot(page, "offline-intake-queue-360.png")
    assert Case.objects.count() == 0

    page.context.set_offline(False)
    expect(page.locator("[data-testid=offline-sent]")).to_be_visible()
    sent = page.locator("[data-testid=offline-sent] a")
    expect(sent).to_have_attribute("href", re.compile(r"^/petugas/catat/[^/]+/selesai/$"))
    case = Case.objects.get()
    assert (case.title, case.created_by_id, case.status) == (
        "Jalan desa berlubang dekat balai desa",
        operator.pk,
        "forwarded",
    )

    page.locator("form[data-offline-signout] button").click()
    expect(page).to_have_url(re.compile(r"/masuk/"))
    eventually(page, "() => caches.has('aspirasi-officer').then((kept) => !kept)")


def test_a_tracking_page_seen_once_is_shown_offline_with_its_time(new_page, shot):
    ensure_reference()
    people = {
        "kim": f.make_officer("kim_operator", DESA, "kim"),
        "forum": f.make_officer("forum_officer", KECAMATAN, "forum"),
    }
    case = f.forwarded(people, title="Lampu jalan mati di Dusun Krajan")
    path = f"/lacak/{case.tracking_code}/"
    page = new_page(viewport=PHONE)
    page.goto(path)
    in_charge(page, "aspirasi-tracking", path)
    expect(page.locator("[data-testid=offline-copy]")).to_have_count(0)

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("main")).to_contain_text("Lampu jalan mati di Dusun Krajan")
    copy = page.locator("[data-testid=offline-copy]")
    expect(copy).to_contain_text("Salinan tersimpan di perangkat ini")
    expect(copy).to_contain_text("WIB")
    shot(page, "offline-tracking-copy-360.png")

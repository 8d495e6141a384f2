"""A lost reply in a real browser on a phone-sized screen: the form reaches the server, which
records the aspiration, but the answer never reaches the phone; the citizen sends the form
again and lands on the receipt of the first sending, with its tracking code, and the server
holds one case."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from casework import services
from casework.models import Case
from tests.conftest import DESA, ensure_reference

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Lampu jalan Dusun Krajan mati"


def fill_form(page: Any) -> None:
    page.select_option("#id_category", "infrastruktur")
    page.fill("#id_title", TITLE)
    page.fill("#id_description", "Lampu jalan di pertigaan Dusun Krajan mati sejak seminggu.")
    page.select_option("#id_desa", DESA)


def test_a_lost_reply_then_sending_again_shows_the_first_receipt(new_page, shot, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "idempotent-submit",
        }
    }
    ensure_reference()
    page = new_page(viewport=PHONE)
    page.goto("/aspirasi/baru/")
    fill_form(page)
    key = page.locator("input[name=submission_key]").input_value()
    assert key
    lost: list[int] = []

    def lose_the_reply(route: Any) -> None:
        if route.request.method != "POST" or lost:
            route.continue_()
            return
        response = route.fetch(max_redirects=0)  # the server records it ...
        lost.append(response.status)
        route.abort("connectionreset")  # ... and the answer never arrives

    page.route(re.compile(r".*/aspirasi/baru/$"), lose_the_reply)
    page.locator("[data-testid=send]").click()
    expect(page.get_by_text("ERR_CONNECTION_RESET")).to_be_visible()  # the browser's error
    assert lost == [302]
    assert Case.objects.count() == 1
    first = Case.objects.get()

    # the citizen tries again (the error page's reload): the browser sends the same form,
    # its submission_key included
    again = page.reload()
    assert again is not None and again.request.method == "POST"
    assert again.request.post_data is not None and key in again.request.post_data

    expect(page).to_have_url(re.compile(r"/aspirasi/terkirim/[0-9A-Z]{12}/$"))
    expect(page.locator("[data-testid=number]")).to_have_text(first.number)
    expect(page.locator("[data-testid=tracking-code]")).to_have_text(
        services.format_tracking_code(first.tracking_code)
    )
    assert Case.objects.count() == 1
    shot(page, "lost-reply-receipt-360.png")


def test_changed_after_a_lost_reply_the_form_names_the_first_case(new_page, shot, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "idempotent-submit-changed",
        }
    }
    ensure_reference()
    page = new_page(viewport=PHONE)
    page.goto("/aspirasi/baru/")
    fill_form(page)

    def lose_the_reply(route: Any) -> None:
        route.fetch(max_redirects=0)
        route.abort("connectionreset")

    page.route(re.compile(r".*/aspirasi/baru/$"), lose_the_reply)
    page.locator("[data-testid=send]").click()
    expect(page.get_by_text("ERR_CONNECTION_RESET")).to_be_visible()
    page.unroute(re.compile(r".*/aspirasi/baru/$"))
    first = Case.objects.get()
    # the same form, changed before it is sent again (the key it carried is the first's);
    # a fresh page: no draft of the first one kept on the device
    page = new_page(viewport=PHONE)
    page.goto("/aspirasi/baru/")
    fill_form(page)
    page.evaluate(
        "key => document.querySelector('input[name=submission_key]').value = key",
        str(first_key(first)),
    )
    page.fill("#id_title", TITLE + " total")
    page.locator("[data-testid=send]").click()

    notice = page.locator("[data-testid=sent-before]")
    expect(notice).to_contain_text(first.number)
    expect(page.locator("#id_title")).to_have_value(TITLE + " total")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    notice.scroll_into_view_if_needed()
    shot(page, "sent-before-360.png")
    notice.get_by_role("link").click()
    expect(page.locator("[data-testid=tracking-code]")).to_have_text(
        services.format_tracking_code(first.tracking_code)
    )
    assert Case.objects.count() == 1


def first_key(case: Case) -> str:
    from casework.models import IdempotencyKey

    return IdempotencyKey.objects.get(case=case).key

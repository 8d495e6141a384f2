"""The transparency page on a phone (360 × 740): the on-time rate counts the agency work
still unanswered past its deadline as late and says how many tasks and which period are
behind it; kecamatan without aspirations fold away; a kecamatan's row opens its public list.
With ``ASPIRASI_SCREENSHOTS`` set, the rates are saved as
``journeys/item23-transparency-after.png`` (clipped to them)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework import services
from casework.models import CaseTask, Stage
from tests import factories as f
from tests.conftest import DESA, KECAMATAN, ensure_reference

from .conftest import PHONE, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways at 360 px ({width} px wide)"
    wide = page.evaluate(
        "[...document.querySelectorAll('main .scroll')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText.slice(0, 40))"
    )
    assert not wide, f"{page.url}: tables scroll sideways at 360 px: {wide}"


def past_deadline(case: Any, stage: str) -> None:
    CaseTask.objects.filter(case=case, stage=stage, status__in=("NEW", "ASSIGNED")).update(
        due_at=timezone.now() - timedelta(days=2)
    )


def save_rates(page: Any) -> None:
    """The totals and the tables per kecamatan and per agency, at phone width, for the
    record."""
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS) / "journeys"
    folder.mkdir(parents=True, exist_ok=True)
    top = page.locator("main h1").bounding_box()
    bottom = page.locator("section[aria-labelledby=h-opd]").bounding_box()
    assert top and bottom
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.screenshot(
        path=str(folder / "item23-transparency-after.png"),
        full_page=True,
        clip={
            "x": 0,
            "y": top["y"] - 8,
            "width": PHONE["width"],
            "height": bottom["y"] + bottom["height"] - top["y"] + 16,
        },
        animations="disabled",
        caret="hide",
    )


def test_the_on_time_rate_counts_unanswered_late_work(new_page, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "transparency-journey",
        }
    }
    ensure_reference()
    officers = {
        "kim": f.make_officer("kim_operator", DESA, "kim"),
        "forum": f.make_officer("forum_officer", KECAMATAN, "forum"),
        "pu": f.make_officer("opd_officer", "dputr", "pu"),
        "dinkes": f.make_officer("opd_officer", "dinkes", "dinkes"),
    }
    for title in ("Jalan desa berlubang", "Lampu jalan padam"):
        case = f.in_progress(officers, title=title)
        services.respond_assignment(case=case, actor=officers["pu"], response="Sudah diperbaiki.")
    waiting = f.in_progress(officers, title="Saluran irigasi jebol")
    past_deadline(waiting, Stage.OPD_RESPONSE)
    unaccepted = f.dispatched(officers, opds=("dinkes",), title="Posyandu kekurangan vaksin")
    past_deadline(unaccepted, Stage.OPD_ACCEPTANCE)
    f.submit(title="Rahasia desa", confidentiality="rahasia")

    page = new_page(viewport=PHONE)
    page.goto("/transparansi/")
    # two of four agency tasks on time, not "100%": the two unanswered ones count as late
    expect(page.locator("[data-testid=total-on-time]")).to_have_text("50%")
    detail = page.locator("[data-testid=total-on-time-detail]")
    expect(detail).to_contain_text("50% tepat waktu: 2 dari 4 tugas OPD, 1 ")
    expect(detail).to_contain_text("2 terlambat, termasuk 2 yang belum dijawab.")
    expect(detail).to_contain_text(str(timezone.localdate().year))
    row = page.locator(f"[data-testid=kecamatan-table] tr[data-code='{KECAMATAN}']")
    expect(row.locator("[data-col=on-time]")).to_contain_text("2 dari 4 tugas OPD")
    expect(row.locator("[data-col=unanswered]")).to_have_text("2 terlambat, belum dijawab")

    # the kecamatan without aspirations fold away
    empty = page.locator("[data-testid=kecamatan-empty]")
    expect(empty.locator("summary")).to_have_text("20 kecamatan tanpa aspirasi pada periode ini")
    expect(empty.locator("li", has_text="Pronojiwo")).to_be_hidden()
    fits_phone(page)
    save_rates(page)
    empty.locator("summary").click()
    expect(empty.locator("li", has_text="Pronojiwo")).to_be_visible()
    fits_phone(page)

    # a kecamatan's row opens its public list: no rahasia case, no name
    row.get_by_role("link", name="Tempursari").click()
    expect(page).to_have_url(re.compile(rf"/transparansi/kecamatan/{re.escape(KECAMATAN)}/$"))
    expect(page.locator("h1")).to_have_text("Aspirasi dari Kecamatan Tempursari")
    listing = page.locator("[data-testid=kecamatan-list] > li")
    expect(listing).to_have_count(4)
    item = listing.filter(has_text="Posyandu kekurangan vaksin")
    expect(item.locator("[data-testid=status]")).to_have_text("Didisposisikan")
    expect(item.locator("[data-testid=opd]")).to_contain_text("Dinas Kesehatan")
    expect(page.locator("main")).not_to_contain_text("Rahasia desa")
    expect(page.locator("main")).not_to_contain_text("Siti Aminah")
    fits_phone(page)

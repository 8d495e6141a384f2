"""The supervisor's escalation list in a real browser at phone width: one card per escalated
task, the most overdue first, its highest level and the levels reached, nothing wider than
the screen.

With ``ASPIRASI_SCREENSHOTS`` set, the list is saved as ``item19-escalations-after.png``
(clipped to the list)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.models import CaseTask, Escalation
from tests import factories as f
from tests.conftest import DESA, KABUPATEN, KECAMATAN, ensure_reference
from workflows.sweep import sweep

from .conftest import PHONE, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEW = "/petugas/pengawasan/"


def sign_in(page: Any, username: str, path: str) -> None:
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/masuk/\?next="))
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(path) + r"$"))


def late_cases() -> list[Any]:
    """Three forwarded cases swept past both escalation levels, 4, 9 and 2 days late; the
    second one's supervisor level withdrawn (it stands at level 1)."""
    ensure_reference()
    officers = {
        "kim": f.make_officer("kim_operator", DESA, "kim"),
        "forum": f.make_officer("forum_officer", KECAMATAN, "forum"),
    }
    f.make_officer("supervisor", KABUPATEN, "supervisor")
    titles = ("Lampu jalan mati", "Saluran irigasi tersumbat", "Jembatan retak")
    cases = [f.forwarded(officers, title=t, reporter_email="") for t in titles]
    past = timezone.now() - timedelta(days=12)
    CaseTask.objects.filter(case__in=cases, stage="triage").update(due_at=past, sla_next_at=past)
    sweep()
    for case, days in zip(cases, (4, 9, 2), strict=True):
        due = timezone.now() - timedelta(days=days)
        CaseTask.objects.filter(case=case, stage="triage").update(due_at=due)
        Escalation.objects.filter(case=case).update(due_at=due)
    Escalation.objects.filter(case=cases[1], kind="escalation", level=2).delete()
    return cases


def test_escalations_one_row_per_task_at_phone_width(new_page):
    a, b, c = late_cases()
    assert Escalation.objects.filter(kind="escalation").count() == 5
    page = new_page(viewport=PHONE)
    sign_in(page, "supervisor", REVIEW)
    expect(page.locator("[data-testid=count-escalations]")).to_have_text("3")
    rows = page.locator("tr[data-testid=escalation-row]")
    expect(rows).to_have_count(3)
    for row, case in zip(rows.all(), (b, a, c), strict=True):  # the most overdue first
        expect(row).to_contain_text(case.number)
    expect(rows.nth(0).locator("[data-testid=top-level]")).to_have_text("1")
    expect(rows.nth(1).locator("[data-testid=top-level]")).to_have_text("2")
    expect(rows.nth(1).locator("li[data-level]")).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("pengawas")
    expect(rows.nth(0).locator("li[data-level]")).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("9 hari")
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], wide
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        box = page.locator("table.review").bounding_box()
        assert box is not None
        page.screenshot(  # the list, across the whole width of the phone
            path=str(folder / "item19-escalations-after.png"),
            full_page=True,
            clip={"x": 0, "y": box["y"], "width": PHONE["width"], "height": box["height"]},
            animations="disabled",
            caret="hide",
        )

"""The forum officer's case page in a real browser at phone width: the dispatch form's
routing suggestion follows the category, the similar open cases with their reasons, the
process chart readable with the case's position marked.

With ``ASPIRASI_SCREENSHOTS`` set, the dispatch form and the merge candidates are saved as PNG
(clipped to the form)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.conftest import DESA, DESA_2, KECAMATAN, ensure_reference

from .conftest import PHONE, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, username: str, path: str) -> None:
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/masuk/\?next="))
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(path) + r"$"))


def clip(locator: Any, name: str) -> None:
    """A picture of one part of the page, only under ASPIRASI_SCREENSHOTS."""
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    locator.page.evaluate("document.activeElement && document.activeElement.blur()")
    locator.screenshot(path=str(folder / name), animations="disabled", caret="hide")


@pytest.fixture
def forum_case() -> Any:
    """A bridge case in triage, held by the forum officer ``forum``."""
    ensure_reference()
    officers = {
        "kim": f.make_officer("kim_operator", DESA, "kim"),
        "forum": f.make_officer("forum_officer", KECAMATAN, "forum"),
    }
    f.make_officer("kim_operator", DESA_2, "kim2")
    case = f.in_triage(
        officers,
        title="Jembatan bambu dusun Krajan hampir putus",
        description="Jembatan bambu penghubung dusun Krajan dan sawah hampir putus, "
        "anak sekolah takut lewat.",
        category="adminduk",  # recorded under the wrong category: Dukcapil suggested
    )
    return case


def test_the_routing_suggestion_follows_the_category(new_page, forum_case):
    page = new_page(viewport=PHONE)
    url = f"/petugas/laporan/{forum_case.number}/"
    sign_in(page, "forum", url)
    page.locator("#act-dispatch > summary").click()
    form = page.locator("#act-dispatch form")
    box = form.locator("input[name=opds][value=dispendukcapil]")
    expect(box).to_be_checked()
    expect(form.locator("[data-testid=routing-suggestion]")).to_contain_text("Kependudukan")
    form.locator("input[name=opds][value=dinkes]").check()  # ticked by hand

    form.locator("select[name=category]").select_option("infrastruktur")

    expect(form.locator("[data-testid=routing-suggestion]")).to_contain_text("Pekerjaan Umum")
    expect(form.locator("input[name=opds][value=dputr]")).to_be_checked()
    expect(form.locator("input[name=opds][value=dispendukcapil]")).not_to_be_checked()
    expect(form.locator("input[name=opds][value=dinkes]")).to_be_checked()
    expect(form.locator("select[name=category]")).to_have_value("infrastruktur")
    clip(form, "item13-routing-after.png")


def test_the_merge_form_lists_the_same_need_with_its_reasons(new_page, forum_case):
    same = f.submit(
        title="Jembatan bambu ke sawah rapuh",
        description="Jembatan bambu dusun Krajan ke sawah miring dan hampir putus.",
        category="infrastruktur",
        reporter_email="",
    )
    f.submit(
        title="Posyandu kekurangan vaksin",
        description="Stok vaksin campak di posyandu habis.",
        category="kesehatan",
        reporter_email="",
    )
    page = new_page(viewport=PHONE)
    url = f"/petugas/laporan/{forum_case.number}/"
    sign_in(page, "forum", url)
    page.locator("#act-merge > summary").click()
    listing = page.locator("[data-testid=merge-candidates]")
    expect(listing.locator("li")).to_have_count(1)  # the vaccine report is not offered
    expect(listing).to_contain_text(same.number)
    reasons = listing.locator("[data-testid=similar-reasons]")
    expect(reasons).to_contain_text("kata yang sama: ")
    expect(reasons).to_contain_text("jembatan")
    expect(reasons).to_contain_text("desa yang sama")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    clip(page.locator("#act-merge"), "item14-similar-after.png")


CHART_FACTS = """() => {
  const box = document.querySelector('[data-testid=chart] .chart-scroll');
  const svg = box.querySelector('svg');
  const scale = svg.getScreenCTM().a;
  const texts = [...svg.querySelectorAll('text')].map(t => {
    const r = t.getBoundingClientRect();
    return {
      text: t.textContent,
      px: parseFloat(getComputedStyle(t).fontSize) * scale,
      left: r.left, right: r.right, top: r.top, bottom: r.bottom,
    };
  });
  const s = svg.getBoundingClientRect();
  return {
    texts,
    svg: {left: s.left, right: s.right, top: s.top, bottom: s.bottom},
    overflow: getComputedStyle(box).overflowX,
    boxWidth: box.clientWidth,
    scrollWidth: box.scrollWidth,
    pageWidth: document.documentElement.scrollWidth,
    current: [...svg.querySelectorAll('[aria-current=step]')].map(g => g.textContent),
  };
}"""


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["right"] <= b["left"] + 0.5
        or b["right"] <= a["left"] + 0.5
        or a["bottom"] <= b["top"] + 0.5
        or b["bottom"] <= a["top"] + 0.5
    )


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1366, "height": 768}])
def test_the_process_chart_is_readable_with_the_case_s_position(new_page, forum_case, viewport):
    page = new_page(viewport=viewport)
    url = f"/petugas/laporan/{forum_case.number}/"
    sign_in(page, "forum", url)
    chart = page.locator("[data-testid=chart]")
    chart.scroll_into_view_if_needed()
    facts = page.evaluate(CHART_FACTS)
    texts = facts["texts"]
    assert len(texts) > 10
    small = [(t["text"], round(t["px"], 1)) for t in texts if t["px"] < 12]
    assert not small, small
    clashes = [
        (a["text"], b["text"])
        for i, a in enumerate(texts)
        for b in texts[i + 1 :]
        if overlaps(a, b)
    ]
    assert not clashes, clashes
    svg = facts["svg"]
    outside = [
        t["text"] for t in texts if t["left"] < svg["left"] - 0.5 or t["right"] > svg["right"] + 0.5
    ]
    assert not outside, outside  # every label inside the drawing
    # the chart fits its container, or the container scrolls it; the page never scrolls sideways
    assert facts["scrollWidth"] <= facts["boxWidth"] or facts["overflow"] in ("auto", "scroll")
    assert facts["pageWidth"] <= viewport["width"]
    # the current step is marked, in words
    assert len(facts["current"]) == 1
    assert "Telaah kecamatan" in facts["current"][0]
    assert "Posisi laporan ini" in facts["current"][0]
    expect(chart.locator("figcaption")).to_contain_text("Telaah kecamatan")
    if viewport == PHONE:
        clip(chart, "item16-chart-after.png")

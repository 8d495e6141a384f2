"""The dashboard's bar charts: a bar's length follows the figure written beside it, so two
figures that read the same draw the same bar."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from casework.ui.charts import bar_chart
from casework.web.views.dashboard import duration_shown, duration_text


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (None, "–"),
        (0, "0 menit"),
        (0.004, "0 menit"),
        (0.04, "2 menit"),
        (0.5, "30 menit"),
        (1.04, "1,0 jam"),
        (5.25, "5,2 jam"),
        (30, "1,2 hari"),
    ],
)
def test_durations_read_in_a_fitting_unit(hours, text):
    with translation.override("id"):
        assert duration_text(hours) == text


def test_medians_that_read_the_same_draw_the_same_bar():
    items: list[dict[str, Any]] = [
        {"label": "a", "hours": 0.004},
        {"label": "b", "hours": 0.001},
        {"label": "c", "hours": 1.04},
        {"label": "d", "hours": 1.01},
        {"label": "e", "hours": None},
    ]
    with translation.override("id"):
        for item in items:
            item["text"] = duration_text(item["hours"])
            item["shown"] = duration_shown(item["hours"])
        chart = bar_chart(items, "shown", lambda i: i["text"])
    width = {bar.label: bar.width for bar in chart["bars"]}
    text = {bar.label: bar.value_text for bar in chart["bars"]}
    assert text["a"] == text["b"] and width["a"] == width["b"] == 0
    assert text["c"] == text["d"] == "1,0 jam" and width["c"] == width["d"] > 0
    assert width["e"] == 0


@pytest.mark.django_db
def test_the_dashboard_draws_equal_medians_equally(officers):
    from tests import factories as f
    from tests.web.test_dashboard import DASHBOARD

    f.dispatched(officers, opds=("dputr",))  # verified and triaged within a second each
    client = Client()
    client.force_login(officers["supervisor"])
    html = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    chart = html.split('data-testid="chart-stages"')[1].split("</svg>")[0]
    bars = re.findall(
        r'<title>([^<]*)</title>\s*<text[^>]*>[^<]*</text>\s*<rect[^>]*width="(\d+)"', chart
    )
    assert len(bars) >= 2
    by_text: dict[str, set[str]] = {}
    for title, width in bars:
        by_text.setdefault(title.split(": ", 1)[1], set()).add(width)
    assert all(len(widths) == 1 for widths in by_text.values()), by_text

"""Bar charts drawn as plain geometry (whole pixels: templates localise numbers, and a decimal
comma is not a coordinate) and rendered by the templates as SVG; readable at 320 px."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import formats

CHART_WIDTH = 320
BAR_ROW = 40
BAR_ROOM = 64  # right of the longest bar: its value


@dataclass
class Bar:
    label: str
    value_text: str
    width: int
    label_y: int
    bar_y: int
    text_x: int
    tone: str = ""


def bar_chart(
    items: list[dict], value_key: str = "value", text: Callable[[dict], str] | None = None
) -> dict:
    """Horizontal bars, each under its label: readable at 320 px without scaling."""
    values = [item[value_key] or 0 for item in items]
    top = max(values, default=0) or 1
    room = CHART_WIDTH - BAR_ROOM
    bars = []
    for i, item in enumerate(items):
        value = item[value_key] or 0
        width = round(room * value / top) if value else 0
        y = i * BAR_ROW
        bars.append(
            Bar(
                label=str(item["label"]),
                value_text=text(item) if text else formats.number_format(value),
                width=width,
                label_y=y + 13,
                bar_y=y + 18,
                text_x=width + 6,
                tone=item.get("tone", ""),
            )
        )
    return {"bars": bars, "width": CHART_WIDTH, "height": max(BAR_ROW * len(items), BAR_ROW)}


def percent(rate: float | None) -> str:
    if rate is None:
        return "–"
    return f"{formats.number_format(round(rate * 100))}%"

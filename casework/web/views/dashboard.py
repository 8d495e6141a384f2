"""The supervisor's dashboard of the kabupaten: cases by status, overdue work by unit, on-time
rates by OPD and kecamatan, median time per stage; each chart also as CSV. The supervisor only
(forum coordinators and OPD heads have their review page and task queue)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework import reports
from casework.ui.charts import CHART_WIDTH, bar_chart, percent

from ..csv import csv_response
from .common import OfficerRequest, page_context
from .supervision import supervisor_only

# ----------------------------------------------------------------------------- dashboard
# The charts are drawn here as plain geometry (whole pixels: templates localise numbers,
# and a decimal comma is not a coordinate) and rendered by the dashboard templates as SVG.

CELL_W, CELL_H, CELL_GAP, MONTH_HEAD = 50, 30, 3, 18
MONTH_ROW = 18 + CELL_H + 10


def _tone(rate: float | None) -> str:
    if rate is None:
        return "none"
    if rate >= 0.8:
        return "good"
    return "fair" if rate >= 0.5 else "poor"


def month_chart(months: list[Any], series: list[reports.RateSeries]) -> dict:
    """Small multiples: one row per unit, one cell per month filled to its on-time rate."""
    heads = [
        {
            "x": i * (CELL_W + CELL_GAP) + CELL_W // 2,
            "text": formats.date_format(month, "M"),
            "full": formats.date_format(month, "F Y"),
        }
        for i, month in enumerate(months)
    ]
    rows = []
    for r, s in enumerate(series):
        top = MONTH_HEAD + r * MONTH_ROW
        cells = []
        for i, c in enumerate(s.cells):
            fill = round(CELL_H * c["rate"]) if c["rate"] is not None else 0
            cells.append(
                {
                    "x": i * (CELL_W + CELL_GAP),
                    "y": top + 18,
                    "fill_y": top + 18 + CELL_H - fill,
                    "fill_h": fill,
                    "text_x": i * (CELL_W + CELL_GAP) + CELL_W // 2,
                    "text_y": top + 18 + CELL_H // 2 + 5,
                    "text": percent(c["rate"]),
                    "tone": _tone(c["rate"]),
                    "title": _("%(month)s: %(on_time)s of %(total)s on time")
                    % {
                        "month": heads[i]["full"],
                        "on_time": c["on_time"],
                        "total": c["total"],
                    },
                }
            )
        rows.append(
            {"label": s.label, "label_y": top + 13, "cells": cells, "overall": percent(s.rate)}
        )
    return {
        "heads": heads,
        "rows": rows,
        "width": CHART_WIDTH,
        "height": MONTH_HEAD + MONTH_ROW * max(len(series), 1),
        "cell_w": CELL_W,
        "cell_h": CELL_H,
    }


def _duration_parts(hours: float) -> tuple[str, float]:
    """The unit a duration reads in and its number as written: whole minutes under an hour,
    hours with one decimal under a day, days with one decimal beyond."""
    if round(hours * 60) < 60:
        return "minutes", float(round(hours * 60))
    if round(hours, 1) < 24:
        return "hours", round(hours, 1)
    return "days", round(hours / 24, 1)


def duration_text(hours: float | None) -> str:
    if hours is None:
        return "–"
    unit, number = _duration_parts(hours)
    if unit == "minutes":
        return ngettext("%(n)s minute", "%(n)s minutes", int(number)) % {"n": int(number)}
    text = formats.number_format(number, 1)
    if unit == "hours":
        return ngettext("%(n)s hour", "%(n)s hours", round(number)) % {"n": text}
    return ngettext("%(n)s day", "%(n)s days", round(number)) % {"n": text}


def duration_shown(hours: float | None) -> float | None:
    """The duration in hours as :func:`duration_text` writes it (what a bar is drawn from, so
    two figures that read the same draw the same bar)."""
    if hours is None:
        return None
    unit, number = _duration_parts(hours)
    return {"minutes": number / 60, "hours": number, "days": number * 24}[unit]


def _rate_rows(months: list[Any], series: list[reports.RateSeries]) -> Iterable[list[Any]]:
    for s in series:
        for c in s.cells:
            yield [
                s.code or "*",
                s.label,
                c["month"].strftime("%Y-%m"),
                c["total"],
                c["on_time"],
                round(100 * c["rate"], 1) if c["rate"] is not None else "",
            ]


def _rate_header(unit: str) -> list[str]:
    return [_("Code"), unit, _("Month"), _("Finished"), _("On time"), _("On time (%)")]


CHARTS = ("status", "overdue", "opd", "kecamatan", "stages")


def _chart_data(name: str, now: datetime) -> dict[str, Any]:
    """One chart's figures (one query) with its CSV header and rows."""
    if name == "status":
        items = reports.cases_by_status()
        return {
            "items": items,
            "header": [_("Status code"), _("Status"), _("Cases")],
            "rows": [[i["code"], i["label"], i["value"]] for i in items],
        }
    if name == "overdue":
        items = reports.overdue_by_unit(now=now)
        return {
            "items": items,
            "header": [
                _("Unit code"),
                _("Unit"),
                _("Overdue tasks"),
                _("Oldest deadline"),
                _("Days overdue (oldest)"),
            ],
            "rows": [[i["code"], i["label"], i["value"], i["oldest"], i["days"]] for i in items],
        }
    if name in ("opd", "kecamatan"):
        if name == "opd":
            months, series = reports.on_time_by_opd(now=now, total_label=_("All OPD"))
        else:
            months, series = reports.on_time_by_kecamatan(now=now, total_label=_("All kecamatan"))
        return {
            "months": months,
            "series": series,
            "header": _rate_header(_("OPD") if name == "opd" else _("Kecamatan")),
            "rows": list(_rate_rows(months, series)),
        }
    if name == "stages":
        items = reports.median_time_per_stage(now=now)
        return {
            "items": items,
            "header": [_("Stage code"), _("Stage"), _("Tasks finished"), _("Median (hours)")],
            "rows": [
                [
                    i["code"],
                    i["label"],
                    i["n"],
                    round(i["hours"], 2) if i["hours"] is not None else "",
                ]
                for i in items
            ],
        }
    raise Http404


@supervisor_only
def dashboard(request: OfficerRequest) -> HttpResponseBase:
    now = timezone.now()
    export = request.GET.get("export")
    if export:
        if export not in CHARTS:
            raise Http404
        data = _chart_data(export, now)
        stamp = timezone.localtime(now).strftime("%Y%m%d")
        return csv_response(f"dasbor-{export}-{stamp}.csv", data["header"], data["rows"], request)

    status = _chart_data("status", now)
    overdue = _chart_data("overdue", now)
    opd = _chart_data("opd", now)
    kecamatan = _chart_data("kecamatan", now)
    stages = _chart_data("stages", now)
    for item in overdue["items"]:
        item["tone"] = "poor"
    for item in stages["items"]:
        item["text"] = duration_text(item["hours"])
        item["shown"] = duration_shown(item["hours"])
    context = page_context(
        request,
        "dashboard",
        now=now,
        status=status,
        status_chart=bar_chart(status["items"]),
        status_total=sum(i["value"] for i in status["items"]),
        overdue=overdue,
        overdue_chart=bar_chart(overdue["items"]),
        opd=opd,
        opd_chart=month_chart(opd["months"], opd["series"]),
        kecamatan=kecamatan,
        kecamatan_chart=month_chart(kecamatan["months"], kecamatan["series"]),
        stages=stages,
        stages_chart=bar_chart(stages["items"], "shown", lambda i: i["text"]),
        window_days=reports.MEDIAN_WINDOW.days,
    )
    return render(request, "web/dashboard.html", context)


urlpatterns = [
    path("petugas/dasbor/", dashboard, name="dashboard"),
]

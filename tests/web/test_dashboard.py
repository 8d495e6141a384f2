"""The kabupaten dashboard: server-drawn SVG charts, their tables and CSV, on a known dataset."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from casework import reports
from casework.models import CaseTask
from tests import factories as f

from .test_review import count_queries, csv_rows, login, open_task, past_due

pytestmark = pytest.mark.django_db
DASHBOARD = "/petugas/dasbor/"
HOUR = timedelta(hours=1)


def task_of(case, stage: str) -> CaseTask:
    return CaseTask.objects.get(case=case, stage=stage, status="DONE")


@pytest.fixture
def known(officers):
    """Four cases: received, forwarded, and two responded (one OPD response late, one on
    time; one triage late, one on time). Two open tasks are overdue: the KIM's and the
    forum's. Stage durations are set so that their medians are known."""
    received = f.submit()
    forwarded = f.forwarded(officers)
    on_time = f.responded(officers)
    late = f.responded(officers)
    now = timezone.now()
    past_due([open_task(received, "verification")], days=1)
    past_due([open_task(forwarded, "triage")], days=4)

    # OPD responses: finished a minute ago; the late one was due an hour before
    for case, due in ((on_time, now + 48 * HOUR), (late, now - 2 * HOUR)):
        CaseTask.objects.filter(pk=task_of(case, "opd_response").pk).update(
            finished=now - timedelta(minutes=1), due_at=due, created=now - 10 * HOUR
        )
    # triage: the on-time case took 2 h, the late one 6 h and missed its deadline
    for case, hours, late_triage in ((on_time, 2, False), (late, 6, True)):
        finished = now - timedelta(minutes=2)
        CaseTask.objects.filter(pk=task_of(case, "triage").pk).update(
            created=finished - hours * HOUR,
            finished=finished,
            due_at=finished - HOUR if late_triage else finished + HOUR,
        )
    return {
        "received": received,
        "forwarded": forwarded,
        "on_time": on_time,
        "late": late,
        "now": now,
    }


# ----------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("supervisor", 200),
        ("coordinator", 403),
        ("pu_head", 403),
        ("forum", 403),
        ("kim", 403),
        ("pu", 403),
        ("dinkes", 403),
    ],
)
def test_role_matrix(officers, who, status):
    assert login(officers[who]).get(DASHBOARD).status_code == status
    assert login(officers[who]).get(DASHBOARD + "?export=status").status_code == status


def test_anonymous_goes_to_sign_in(officers):
    response = Client().get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == "/masuk/?next=/petugas/dasbor/"


# ----------------------------------------------------------------------------- figures


def test_figures_on_a_known_dataset(officers, known):
    now = timezone.now()
    status = {row["code"]: row["value"] for row in reports.cases_by_status()}
    assert status["received"] == 1
    assert status["forwarded"] == 1
    assert status["responded"] == 2
    assert sum(status.values()) == 4

    overdue = reports.overdue_by_unit(now=now)
    assert [(row["code"], row["value"]) for row in overdue] == [
        ("35.08.01", 1),  # the forum's triage, 4 days late: the oldest first at equal counts
        ("35.08.01.2001", 1),
    ]
    assert overdue[0]["days"] == 4

    months, series = reports.on_time_by_opd(now=now, total_label="Semua OPD")
    assert len(months) == 6 and months[-1] == timezone.localtime(now).date().replace(day=1)
    total, dputr = series
    assert (total.on_time, total.total, total.rate) == (1, 2, 0.5)
    assert dputr.code == "dputr" and (dputr.on_time, dputr.total) == (1, 2)
    this_month = timezone.localtime(known["now"] - timedelta(minutes=1)).date().replace(day=1)
    cell = dputr.cells[months.index(this_month)]
    assert (cell["on_time"], cell["total"], cell["rate"]) == (1, 2, 0.5)

    _months, kecamatan = reports.on_time_by_kecamatan(now=now, total_label="Semua")
    assert [(s.code, s.on_time, s.total) for s in kecamatan] == [
        ("", 1, 2),
        ("35.08.01", 1, 2),
    ]

    stages = {row["code"]: row for row in reports.median_time_per_stage(now=now)}
    assert stages["triage"]["n"] == 2
    assert stages["triage"]["hours"] == pytest.approx(4.0)  # median of 2 h and 6 h
    assert stages["opd_response"]["hours"] == pytest.approx(10.0, abs=0.05)
    assert stages["confirmation"]["n"] == 0 and stages["confirmation"]["median"] is None


def test_python_median_matches_postgresql(officers, known, monkeypatch):
    now = timezone.now()
    expected = reports.median_time_per_stage(now=now)

    class Other:
        vendor = "sqlite"

    monkeypatch.setattr(reports, "connection", Other())
    fallback = reports.median_time_per_stage(now=now)
    assert [(r["code"], r["n"]) for r in fallback] == [(r["code"], r["n"]) for r in expected]
    for mine, theirs in zip(fallback, expected, strict=True):
        if theirs["hours"] is None:
            assert mine["hours"] is None
        else:
            assert mine["hours"] == pytest.approx(theirs["hours"], abs=1e-6)
    assert connection.vendor in ("postgresql", "sqlite")


def test_old_and_unfinished_work_is_left_out(officers, known):
    now = timezone.now()
    # an OPD response finished eight months ago is outside the six months
    CaseTask.objects.filter(pk=task_of(known["late"], "opd_response").pk).update(
        finished=now - timedelta(days=240), created=now - timedelta(days=241)
    )
    _months, series = reports.on_time_by_opd(now=now, total_label="Semua")
    assert (series[0].on_time, series[0].total) == (1, 1)
    stages = {row["code"]: row for row in reports.median_time_per_stage(now=now)}
    assert stages["opd_response"]["n"] == 1  # and outside the 90 days


def test_page_draws_each_chart_with_a_table(officers, known):
    response = login(officers["supervisor"]).get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    for chart in reports_charts():
        svg = html.split(f'data-testid="chart-{chart}"')[1].split("</svg>")[0]
        assert f'<title id="{chart}-title">' in svg and f'<desc id="{chart}-desc">' in svg
        assert f'data-testid="table-{chart}"' in html
        assert f'href="?export={chart}"' in html
    # SVG geometry is never localised (a decimal comma is not a coordinate)
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
        for value in re.findall(r'\s(?:x|y|width|height)="([^"]*)"', svg):
            assert re.fullmatch(r"-?\d+", value), value
    status_table = html.split('data-testid="table-status"')[1].split("</table>")[0]
    assert re.search(r"Menunggu konfirmasi warga</th><td class=\"num\">2<", status_table)
    opd_table = html.split('data-testid="table-opd"')[1].split("</table>")[0]
    assert "50% <span" in opd_table and "(1/2)" in opd_table
    assert "Forum" in html.split('data-testid="chart-overdue"')[1].split("</svg>")[0]


def reports_charts() -> tuple[str, ...]:
    from casework.web.views.dashboard import CHARTS

    return CHARTS


def test_csv_exports(officers, known):
    client = login(officers["supervisor"])
    status = csv_rows(client.get(DASHBOARD + "?export=status"))
    assert len(status) == 1 + 10
    assert ["responded", status[1 + 6][1], "2"] == status[1 + 6]
    overdue = csv_rows(client.get(DASHBOARD + "?export=overdue"))
    assert [row[0] for row in overdue[1:]] == ["35.08.01", "35.08.01.2001"]
    assert overdue[1][2] == "1" and overdue[1][4] == "4"
    opd = csv_rows(client.get(DASHBOARD + "?export=opd"))
    assert len(opd) == 1 + 2 * 6  # the total and one OPD, six months each
    month = timezone.localtime(known["now"] - timedelta(minutes=1)).strftime("%Y-%m")
    assert any(r[0] == "dputr" and r[2] == month and r[3:] == ["2", "1", "50.0"] for r in opd)
    kecamatan = csv_rows(client.get(DASHBOARD + "?export=kecamatan"))
    assert any(
        r[0] == "35.08.01" and r[2] == month and r[3:] == ["2", "1", "50.0"] for r in kecamatan
    )
    stages = csv_rows(client.get(DASHBOARD + "?export=stages"))
    triage = next(r for r in stages if r[0] == "triage")
    assert triage[2:] == ["2", "4.0"]
    assert client.get(DASHBOARD + "?export=nothing").status_code == 404
    for rows in (status, overdue, opd, kecamatan, stages):
        assert "Siti Aminah" not in repr(rows)


def test_constant_statements(officers, known):
    client = login(officers["supervisor"])
    client.get(DASHBOARD)
    few = count_queries(client, DASHBOARD)
    for _ in range(3):
        f.responded(officers)
        f.forwarded(officers)
    assert count_queries(client, DASHBOARD) == few
    assert few <= 12, few

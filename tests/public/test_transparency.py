"""The transparency page: figures per kecamatan and per OPD over the last 12 months on a
small known dataset, and the list of answered aspirations (never rahasia, never a name), in
a constant number of queries."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import reports, services
from casework.models import Case, CaseTask, Stage
from casework.public import transparency
from tests import factories as f
from tests.conftest import KECAMATAN, OTHER_DESA, OTHER_KECAMATAN

from .helpers import REPORTER, english, matched, table_row, text_of

pytestmark = pytest.mark.django_db

URL = "/transparansi/"


def backdate(case: Case, days: float) -> None:
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(days=days))


def answered_by_pu(officers: dict, *, title: str, confidentiality: str, late: bool = False) -> Case:
    case = f.in_progress(officers, title=title, confidentiality=confidentiality)
    if late:
        CaseTask.objects.filter(
            case=case, stage=Stage.OPD_RESPONSE, status__in=("NEW", "ASSIGNED", "STARTED")
        ).update(due_at=timezone.now() - timedelta(hours=1))
    return services.respond_assignment(
        case=case, actor=officers["pu"], response=f"Jawaban untuk {title}."
    )


@pytest.fixture
def dataset(officers):
    """Tempursari: three answered by Dinas PU (one late; ordinary, anonymous, rahasia) and one
    only received; Pronojiwo: one answered by its forum; one case from last year."""
    a = answered_by_pu(officers, title="Jalan A berlubang", confidentiality="biasa")
    b = answered_by_pu(officers, title="Jalan B retak", confidentiality="anonim", late=True)
    b = services.confirm_case(case=b, rating=4)
    c = answered_by_pu(officers, title="Jalan C rahasia", confidentiality="rahasia")
    d = f.submit(title="Saluran D tersumbat")
    forum = f.make_officer("forum_officer", OTHER_KECAMATAN, "forum_pronojiwo")
    e = f.submit(desa=OTHER_DESA, title="Jadwal posyandu E", confidentiality="biasa")
    e = services.verify_case(case=e, actor=officers["kim_other"])
    e = services.claim_task(case=e, actor=forum)
    e = services.resolve_case(case=e, actor=forum, response="Posyandu setiap Senin pagi.")
    old = f.submit(title="Laporan lama")
    for case, days in ((a, 4), (b, 2), (c, 6), (d, 1), (e, 1), (old, 400)):
        backdate(case, days)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "old": old}


def test_figures_per_kecamatan_and_opd(dataset):
    response = english().get(URL)
    assert response.status_code == 200
    html = response.content.decode()

    assert table_row(html, KECAMATAN) == {
        "answered": "3 / 4",  # answered / received
        "on-time": "67% 2 of 3 agency tasks",  # two of Dinas PU's three by their deadline
        "days": "4.0",  # median of 2, 4 and 6 days
    }
    assert table_row(html, OTHER_KECAMATAN) == {
        "answered": "1 / 1",
        "on-time": "–",  # answered by the forum: no agency deadline involved
        "days": "1.0",
    }
    # every kecamatan is listed; those without aspirations apart
    assert 'data-code="35.08.03"' in matched(
        r'data-testid="kecamatan-empty">(.*?)</details>', html, re.S
    )
    assert table_row(html, "dputr") == {
        "answered": "3 / 3",
        "on-time": "67% 2 of 3 agency tasks",
        "days": "4.0",
    }
    assert 'data-code="dinkes"' in matched(r'data-testid="opd-empty">(.*?)</details>', html, re.S)
    totals = matched(r'data-testid="totals">(.*?)</section>', html, re.S)
    assert 'data-testid="total-received">5<' in totals
    assert 'data-testid="total-answered">4<' in totals
    assert 'data-testid="total-on-time">67%<' in totals
    assert 'data-testid="total-days">3.0<' in totals  # median of 1, 2, 4 and 6 days
    # the charts: one bar per kecamatan with aspirations, one per OPD with answers
    chart = matched(r'data-testid="chart-received".*?</svg>', html, re.S, group=0)
    assert chart.count("<rect") == 2 and "Tempursari" in chart and "Pronojiwo" in chart
    chart = matched(r'data-testid="chart-on-time".*?</svg>', html, re.S, group=0)
    assert chart.count("<rect") == 1 and "67%" in chart


def test_on_time_agrees_with_the_supervisors_dashboard(dataset):
    now = timezone.now()
    _months, series = reports.on_time_by_opd(now=now, total_label="", months=transparency.MONTHS)
    pu = next(s for s in series if s.code == "dputr")
    figures = transparency.figures(now)
    row = next(r for r in figures.opd if r.code == "dputr")
    # every answer was given: the answers are the dashboard's (nothing is left unanswered)
    assert (row.punctuality.on_time, row.punctuality.total) == (pu.on_time, pu.total) == (2, 3)
    kecamatan = next(r for r in figures.kecamatan if r.code == KECAMATAN)
    assert (kecamatan.punctuality.on_time, kecamatan.punctuality.total) == (2, 3)


def test_the_answered_list_shows_ordinary_and_anonymous_never_rahasia_or_names(dataset):
    html = Client().get(URL).content.decode()
    listing = matched(r'data-testid="answered-list">(.*?)</ul>', html, re.S)
    numbers = re.findall(r'data-number="([^"]+)"', listing)
    expected = [dataset[k].number for k in ("e", "b", "a")]  # newest first
    assert numbers == expected
    assert "Jalan C rahasia" not in html and dataset["c"].number not in html
    assert "Saluran D" not in html  # not answered
    assert "Jawaban untuk Jalan A berlubang." in listing
    assert "Posyandu setiap Senin pagi." in listing
    assert "Dinas Pekerjaan Umum dan Tata Ruang" in listing
    assert "Forum KIM Kecamatan Pronojiwo" in listing
    for secret in REPORTER:
        assert secret not in html
    for username in ("pu", "forum", "kim", "forum_pronojiwo"):
        assert f">{username}<" not in html and f" {username} " not in text_of(listing)
    # descriptions stay on the tracking page: they may name people
    assert dataset["a"].description not in html


def test_the_answered_list_by_kecamatan_and_paged(dataset, officers):
    html = Client().get(URL, {"kecamatan": OTHER_KECAMATAN}).content.decode()
    listing = matched(r'data-testid="answered-list">(.*?)</ul>', html, re.S)
    assert re.findall(r'data-number="([^"]+)"', listing) == [dataset["e"].number]
    assert Client().get(URL, {"kecamatan": "xx", "halaman": "99"}).status_code == 200

    for n in range(10):
        answered_by_pu(officers, title=f"Lampu jalan {n}", confidentiality="biasa")
    first = Client().get(URL).content.decode()
    assert first.count('data-number="') == 10
    assert 'rel="next"' in first and "halaman=2" in first
    second = Client().get(URL, {"halaman": "2"}).content.decode()
    assert second.count('data-number="') == 3
    assert 'rel="prev"' in second


def test_a_constant_number_of_queries(officers):
    Client().get(URL)  # reference data loaded once per process

    def measure() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(URL).status_code == 200
        return len(queries)

    answered_by_pu(officers, title="Satu", confidentiality="biasa")
    few = measure()
    for n in range(12):
        answered_by_pu(officers, title=f"Banyak {n}", confidentiality="anonim")
    f.submit(desa=OTHER_DESA)
    many = measure()
    assert few == many, (few, many)
    assert many <= 8
    # the figures come from the cache while fresh: only the list is read again
    with CaptureQueriesContext(connection) as queries:
        Client().get(URL)
    assert len(queries) == many - 5


def test_empty_kabupaten(reference):
    html = english().get(URL).content.decode()
    assert "No answered aspirations yet." in html
    assert 'data-testid="chart-on-time"' not in html
    assert 'data-testid="chart-received"' not in html
    group = matched(r'data-testid="kecamatan-empty">(.*?)</details>', html, re.S)
    assert f'data-code="{KECAMATAN}"' in group and "21 kecamatan with no aspirations" in group

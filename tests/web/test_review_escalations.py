"""The escalation list: one row per escalated task at its highest level, the levels reached
shown in the row, the most overdue first, in a bounded number of statements."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import CaseTask, Escalation
from tests import factories as f
from tests.web.test_review import REVIEW, count_queries, escalate, login, numbers_in

pytestmark = pytest.mark.django_db


def triage_task(case) -> CaseTask:
    return CaseTask.objects.get(case=case, stage="triage", status="NEW")


def make_late(case, days: int) -> None:
    due = timezone.now() - timedelta(days=days)
    task = triage_task(case)
    CaseTask.objects.filter(pk=task.pk).update(due_at=due)
    Escalation.objects.filter(task=task).update(due_at=due)


@pytest.fixture
def three_late(officers):
    """Three triage tasks escalated to both levels; the middle one's level 2 withdrawn."""
    a, b, c = (f.forwarded(officers, reporter_email="") for _ in range(3))
    escalate()
    make_late(a, 4)
    make_late(b, 9)
    make_late(c, 2)
    Escalation.objects.filter(task=triage_task(b), level=2).delete()
    return a, b, c


def rows_of(html: str) -> list[str]:
    return html.split('data-testid="escalation-row"')[1:]


def test_one_row_per_task_most_overdue_first(officers, three_late):
    a, b, c = three_late
    html = login(officers["supervisor"]).get(REVIEW).content.decode()
    assert Escalation.objects.filter(kind="escalation").count() == 5
    assert numbers_in(html, "escalation-row") == [b.number, a.number, c.number]
    assert 'data-testid="count-escalations">3<' in html


def test_the_row_shows_its_highest_level_and_the_levels_reached(officers, three_late):
    a, b, _c = three_late
    html = login(officers["supervisor"]).get(REVIEW).content.decode()
    rows = dict(zip(numbers_in(html, "escalation-row"), rows_of(html), strict=True))
    top_a = Escalation.objects.get(task=triage_task(a), level=2)
    assert f'id="e{top_a.pk}"' in html  # the row is the highest escalation's
    assert 'data-level="2"' in rows[a.number] and 'data-level="1"' in rows[a.number]
    assert 'data-level="2"' not in rows[b.number] and 'data-level="1"' in rows[b.number]
    assert 'data-testid="top-level">2<' in rows[a.number]
    assert 'data-testid="top-level">1<' in rows[b.number]


def test_level_filter_reads_the_highest_level(officers, three_late):
    a, b, c = three_late
    client = login(officers["supervisor"])
    assert numbers_in(client.get(REVIEW + "?level=2").content.decode(), "escalation-row") == [
        a.number,
        c.number,
    ]
    assert numbers_in(client.get(REVIEW + "?level=1").content.decode(), "escalation-row") == [
        b.number
    ]


def test_statements_do_not_grow_with_the_rows(officers):
    client = login(officers["supervisor"])
    f.forwarded(officers, reporter_email="")
    escalate()
    client.get(REVIEW)  # warm the reference-data cache
    small = count_queries(client, REVIEW)
    for _ in range(6):
        f.forwarded(officers, reporter_email="")
    escalate()
    assert Escalation.objects.filter(kind="escalation").count() == 14
    html = client.get(REVIEW).content.decode()
    assert len(numbers_in(html, "escalation-row")) == 7
    assert count_queries(client, REVIEW) == small <= 11


def test_the_start_page_counts_escalated_tasks(officers, three_late):
    html = login(officers["supervisor"]).get("/petugas/").content.decode()
    stat = html.split("Eskalasi untuk ditinjau")[1].split("</a>")[0]
    assert re.search(r'class="stat">3<', stat), stat


def test_late_work_still_open_comes_before_work_already_done(officers, three_late):
    a, b, c = three_late
    CaseTask.objects.filter(pk=triage_task(b).pk).update(status="DONE", finished=timezone.now())
    html = login(officers["supervisor"]).get(REVIEW).content.decode()
    # b is the most overdue but its task is done: the open ones lead
    assert numbers_in(html, "escalation-row") == [a.number, c.number, b.number]

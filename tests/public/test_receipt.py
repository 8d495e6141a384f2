"""The receipt of a new aspiration (the public confirmation page and the KIM operator's
printed receipt) gives the real dates of the case's service levels: the open step's deadline
and, step by step, the latest dates of the ones after it, by the policy of the case's
category and priority, in WIB."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import formats, timezone

from casework import services
from casework.models import Case, CaseTask, Category
from tests import factories as f
from tests.factories import make_officer
from workflows import sla
from workflows.models import SlaPolicy

from .helpers import matched, text_of

pytestmark = pytest.mark.django_db


def shown(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j M Y H.i") + " WIB"


def expected(case: Case, first_stage: str, stages: list[str]) -> dict[str, tuple[int, str]]:
    """stage -> (working days, the date shown), chained from the open task's deadline."""
    due = CaseTask.objects.get(case=case, stage=first_stage).due_at
    found = {first_stage: (sla.stage_days(first_stage, case), shown(due))}
    for stage in stages:
        days = sla.stage_days(stage, case)
        due = sla.add_working_days(due, days)
        found[stage] = (days, shown(due))
    return found


def steps_of(html: str) -> dict[str, str]:
    block = matched(r'data-testid="steps">(.*?)</ol>', html, re.S)
    return {
        stage: text_of(text)
        for stage, text in re.findall(r'<li data-stage="([a-z_]+)">(.*?)</li>', block, re.S)
    }


def test_the_public_receipt_shows_the_dates_of_the_case_s_policy(reference):
    category = Category.objects.get(code="infrastruktur")
    SlaPolicy.objects.create(stage="opd_response", category=category, working_days=7)
    case = f.submit(category="infrastruktur")
    html = Client().get(f"/aspirasi/terkirim/{case.tracking_code}/").content.decode()
    steps = steps_of(html)
    want = expected(
        case, "verification", ["triage", "opd_acceptance", "opd_response", "confirmation"]
    )
    assert list(steps) == list(want)
    for stage, (days, date) in want.items():
        assert f"{days} hari kerja" in steps[stage], stage
        assert date in steps[stage], stage
    assert "7 hari kerja" in steps["opd_response"]  # the category's policy, not a default
    assert "5 hari kerja" not in html
    target = formats.date_format(timezone.localtime(case.target_at), "j M Y")
    assert target in text_of(html)


def test_the_operator_s_receipt_starts_at_the_forum(reference):
    kim = make_officer("kim_operator", "35.08.01.2001", "usr-kim-receipt")
    case = f.submit(actor=kim, channel="kim", priority="darurat")
    assert case.status == "forwarded"  # the operator's recording verified it
    client = Client()
    client.force_login(kim)
    html = client.get(f"/petugas/catat/{case.number}/selesai/").content.decode()
    steps = steps_of(html)
    want = expected(case, "triage", ["opd_acceptance", "opd_response", "confirmation"])
    assert list(steps) == list(want)
    for stage, (days, date) in want.items():
        assert f"{days} hari kerja" in steps[stage] and date in steps[stage], stage
    assert "1 hari kerja" in steps["opd_response"]  # an urgent case: one working day


def test_no_dates_while_the_case_waits_for_the_reporter(reference):
    forum = make_officer("forum_officer", "35.08.01", "usr-forum-receipt")
    kim = make_officer("kim_operator", "35.08.01.2001", "usr-kim-receipt2")
    case = services.verify_case(case=f.submit(), actor=kim)
    case = services.request_info(case=case, actor=forum, question="Di mana?")
    html = Client().get(f"/aspirasi/terkirim/{case.tracking_code}/").content.decode()
    assert 'data-testid="steps"' not in html

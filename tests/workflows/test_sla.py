"""The working-day calendar and service-level policies."""

import io
from datetime import datetime
from typing import TypedDict

import pytest
from django.core.management import call_command

from casework.models import CaseTask
from tests import factories as f
from workflows import sla
from workflows.models import HolidayChange, SlaPolicy

pytestmark = pytest.mark.django_db
WIB = sla.WIB


def due(start, days):
    return sla.add_working_days(datetime.fromisoformat(start).replace(tzinfo=WIB), days)


def at(day):
    return datetime.fromisoformat(f"{day}T16:00").replace(tzinfo=WIB)


def test_weekends_are_skipped():
    assert due("2026-11-27T09:00", 1) == at("2026-11-30")  # Friday → Monday
    assert due("2026-11-23T09:00", 5) == at("2026-11-30")  # Monday + 5 → next Monday


def test_public_holidays_and_cuti_bersama_extend_the_window():
    # 24 Dec cuti bersama, 25 Dec Natal, then a weekend
    assert due("2026-12-23T09:00", 1) == at("2026-12-28")
    assert due("2026-12-22T09:00", 2) == at("2026-12-28")


def test_receipt_after_close_and_on_a_non_working_day():
    # day 0 is the day of receipt, whatever the hour
    assert due("2026-11-26T17:30", 1) == at("2026-11-27")
    assert due("2026-11-28T10:00", 1) == at("2026-11-30")  # Saturday → Monday
    assert due("2026-11-29T23:59", 1) == at("2026-11-30")


def test_administrator_additions_and_removals():
    HolidayChange.objects.create(date="2026-11-30", is_holiday=True, name="SE Bupati 1/2026")
    assert due("2026-11-27T09:00", 1) == at("2026-12-01")
    HolidayChange.objects.create(date="2026-12-24", is_holiday=False, name="Masuk kerja")
    assert due("2026-12-23T09:00", 1) == at("2026-12-24")


class PolicyKeys(TypedDict):
    category_id: int | None
    sla_class: str
    priority: str


def test_policy_overrides_by_category_and_priority(reference):
    kw: PolicyKeys = {"category_id": None, "sla_class": "standard", "priority": "sedang"}
    assert sla.working_days_for("opd_response", **kw) == 5
    assert sla.working_days_for("opd_response", **(kw | {"priority": "darurat"})) == 1
    assert sla.working_days_for("opd_response", **(kw | {"sla_class": "complex"})) == 14
    from casework.models import Category

    health = Category.objects.get(code="kesehatan")
    SlaPolicy.objects.create(stage="opd_response", priority="tinggi", working_days=3)
    SlaPolicy.objects.create(stage="opd_response", category=health, working_days=4)
    SlaPolicy.objects.create(
        stage="opd_response", category=health, priority="tinggi", working_days=2
    )
    assert sla.working_days_for("opd_response", **(kw | {"priority": "tinggi"})) == 3
    on_health = kw | {"category_id": health.pk}
    assert sla.working_days_for("opd_response", **on_health) == 4
    assert sla.working_days_for("opd_response", **(on_health | {"priority": "tinggi"})) == 2


def test_every_open_task_carries_its_due_time(officers):
    case = f.submit()
    task = CaseTask.objects.get(case=case, stage="verification")
    assert task.due_at == sla.add_working_days(case.created_at, 2)


def test_sla_due_command():
    out = io.StringIO()
    call_command("sla_due", "--start", "2026-12-22T09:00", "--working-days", "2", stdout=out)
    assert out.getvalue().strip() == "2026-12-28T16:00:00+07:00"


def test_a_holiday_added_then_rolled_back_leaves_the_calendar_as_it_was():
    """The calendar is cached per process. A change reloads it at once, in the changing
    transaction too; a rollback used to leave that reload cached, and the next test (or
    request) still took 2026-11-30 for a holiday."""
    from django.db import transaction

    with transaction.atomic():
        HolidayChange.objects.create(date="2026-11-30", is_holiday=True, name="SE Bupati 1/2026")
        assert due("2026-11-27T09:00", 1) == at("2026-12-01")  # its own transaction sees it
        transaction.set_rollback(True)
    assert due("2026-11-27T09:00", 1) == at("2026-11-30")


def test_the_caches_are_connected_when_django_starts_and_cleared_between_tests():
    from casework import caches

    assert caches.names() == ["refdata", "sla"]
    assert due("2026-11-27T09:00", 1) == at("2026-11-30")  # no holiday left by another test

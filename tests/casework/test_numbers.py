"""Public case numbers: a counter per month, from a PostgreSQL sequence that no intake waits
for (casework/numbers.py)."""

import re
import threading
from datetime import datetime

import pytest
from django.db import connection, connections, transaction

from casework import numbers
from casework.models import CaseNumberCounter
from tests import factories as f
from tests.conftest import ensure_reference

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="sequences are PostgreSQL's"
)


def _drop(period):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE IF EXISTS {numbers.sequence_name(period)}")


@pytest.mark.django_db
def test_submitted_cases_get_consecutive_numbers_of_the_month():
    ensure_reference()
    first, second = f.submit(), f.submit()
    assert re.fullmatch(r"LMJ-\d{4}-\d{5}", first.number)
    prefix, period, n = first.number.split("-")
    assert second.number == f"{prefix}-{period}-{int(n) + 1:05d}"


@postgres_only
@pytest.mark.django_db
def test_a_new_month_starts_its_sequence_after_the_counter_row():
    _drop("9911")
    CaseNumberCounter.objects.create(period="9911", last=41)
    moment = datetime(2099, 11, 5, 9, 0)
    assert numbers.next_case_number(moment) == "LMJ-9911-00042"
    assert numbers.next_case_number(moment) == "LMJ-9911-00043"
    # the counter row is left as it was: the sequence counts from now on
    assert CaseNumberCounter.objects.get(period="9911").last == 41


@postgres_only
@pytest.mark.django_db
def test_a_month_without_a_counter_row_starts_at_one():
    _drop("9912")
    assert numbers.next_case_number(datetime(2099, 12, 31, 23, 0)) == "LMJ-9912-00001"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_intake_leaves_a_gap_not_a_duplicate():
    _drop("9810")
    moment = datetime(2098, 10, 1)
    try:
        with transaction.atomic():
            assert numbers.next_case_number(moment) == "LMJ-9810-00001"
            raise RuntimeError("the intake fails after taking its number")
    except RuntimeError:
        pass
    # the sequence was created in the rolled-back transaction: it starts again at one
    assert numbers.next_case_number(moment) == "LMJ-9810-00001"
    with transaction.atomic():
        numbers.next_case_number(moment)
        transaction.set_rollback(True)
    # once the sequence exists, a rolled-back number (00002) is not given out again
    assert numbers.next_case_number(moment) == "LMJ-9810-00003"
    _drop("9810")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_in_a_new_month_all_get_distinct_numbers():
    """Several transactions reach a month whose sequence does not exist yet at once: one
    creates it, the others wait for its commit and use it."""
    _drop("9701")
    moment = datetime(2097, 1, 1)
    n = 6
    barrier = threading.Barrier(n)
    got: list = [None] * n

    def intake(i):
        try:
            barrier.wait()
            with transaction.atomic():
                got[i] = numbers.next_case_number(moment)
        except Exception as exc:  # noqa: BLE001  (asserted below)
            got[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=intake, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(got) == [f"LMJ-9701-{i:05d}" for i in range(1, n + 1)], got
    _drop("9701")


@postgres_only
@pytest.mark.django_db
def test_without_the_right_to_create_a_sequence_the_counter_row_is_used():
    _drop("9601")
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE aspirasi_no_create NOLOGIN")
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE ON casework_casenumbercounter TO aspirasi_no_create"
        )
        cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        cursor.execute("SET LOCAL ROLE aspirasi_no_create")
    moment = datetime(2096, 1, 1)
    assert numbers.next_case_number(moment) == "LMJ-9601-00001"
    assert numbers.next_case_number(moment) == "LMJ-9601-00002"
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute("SELECT to_regclass(%s)", [numbers.sequence_name("9601")])
        assert cursor.fetchone()[0] is None
    assert CaseNumberCounter.objects.get(period="9601").last == 2


def test_periods_are_four_digits():
    with pytest.raises(ValueError):
        numbers.sequence_name("26-1")

"""Statements per action of the happy path on the database (docs/benchmarks.md: statements per action).

The path runs once to warm the process caches (reference data, content types), then again
with every statement captured. Inside the test transaction the outer ``atomic()`` of a service
is a SAVEPOINT/RELEASE pair where production has BEGIN/COMMIT: the counts are the same.

The counts are pinned exactly: a change that adds a statement fails here, and so does one
that removes statements, until the counts below (and docs/benchmarks.md) say the new
measurement (``pytest -s`` prints the table). The prototype spent 179 statements (135
without transaction control) on this path; the measured total must stay below it.
"""

import pytest

from bench.paths import happy_path, markdown_table
from casework.models import CaseEvent, CaseTask

pytestmark = pytest.mark.django_db

# action: (all statements, without BEGIN/COMMIT/SAVEPOINT/RELEASE)
BOUNDS = {
    "submit": (9, 7),
    "verify": (11, 9),
    "dispatch (claims)": (20, 18),
    "accept (OPD 1)": (13, 11),
    "accept (OPD 2)": (13, 11),
    "respond (OPD 1)": (17, 15),
    "respond (OPD 2)": (27, 23),
    "confirm": (14, 10),
}
TOTAL = (124, 104)
PROTOTYPE = (179, 135)


@pytest.fixture
def path_actors(officers):
    return {key: officers[key] for key in ("kim", "forum", "pu", "dinkes")}


def test_happy_path_statement_counts(path_actors):
    happy_path(path_actors)  # warm-up: caches filled as in a running process
    case, steps = happy_path(path_actors)
    print()
    print(markdown_table(steps))

    assert case.status == "closed"
    assert list(
        CaseEvent.objects.filter(case=case).order_by("created_at", "id").values_list("action")
    ) == [
        ("submit",),
        ("claim",),
        ("verify",),
        ("claim",),
        ("dispatch",),
        ("claim",),
        ("accept",),
        ("claim",),
        ("accept",),
        ("respond",),
        ("respond",),
        ("confirm",),
    ]
    assert not CaseTask.objects.filter(case=case, status__in=["NEW", "ASSIGNED", "STARTED"])

    assert [s.action for s in steps] == list(BOUNDS)
    measured = {s.action: (s.all, s.data) for s in steps}
    assert measured == BOUNDS, f"measured {measured}"
    total = (sum(s.all for s in steps), sum(s.data for s in steps))
    assert total == TOTAL
    assert total[0] < PROTOTYPE[0] and total[1] < PROTOTYPE[1], total


def test_each_action_is_one_transaction(path_actors):
    """Every action opens exactly one outer transaction (a savepoint here) and closes it."""
    happy_path(path_actors)
    _case, steps = happy_path(path_actors)
    for step in steps:
        first, last = step.sql[0], step.sql[-1]
        assert first.startswith(("SAVEPOINT", "BEGIN")), (step.action, first)
        assert last.startswith(("RELEASE SAVEPOINT", "COMMIT")), (step.action, last)

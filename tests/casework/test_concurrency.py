"""Races on PostgreSQL: several officers claim one task at the same moment."""

import threading

import pytest
from django.db import connection, connections

from casework import services
from casework.errors import Conflict
from casework.models import CaseTask
from tests import factories as f
from tests.conftest import ensure_reference

pytestmark = pytest.mark.django_db(transaction=True)


def race(n, action):
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = ("ok", action(i))
        except Exception as exc:  # noqa: BLE001  (collected and asserted below)
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_exactly_one_of_several_officers_claims_the_task():
    ensure_reference()
    names = ["forum", "forum2", "forum3", "coordinator"]
    people = [
        f.make_officer(
            "forum_coordinator" if n == "coordinator" else "forum_officer", "35.08.01", n
        )
        for n in names
    ]
    kim = f.make_officer("kim_operator", "35.08.01.2001", "kim")
    case = services.verify_case(case=f.submit(), actor=kim)

    results = race(len(people), lambda i: services.claim_task(case=case, actor=people[i]))

    wins = [r for r in results if r[0] == "ok"]
    losses = [r for r in results if r[0] == "error"]
    assert len(wins) == 1, results
    assert all(isinstance(exc, Conflict) for _kind, exc in losses), results
    case.refresh_from_db()
    assert case.status == "in_triage"
    task = CaseTask.objects.get(case=case, stage="triage")
    assert task.status == "ASSIGNED"
    assert case.events.filter(action="claim").count() == 2  # the verify claim and this one
    winner = wins[0][1]
    assert winner.status == "in_triage"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_opd_responding_at_once_reach_responded_once():
    ensure_reference()
    kim = f.make_officer("kim_operator", "35.08.01.2001", "kim")
    forum = f.make_officer("forum_officer", "35.08.01", "forum")
    pu = f.make_officer("opd_officer", "dputr", "pu")
    dinkes = f.make_officer("opd_officer", "dinkes", "dinkes")
    case = services.verify_case(case=f.submit(), actor=kim)
    case = services.dispatch_case(case=case, actor=forum, opds=["dputr", "dinkes"])
    case = services.accept_assignment(case=case, actor=pu)
    case = services.accept_assignment(case=case, actor=dinkes)
    people = [pu, dinkes]

    results = race(
        2, lambda i: services.respond_assignment(case=case, actor=people[i], response="ok")
    )

    assert [r[0] for r in results] == ["ok", "ok"], results
    case.refresh_from_db()
    assert case.status == "responded"
    assert CaseTask.objects.filter(case=case, stage="confirmation", status="NEW").count() == 1
    assert list(case.events.filter(action="respond").values_list("to_status", flat=True)) == [
        "in_progress",
        "responded",
    ]

"""The officers' task lists: my open tasks and my unit's queue."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from tests import factories as f
from tests.conftest import DESA_INACTIVE

from .helpers import assert_error, url

pytestmark = pytest.mark.django_db


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_queue_and_mine(officers, as_officer):
    first = f.forwarded(officers)
    second = f.forwarded(officers)
    forum = as_officer("forum")

    queue = items(forum.get(url("tasks"), {"scope": "queue"}))
    assert sorted(t["case"]["number"] for t in queue) == [first.number, second.number]
    task = next(t for t in queue if t["case"]["number"] == first.number)
    assert task["stage"] == "triage"
    assert task["unit"]["code"] == "35.08.01"
    assert task["assignee"] is None
    assert task["case"]["title"] == first.title
    assert task["case"]["status"] == "forwarded"
    assert set(task) >= {"id", "due_at", "created", "stage_label"}
    assert items(forum.get(url("tasks"))) == []  # "mine" is the default

    services.claim_task(case=first, actor=officers["forum"])
    mine = items(forum.get(url("tasks"), {"scope": "mine"}))
    assert [(t["case"]["number"], t["assignee"], t["case"]["status"]) for t in mine] == [
        (first.number, "forum", "in_triage")
    ]
    assert [t["case"]["number"] for t in items(forum.get(url("tasks"), {"scope": "queue"}))] == [
        second.number
    ]
    assert items(as_officer("forum2").get(url("tasks"), {"scope": "mine"})) == []
    assert items(as_officer("forum_other").get(url("tasks"), {"scope": "queue"})) == []


def test_opd_queue(officers, as_officer):
    case = f.dispatched(officers, opds=("dputr", "dinkes"))
    pu_queue = items(as_officer("pu").get(url("tasks"), {"scope": "queue"}))
    assert [(t["stage"], t["unit"]["code"], t["case"]["number"]) for t in pu_queue] == [
        ("opd_acceptance", "dputr", case.number)
    ]
    assert items(as_officer("dinsos").get(url("tasks"), {"scope": "queue"})) == []


def test_bad_scope(officers, as_officer):
    body = assert_error(as_officer("forum").get(url("tasks"), {"scope": "all"}), 400, "invalid")
    assert "scope" in body["fields"]


@pytest.mark.parametrize("scope", ["queue", "mine"])
def test_task_list_runs_a_constant_number_of_queries(officers, client_for, scope):
    forum = officers["forum"]
    client = client_for(forum)

    def add(n: int) -> None:
        for _ in range(n):
            case = f.submit(desa=DESA_INACTIVE)  # straight into the forum's queue
            if scope == "mine":
                services.claim_task(case=case, actor=forum)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("tasks"), {"scope": scope, "page_size": 50})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    add(2)
    few, listed = count()
    assert listed == 2
    add(18)
    many, listed = count()
    assert listed == 20
    assert many == few == 2  # the count and the page

"""The officers' task page (web:tasks): my tasks and the unit queue, by role and scope, with
filters, counts, claim and release, bulk claim and bulk reassign."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from casework import services
from casework.models import CaseTask
from tests import factories as f
from tests.conftest import OTHER_DESA

from .test_review import (
    count_queries,
    login,
    messages_of,
    numbers_in,
    open_task,
    past_due,
)

pytestmark = pytest.mark.django_db
TASKS = "/petugas/tugas/"
BULK = "/petugas/tugas/massal/"


def shown(client: Client, query: str = "") -> list[str]:
    response = client.get(TASKS + query)
    assert response.status_code == 200
    return numbers_in(response.content.decode(), "task-row")


def count(html: str, tab: str) -> int:
    return int(html.split(f'data-testid="count-{tab}">')[1].split("<")[0])


# ----------------------------------------------------------------------------- access and scope


def test_anonymous_and_unit_less_users(officers, django_user_model):
    response = Client().get(TASKS)
    assert response.status_code == 302
    assert response["Location"] == "/masuk/?next=/petugas/tugas/"
    admin = django_user_model.objects.create_user("admin-only", password="x-rahasia-1")
    assert login(admin).get(TASKS).status_code == 403


def test_each_role_sees_its_units_queue(officers):
    received = f.submit()  # verification at the desa's KIM
    other_received = f.submit(desa=OTHER_DESA)
    forwarded = f.forwarded(officers)
    dispatched = f.dispatched(officers, opds=("dputr", "dinkes"))

    queue = "?tab=queue"
    assert shown(login(officers["kim"]), queue) == [received.number]
    assert shown(login(officers["kim_other"]), queue) == [other_received.number]
    assert shown(login(officers["forum"]), queue) == [forwarded.number]
    assert shown(login(officers["coordinator"]), queue) == [forwarded.number]
    assert shown(login(officers["forum_other"]), queue) == []
    assert shown(login(officers["pu"]), queue) == [dispatched.number]
    assert shown(login(officers["dinkes"]), queue) == [dispatched.number]
    assert shown(login(officers["dinsos"]), queue) == []
    supervisor = shown(login(officers["supervisor"]), queue)
    assert sorted(supervisor) == sorted(
        [received.number, other_received.number, forwarded.number] + [dispatched.number] * 2
    )
    # "mine" is the default tab and empty until something is claimed
    assert shown(login(officers["forum"])) == []


def test_tab_counts_and_mine(officers):
    first = f.forwarded(officers)
    second = f.forwarded(officers)
    f.forwarded(officers)
    services.claim_task(case=first, actor=officers["forum"])
    services.claim_task(case=second, actor=officers["forum"])
    client = login(officers["forum"])
    html = client.get(TASKS).content.decode()
    assert (count(html, "mine"), count(html, "queue")) == (2, 1)
    assert sorted(numbers_in(html, "task-row")) == sorted([first.number, second.number])
    assert (count(login(officers["forum2"]).get(TASKS).content.decode(), "mine")) == 0
    # counts follow the filters
    html = client.get(TASKS + f"?q={first.number}").content.decode()
    assert (count(html, "mine"), count(html, "queue")) == (1, 0)


def test_filters(officers):
    plain = f.forwarded(officers, title="Lampu jalan mati")
    urgent = f.forwarded(officers, priority="darurat", title="Banjir di dusun")
    late = f.forwarded(officers, title="Saluran tersumbat")
    past_due([open_task(late, "triage")], days=2)
    client = login(officers["forum"])
    assert shown(client, "?tab=queue&priority=darurat") == [urgent.number]
    assert shown(client, "?tab=queue&overdue=1") == [late.number]
    assert sorted(shown(client, "?tab=queue&overdue=0")) == sorted([plain.number, urgent.number])
    assert shown(client, "?tab=queue&q=banjir") == [urgent.number]
    assert shown(client, f"?tab=queue&q={plain.number}") == [plain.number]
    assert len(shown(client, "?tab=queue&status=forwarded&stage=triage")) == 3
    assert shown(client, "?tab=queue&stage=opd_response") == []
    assert shown(client, "?tab=queue&status=closed") == []
    html = client.get(TASKS + "?tab=queue&overdue=1").content.decode()
    assert "overdue" in html.split('data-testid="task-row"')[1] or "terlambat" in html


# ----------------------------------------------------------------------------- actions


def test_claim_and_release_buttons(officers):
    case = f.forwarded(officers)
    client = login(officers["forum"])
    claim = reverse("web:claim-open", args=[case.number])
    release = reverse("web:case-action", args=[case.number, "release"])
    html = client.get(TASKS + "?tab=queue").content.decode()
    assert claim in html and release not in html
    client.post(claim, {"next": TASKS + "?tab=queue"})
    task = open_task(case, "triage")
    assert task.owner == officers["forum"]
    html = client.get(TASKS).content.decode()
    assert release in html and claim not in html
    # another officer sees the held task neither in the queue nor with a button
    other = login(officers["forum2"]).get(TASKS + "?tab=queue").content.decode()
    assert claim not in other and release not in other
    client.post(release, {"next": TASKS})
    task.refresh_from_db()
    assert task.owner_id is None


def test_bulk_claim(officers):
    cases = [f.forwarded(officers) for _ in range(3)]
    tasks = [open_task(c, "triage") for c in cases]
    client = login(officers["forum"])
    response = client.post(
        BULK,
        {"operation": "claim", "tasks": [tasks[0].pk, tasks[1].pk], "next": TASKS + "?tab=queue"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == TASKS + "?tab=queue"
    assert messages_of(response)
    owners = {t.pk: t.owner_id for t in CaseTask.objects.filter(pk__in=[t.pk for t in tasks])}
    assert owners == {
        tasks[0].pk: officers["forum"].pk,
        tasks[1].pk: officers["forum"].pk,
        tasks[2].pk: None,
    }
    # already held: reported, nothing changes; out of scope: not even a valid choice
    again = client.post(BULK, {"operation": "claim", "tasks": [tasks[0].pk]}, follow=True)
    assert messages_of(again)
    foreign = login(officers["forum_other"]).post(
        BULK, {"operation": "claim", "tasks": [tasks[2].pk]}, follow=True
    )
    assert messages_of(foreign)
    tasks[2].refresh_from_db()
    assert tasks[2].owner_id is None


def test_bulk_reassign(officers):
    cases = [f.forwarded(officers) for _ in range(2)]
    tasks = [open_task(c, "triage") for c in cases]
    coordinator = login(officers["coordinator"])
    html = coordinator.get(TASKS + "?tab=queue").content.decode()
    assert 'value="reassign"' in html and 'value="forum2"' in html
    coordinator.post(
        BULK, {"operation": "reassign", "to": "forum2", "tasks": [t.pk for t in tasks]}
    )
    assert {t.owner_id for t in CaseTask.objects.filter(pk__in=[t.pk for t in tasks])} == {
        officers["forum2"].pk
    }
    assert all(c.events.filter(action="reassign").exists() for c in cases)
    # no officer chosen: refused by the form
    third = open_task(f.forwarded(officers), "triage")
    missing = coordinator.post(
        BULK, {"operation": "reassign", "to": "", "tasks": [third.pk]}, follow=True
    )
    assert messages_of(missing)
    third.refresh_from_db()
    assert third.owner_id is None


def test_reassign_is_neither_offered_nor_accepted_for_officers(officers):
    task = open_task(f.forwarded(officers), "triage")
    forum = login(officers["forum"])
    html = forum.get(TASKS + "?tab=queue").content.decode()
    assert 'value="reassign"' not in html
    forged = forum.post(
        BULK, {"operation": "reassign", "to": "forum2", "tasks": [task.pk]}, follow=True
    )
    assert messages_of(forged)
    task.refresh_from_db()
    assert task.owner_id is None


def test_forms_need_the_csrf_token(officers):
    task = open_task(f.forwarded(officers), "triage")
    client = Client(enforce_csrf_checks=True)
    client.force_login(officers["forum"])
    html = client.get(TASKS + "?tab=queue").content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert client.post(BULK, {"operation": "claim", "tasks": [task.pk]}).status_code == 403
    task.refresh_from_db()
    assert task.owner_id is None


def test_bulk_does_not_redirect_off_site(officers):
    task = open_task(f.forwarded(officers), "triage")
    response = login(officers["forum"]).post(
        BULK, {"operation": "claim", "tasks": [task.pk], "next": "https://example.com/"}
    )
    assert not response["Location"].startswith("https://example.com")


# ----------------------------------------------------------------------------- statements


@pytest.mark.parametrize("tab", ["queue", "mine"])
def test_constant_statements_for_2_or_20_tasks(officers, tab):
    client = login(officers["forum"])

    def grow(n: int) -> None:
        for _ in range(n):
            case = f.forwarded(officers)
            if tab == "mine":
                services.claim_task(case=case, actor=officers["forum"])

    grow(2)
    client.get(TASKS)  # warm the reference-data cache
    small = count_queries(client, f"{TASKS}?tab={tab}")
    grow(18)
    assert len(shown(client, f"?tab={tab}")) == 20
    large = count_queries(client, f"{TASKS}?tab={tab}")
    assert large == small, (small, large)
    supervisor = login(officers["supervisor"])
    supervisor.get(TASKS)
    assert count_queries(supervisor, f"{TASKS}?tab=queue") <= small + 2


# ----------------------------------------------------------------------------- long lists


def badge(html: str, tab: str) -> str:
    return html.split(f'data-testid="count-{tab}">')[1].split("<")[0]


def test_long_lists_are_counted_up_to_a_limit(officers, monkeypatch):
    """Past the counting limit a tab shows "n+", the pager the pages known to exist; the
    page shown is always the right slice of the list, in due order."""
    from casework.web.views import queues

    monkeypatch.setattr(queues, "COUNT_LIMIT", 2)
    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    cases = [f.forwarded(officers) for _ in range(5)]
    for case in cases[:3]:
        services.claim_task(case=case, actor=officers["forum"])
    # due order = creation order here; the queue keeps the last two, "mine" the first three
    client = login(officers["forum"])
    html = client.get(TASKS + "?tab=queue").content.decode()
    assert badge(html, "mine") == "2+"
    assert badge(html, "queue") == "2"
    assert "Halaman 1 dari 1<" in html

    html = client.get(TASKS + "?tab=mine").content.decode()
    assert numbers_in(html, "task-row") == [c.number for c in cases[:2]]
    assert badge(html, "mine") == "2+"
    assert "Halaman 1 dari 2+<" in html and "page=2" in html
    html = client.get(TASKS + "?tab=mine&page=2").content.decode()
    # counting reaches as far as the page asked for, so the end is known again
    assert numbers_in(html, "task-row") == [cases[2].number]
    assert badge(html, "mine") == "3"
    assert "Halaman 2 dari 2<" in html and "page=3" not in html
    # past the end, or nonsense: the last page, or the first, as before
    assert numbers_in(client.get(TASKS + "?tab=mine&page=9").content.decode(), "task-row") == [
        cases[2].number
    ]
    assert numbers_in(client.get(TASKS + "?tab=mine&page=x").content.decode(), "task-row") == [
        c.number for c in cases[:2]
    ]


def test_text_search_counts_stop_sooner(officers, monkeypatch):
    from casework.web.views import queues

    monkeypatch.setattr(queues, "SEARCH_COUNT_LIMIT", 1)
    for title in ("Jalan rusak di dusun", "Jalan berlubang"):
        services.claim_task(case=f.forwarded(officers, title=title), actor=officers["forum"])
    f.forwarded(officers, title="Jalan licin")
    f.forwarded(officers, title="Lampu mati")
    f.forwarded(officers, title="Jembatan jalan putus")
    html = login(officers["forum"]).get(TASKS + "?tab=queue&q=JALAN").content.decode()
    assert len(numbers_in(html, "task-row")) == 2
    assert badge(html, "queue") == "2"  # the tab shown is counted as far as its page
    assert badge(html, "mine") == "1+"


def test_each_row_offers_what_the_case_page_and_the_service_accept(officers):
    """A row's one-click action comes from the actions' policies: release is not offered
    while the case waits for information (the service refuses it), and the supervisor, whose
    unit holds no task, is offered no claim in the kabupaten's queue."""
    held = f.in_triage(officers, title="Ditelaah forum")
    waiting = services.request_info(
        case=f.in_triage(officers, title="Menunggu jawaban"), actor=officers["forum"], question="?"
    )
    forum = login(officers["forum"])
    html = forum.get(TASKS + "?tab=mine").content.decode()
    row_of = {
        number: html.split(f">{number}<")[1].split("</tr>")[0]
        for number in (held.number, waiting.number)
    }
    assert f"/petugas/laporan/{held.number}/aksi/release/" in html
    assert f"/petugas/laporan/{waiting.number}/aksi/release/" not in html
    assert "aksi/" not in row_of[waiting.number]
    response = forum.post(f"/petugas/laporan/{waiting.number}/aksi/release/")
    assert response.status_code == 302  # refused with a message: the same decision
    f.forwarded(officers, title="Di antrean forum")
    queue = login(officers["supervisor"]).get(TASKS + "?tab=queue").content.decode()
    assert "/ambil/" not in queue
    assert "/ambil/" in forum.get(TASKS + "?tab=queue").content.decode()

"""The supervisor's review page: escalated cases and overdue tasks, with acknowledge and
reassign, filters, CSV, and a constant number of statements per page."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import CaseTask, Escalation
from tests import factories as f
from workflows import sla
from workflows.sweep import sweep

pytestmark = pytest.mark.django_db

REVIEW = "/petugas/pengawasan/"


# ----------------------------------------------------------------------------- helpers (shared)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def escalate() -> None:
    """Sweep at a moment two working days past level 2 of every open deadline."""
    latest = max(
        t.due_at for t in CaseTask.objects.filter(status="NEW").exclude(due_at__isnull=True)
    )
    sweep(now=sla.add_working_days(latest, 3))


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def numbers_in(html: str, testid: str) -> list[str]:
    """Case numbers of the rows marked ``data-testid=testid``."""
    rows = html.split(f'data-testid="{testid}"')[1:]
    numbers = []
    for row in rows:
        found = re.search(r"LMJ-\d{4}-\d{5}", row)
        assert found, f"no case number in a {testid} row"
        numbers.append(found.group(0))
    return numbers


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    return len(queries)


def past_due(tasks, days: int = 3) -> None:
    """Move these tasks' deadlines ``days`` days into the past (as of the real clock)."""
    CaseTask.objects.filter(pk__in=[t.pk for t in tasks]).update(
        due_at=timezone.now() - timedelta(days=days)
    )


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def escalated(officers):
    """A triage and an OPD stage, both escalated to level 2 (four escalations)."""
    triage_case = f.forwarded(officers, reporter_email="")
    opd_case = f.dispatched(officers, opds=("dputr",), reporter_email="")
    escalate()
    return triage_case, opd_case


def open_task(case, stage: str) -> CaseTask:
    return CaseTask.objects.get(case=case, stage=stage, status__in=("NEW", "ASSIGNED", "STARTED"))


# ----------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("supervisor", 200),
        ("coordinator", 200),
        ("pu_head", 200),
        ("forum", 403),
        ("kim", 403),
        ("pu", 403),
    ],
)
def test_role_matrix(officers, who, status):
    assert login(officers[who]).get(REVIEW).status_code == status


def test_anonymous_goes_to_sign_in(officers):
    response = Client().get(REVIEW + "?tab=overdue")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/?next=/petugas/pengawasan/")


def test_page_is_indonesian_by_default(officers):
    html = login(officers["supervisor"]).get(REVIEW).content.decode()
    assert '<html lang="id">' in html
    assert reverse("web:review") == REVIEW


# ----------------------------------------------------------------------------- the escalation list


def test_scope_per_role(officers, escalated):
    triage_case, opd_case = escalated
    html = login(officers["supervisor"]).get(REVIEW).content.decode()
    # one row per escalated task, at its highest level
    assert sorted(numbers_in(html, "escalation-row")) == sorted(
        [triage_case.number, opd_case.number]
    )
    assert 'data-testid="count-escalations">2<' in html
    assert reverse("web:case", args=[triage_case.number]) in html
    coordinator = login(officers["coordinator"]).get(REVIEW).content.decode()
    assert set(numbers_in(coordinator, "escalation-row")) == {triage_case.number, opd_case.number}
    head = login(officers["pu_head"]).get(REVIEW).content.decode()
    assert set(numbers_in(head, "escalation-row")) == {opd_case.number}


def test_columns_show_what_the_review_needs(officers, escalated):
    triage_case, _opd = escalated
    escalation = Escalation.objects.get(case=triage_case, level=2)
    html = login(officers["supervisor"]).get(REVIEW).content.decode()
    row = html.split(f'id="e{escalation.pk}"')[1].split("</tr>")[0]
    assert triage_case.title in row
    assert "Tempursari" in row or "Forum" in row  # the unit that missed the deadline
    assert escalation.due_at.isoformat()[:10] in row  # deadline as <time datetime>
    assert "unclaimed" in row or "belum" in row.lower()  # nobody holds the triage task


def test_filters(officers, escalated):
    triage_case, opd_case = escalated
    client = login(officers["supervisor"])

    def shown(query: str) -> list[str]:
        return numbers_in(client.get(REVIEW + query).content.decode(), "escalation-row")

    assert len(shown("?level=2")) == 2
    assert len(shown("?level=1")) == 0  # both tasks reached level 2
    assert set(shown("?unit=dputr&stage=opd_acceptance")) == {opd_case.number}
    assert set(shown("?stage=triage")) == {triage_case.number}
    assert shown("?state=acknowledged") == []
    assert len(shown("?state=open")) == 2
    # age since raised: move one case's escalations three days back
    Escalation.objects.filter(case=triage_case).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    Escalation.objects.filter(case=opd_case).update(created_at=timezone.now() - timedelta(hours=5))
    assert set(shown("?age=2")) == {triage_case.number}
    assert shown("?age=7") == []
    # a bad value is shown as an error and ignored
    response = client.get(REVIEW + "?level=9")
    assert response.status_code == 200
    assert len(numbers_in(response.content.decode(), "escalation-row")) == 2


def test_supervisor_acknowledges_with_a_comment(officers, escalated):
    triage_case, _opd = escalated
    escalation = Escalation.objects.get(case=triage_case, level=2)
    url = reverse("web:review-acknowledge", args=[escalation.pk])
    client = login(officers["supervisor"])
    html = client.get(REVIEW).content.decode()
    assert url in html and 'name="comment"' in html

    missing = client.post(url, {"comment": "  ", "next": REVIEW + "?level=1"}, follow=True)
    assert missing.redirect_chain == [(REVIEW + "?level=1", 302)]
    assert len(messages_of(missing)) == 1
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None

    done = client.post(url, {"comment": "Koordinator sudah ditelepon."}, follow=True)
    assert done.redirect_chain == [(REVIEW, 302)]
    assert triage_case.number in messages_of(done)[0]
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == officers["supervisor"]
    assert escalation.comment == "Koordinator sudah ditelepon."
    assert triage_case.events.filter(action="acknowledge").count() == 1

    again = client.post(url, {"comment": "lagi"}, follow=True)
    assert again.status_code == 200
    assert len(messages_of(again)) == 1
    assert triage_case.events.filter(action="acknowledge").count() == 1
    escalation.refresh_from_db()
    assert escalation.comment == "Koordinator sudah ditelepon."

    # the acknowledged row shows who, when and the comment, and no form any more
    html = client.get(REVIEW + "?state=acknowledged").content.decode()
    row = html.split(f'id="e{escalation.pk}"')[1].split("</tr>")[0]
    assert "supervisor" in row and "Koordinator sudah ditelepon." in row
    assert url not in row


def test_only_the_supervisor_acknowledges(officers, escalated):
    triage_case, _opd = escalated
    escalation = Escalation.objects.get(case=triage_case, level=1)
    url = reverse("web:review-acknowledge", args=[escalation.pk])
    coordinator = login(officers["coordinator"])
    assert url not in coordinator.get(REVIEW).content.decode()  # not offered
    refused = coordinator.post(url, {"comment": "saya tanggapi"})  # forged
    assert refused.status_code == 302
    assert messages_of(refused)
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None
    assert login(officers["forum"]).post(url, {"comment": "x"}).status_code == 403
    assert Client().post(url, {"comment": "x"}).status_code == 302  # to the sign-in form
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None


def test_forms_need_the_csrf_token(officers, escalated):
    triage_case, _opd = escalated
    escalation = Escalation.objects.get(case=triage_case, level=1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(officers["supervisor"])
    html = client.get(REVIEW).content.decode()
    assert html.count('name="csrfmiddlewaretoken"') >= 4  # every row form carries one
    url = reverse("web:review-acknowledge", args=[escalation.pk])
    assert client.post(url, {"comment": "tanpa token"}).status_code == 403
    task = open_task(triage_case, "triage")
    reassign = reverse("web:review-reassign", args=[task.pk])
    assert client.post(reassign, {"to": "forum2"}).status_code == 403
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None


def test_reassign_from_the_review_page(officers, escalated):
    triage_case, opd_case = escalated
    triage = open_task(triage_case, "triage")
    acceptance = open_task(opd_case, "opd_acceptance")
    url = reverse("web:review-reassign", args=[triage.pk])
    supervisor = login(officers["supervisor"])
    html = supervisor.get(REVIEW + "?stage=triage").content.decode()
    assert url in html
    options = html.split(f'id="to-{triage.pk}"')[1].split("</select>")[0]
    assert 'value="forum2"' in options and 'value="pu"' not in options  # its unit only

    response = supervisor.post(url, {"to": "forum2", "next": REVIEW + "?stage=triage"})
    assert response["Location"] == REVIEW + "?stage=triage"
    triage.refresh_from_db()
    assert triage.owner == officers["forum2"]
    event = triage_case.events.filter(action="reassign").get()
    assert event.actor == officers["supervisor"] and event.payload["to"] == "forum2"

    wrong_unit = supervisor.post(
        reverse("web:review-reassign", args=[acceptance.pk]), {"to": "forum"}
    )
    assert messages_of(wrong_unit)
    acceptance.refresh_from_db()
    assert acceptance.owner_id is None

    # a coordinator reassigns the forum's task, is offered nothing for the OPD's
    coordinator = login(officers["coordinator"])
    html = coordinator.get(REVIEW).content.decode()
    assert url in html
    assert reverse("web:review-reassign", args=[acceptance.pk]) not in html
    coordinator.post(url, {"to": "forum"})
    triage.refresh_from_db()
    assert triage.owner == officers["forum"]
    forged = coordinator.post(reverse("web:review-reassign", args=[acceptance.pk]), {"to": "pu"})
    assert messages_of(forged)
    acceptance.refresh_from_db()
    assert acceptance.owner_id is None

    # an OPD head cannot reach the forum's task at all
    head = login(officers["pu_head"])
    assert head.post(url, {"to": "pu"}).status_code == 404
    head.post(reverse("web:review-reassign", args=[acceptance.pk]), {"to": "pu2"})
    acceptance.refresh_from_db()
    assert acceptance.owner == officers["pu2"]
    assert login(officers["forum"]).post(url, {"to": "forum2"}).status_code == 403


# ----------------------------------------------------------------------------- the overdue list


@pytest.fixture
def overdue(officers):
    """Open tasks past their deadline: two forum tasks (one waiting for information, which
    does not count) and an OPD task, plus one not yet due."""
    late_triage = f.forwarded(officers)
    waiting = f.in_triage(officers)
    services.request_info(case=waiting, actor=officers["forum"], question="Di RT berapa?")
    late_opd = f.dispatched(officers, opds=("dputr",))
    not_due = f.forwarded(officers)
    past_due([open_task(late_triage, "triage")], days=3)
    past_due([open_task(waiting, "triage")], days=9)
    past_due([open_task(late_opd, "opd_acceptance")], days=8)
    return {"triage": late_triage, "waiting": waiting, "opd": late_opd, "not_due": not_due}


def test_overdue_tab_by_scope(officers, overdue):
    supervisor = login(officers["supervisor"]).get(REVIEW + "?tab=overdue").content.decode()
    assert sorted(numbers_in(supervisor, "overdue-row")) == sorted(
        [overdue["opd"].number, overdue["triage"].number]
    )
    assert 'data-testid="count-overdue">2<' in supervisor
    coordinator = login(officers["coordinator"]).get(REVIEW + "?tab=overdue").content.decode()
    assert set(numbers_in(coordinator, "overdue-row")) == {
        overdue["opd"].number,
        overdue["triage"].number,
    }
    head = login(officers["pu_head"]).get(REVIEW + "?tab=overdue").content.decode()
    assert numbers_in(head, "overdue-row") == [overdue["opd"].number]
    # reassign offered only where the service would accept it
    triage = open_task(overdue["triage"], "triage")
    acceptance = open_task(overdue["opd"], "opd_acceptance")
    assert reverse("web:review-reassign", args=[triage.pk]) in coordinator
    assert reverse("web:review-reassign", args=[acceptance.pk]) not in coordinator
    assert reverse("web:review-reassign", args=[acceptance.pk]) in head
    assert reverse("web:review-reassign", args=[acceptance.pk]) in supervisor


def test_overdue_filters_and_reassign(officers, overdue):
    client = login(officers["supervisor"])

    def shown(query: str) -> list[str]:
        return numbers_in(
            client.get(REVIEW + "?tab=overdue" + query).content.decode(), "overdue-row"
        )

    assert shown("&unit=dputr") == [overdue["opd"].number]
    assert shown("&stage=triage") == [overdue["triage"].number]
    assert shown("&age=7") == [overdue["opd"].number]
    assert shown("&age=30") == []
    triage = open_task(overdue["triage"], "triage")
    client.post(reverse("web:review-reassign", args=[triage.pk]), {"to": "forum2"})
    triage.refresh_from_db()
    assert triage.owner == officers["forum2"]
    html = client.get(REVIEW + "?tab=overdue&stage=triage").content.decode()
    assert "forum2" in html.split('data-testid="overdue-row"')[1]


# ----------------------------------------------------------------------------- CSV


def test_csv_of_the_escalations_keeps_the_filters(officers, escalated):
    _triage_case, opd_case = escalated
    client = login(officers["supervisor"])
    html = client.get(REVIEW + "?level=2&unit=dputr").content.decode()
    assert "level=2&amp;unit=dputr&amp;format=csv" in html
    rows = csv_rows(client.get(REVIEW + "?level=2&unit=dputr&format=csv"))
    assert len(rows) == 2
    header, row = rows
    assert len(header) == len(row) == 13
    assert row[0] == opd_case.number and row[3] == "dputr" and row[5] == "2"
    everything = csv_rows(client.get(REVIEW + "?format=csv"))
    assert len(everything) == 3  # one row per escalated task, as on the page
    text = repr(everything)
    for secret in ("Siti Aminah", "81234567890", "3508014101900001", "siti@example.org"):
        assert secret not in text


def test_csv_of_the_overdue_list(officers, overdue):
    rows = csv_rows(
        login(officers["coordinator"]).get(REVIEW + "?tab=overdue&stage=triage&format=csv")
    )
    assert [r[0] for r in rows[1:]] == [overdue["triage"].number]
    assert rows[1][4] == "35.08.01" and rows[1][8] == "3"
    for secret in ("Siti Aminah", "81234567890", "3508014101900001", "siti@example.org"):
        assert secret not in repr(rows)
    assert login(officers["forum"]).get(REVIEW + "?tab=overdue&format=csv").status_code == 403


def test_csv_defuses_formulas(officers, reference):
    from casework.web.csv import cell

    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert cell("+62 812") == "'+62 812"
    assert cell(-3) == -3
    assert cell(None) == ""
    assert cell("Jalan rusak") == "Jalan rusak"


# ----------------------------------------------------------------------------- statements


def test_constant_statements_for_2_or_20_rows(officers):
    client = login(officers["supervisor"])
    f.forwarded(officers, reporter_email="")
    escalate()
    tasks = list(CaseTask.objects.filter(status="NEW", stage="triage"))
    past_due(tasks)
    client.get(REVIEW)  # warm the reference-data cache
    urls = [REVIEW, REVIEW + "?tab=overdue", REVIEW + "?format=csv"]
    small = [count_queries(client, u) for u in urls]
    assert Escalation.objects.filter(kind="escalation").count() == 2

    for _ in range(9):
        f.forwarded(officers, reporter_email="")
    escalate()
    CaseTask.objects.filter(status="NEW", stage="triage").update(
        due_at=timezone.now() - timedelta(days=3)
    )
    assert Escalation.objects.filter(kind="escalation").count() == 20
    # a few rows held by an officer, and some acknowledged, as in real life
    some = Escalation.objects.order_by("id")[:5]
    for escalation in some:
        services.acknowledge_escalation(
            escalation_id=escalation.pk, actor=officers["supervisor"], comment="dicatat"
        )
    large = [count_queries(client, u) for u in urls]
    assert large == small, (small, large)
    assert small[0] <= 10, small


def test_overdue_list_past_the_counting_limit(officers, overdue, monkeypatch):
    """Past the counting limit the tab shows "n+"; the page is the same list, by unit."""
    from casework.web.views import supervision

    shown = login(officers["supervisor"]).get(REVIEW + "?tab=overdue").content.decode()
    monkeypatch.setattr(supervision, "COUNT_LIMIT", 1)
    client = login(officers["supervisor"])
    assert 'data-testid="count-overdue">1+<' in client.get(REVIEW).content.decode()
    limited = client.get(REVIEW + "?tab=overdue").content.decode()
    # the tab shown is counted as far as its page goes
    assert 'data-testid="count-overdue">2<' in limited
    assert numbers_in(limited, "overdue-row") == numbers_in(shown, "overdue-row")
    assert len(numbers_in(shown, "overdue-row")) == 2

"""The supervisor's list of escalated cases and its acknowledgement."""

import pytest
from rest_framework.test import APIClient

from casework.models import CaseTask, Escalation
from tests import factories as f
from workflows import sla
from workflows.sweep import sweep

pytestmark = pytest.mark.django_db
SECOND = sla.timedelta(seconds=1)


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def escalated(officers):
    """A triage and an OPD stage, both past level 2."""
    triage_case = f.forwarded(officers, reporter_email="")
    opd_case = f.dispatched(officers, opds=("dputr",), reporter_email="")
    latest = max(
        t.due_at
        for t in CaseTask.objects.filter(status="NEW", stage__in=["triage", "opd_acceptance"])
    )
    sweep(now=sla.add_working_days(latest, 3))
    return triage_case, opd_case


def test_list_filters_and_scopes(officers, escalated):
    triage_case, opd_case = escalated
    supervisor = client_for(officers["supervisor"])
    rows = supervisor.get("/api/v1/escalations/").json()["results"]
    assert len(rows) == 4
    assert {r["case"] for r in rows} == {triage_case.number, opd_case.number}
    assert len(supervisor.get("/api/v1/escalations/?level=2").json()["results"]) == 2
    opd_rows = supervisor.get("/api/v1/escalations/?unit=dputr&stage=opd_acceptance").json()
    assert {r["case"] for r in opd_rows["results"]} == {opd_case.number}
    assert supervisor.get("/api/v1/escalations/?state=acknowledged").json()["count"] == 0

    coordinator = client_for(officers["coordinator"]).get("/api/v1/escalations/").json()
    assert {r["case"] for r in coordinator["results"]} == {triage_case.number, opd_case.number}
    head = client_for(officers["pu_head"]).get("/api/v1/escalations/").json()
    assert {r["case"] for r in head["results"]} == {opd_case.number}
    assert client_for(officers["forum"]).get("/api/v1/escalations/").json()["count"] == 0
    assert APIClient().get("/api/v1/escalations/").status_code == 401


def test_supervisor_acknowledges_once(officers, escalated):
    triage_case, _opd = escalated
    escalation = Escalation.objects.filter(case=triage_case, level=1).get()
    url = f"/api/v1/escalations/{escalation.pk}/acknowledge/"
    assert client_for(officers["coordinator"]).post(url, {"comment": "ok"}).status_code == 403
    assert client_for(officers["supervisor"]).post(url, {}).status_code == 400
    answer = client_for(officers["supervisor"]).post(url, {"comment": "Ditugaskan ulang."})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["acknowledged_by"] == "supervisor"
    again = client_for(officers["supervisor"]).post(url, {"comment": "lagi"})
    assert again.status_code == 409
    assert triage_case.events.filter(action="acknowledge").count() == 1
    state = client_for(officers["supervisor"]).get("/api/v1/escalations/?state=open").json()
    assert state["count"] == 3


def test_case_detail_shows_deadlines_and_escalations(officers, escalated):
    triage_case, _opd = escalated
    detail = client_for(officers["supervisor"]).get(f"/api/v1/cases/{triage_case.number}/").json()
    assert [e["level"] for e in detail["escalations"]] == [1, 2]
    task = CaseTask.objects.get(case=triage_case, stage="triage")
    assert detail["next_due_at"] is not None
    assert detail["tasks"][0]["due_at"] == detail["next_due_at"]
    assert task.due_at is not None
    assert detail["target_at"] is not None

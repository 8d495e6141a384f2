"""A disputed answer goes back to the officer who gave it; to the OPD's queue when that
officer has left the unit or may no longer sign in."""

import pytest

from casework import actions, selectors, services
from casework.models import CaseTask, Unit
from casework.scenarios import Route
from tests import factories as f

pytestmark = pytest.mark.django_db


def reopened(case):
    return CaseTask.objects.get(case=case, stage="opd_response", status__in=["NEW", "ASSIGNED"])


def test_dispute_returns_the_task_to_the_answering_officer(officers):
    case = f.responded(officers)
    case = services.dispute_case(case=case, reason="Lubangnya masih ada")
    task = reopened(case)
    assert task.status == "ASSIGNED"
    assert task.owner_id == officers["pu"].pk
    assert task.unit.code == "dputr"
    # the answering officer may respond again at once; a colleague sees nothing to claim
    tasks = list(selectors.open_tasks(case))
    assert "respond" in actions.allowed(officers["pu"], case, tasks)
    assert "claim" not in actions.allowed(officers["pu2"], case, tasks)
    assert not selectors.tasks_for(officers["pu2"], "queue").filter(case=case).exists()
    assert selectors.tasks_for(officers["pu"], "mine").filter(case=case).exists()
    case = services.respond_assignment(case=case, actor=officers["pu"], response="Sudah dicor.")
    assert case.status == "responded"


def test_dispute_goes_to_the_queue_when_the_officer_is_inactive(officers):
    case = f.responded(officers)
    officers["pu"].is_active = False
    officers["pu"].save(update_fields=["is_active"])
    case = services.dispute_case(case=case, reason="Lubangnya masih ada")
    task = reopened(case)
    assert task.status == "NEW"
    assert task.owner_id is None
    assert selectors.tasks_for(officers["pu2"], "queue").filter(case=case).exists()
    tasks = list(selectors.open_tasks(case))
    assert "claim" in actions.allowed(officers["pu2"], case, tasks)


def test_dispute_goes_to_the_queue_when_the_officer_left_the_unit(officers):
    case = f.responded(officers)
    pu = officers["pu"]
    pu.unit = Unit.objects.get(code="dinkes", kind="opd")
    pu.save(update_fields=["unit"])
    case = services.dispute_case(case=case, reason="Lubangnya masih ada")
    task = reopened(case)
    assert task.status == "NEW"
    assert task.owner_id is None
    assert task.unit.code == "dputr"


def test_dispute_returns_each_opd_its_own_answering_officer(officers):
    route = Route(opds=("dputr", "dinkes"), texts={"response": "Sudah ditangani."})
    case = f.drive(officers, "responded", route)
    case = services.dispute_case(case=case, reason="Belum selesai")
    owners = {
        t.unit.code: t.owner_id
        for t in CaseTask.objects.filter(case=case, stage="opd_response", status="ASSIGNED")
    }
    assert owners == {"dputr": officers["pu"].pk, "dinkes": officers["dinkes"].pk}


def test_dispute_returns_to_who_answered_not_who_accepted(officers):
    case = f.drive(officers, "in_progress", Route(opds=("dputr",)))
    case = services.reassign_task(case=case, actor=officers["pu_head"], to="pu2")
    case = services.respond_assignment(case=case, actor=officers["pu2"], response="Sudah dicor.")
    case = services.dispute_case(case=case, reason="Masih berlubang")
    assert reopened(case).owner_id == officers["pu2"].pk

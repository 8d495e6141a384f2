"""The bulk generator of the scale benchmarks (bench/generate.py) writes cases the real code
can work: officers claim, dispatch and accept them through the services, and the sweep
escalates them once their deadline has passed."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bench.generate import generate
from casework import refdata, services
from casework.models import (
    Assignment,
    Case,
    CaseTask,
    Escalation,
    Notification,
    Unit,
    UnitKind,
)
from casework.services import TRACKING_ALPHABET
from tests import factories as f
from workflows.sweep import sweep

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the generator writes PostgreSQL SQL"
    ),
]
CASES = 200
OPEN = ("NEW", "ASSIGNED", "STARTED")
STAGE_OF = {
    "forwarded": ("triage", "NEW"),
    "in_triage": ("triage", "ASSIGNED"),
    "dispatched": ("opd_acceptance", "NEW"),
    "in_progress": ("opd_response", "ASSIGNED"),
}


@pytest.fixture
def generated(reference):
    result = generate(connection, cases=CASES, seed=7)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # every foreign key checked now
    refdata.invalidate()
    return result


def raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def generated_cases():
    return Case.objects.filter(number__regex=r"-[0-9]{7,}$")


def open_task(case):
    tasks = list(CaseTask.objects.filter(case=case, status__in=OPEN))
    assert len(tasks) == 1, tasks
    return tasks[0]


def test_generated_rows_look_like_the_services_rows(generated):
    assert generated.cases == CASES
    assert generated.rows["casework_case"] == CASES
    assert generated.rows["open"] == CASES
    cases = list(generated_cases())
    assert len(cases) == CASES
    assert len({c.number for c in cases}) == len({c.tracking_code for c in cases}) == CASES
    assert all(
        len(c.tracking_code) == 12 and set(c.tracking_code) <= set(TRACKING_ALPHABET) for c in cases
    )
    assert {c.status for c in cases} == set(STAGE_OF)
    # phone and NIK go through the model's field (encrypted at rest) and read back
    phones = [c.reporter_phone for c in cases if c.reporter_phone]
    niks = [c.reporter_nik for c in cases if c.reporter_nik]
    assert phones and all(p.startswith("08") and len(p) == 12 and p.isdigit() for p in phones)
    assert niks and all(len(n) == 16 and n.isdigit() for n in niks)

    # the engine's strings are those of a case the services start
    real = f.submit(desa="35.08.01.2003")  # its KIM is inactive: straight to triage
    ids = [c.pk for c in cases]
    assert raw(
        "SELECT DISTINCT flow_class, status FROM casework_caseprocess WHERE case_id = ANY(%s)",
        [ids],
    ) == raw("SELECT flow_class, status FROM casework_caseprocess WHERE case_id = %s", [real.pk])
    task_strings = (
        "SELECT DISTINCT flow_task, flow_task_type, token, status, stage FROM casework_casetask "
        "WHERE case_id = ANY(%s) AND (flow_task_type = 'START' OR status = 'NEW') "
        "AND stage IN ('', 'triage') ORDER BY 1"
    )
    assert raw(task_strings, [ids]) == raw(task_strings, [[real.pk]])

    now = timezone.now()
    for case in cases:
        task = open_task(case)
        stage, status = STAGE_OF[case.status]
        assert (task.stage, task.status, task.flow_task_type) == (stage, status, "HUMAN")
        assert task.due_at > now and task.sla_next_at > now and task.sla_step == 0
        assert task.sla_next_at < task.due_at
        assert task.process.case_id == case.pk
        if stage == "triage":
            assert task.unit == refdata.forum_of(case.kecamatan_id)
            assert (task.owner_id is None) == (case.status == "forwarded")
            assert case.kecamatan_id == case.desa.parent_id
        else:
            assignment = Assignment.objects.get(case=case)
            assert task.unit_id == assignment.opd_id == task.data["opd"]
            assert task.data["assignment"] == assignment.pk
            assert assignment.status == ("pending" if case.status == "dispatched" else "accepted")
            assert task.token.token.startswith("start/")
        assert case.events.first().action == "submit"


def test_a_forum_officer_claims_and_dispatches_a_generated_case(generated):
    case = generated_cases().filter(status="forwarded").first()
    officer = f.make_officer("forum_officer", case.kecamatan_id, "gen_test_forum")
    case = services.claim_task(case=case, actor=officer)
    assert case.status == "in_triage"
    case = services.dispatch_case(case=case, actor=officer, opds=["dputr", "dinkes"])
    assert case.status == "dispatched"
    branches = CaseTask.objects.filter(case=case, stage="opd_acceptance", status="NEW")
    assert sorted(branches.values_list("unit__code", flat=True)) == ["dinkes", "dputr"]
    assert [e.action for e in case.events.order_by("id")][-2:] == ["claim", "dispatch"]


def test_an_opd_officer_accepts_and_answers_a_generated_dispatched_case(generated):
    case = generated_cases().filter(status="dispatched").first()
    opd = Unit.objects.get(pk=Assignment.objects.get(case=case).opd_id, kind=UnitKind.OPD)
    officer = f.make_officer("opd_officer", opd.code, "gen_test_opd")
    case = services.accept_assignment(case=case, actor=officer)
    assert case.status == "in_progress"
    assert open_task(case).stage == "opd_response"
    # the answer goes through the join of the generated branch to the citizen's confirmation
    case = services.respond_assignment(case=case, actor=officer, response="Sudah diperbaiki.")
    assert case.status == "responded"
    assert open_task(case).stage == "confirmation"


def test_the_owner_of_a_generated_in_progress_case_answers_it(generated):
    case = generated_cases().filter(status="in_progress").first()
    owner = open_task(case).owner
    case = services.respond_assignment(case=case, actor=owner, response="Selesai dikerjakan.")
    assert case.status == "responded"


def test_the_sweep_escalates_generated_tasks_moved_into_the_past(generated):
    assert sweep().total == 0  # nothing generated is due
    now = timezone.now()
    tasks = CaseTask.objects.filter(
        case__in=generated_cases(), status__in=OPEN, stage__in=["triage", "opd_acceptance"]
    ).order_by("pk")[:10]
    ids = list(tasks.values_list("pk", flat=True))
    assert len(ids) == 10
    CaseTask.objects.filter(pk__in=ids).update(
        due_at=now - timedelta(hours=1), sla_step=1, sla_next_at=now - timedelta(hours=1)
    )
    result = sweep()
    assert (result.escalations, result.reminders, result.closed) == (10, 0, 0)
    escalations = Escalation.objects.filter(task_id__in=ids)
    assert sorted(escalations.values_list("task_id", flat=True)) == ids
    assert set(escalations.values_list("kind", "level")) == {("escalation", 1)}
    # level 1 goes to the forum coordinator or the OPD head the generator provisioned
    notified = Notification.objects.filter(template="sla_step", case__tasks__pk__in=ids)
    assert notified.count() == 10
    assert all(n.recipient.startswith(("gen_forum_coordinator", "gen_opd_head")) for n in notified)
    assert sweep().total == 0  # the same moment again changes nothing

"""Each path of the process end to end at the service level: states, tasks and the audit trail."""

import pytest

from casework import services
from casework.models import Assignment, CaseProcess, CaseTask
from tests import factories as f
from tests.conftest import DESA_INACTIVE

pytestmark = pytest.mark.django_db


def actions(case):
    return [
        (e.action, e.from_status, e.to_status) for e in case.events.order_by("created_at", "id")
    ]


def open_stages(case):
    return sorted(
        t.stage
        for t in CaseTask.objects.filter(case=case, status__in=["NEW", "ASSIGNED"])
        if t.stage
    )


def test_happy_path_two_opd_one_declining(officers):
    case = f.submit()
    assert case.status == "received"
    assert open_stages(case) == ["verification"]

    case = services.verify_case(case=case, actor=officers["kim"])
    assert case.status == "forwarded"
    assert open_stages(case) == ["triage"]

    case = services.dispatch_case(case=case, actor=officers["forum"], opds=["dputr", "dinkes"])
    assert case.status == "dispatched"
    assert open_stages(case) == ["opd_acceptance", "opd_acceptance"]

    case = services.accept_assignment(case=case, actor=officers["pu"])
    assert case.status == "in_progress"
    case = services.decline_assignment(
        case=case, actor=officers["dinkes"], reason="Bukan wewenang", suggested_opd="dputr"
    )
    assert case.status == "in_progress"
    assert open_stages(case) == ["opd_response"]

    case = services.respond_assignment(case=case, actor=officers["pu"], response="Sudah ditambal.")
    assert case.status == "responded"
    assert open_stages(case) == ["confirmation"]

    case = services.confirm_case(case=case, rating=5, comment="Terima kasih")
    assert case.status == "closed"
    assert case.rating == 5
    assert open_stages(case) == []
    assert CaseProcess.objects.get(case=case).status == "DONE"
    assert actions(case) == [
        ("submit", "", "received"),
        ("claim", "received", "received"),
        ("verify", "received", "forwarded"),
        ("claim", "forwarded", "in_triage"),
        ("dispatch", "in_triage", "dispatched"),
        ("claim", "dispatched", "dispatched"),
        ("accept", "dispatched", "in_progress"),
        ("claim", "in_progress", "in_progress"),
        ("decline", "in_progress", "in_progress"),
        ("respond", "in_progress", "responded"),
        ("confirm", "responded", "closed"),
    ]
    statuses = dict(Assignment.objects.filter(case=case).values_list("opd__code", "status"))
    assert statuses == {"dputr": "responded", "dinkes": "declined"}


def test_all_opd_declining_returns_to_the_triage_officer(officers):
    case = f.dispatched(officers, opds=("dputr", "dinkes"))
    case = services.decline_assignment(case=case, actor=officers["pu"], reason="Bukan wewenang")
    assert case.status == "dispatched"
    case = services.decline_assignment(case=case, actor=officers["dinkes"], reason="Bukan wewenang")
    assert case.status == "in_triage"
    triage = CaseTask.objects.get(case=case, stage="triage", status="ASSIGNED")
    assert triage.owner == officers["forum"]
    case = services.dispatch_case(case=case, actor=officers["forum"], opds=["dinsos"])
    assert case.status == "dispatched"
    assert open_stages(case) == ["opd_acceptance"]


def test_request_and_provide_info_at_triage(officers):
    case = f.in_triage(officers)
    case = services.request_info(case=case, actor=officers["forum"], question="Di RT berapa?")
    assert case.status == "needs_info"
    assert case.info_question == "Di RT berapa?"
    assert open_stages(case) == ["triage"]
    case = services.provide_info(case=case, text="RT 03 RW 01")
    assert case.status == "in_triage"
    assert actions(case)[-2:] == [
        ("request_info", "in_triage", "needs_info"),
        ("provide_info", "needs_info", "in_triage"),
    ]


def test_request_info_at_verification_answered_by_kim(officers):
    case = f.submit()
    case = services.request_info(case=case, actor=officers["kim"], question="Foto?")
    assert case.status == "needs_info"
    case = services.provide_info(case=case, actor=officers["kim"], text="Foto diserahkan")
    assert case.status == "received"
    case = services.verify_case(case=case, actor=officers["kim"])
    assert case.status == "forwarded"


def test_resolve_at_forum(officers):
    case = f.in_triage(officers, category="permintaan-informasi")
    case = services.resolve_case(
        case=case, actor=officers["forum"], response="Jadwal posyandu: ..."
    )
    assert case.status == "responded"
    assert open_stages(case) == ["confirmation"]
    case = services.confirm_case(case=case, rating=4)
    assert case.status == "closed"


def test_merge_counts_a_supporter(officers):
    target = f.forwarded(officers)
    duplicate = f.forwarded(officers, desa="35.08.01.2001")
    duplicate = services.merge_case(case=duplicate, actor=officers["forum"], into=target.number)
    assert duplicate.status == "merged"
    assert duplicate.merged_into_id == target.pk
    target.refresh_from_db()
    assert target.supporters == 2
    assert target.events.filter(action="merge").get().payload["merged_from"] == duplicate.number
    assert open_stages(duplicate) == []


def test_reject_at_triage_and_at_verification(officers):
    case = f.forwarded(officers)
    case = services.reject_case(case=case, actor=officers["forum"], reason="Bukan aspirasi")
    assert case.status == "rejected"
    assert case.rejection_reason == "Bukan aspirasi"
    assert open_stages(case) == []
    early = services.reject_case(case=f.submit(), actor=officers["kim"], reason="Iklan")
    assert early.status == "rejected"


def test_dispute_reopens_for_the_same_opd(officers):
    case = f.responded(officers)
    case = services.dispute_case(case=case, reason="Belum diperbaiki")
    assert case.status == "in_progress"
    assert open_stages(case) == ["opd_response"]
    reopened = CaseTask.objects.get(case=case, stage="opd_response", status="NEW")
    assert reopened.unit.code == "dputr"
    case = services.respond_assignment(case=case, actor=officers["pu"], response="Sudah dicor.")
    assert case.status == "responded"
    case = services.close_case(case=case)
    assert case.status == "closed"
    assert actions(case)[-1] == ("close", "responded", "closed")


def test_inactive_kim_skips_verification(officers):
    case = f.submit(desa=DESA_INACTIVE)
    assert case.status == "forwarded"
    assert open_stages(case) == ["triage"]
    assert actions(case) == [("submit", "", "forwarded")]
    assert case.events.get().payload["verification_skipped"] is True


@pytest.mark.parametrize("desa, first", [(None, "verify"), (DESA_INACTIVE, "triage")])
def test_the_start_writes_the_rows_viewflow_expects(officers, desa, first):
    """The lean start (workflows/nodes.py) leaves what viewflow's own start would: a running
    process, a finished start task, and the first task linked back to it."""
    case = f.submit(**({"desa": desa} if desa else {}))
    process = CaseProcess.objects.get(case=case)
    assert process.status == "NEW" and process.flow_class.__name__ == "CaseFlow"
    start, task = CaseTask.objects.filter(process=process).order_by("id")
    assert (start.flow_task.name, start.flow_task_type, start.status) == ("start", "START", "DONE")
    assert start.started and start.finished and start.token == "start"
    assert (task.flow_task.name, task.flow_task_type, task.status) == (first, "HUMAN", "NEW")
    assert task.case_id == start.case_id == case.pk
    assert task.token == "start" and task.due_at and task.unit_id
    assert list(task.previous.all()) == [start]
    assert list(start.leading.all()) == [task]

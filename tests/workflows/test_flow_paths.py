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
    reopened = CaseTask.objects.get(case=case, stage="opd_response", status="ASSIGNED")
    assert reopened.unit.code == "dputr"
    assert reopened.owner == officers["pu"]  # the officer who answered
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


def _start_rows(case):
    """What a start left: the process, and each task as viewflow reads it back."""
    process = CaseProcess.objects.get(case=case)
    tasks = list(CaseTask.objects.filter(process=process).order_by("id"))
    moments = ("created", "started", "finished", "assigned", "due_at", "sla_next_at")
    return {
        "process": (str(process.flow_class), process.status, process.finished),
        "tasks": [
            {
                "node": t.flow_task.name,
                "type": t.flow_task_type,
                "status": t.status,
                "token": str(t.token),
                "stage": t.stage,
                "unit": t.unit_id,
                "owner": t.owner_id,
                "data": t.data,
                "case": t.case_id == case.pk,
                "previous": [tasks.index(p) for p in t.previous.all()],
                "moments": [m for m in moments if getattr(t, m) is not None],
                "sla": (t.sla_step, t.sla_cycle),
            }
            for t in tasks
        ],
    }


@pytest.mark.parametrize("desa, first", [(None, "verify"), (DESA_INACTIVE, "triage")])
@pytest.mark.parametrize("batched", [True, False])
def test_the_lean_start_writes_what_viewflow_s_own_start_writes(officers, desa, first, batched):
    """The lean start (workflows/nodes.py: three INSERTs, no flow lock or savepoint) leaves
    the rows viewflow's own start leaves: the same case submitted once with each, compared
    row by row (primary keys and instants aside)."""
    from unittest import mock

    from viewflow.workflow.nodes.start import StartActivation

    from casework import batch
    from workflows.nodes import RoutedStartActivation

    fields = {"desa": desa} if desa else {}
    with mock.patch.object(batch, "available", return_value=batched and batch.available()):
        lean = f.submit(**fields)
        # viewflow's own execute (the transition's descriptor, as StartActivation has it)
        own_execute = StartActivation.__dict__["execute"]
        with mock.patch.object(RoutedStartActivation, "execute", own_execute):
            own = f.submit(**fields)
    assert _start_rows(lean) == _start_rows(own)
    rows = _start_rows(lean)
    assert [t["node"] for t in rows["tasks"]] == ["start", first]
    assert rows["tasks"][1]["previous"] == [0] and rows["process"][1] == "NEW"

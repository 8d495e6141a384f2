"""The case process: graph only. Services in :mod:`casework.services` decide and record each
action; the nodes here hold the work queues and the order of the stages. A human task's
outgoing edges are keyed by the actions that complete it, whose routes come from the outcome
table (:data:`casework.lifecycle.OUTCOMES`); the join decides with
:func:`casework.lifecycle.opd_round`, as the services do."""

from __future__ import annotations

from datetime import datetime

from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError

from casework import refdata
from casework.batch import RowBatch
from casework.lifecycle import (
    ANSWERED,
    RETURNED,
    START_TRIAGE,
    START_VERIFY,
    AssignmentStatus,
    CaseStatus,
    Stage,
    opd_round,
    outcome,
)
from casework.models import OPD_ROLES, Assignment, Case, CaseProcess, CaseTask

from . import sla
from .lock import CaseRowLock
from .nodes import ForEach, HumanTask, RoutedJoin, RoutedStart


class CaseFlow(flow.Flow):
    """Aspirasi case

    Village verification, kecamatan triage, one branch per dispatched OPD, citizen confirmation.
    """

    process_class = CaseProcess
    task_class = CaseTask
    lock_impl = CaseRowLock()

    start = (
        RoutedStart(this.start_case)
        .Annotation(title=_("Aspiration received"))
        .Decide(this.first_stage)
        .Route(START_VERIFY, this.verify, label=_("KIM active"))
        .Route(START_TRIAGE, this.triage, label=_("KIM inactive or verified at intake"))
    )

    verify = (
        HumanTask(Stage.VERIFICATION)
        .Annotation(title=_("Village verification"))
        .Queue(this.kim_unit)
        .Due(this.stage_due)
        .On("verify", this.triage, label=_("verified"))
        .On("reject", this.end_rejected, label=_("rejected"))
    )

    triage = (
        HumanTask(Stage.TRIAGE)
        .Annotation(title=_("Kecamatan triage"))
        .Queue(this.forum_unit)
        .Due(this.stage_due)
        .Owner(this.returning_triage_officer)
        .On("dispatch", this.dispatch, label=_("dispatched"))
        .On("resolve", this.confirm, label=_("answered by the forum"))
        .On("merge", this.end_merged, label=_("merged"))
        .On("reject", this.end_rejected, label=_("rejected"))
    )

    dispatch = (
        ForEach()
        .Annotation(title=_("Dispatch to OPD"))
        .Each(this.opd_accept, this.pending_assignments)
    )

    opd_accept = (
        HumanTask(Stage.OPD_ACCEPTANCE)
        .Annotation(title=_("OPD acceptance"))
        .Queue(this.assignment_unit)
        .Due(this.stage_due)
        .On("accept", this.opd_respond, data=this.carry_assignment, label=_("accepted"))
        .On("decline", this.join, label=_("not its authority"))
    )

    opd_respond = (
        HumanTask(Stage.OPD_RESPONSE)
        .Annotation(title=_("OPD follow-up"))
        .Queue(this.assignment_unit)
        .Due(this.stage_due)
        .Owner(this.accepting_officer)
        .On("respond", this.join, label=_("responded"))
        .On("decline", this.join, label=_("not its authority"))
    )

    join = (
        RoutedJoin()
        .Annotation(title=_("All OPD done"))
        .Decide(this.after_opd_round)
        .Route(ANSWERED, this.confirm, label=_("answered"))
        .Route(RETURNED, this.triage, data=this.back_to_triage_officer, label=_("all declined"))
    )

    confirm = (
        HumanTask(Stage.CONFIRMATION)
        .Annotation(title=_("Citizen confirmation"))
        .Due(this.stage_due)
        .On("confirm", this.end_closed, label=_("confirmed"))
        .On("close", this.end_closed, label=_("no reply in time"))
        .On("dispute", this.reopen, label=_("disputed"))
    )

    reopen = (
        ForEach()
        .Annotation(title=_("Reopen for the same OPD"))
        .Each(this.opd_respond, this.reopened_assignments)
    )

    end_closed = flow.End().Annotation(title=_("Closed"))
    end_rejected = flow.End().Annotation(title=_("Rejected"))
    end_merged = flow.End().Annotation(title=_("Merged"))

    # --- node callbacks -------------------------------------------------------------

    def stage_due(self, activation: Activation) -> datetime:
        """The task's deadline, with its service-level clock set to the first step."""
        return sla.start_clock(activation.task, case=activation.process.case, start=now())

    def start_case(
        self, activation: Activation, *, case: Case, rows: RowBatch | None = None
    ) -> CaseProcess:
        activation.process.case = case
        activation.rows = rows
        return activation.process

    def first_stage(self, activation: Activation) -> str:
        """The desa's KIM verifies a new case, unless the intake already moved it on (the
        KIM is inactive, or its operator recorded and so verified the case)."""
        case = activation.process.case
        kim = refdata.kim_of(case.desa_id)
        active = kim is not None and kim.active
        return START_VERIFY if active and case.status == CaseStatus.RECEIVED else START_TRIAGE

    def kim_unit(self, activation: Activation) -> int | None:
        kim = refdata.kim_of(activation.process.case.desa_id)
        return kim.pk if kim else None

    def forum_unit(self, activation: Activation) -> int | None:
        forum = refdata.forum_of(activation.process.case.kecamatan_id)
        return forum.pk if forum else None

    def assignment_unit(self, activation: Activation) -> int:
        return activation.task.data["opd"]

    def returning_triage_officer(self, activation: Activation) -> int | None:
        return activation.task.data.get("returning")

    def accepting_officer(self, activation: Activation) -> int | None:
        return activation.task.data.get("owner")

    def carry_assignment(self, activation: Activation) -> dict:
        """The officer who accepted carries on with the follow-up."""
        data = activation.task.data
        return {
            "assignment": data["assignment"],
            "opd": data["opd"],
            "owner": activation.task.owner_id,
        }

    def back_to_triage_officer(self, activation: Activation) -> dict:
        """Every OPD declined: the triage officer who dispatched takes the case again."""
        owner_id = (
            CaseTask.objects.filter(
                case_id=activation.process.case_id, stage=Stage.TRIAGE, status="DONE"
            )
            .order_by("-finished")
            .values_list("owner_id", flat=True)
            .first()
        )
        return {"returning": owner_id}

    def pending_assignments(self, activation: Activation) -> list[dict]:
        rows = Assignment.objects.filter(
            case_id=activation.process.case_id, status=AssignmentStatus.PENDING
        ).values_list("pk", "opd_id")
        return [{"assignment": pk, "opd": opd_id} for pk, opd_id in rows]

    def reopened_assignments(self, activation: Activation) -> list[dict]:
        """Each reopened branch goes back to the officer who answered it, while they are
        still an active officer of the OPD; otherwise to the OPD's queue."""
        case_id = activation.process.case_id
        rows = Assignment.objects.filter(
            case_id=case_id, status=AssignmentStatus.ACCEPTED
        ).values_list("pk", "opd_id")
        answered = CaseTask.objects.filter(
            case_id=case_id,
            stage=Stage.OPD_RESPONSE,
            status="DONE",
            data__outcome=outcome("respond", Stage.OPD_RESPONSE).route,
        ).order_by("finished", "id")
        answerer: dict[int, int | None] = {}  # the latest answer of each assignment
        for data, owner_id, unit_id, active, role in answered.values_list(
            "data", "owner_id", "owner__unit_id", "owner__is_active", "owner__role"
        ):
            present = active and role in OPD_ROLES and unit_id == data.get("opd")
            answerer[data.get("assignment")] = owner_id if present else None
        return [{"assignment": pk, "opd": opd_id, "owner": answerer.get(pk)} for pk, opd_id in rows]

    def after_opd_round(self, activation: Activation) -> str:
        """Every branch is in: the round's route, as the services decided the status."""
        statuses = Assignment.objects.filter(case_id=activation.process.case_id).values_list(
            "status", flat=True
        )
        route = opd_round(statuses).route
        if route is None:  # a branch still open: the join would not have fired
            raise FlowRuntimeError("the OPD round is not over")
        return route

"""The one outcome table (casework.lifecycle) that the case status and the process both read:
its rows agree with the django-fsm transitions of Case and with the flow's edges, a flow
node that differs from it refuses to load, and the end of an OPD round is decided once."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ImproperlyConfigured
from viewflow import this
from viewflow.workflow import flow

from casework import actions, lifecycle
from casework.lifecycle import ROUND, AssignmentStatus, CaseStatus, Stage
from casework.models import Case
from workflows import charts
from workflows.flows import CaseFlow
from workflows.nodes import HumanTask, RoutedJoin

A = AssignmentStatus


def test_the_case_transitions_are_the_table_s():
    found = {
        (edge.src, edge.dst, name)
        for edge in charts.state_transitions(Case, "status")
        for name in edge.names
    }
    expected = {
        (source, target, name)
        for name, (sources, targets) in lifecycle.TRANSITIONS.items()
        for source in sources
        for target in targets
    }
    assert found == expected
    for name in lifecycle.TRANSITIONS:
        assert callable(getattr(Case, name)), name


def test_every_outcome_is_a_transition_the_case_can_take():
    round_statuses = {
        lifecycle.opd_round(o).status for o in ([A.PENDING], [A.ACCEPTED], [A.RESPONDED], [])
    }
    for row in lifecycle.OUTCOMES:
        _sources, targets = lifecycle.TRANSITIONS[row.transition]
        reached = round_statuses & set(targets) if row.status == ROUND else {row.status}
        assert reached and reached <= set(targets), row
        assert actions.find(row.action) is not None, f"{row.action} is not declared"


def test_every_human_task_routes_exactly_the_table_s_outcomes():
    nodes = {node.name: node for node in CaseFlow.instance.nodes()}
    stages = {node.stage: node for node in nodes.values() if isinstance(node, HumanTask)}
    assert set(stages) == set(Stage.values)
    for stage, node in stages.items():
        assert set(node._routes) == lifecycle.routes(stage), stage
    assert set(nodes["join"]._routes) == set(lifecycle.ROUND_ROUTES)
    assert set(nodes["start"]._routes) == set(lifecycle.START_ROUTES)


def test_a_node_with_other_routes_than_the_table_refuses_to_load():
    with pytest.raises(ImproperlyConfigured, match="outcome table"):

        class Broken(flow.Flow):
            process_class = CaseFlow.process_class
            task_class = CaseFlow.task_class
            start = flow.StartHandle().Next(this.verify)
            # the village's verification without its "reject" outcome
            verify = HumanTask(Stage.VERIFICATION).On("verify", this.end)
            end = flow.End()


def test_a_join_with_other_routes_than_the_round_refuses_to_load():
    with pytest.raises(ImproperlyConfigured, match="outcome table"):

        class Broken(flow.Flow):
            process_class = CaseFlow.process_class
            task_class = CaseFlow.task_class
            start = flow.StartHandle().Next(this.join)
            # every OPD declined: the route back to triage is missing
            join = RoutedJoin().Route(lifecycle.ANSWERED, this.end)
            end = flow.End()


@pytest.mark.parametrize(
    "others",
    [list(c) for n in range(3) for c in itertools.combinations_with_replacement(list(A), n)],
)
def test_the_opd_round(others):
    """After one OPD's answer or decline: the case waits while another works on it, is
    answered when any OPD responded, returns to triage when all declined."""
    declined = lifecycle.opd_round(others)
    responded = lifecycle.after_response(others)
    working = {A.PENDING, A.ACCEPTED} & set(others)
    if working:
        assert declined.route is None and responded.route is None
        status = CaseStatus.IN_PROGRESS if A.ACCEPTED in others else CaseStatus.DISPATCHED
        assert declined.status == status
        assert responded.status == CaseStatus.IN_PROGRESS
    else:
        assert responded == lifecycle.Round(CaseStatus.RESPONDED, lifecycle.ANSWERED)
        if A.RESPONDED in others:
            assert declined == lifecycle.Round(CaseStatus.RESPONDED, lifecycle.ANSWERED)
        else:
            assert declined == lifecycle.Round(CaseStatus.IN_TRIAGE, lifecycle.RETURNED)

"""The lifecycle charts come from the code, and the committed docs/lifecycle.md matches it."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from casework.models import Case, CaseStatus
from workflows import charts
from workflows.flows import CaseFlow
from workflows.management.commands import lifecycle_docs


def _mermaid_states(diagram: str) -> set[str]:
    return set(re.findall(r"^    (\w+) : ", diagram, flags=re.MULTILINE))


def test_every_status_appears_in_the_state_diagram():
    diagram = charts.case_state_mermaid()
    assert diagram.startswith("stateDiagram-v2\n")
    assert _mermaid_states(diagram) == set(CaseStatus.values)
    reached = set(re.findall(r"--> (\w+)", diagram))
    # every state but the initial one is the target of some transition
    assert set(CaseStatus.values) - {"received"} <= reached
    dot = charts.case_state_dot()
    for code in CaseStatus.values:
        assert f'"{code}" [label=' in dot


def test_state_diagram_follows_the_transitions():
    steps = {(e.src, e.dst): e.names for e in charts.state_transitions(Case)}
    assert steps[("received", "forwarded")] == ("forward",)
    assert steps[("responded", "closed")] == ("close", "confirm")
    # a RETURN_VALUE transition shows one arrow per allowed target
    assert ("needs_info", "received") in steps
    assert ("needs_info", "in_triage") in steps
    assert charts.initial_state(Case) == "received"
    assert set(charts.final_states(Case)) == {"closed", "rejected", "merged"}


def test_every_flow_node_appears_in_the_chart():
    names = {node.name for node in CaseFlow.instance.nodes()}
    mermaid = charts.flow_mermaid(CaseFlow)
    dot = charts.flow_dot(CaseFlow)
    assert mermaid.startswith("flowchart LR\n")
    assert dot.startswith("digraph CaseFlow {")
    for node in CaseFlow.instance.nodes():
        assert re.search(rf"^    {node.name}[(\[{{]", mermaid, flags=re.MULTILINE), node.name
        with translation.override(None):  # the docs are drawn with the source labels
            title = str(node.task_title)
        assert f'"{node.name}" [label="{title}"' in dot, node.name
    # every outgoing edge of every node is drawn
    for node in CaseFlow.instance.nodes():
        for edge in node._outgoing():
            assert f'"{edge.src.name}" -> "{edge.dst.name}"' in dot
            assert re.search(rf"^    {edge.src.name} -->.* {edge.dst.name}$", mermaid, re.M)
    assert set(charts.iter_node_names(CaseFlow)) == names


@pytest.mark.django_db
def test_the_engine_port_draws_a_case_s_position(officers):
    """The case page reaches the chart through the process engine's port, never viewflow."""
    from casework import ports
    from tests import factories as f

    case = f.submit()
    svg = ports.engine().chart_svg(case, "en")
    assert svg.strip().startswith("<svg") and "Village verification" in svg
    assert charts.node_statuses(case.pk) == (("start", "DONE"), ("verify", "NEW"))


def test_lifecycle_doc_is_up_to_date():
    call_command("lifecycle_docs", "--check")


def test_check_fails_on_a_stale_file(tmp_path):
    stale = tmp_path / "lifecycle.md"
    stale.write_text("# old\n", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("lifecycle_docs", "--check", "--output", str(stale))
    call_command("lifecycle_docs", "--output", str(stale))
    assert stale.read_text(encoding="utf-8") == lifecycle_docs.render()
    call_command("lifecycle_docs", "--check", "--output", str(stale))

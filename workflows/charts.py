"""Charts of the lifecycle, generated from the code that runs it.

* the process graph of a viewflow flow (its nodes and their outgoing edges), as Graphviz dot
  and as a Mermaid ``flowchart``;
* the state machine of a django-fsm field (every ``@transition`` of the model), as a Mermaid
  ``stateDiagram-v2`` and as Graphviz dot.

Labels are rendered untranslated (the source strings) so that the output does not depend on
the active language or on compiled message catalogues.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import translation
from django_fsm import FSMField, State

# ----------------------------------------------------------------------------- flow graph


@dataclass(frozen=True)
class FlowNode:
    name: str
    title: str
    kind: str  # start, end, task, gateway, join, event


@dataclass(frozen=True)
class FlowEdge:
    src: str
    dst: str
    labels: tuple[str, ...]
    style: str = "solid"  # solid, or dashed for a boundary event on its host


_KINDS = {
    "START": "start",
    "HUMAN_START": "start",
    "END": "end",
    "HUMAN": "task",
    "FUNCTION": "task",
    "JOB": "task",
    "PARALLEL_GATEWAY": "gateway",
    "EXCLUSIVE_GATEWAY": "gateway",
    "SWITCH": "gateway",
    "JOIN": "join",
    "TIMER": "event",
    "EVENT": "event",
    "CONDITION": "event",
}


def _node_kind(node: Any) -> str:
    return _KINDS.get(str(getattr(node, "task_type", "") or ""), "task")


def _ordered_nodes(flow_class: type) -> list[Any]:
    """Nodes in the order a reader follows them: breadth first from the start nodes, then any
    node not reached that way (by name), so that the output is stable."""
    flow: Any = flow_class  # viewflow's flows are untyped
    nodes = {node.name: node for node in flow.instance.nodes()}
    starts = sorted(name for name, node in nodes.items() if _node_kind(node) == "start")
    seen: dict[str, None] = {}
    queue = deque(starts)
    while queue:
        name = queue.popleft()
        if name in seen or name not in nodes:
            continue
        seen[name] = None
        node = nodes[name]
        queue.extend(edge.dst.name for edge in node._outgoing())
        queue.extend(
            event.name for event in getattr(node, "_boundary_events", ()) if event.name in nodes
        )
    for name in sorted(nodes):
        seen.setdefault(name, None)
    return [nodes[name] for name in seen]


def flow_graph(flow_class: type) -> tuple[list[FlowNode], list[FlowEdge]]:
    """The nodes and edges of a flow; parallel edges between two nodes share one edge."""
    ordered = _ordered_nodes(flow_class)
    # the docs are drawn with the source labels, whatever the active language
    with translation.override(None):
        nodes = [FlowNode(n.name, str(n.task_title or n.name), _node_kind(n)) for n in ordered]
        edges: dict[tuple[str, str, str], list[str]] = {}
        for node in ordered:
            host = getattr(node, "_attached_to", None)
            if host is not None:
                # a boundary event sits on its host task; it is not a sequence flow
                edges.setdefault((host.name, node.name, "dashed"), [])
            for edge in node._outgoing():
                labels = edges.setdefault((edge.src.name, edge.dst.name, "solid"), [])
                if edge.label and str(edge.label) not in labels:
                    labels.append(str(edge.label))
    return nodes, [
        FlowEdge(src, dst, tuple(labels), style) for (src, dst, style), labels in edges.items()
    ]


def _dot_quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


_DOT_SHAPES = {
    "start": 'shape=circle, style=filled, fillcolor="#d9f2d9", width=0.3',
    "end": 'shape=doublecircle, style=filled, fillcolor="#f2d9d9", width=0.3',
    "task": 'shape=box, style="rounded,filled", fillcolor="#eef3fb"',
    "gateway": "shape=diamond",
    "join": "shape=diamond",
    "event": "shape=circle, style=dashed, width=0.3",
}


def flow_dot(flow_class: type) -> str:
    """The process graph of ``flow_class`` as Graphviz dot."""
    nodes, edges = flow_graph(flow_class)
    lines = [
        f"digraph {flow_class.__name__} {{",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for node in nodes:
        lines.append(
            f"  {_dot_quote(node.name)} [label={_dot_quote(node.title)}, {_DOT_SHAPES[node.kind]}];"
        )
    for edge in edges:
        attrs = []
        if edge.labels:
            attrs.append(f"label={_dot_quote(' / '.join(edge.labels))}")
        if edge.style == "dashed":
            attrs.append("style=dashed")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {_dot_quote(edge.src)} -> {_dot_quote(edge.dst)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# Mermaid keywords that cannot be node ids in a flowchart
_MERMAID_RESERVED = frozenset(
    {"end", "graph", "subgraph", "flowchart", "style", "class", "classDef", "click", "linkStyle"}
)


def _mermaid_id(name: str) -> str:
    return f"{name}_" if name in _MERMAID_RESERVED else name


def _mermaid_text(value: str) -> str:
    return '"' + value.replace('"', "#quot;") + '"'


_MERMAID_SHAPES = {
    "start": ("((", "))"),
    "end": ("(((", ")))"),
    "task": ("(", ")"),
    "gateway": ("{", "}"),
    "join": ("{", "}"),
    "event": ("((", "))"),
}


def flow_mermaid(flow_class: type) -> str:
    """The process graph of ``flow_class`` as a Mermaid ``flowchart``."""
    nodes, edges = flow_graph(flow_class)
    lines = ["flowchart LR"]
    for node in nodes:
        left, right = _MERMAID_SHAPES[node.kind]
        lines.append(f"    {_mermaid_id(node.name)}{left}{_mermaid_text(node.title)}{right}")
    for edge in edges:
        arrow = "-.->" if edge.style == "dashed" else "-->"
        label = f"|{_mermaid_text(' / '.join(edge.labels))}|" if edge.labels else ""
        lines.append(f"    {_mermaid_id(edge.src)} {arrow}{label} {_mermaid_id(edge.dst)}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- state machine


@dataclass(frozen=True)
class StateEdge:
    src: str
    dst: str
    names: tuple[str, ...]  # the transition methods that take this step


def _states(field: Any) -> list[str]:
    return [str(value) for value, _label in field.flatchoices]


def _expand_source(source: Any, states: list[str], target: str | None) -> list[str]:
    if source == "*":
        return list(states)
    if source == "+":
        return [s for s in states if s != target]
    if isinstance(source, str):
        return [str(source)]
    return [str(s) for s in source]


def _expand_target(target: Any, states: list[str]) -> list[str]:
    if isinstance(target, State):
        # RETURN_VALUE / GET_STATE: the method decides among its allowed states
        allowed = list(getattr(target, "allowed_states", None) or states)
        return [str(s) for s in allowed]
    if target is None:
        return []
    return [str(target)]


def state_transitions(model: type[models.Model], field_name: str = "status") -> list[StateEdge]:
    """Every (source, target) step the model's ``@transition`` methods allow, with their names,
    in the order of the field's choices."""
    field = _fsm_field(model, field_name)
    states = _states(field)
    order = {state: index for index, state in enumerate(states)}
    steps: dict[tuple[str, str], list[str]] = {}
    for transition in field.get_all_transitions(model):
        for dst in _expand_target(transition.target, states):
            for src in _expand_source(transition.source, states, dst):
                names = steps.setdefault((src, dst), [])
                if transition.name not in names:
                    names.append(transition.name)
    ordered = sorted(steps, key=lambda pair: (order.get(pair[0], 99), order.get(pair[1], 99)))
    return [StateEdge(src, dst, tuple(sorted(steps[(src, dst)]))) for src, dst in ordered]


def _fsm_field(model: type[models.Model], field_name: str) -> FSMField:
    field = model._meta.get_field(field_name)
    assert isinstance(field, FSMField), f"{model.__name__}.{field_name} is not an FSMField"
    return field


def initial_state(model: type[models.Model], field_name: str = "status") -> str:
    return str(_fsm_field(model, field_name).default)


def final_states(model: type[models.Model], field_name: str = "status") -> list[str]:
    """States no transition leaves."""
    field = _fsm_field(model, field_name)
    leaving = {edge.src for edge in state_transitions(model, field_name)}
    return [state for state in _states(field) if state not in leaving]


def _state_labels(model: type[models.Model], field_name: str) -> list[tuple[str, str]]:
    field = _fsm_field(model, field_name)
    with translation.override(None):
        return [(str(value), str(label)) for value, label in field.flatchoices]


def state_mermaid(model: type[models.Model], field_name: str = "status") -> str:
    """The state machine of ``model.field_name`` as a Mermaid ``stateDiagram-v2``."""
    lines = ["stateDiagram-v2"]
    for code, label in _state_labels(model, field_name):
        lines.append(f"    {code} : {code} · {label.replace(':', ' ')}")
    lines.append(f"    [*] --> {initial_state(model, field_name)}")
    for edge in state_transitions(model, field_name):
        lines.append(f"    {edge.src} --> {edge.dst} : {', '.join(edge.names)}")
    for state in final_states(model, field_name):
        lines.append(f"    {state} --> [*]")
    return "\n".join(lines) + "\n"


def state_dot(model: type[models.Model], field_name: str = "status") -> str:
    """The state machine of ``model.field_name`` as Graphviz dot."""
    finals = set(final_states(model, field_name))
    lines = [
        f"digraph {model.__name__}_{field_name} {{",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=11, shape=box, style=rounded];',
        '  edge [fontname="Helvetica", fontsize=9];',
        '  "__initial__" [label="", shape=point, width=0.15];',
    ]
    for code, label in _state_labels(model, field_name):
        peripheries = ", peripheries=2" if code in finals else ""
        text = _dot_quote(f"{code}\n{label}")
        lines.append(f"  {_dot_quote(code)} [label={text}{peripheries}];")
    lines.append(f'  "__initial__" -> {_dot_quote(initial_state(model, field_name))};')
    for edge in state_transitions(model, field_name):
        lines.append(
            f"  {_dot_quote(edge.src)} -> {_dot_quote(edge.dst)} "
            f"[label={_dot_quote(', '.join(edge.names))}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def case_state_mermaid() -> str:
    from casework.models import Case

    return state_mermaid(Case, "status")


def case_state_dot() -> str:
    from casework.models import Case

    return state_dot(Case, "status")


def iter_node_names(flow_class: type) -> Iterator[str]:
    yield from (node.name for node in _ordered_nodes(flow_class))


__all__ = [
    "case_state_dot",
    "case_state_mermaid",
    "final_states",
    "flow_dot",
    "flow_graph",
    "flow_mermaid",
    "initial_state",
    "iter_node_names",
    "state_dot",
    "state_mermaid",
    "state_transitions",
]


# ----------------------------------------------------------------------------- a case's chart

_chart_lock = threading.Lock()
_grids: dict[tuple[type, str], Any] = {}  # (flow, language) → laid-out grid


def _grid(flow_class: type, language: str) -> Any:
    """The flow's chart layout, computed once per flow and language (titles are translated
    when laid out)."""
    key = (flow_class, language)
    grid = _grids.get(key)
    if grid is None:
        with _chart_lock:
            grid = _grids.get(key)
            if grid is None:
                from viewflow.workflow import chart

                grid = _grids[key] = chart.calc_layout_data(flow_class)
    return grid


def node_statuses(case_id: int) -> tuple[tuple[str, str], ...]:
    """Each flow node's state for a case, from its task rows (one query): an open task marks
    the current position; otherwise the node's latest task tells."""
    from casework.lifecycle import OPEN_TASK_STATUSES
    from casework.models import CaseTask

    latest: dict[str, str] = {}
    current: dict[str, str] = {}
    rows = (
        CaseTask.objects.filter(case_id=case_id)
        .order_by("created", "id")
        .values_list("flow_task", "status")
    )
    for node, status in rows:
        if node is None:
            continue
        name = node.name
        latest[name] = status
        if status in OPEN_TASK_STATUSES:
            current[name] = status
    latest.update(current)
    return tuple(sorted(latest.items()))


@functools.lru_cache(maxsize=256)
def _chart_svg(flow_class: type, language: str, statuses: tuple[tuple[str, str], ...]) -> str:
    from viewflow.workflow import chart

    with translation.override(language):
        cached = _grid(flow_class, language)
        grid = copy.copy(cached)  # the cached layout stays untouched
        grid.grid = {node: copy.copy(cell) for node, cell in cached.grid.items()}
        by_name = {node.name: node for node in grid.grid}
        for name, status in statuses:
            if name in by_name:
                grid.grid[by_name[name]].status = status
        return str(chart.grid_to_svg(grid))


def case_chart_svg(flow_class: type, case_id: int, language: str) -> str:
    """The flow's chart as inline SVG, with this case's position marked."""
    return _chart_svg(flow_class, language, node_statuses(case_id))

"""Charts of the lifecycle, generated from the code that runs it.

* the process graph of a viewflow flow (its nodes and their outgoing edges), as Graphviz dot
  and as a Mermaid ``flowchart``;
* the state machine of a django-fsm field (every ``@transition`` of the model), as a Mermaid
  ``stateDiagram-v2`` and as Graphviz dot.

Labels are rendered untranslated (the source strings) so that the output does not depend on
the active language or on compiled message catalogues.
"""

from __future__ import annotations

import functools
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
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
# The case page draws the process as a column of steps, one box per node in the order a reader
# follows them, each with where it leads; the case's position is marked in words and colour.
# Laid out in whole units on a 320-unit-wide canvas: every line has its own place (nothing can
# overlap) and 14-unit text stays 12 px or more down to a 274-px-wide container (the page
# scrolls the chart sideways below that).

CHART_WIDTH = 320
CHART_FONT = 14
CHART_LINE = 19
CHART_PAD = 10
CHART_GAP = 12
CHART_CHARS = 36  # characters of 14-unit text in a line of the box
CHART_TITLE_CHARS = 32  # the same in bold


@dataclass(frozen=True)
class ChartStep:
    name: str
    kind: str
    title: str
    exits: tuple[tuple[str, str], ...]  # (the edge's labels, the next step's title)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken between words (a longer word stands
    alone)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines or [""]


def chart_steps(flow_class: type, language: str) -> list[ChartStep]:
    """The flow's nodes in reading order, ends last, each with its exits, in ``language``."""
    ordered = _ordered_nodes(flow_class)
    with translation.override(language):
        titles = {n.name: str(n.task_title or n.name) for n in ordered}
        steps = []
        for node in ordered:
            exits: dict[str, list[str]] = {}
            for edge in node._outgoing():
                labels = exits.setdefault(edge.dst.name, [])
                label = str(edge.label or "")
                if any(ch.isalnum() for ch in label) and label not in labels:
                    labels.append(label)
            steps.append(
                ChartStep(
                    node.name,
                    _node_kind(node),
                    titles[node.name],
                    tuple((" / ".join(labels), titles[dst]) for dst, labels in exits.items()),
                )
            )
    return sorted(steps, key=lambda step: step.kind == "end")  # stable: ends last


def _svg_text(value: str) -> str:
    return escape(value)


def _draw(steps: list[ChartStep], statuses: dict[str, str], language: str) -> str:
    from casework.lifecycle import OPEN_TASK_STATUSES

    with translation.override(language):
        here = gettext("This case is here")
        done = gettext("done")
        label = gettext("Process chart")
    inner = CHART_WIDTH - 2 * CHART_PAD
    parts = []
    y = 1
    for step in steps:
        status = statuses.get(step.name, "")
        current = status in OPEN_TASK_STATUSES
        lines = [(line, "title") for line in _wrap(step.title, CHART_TITLE_CHARS)]
        if current:
            lines.append((f"\u25b6 {here}", "here"))
        elif status == "DONE":
            lines.append((f"\u2713 {done}", "ok"))
        for labels, target in step.exits:
            text = f"\u2192 {labels}: {target}" if labels else f"\u2192 {target}"
            lines += [(line, "exit") for line in _wrap(text, CHART_CHARS)]
        height = 2 * CHART_PAD + CHART_LINE * len(lines) - (CHART_LINE - CHART_FONT) + 4
        attrs = f' class="{status.lower()}"' if status else ""
        if current:
            attrs += ' aria-current="step"'
        texts = "".join(
            f'<text class="{cls}" x="{CHART_PAD + 2}" '
            f'y="{y + CHART_PAD + CHART_FONT + index * CHART_LINE}">{_svg_text(text)}</text>'
            for index, (text, cls) in enumerate(lines)
        )
        parts.append(
            f'<g id="{step.name}" role="listitem"{attrs}>'
            f'<rect class="step {step.kind}" x="1" y="{y}" width="{inner + 2 * CHART_PAD - 2}" '
            f'height="{height}" rx="{12 if step.kind in ("start", "end") else 6}"/>{texts}</g>'
        )
        y += height + CHART_GAP
    total = y - CHART_GAP + 1
    style = (
        "<style>"
        f".step{{fill:#fff;stroke:#57606a;stroke-width:1}}"
        f"text{{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
        f"font-size:{CHART_FONT}px;fill:#1b1f24}}"
        ".title{font-weight:700}.exit{fill:#3d444d}"
        ".here{font-weight:700;fill:#8a1c12}.ok{fill:#1a7f37}"
        "g.done .step{fill:#e8f5ec;stroke:#1a7f37}"
        "g.new .step,g.assigned .step,g.started .step{fill:#fff4e0;stroke:#b42318;stroke-width:3}"
        "</style>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="process-chart" role="list" '
        f'aria-label="{_svg_text(label)}" width="{CHART_WIDTH}" height="{total}" '
        f'viewBox="0 0 {CHART_WIDTH} {total}">{style}{"".join(parts)}</svg>'
    )


_steps_cache: dict[tuple[type, str], list[ChartStep]] = {}


def _cached_steps(flow_class: type, language: str) -> list[ChartStep]:
    """The flow's steps, read once per flow and language (the flow is code)."""
    key = (flow_class, language)
    steps = _steps_cache.get(key)
    if steps is None:
        with _chart_lock:
            steps = _steps_cache.get(key)
            if steps is None:
                steps = _steps_cache[key] = chart_steps(flow_class, language)
    return steps


_chart_lock = threading.Lock()


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
    return _draw(_cached_steps(flow_class, language), dict(statuses), language)


def case_chart_svg(flow_class: type, case_id: int, language: str) -> str:
    """The flow's chart as inline SVG, with this case's position marked."""
    return _chart_svg(flow_class, language, node_statuses(case_id))

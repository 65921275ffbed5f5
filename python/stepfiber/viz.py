"""``stepfiber.viz``: pictures of state machines, executions and where work stands.

An optional extra (``pip install 'stepfiber[viz]'``): graphs are drawn with
Graphviz (the ``graphviz`` Python package plus the ``dot`` program, Debian's
``graphviz`` package); :func:`timeline` uses matplotlib and
:func:`history_frame` pandas. Nothing here is on the engine's path.

* :func:`graph` -- the state graph as AWS's console draws it.
* :func:`execution` -- the graph coloured by what one execution did.
* :func:`census` -- the graph with a count on each state: where the RUNNING
  executions of a machine stand now (``describe_state_machine_census``).
* :func:`live` -- the census picture updated in place in a notebook.
* :func:`timeline` -- a Gantt chart of an execution's states.
* :func:`history_frame` -- an execution history as a pandas DataFrame.

Every picture is a :class:`Picture`: a notebook shows it as SVG with no call,
and ``.save("x.svg")`` / ``.save("x.png")`` writes it.
"""

from __future__ import annotations

import html
import json
import pathlib
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Sequence

__all__ = [
    "Picture",
    "ExecutionView",
    "VizUnavailable",
    "graph",
    "execution",
    "census",
    "live",
    "timeline",
    "history_frame",
    "STATUS_COLOURS",
]

_INSTALL_HINT = (
    "stepfiber.viz draws with Graphviz: install the Python package and the dot program, "
    "e.g. `pip install 'stepfiber[viz]'` (or `pip install graphviz`) and `apt-get install graphviz`"
)


class VizUnavailable(ImportError):
    """A library or program a picture needs is not installed; the message says what to install."""


def _graphviz() -> Any:
    """The ``graphviz`` module, once both it and the ``dot`` program are present."""
    try:
        import graphviz
    except ImportError:
        raise VizUnavailable(f"the graphviz Python package is missing. {_INSTALL_HINT}") from None
    if shutil.which("dot") is None:
        raise VizUnavailable(f"the Graphviz `dot` program is not on PATH. {_INSTALL_HINT}")
    return graphviz


# ---- the picture ---------------------------------------------------------------------------------


class Picture:
    """A drawn graph. Notebooks show it inline (``_repr_svg_``/``_repr_html_``).

    ``source`` is the DOT text; :meth:`svg` renders it; :meth:`save` writes an
    ``.svg`` or ``.png`` file. ``states`` maps each state name to what the
    picture says about it (status, counts), for programs and tests.
    """

    def __init__(self, digraph: Any, title: str, states: dict[str, dict[str, Any]] | None = None) -> None:
        self._digraph = digraph
        self.title = title
        self.states: dict[str, dict[str, Any]] = states or {}
        self._svg: str | None = None

    @property
    def source(self) -> str:
        """The Graphviz DOT text of the picture."""
        return str(self._digraph.source)

    def svg(self) -> str:
        """The picture as SVG text (laid out by Graphviz's ``dot``)."""
        if self._svg is None:
            self._svg = self._digraph.pipe(format="svg", engine="dot").decode("utf-8")
        return self._svg

    def png(self) -> bytes:
        """The picture as PNG bytes (laid out by ``dot``, 96 dpi)."""
        return bytes(self._digraph.pipe(format="png", engine="dot"))

    def save(self, path: str | pathlib.Path) -> pathlib.Path:
        """Write the picture to ``path``; the suffix (``.svg`` or ``.png``) picks the format."""
        p = pathlib.Path(path)
        suffix = p.suffix.lower()
        if suffix == ".svg":
            p.write_text(self.svg(), encoding="utf-8")
        elif suffix == ".png":
            p.write_bytes(self.png())
        else:
            raise ValueError(f"save() writes .svg or .png files, not {p.name!r}")
        return p

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_html_(self) -> str:
        return f'<div class="stepfiber-viz" title="{html.escape(self.title)}">{self.svg()}</div>'

    def __repr__(self) -> str:
        return f"<stepfiber.viz.Picture {self.title!r}: {len(self.states)} states>"


# ---- reading definitions --------------------------------------------------------------------------


def _load_definition(definition_or_arn: Any, client: Any) -> tuple[dict[str, Any], str]:
    """(definition dict, title) from a dict, JSON text, a file path or a state machine ARN."""
    if isinstance(definition_or_arn, Mapping):
        return dict(definition_or_arn), str(definition_or_arn.get("Comment") or "state machine")
    if isinstance(definition_or_arn, pathlib.Path):
        return _parse(definition_or_arn.read_text(encoding="utf-8"), str(definition_or_arn)), definition_or_arn.stem
    if not isinstance(definition_or_arn, str):
        raise TypeError("graph() takes a definition (dict or JSON text), a file path or a state machine ARN, "
                        f"not {type(definition_or_arn).__name__}")
    text = definition_or_arn.strip()
    if text.startswith("arn:"):
        if client is None:
            raise ValueError(f"graph({text!r}) needs client=: an ARN is read with describe_state_machine")
        described = client.describe_state_machine(stateMachineArn=text)
        return _parse(described["definition"], text), described.get("name", text)
    if text.startswith("{"):
        return _parse(text, "definition"), "state machine"
    p = pathlib.Path(text)
    if p.suffix.lower() in (".json", ".asl") and p.exists():
        return _parse(p.read_text(encoding="utf-8"), str(p)), p.stem
    raise ValueError("graph() takes a definition (dict or JSON text), a file path or a state machine ARN; "
                     f"got {text[:60]!r}")


def _as_machine(definition: Mapping[str, Any]) -> dict[str, Any]:
    """A machine definition; a lone state (a TestState definition) becomes a one-state machine."""
    if isinstance(definition.get("States"), Mapping):
        return dict(definition)
    if isinstance(definition.get("Type"), str):
        name = "State"
        machine: dict[str, Any] = {"StartAt": name, "States": {name: dict(definition, End=True)
                                                               if definition.get("Type") not in ("Choice", "Succeed",
                                                                                                 "Fail")
                                                               else dict(definition)}}
        if "QueryLanguage" in definition:
            machine["QueryLanguage"] = definition["QueryLanguage"]
        return machine
    raise ValueError("not a state machine definition: it needs a States object (or, for one state, a Type)")


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{where}: the definition is not JSON ({e})") from None
    if not isinstance(value, dict):
        raise ValueError(f"{where}: the definition must be a JSON object")
    return value


# ---- labels --------------------------------------------------------------------------------------

_OPS = {
    "Equals": "==", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<=", "GreaterThanEquals": ">=",
}
_LABEL_MAX = 48


def _short(text: str, limit: int = _LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _jsonata(expr: Any) -> str:
    s = str(expr).strip()
    if s.startswith("{%") and s.endswith("%}"):
        s = s[2:-2].strip()
    return s


def rule_text(rule: Mapping[str, Any]) -> str:
    """A Choice rule as a short expression: ``$.x == 1``, ``($.a > 2) and not ($.b is null)``.

    JSONata rules (``Condition``) show their expression without the ``{% %}``.
    """
    if not isinstance(rule, Mapping):
        return "?"
    if "Condition" in rule:
        return _jsonata(rule["Condition"])
    for key, joiner in (("And", " and "), ("Or", " or ")):
        if key in rule and isinstance(rule[key], list):
            return joiner.join(f"({rule_text(r)})" for r in rule[key])
    if "Not" in rule:
        return f"not ({rule_text(rule['Not'])})"
    var = str(rule.get("Variable", "$"))
    for key, value in rule.items():
        if key in ("Variable", "Next", "Assign", "Output", "Comment"):
            continue
        is_path = key.endswith("Path") and key not in ("IsPresent",)
        base = key[:-4] if is_path else key
        shown = str(value) if is_path else json.dumps(value, ensure_ascii=False)
        if base.startswith("Is"):
            what = base[2:].lower()
            if what == "present":
                return f"{var} is {'present' if value else 'absent'}"
            return f"{var} is {'' if value else 'not '}{what}"
        if base == "StringMatches":
            return f"{var} matches {shown}"
        for suffix, op in _OPS.items():
            if base.endswith(suffix) and base[: -len(suffix)] in ("String", "Numeric", "Boolean", "Timestamp"):
                return f"{var} {op} {shown}"
        return f"{var} {key} {shown}"
    return var


def _resource_text(resource: str) -> str:
    """``arn:aws:states:::sqs:sendMessage.waitForTaskToken`` -> ``sqs:sendMessage.waitForTaskToken``."""
    if resource.startswith("arn:aws:states:::"):
        return resource[len("arn:aws:states:::"):]
    parts = resource.split(":")
    if len(parts) >= 7 and parts[2] == "lambda":
        return "lambda:" + parts[6]
    if len(parts) >= 7 and parts[5] == "activity":
        return "activity:" + parts[6]
    return resource


def _detail(state: Mapping[str, Any]) -> str:
    t = state.get("Type")
    if t == "Task":
        r = state.get("Resource")
        return _resource_text(str(r)) if isinstance(r, str) else "Task"
    if t == "Wait":
        for key in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath"):
            if key in state:
                v = state[key]
                return f"{v} s" if key == "Seconds" and not isinstance(v, str) else f"{key} {_jsonata(v)}"
        return "Wait"
    if t == "Fail":
        return str(state.get("Error") or state.get("ErrorPath") or "")
    if t == "Map":
        mode = ((state.get("ItemProcessor") or {}).get("ProcessorConfig") or {}).get("Mode", "INLINE")
        mc = state.get("MaxConcurrency")
        return f"{mode.lower()} map" + (f", ≤{mc} at once" if mc else "")
    if t == "Parallel":
        return f"{len(state.get('Branches') or [])} branches"
    return ""


# ---- drawing --------------------------------------------------------------------------------------

#: Fill colour per state type (the console's palette, roughly).
TYPE_STYLE: dict[str, tuple[str, str]] = {
    "Task": ("box", "#dbeafe"),
    "Pass": ("box", "#f3f4f6"),
    "Choice": ("diamond", "#fef3c7"),
    "Wait": ("box", "#ede9fe"),
    "Succeed": ("box", "#dcfce7"),
    "Fail": ("box", "#fee2e2"),
    "Parallel": ("box", "#e0f2fe"),
    "Map": ("box", "#e0f2fe"),
}
#: Fill colour per execution status (:func:`execution`).
STATUS_COLOURS: dict[str, str] = {
    "succeeded": "#86efac",
    "failed": "#fca5a5",
    "caught": "#fdba74",
    "retried": "#fde047",
    "running": "#93c5fd",
    "retrying": "#fde68a",
    "waiting": "#c4b5fd",
    "waiting_token": "#a78bfa",
    "aborted": "#d1d5db",
    "not_reached": "#ffffff",
}
_STATUS_TEXT = {
    "succeeded": "succeeded", "failed": "failed", "caught": "caught", "retried": "retried", "running": "running",
    "retrying": "retrying", "waiting": "in Wait", "waiting_token": "waiting on token", "aborted": "aborted",
    "not_reached": "not reached",
}
_EDGE = {"next": {}, "default": {"style": "dashed"},
         "catch": {"color": "#dc2626", "fontcolor": "#dc2626", "style": "dashed"},
         "retry": {"color": "#d97706", "fontcolor": "#d97706", "style": "dotted"},
         "fail": {"color": "#dc2626"}}


@dataclass
class _Node:
    name: str
    type: str
    node_id: str
    detail: str
    depth: int
    parent: str | None
    query_language: str | None


@dataclass
class _Layout:
    """What drawing a definition produced: nodes by state name, edges by (from, to)."""

    nodes: dict[str, _Node] = field(default_factory=dict)
    edges: list[tuple[str, str, str, str]] = field(default_factory=list)  # (tail id, head id, kind, label)
    counter: int = 0


class _Drawer:
    """Turns an ASL definition into a Graphviz Digraph (clusters for Parallel and Map)."""

    def __init__(self, gv: Any, definition: Mapping[str, Any], title: str,
                 decorate: Callable[[str], dict[str, Any]] | None = None,
                 edge_taken: Callable[[str, str], bool] | None = None) -> None:
        self.gv = gv
        self.definition = definition
        self.layout = _Layout()
        self.decorate = decorate or (lambda name: {})
        self.edge_taken = edge_taken
        self.language = str(definition.get("QueryLanguage") or "JSONPath")
        self.title = title

    def _id(self, prefix: str) -> str:
        self.layout.counter += 1
        return f"{prefix}{self.layout.counter}"

    def draw(self) -> Any:
        g = self.gv.Digraph("stepfiber", format="svg")
        g.attr(rankdir="TB", fontname="Helvetica", fontsize="11", nodesep="0.35", ranksep="0.45",
               labelloc="t", label=self._title_label())
        g.attr("node", fontname="Helvetica", fontsize="11", style="rounded,filled", penwidth="1.2")
        g.attr("edge", fontname="Helvetica", fontsize="9", color="#4b5563", arrowsize="0.7")
        start = self._id("start")
        end = self._id("end")
        g.node(start, "Start", shape="circle", fillcolor="#374151", fontcolor="white", fixedsize="true",
               width="0.6", fontsize="9", style="filled")
        g.node(end, "End", shape="circle", fillcolor="#374151", fontcolor="white", fixedsize="true",
               width="0.6", fontsize="9", style="filled")
        entry, exits = self._scope(g, self.definition, depth=0, parent=None, language=self.language)
        if entry:
            self._edge(g, start, entry, "next", "", (None, self._name_of(entry)))
        for tail, label, kind, name in exits:
            self._edge(g, tail, end, kind, label, (name, None))
        return g

    def _title_label(self) -> str:
        colour = "#7c3aed" if self.language == "JSONata" else "#0369a1"
        title = html.escape(_short(self.title, 80))
        return (f'<<table border="0" cellborder="0" cellspacing="4"><tr><td><b>{title}</b></td>'
                f'<td bgcolor="{colour}"><font color="white" point-size="9"> {self.language} </font></td>'
                "</tr></table>>")

    def _name_of(self, node_id: str) -> str | None:
        for n in self.layout.nodes.values():
            if n.node_id == node_id:
                return n.name
        return None

    def _edge(self, g: Any, tail: str, head: str, kind: str, label: str, names: tuple[str | None, str | None]) -> None:
        attrs = dict(_EDGE.get(kind, {}))
        if label:
            attrs["label"] = html.escape(_short(label, 40))
            if len(label) > 40:
                attrs["tooltip"] = label
        if self.edge_taken is not None and self.edge_taken(*names):
            attrs["penwidth"] = "2.6"
            attrs["color"] = "#15803d" if kind not in ("catch", "retry") else attrs.get("color", "#15803d")
        self.layout.edges.append((tail, head, kind, label))
        g.edge(tail, head, **attrs)

    def _scope(self, g: Any, scope: Mapping[str, Any], depth: int, parent: str | None,
               language: str) -> tuple[str | None, list[tuple[str, str, str, str]]]:
        """Draws a StartAt/States block; returns its entry node and its exits (tail, label, kind, name)."""
        states = scope.get("States")
        if not isinstance(states, Mapping) or not states:
            return None, []
        entries: dict[str, str] = {}  # state name -> node receiving edges
        tails: dict[str, str] = {}    # state name -> node sending edges
        for name, state in states.items():
            if not isinstance(state, Mapping):
                continue
            entry, tail = self._state(g, str(name), state, depth, parent, language)
            entries[str(name)], tails[str(name)] = entry, tail
        exits: list[tuple[str, str, str, str]] = []
        for name, state in states.items():
            if not isinstance(state, Mapping) or str(name) not in tails:
                continue
            tail = tails[str(name)]
            stype = state.get("Type")

            def link(target: Any, kind: str, label: str = "") -> None:
                if isinstance(target, str) and target in entries:
                    self._edge(g, tail, entries[target], kind, label, (str(name), target))

            if stype == "Choice":
                for rule in state.get("Choices") or []:
                    if isinstance(rule, Mapping):
                        link(rule.get("Next"), "next", rule_text(rule))
                if "Default" in state:
                    link(state["Default"], "default", "Default")
            elif state.get("End") is True or stype in ("Succeed", "Fail"):
                exits.append((tail, "", "fail" if stype == "Fail" else "next", str(name)))
            else:
                link(state.get("Next"), "next")
            for catcher in state.get("Catch") or []:
                if isinstance(catcher, Mapping):
                    errors = ", ".join(str(e) for e in catcher.get("ErrorEquals") or [])
                    link(catcher.get("Next"), "catch", f"Catch: {errors}")
            for retrier in state.get("Retry") or []:
                if isinstance(retrier, Mapping):
                    errors = ", ".join(str(e) for e in retrier.get("ErrorEquals") or [])
                    attempts = retrier.get("MaxAttempts", 3)
                    node = self.layout.nodes.get(str(name))
                    if node is not None:
                        self._edge(g, tail, node.node_id, "retry", f"Retry ×{attempts}: {errors}",
                                   (str(name), str(name)))
        start = scope.get("StartAt")
        return entries.get(start) if isinstance(start, str) else None, exits

    def _label(self, name: str, stype: str, detail: str, language: str | None, extra: Sequence[str]) -> str:
        rows = [f"<b>{html.escape(_short(name))}</b>"]
        sub = stype + (f" · {html.escape(_short(detail, 40))}" if detail else "")
        if language:
            sub += f" · {language}"
        rows.append(f'<font point-size="8" color="#374151">{sub}</font>')
        for line in extra:
            rows.append(f'<font point-size="9"><b>{html.escape(line)}</b></font>')
        return "<" + "<br/>".join(rows) + ">"

    def _state(self, g: Any, name: str, state: Mapping[str, Any], depth: int, parent: str | None,
               language: str) -> tuple[str, str]:
        stype = str(state.get("Type", "?"))
        own_language = state.get("QueryLanguage")
        lang = str(own_language) if own_language else language
        node_id = self._id("s")
        node = _Node(name, stype, node_id, _detail(state), depth, parent,
                     str(own_language) if own_language and own_language != language else None)
        self.layout.nodes.setdefault(name, node)
        deco = self.decorate(name)
        shape, fill = TYPE_STYLE.get(stype, ("box", "#ffffff"))
        attrs = {"shape": shape, "fillcolor": deco.get("fill", fill), "tooltip": f"{name} ({stype})"}
        if deco.get("pen"):
            attrs["color"] = deco["pen"]
            attrs["penwidth"] = "2.2"
        label = self._label(name, stype, node.detail, node.query_language, deco.get("lines", ()))
        if stype not in ("Parallel", "Map"):
            g.node(node_id, label, **attrs)
            return node_id, node_id
        # Parallel and Map: a cluster holding the state's header node, its
        # branches (or item processor) and a join point.
        join = self._id("j")
        with g.subgraph(name=f"cluster_{node_id}") as c:
            c.attr(style="rounded,dashed", color="#0284c7", label="", margin="10")
            attrs["shape"] = "box"
            attrs["style"] = "rounded,filled,bold"
            c.node(node_id, label, **attrs)
            c.node(join, "", shape="point", width="0.12", color="#0284c7", fillcolor="#0284c7", style="filled")
            if stype == "Parallel":
                scopes = [(f"Branch {i + 1}", b) for i, b in enumerate(state.get("Branches") or [])]
            else:
                proc = state.get("ItemProcessor") or state.get("Iterator") or {}
                scopes = [("Item processor" if "ItemProcessor" in state else "Iterator", proc)]
            for title, sub in scopes:
                if not isinstance(sub, Mapping):
                    continue
                with c.subgraph(name=f"cluster_{self._id('b')}") as b:
                    b.attr(style="rounded,filled", fillcolor="#f8fafc", color="#94a3b8", label=title,
                           fontsize="9", fontcolor="#475569", labeljust="l")
                    sub_lang = str(sub.get("QueryLanguage") or lang)
                    entry, exits = self._scope(b, sub, depth + 1, name, sub_lang)
                if entry:
                    self._edge(g, node_id, entry, "next", "", (name, self._name_of(entry)))
                for tail, label, kind, inner in exits:
                    self._edge(g, tail, join, kind, label, (inner, None))
        return node_id, join


def graph(definition_or_arn: Any, client: Any = None) -> Picture:
    """The state graph of a definition, drawn as AWS's console draws it.

    ``definition_or_arn`` is a definition (dict or JSON text), a path to an ASL
    file, or a state machine ARN (then pass ``client=``, which reads it with
    ``describe_state_machine``). States are shaped and coloured by type; Choice
    edges carry their rule (``$.x == 1``) and a dashed Default; Catch edges are
    red and dashed, Retry loops orange and dotted; Parallel branches and Map
    item processors (``Iterator``/``ItemProcessor``) are nested clusters; the
    title carries a JSONPath or JSONata badge (``QueryLanguage``), and a state
    whose own ``QueryLanguage`` differs says so. Raises VizUnavailable when
    Graphviz is missing, ValueError/TypeError for input that is not a definition.
    """
    gv = _graphviz()
    definition, title = _load_definition(definition_or_arn, client)
    definition = _as_machine(definition)
    drawer = _Drawer(gv, definition, title)
    digraph = drawer.draw()
    states = {n: {"type": node.type, "depth": node.depth, "parent": node.parent}
              for n, node in drawer.layout.nodes.items()}
    return Picture(digraph, title, states)


# ---- executions -----------------------------------------------------------------------------------

_TASK_PREFIXES = ("Task", "Activity", "LambdaFunction")


def _event_state_type(event_type: str) -> str | None:
    """The state type an event belongs to: ``TaskFailed`` -> Task, ``MapIterationStarted`` -> Map."""
    for t in ("Parallel", "Map", "Wait", "Choice", "Pass", "Succeed", "Fail"):
        if event_type.startswith(t + "State") or (t == "Map" and event_type.startswith(("MapIteration", "MapRun"))):
            return t
    if event_type.startswith(_TASK_PREFIXES):
        return "Task"
    return None


def _details(event: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            return dict(value)
    return {}


@dataclass
class StateVisit:
    """One time a state was entered (a Map iteration visits its states once each)."""

    name: str
    type: str
    entered_id: int
    entered: datetime | None
    exited: datetime | None = None
    failures: int = 0
    last_failed: bool = False
    scheduled: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    outcomes: list[tuple[datetime, str, int]] = field(default_factory=list)  # (when, event type, event id)
    aborted: bool = False
    scheduled_started: bool = False  # a Parallel or Map visit past its *StateStarted
    event_ids: list[int] = field(default_factory=list)  # the history events attributed to this visit
    parent_id: int | None = None  # entered id of the Parallel/Map visit it runs in
    lane: str = ""  # "Branch 2" / "Iteration 7" within its parent


def _read_events(history: Any) -> list[dict[str, Any]]:
    if isinstance(history, Mapping):
        history = history.get("events")
    if not isinstance(history, (list, tuple)):
        raise TypeError("expected an execution history: the get_execution_history response or its 'events' list")
    events = [dict(e) for e in history]
    for e in events:
        if "type" not in e or "id" not in e:
            raise ValueError("history events need 'type' and 'id' (as get_execution_history returns them)")
    events.sort(key=lambda e: e["id"])
    return events


@dataclass
class _Static:
    """Where a state sits in its definition."""

    type: str
    parent: str | None  # the Parallel or Map state whose branch or processor holds it
    lane: str           # "Branch k" or "Iteration" (Map), "" at the top
    start: bool         # its scope's StartAt
    successors: frozenset[str]


def _static(definition: Mapping[str, Any] | None) -> dict[str, _Static]:
    """State name -> its place in the definition (names are unique machine-wide)."""
    out: dict[str, _Static] = {}
    if not definition:
        return out

    def scope(block: Mapping[str, Any], parent: str | None, lane: str) -> None:
        states = block.get("States")
        if not isinstance(states, Mapping):
            return
        for name, st in states.items():
            if not isinstance(st, Mapping):
                continue
            nexts = {st.get("Next"), st.get("Default")}
            nexts |= {c.get("Next") for c in st.get("Choices") or [] if isinstance(c, Mapping)}
            nexts |= {c.get("Next") for c in st.get("Catch") or [] if isinstance(c, Mapping)}
            out.setdefault(str(name), _Static(str(st.get("Type", "?")), parent, lane, name == block.get("StartAt"),
                                              frozenset(n for n in nexts if isinstance(n, str))))
            for i, b in enumerate(st.get("Branches") or []):
                if isinstance(b, Mapping):
                    scope(b, str(name), f"Branch {i + 1}")
            proc = st.get("ItemProcessor") or st.get("Iterator")
            if isinstance(proc, Mapping):
                scope(proc, str(name), "Iteration")

    scope(_as_machine(definition), None, "")
    return out


_OUTCOME_SUFFIXES = ("Succeeded", "Failed", "TimedOut")


def visits_of(history: Any, definition: Mapping[str, Any] | None = None) -> list[StateVisit]:
    """Every state visit of a history, in entry order (nested branches and iterations included).

    Entered and Exited events name their state; other events (task
    scheduling and outcomes, Parallel and Map progress) are attributed to an
    open visit of their state type. With ``definition``, each visit knows its
    Parallel branch ("Branch 2") or Map iteration ("Iteration 7"): exact for
    branches; for iterations running concurrently through the same states,
    a visit's iteration is a best guess (the history does not say).
    """
    events = _read_events(history)
    static = _static(definition)
    ordered: list[StateVisit] = []
    open_visits: list[StateVisit] = []
    iterations: dict[int, int] = {}         # Map visit -> iterations started
    handoff: dict[int, list[StateVisit]] = {}  # Map visit -> closed inner visits whose lane moves on

    def newest_open(state_type: str, name: str | None = None) -> StateVisit | None:
        for v in reversed(open_visits):
            if v.type == state_type and (name is None or v.name == name):
                return v
        return None

    def oldest(pred: Callable[[StateVisit], bool]) -> StateVisit | None:
        return next((v for v in open_visits if pred(v)), None)

    def close(v: StateVisit, when: Any, aborted: bool = False) -> None:
        v.event_ids.append(events[i]["id"])
        v.exited = when
        v.aborted = aborted
        open_visits.remove(v)
        if v.parent_id is not None and v.lane.startswith("Iteration"):
            handoff.setdefault(v.parent_id, []).append(v)

    for i, e in enumerate(events):
        t = e["type"]
        d = _details(e)
        when = e.get("timestamp")
        if t.endswith("StateEntered"):
            name = str(d.get("name", "?"))
            v = StateVisit(name, t[: -len("StateEntered")], e["id"], when)
            v.event_ids.append(e["id"])
            info = static.get(name)
            if info is not None and info.parent is not None:
                parent = newest_open(static[info.parent].type if info.parent in static else "", info.parent)
                if parent is not None:
                    v.parent_id = parent.entered_id
                    if info.lane != "Iteration":
                        v.lane = info.lane
                    elif info.start:
                        k = iterations.get(parent.entered_id, 0)
                        iterations[parent.entered_id] = k + 1
                        v.lane = f"Iteration {k}"
                    else:
                        queue = handoff.get(parent.entered_id, [])
                        for j, w in enumerate(queue):
                            if name in static[w.name].successors if w.name in static else False:
                                v.lane = queue.pop(j).lane
                                break
            elif info is None:
                # No definition: nest by containment in the newest open Parallel or Map.
                for cand in reversed(open_visits):
                    if cand.type in ("Parallel", "Map") and cand.scheduled_started:
                        v.parent_id = cand.entered_id
                        break
            ordered.append(v)
            open_visits.append(v)
            continue
        if t.endswith("StateExited"):
            name = str(d.get("name", "?"))
            candidates = [v for v in open_visits if v.name == name]
            if candidates:
                # the visit whose outcome was just recorded, else the oldest
                v = next((c for c in candidates if c.outcomes and c.outcomes[-1][2] == e["id"] - 1), candidates[0])
                close(v, when)
            continue
        stype = _event_state_type(t)
        if stype is None:
            continue
        if t.endswith("StateAborted"):
            v = oldest(lambda c: c.type == stype)
            if v is not None:
                close(v, when, aborted=True)
        elif stype == "Task":
            if t.endswith("Scheduled"):
                v = oldest(lambda c: c.type == "Task" and len(c.scheduled) == len(c.outcomes))
                if v is not None:
                    v.scheduled.append((when, d))
                    v.event_ids.append(e["id"])
            elif t.endswith(("Started", "Submitted")):
                v = next((c for c in reversed(open_visits) if c.type == "Task" and c.scheduled), None)
                if v is not None:
                    v.event_ids.append(e["id"])
            elif t.endswith(_OUTCOME_SUFFIXES):
                nxt = events[i + 1] if i + 1 < len(events) else None
                name = _details(nxt).get("name") if nxt and nxt["type"] == "TaskStateExited" else None
                v = oldest(lambda c: c.type == "Task" and len(c.scheduled) > len(c.outcomes)
                           and (name is None or c.name == name))
                if v is not None:
                    v.event_ids.append(e["id"])
                    failed = not t.endswith("Succeeded")
                    v.outcomes.append((when, t, e["id"]))
                    v.failures += failed
                    v.last_failed = failed
        else:  # Parallel and Map progress
            v = newest_open(stype)
            if v is None:
                continue
            v.event_ids.append(e["id"])
            if t in ("ParallelStateStarted", "MapStateStarted"):
                v.scheduled_started = True
            elif t in ("ParallelStateFailed", "MapStateFailed"):
                v.failures += 1
                v.last_failed = True
                v.outcomes.append((when, t, e["id"]))
            elif t in ("ParallelStateSucceeded", "MapStateSucceeded"):
                v.last_failed = False
                v.outcomes.append((when, t, e["id"]))
    return ordered


def _visit_status(v: StateVisit, execution_status: str, pending_states: set[str]) -> str:
    if v.exited is not None and not v.aborted:
        if v.failures and v.last_failed:
            return "caught"
        if v.failures:
            return "retried"
        return "succeeded"
    if v.aborted:
        return "aborted"
    if execution_status == "RUNNING":
        if v.name in pending_states:
            return "waiting_token"
        if v.type == "Wait":
            return "waiting"
        if v.type == "Task" and v.last_failed:
            return "retrying"
        return "running"
    if execution_status == "ABORTED":
        return "aborted"
    return "failed"


_PRIORITY = ["failed", "waiting_token", "retrying", "waiting", "running", "aborted", "caught", "retried",
             "succeeded", "not_reached"]


def _age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


@dataclass
class ExecutionView:
    """What :func:`execution` found: per-state status, the path taken, and the picture.

    ``states`` maps each state name to ``{"status", "visits", "token_age"?}``;
    ``path`` lists the visits in entry order as ``(depth, lane, state, status)``
    (depth 0 = the machine's own scope; ``lane`` names the branch or
    iteration). The object displays as its picture in a notebook.
    """

    execution_arn: str
    status: str
    states: dict[str, dict[str, Any]]
    path: list[tuple[int, str, str, str]]
    picture: Picture
    visits: list[StateVisit]

    def save(self, path: str | pathlib.Path) -> pathlib.Path:
        """Write the picture (``.svg`` or ``.png``)."""
        return self.picture.save(path)

    def _repr_svg_(self) -> str:
        return self.picture._repr_svg_()

    def _repr_html_(self) -> str:
        return self.picture._repr_html_()

    def path_text(self) -> str:
        """The path taken as indented text, one visit a line."""
        return "\n".join(f"{'  ' * depth}{(lane + ': ') if lane else ''}{name} [{_STATUS_TEXT[status]}]"
                         for depth, lane, name, status in self.path)


def _all_events(client: Any, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
        if token:
            kwargs["nextToken"] = token
        page = client.get_execution_history(**kwargs)
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return events


def execution(client: Any, executionArn: str) -> ExecutionView:
    """The state graph coloured by what one execution did (from its history).

    Each state is succeeded, failed, caught (its error went to a Catch),
    retried, running, retrying, in a Wait, waiting on a token (with the
    token's age, from ``client.list_pending_tasks``), aborted, or not reached.
    Edges the execution took are drawn bold and green. Returns an
    :class:`ExecutionView` (``.states``, ``.path``, ``.picture``), which a
    notebook shows as the picture. Raises the client's errors for a bad ARN.
    """
    gv = _graphviz()
    if not isinstance(executionArn, str) or not executionArn:
        raise ValueError("execution() needs an execution ARN string")
    described = client.describe_execution(executionArn=executionArn)
    status = described["status"]
    for_execution = client.describe_state_machine_for_execution(executionArn=executionArn)
    definition = _parse(for_execution["definition"], executionArn)
    events = _all_events(client, executionArn)
    visits = visits_of(events, definition)
    pending = client.list_pending_tasks(executionArn) if status == "RUNNING" else []
    now = client.now() if pending else None
    token_age = {}
    for task in pending:
        age = (now - task["scheduledDate"]).total_seconds() if now else 0.0
        token_age[task["stateName"]] = max(age, token_age.get(task["stateName"], 0.0))
    pending_states = set(token_age)
    per_state: dict[str, dict[str, Any]] = {}
    path: list[tuple[int, str, str, str]] = []
    depth_of: dict[int, int] = {}
    for v in visits:
        s = _visit_status(v, status, pending_states)
        depth = 0 if v.parent_id is None else depth_of.get(v.parent_id, 0) + 1
        depth_of[v.entered_id] = depth
        path.append((depth, v.lane, v.name, s))
        entry = per_state.setdefault(v.name, {"status": s, "visits": 0})
        entry["visits"] += 1
        if _PRIORITY.index(s) < _PRIORITY.index(entry["status"]):
            entry["status"] = s
    for name, age in token_age.items():
        per_state.setdefault(name, {"status": "waiting_token", "visits": 0})["token_age"] = age
    # Transitions taken: an Entered event whose previous event is another state's Exited.
    # (Concurrent branches share one chain of previousEventId, so a pair
    # counts only when the definition links the two states.)
    by_id = {e["id"]: e for e in events}
    static = _static(definition)
    taken: set[tuple[str | None, str | None]] = set()
    entered_names = set()
    for e in events:
        if e["type"].endswith("StateEntered"):
            name = _details(e).get("name")
            entered_names.add(name)
            prev = by_id.get(e.get("previousEventId") or 0)
            if prev is not None and prev["type"].endswith("StateExited"):
                before = _details(prev).get("name")
                if before in static and name in static[before].successors:
                    taken.add((before, name))
            elif prev is not None and prev["type"] in ("ExecutionStarted", "ParallelStateStarted",
                                                        "MapIterationStarted", "MapStateStarted"):
                taken.add((None, name))
            elif prev is not None and prev["type"] == "ExecutionRedriven":
                taken.add((None, name))
    for v in visits:
        if v.failures and v.scheduled and len(v.scheduled) > 1:
            taken.add((v.name, v.name))
    if status == "SUCCEEDED":
        for v in visits:
            if v.exited is not None:
                taken.add((v.name, None))
    # Parallel/Map header -> first inner state counts as taken when the inner state ran.
    def edge_taken(tail: str | None, head: str | None) -> bool:
        if (tail, head) in taken:
            return True
        if tail is not None and head is not None and head in entered_names and tail in per_state:
            node_parent = drawer.layout.nodes.get(head)
            return node_parent is not None and node_parent.parent == tail
        if head is None and tail is not None:
            node = drawer.layout.nodes.get(tail)
            return (tail, None) in taken or (node is not None and node.parent is not None
                                             and per_state.get(tail, {}).get("status") in ("succeeded", "retried",
                                                                                             "caught"))
        return False

    def decorate(name: str) -> dict[str, Any]:
        info = per_state.get(name)
        s = info["status"] if info else "not_reached"
        lines = [_STATUS_TEXT[s]]
        if info and info.get("visits", 0) > 1:
            lines[0] += f" ×{info['visits']}"
        if info and "token_age" in info:
            lines.append(f"token age {_age(info['token_age'])}")
        pen = {"failed": "#b91c1c", "waiting_token": "#6d28d9", "running": "#1d4ed8", "caught": "#c2410c"}.get(s)
        return {"fill": STATUS_COLOURS[s], "lines": lines, "pen": pen}

    title = f"{described.get('name', executionArn)} · {status}"
    drawer = _Drawer(gv, definition, title, decorate=decorate, edge_taken=edge_taken)
    digraph = drawer.draw()
    for name in drawer.layout.nodes:
        per_state.setdefault(name, {"status": "not_reached", "visits": 0})
    picture = Picture(digraph, title, per_state)
    return ExecutionView(executionArn, status, per_state, path, picture, visits)


# ---- census and live ------------------------------------------------------------------------------


def _heat(n: int, top: int) -> str:
    if n <= 0 or top <= 0:
        return "#ffffff"
    # white -> blue by share of the busiest state
    share = min(1.0, n / top)
    r = int(255 - share * (255 - 96))
    g = int(255 - share * (255 - 165))
    b = 250
    return f"#{r:02x}{g:02x}{b:02x}"


def _count_lines(c: Mapping[str, Any]) -> list[str]:
    lines = [f"{c.get('running', 0):,} here"]
    parts = []
    if c.get("waitingForToken"):
        parts.append(f"{c['waitingForToken']:,} on token")
    if c.get("waiting"):
        parts.append(f"{c['waiting']:,} in Wait")
    if c.get("retrying"):
        parts.append(f"{c['retrying']:,} retrying")
    if parts:
        lines.append(" · ".join(parts))
    return lines


def census(client: Any, stateMachineArn: str) -> Picture:
    """The state graph with a count on each state: where RUNNING executions stand now.

    Reads ``client.describe_state_machine_census`` (engine-side counters, so it
    costs O(states) whatever the number of executions). Each state shows how
    many executions (or, inside a Parallel or Map, branches and iterations)
    stand there, and how many of those are parked on a token, in a Wait, or
    retrying; busier states are bluer. ``picture.states`` holds the counts and
    ``picture.running`` the machine's RUNNING executions.
    """
    gv = _graphviz()
    data = client.describe_state_machine_census(stateMachineArn=stateMachineArn)
    definition = _parse(client.describe_state_machine(stateMachineArn=stateMachineArn)["definition"],
                        stateMachineArn)
    counts = {s["name"]: s for s in data["states"]}
    top = max((s.get("running", 0) for s in data["states"]), default=0)

    def decorate(name: str) -> dict[str, Any]:
        c = counts.get(name, {})
        n = int(c.get("running", 0))
        return {"fill": _heat(n, top) if n else TYPE_STYLE.get(c.get("type", ""), ("", "#ffffff"))[1],
                "lines": _count_lines(c) if n else [], "pen": "#1d4ed8" if n else None}

    name = stateMachineArn.rsplit(":", 1)[-1]
    retired = sum(s.get("running", 0) for s in data["states"] if s.get("retired"))
    title = f"{name} · {data['running']:,} RUNNING"
    if retired:
        title += f" ({retired:,} in states of older revisions)"
    picture = Picture(_Drawer(gv, definition, title, decorate=decorate).draw(), title, counts)
    picture.running = int(data["running"])  # type: ignore[attr-defined]
    return picture


def live(client: Any, stateMachineArn: str, every: float = 0.5, *, stop: Any = None,
         timeout: float | None = None) -> Picture:
    """Show :func:`census` in a notebook and update it in place until work is done.

    Uses IPython's ``display(..., display_id=True)`` and ``handle.update``: no
    widget library. Refreshes every ``every`` seconds and returns the last
    picture when nothing of the machine is RUNNING, when ``stop`` says so (a
    ``threading.Event`` that is set, or a callable returning True), after
    ``timeout`` seconds, or on KeyboardInterrupt (the interrupt ends the view,
    not the caller). Raises VizUnavailable outside IPython.
    """
    try:
        from IPython.display import display
    except ImportError:
        raise VizUnavailable("live() updates a notebook output: it needs IPython (pip install ipython)") from None
    if not isinstance(every, (int, float)) or isinstance(every, bool) or every <= 0:
        raise ValueError(f"every must be a positive number of seconds, got {every!r}")

    def asked_to_stop() -> bool:
        if stop is None:
            return False
        if hasattr(stop, "is_set"):
            return bool(stop.is_set())
        return bool(stop())

    picture = census(client, stateMachineArn)
    handle = display(picture, display_id=True)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while picture.running > 0 and not asked_to_stop():  # type: ignore[attr-defined]
            if deadline is not None and time.monotonic() >= deadline:
                break
            time.sleep(every)
            picture = census(client, stateMachineArn)
            if handle is not None:
                handle.update(picture)
    except KeyboardInterrupt:
        pass
    return picture


# ---- timeline and frames --------------------------------------------------------------------------


def _seconds(t: Any, t0: Any) -> float:
    return (t - t0).total_seconds() if isinstance(t, datetime) and isinstance(t0, datetime) else 0.0


def timeline(history: Any, *, definition: Any = None, title: str | None = None) -> Any:
    """A Gantt chart of an execution's state visits (matplotlib Figure).

    ``history`` is a ``get_execution_history`` response or its ``events``.
    One row per visit; visits inside a Parallel branch or Map iteration get
    their own rows, indented under their state. The bar spans entry to exit
    (or the last event, while running); a darker band marks the time a task
    waited (scheduled to outcome); red crosses mark failed attempts that
    were retried or caught; diamonds mark heartbeat deadlines
    (``HeartbeatSeconds`` after scheduling: AWS records no heartbeat events).
    Pass the machine's ``definition`` (dict or JSON text) to label rows with
    their Parallel branch or Map iteration.
    """
    try:
        import matplotlib

        if matplotlib.get_backend().lower() not in ("agg",) and not _in_notebook():
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise VizUnavailable("timeline() draws with matplotlib: pip install 'stepfiber[viz]' "
                             "(or pip install matplotlib)") from None
    events = _read_events(history)
    if not events:
        raise ValueError("the history has no events")
    if isinstance(definition, str):
        definition = _parse(definition, "definition")
    visits = visits_of(events, definition)
    t0 = events[0].get("timestamp")
    t_end = events[-1].get("timestamp")
    depth_of: dict[int, int] = {}
    rows: list[tuple[str, StateVisit, int]] = []
    # Children follow their parent: order rows by a depth-first walk.
    children: dict[int | None, list[StateVisit]] = {}
    for v in visits:
        children.setdefault(v.parent_id, []).append(v)

    def walk(parent: int | None, depth: int) -> None:
        for v in children.get(parent, []):
            depth_of[v.entered_id] = depth
            label = ("    " * depth) + ((v.lane + " · ") if v.lane else "") + v.name
            rows.append((label, v, depth))
            walk(v.entered_id, depth + 1)

    walk(None, 0)
    height = max(2.0, 0.34 * len(rows) + 1.2)
    fig, ax = plt.subplots(figsize=(10, height))
    span = max(_seconds(t_end, t0), 1e-3)
    colours = {"Task": "#60a5fa", "Wait": "#a78bfa", "Parallel": "#38bdf8", "Map": "#38bdf8",
               "Choice": "#fbbf24", "Pass": "#9ca3af", "Succeed": "#4ade80", "Fail": "#f87171"}
    marked = {"retry": False, "hb": False, "wait": False}
    for i, (label, v, depth) in enumerate(rows):
        y = len(rows) - 1 - i
        start = _seconds(v.entered, t0)
        stop = _seconds(v.exited if v.exited is not None else t_end, t0)
        width = max(stop - start, span * 0.004)
        ax.barh(y, width, left=start, height=0.6, color=colours.get(v.type, "#9ca3af"),
                edgecolor="#1f2937", linewidth=0.6, alpha=0.55 if v.type in ("Parallel", "Map") else 0.9)
        outcomes = list(v.outcomes)
        for j, (when, details) in enumerate(v.scheduled):
            s = _seconds(when, t0)
            e = _seconds(outcomes[j][0], t0) if j < len(outcomes) else stop
            ax.barh(y, max(e - s, span * 0.003), left=s, height=0.3, color="#1e3a8a", alpha=0.8,
                    label=None if marked["wait"] else "task waiting")
            marked["wait"] = True
            hb = details.get("heartbeatInSeconds")
            if hb:
                t = s + float(hb)
                while t <= e + 1e-9:
                    ax.plot([t], [y + 0.38], marker="D", color="#047857", markersize=4,
                            label=None if marked["hb"] else "heartbeat deadline")
                    marked["hb"] = True
                    t += float(hb)
        for when, kind, _ in outcomes:
            if kind.endswith(("Failed", "TimedOut")):
                ax.plot([_seconds(when, t0)], [y], marker="x", color="#dc2626", markersize=8, mew=2,
                        label=None if marked["retry"] else "failed attempt (retried or caught)")
                marked["retry"] = True
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([label for label, _, _ in reversed(rows)], fontsize=8, family="monospace")
    ax.set_xlabel("seconds since the execution started (engine clock)")
    ax.set_title(title or "state timeline")
    ax.grid(axis="x", alpha=0.3)
    if any(marked.values()):
        ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def history_frame(history: Any, *, definition: Any = None) -> Any:
    """An execution history as a pandas DataFrame, one row per event.

    Columns: ``id``, ``previousEventId``, ``timestamp``, ``elapsed_s`` (since
    the first event), ``type``, ``state`` (the state the event belongs to,
    attributed through ``previousEventId``), ``error``, ``cause`` and
    ``details`` (the event's details dict). Raises VizUnavailable without pandas.
    """
    try:
        import pandas as pd
    except ImportError:
        raise VizUnavailable("history_frame() needs pandas: pip install 'stepfiber[viz]' (or pip install pandas)"
                             ) from None
    events = _read_events(history)
    if isinstance(definition, str):
        definition = _parse(definition, "definition")
    state_of: dict[int, str] = {}
    for v in visits_of(events, definition):
        for event_id in v.event_ids:
            state_of[event_id] = v.name
    t0 = events[0].get("timestamp") if events else None
    rows = []
    for e in events:
        d = _details(e)
        rows.append({
            "id": e["id"], "previousEventId": e.get("previousEventId"), "timestamp": e.get("timestamp"),
            "elapsed_s": _seconds(e.get("timestamp"), t0), "type": e["type"], "state": state_of.get(e["id"]),
            "error": d.get("error"), "cause": d.get("cause"), "details": d,
        })
    return pd.DataFrame(rows, columns=["id", "previousEventId", "timestamp", "elapsed_s", "type", "state", "error",
                                       "cause", "details"])


def _iter_definitions(paths: Iterable[str | pathlib.Path]) -> Iterable[tuple[str, dict[str, Any]]]:
    """(file name, definition) for conformance-style case files (tests and docs)."""
    for p in paths:
        data = json.loads(pathlib.Path(p).read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("definition"), dict):
            yield pathlib.Path(p).name, data["definition"]

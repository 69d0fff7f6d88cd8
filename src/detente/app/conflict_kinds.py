"""Run kinds of the conflict engine: stability, coalitions, status-quo paths, inverse, hypergame.

Engines are imported inside the functions, so registering these kinds costs only their parameter
models (``detente --help`` imports this module).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, WithJsonSchema, field_validator

from detente.app.kind import CliOption, Execution, Json, Params, RunKind
from detente.budget import Cost
from detente.errors import InputError, ParameterError, Problem
from detente.io.kinds import CONFLICTS, SCENARIOS
from detente.render import headlines

if TYPE_CHECKING:
    from rich.console import Console

    from detente.conflict.coalition import CoalitionResult
    from detente.conflict.hypergame import HypergameResult
    from detente.conflict.model import Conflict
    from detente.conflict.paths import StatusQuoAnalysis
    from detente.conflict.stability import StabilityResult
    from detente.io.loader import Document

Concept = Literal["nash", "gmr", "smr", "seq"]
CONCEPTS: tuple[Concept, ...] = ("nash", "gmr", "smr", "seq")
CoalitionConcept = Literal["cnash", "cgmr", "csmr", "cseq"]
COALITION_CONCEPTS: tuple[CoalitionConcept, ...] = ("cnash", "cgmr", "csmr", "cseq")
Method = Literal["fast", "reference"]
StateRows = Literal["auto", "all", "none"]

STATE_ROWS = 4096
"""With ``states: auto``, the JSON lists every state up to this many, else only a summary."""

# Time per option code and concept (measured: 2**20 codes, four concepts, 0.8 s; 2 cores), per
# unilateral move of a three-or-more-DM analysis, and for the brute-force reference per state pair.
_CODE_SECONDS = 3e-7
_EDGE_SECONDS = 1e-6
_REFERENCE_SECONDS = 2e-6
_ROW_BYTES = 160
_CELL_BYTES = 40


# -- helpers ------------------------------------------------------------------------------------
def _conflict(doc: Document) -> Conflict:
    assert doc.conflict is not None  # every kind here reads documents that hold a conflict
    return doc.conflict


def _dm(conflict: Conflict, name: str, param: str = "dm") -> int:
    try:
        return conflict.dm_index(name)
    except KeyError:
        names = ", ".join(dm.name for dm in conflict.decision_makers)
        raise ParameterError(param, f"no decision maker {name!r}; choose from {names}") from None


def resolve_state(conflict: Conflict, ref: int | str | None, param: str) -> int | None:
    """The index of the state a user names by number or Y/N/- pattern (None stays None)."""
    if ref is None:
        return None
    try:
        text = str(ref).strip()
        return conflict.resolve_state(int(text) if text.isdigit() else text)
    except ValueError as exc:
        raise ParameterError(param, str(exc)) from None


def stability_cost(conflict: Conflict, concepts: list[str], method: str, rows: int) -> list[Cost]:
    """Memory (:func:`detente.conflict.budget.estimate`), time and result size of a stability analysis."""
    from detente.conflict import budget

    costs = []
    for concept in concepts:
        est = budget.estimate(conflict, concept)
        seconds = est.n_codes * _CODE_SECONDS + est.n_edges * _EDGE_SECONDS
        if method == "reference":
            seconds += float(conflict.n_states) ** 2 * conflict.n_dms * _REFERENCE_SECONDS
        sizes = ", ".join(f"{dm.name} {len(dm.options)}" for dm in conflict.decision_makers)
        costs.append(
            Cost(
                what=f"a {concept} analysis of conflict {conflict.name!r}",
                size=f"{conflict.n_states:,} feasible states (2**{conflict.n_options} = {est.n_codes:,} "
                f"option combinations; options per decision maker: {sizes})",
                bytes=est.bytes,
                seconds=seconds,
                result_bytes=rows * (_ROW_BYTES + _CELL_BYTES * conflict.n_dms * len(concepts)),
                shrink="Shrink the model: merge options that always move together, drop options that "
                "change no preference, add constraints that rule out impossible states, or give each "
                "decision maker fewer options (moves per state grow as 2**options).",
            )
        )
    return costs


def _rows(conflict: Conflict, states: StateRows) -> int:
    if states == "all" or (states == "auto" and conflict.n_states <= STATE_ROWS):
        return conflict.n_states
    return 0


def equilibria_text(conflict: Conflict, indices: Any) -> list[Json]:
    """Each state as its number, Y/N label and the options taken in words."""
    from detente.render.narrate import describe_state

    return [
        {
            "number": conflict.number(int(s)),
            "label": conflict.label(int(s)),
            "text": describe_state(conflict, int(s)),
        }
        for s in indices
    ]


# -- stability ----------------------------------------------------------------------------------
_CONCEPT_PATTERN = r"^\s*([nN][aA][sS][hH]|[gG][mM][rR]|[sS][mM][rR]|[sS][eE][qQ]|[lL]0*[1-9][0-9]*)\s*$"
"""A stability concept as parameters name it (any case; ``l<h>`` is a limited-move horizon h >= 1):
the rule the concepts validator applies, and the pattern the JSON schema states."""


class StabilityParams(Params):
    """Stability of every state for every decision maker (Fang, Hipel & Kilgour 1993, ch. 3)."""

    kind: Literal["stability"] = "stability"
    concepts: list[Annotated[str, WithJsonSchema({"type": "string", "pattern": _CONCEPT_PATTERN})]] = Field(
        default_factory=lambda: [str(c) for c in CONCEPTS],
        min_length=1,
        description="nash, gmr, smr, seq, and for two decision makers the limited-move horizons l1, l2, ...",
    )
    method: Method = Field("fast", description="fast (vectorised) or reference (brute force).")
    states: StateRows = Field(
        "auto",
        description=f"Per-state rows in the JSON: all, none, or auto (all up to {STATE_ROWS:,} states).",
    )

    @field_validator("concepts")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        for c in value:
            if re.search(_CONCEPT_PATTERN, c) is None:
                raise ValueError(
                    f"unknown concept {c.strip().lower()}; choose from {', '.join(CONCEPTS)}, l<h> (h >= 1)"
                )
        return list(dict.fromkeys(c.strip().lower() for c in value))


def _stability_cost(doc: Document, p: StabilityParams) -> list[Cost]:
    c = _conflict(doc)
    limited = [x for x in p.concepts if x not in CONCEPTS]
    if limited and c.n_dms != 2:
        raise ParameterError(
            "concepts",
            f"{', '.join(limited)}: limited-move stability needs exactly two decision makers; "
            f"{c.name!r} has {c.n_dms}. Use nash, gmr, smr or seq.",
        )
    return stability_cost(c, p.concepts, p.method, _rows(c, p.states))


def _stability(doc: Document, p: StabilityParams, ex: Execution) -> StabilityResult:
    from detente.conflict.stability import analyze

    return analyze(_conflict(doc), p.concepts, p.method)


def _stability_json(doc: Document, p: StabilityParams, result: StabilityResult) -> Json:
    from detente.render.conflict_json import stability_dict

    c = _conflict(doc)
    out = stability_dict(result, rows=_rows(c, p.states) > 0)
    out["equilibria_text"] = {x: equilibria_text(c, result.equilibria(x)) for x in result.concepts}
    return out


def _stability_terminal(doc: Document, p: StabilityParams, result: StabilityResult, out: Console) -> None:
    from detente.render.terminal_conflict import print_stability

    print_stability(_conflict(doc), result.stable, out)


STABILITY = RunKind(
    name="stability",
    title="detente conflict analyze",
    params=StabilityParams,
    reads=CONFLICTS,
    run=_stability,
    to_json=_stability_json,
    headline=headlines.equilibria,
    cost=_stability_cost,
    terminal=_stability_terminal,
    command=("conflict", "analyze"),
    cli={"concepts": CliOption(("--concepts",))},
)


# -- coalitions ---------------------------------------------------------------------------------
class CoalitionParams(Params):
    """Coalition stability (Inohara & Hipel 2008) for the coalitions the file names, or all of them."""

    kind: Literal["coalitions"] = "coalitions"
    concepts: list[CoalitionConcept] = Field(
        default_factory=lambda: list(COALITION_CONCEPTS),
        min_length=1,
        description="cnash, cgmr, csmr, cseq.",
    )
    method: Method = Field("fast", description="fast (vectorised) or reference (brute force).")


# Seconds per (concept, coalition member, pair of states) of the fast path, and per (concept, member,
# triple of states) of the brute-force reference (measured on the North Korea scenarios, 144 states
# and 15 coalitions: fast 2.0e-7, reference 1.2e-6 for CGMR).
_COALITION_PAIR_SECONDS = 3e-7
_COALITION_TRIPLE_SECONDS = 1.5e-6


def _coalition_cost(doc: Document, p: CoalitionParams) -> list[Cost]:
    """The stability analyses every singleton needs, and on top the coalitions' own work: dense
    (states x states) reach matrices per coalition (:func:`detente.conflict.coalition.check_dense_budget`),
    and per member a sweep over pairs of states (fast) or over triples (reference)."""
    from detente.conflict.coalition import normalise_coalitions

    c = _conflict(doc)
    rows = c.n_states if c.n_states <= STATE_ROWS else 0
    costs = stability_cost(c, [x[1:] for x in p.concepts], p.method, rows)
    klass = normalise_coalitions(c, None)
    members = sum(len(h) for h in klass)
    n = float(c.n_states)
    per = n**3 * _COALITION_TRIPLE_SECONDS if p.method == "reference" else n**2 * _COALITION_PAIR_SECONDS
    costs.append(
        Cost(
            what=f"the coalition analysis ({p.method}) of conflict {c.name!r}",
            size=f"{len(klass)} coalitions ({members} memberships), {c.n_states:,} feasible states",
            bytes=int(16 * n * n),
            seconds=len(p.concepts) * members * per,
            result_bytes=0,
            shrink="Use the fast method, name fewer coalitions in the file (coalitions:), or shrink "
            "the model (fewer options, constraints that rule out impossible states).",
        )
    )
    return costs


def _coalitions(doc: Document, p: CoalitionParams, ex: Execution) -> CoalitionResult:
    from detente.conflict.coalition import coalition_stability

    return coalition_stability(_conflict(doc), p.concepts, method=p.method)


def _coalitions_json(doc: Document, p: CoalitionParams, result: CoalitionResult) -> Json:
    from detente.render.conflict_json import coalition_dict

    return coalition_dict(result, rows=_conflict(doc).n_states <= STATE_ROWS)


def _coalitions_terminal(doc: Document, p: CoalitionParams, result: CoalitionResult, out: Console) -> None:
    from detente.render.terminal_conflict import print_coalitions

    print_coalitions(result, out)


COALITIONS = RunKind(
    name="coalitions",
    title="detente conflict coalitions",
    params=CoalitionParams,
    reads=CONFLICTS,
    run=_coalitions,
    to_json=_coalitions_json,
    headline=headlines.equilibria,
    cost=_coalition_cost,
    terminal=_coalitions_terminal,
    command=("conflict", "coalitions"),
)


# -- status-quo paths ---------------------------------------------------------------------------
class PathsParams(Params):
    """Status quo analysis (Li, Kilgour & Hipel 2005): how the conflict can reach its equilibria."""

    kind: Literal["paths"] = "paths"
    concept: Concept = Field("seq", description="Equilibria to reach: nash, gmr, smr or seq.")
    start: int | str | None = Field(
        None, description="Start state (number or Y/N pattern); default: status quo."
    )
    coalitions: bool = Field(False, description="Allow coalition improvements too.")
    max_paths: int = Field(10, ge=1, le=100, description="Shortest paths kept per equilibrium.")


def _paths_cost(doc: Document, p: PathsParams) -> list[Cost]:
    c = _conflict(doc)
    if p.start is None and c.status_quo is None:
        message = "the conflict names no status quo; name the state the paths start from"
        raise InputError([Problem(doc.file, None, "status_quo", message)])
    resolve_state(c, p.start, "start")
    return stability_cost(c, [p.concept], "fast", c.n_states if c.n_states <= STATE_ROWS else 0)


def _paths(doc: Document, p: PathsParams, ex: Execution) -> StatusQuoAnalysis:
    from detente.conflict.paths import status_quo_paths
    from detente.conflict.stability import analyze

    c = _conflict(doc)
    origin = resolve_state(c, p.start, "start")
    return status_quo_paths(
        c, analyze(c, [p.concept]), p.concept, origin, p.coalitions, max_paths=p.max_paths
    )


def _paths_json(doc: Document, p: PathsParams, result: StatusQuoAnalysis) -> Json:
    from detente.render.conflict_json import paths_dict

    return paths_dict(result)


def _paths_terminal(doc: Document, p: PathsParams, result: StatusQuoAnalysis, out: Console) -> None:
    from detente.render.narrate import describe_paths
    from detente.render.terminal_conflict import print_paths

    print_paths(result, describe_paths(result.conflict, result), out)


PATHS = RunKind(
    name="paths",
    title="detente conflict paths",
    params=PathsParams,
    reads=CONFLICTS,
    run=_paths,
    to_json=_paths_json,
    headline=headlines.paths,
    cost=_paths_cost,
    terminal=_paths_terminal,
    command=("conflict", "paths"),
    cli={"start": CliOption(("--from",)), "concept": CliOption(("--concept",))},
)


# -- inverse ------------------------------------------------------------------------------------
class InverseParams(Params):
    """Working back from a desired outcome: the exact condition on the varying decision makers'
    preferences under which TARGET is an equilibrium, the smallest change that makes it one (or, with
    goal unstable, stops it being one), and the share of rankings that satisfy the condition."""

    kind: Literal["inverse"] = "inverse"
    target: int | str = Field(description="Target state: number or Y/N pattern in option order.")
    decision_maker: list[str] = Field(
        default_factory=list,
        description="The decision makers whose preferences vary (default: those for whom the target "
        "is not stable now, or else those who can move away from it).",
    )
    concept: Concept = Field("nash", description="nash, gmr, smr or seq.")
    mode: Literal["condition", "rankings", "statement_orders"] = Field(
        "condition",
        description="condition: the condition, the smallest change and the share (any size); rankings: "
        "count every strict ranking of one decision maker (up to 16 states); statement_orders: every "
        "order of one decision maker's preference statements.",
    )
    goal: Literal["stable", "unstable"] = Field(
        "stable", description="Make the target an equilibrium, or stop it."
    )
    reachable: bool = Field(
        False, description="The change must also make the target reachable from the status quo."
    )
    samples: int = Field(
        9604,
        ge=0,
        le=1_000_000,
        description="Sampled rankings for the share when it cannot be counted exactly.",
    )


# Working back (measured on the North Korea scenarios, 144 states and 4 decision makers: 0.25-0.6 s
# with the solver's first import): a start, per (state pair, decision maker), per sampled ranking.
_INVERSE_START = 0.05
_INVERSE_PAIR_SECONDS = 5e-6
_SAMPLE_SECONDS = 2e-9


def _inverse_cost(doc: Document, p: InverseParams) -> list[Cost]:
    c = _conflict(doc)
    for name in p.decision_maker:
        _dm(c, name, "decision_maker")
    if p.mode != "condition" and len(p.decision_maker) != 1:
        raise ParameterError("decision_maker", f"mode {p.mode} varies exactly one decision maker; name one")
    resolve_state(c, p.target, "target")
    if p.reachable and c.status_quo is None:
        raise ParameterError("reachable", "the conflict names no status quo to reach the target from")
    n = float(c.n_states)
    work = Cost(
        what=f"working back to the target in conflict {c.name!r} ({p.mode})",
        size=f"{c.n_states:,} feasible states, {c.n_dms} decision makers, {p.samples:,} sampled rankings",
        bytes=int(64 * n * c.n_dms) + 32 * p.samples * c.n_dms,
        seconds=_INVERSE_START + n * n * c.n_dms * _INVERSE_PAIR_SECONDS + p.samples * n * _SAMPLE_SECONDS,
        result_bytes=0,
        shrink="Vary fewer decision makers (decision_maker), sample fewer rankings (samples), or shrink "
        "the model.",
    )
    return [*stability_cost(c, [p.concept], "fast", 0), work]


@dataclass(frozen=True, eq=False)
class Inverse:
    """An inverse analysis: the condition, the smallest change and the share (mode condition), or the
    count of rankings or statement orders (the other modes)."""

    condition: Any = None
    change: Any = None
    share: Any = None
    counted: Any = None


def _inverse(doc: Document, p: InverseParams, ex: Execution) -> Inverse:
    c = _conflict(doc)
    t = resolve_state(c, p.target, "target")
    assert t is not None
    try:
        if p.mode != "condition":
            from detente.conflict.inverse import inverse_analysis, inverse_statement_orders

            i = _dm(c, p.decision_maker[0], "decision_maker")
            if p.mode == "rankings":
                return Inverse(counted=inverse_analysis(c, t, i, p.concept))
            from detente.io.statement_arrays import statement_preferences

            prefs = statement_preferences(c, i, pool=False)
            return Inverse(counted=inverse_statement_orders(c, t, i, p.concept, prefs))
        from detente.conflict.inverse_change import smallest_change
        from detente.conflict.inverse_condition import build_condition, suggest_varying
        from detente.conflict.inverse_share import condition_share

        varying = (
            tuple(_dm(c, name, "decision_maker") for name in p.decision_maker)
            if p.decision_maker
            else suggest_varying(c, t, p.concept)
        )
        condition = build_condition(c, t, p.concept, varying)
        change = smallest_change(
            c, t, p.concept, varying, goal=p.goal, from_status_quo=p.reachable, condition=condition
        )
        share = condition_share(condition, samples=p.samples or None, seed=0) if p.samples else None
        return Inverse(condition, change, share)
    except ValueError as exc:
        raise ParameterError("mode", str(exc)) from None


def _inverse_json(doc: Document, p: InverseParams, r: Inverse) -> Json:
    from detente.render.conflict_json import conflict_document, inverse_dict, statement_orders_dict

    c = _conflict(doc)
    if r.counted is not None:
        return inverse_dict(c, r.counted) if p.mode == "rankings" else statement_orders_dict(c, r.counted)
    from detente.render.inverse_json import change_dict, condition_dict

    return conflict_document(
        "inverse_analysis",
        c,
        condition=condition_dict(c, r.condition, r.share),
        change=change_dict(c, r.change),
    )


def _inverse_terminal(doc: Document, p: InverseParams, r: Inverse, out: Console) -> None:
    from detente.render.terminal_conflict import print_lines

    c = _conflict(doc)
    if r.counted is not None:
        result = r.counted
        name = f"state {c.number(result.target)} ({c.label(result.target)})"
        who = p.decision_maker[0]
        if p.mode == "statement_orders":
            lines = [
                f"{result.count} of {result.total} orders of {who}'s statements make {name} a "
                f"{p.concept.upper()} equilibrium",
                *("  " + " > ".join(order) for order in result.orders),
            ]
        else:
            lines = [
                f"{result.count} of {result.total} strict rankings of {who} ({result.share:.1%}) "
                f"make {name} a {p.concept.upper()} equilibrium",
                *(f"  - {condition}" for condition in result.conditions),
                *("  e.g. " + " > ".join(str(c.number(s)) for s in ranking) for ranking in result.examples),
            ]
        print_lines(lines, out)
        return
    from detente.render.inverse_words import change_words, condition_words, share_words

    lines = [*condition_words(c, r.condition), "", *change_words(c, r.change)]
    if r.share is not None:
        lines += ["", share_words(r.share)]
    print_lines(lines, out)


INVERSE = RunKind(
    name="inverse",
    title="detente conflict inverse",
    params=InverseParams,
    reads=CONFLICTS,
    run=_inverse,
    to_json=_inverse_json,
    headline=headlines.inverse,
    cost=_inverse_cost,
    terminal=_inverse_terminal,
    command=("conflict", "inverse"),
    cli={"decision_maker": CliOption(("--dm",))},
)


# -- hypergame ----------------------------------------------------------------------------------
class HypergameParams(Params):
    """First-level hypergame from the scenario's perceptions (Bennett 1980)."""

    kind: Literal["hypergame"] = "hypergame"
    concept: Concept = Field("seq", description="nash, gmr, smr or seq.")


def _hypergame_cost(doc: Document, p: HypergameParams) -> list[Cost]:
    c = _conflict(doc)
    costs = stability_cost(c, [p.concept], "fast", 0)
    n = 1 + len(doc.scenario.perceptions) if doc.scenario is not None else 1
    return [Cost(x.what, x.size, x.bytes, x.seconds * n, x.result_bytes, x.shrink) for x in costs]


def _hypergame(doc: Document, p: HypergameParams, ex: Execution) -> HypergameResult:
    from detente.conflict.hypergame import analyze_hypergame
    from detente.io.scenario import perceptions_of

    return analyze_hypergame(_conflict(doc), perceptions_of(doc.scenario), [p.concept])


def _hypergame_json(doc: Document, p: HypergameParams, result: HypergameResult) -> Json:
    from detente.render.conflict_json import SCHEMA_VERSION, conflict_dict
    from detente.render.hypergame_words import explain

    c = _conflict(doc)
    names = [dm.name for dm in c.decision_makers]
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "hypergame",
        "concept": p.concept,
        "conflict": conflict_dict(c),
        "perceptions": [
            {
                "name": q.name,
                "perceiver": names[q.perceiver],
                "about": names[q.about],
                "hidden_options": [c.options[j].name for j in sorted(q.hidden_options)],
            }
            for q in doc.scenario.perceptions
        ],
        "real_equilibria": equilibria_text(c, result.real.equilibria(p.concept)),
        "hypergame_equilibria": equilibria_text(c, result.equilibria(p.concept)),
        "expected": {
            names[i]: equilibria_text(c, result.expected_equilibria(i, p.concept)) for i in range(c.n_dms)
        },
        "misperceivers": [names[i] for i in result.misperceivers()],
        "explanation": explain(result, p.concept),
    }


def _hypergame_terminal(doc: Document, p: HypergameParams, result: HypergameResult, out: Console) -> None:
    from detente.render.terminal_conflict import print_hypergame

    print_hypergame(_hypergame_json(doc, p, result), out)


HYPERGAME = RunKind(
    name="hypergame",
    title="detente conflict hypergame",
    params=HypergameParams,
    reads=SCENARIOS,
    run=_hypergame,
    to_json=_hypergame_json,
    headline=headlines.hypergame,
    cost=_hypergame_cost,
    terminal=_hypergame_terminal,
    command=("conflict", "hypergame"),
)


def explain_state(doc: Document, number: int, concepts: list[Concept]) -> Json:
    """One state: its options and ranks, per concept whether stable for each decision maker, and why."""
    from detente.budget import check
    from detente.conflict.stability import analyze
    from detente.render.conflict_json import state_dict
    from detente.render.narrate import describe_stability, describe_state

    c = _conflict(doc)
    if not 1 <= number <= c.n_states:
        raise ParameterError("state", f"state number {number} is out of range 1..{c.n_states}")
    s = number - 1
    for cost in stability_cost(c, list(concepts), "fast", 0):
        check(cost)
    result = analyze(c, concepts)
    out = state_dict(c, s)
    out["text"] = describe_state(c, s)
    out["stable"] = {
        concept: {dm.name: bool(result.stable[concept][i, s]) for i, dm in enumerate(c.decision_makers)}
        for concept in concepts
    }
    out["explanation"] = describe_stability(c, result, s)
    return out

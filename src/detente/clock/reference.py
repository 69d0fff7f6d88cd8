"""Brute-force game-tree reference for two-party grid clocks (for the tests, not for users).

The extensive form is walked node by node, with no regimes, thresholds or arrays: at each round's
chance node every combination of that round's uncertain events is a branch; at the recognition node
every possible proposer is a branch; the proposer chooses among *every* grid offer, making no offer
(stalling: the responder then rejects, or walks out) and walking out; the responder to each offer
chooses among accepting, rejecting and walking out; after a rejection a breakdown chance node leads
to the reservation values or to the next round (its value discounted, plus the period's status-quo
flow (1 - delta) r, less the cost of delay). Each mover picks its best payoff (Selten's subgame
perfection by backward induction; ties: accept before reject before walk-out for the responder; an
accepted offer before a refused one before walking out for the proposer; among accepted offers the
responder's best, then the lowest grid index). All arithmetic is exact (fractions.Fraction).

The continuation after a rejection does not depend on the offer, so it is evaluated once per
proposer node; otherwise the tree is expanded in full, so the cost grows like
``(branches per round) ** rounds``: keep it to a handful of rounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product

from detente.clock.exact import q
from detente.clock.model import ClockModel
from detente.errors import ModelTooLargeError

Vec = tuple[Fraction, ...]
MAX_NODES = 200_000


@dataclass
class _Node:
    """Expected payoffs of a subtree and the probability of each way it ends, by round."""

    values: Vec
    agree: dict[int, Fraction] = field(default_factory=dict)
    walkout: dict[int, Fraction] = field(default_factory=dict)
    breakdown: dict[int, Fraction] = field(default_factory=dict)
    open: Fraction = Fraction(0)
    agreed: bool = False  # only for a responder's choice: accepted there and then

    def scaled(self, w: Fraction) -> _Node:
        return _Node(
            tuple(w * v for v in self.values),
            {t: w * p for t, p in self.agree.items()},
            {t: w * p for t, p in self.walkout.items()},
            {t: w * p for t, p in self.breakdown.items()},
            w * self.open,
        )


def _add(nodes: list[_Node], n: int) -> _Node:
    out = _Node(tuple(sum((x.values[i] for x in nodes), Fraction(0)) for i in range(n)))
    for x in nodes:
        for src, dst in ((x.agree, out.agree), (x.walkout, out.walkout), (x.breakdown, out.breakdown)):
            for t, p in src.items():
                dst[t] = dst.get(t, Fraction(0)) + p
        out.open += x.open
    return out


@dataclass(frozen=True)
class ReferenceSolution:
    values: Vec
    p_agree: Vec
    p_walkout: Vec
    p_breakdown: Vec
    p_open: Fraction
    nodes: int


def _f(x: Fraction | None) -> Fraction:
    assert x is not None
    return x


class _Tree:
    def __init__(self, model: ClockModel) -> None:
        if model.grid is None or model.n != 2:
            raise ValueError("the reference walks two-party grid clocks only")
        self.m = model
        self.T = model.horizon
        self.U = [[q(u) for u in row] for row in model.grid.utility]
        self.G = len(self.U[0])
        self.nodes = 0

    def params(self, fired: frozenset[str], t: int) -> list[dict[str, Fraction | None]]:
        ps: list[dict[str, Fraction | None]] = []
        for p in self.m.parties:
            ps.append(
                {
                    "discount": q(p.discount),
                    "cost": q(p.cost),
                    "reservation": q(p.reservation),
                    "outside_option": None if p.outside_option is None else q(p.outside_option),
                }
            )
        for e in sorted(self.m.events, key=lambda ev: ev.round):
            happened = e.name in fired or e.probability == 1
            if e.round <= t and e.round < self.T and happened:
                for patch in e.patches:
                    ps[patch.party].update(patch.values())  # type: ignore[arg-type]
        for pp in ps:
            for key in pp:
                if pp[key] is not None:
                    pp[key] = q(pp[key])
        return ps

    def start(self, t: int, fired: frozenset[str]) -> _Node:
        """The chance node at the start of round ``t``: this round's uncertain events."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ModelTooLargeError(f"the reference tree has more than {MAX_NODES:,} nodes")
        if t == self.T:
            ps = self.params(fired, self.T - 1)
            return _Node(tuple(pp["reservation"] for pp in ps), open=Fraction(1))  # type: ignore[misc]
        now = [e for e in self.m.uncertain_events if e.round == t]
        branches = []
        for outcome in product((True, False), repeat=len(now)):
            w = Fraction(1)
            f = set(fired)
            for e, happened in zip(now, outcome, strict=True):
                w *= q(e.probability) if happened else 1 - q(e.probability)
                if happened:
                    f.add(e.name)
            if w:
                branches.append(self.recognise(t, frozenset(f)).scaled(w))
        return _add(branches, 2)

    def recognise(self, t: int, fired: frozenset[str]) -> _Node:
        rec = [q(x) for x in self.m.recognition_at(t)]
        return _add([self.propose(t, fired, k).scaled(rec[k]) for k in range(2) if rec[k]], 2)

    def after_rejection(self, t: int, fired: frozenset[str]) -> _Node:
        ps = self.params(fired, t)
        b = q(self.m.breakdown_at(t))
        nxt = self.start(t + 1, fired)
        go = _Node(
            tuple(
                _f(ps[i]["discount"]) * nxt.values[i]
                + (1 - _f(ps[i]["discount"])) * _f(ps[i]["reservation"])
                - _f(ps[i]["cost"])
                for i in range(2)
            ),
            nxt.agree,
            nxt.walkout,
            nxt.breakdown,
            nxt.open,
        )
        stop = _Node(tuple(pp["reservation"] for pp in ps), breakdown={t: Fraction(1)})  # type: ignore[misc]
        return _add([go.scaled(1 - b), stop.scaled(b)], 2) if b else go

    def walkout(self, t: int, fired: frozenset[str]) -> _Node | None:
        ps = self.params(fired, t)
        if ps[0]["outside_option"] is None:
            return None
        return _Node(tuple(pp["outside_option"] for pp in ps), walkout={t: Fraction(1)})  # type: ignore[misc]

    def respond(self, t: int, k: int, g: int, rejected: _Node, walk: _Node | None) -> _Node:
        j = 1 - k
        accept = _Node(tuple(self.U[i][g] for i in range(2)), agree={t: Fraction(1)}, agreed=True)
        best = accept
        for option in (rejected, walk):  # accept > reject > walk on ties
            if option is not None and option.values[j] > best.values[j]:
                best = option
        return best

    def propose(self, t: int, fired: frozenset[str], k: int) -> _Node:
        j = 1 - k
        rejected = self.after_rejection(t, fired)
        walk = self.walkout(t, fired)
        best: _Node | None = None
        best_key: tuple[Fraction, int, Fraction, int] | None = None
        for g in range(self.G):
            node = self.respond(t, k, g, rejected, walk)
            key = (
                node.values[k],
                2 if node.agreed else 1,
                node.values[j] if node.agreed else Fraction(0),
                -g,
            )
            if best_key is None or key > best_key:
                best, best_key = node, key
        assert best is not None and best_key is not None
        stall = rejected if walk is None or rejected.values[j] >= walk.values[j] else walk
        if (stall.values[k], 1, Fraction(0), 0) > best_key:  # no offer at all (stalling)
            best, best_key = stall, (stall.values[k], 1, Fraction(0), 0)
        if walk is not None and (walk.values[k], 0, Fraction(0), 0) > best_key:
            best = walk
        return best


def solve_reference(model: ClockModel) -> ReferenceSolution:
    """Expected values and ending probabilities of the subgame-perfect equilibrium, by brute force."""
    tree = _Tree(model)
    root = tree.start(0, frozenset())
    T = tree.T
    return ReferenceSolution(
        root.values,
        tuple(root.agree.get(t, Fraction(0)) for t in range(T)),
        tuple(root.walkout.get(t, Fraction(0)) for t in range(T)),
        tuple(root.breakdown.get(t, Fraction(0)) for t in range(T)),
        root.open,
        tree.nodes,
    )

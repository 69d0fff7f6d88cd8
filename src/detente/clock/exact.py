"""The clock's subgame-perfect equilibrium in exact rational arithmetic, for small models.

The same definition as :mod:`detente.clock.fast` (see its docstring), computed one regime and one
round at a time with :class:`fractions.Fraction`, so that closed forms can be checked exactly:
e.g. the finite-horizon share with a common discount factor ``(1 - (-delta)**T) / (1 + delta)``
(Osborne & Rubinstein 1990, section 3.10.3; 1/10 at T = 2 and 91/100 at T = 3 for delta = 9/10).
Every number of the model is converted with ``Fraction(str(x))`` (a float 0.9 becomes 9/10).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from detente.clock.model import PARAMS, ClockModel
from detente.errors import ModelTooLargeError

MAX_WORK = 2_000_000
"""Refuse models whose regimes x rounds x parties x offers exceed this (rationals are slow)."""

Vec = tuple[Fraction, ...]


def q(x: object) -> Fraction:
    """A number as an exact fraction (floats through their shortest decimal spelling)."""
    return x if isinstance(x, Fraction) else Fraction(str(x))


@dataclass(frozen=True)
class ExactSolution:
    """``values``: expected values at the start; ``p_agree[t]``: probability of agreement in round t;
    ``p_walkout``, ``p_breakdown`` likewise; ``terms[t]``: expected payoffs given agreement in round t
    (None when it cannot come then)."""

    values: Vec
    p_agree: Vec
    p_walkout: Vec
    p_breakdown: Vec
    terms: tuple[Vec | None, ...]


@dataclass
class _P:
    discount: Fraction
    cost: Fraction
    reservation: Fraction
    outside_option: Fraction | None


def _params(model: ClockModel, bits: tuple[int, ...], t: int) -> list[_P]:
    """Each party's parameters in round ``t`` of the regime ``bits`` (events applied in order)."""
    unc = [e.name for e in model.uncertain_events]
    out = [
        _P(
            q(p.discount),
            q(p.cost),
            q(p.reservation),
            None if p.outside_option is None else q(p.outside_option),
        )
        for p in model.parties
    ]
    for e in sorted(model.events, key=lambda ev: ev.round):
        if e.probability == 0 or e.round > t or e.round >= model.horizon:
            continue
        if e.name in unc and not bits[unc.index(e.name)]:
            continue
        for patch in e.patches:
            for name, value in patch.values().items():
                assert name in PARAMS
                setattr(out[patch.party], name, q(value))
    return out


def solve_exact(model: ClockModel) -> ExactSolution:
    """Backward induction in rationals over every regime (outcome of the uncertain events)."""
    T, n = model.horizon, model.n
    unc = model.uncertain_events
    K = len(unc)
    G = 1 if model.grid is None else len(model.grid.positions)
    if (2**K) * T * n * G > MAX_WORK:
        raise ModelTooLargeError(
            f"exact arithmetic would take about {(2**K) * T * n * G:,} steps, more than {MAX_WORK:,};"
            " use the float solver (detente.clock.solve) or fewer rounds, events or offers"
        )
    regimes = [tuple((r >> k) & 1 for k in range(K)) for r in range(2**K)]
    quota = model.votes_needed
    util = None if model.grid is None else [[q(u) for u in row] for row in model.grid.utility]
    # policy[t][r][k] = (agree, deal vector, no-deal kind)
    policy: list[list[list[tuple[bool, Vec, int]]]] = [[] for _ in range(T)]
    v_next: list[Vec] = [tuple(pp.reservation for pp in _params(model, bits, T - 1)) for bits in regimes]
    for t in range(T - 1, -1, -1):
        b = q(model.breakdown_at(t))
        rec = [q(x) for x in model.recognition_at(t)]
        v_now: list[Vec] = []
        for ri, bits in enumerate(regimes):
            ps = _params(model, bits, t)
            cont = [
                (1 - b)
                * (ps[i].discount * v_next[ri][i] + (1 - ps[i].discount) * ps[i].reservation - ps[i].cost)
                + b * ps[i].reservation
                for i in range(n)
            ]
            out = [Fraction(0) if pp.outside_option is None else pp.outside_option for pp in ps]
            has_out = ps[0].outside_option is not None
            thr = [max(cont[i], out[i]) if has_out else cont[i] for i in range(n)]
            acts: list[tuple[bool, Vec, int]] = []
            v = [Fraction(0)] * n
            for k in range(n):
                if rec[k] == 0:
                    acts.append((False, tuple(Fraction(0) for _ in range(n)), 0))
                    continue
                feasible, dv = _deal(thr, k, quota, util)
                kind = 0
                nodeal: list[Fraction] = list(cont)
                if has_out:
                    j = 1 - k
                    rejected = list(out) if out[j] > cont[j] else list(cont)
                    kind = 2 if out[j] > cont[j] else 0
                    if out[k] > rejected[k]:
                        rejected, kind = list(out), 1
                    nodeal = rejected
                ok = feasible and dv[k] >= nodeal[k]
                acts.append((ok, dv, 0 if ok else kind))
                chosen = dv if ok else tuple(nodeal)
                v = [v[i] + rec[k] * chosen[i] for i in range(n)]
            policy[t].append(acts)
            v_now.append(tuple(v))
        # chance events dated t: average over their outcome
        for k, e in enumerate(unc):
            if e.round != t:
                continue
            p = q(e.probability)
            avg = []
            for bits in regimes:
                hi = regimes.index(tuple(1 if i == k else x for i, x in enumerate(bits)))
                lo = regimes.index(tuple(0 if i == k else x for i, x in enumerate(bits)))
                avg.append(tuple(p * a + (1 - p) * c for a, c in zip(v_now[hi], v_now[lo], strict=True)))
            v_now = avg
        v_next = v_now
    values = v_next[0]
    # forward: probability of each ending per round
    prior = []
    for bits in regimes:
        w = Fraction(1)
        for k, e in enumerate(unc):
            w *= q(e.probability) if bits[k] else 1 - q(e.probability)
        prior.append(w)
    mass = prior
    pa: list[Fraction] = []
    pw: list[Fraction] = []
    pb: list[Fraction] = []
    terms: list[Vec | None] = []
    for t in range(T):
        rec = [q(x) for x in model.recognition_at(t)]
        b = q(model.breakdown_at(t))
        agreed, walked, broke, tsum = Fraction(0), Fraction(0), Fraction(0), [Fraction(0)] * n
        new_mass = []
        for ri in range(len(regimes)):
            rest = mass[ri]
            for k in range(n):
                if rec[k] == 0:
                    continue
                ok, dv, kind = policy[t][ri][k]
                w = mass[ri] * rec[k]
                if ok:
                    agreed += w
                    tsum = [tsum[i] + w * dv[i] for i in range(n)]
                    rest -= w
                elif kind:
                    walked += w
                    rest -= w
            broke += rest * b
            new_mass.append(rest * (1 - b))
        pa.append(agreed)
        pw.append(walked)
        pb.append(broke)
        terms.append(tuple(x / agreed for x in tsum) if agreed else None)
        mass = new_mass
    return ExactSolution(values, tuple(pa), tuple(pw), tuple(pb), tuple(terms))


def _deal(thr: list[Fraction], k: int, quota: int, util: list[list[Fraction]] | None) -> tuple[bool, Vec]:
    """Proposer ``k``'s best accepted offer (feasible, payoffs), as in ``detente.clock.fast._best_deal``."""
    n = len(thr)
    if util is not None:
        j = 1 - k
        acc = [g for g in range(len(util[0])) if util[j][g] >= thr[j]]
        if not acc:
            return False, tuple(Fraction(0) for _ in range(n))
        best = max(util[k][g] for g in acc)
        g = max((g for g in acc if util[k][g] == best), key=lambda g: (util[j][g], -g))
        return True, tuple(util[i][g] for i in range(n))
    pay = [max(x, Fraction(0)) for x in thr]
    dv = [Fraction(0)] * n
    others = [i for i in range(n) if i != k]
    m = quota - 1
    if m > 0:
        cut = sorted(pay[i] for i in others)[m - 1]
        below = [i for i in others if pay[i] < cut]
        tied = [i for i in others if pay[i] == cut]
        share = Fraction(m - len(below), len(tied))
        for i in below:
            dv[i] = pay[i]
        for i in tied:
            dv[i] = share * pay[i]
    dv[k] = 1 - sum(dv, Fraction(0))
    return dv[k] >= 0, tuple(dv)

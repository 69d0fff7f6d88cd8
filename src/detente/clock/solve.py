"""Solve one clock: the subgame-perfect equilibrium and what it implies, by date.

:func:`solve` runs :mod:`detente.clock.fast` on one model and wraps the arrays in a
:class:`ClockSolution` that answers in the model's own dates: the probability of agreement by each
date, when agreement comes, on what terms, and each party's expected value.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from detente.clock.fast import Compiled, FloatArray, Outcome, Policy, compile_model, solve_batch
from detente.clock.model import ClockModel


@dataclass(frozen=True, eq=False)
class ClockSolution:
    """The equilibrium of ``model``: ``policy`` and ``outcome`` are :mod:`~detente.clock.fast` arrays
    for the single model (batch index 0)."""

    model: ClockModel
    compiled: Compiled
    policy: Policy
    outcome: Outcome

    # -- values ------------------------------------------------------------------------------
    @property
    def values(self) -> FloatArray:
        """(n,): each party's expected value at the start (discounted to round 0)."""
        return np.asarray(self.outcome.value0[0], dtype=np.float64)

    def value(self, party: str) -> float:
        return float(self.values[self.model.party_index(party)])

    # -- timing ------------------------------------------------------------------------------
    @property
    def p_agree(self) -> FloatArray:
        """(T,): probability that agreement comes in each round played."""
        return np.asarray(self.outcome.p_agree[0], dtype=np.float64)

    @property
    def cumulative(self) -> FloatArray:
        """(T,): probability of agreement by (and including) each round."""
        return np.cumsum(self.p_agree)

    @property
    def p_agree_ever(self) -> float:
        return float(self.p_agree.sum())

    @property
    def p_walkout(self) -> float:
        return float(self.outcome.p_walkout[0].sum())

    @property
    def p_breakdown(self) -> float:
        return float(self.outcome.p_breakdown[0].sum())

    @property
    def p_open(self) -> float:
        """Probability that no deal, walk-out or breakdown has happened when the clock runs out."""
        return float(self.outcome.p_open[0])

    def prob_agreement_by(self, day: dt.date) -> float:
        """Probability of agreement in a round dated on or before ``day``."""
        t = sum(1 for r in range(self.model.horizon) if self.model.date_of(r) <= day)
        return float(self.p_agree[:t].sum())

    def first_agreement_round(self, at_least: float = 1e-9) -> int | None:
        """The first round in which agreement has a positive probability (None: never)."""
        hits = np.flatnonzero(self.p_agree > at_least)
        return int(hits[0]) if hits.size else None

    def median_agreement_round(self) -> int | None:
        """The first round by which agreement is at least as likely as not (None: never)."""
        hits = np.flatnonzero(self.cumulative >= 0.5 - 1e-12)
        return int(hits[0]) if hits.size else None

    def expected_agreement_round(self) -> float:
        """Mean round of agreement, given agreement (NaN if it never comes)."""
        p = self.p_agree
        return float((np.arange(p.size) * p).sum() / p.sum()) if p.sum() > 0 else math.nan

    # -- terms -------------------------------------------------------------------------------
    def terms_at(self, t: int) -> FloatArray:
        """(n,): expected payoffs given agreement in round ``t`` (NaN when it cannot come then)."""
        return np.asarray(self.outcome.terms[0, t], dtype=np.float64)

    def position_at(self, t: int) -> float:
        """The expected place on the 0-100 scale of an agreement in round ``t`` (NaN when none)."""
        return float(self.outcome.position[0, t])

    def expected_terms(self) -> FloatArray:
        """(n,): expected payoffs given agreement, over every round it may come in."""
        p = self.p_agree
        if p.sum() <= 0:
            return np.full(self.model.n, np.nan)
        terms = np.nan_to_num(self.outcome.terms[0])
        return np.asarray((p[:, None] * terms).sum(axis=0) / p.sum())

    def expected_position(self) -> float:
        p = self.p_agree
        if p.sum() <= 0:
            return math.nan
        return float((p * np.nan_to_num(self.outcome.position[0])).sum() / p.sum())

    def first_offer(self) -> tuple[int, FloatArray, float, bool]:
        """Round 0 under the first regime: (proposer, payoffs of its best acceptable offer, position,
        whether it is made and accepted). Under random recognition the first party with a chance."""
        rec = self.compiled.recognition[0]
        k = int(np.flatnonzero(rec > 0)[0])
        return (
            k,
            self.policy.deal[0, 0, 0, k],
            float(self.policy.position[0, 0, 0, k]),
            bool(self.policy.agree[0, 0, 0, k]),
        )


def solve(model: ClockModel) -> ClockSolution:
    """The subgame-perfect equilibrium of ``model`` by backward induction (float arithmetic)."""
    compiled = compile_model(model)
    policy, outcome = solve_batch(compiled)
    return ClockSolution(model, compiled, policy, outcome)

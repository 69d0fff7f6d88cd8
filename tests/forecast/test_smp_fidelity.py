"""SMP fidelity to KTAB: bargain values summed directly (exact ties for the Binary rule), the KTAB
SOE-Pol-Comp run with ``voting_rule=Binary``, and memory that stays flat over the turns."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.forecast.models import smp
from detente.forecast.space import IssueSpace

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("DETENTE_SHARED", ROOT / ".." / "shared")) / "forecast"
SOE = SHARED / "ktab" / "smp" / "SOE-Pol-Comp.csv"


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 9), st.integers(0, 2**31 - 1))
def test_a_bargain_that_moves_nobody_has_exactly_the_status_quo_value(n: int, seed: int) -> None:
    # KTAB sums an actor's N position utilities for every option. A bargain whose positions equal
    # the principals' current ones leaves every utility unchanged, so its value must equal the
    # status quo's bit for bit (the Binary rule turns any difference into a whole vote).
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (n, 2))
    sal = rng.uniform(0.05, 0.5, (n, 2))
    risk = rng.uniform(-0.5, 1, n)
    util = smp.utility(smp.salience_distance(x, x, sal), risk[:, None])
    bargains = [smp.Bargain(i, (i + 1) % n, x[i].copy(), x[(i + 1) % n].copy()) for i in range(n)]
    moved = smp.Bargain(0, 1, (x[0] + x[1]) / 2, (x[0] + x[1]) / 2)
    sq, vals = smp.bargain_utilities(x, sal, risk, util, [*bargains, moved])
    assert np.array_equal(vals[:, :n], np.repeat(sq[:, None], n, axis=1))
    # and a real bargain's value is the plain mean of the utilities after it
    after = x.copy()
    after[0] = after[1] = (x[0] + x[1]) / 2
    want = smp.utility(smp.salience_distance(x, after, sal), risk[:, None]).mean(axis=1)
    np.testing.assert_allclose(vals[:, n], want, atol=1e-15)


@pytest.mark.skipif(not SOE.exists(), reason="shared KTAB data absent")
def test_binary_voting_matches_ktab_on_soe_pol_comp() -> None:
    # KTAB's own run of SOE-Pol-Comp with VotingRule Binary records 17 states (turns 0-16).
    from detente.io.importers import import_file

    space = import_file(SOE, None).case.space
    result = smp.run(space, voting_rule="Binary")
    assert result.rounds.shape[0] == 17 and result.details["turns"] == 16


def _random_space(n: int, seed: int) -> IssueSpace:
    rng = np.random.default_rng(seed)
    return IssueSpace(
        tuple(f"a{i}" for i in range(n)),
        rng.uniform(1, 100, n),
        rng.uniform(0, 100, (n, 2)),
        rng.uniform(5, 45, (n, 2)),
        ("x", "y"),
        ((0.0, 100.0), (0.0, 100.0)),
    )


def _peak(space: IssueSpace, turns: int) -> int:
    tracemalloc.start()
    try:
        result = smp.run(space, max_turns=turns, min_delta_ratio=0.0)
        assert result.details["turns"] == turns
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_over_the_turns() -> None:
    # Each turn holds an (n, n, n) utility tensor (60 actors: 1.7 MB); keeping every turn's would
    # add that much per turn. Twelve turns must peak within 25 % of two turns.
    space = _random_space(60, 1)
    two, twelve = _peak(space, 2), _peak(space, 12)
    assert twelve < 1.25 * two, (two, twelve)

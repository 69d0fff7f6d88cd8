"""Hypothesis strategies that build random graph-model conflicts directly (no YAML in between).

Import as ``from tests.conflict.strategies import conflicts``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as hs

from detente.conflict.model import Conflict, DecisionMaker, Direction, Option


@hs.composite
def conflicts(
    draw: hs.DrawFn,
    min_dms: int = 2,
    max_dms: int = 4,
    max_options: int = 8,
    irreversible: bool = True,
    constraints: bool = True,
    ties: bool = True,
) -> Conflict:
    """A random :class:`Conflict`.

    ``min_dms``..``max_dms`` decision makers, each owning at least one option, at most
    ``max_options`` options in all (owners interleaved in random order). With ``irreversible``
    each option's direction is drawn from both / forward / backward; with ``constraints`` a random
    subset of the ``2**m`` codes is infeasible (at least one feasible state is kept); with ``ties``
    rankings may put several states at the same rank, otherwise every ranking is strict.
    """
    if not 1 <= min_dms <= max_dms or max_options < min_dms:
        raise ValueError("need 1 <= min_dms <= max_dms and max_options >= min_dms")
    n = draw(hs.integers(min_dms, min(max_dms, max_options)))
    m = draw(hs.integers(n, max_options))
    extra = draw(hs.lists(hs.integers(0, n - 1), min_size=m - n, max_size=m - n))
    owners = draw(hs.permutations(list(range(n)) + extra))
    directions = (
        draw(hs.lists(hs.sampled_from(list(Direction)), min_size=m, max_size=m))
        if irreversible
        else [Direction.BOTH] * m
    )
    options = tuple(Option(f"o{j}", owners[j], directions[j]) for j in range(m))
    dms = tuple(DecisionMaker(f"D{i}", tuple(j for j in range(m) if owners[j] == i)) for i in range(n))
    if constraints:
        keep = np.array(draw(hs.lists(hs.booleans(), min_size=1 << m, max_size=1 << m)), dtype=bool)
        if not keep.any():
            keep[draw(hs.integers(0, (1 << m) - 1))] = True
        states = np.flatnonzero(keep).astype(np.int64)
    else:
        states = np.arange(1 << m, dtype=np.int64)
    k = states.size
    if ties:
        top = draw(hs.integers(0, k - 1))
        rows = [draw(hs.lists(hs.integers(0, top), min_size=k, max_size=k)) for _ in range(n)]
    else:
        rows = [draw(hs.permutations(list(range(k)))) for _ in range(n)]
    return Conflict("random", dms, options, states, np.array(rows, dtype=np.int64).reshape(n, k))

"""The share of the varying decision makers' strict rankings under which the target is an equilibrium.

The condition (:mod:`detente.conflict.inverse_condition`) reads only the comparisons among a few
states per varying decision maker (its *relevant* states). A uniformly random strict ranking of all
feasible states orders those states uniformly at random, so the share over all rankings equals the
share over the orders of the relevant states. It is computed exactly by trying every order of the
relevant states when there are at most ``exact_limit`` combinations, and otherwise estimated from
``samples`` independent uniform draws with a Wilson score interval at 95% (Wilson 1927, "Probable
inference, the law of succession, and statistical inference", JASA 22(158)).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from detente.conflict.inverse_condition import Condition

Z95 = 1.959963984540054
"""The standard normal 97.5% quantile."""


@dataclass(frozen=True)
class Share:
    """``share`` of profiles qualifying (``method`` ``"exact"``: of all ``n`` orders of the relevant
    states; ``"sampled"``: an estimate from ``n`` draws, with its 95% interval ``low``..``high``)."""

    share: float
    low: float
    high: float
    method: Literal["exact", "sampled"]
    n: int
    relevant: tuple[tuple[int, ...], ...]


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def samples_for(half_width: float, z: float = Z95) -> int:
    """Draws that make the Wilson 95% interval at most ``half_width`` on each side, whatever the share."""
    return math.ceil(z * z / (4 * half_width * half_width))


def condition_share(
    condition: Condition,
    samples: int | None = None,
    seed: int = 0,
    exact_limit: int = 200_000,
    chunk: int = 20_000,
) -> Share:
    """Exact share when the relevant states' orders number at most ``exact_limit`` (and ``samples`` is
    None), else a sampled estimate (default: enough draws for a 95% interval of +-0.01)."""
    relevant: list[tuple[int, ...]] = []
    for d in condition.varying:
        states = sorted({s for c in condition.comparisons() if c.dm == d for s in (c.better, c.worse)})
        relevant.append(tuple(states))
    if not condition.possible or condition.always:
        value = 1.0 if condition.always else 0.0
        return Share(value, value, value, "exact", 1, tuple(relevant))
    compiled = condition.compiled()
    base = condition.conflict.ranks
    combos = math.prod(math.factorial(len(r)) for r in relevant)
    if samples is None and combos <= exact_limit:
        perms = [list(itertools.permutations(range(len(r)))) for r in relevant]
        good = 0
        batch: list[np.ndarray] = []

        def flush() -> int:
            if not batch:
                return 0
            out = int(compiled.holds_many(np.stack(batch)).sum())
            batch.clear()
            return out

        for choice in itertools.product(*perms):
            ranks = base.copy()
            for d, rel, perm in zip(condition.varying, relevant, choice, strict=True):
                ranks[d, list(rel)] = np.array(perm, dtype=np.int64)
            batch.append(ranks)
            if len(batch) >= chunk:
                good += flush()
        good += flush()
        value = good / combos
        return Share(value, value, value, "exact", combos, tuple(relevant))
    n = samples or samples_for(0.01)
    rng = np.random.default_rng(seed)
    good = 0
    done = 0
    # independent uniform keys order the relevant states uniformly at random (ties have probability 0)
    step = max(1, min(chunk, 4_000_000 // max(1, base.size), 2_000_000 // max(1, compiled.dm.size)))
    floats = base.astype(np.float32)
    while done < n:
        m = min(step, n - done)
        ranks = np.repeat(floats[None, :, :], m, axis=0)
        for d, rel in zip(condition.varying, relevant, strict=True):
            if rel:
                ranks[:, d, list(rel)] = rng.random((m, len(rel)), dtype=np.float32)
        good += int(compiled.holds_many(ranks).sum())
        done += m
    low, high = wilson(good, n)
    return Share(good / n, low, high, "sampled", n, tuple(relevant))

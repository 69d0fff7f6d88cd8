"""Benchmark of inverse analysis (detente.conflict.inverse_condition, inverse_change, inverse_share).

Run: ``python benchmarks/inverse.py``. Prints, for each case, seconds for the exact condition, the
smallest change (integer programme, HiGHS) and the sampled share (+-0.01 at 95%: 9,604 draws), each
with its target and its ratio to a baseline measured in the same process: one forward stability
analysis (``fast.stable``, all four concepts) of the same conflict.

Cases: the built-in North Korea–US scenario (4 decision makers, 144 states; target: the
relief-for-denuclearisation deal; North Korea and the US president vary, SEQ with North Korea alone),
and a random 3-decision-maker conflict with 12 reversible options (4,096 states, strict rankings).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from detente.conflict import fast
from detente.conflict.inverse_change import smallest_change
from detente.conflict.inverse_condition import build_condition
from detente.conflict.inverse_share import condition_share, samples_for
from detente.conflict.model import Conflict, DecisionMaker, Option
from detente.errors import ModelTooLargeError
from detente.io.scenario import builtin_scenario, load_scenario

T = TypeVar("T")
CONCEPTS = ("nash", "gmr", "smr", "seq")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def random_conflict(n_dms: int, per_dm: int, seed: int = 0) -> Conflict:
    rng = np.random.default_rng(seed)
    m = n_dms * per_dm
    options = tuple(Option(f"o{j}", j // per_dm) for j in range(m))
    dms = tuple(DecisionMaker(f"D{i}", tuple(range(i * per_dm, (i + 1) * per_dm))) for i in range(n_dms))
    ranks = np.array([rng.permutation(1 << m) for _ in range(n_dms)])
    return Conflict(f"random {n_dms}x{per_dm}", dms, options, np.arange(1 << m), ranks, status_quo=0)


def baseline(conflict: Conflict) -> float:
    return timed(lambda: [fast.stable(conflict, c) for c in CONCEPTS])[1]


def row(name: str, seconds: float, target: float, base: float, note: str = "") -> None:
    flag = "ok" if seconds < target else "OVER"
    ratio = f"x{seconds / base:7.1f} baseline"
    print(f"{name:<62} {seconds:8.3f} s  target {target:5.1f} s {flag:<4}  {ratio}  {note}")


def main() -> None:
    n = samples_for(0.01)
    c = load_scenario(builtin_scenario("dprk_us_2019_10")).conflict
    t = next(s for s in range(c.n_states) if c.label(s) == "NYNNYNNY")
    base = baseline(c)
    print(f"North Korea-US (144 states, 4 DMs); baseline forward analysis {base:.3f} s")
    nk, us = c.dm_index("NK"), c.dm_index("US_president")
    for concept, vary in (("nash", [nk, us]), ("gmr", [nk, us]), ("smr", [nk, us]), ("seq", [nk])):
        who = "+".join(c.decision_makers[d].name for d in vary)
        cond, s1 = timed(lambda: build_condition(c, t, concept, vary))  # noqa: B023
        change, s2 = timed(lambda: smallest_change(c, t, concept, vary, condition=cond))  # noqa: B023
        row(
            f"  {concept} {who}: condition + smallest change",
            s1 + s2,
            1.0,
            base,
            f"{len(cond.requirements)} requirements, {change.cost} reversed",
        )
        share, s3 = timed(lambda: condition_share(cond, samples=n))  # noqa: B023
        row(
            f"  {concept} {who}: sampled share",
            s3,
            10.0,
            base,
            f"{share.share:.4f} [{share.low:.4f}, {share.high:.4f}]",
        )
    reach, s4 = timed(lambda: smallest_change(c, t, "nash", [nk, us], from_status_quo=True))
    row(
        "  nash NK+US_president: smallest change, reachable from status quo",
        s4,
        1.0,
        base,
        f"{reach.cost} reversed, path {[s + 1 for s in reach.path]}",
    )

    big = random_conflict(3, 4)
    base = baseline(big)
    print(f"random 3 DMs x 4 options (4,096 states); baseline forward analysis {base:.3f} s")
    for concept, vary in (("nash", [0, 1, 2]), ("gmr", [0, 1, 2]), ("smr", [0]), ("seq", [0])):
        # a target the fixed decision makers find stable and the first one does not: a real question
        st = fast.stable(big, concept)
        fixed = [d for d in range(big.n_dms) if d not in vary]
        ok = st[fixed].all(axis=0) & ~st[0] if fixed else ~st.all(axis=0)
        tb = int(np.flatnonzero(ok)[0])
        try:
            cond, s1 = timed(lambda: build_condition(big, tb, concept, vary))  # noqa: B023
        except ModelTooLargeError as exc:
            print(f"  {concept} vary {vary}: refused ({exc})")
            continue
        change, s2 = timed(lambda: smallest_change(big, tb, concept, vary, condition=cond))  # noqa: B023
        row(
            f"  {concept} vary {vary}: condition + smallest change",
            s1 + s2,
            10.0,
            base,
            f"state {tb + 1}: {len(cond.requirements)} requirements, {change.cost} reversed",
        )
        share, s3 = timed(lambda: condition_share(cond, samples=n))  # noqa: B023
        half = (share.high - share.low) / 2
        row(f"  {concept} vary {vary}: sampled share", s3, 10.0, base, f"{share.share:.4f} +-{half:.4f}")


if __name__ == "__main__":
    main()

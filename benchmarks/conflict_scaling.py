"""Scaling benchmark of the fast GMCR stability engine (detente.conflict.fast).

Run: ``python benchmarks/conflict_scaling.py``. Each case runs in a fresh subprocess so that its
peak resident memory (``ru_maxrss``, interpreter and imports included) is its own. Conflicts have
options split evenly between the decision makers, random strict rankings and no constraints. Prints
one table (seconds per concept, total, peak memory, the budget's estimate, ratios to the targets),
the refusal of an over-budget model, and the speed-up of the fast engine over the reference.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass

import numpy as np

from detente.conflict import budget, fast, reference
from detente.conflict.model import Conflict, DecisionMaker, Option
from detente.errors import ModelTooLargeError

CONCEPTS = ("nash", "gmr", "smr", "seq")
MB = 1024**2


@dataclass(frozen=True)
class Case:
    name: str
    n_dms: int
    per_dm: int
    seconds: float | None  # target for all four concepts, None = no target
    memory_mb: float | None


CASES = (
    Case("2x7", 2, 7, 0.5, 300),
    Case("2x10", 2, 10, 10.0, 4096),
    Case("3x5", 3, 5, 30.0, None),
)
REFUSED = Case("3x7", 3, 7, None, None)


def random_conflict(n_dms: int, per_dm: int, seed: int = 0) -> Conflict:
    """``n_dms`` decision makers with ``per_dm`` reversible options each, strict random rankings."""
    rng = np.random.default_rng(seed)
    m = n_dms * per_dm
    options = tuple(Option(f"o{j}", j // per_dm) for j in range(m))
    dms = tuple(DecisionMaker(f"DM{i}", tuple(range(i * per_dm, (i + 1) * per_dm))) for i in range(n_dms))
    ranks = np.stack([rng.permutation(1 << m) for _ in range(n_dms)])
    return Conflict(f"random {n_dms}x{per_dm}", dms, options, np.arange(1 << m), ranks)


def run_case(n_dms: int, per_dm: int) -> dict[str, object]:
    """Time every concept on one conflict (in this process) and report the peak memory."""
    conflict = random_conflict(n_dms, per_dm)
    seconds: dict[str, float] = {}
    for concept in CONCEPTS:
        start = time.perf_counter()
        fast.stable(conflict, concept)
        seconds[concept] = time.perf_counter() - start
    estimate = max(budget.estimate(conflict, c).bytes for c in CONCEPTS)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    return {"seconds": seconds, "peak": peak, "estimate": estimate, "states": conflict.n_states}


def in_subprocess(case: Case) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--case", str(case.n_dms), str(case.per_dm)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def ratio(value: float, target: float | None) -> str:
    return "-" if target is None else f"{value / target:.3f}"


def main() -> None:
    header = (
        f"{'states':>10} {'DMs':>3} {'opts/DM':>7} "
        + " ".join(f"{c + ' s':>8}" for c in CONCEPTS)
        + f" {'total s':>8} {'peak MB':>8} {'est. MB':>8} {'time/target':>11} {'mem/target':>10}"
    )
    print(header)
    print("-" * len(header))
    for case in CASES:
        r = in_subprocess(case)
        secs = r["seconds"]
        assert isinstance(secs, dict)
        total = sum(secs.values())
        peak = float(str(r["peak"])) / MB
        est = float(str(r["estimate"])) / MB
        print(
            f"{r['states']:>10,} {case.n_dms:>3} {case.per_dm:>7} "
            + " ".join(f"{secs[c]:>8.3f}" for c in CONCEPTS)
            + f" {total:>8.3f} {peak:>8.0f} {est:>8.0f} {ratio(total, case.seconds):>11}"
            + f" {ratio(peak, case.memory_mb):>10}"
        )

    big = random_conflict(REFUSED.n_dms, REFUSED.per_dm)
    start = time.perf_counter()
    try:
        fast.stable(big, "gmr")
        print("\nover-budget case was NOT refused")
    except ModelTooLargeError as exc:
        took = time.perf_counter() - start
        print(
            f"\nrefused up front in {took:.3f} s ({big.n_states:,} states, {REFUSED.n_dms} DMs x "
            f"{REFUSED.per_dm} options; budget {budget.format_bytes(budget.memory_budget())}):"
        )
        print(f"  {exc}")

    print("\nspeed-up of fast over reference (all four concepts):")
    for n_dms, per_dm in ((2, 3), (3, 2)):
        small = random_conflict(n_dms, per_dm)
        timings = []
        for compute in (reference.stable, fast.stable):
            start = time.perf_counter()
            for concept in CONCEPTS:
                compute(small, concept)
            timings.append(time.perf_counter() - start)
        print(
            f"  {small.n_states} states, {n_dms} DMs x {per_dm} options: reference {timings[0]:.3f} s, "
            f"fast {timings[1]:.4f} s, speed-up {timings[0] / timings[1]:,.0f}x"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", nargs=2, type=int, metavar=("DMS", "OPTIONS_PER_DM"))
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(*args.case)))
    else:
        main()

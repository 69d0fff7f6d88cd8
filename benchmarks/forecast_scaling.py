"""Speed and memory of the forecast engine against its targets, as figures and ratios in one run.

Run: ``python benchmarks/forecast_scaling.py`` (``--quick`` skips the 320-actor SMP and the 500-actor
EUM). Prints four tables, every figure measured in this process (timings on a shared machine are
noisy: compare the ratios, which are measured side by side):

1. SMP (KTAB defaults) on random 40/80/160/320-actor cases with three dimensions: seconds per turn
   (median of the turns of a 3-turn run), peak traced memory, and the ratios to the 40-actor case
   (an O(n^3) turn gives 8x per doubling). For 40 and 80 actors also a whole run against KTAB's own
   time (about 30 s and 673 s a run: the issue's measurements).
2. EUM on random 100- and 500-actor cases (one dimension): seconds per round and peak traced memory
   (before this change a 500-actor run held n^3 arrays: 2.9 GB), and the ratio 500/100.
3. Monte Carlo: 10,000 runs of a random 10-actor EUM (every capability +-20 %, position and
   salience +-10 points uncertain) on 2 local worker processes, against the 20 s target and the
   same work done one run at a time (the path before batching; measured on 500 runs here and
   scaled). With where the time goes: worker start, pickling one chunk's arguments, per-run cost.
4. The size guard's estimates (detente.forecast.budget) beside the measured figures.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from detente.forecast import budget
from detente.forecast.models import eum, run_model
from detente.forecast.montecarlo import run_monte_carlo
from detente.forecast.space import IssueSpace
from detente.forecast.uncertain import UncertainSpace

KTAB_SECONDS = {40: 30.0, 80: 673.0}  # KTAB's own SMP runs (issue 11's measurements)
MC_TARGET = 20.0
MC_BEFORE = 100.0  # wall seconds of the 10,000-run Monte Carlo before batching (issue 11)
EUM_500_BEFORE_BYTES = 2.9e9  # peak memory of a 500-actor EUM before the blocked sums (issue 11)


def random_space(n: int, seed: int, dims: int = 1) -> IssueSpace:
    rng = np.random.default_rng(seed)
    return IssueSpace(
        tuple(f"a{i:03d}" for i in range(n)),
        rng.uniform(1, 100, n),
        rng.uniform(0, 100, (n, dims)),
        rng.uniform(10, 90 / dims, (n, dims)),
        tuple(f"d{k}" for k in range(dims)),
        ((0.0, 100.0),) * dims,
        name=f"random {n} actors",
    )


def ktab_case(n: int) -> tuple[IssueSpace, str]:
    """KTAB's synthetic dummyData case of ``n`` actors from the shared data sets (``DETENTE_SHARED``
    or ../shared), else a random case of the same size."""
    root = Path(os.environ.get("DETENTE_SHARED", Path(__file__).resolve().parents[1] / ".." / "shared"))
    path = root / "forecast" / "ktab" / "smp" / f"dummyData-a{n:03d}.csv"
    if path.is_file():
        from detente.io.importers import import_file

        return import_file(path, None).case.space, path.name
    return random_space(n, n, dims=3), "random"


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the Monte Carlo workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, float]:
    """Median wall-clock seconds of ``repeat`` calls, and the CPU seconds per call."""
    times = []
    cpu = cpu_seconds()
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), (cpu_seconds() - cpu) / repeat


def traced_peak(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def mib(n: float) -> str:
    return f"{n / 2**20:8.1f} MiB"


def smp_table(sizes: tuple[int, ...]) -> None:
    print("1. SMP, KTAB defaults, 3 dimensions: seconds per turn (3 turns), peak traced memory (2 turns)")
    print(
        f"{'actors':>6}  {'s/turn':>8}  {'ratio':>7}  {'n^3 ratio':>9}  {'peak memory':>12}  "
        f"{'guard est.':>12}"
    )
    base = None
    for n in sizes:
        space = random_space(n, n, dims=3)
        secs, _ = timed(partial(run_model, "smp", space, max_turns=3, min_delta_ratio=0.0))
        per_turn = secs / 3
        peak = traced_peak(partial(run_model, "smp", space, max_turns=2, min_delta_ratio=0.0))
        base = base or (per_turn, n)
        est = budget.estimate("smp", n, 3, {"max_turns": 2}).bytes
        print(
            f"{n:6d}  {per_turn:8.3f}  {per_turn / base[0]:7.1f}  {(n / base[1]) ** 3:9.1f}  "
            f"{mib(peak)}  {mib(est)}"
        )
    print("   whole runs against KTAB's own:")
    for n, ktab in KTAB_SECONDS.items():
        space, source = ktab_case(n)
        result: list[int] = []
        secs, _ = timed(lambda: result.append(int(str(run_model("smp", space).details["turns"]))))  # noqa: B023
        print(
            f"   {n:4d} actors ({source}): {secs:7.2f} s ({result[0]} turns); KTAB {ktab:6.0f} s; "
            f"KTAB / detente = {ktab / secs:6.0f}x"
        )


def eum_table(sizes: tuple[int, ...]) -> None:
    print("2. EUM, one dimension: seconds per round (3 rounds), peak traced memory (1 round)")
    print(
        f"{'actors':>6}  {'s/round':>8}  {'ratio':>7}  {'n^3 ratio':>9}  {'peak memory':>12}  "
        f"{'guard est.':>12}"
    )
    base = None
    for n in sizes:
        space = random_space(n, n)
        secs, _ = timed(partial(run_model, "eum", space, rounds=3, stop_when_stable=False))
        per_round = secs / 3
        peak = traced_peak(partial(run_model, "eum", space, rounds=1))
        base = base or (per_round, n)
        est = budget.estimate("eum", n, 1, {"rounds": 1}).bytes
        print(
            f"{n:6d}  {per_round:8.3f}  {per_round / base[0]:7.1f}  {(n / base[1]) ** 3:9.1f}  "
            f"{mib(peak)}  {mib(est)}"
        )
        if n == 500:
            print(f"   500 actors before: 2.9 GB peak; now {peak / EUM_500_BEFORE_BYTES:.3f} of it")


def _noop(_: int) -> int:
    return 0


def mc_table() -> None:
    print("3. Monte Carlo, 10,000 EUM runs, 10 actors, 2 local workers")
    u = UncertainSpace(random_space(10, 10)).with_spread(position=10, salience=10, capability=0.2)
    # where the time goes
    start = time.perf_counter()
    with multiprocessing.get_context().Pool(2) as pool:
        pool.map(_noop, range(2))
    pool_start = time.perf_counter() - start
    job: tuple[object, ...] = (u, "eum", {}, 1, 0, 250)
    start = time.perf_counter()
    blob = pickle.dumps(job)
    pickled = time.perf_counter() - start
    draws = u.draw(500, np.random.default_rng(0))
    spaces = [u.realise(row) for row in draws]
    one_at_a_time, _ = timed(lambda: [eum.run(s) for s in spaces])
    batched, _ = timed(lambda: eum.run_batch(spaces))
    per_run_single, per_run_batch = one_at_a_time / 500, batched / 500
    print(f"   worker pool start (2 processes): {pool_start * 1000:7.1f} ms")
    print(
        f"   pickling one chunk's arguments: {pickled * 1000:7.3f} ms ({len(blob):,} bytes), "
        "once per 250 runs"
    )
    print(
        f"   per run, one at a time: {per_run_single * 1000:6.2f} ms; "
        f"batched per chunk: {per_run_batch * 1000:6.2f} ms"
    )
    print(f"   batching speed-up per run: {per_run_single / per_run_batch:5.1f}x")
    secs, cpu = timed(partial(run_monte_carlo, u, "eum", 10_000, seed=1, workers=2))
    before = 10_000 * per_run_single / 2
    print(f"   10,000 runs on 2 workers: {secs:6.2f} s wall, {cpu:6.2f} s CPU (all processes)")
    print(f"   target {MC_TARGET:.0f} s: ratio {secs / MC_TARGET:5.2f} (below 1 meets it)")
    print(
        f"   one run at a time, same machine now (scaled from 500 runs, 2 workers): {before:6.1f} s; "
        f"ratio {secs / before:5.2f}"
    )
    print(f"   issue's figure before this change: {MC_BEFORE:.0f} s wall; ratio {secs / MC_BEFORE:5.2f}")


def main() -> None:
    quick = "--quick" in sys.argv
    smp_table((40, 80, 160) if quick else (40, 80, 160, 320))
    print()
    eum_table((100,) if quick else (100, 500))
    print()
    mc_table()


if __name__ == "__main__":
    main()

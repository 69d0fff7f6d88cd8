"""Speed of the forecast engine against its targets.

Run: ``python benchmarks/forecast_scaling.py``. Prints one table: the EUM on the 17-actor "Sultan"
case of BDM (1997) (read from the shared data sets when present, else a random 17-actor case), the
KTAB SMP on the 40- and 80-actor synthetic KTAB cases (likewise, else random), and a Monte Carlo of
10,000 EUM runs of a random 10-actor case with every capability (±20 %), position and salience
(±10 points) uncertain (triangular) on 2 local worker processes. Each figure is the median of a few
repetitions (one for the Monte Carlo); the ratio is time / target (below 1 meets the target).
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from detente.forecast.models import run_model
from detente.forecast.montecarlo import run_monte_carlo
from detente.forecast.space import IssueSpace
from detente.forecast.uncertain import UncertainSpace
from detente.io.importers import import_file

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "forecast"


def random_space(n: int, seed: int) -> IssueSpace:
    rng = np.random.default_rng(seed)
    return IssueSpace(
        tuple(f"a{i:03d}" for i in range(n)),
        rng.uniform(1, 100, n),
        rng.uniform(0, 100, (n, 1)),
        rng.uniform(10, 90, (n, 1)),
        name=f"random {n} actors",
    )


def shared_or_random(relative: str, n: int) -> tuple[IssueSpace, str]:
    path = SHARED / relative
    if path.is_file():
        return import_file(path).space, relative
    return random_space(n, n), f"random {n} actors"


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the Monte Carlo workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock seconds of ``repeat`` calls, and the CPU seconds per call."""
    times = []
    cpu = cpu_seconds()
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), (cpu_seconds() - cpu) / repeat


def main() -> None:
    rows: list[tuple[str, str, tuple[float, float], float]] = []
    sultan, src = shared_or_random("jmckib_bdm_scholz/Sultan.csv", 17)
    rows.append(("EUM, 17 actors (one run)", src, timed(lambda: run_model("eum", sultan), 20), 0.05))
    for n, target in ((40, 0.5), (80, 2.0)):
        space, src = shared_or_random(f"ktab/smp/dummyData-a{n:03d}.csv", n)
        rows.append((f"SMP, {n} actors (one run)", src, timed(partial(run_model, "smp", space), 3), target))
    mc_space = UncertainSpace(random_space(10, 10)).with_spread(position=10, salience=10, capability=0.2)
    mc = partial(run_monte_carlo, mc_space, "eum", 10_000, seed=1, workers=2)
    rows.append(
        ("Monte Carlo, 10,000 EUM runs, 10 actors, 2 workers", "random 10 actors", timed(mc, 1), 20.0)
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'case':{width}}  {'input':30}  {'seconds':>9}  {'cpu s':>9}  {'target':>7}  {'ratio':>6}")
    for name, src, (secs, cpu), target in rows:
        print(f"{name:{width}}  {src:30}  {secs:9.4f}  {cpu:9.4f}  {target:7.2f}  {secs / target:6.2f}")
    print("ratio = wall-clock seconds / target (< 1 meets it); cpu s = CPU seconds of all processes per call")


if __name__ == "__main__":
    main()

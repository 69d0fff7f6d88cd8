"""Speed of the negotiation clock against its targets (issue 9).

Run: ``python benchmarks/clock.py``. Prints figures, their targets and ratios:

1. the equilibrium of a 60-round (five years, monthly) two-party clock with a 101-point offer grid
   and an election event (target < 50 ms); baseline: the same model in exact rational arithmetic
   (:func:`detente.clock.exact.solve_exact`), timed in the same process;
2. 10,000 Monte Carlo draws of the October 2019 North Korea clock on two local processes (target
   < 10 s); baseline: the per-draw rate on one process (2,000 draws);
3. simulation throughput: negotiations of 100 rounds a second on one core, under the equilibrium
   and under Boulware against conceder (target >= 5,000 a second; NegMAS runs 25-40); baseline: the
   same equilibrium play written as a plain Python loop over negotiations.

Timings on a shared machine are noisy: each figure is the median of a few repetitions.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from detente.clock.exact import solve_exact
from detente.clock.fast import compile_model, solve_policy
from detente.clock.model import ClockModel, Event, OfferGrid, Party, Patch
from detente.clock.montecarlo import run_clock_monte_carlo
from detente.clock.simulate import Tactic, simulate
from detente.clock.solve import solve
from detente.io.clock import builtin_clock, load_clock


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def grid_clock(rounds: int = 60, points: int = 101) -> ClockModel:
    pos = tuple(100 * k / (points - 1) for k in range(points))
    util = (tuple(x / 100 for x in pos), tuple(1 - x / 100 for x in pos))
    election = Event("election", 17, 0.5, (Patch(1, discount=0.98, reservation=0.3),), "election", "election")
    return ClockModel(
        (Party("NK", 0.99, reservation=0.45), Party("US", 0.97, reservation=0.5)),
        rounds=rounds,
        breakdown=(0.01,),
        events=(election,),
        grid=OfferGrid(pos, util),
    )


def scalar_equilibrium_play(model: ClockModel, n: int, seed: int) -> int:
    """Baseline: the equilibrium played one negotiation at a time in plain Python."""
    c = compile_model(model)
    pol = solve_policy(c)
    rng = np.random.default_rng(seed)
    prior = c.prior()[0]
    agreed = 0
    for _ in range(n):
        r = int(rng.choice(len(prior), p=prior))
        for t in range(model.horizon):
            k = int(np.argmax(c.recognition[t]))
            if pol.agree[0, t, r, k]:
                agreed += 1
                break
            if rng.random() < c.breakdown[0, t]:
                break
    return agreed


def main() -> None:
    print("detente clock benchmarks (median of repeats; ratio = figure / target)")
    # 1. equilibrium of the 60-round grid clock
    m = grid_clock()
    t_fast = timed(lambda: solve(m), repeat=9)
    t_exact = timed(lambda: solve_exact(m), repeat=1)
    print(
        f"1. equilibrium, 60 rounds x 101 offers x election: {1000 * t_fast:.1f} ms (target < 50 ms,"
        f" ratio {t_fast / 0.05:.2f}); exact rationals {1000 * t_exact:.0f} ms,"
        f" fast/exact {t_fast / t_exact:.3f}"
    )
    # 2. Monte Carlo of the North Korea clock
    nk = load_clock(builtin_clock("dprk_us_2019_10"))
    t_one = timed(lambda: run_clock_monte_carlo(nk, 2000, seed=1, workers=1), repeat=1)
    t_two = timed(lambda: run_clock_monte_carlo(nk, 10_000, seed=1, workers=2), repeat=1)
    print(
        f"2. Monte Carlo, 10,000 draws of {nk.base.name!r} ({len(nk.inputs)} uncertain inputs,"
        f" {nk.base.horizon} rounds, {2 ** len(nk.base.uncertain_events)} regimes) on 2 processes:"
        f" {t_two:.2f} s (target < 10 s, ratio {t_two / 10:.2f}); one process: {2000 / t_one:,.0f} draws/s,"
        f" two/one speed-up {(10_000 / t_two) / (2000 / t_one):.2f}"
    )
    # 3. simulation throughput
    sim_model = ClockModel(
        (Party("A", 0.95, reservation=0.45), Party("B", 0.9, reservation=0.6)),
        rounds=100,
        breakdown=(0.01,),
        events=(Event("vote", 30, 0.5, (Patch(1, reservation=0.2),)),),
    )
    pol = solve_policy(compile_model(sim_model))
    n = 5000
    t_eq = timed(lambda: simulate(sim_model, n=n, seed=1, policy=pol), repeat=3)
    t_bc = timed(lambda: simulate(sim_model, (Tactic("boulware"), Tactic("conceder")), n=n, seed=1), repeat=3)
    n_base = 200
    t_base = timed(lambda: scalar_equilibrium_play(sim_model, n_base, 1), repeat=1)
    rate_eq, rate_bc, rate_base = n / t_eq, n / t_bc, n_base / t_base
    print(
        f"3. simulation, {n:,} negotiations of 100 rounds on one core: equilibrium {rate_eq:,.0f}/s,"
        f" Boulware vs conceder {rate_bc:,.0f}/s (target >= 5,000/s, ratios {rate_eq / 5000:.1f}"
        f" and {rate_bc / 5000:.1f}); plain-Python loop {rate_base:,.0f}/s (vectorised/loop"
        f" {rate_eq / rate_base:.0f}x); NegMAS 25-40/s"
    )


if __name__ == "__main__":
    main()

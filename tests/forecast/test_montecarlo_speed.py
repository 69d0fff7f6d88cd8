"""Monte Carlo: batched EUM chunks equal one run per draw bit for bit, results do not depend on the
number of workers, and Ctrl-C stops a multi-process run (workers terminated, no worker traceback)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from detente.forecast.models import eum
from detente.forecast.montecarlo import run_monte_carlo
from detente.forecast.space import IssueSpace
from detente.forecast.uncertain import UncertainSpace

ROOT = Path(__file__).resolve().parents[2]


def _uncertain(n: int, seed: int) -> UncertainSpace:
    rng = np.random.default_rng(seed)
    space = IssueSpace(
        tuple(f"a{i}" for i in range(n)),
        rng.uniform(1, 100, n),
        rng.uniform(0, 100, (n, 2)),
        rng.uniform(10, 90, (n, 2)),
        ("x", "y"),
        ((0.0, 100.0), (0.0, 100.0)),
    )
    return UncertainSpace(space).with_spread(position=15, salience=20, capability=0.3)


@pytest.mark.parametrize(
    "params", [{}, {"variant": "scholz_program", "rounds": 6}, {"outcome": "mean", "q": 0.5}]
)
def test_batched_chunks_equal_one_run_per_draw(params: dict[str, object]) -> None:
    u = _uncertain(7, 3)
    mc = run_monte_carlo(u, "eum", 90, seed=4, workers=1, chunk_size=40, params=params)
    for r in range(mc.n):
        want = eum.run(u.realise(mc.samples[r]), **params).outcome  # type: ignore[arg-type]
        np.testing.assert_array_equal(mc.outcomes[r], want)


def test_batch_leaves_refused_draws_as_nan_like_run() -> None:
    u = _uncertain(4, 5)
    base = u.base
    spaces = [u.realise(u.point_values()) for _ in range(3)]
    zero = IssueSpace(
        base.actors,
        base.capability,
        base.positions,
        np.zeros_like(base.salience),
        base.dimensions,
        base.scale,
    )
    out = eum.run_batch([spaces[0], zero, spaces[1]])
    assert np.isnan(out[1]).all() and not np.isnan(out[[0, 2]]).any()
    with pytest.raises(ValueError):
        eum.run(zero)


def test_results_do_not_depend_on_the_number_of_workers() -> None:
    u = _uncertain(6, 8)
    one = run_monte_carlo(u, "eum", 120, seed=9, workers=1, chunk_size=25)
    two = run_monte_carlo(u, "eum", 120, seed=9, workers=2, chunk_size=25)
    np.testing.assert_array_equal(one.samples, two.samples)
    np.testing.assert_array_equal(one.outcomes, two.outcomes)


CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    from detente.forecast.montecarlo import run_monte_carlo
    from detente.forecast.space import IssueSpace
    from detente.forecast.uncertain import UncertainSpace

    rng = np.random.default_rng(1)
    space = IssueSpace(tuple(f"a{i}" for i in range(25)), rng.uniform(1, 9, 25),
                       rng.uniform(0, 100, (25, 1)), rng.uniform(10, 90, (25, 1)))
    u = UncertainSpace(space).with_spread(position=10, salience=10, capability=0.2)
    print("started", flush=True)
    try:
        run_monte_carlo(u, "smp", 1_000_000, seed=1, workers=2, chunk_size=20)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(3)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_stops_a_multi_process_run_without_worker_tracebacks() -> None:
    # Ctrl-C at a terminal sends SIGINT to the whole process group: parent and workers.
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "started"
    import time

    time.sleep(2.0)  # the workers are busy with their chunks
    os.killpg(child.pid, signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 3 and "interrupted" in out  # KeyboardInterrupt reached the caller
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    left = subprocess.run(["pgrep", "-g", str(child.pid)], capture_output=True, text=True)
    assert left.stdout.strip() == ""  # every worker is gone

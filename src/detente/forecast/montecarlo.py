"""Monte Carlo over uncertain inputs: run a model N times on sampled issue spaces.

Reproducibility: the N runs are cut into chunks of ``chunk_size`` (fixed, recorded in the result);
chunk ``c`` draws its inputs (and, for a stochastic model, each run's ``seed``) from
``numpy.random.default_rng(SeedSequence(seed, spawn_key=(c,)))``, which is the ``c``-th child that
``SeedSequence(seed).spawn`` would give. The result therefore depends on ``seed``, ``n`` and
``chunk_size`` only, never on how the chunks are spread over local processes or Dask workers.

Sensitivity (the tornado table) is measured two ways: one-at-a-time swings (the model run with each
input at its low and at its high end, every other input at its point value; Saltelli et al. 2008,
*Global Sensitivity Analysis: The Primer*, Wiley, ch. 1) and Spearman rank correlation between each
input's samples and the outcome.

Speed: a 10-actor EUM run costs about 10 ms one at a time, nearly all of it numpy's per-call overhead
on tiny arrays; process start (fork), pickling a chunk's arguments and collecting its results cost
milliseconds per chunk of 250 runs. So models that offer ``run_batch`` (the EUM) compute a whole chunk
at once (about 1 ms a run), with results bit for bit equal to one run at a time: chunking and seeding
are unchanged, and so are the results for a given seed.

Interruption: Ctrl-C (KeyboardInterrupt) during a multi-process run terminates the workers at once
and is raised again to the caller; the workers ignore SIGINT, so none prints a traceback.
"""

from __future__ import annotations

import inspect
import math
import os
import secrets
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from detente.forecast.models import get
from detente.forecast.space import FloatArray, IssueSpace
from detente.forecast.uncertain import UncertainSpace

Progress = Callable[[int, int], None]
"""Called as ``progress(runs_done, runs_total)`` after each chunk."""

DEFAULT_CHUNK = 250
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """``samples`` (n, k): the k uncertain inputs of each run; ``outcomes`` (n, d): each run's outcome.

    A run whose model raised ``ValueError`` (e.g. every weight zero in that draw) has NaN outcomes
    and is counted in ``failures``.
    """

    model: str
    seed: int
    chunk_size: int
    labels: tuple[str, ...]
    dimensions: tuple[str, ...]
    samples: FloatArray
    outcomes: FloatArray
    point_outcome: FloatArray
    params: dict[str, object] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.outcomes.shape[0])

    @property
    def failures(self) -> int:
        return int(np.isnan(self.outcomes).any(axis=1).sum())

    def quantiles(self, qs: tuple[float, ...] = QUANTILES) -> pd.DataFrame:
        """Per dimension: mean, sd and the empirical quantiles ``qs`` of the outcome (NaN runs left out)."""
        rows = []
        for k, dim in enumerate(self.dimensions):
            col = self.outcomes[:, k]
            col = col[~np.isnan(col)]
            row: dict[str, object] = {"dimension": dim, "point": float(self.point_outcome[k])}
            row["mean"] = float(col.mean()) if col.size else math.nan
            row["sd"] = float(col.std(ddof=1)) if col.size > 1 else math.nan
            for q, v in zip(qs, np.quantile(col, qs) if col.size else [math.nan] * len(qs), strict=True):
                row[f"q{round(q * 100):02d}"] = float(v)
            rows.append(row)
        return pd.DataFrame(rows)

    def histogram(self, dim: int = 0, bins: int = 20) -> tuple[FloatArray, FloatArray]:
        """(counts, edges) of dimension ``dim``'s outcomes (numpy.histogram)."""
        col = self.outcomes[:, dim]
        counts, edges = np.histogram(col[~np.isnan(col)], bins=bins)
        return counts.astype(np.float64), edges

    def rank_correlation(self, dim: int = 0) -> FloatArray:
        """Spearman's rho between each input's samples and dimension ``dim``'s outcome (NaN if constant)."""
        y = self.outcomes[:, dim]
        ok = ~np.isnan(y)
        out = np.full(len(self.labels), np.nan)
        for j in range(len(self.labels)):
            x = self.samples[ok, j]
            if ok.sum() > 2 and np.ptp(x) > 0 and np.ptp(y[ok]) > 0:
                out[j] = float(spearmanr(x, y[ok]).statistic)
        return out


def _accepts_seed(model: str) -> bool:
    return "seed" in inspect.signature(get(model)).parameters


def _chunk_rng(seed: int, chunk: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk,)))


def _batch_runner(run: Callable[..., Any]) -> Callable[..., FloatArray] | None:
    """The ``run_batch`` beside a model's ``run`` (same module), if the model offers one."""
    if getattr(run, "__name__", "") != "run":
        return None
    module = sys.modules.get(getattr(run, "__module__", ""))
    batch = getattr(module, "run_batch", None)
    return batch if callable(batch) else None


def run_chunk(
    space: UncertainSpace, model: str, params: Mapping[str, object], seed: int, chunk: int, size: int
) -> tuple[int, FloatArray, FloatArray]:
    """Run chunk ``chunk`` (``size`` runs); returns (chunk, samples (size, k), outcomes (size, d)).

    A model with a ``run_batch`` (the EUM) computes the chunk's runs together, with the same results
    bit for bit as one ``run`` per draw; the draws are the same either way.
    """
    rng = _chunk_rng(seed, chunk)
    samples = space.draw(size, rng)
    run = get(model)
    seeds = rng.integers(0, 2**63 - 1, size) if _accepts_seed(model) else None
    batch = _batch_runner(run) if seeds is None else None
    if batch is not None:
        return chunk, samples, batch([space.realise(row) for row in samples], **params)
    outcomes = np.full((size, space.base.n_dims), np.nan)
    for r in range(size):
        extra: dict[str, object] = {} if seeds is None else {"seed": int(seeds[r])}
        try:
            outcomes[r] = run(space.realise(samples[r]), **params, **extra).outcome
        except ValueError:
            continue
    return chunk, samples, outcomes


def _plan(n: int, chunk_size: int) -> list[tuple[int, int]]:
    return [(c, min(chunk_size, n - c * chunk_size)) for c in range(math.ceil(n / chunk_size))]


def run_monte_carlo(
    space: UncertainSpace | IssueSpace,
    model: str,
    n: int,
    *,
    seed: int | None = None,
    params: Mapping[str, object] | None = None,
    workers: int | None = None,
    dask: str | Any | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
) -> MonteCarloResult:
    """Run ``model`` on ``n`` sampled issue spaces.

    ``workers``: local processes (default: the CPU count; 1 runs in this process). ``dask``: a Dask
    scheduler address (or a ``dask.distributed.Client``) to run the chunks on instead. ``seed``
    None draws a fresh seed, which the result records.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    uspace = space if isinstance(space, UncertainSpace) else UncertainSpace(space)
    kw = dict(params or {})
    run_seed = secrets.randbits(63) if seed is None else int(seed)
    point = get(model)(uspace.base, **kw).outcome  # fails fast on a model that cannot run this space
    plan = _plan(n, chunk_size)
    done: dict[int, tuple[FloatArray, FloatArray]] = {}

    def collect(chunk: int, samples: FloatArray, outcomes: FloatArray) -> None:
        done[chunk] = (samples, outcomes)
        if progress is not None:
            progress(sum(len(o) for _, o in done.values()), n)

    if dask is not None:
        _run_on_dask(dask, uspace, model, kw, run_seed, plan, collect)
    elif (workers or os.cpu_count() or 1) <= 1 or len(plan) == 1:
        for c, size in plan:
            collect(*run_chunk(uspace, model, kw, run_seed, c, size))
    else:
        _run_on_processes(
            min(workers or os.cpu_count() or 1, len(plan)), uspace, model, kw, run_seed, plan, collect
        )
    samples = np.concatenate([done[c][0] for c, _ in plan])
    outcomes = np.concatenate([done[c][1] for c, _ in plan])
    return MonteCarloResult(
        model, run_seed, chunk_size, uspace.labels, uspace.base.dimensions, samples, outcomes, point, kw
    )


def _ignore_interrupts() -> None:
    """Worker initialiser: Ctrl-C is the parent's to handle (it terminates the workers), so workers
    neither stop half-way through a chunk on their own nor print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_job(
    job: tuple[UncertainSpace, str, dict[str, object], int, int, int],
) -> tuple[int, FloatArray, FloatArray]:
    return run_chunk(*job)


def _run_on_processes(
    workers: int,
    space: UncertainSpace,
    model: str,
    params: dict[str, object],
    seed: int,
    plan: list[tuple[int, int]],
    collect: Callable[[int, FloatArray, FloatArray], None],
) -> None:
    """Run the chunks on ``workers`` local processes. On KeyboardInterrupt (Ctrl-C) the workers are
    terminated at once (SIGTERM; they ignore SIGINT, so none prints a traceback) and the interrupt is
    raised again to the caller."""
    import multiprocessing

    pool = multiprocessing.get_context().Pool(workers, initializer=_ignore_interrupts)
    try:
        jobs = [(space, model, params, seed, c, size) for c, size in plan]
        for result in pool.imap_unordered(_run_job, jobs):
            collect(*result)
    except BaseException:  # KeyboardInterrupt included
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()


def _run_on_dask(
    dask: str | Any,
    space: UncertainSpace,
    model: str,
    params: dict[str, object],
    seed: int,
    plan: list[tuple[int, int]],
    collect: Callable[[int, FloatArray, FloatArray], None],
) -> None:
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    client = Client(dask) if isinstance(dask, str) else dask  # type: ignore[no-untyped-call]
    try:
        scattered = client.scatter(space, broadcast=True)
        futures = [
            client.submit(run_chunk, scattered, model, params, seed, c, size, pure=False) for c, size in plan
        ]
        for fut in dask_completed(futures):  # type: ignore[no-untyped-call]
            collect(*fut.result())
    finally:
        if isinstance(dask, str):
            client.close()


# -- tornado ------------------------------------------------------------------------------------
def tornado(
    space: UncertainSpace,
    model: str,
    *,
    params: Mapping[str, object] | None = None,
    dim: int = 0,
    result: MonteCarloResult | None = None,
) -> pd.DataFrame:
    """One row per uncertain input, largest swing first.

    ``outcome_low`` / ``outcome_high``: the outcome on dimension ``dim`` with that input at its low /
    high end (a normal's 2.5 % / 97.5 % quantile) and every other input at its point value;
    ``swing`` = |outcome_high - outcome_low|. With a Monte Carlo ``result``, ``spearman`` is the rank
    correlation between the input's samples and the outcome.
    """
    kw = dict(params or {})
    run = get(model)
    rows = []
    rho = result.rank_correlation(dim) if result is not None else None
    for j, u in enumerate(space.inputs):
        lo, hi = u.dist.swing
        out_lo = float(run(space.with_input(j, lo), **kw).outcome[dim])
        out_hi = float(run(space.with_input(j, hi), **kw).outcome[dim])
        row: dict[str, object] = {
            "input": u.label,
            "low": lo,
            "high": hi,
            "outcome_low": out_lo,
            "outcome_high": out_hi,
            "swing": abs(out_hi - out_lo),
        }
        if rho is not None:
            row["spearman"] = float(rho[j])
        rows.append(row)
    columns = ["input", "low", "high", "outcome_low", "outcome_high", "swing"]
    frame = pd.DataFrame(rows, columns=[*columns, "spearman"] if rho is not None else columns)
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)

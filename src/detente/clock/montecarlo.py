"""Monte Carlo over a clock's uncertain inputs: the distribution of agreement dates, terms and values.

Reproducibility follows :mod:`detente.forecast.montecarlo`: the ``n`` draws are cut into chunks of
``chunk_size``; chunk ``c`` draws from ``numpy.random.default_rng(SeedSequence(seed,
spawn_key=(c,)))``, so the result depends on ``seed``, ``n`` and ``chunk_size`` only, never on how
the chunks are spread over processes or Dask workers. :func:`run_clock_chunk` is pure (inputs in,
arrays out) so that any executor can run it; each chunk's draws are solved together as one batch by
:func:`detente.clock.fast.solve_batch`.

Each uncertain input is a point, uniform, triangular or normal distribution (truncated to
``[low, high]`` when given, by inverse-CDF sampling with ``scipy.stats.truncnorm``) and is clipped
to the range its parameter allows (a discount factor to (0, 1], a probability to [0, 1], a cost to
[0, inf)).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from detente.clock.fast import MAX_CELLS, Compiled, FloatArray, cell_owners, compile_model, solve_batch
from detente.clock.model import ClockModel, Event, War, with_war
from detente.errors import InputError, ModelTooLargeError, Problem

Kind = Literal["point", "uniform", "triangular", "normal"]
Progress = Callable[[int, int], None]
DEFAULT_CHUNK = 250

Target = tuple[str | int, ...]
"""Where a number sits: ("party", i, field), ("event", k, "probability"),
("patch", k, j, field), ("breakdown",) (every round's breakdown chance) or ("war", field) (a
field of :class:`~detente.clock.model.War`)."""


@dataclass(frozen=True)
class UncertainParam:
    """One uncertain number of the clock: its distribution and where it goes."""

    label: str
    target: Target
    kind: Kind
    value: float
    low: float | None = None
    high: float | None = None
    sd: float | None = None

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        if self.kind == "point":
            out = np.full(n, self.value)
        elif self.kind == "uniform":
            assert self.low is not None and self.high is not None
            out = rng.uniform(self.low, self.high, n)
        elif self.kind == "triangular":
            assert self.low is not None and self.high is not None
            out = rng.triangular(self.low, self.value, self.high, n)
        else:
            from scipy.stats import truncnorm

            assert self.sd is not None
            lo = -math.inf if self.low is None else (self.low - self.value) / self.sd
            hi = math.inf if self.high is None else (self.high - self.value) / self.sd
            q = rng.uniform(0.0, 1.0, n)
            out = np.asarray(truncnorm.ppf(q, lo, hi, loc=self.value, scale=self.sd), dtype=np.float64)
        field = str(self.target[-1])
        if field in ("discount",):
            out = np.clip(out, 1e-6, 1.0)
        elif field in ("probability", "breakdown", "recognition", "p", "p_end"):
            out = np.clip(out, 0.0, 1.0)
        elif field in ("cost", "cost0", "cost1"):
            out = np.maximum(out, 0.0)
        return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True)
class UncertainClock:
    """A clock whose ``inputs`` are uncertain; :meth:`realise` puts one draw into the model."""

    base: ClockModel
    inputs: tuple[UncertainParam, ...] = ()
    war: War | None = None
    """Fearon's war block, if the outside options come from one (re-derived on every draw)."""

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(u.label for u in self.inputs)

    def draw(self, n: int, rng: np.random.Generator) -> FloatArray:
        """(n, k): one column per uncertain input, drawn in order."""
        if not self.inputs:
            return np.zeros((n, 0))
        return np.stack([u.sample(rng, n) for u in self.inputs], axis=1)

    def point_values(self) -> FloatArray:
        return np.array([u.value for u in self.inputs], dtype=np.float64)

    def realise(self, values: Sequence[float] | FloatArray) -> ClockModel:
        """The clock with each uncertain input set to ``values[k]``."""
        m = self.base
        parties = list(m.parties)
        events = [list(e.patches) for e in m.events]
        probs = [e.probability for e in m.events]
        breakdown = m.breakdown
        war = self.war
        for u, x in zip(self.inputs, values, strict=True):
            x = float(x)
            kind = u.target[0]
            if kind == "party":
                i, f = int(u.target[1]), str(u.target[2])
                parties[i] = replace(parties[i], **{f: x})  # type: ignore[arg-type]
            elif kind == "event":
                probs[int(u.target[1])] = x
            elif kind == "patch":
                k, j, f = int(u.target[1]), int(u.target[2]), str(u.target[3])
                events[k][j] = replace(events[k][j], **{f: x})  # type: ignore[arg-type]
            elif kind == "breakdown":
                breakdown = tuple(x for _ in (breakdown or (0.0,)))
            elif kind == "war" and war is not None:
                war = replace(war, **{str(u.target[1]): x})  # type: ignore[arg-type]
        new_events = tuple(
            Event(e.name, e.round, probs[k], tuple(events[k]), e.label, e.kind, e.date)
            for k, e in enumerate(m.events)
        )
        out = replace(m, parties=tuple(parties), events=new_events, breakdown=breakdown)
        return out if war is None else with_war(out, war)


@dataclass(frozen=True, eq=False)
class ClockMonteCarlo:
    """``samples`` (n, k): the inputs of each draw; ``values`` (n, parties): each draw's expected values;
    ``p_by_date`` (n, dates): each draw's probability of agreement by each date in ``dates``;
    ``p_agree`` (n, T): per round; ``position`` (n,): the expected agreement position (NaN if none)."""

    seed: int
    chunk_size: int
    labels: tuple[str, ...]
    dates: tuple[dt.date, ...]
    samples: FloatArray
    values: FloatArray
    p_by_date: FloatArray
    p_agree: FloatArray
    position: FloatArray

    @property
    def n(self) -> int:
        return int(self.samples.shape[0])

    def prob_by_date(self) -> FloatArray:
        """(dates,): probability of agreement by each date, averaged over the draws."""
        return np.asarray(self.p_by_date.mean(axis=0), dtype=np.float64)

    def agreement_dates(self) -> FloatArray:
        """(T,): the distribution of the round of agreement over the draws (its mean per round)."""
        return np.asarray(self.p_agree.mean(axis=0), dtype=np.float64)

    def terms_quantiles(self, qs: tuple[float, ...] = (0.05, 0.5, 0.95)) -> FloatArray | None:
        """Quantiles of the expected agreement position (0-100) over the draws that can agree."""
        pos = self.position[~np.isnan(self.position)]
        return None if pos.size == 0 else np.asarray(np.quantile(pos, qs), dtype=np.float64)

    def quantiles(self, qs: tuple[float, ...] = (0.05, 0.5, 0.95)) -> FloatArray:
        """(len(qs), dates): quantiles over the draws of the probability of agreement by each date."""
        return np.asarray(np.quantile(self.p_by_date, qs, axis=0), dtype=np.float64)


def compile_draws(uclock: UncertainClock, samples: FloatArray) -> Compiled:
    """The batch of compiled clocks for ``samples`` (n, k), written straight into the base arrays.

    Equal to compiling ``uclock.realise(samples[d])`` for every draw (the tests check this), without
    building n models: each uncertain number goes into the (regime, round) cells it holds.
    """
    base_model = uclock.base
    base = compile_model(base_model)
    D = samples.shape[0]
    arrays = {
        "discount": np.repeat(base.discount, D, axis=0),
        "cost": np.repeat(base.cost, D, axis=0),
        "reservation": np.repeat(base.reservation, D, axis=0),
        "outside_option": None if base.outside is None else np.repeat(base.outside, D, axis=0),
    }
    breakdown = np.repeat(base.breakdown, D, axis=0)
    event_prob = np.repeat(base.event_prob, D, axis=0)
    bit_of = {e.name: k for k, e in enumerate(base_model.uncertain_events)}
    owners = cell_owners(base_model)
    war = {} if uclock.war is None else {f: np.full(D, float(getattr(uclock.war, f) or 0.0)) for f in _WAR}
    for col, u in enumerate(uclock.inputs):
        x = samples[:, col]
        kind = u.target[0]
        if kind in ("party", "patch"):
            f = str(u.target[-1])
            arr = arrays[f]
            if arr is None:
                continue
            if kind == "party":
                i, code = int(u.target[1]), -1
            else:
                k, j = int(u.target[1]), int(u.target[2])
                i, code = base_model.events[k].patches[j].party, 1000 * k + j
            mask = owners[(f, i)] == code
            arr[:, mask, i] = x[:, None]
        elif kind == "event":
            name = base_model.events[int(u.target[1])].name
            if name in bit_of:
                event_prob[:, bit_of[name]] = x
        elif kind == "breakdown":
            breakdown[:, :] = x[:, None]
        elif kind == "war":
            war[str(u.target[1])] = x
    if uclock.war is not None and arrays["outside_option"] is not None:
        w = uclock.war
        T = base_model.horizon
        t = np.arange(T, dtype=np.float64)
        if w.p_end is None or w.shift_until <= w.shift_from:
            frac = np.zeros(T) if w.p_end is None else (t >= w.shift_until).astype(np.float64)
        else:
            frac = np.clip((t - w.shift_from) / (w.shift_until - w.shift_from), 0.0, 1.0)
        p_end = war["p_end"] if w.p_end is not None else war["p"]
        p_t = war["p"][:, None] + (p_end - war["p"])[:, None] * frac[None, :]  # (D, T)
        out = arrays["outside_option"]
        out[..., 0] = (p_t - war["cost0"][:, None])[:, None, :]
        out[..., 1] = (1 - p_t - war["cost1"][:, None])[:, None, :]
    return Compiled(
        discount=arrays["discount"],  # type: ignore[arg-type]
        cost=arrays["cost"],  # type: ignore[arg-type]
        reservation=arrays["reservation"],  # type: ignore[arg-type]
        outside=arrays["outside_option"],
        breakdown=breakdown,
        recognition=base.recognition,
        event_bits=base.event_bits,
        event_prob=event_prob,
        utility=base.utility,
        positions=base.positions,
        quota=base.quota,
    )


_WAR = ("p", "cost0", "cost1", "p_end")


def _run_on_dask(
    dask: str | Any,
    uclock: UncertainClock,
    days: tuple[dt.date, ...],
    seed: int,
    plan: list[tuple[int, int]],
    collect: Callable[[int, FloatArray, FloatArray, FloatArray], None],
) -> None:
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    client = Client(dask) if isinstance(dask, str) else dask  # type: ignore[no-untyped-call]
    try:
        scattered = client.scatter(uclock, broadcast=True)
        futures = [
            client.submit(run_clock_chunk, scattered, days, seed, c, size, pure=False) for c, size in plan
        ]
        for fut in dask_completed(futures):  # type: ignore[no-untyped-call]
            collect(*fut.result())
    finally:
        if isinstance(dask, str):
            client.close()


def _chunk_rng(seed: int, chunk: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk,)))


def run_clock_chunk(
    uclock: UncertainClock, dates: tuple[dt.date, ...], seed: int, chunk: int, size: int
) -> tuple[int, FloatArray, FloatArray, FloatArray]:
    """Draw and solve chunk ``chunk`` (``size`` draws).

    Returns (chunk, samples (size, k), summary (size, parties + dates + 1), p_agree (size, T)):
    ``summary`` holds each draw's values, its probability of agreement by each date, and its
    expected agreement position.
    """
    rng = _chunk_rng(seed, chunk)
    samples = uclock.draw(size, rng)
    _, out = solve_batch(compile_draws(uclock, samples))
    base = uclock.base
    T = base.horizon
    cum = np.cumsum(out.p_agree, axis=1)
    cols = []
    for day in dates:
        t = sum(1 for r in range(T) if base.date_of(r) <= day)
        cols.append(cum[:, t - 1] if t > 0 else np.zeros(size))
    pa = out.p_agree.sum(axis=1)
    pos = np.where(
        pa > 0, (out.p_agree * np.nan_to_num(out.position)).sum(axis=1) / np.where(pa > 0, pa, 1), np.nan
    )
    summary = np.column_stack([out.value0, *cols, pos])
    return chunk, samples, summary, out.p_agree


def run_clock_monte_carlo(
    uclock: UncertainClock,
    n: int,
    *,
    dates: Sequence[dt.date] | None = None,
    seed: int | None = None,
    workers: int | None = 1,
    dask: str | Any | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
) -> ClockMonteCarlo:
    """Solve ``n`` draws of ``uclock``; ``dates`` default to the clock's named dates.

    ``workers``: local processes (1 runs in this process; None: the CPU count). ``dask``: a Dask
    scheduler address (or a ``dask.distributed.Client``) to run the chunks on instead.
    """
    if n < 1 or chunk_size < 1:
        field = "n" if n < 1 else "chunk_size"
        raise InputError([Problem("<clock Monte Carlo>", None, field, "must be at least 1")])
    days = tuple(dates) if dates is not None else tuple(d for _, d in uclock.base.dates)
    run_seed = secrets.randbits(63) if seed is None else int(seed)
    plan = [(c, min(chunk_size, n - c * chunk_size)) for c in range(math.ceil(n / chunk_size))]
    done: dict[int, tuple[FloatArray, FloatArray, FloatArray]] = {}

    def collect(chunk: int, samples: FloatArray, summary: FloatArray, pa: FloatArray) -> None:
        done[chunk] = (samples, summary, pa)
        if progress is not None:
            progress(sum(len(s) for s, _, _ in done.values()), n)

    base = uclock.base
    G = 1 if base.grid is None else len(base.grid.positions)
    cells = min(chunk_size, n) * 2 ** len(base.uncertain_events) * base.horizon * base.n * max(G, base.n)
    if cells > MAX_CELLS:
        raise ModelTooLargeError(
            f"a chunk of {min(chunk_size, n)} draws needs about {cells:,} numbers, more than {MAX_CELLS:,};"
            " use a smaller chunk_size, or fewer rounds, uncertain events or grid points"
        )
    nproc = workers or os.cpu_count() or 1
    if dask is not None:
        _run_on_dask(dask, uclock, days, run_seed, plan, collect)
    elif nproc <= 1 or len(plan) == 1:
        for c, size in plan:
            collect(*run_clock_chunk(uclock, days, run_seed, c, size))
    else:
        with ProcessPoolExecutor(max_workers=min(nproc, len(plan))) as pool:
            futures = [pool.submit(run_clock_chunk, uclock, days, run_seed, c, size) for c, size in plan]
            for fut in as_completed(futures):
                collect(*fut.result())
    samples = np.concatenate([done[c][0] for c, _ in plan])
    summary = np.concatenate([done[c][1] for c, _ in plan])
    pa = np.concatenate([done[c][2] for c, _ in plan])
    k = uclock.base.n
    return ClockMonteCarlo(
        run_seed,
        chunk_size,
        uclock.labels,
        days,
        samples,
        summary[:, :k],
        summary[:, k : k + len(days)],
        pa,
        summary[:, -1],
    )

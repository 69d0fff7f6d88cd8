"""Size guard for the forecast models: estimate memory, time and result size up front, refuse if too big.

The budget is the conflict engine's (:mod:`detente.conflict.budget`): 4 GiB, or the environment
variable ``DETENTE_MEMORY_BUDGET`` (bytes, or a size such as ``512M``, ``8G``). The estimates follow
the data structures of each model (see the model modules), with constants measured with tracemalloc
and wall-clock timing on the project's 2-core machine (timings are indicative, memory conservative):

- ``compromise``, ``median``: a few (n, d) arrays.
- ``nash``: (n, d) arrays and a 1001-point grid per dimension.
- ``eum``: per dimension and round, about 48 (n, n) float arrays and the support sums taken over
  blocks of ``BLOCK_CELLS`` pair-by-voter cells (memory O(n^2), time O(n^3) per round).
- ``smp``: each turn holds the (n, n, n) perspective utilities and a working copy (2 n^3 floats;
  only the current turn's are kept), time O(n^3) per turn, at most ``max_turns`` turns.
- ``exchange``: C = n (n - 1) / 2 x d (d - 1) / 2 candidates, about 40 float arrays of length C; each
  exchange made recomputes every candidate, and a round makes at most min(C, 2 n d) exchanges in
  practice (every exchange moves two actor-issues, each in one direction only).

``result_bytes`` is the size of the positions kept for every round, (T + 1) x n x d floats, plus the
per-round details (about 100 bytes per actor and round for the EUM's offer log).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from detente.budget import ENV_VAR, format_bytes, format_seconds, memory_budget
from detente.errors import ModelTooLargeError

FLOAT = 8
BLOCK_CELLS = 1 << 21  # detente.forecast.models.eum.BLOCK_CELLS
_BASE_BYTES = 1 << 20  # fixed overhead of a run (small arrays, Python objects)

# Seconds per unit of work, measured on the project's 2-core machine (rounded up).
_EUM_SECONDS_PER_CUBE = 3.0e-8  # per n^3 pair-by-voter cell, one pass of eq. 30
_SMP_SECONDS_PER_CUBE = 1.5e-7  # per n^3 cell of one turn (challenges, bargains, PCEs)
_EXCHANGE_SECONDS_PER_CANDIDATE = 2.0e-7  # per candidate and recomputation
_SIMPLE_SECONDS_PER_CELL = 1.0e-7  # per actor and dimension (compromise, median, nash)


@dataclass(frozen=True)
class Estimate:
    """What a forecast run would need: peak ``bytes``, wall ``seconds`` (an upper bound for models
    that stop early) and ``result_bytes`` (the positions and details kept)."""

    model: str
    n_actors: int
    n_dims: int
    bytes: int
    seconds: float
    result_bytes: int
    work: str  # the dominant term, in words (for the message)


def _int(params: Mapping[str, object], name: str, default: int) -> int:
    value = params.get(name, default)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def estimate(model: str, n_actors: int, n_dims: int, params: Mapping[str, object]) -> Estimate:
    """Estimated peak memory, time and result size of running ``model`` on ``n_actors`` actors and
    ``n_dims`` dimensions with ``params`` (the model's keyword parameters; defaults where absent).

    Raises ``ValueError`` for an unknown model or non-positive counts.
    """
    n, d = int(n_actors), int(n_dims)
    if n < 1 or d < 1:
        raise ValueError("a forecast needs at least one actor and one dimension")
    if model in ("compromise", "median"):
        cells = n * d
        return Estimate(
            model,
            n,
            d,
            _BASE_BYTES + 8 * FLOAT * cells,
            _SIMPLE_SECONDS_PER_CELL * cells,
            2 * FLOAT * cells,
            "n x d",
        )
    if model == "nash":
        cells = n * d + 1001 * d
        return Estimate(
            model,
            n,
            d,
            _BASE_BYTES + 16 * FLOAT * cells,
            20 * _SIMPLE_SECONDS_PER_CELL * cells,
            2 * FLOAT * n * d,
            "n x d",
        )
    if model == "eum":
        rounds = _int(params, "rounds", 10)
        program = params.get("variant") == "scholz_program" or bool(params.get("voter_risk"))
        passes = 2 if program else 1
        peak = _BASE_BYTES + 48 * FLOAT * n * n + 4 * FLOAT * min(BLOCK_CELLS, n**3)
        seconds = _EUM_SECONDS_PER_CUBE * passes * n**3 * rounds * d + 1e-4 * rounds * d
        result = FLOAT * (rounds + 1) * n * d + 100 * n * rounds * d
        return Estimate(
            model, n, d, int(peak + result), seconds, result, f"{n}^2 pairs per round, {n}^3 votes"
        )
    if model == "smp":
        turns = _int(params, "max_turns", 100)
        peak = _BASE_BYTES + 2 * FLOAT * n**3 + 24 * FLOAT * n * n + 30 * FLOAT * 16384
        seconds = _SMP_SECONDS_PER_CUBE * n**3 * turns + 1e-3 * turns
        result = FLOAT * (turns + 1) * (n * d + 3 * n) + 100 * n * turns
        return Estimate(model, n, d, int(peak + result), seconds, result, f"{n}^3 utilities per turn")
    if model == "exchange":
        rounds = _int(params, "rounds", 10)
        cand = (n * (n - 1) // 2) * (d * (d - 1) // 2)
        per_round = min(cand, 2 * n * d) + 1
        peak = _BASE_BYTES + 40 * FLOAT * cand + 8 * FLOAT * n * d
        seconds = _EXCHANGE_SECONDS_PER_CANDIDATE * cand * per_round * rounds
        result = FLOAT * (2 * rounds + 1) * n * d + 200 * per_round * rounds
        return Estimate(model, n, d, int(peak + result), seconds, result, f"{cand:,} candidate exchanges")
    raise ValueError(f"unknown forecast model {model!r}")


_SHRINK = {
    "compromise": "use fewer actors or dimensions",
    "median": "use fewer actors or dimensions",
    "nash": "use fewer actors or dimensions",
    "eum": "merge actors that hold the same position (their capabilities add), analyse a sample of "
    "actors, or run fewer dimensions at a time (memory grows as actors^2, time as actors^3)",
    "smp": "merge actors with nearly the same position and saliences (their capabilities add), or "
    "drop actors with negligible capability (memory and time grow as actors^3); lower max_turns to "
    "shorten the run",
    "exchange": "merge actors on the same side of every issue, or run fewer issues together "
    "(candidates grow as actors^2 x issues^2); lower rounds to shorten the run",
}


def check(
    model: str, n_actors: int, n_dims: int, params: Mapping[str, object], budget: int | None = None
) -> Estimate:
    """Estimate the run and raise :class:`ModelTooLargeError` if its memory exceeds the budget.

    ``budget`` defaults to the conflict engine's (``DETENTE_MEMORY_BUDGET``, else 4 GiB). The message
    gives the estimated memory, time and result size and how to shrink the run. Nothing is computed
    when the run is refused.
    """
    est = estimate(model, n_actors, n_dims, params)

    limit = memory_budget() if budget is None else budget
    if est.bytes <= limit:
        return est
    raise ModelTooLargeError(
        f"forecast model {model} on {n_actors:,} actors and {n_dims:,} dimension(s) is too large: "
        f"{est.work} need an estimated {format_bytes(est.bytes)} of memory (about "
        f"{format_seconds(est.seconds)}, result {format_bytes(est.result_bytes)}), more than the memory "
        f"budget of {format_bytes(limit)}. Shrink the run: {_SHRINK[model]}. Or raise the budget with "
        f"the environment variable {ENV_VAR} (bytes, or a size such as 8G)."
    )


__all__ = ["Estimate", "check", "estimate"]

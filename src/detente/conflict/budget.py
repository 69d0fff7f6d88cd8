"""Memory budget: estimate the peak memory of a stability analysis and refuse it up front if too big.

The budget is :func:`detente.budget.memory_budget` (4 GiB, or ``DETENTE_MEMORY_BUDGET``). The
estimate mirrors the data structures of
:mod:`detente.conflict.fast` and :mod:`detente.conflict.limited_move`: dense arrays over all
``2**m`` option codes, per-state arrays, and for three or more decision makers the edge lists of the
opponents' unilateral moves (each decision maker ``k`` has at most ``2**m_k - 1`` moves per state).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.budget import DEFAULT_BUDGET, ENV_VAR, format_bytes, memory_budget, parse_size
from detente.conflict.model import Conflict
from detente.errors import ModelTooLargeError

CHUNK = 1 << 20
"""Candidate moves examined at once when building edge lists (bounds the temporaries)."""

# Bytes per option code of the dense arrays live at the peak, per kind of analysis (measured with
# tracemalloc on 2**20 codes: 18-34 for nash/gmr/smr, 83 for seq, 113 for l3; rounded up).
_DENSE_BYTES = {"simple": 40, "threshold": 96, "limited": 128}
_STATE_BYTES = 16  # per feasible state and decision maker: ranks, reductions, results
_EDGE_STORED = 16  # per edge kept for the whole analysis (source and target, int64)
_EDGE_GRAPH = 48  # per edge of one decision maker's opponents' graph (COO + CSR + weights)
_CHUNK_BYTES = 48  # per candidate move in a chunk (codes, masks, looked-up targets)


@dataclass(frozen=True)
class Estimate:
    """What an analysis would hold in memory at its peak."""

    concept: str
    n_states: int
    n_codes: int
    n_edges: int
    bytes: int


def move_edges(conflict: Conflict, k: int) -> int:
    """Upper bound on the number of unilateral moves of decision maker ``k`` over all states.

    States sharing every option outside ``k``'s form a group; ``k`` can move between any two
    members of a group when all its options are reversible (exact count), fewer otherwise.
    """
    _, sizes = np.unique(conflict.states & ~conflict.dm_mask(k), return_counts=True)
    return int(np.sum(sizes * (sizes - 1)))


def estimate(conflict: Conflict, concept: str) -> Estimate:
    """Estimated peak bytes of computing ``concept`` (nash, gmr, smr, seq or l<h>) on ``conflict``."""
    n, k, codes = conflict.n_dms, conflict.n_states, 1 << conflict.n_options
    edges = 0
    if concept.startswith("l"):
        dense = _DENSE_BYTES["limited"]
    elif concept == "seq" and n == 2:
        dense = _DENSE_BYTES["threshold"]
    else:
        dense = _DENSE_BYTES["simple"]
    total = codes * dense + k * n * _STATE_BYTES
    if n >= 3 and concept in ("gmr", "smr", "seq"):
        per_dm = [move_edges(conflict, d) for d in range(n)]
        edges = sum(per_dm)
        opponents = max(edges - e for e in per_dm)
        widest = max(1 << len(dm.options) for dm in conflict.decision_makers)
        chunk = min(max(CHUNK, widest), k * widest)
        total += edges * _EDGE_STORED + opponents * _EDGE_GRAPH + chunk * _CHUNK_BYTES
    return Estimate(concept, k, codes, edges, int(total))


def check(conflict: Conflict, concept: str, budget: int | None = None) -> Estimate:
    """Estimate the analysis and raise :class:`ModelTooLargeError` if it exceeds the budget.

    ``budget`` defaults to :func:`memory_budget`. Nothing is computed when the model is refused.
    """
    limit = memory_budget() if budget is None else budget
    est = estimate(conflict, concept)
    if est.bytes <= limit:
        return est
    sizes = ", ".join(f"{dm.name} {len(dm.options)}" for dm in conflict.decision_makers)
    edges = f" and about {est.n_edges:,} unilateral moves" if est.n_edges else ""
    raise ModelTooLargeError(
        f"conflict {conflict.name!r} is too large for a {concept} analysis: {est.n_states:,} feasible "
        f"states (2**{conflict.n_options} = {est.n_codes:,} option combinations; options per decision "
        f"maker: {sizes}){edges} need an estimated {format_bytes(est.bytes)}, more than the memory "
        f"budget of {format_bytes(limit)}. Shrink the model: merge options that always move together, "
        "drop options that change no preference, add constraints that rule out impossible states, "
        "or give each decision maker fewer options (moves per state grow as 2**options). Or raise "
        f"the budget with the environment variable {ENV_VAR} (bytes, or a size such as 8G)."
    )


__all__ = [
    "CHUNK",
    "DEFAULT_BUDGET",
    "ENV_VAR",
    "Estimate",
    "check",
    "estimate",
    "format_bytes",
    "memory_budget",
    "move_edges",
    "parse_size",
]

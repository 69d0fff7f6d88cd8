"""Two versions of a document compared: the equilibria under every concept, the forecast, what changed.

Each side is analysed like a run on the pages (:func:`detente.app.runs.execute`, guarded by the web
budget): stability under every solution concept of :data:`detente.app.conflict_kinds.CONCEPTS` when
the document has a conflict, and the forecast's predicted outcome per dimension (the forecast kind's
default model and parameters, no Monte Carlo) when it has issues. What changed: per concept, the
states stable in one version and not in the other (matched by state number and Y/N label, which
stay the same while the options do); per dimension, the shift of the predicted outcome.
"""

from __future__ import annotations

from typing import Any

from detente.app.conflict_kinds import CONCEPTS
from detente.budget import Budget
from detente.errors import DetenteError
from detente.io.loader import Document

Json = dict[str, Any]


def analyse(doc: Document, budget: Budget) -> Json:
    """One side: ``equilibria`` (concept -> states, or None without a conflict), ``forecast`` (model,
    dimensions, outcome; None without issues) and ``errors`` (what could not be computed, and why)."""
    from detente.app.runs import execute

    out: Json = {"equilibria": None, "forecast": None, "errors": []}
    if doc.conflict is not None:
        try:
            run = execute("stability", doc, {"concepts": list(CONCEPTS), "states": "none"}, None, budget)
            out["equilibria"] = {c: run.json["equilibria_text"][c] for c in CONCEPTS}
        except DetenteError as exc:
            out["errors"].append("stability: " + "; ".join(exc.lines()))
    if doc.space is not None:
        try:
            run = execute("forecast", doc, {}, None, budget)
            out["forecast"] = {k: run.json[k] for k in ("model", "dimensions", "outcome")}
        except DetenteError as exc:
            out["errors"].append("forecast: " + "; ".join(exc.lines()))
    return out


def changes(a: Json, b: Json) -> Json:
    """What changed from side ``a`` to side ``b`` (each from :func:`analyse`, or holding an ``error``).

    ``equilibria``: per concept (in the order of CONCEPTS) the states stable only in ``a`` and only in
    ``b``, when both sides have equilibria; ``forecast``: per dimension (``a``'s order, then those new
    in ``b``) both outcomes and the shift ``b - a`` (None where a side lacks the dimension), when both
    sides have a forecast.
    """
    out: Json = {"equilibria": [], "forecast": []}
    ea, eb = a.get("equilibria"), b.get("equilibria")
    if ea is not None and eb is not None:
        for concept in CONCEPTS:
            key_a = {(e["number"], e["label"]) for e in ea[concept]}
            key_b = {(e["number"], e["label"]) for e in eb[concept]}
            out["equilibria"].append(
                {
                    "concept": concept,
                    "only_a": [e for e in ea[concept] if (e["number"], e["label"]) not in key_b],
                    "only_b": [e for e in eb[concept] if (e["number"], e["label"]) not in key_a],
                }
            )
    fa, fb = a.get("forecast"), b.get("forecast")
    if fa is not None and fb is not None:
        at_a = dict(zip(fa["dimensions"], fa["outcome"], strict=True))
        at_b = dict(zip(fb["dimensions"], fb["outcome"], strict=True))
        for dim in dict.fromkeys([*fa["dimensions"], *fb["dimensions"]]):
            va, vb = at_a.get(dim), at_b.get(dim)
            shift = None if va is None or vb is None else vb - va
            out["forecast"].append({"dimension": dim, "a": va, "b": vb, "shift": shift})
    return out

"""One line per run result: what a list of runs shows beside each run (the web app's run lists).

Each function reads a run kind's documented JSON (``docs/json.md``) and says its main finding in at
most :data:`MAX_CHARS` characters: the equilibria per concept, the forecast outcome, the best
intervention, the chance of agreement by the first date the clock names, and so on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Json = Mapping[str, Any]
MAX_CHARS = 200


def clip(text: str) -> str:
    """``text`` on one line, cut to :data:`MAX_CHARS` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_CHARS else line[: MAX_CHARS - 1].rstrip() + "…"


def _states(numbers: Sequence[int], most: int = 6) -> str:
    if not numbers:
        return "none"
    shown = ", ".join(str(n) for n in numbers[:most])
    return shown + (f" and {len(numbers) - most} more" if len(numbers) > most else "")


def equilibria(result: Json) -> str:
    """Stability and coalition analyses: the equilibria under each concept (state numbers)."""
    parts = [f"{c.upper()}: {_states(result['equilibria'][c])}" for c in result["concepts"]]
    return clip("equilibria " + "; ".join(parts))


def paths(result: Json) -> str:
    """Paths: how many equilibria the status quo reaches under the concept, and the nearest."""
    reached = [e for e in result["equilibria"] if e["steps"] is not None]
    line = f"from state {result['start']} under {result['concept'].upper()}: {len(reached)} of "
    line += f"{len(result['equilibria'])} equilibria reachable"
    if reached:
        near = min(reached, key=lambda e: e["steps"])
        line += f", the nearest (state {near['state']}) in {near['steps']} step(s)"
    return clip(line)


def inverse(result: Json) -> str:
    """Inverse analysis: the first sentence of the condition and of the smallest change."""
    parts = [result.get(key) for key in ("condition", "change")]
    words = [part["words"][0] for part in parts if part and part["words"]]
    return clip(" ".join(words))


def hypergame(result: Json) -> str:
    """Hypergame: the hypergame equilibria beside those of the real game, and who misperceives."""
    hyper = _states([e["number"] for e in result["hypergame_equilibria"]])
    real = _states([e["number"] for e in result["real_equilibria"]])
    who = ", ".join(result["misperceivers"]) or "nobody"
    return clip(f"hypergame equilibria {hyper} (real game: {real}); misperceiving: {who}")


def forecast(result: Json) -> str:
    """Forecast: the predicted outcome on each dimension, and the Monte Carlo runs behind it."""
    outcome = ", ".join(f"{d} {x:.1f}" for d, x in zip(result["dimensions"], result["outcome"], strict=False))
    mc = result.get("monte_carlo")
    runs = f" ({mc['runs']} Monte Carlo runs)" if mc else ""
    return clip(f"{result['model']}: {outcome}{runs}")


def interventions(result: Json) -> str:
    """Interventions: the best-ranked intervention and its gains."""
    ranked = result["ranked"]
    if not ranked:
        return "no intervention to rank"
    best = ranked[0]
    gains = f"reachable gain {best['reach_gain']}, equilibrium gain {best['equilibrium_gain']}"
    return clip(f"best: {best['title']} ({gains})")


def questions(result: Json) -> str:
    """Questions: how many were answered and, once resolved, the Brier score beside the baseline's."""
    line = f"{len(result['answers'])} questions answered"
    scores, base = result.get("scores"), result.get("baseline_scores")
    if scores and base:
        line += f"; Brier {scores['overall']['brier']:.3f} (baseline {base['overall']['brier']:.3f})"
    return clip(line)


def clock(result: Json) -> str:
    """Clock: the chance of agreement by each date the clock names (at the central values)."""
    dates = [f"{d['name']} {100 * d['p_agree']:.0f} %" for d in result["by_date"]]
    return clip("P(agreement) by " + "; ".join(dates) if dates else result["name"])


def check(result: Json) -> str:
    """Check: passed, or how many quotes and interventions were flagged."""
    if result["ok"]:
        return "every check passed"
    quotes = sum(1 for q in result["quotes"] if q["status"] != "verified")
    flagged = sum(1 for i in result["interventions"] if i["flagged"] or i["assumes_own_outcome"])
    return clip(f"checks failed: {quotes} quote(s) not verified, {flagged} intervention(s) flagged")


def report(result: Json) -> str:
    """Report: its title and sections."""
    return clip(f"report “{result['title']}”: {', '.join(result['sections'])}")


def backtest(result: Json) -> str:
    """Back-test: each model's mean absolute error over the cases it ran."""
    parts = [
        f"{m['model']} MAE {'–' if m['mae'] is None else format(m['mae'], '.1f')} on {m['issues']} issues"
        for m in result["models"]
    ]
    return clip("; ".join(parts) or "no model ran")

"""Glue: a decision maker's option-prioritisation statements (from a conflict's spec) as engine arrays."""

from __future__ import annotations

import numpy as np

from detente.conflict.inverse_change import StatementPreferences
from detente.conflict.model import Conflict
from detente.io import statements as st
from detente.io.conflict_spec import StatementSpec, TiedSpec


def statement_preferences(conflict: Conflict, dm: int, pool: bool = True) -> StatementPreferences:
    """The truth table (statements x feasible states), tiers and, with ``pool``, candidate statements to
    add (each option and its negation not already stated) of decision maker ``dm``.

    Raises ValueError when the conflict was not compiled from a file or ``dm`` ranks states directly.
    """
    spec = conflict.spec
    if spec is None:
        raise ValueError("statement preferences need a conflict compiled from a conflict file")
    dm_spec = spec.decision_makers[dm]
    items = dm_spec.preferences.statements
    if items is None:
        raise ValueError(f"{dm_spec.name} gives an explicit ranking, not statements")
    index = {o.name: j for j, o in enumerate(conflict.options)}
    texts: list[str] = []
    tiers: list[tuple[int, ...]] = []
    for item in items:
        members = item.tied if isinstance(item, TiedSpec) else [item]
        rows = []
        for m in members:
            texts.append(m.statement if isinstance(m, StatementSpec) else m)
            rows.append(len(texts) - 1)
        tiers.append(tuple(rows))
    extra: list[int] = []
    if pool:
        present = {t.replace(" ", "") for t in texts}
        for o in conflict.options:
            for text in (o.name, f"-{o.name}"):
                if text not in present:
                    texts.append(text)
                    extra.append(len(texts) - 1)
    truth = np.array([st.evaluate(st.parse(t, index), conflict.states, index) for t in texts], dtype=bool)
    return StatementPreferences(
        tuple(texts), truth.reshape(len(texts), conflict.n_states), tuple(tiers), tuple(extra)
    )

"""Fast stability analysis (placeholder: delegates to the reference until the vectorised path lands)."""

from __future__ import annotations

from detente.conflict import reference
from detente.conflict.model import BoolArray, Conflict


def stable(conflict: Conflict, concept: str) -> BoolArray:
    return reference.stable(conflict, concept)

"""Files shipped with detente: the built-in scenarios, question sets and classic conflicts."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def packaged_file(folder: str, file: str) -> Path | None:
    """``detente/data/<folder>/<file>`` from the installed package, or None when there is none."""
    path = Path(str(resources.files("detente") / "data" / folder / file))
    return path if path.is_file() else None

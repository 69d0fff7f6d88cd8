"""Files shipped with detente: the built-in scenarios, question sets and classic conflicts."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from detente.errors import InputError, Problem


def packaged_file(folder: str, file: str) -> Path | None:
    """``detente/data/<folder>/<file>`` from the installed package, or None when there is none."""
    path = Path(str(resources.files("detente") / "data" / folder / file))
    return path if path.is_file() else None


def builtin_yaml(folder: str, name: str, what: str) -> Path:
    """The built-in ``<folder>/<name>.yaml``; an InputError ("no built-in <what> named ...") if absent."""
    file = f"{name}.yaml"
    found = packaged_file(folder, file)
    if found is None:
        raise InputError([Problem(file, None, "", f"no built-in {what} named {name!r}")])
    return found

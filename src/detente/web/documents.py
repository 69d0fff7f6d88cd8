"""The documents the web app edits: scenario files and plain conflict files, and the built-in ones.

A document is YAML text: a scenario or a conflict file, read by the one loader
(:mod:`detente.io.loader`) by the same rules as on the command line; every problem names its line and
field. Built-in documents are a fixed list of names; a name not
on the list is never turned into a file path.
"""

from __future__ import annotations

import functools
from pathlib import Path

from detente.io import loader
from detente.io.kinds import DocKind
from detente.io.loader import Document
from detente.io.packaged import packaged_file

BUILTINS: dict[str, tuple[str, str]] = {
    "dprk_us_2019_06": ("scenarios", "dprk_us_2019_06.yaml"),
    "dprk_us_2019_10": ("scenarios", "dprk_us_2019_10.yaml"),
    "chicken": ("conflicts", "chicken.yaml"),
    "prisoners_dilemma": ("conflicts", "prisoners_dilemma.yaml"),
}
"""Built-in document name -> (folder, file name) in the package data."""


WEB_DOCUMENTS: frozenset[DocKind] = frozenset({"scenario", "conflict"})
"""The kinds of document the web app stores and edits (YAML)."""


@functools.lru_cache(maxsize=32)
def load_text(text: str, file: str = "<upload>") -> Document:
    """Parse and validate YAML text (cached: versions never change, so equal text loads equally)."""
    return loader.load_text(text, file, WEB_DOCUMENTS)


def builtin_names() -> list[str]:
    """The built-in documents present in this installation."""
    return [name for name in BUILTINS if builtin_path(name) is not None]


def _find(folder: str, file: str) -> Path | None:
    return packaged_file(folder, file)


def builtin_path(name: str) -> Path | None:
    """The file of built-in ``name`` (None if ``name`` is not on the fixed list or the file is absent)."""
    if name not in BUILTINS:
        return None
    return _find(*BUILTINS[name])


def builtin_text(name: str) -> str | None:
    """The YAML text of built-in ``name``, or None."""
    path = builtin_path(name)
    return None if path is None else path.read_text(encoding="utf-8")

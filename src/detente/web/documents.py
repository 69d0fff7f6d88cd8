"""The documents the web app edits: scenario files and plain conflict files, and the built-in ones.

A document is YAML text. A *scenario* (top-level ``meta``) is loaded with
:func:`detente.scenario.parse_scenario`; anything else is read as a *conflict* file
(:class:`detente.io.conflict_spec.ConflictSpec`). Both are parsed safely (:mod:`detente.io.yamlio`) and
every problem names its line and field. Built-in documents are a fixed list of names; a name not
on the list is never turned into a file path.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from detente.conflict.model import Conflict
from detente.errors import InputError, Problem
from detente.interventions.scoring import ResolutionsFile
from detente.io.conflict import compile_conflict
from detente.io.conflict_spec import ConflictSpec
from detente.io.packaged import packaged_file
from detente.io.questions import QuestionSet, load_questions
from detente.io.scenario import Scenario, parse_scenario
from detente.io.yamlio import LineMap, load_yaml, parse_yaml, validate_model

Kind = Literal["scenario", "conflict"]

BUILTINS: dict[str, tuple[str, str]] = {
    "dprk_us_2019_06": ("scenarios", "dprk_us_2019_06.yaml"),
    "dprk_us_2019_10": ("scenarios", "dprk_us_2019_10.yaml"),
    "chicken": ("conflicts", "chicken.yaml"),
    "prisoners_dilemma": ("conflicts", "prisoners_dilemma.yaml"),
}
"""Built-in document name -> (folder, file name) in the package data."""

QUESTION_SETS: dict[str, tuple[str, str, str]] = {
    "dprk_us_2019": ("questions", "dprk_us_2019.yaml", "dprk_us_2019_resolutions.yaml"),
}
"""Built-in forecast question set name -> (folder, questions file, resolutions file)."""


@dataclass(frozen=True, eq=False)
class Loaded:
    """A validated document: its kind, its data and line map, its conflict and (for a scenario) more."""

    kind: Kind
    data: Any
    lines: LineMap
    conflict: Conflict
    scenario: Scenario | None

    @property
    def name(self) -> str:
        if self.scenario is not None:
            return self.scenario.spec.meta.name
        return self.conflict.name


def kind_of(data: Any) -> Kind:
    """``scenario`` when the data has a top-level ``meta`` mapping, else ``conflict``."""
    return "scenario" if isinstance(data, dict) and "meta" in data else "conflict"


def parse_document(data: Any, lines: LineMap) -> Loaded:
    """Validate and compile parsed document data (raises InputError naming line and field)."""
    if data is None or not isinstance(data, dict):
        raise InputError([Problem(lines.file, lines.line(()), "", "the document must be a YAML mapping")])
    if kind_of(data) == "scenario":
        scenario = parse_scenario(data, lines)
        return Loaded("scenario", data, lines, scenario.conflict, scenario)
    spec = validate_model(ConflictSpec, data, lines)
    return Loaded("conflict", data, lines, compile_conflict(spec, lines), None)


@functools.lru_cache(maxsize=32)
def load_text(text: str, file: str = "<upload>") -> Loaded:
    """Parse and validate YAML text (cached: versions never change, so equal text loads equally)."""
    data, lines = parse_yaml(text, file)
    return parse_document(data, lines)


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


def question_files(name: str) -> tuple[Path, Path | None] | None:
    """(questions file, resolutions file or None) of built-in question set ``name``, if present."""
    if name not in QUESTION_SETS:
        return None
    folder, questions, resolutions = QUESTION_SETS[name]
    found = _find(folder, questions)
    return None if found is None else (found, _find(folder, resolutions))


def question_set_names() -> list[str]:
    """The built-in forecast question sets present in this installation."""
    return [name for name in QUESTION_SETS if question_files(name) is not None]


def load_question_set(name: str) -> QuestionSet | None:
    """Built-in question set ``name`` loaded and validated (None if absent; InputError if invalid)."""
    files = question_files(name)
    return None if files is None else load_questions(files[0])


def question_outcomes(name: str) -> dict[str, bool] | None:
    """Question id -> resolved yes, from built-in set ``name``'s resolutions file (None if it has none).

    Raises InputError (file, line, field) when the resolutions file is invalid.
    """
    files = question_files(name)
    if files is None or files[1] is None:
        return None
    data, lines = load_yaml(files[1])
    resolved = validate_model(ResolutionsFile, data, lines).root
    return {q: v if isinstance(v, bool) else v.resolved for q, v in resolved.items()}


def builtin_text(name: str) -> str | None:
    """The YAML text of built-in ``name``, or None."""
    path = builtin_path(name)
    return None if path is None else path.read_text(encoding="utf-8")

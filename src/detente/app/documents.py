"""Operations on documents that are not runs: file-format schemas, conversion, data validation."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from detente.errors import InputError, ParameterError, Problem
from detente.io.kinds import CONFLICTS

SCHEMAS = {
    "conflict": "detente.io.conflict_spec:ConflictSpec",
    "scenario": "detente.io.scenario_spec:ScenarioSpec",
    "forecast": "detente.io.forecast_spec:IssueSpaceSpec",
    "questions": "detente.io.questions:QuestionSetSpec",
}
"""The pydantic model of each file format, as ``module:class`` (imported only when asked for)."""


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of file format ``kind`` (conflict, scenario, forecast, questions)."""
    if kind not in SCHEMAS:
        raise ParameterError("kind", f"no file format {kind!r}; choose from {', '.join(SCHEMAS)}")
    module, name = SCHEMAS[kind].split(":")
    schema: dict[str, Any] = getattr(importlib.import_module(module), name).model_json_schema()
    return schema


def convert_conflict(source: str | Path, target: str | Path) -> None:
    """The conflict of ``source`` (conflict YAML, scenario or .gmcr) written to ``target``: GMCR+ JSON
    when it ends in ``.gmcr``, detente conflict YAML otherwise (atomically)."""
    from detente.io.gmcr import GMCR_SUFFIX, write_gmcr, write_yaml
    from detente.io.loader import load_document

    doc = load_document(source, CONFLICTS, needed_by="detente conflict convert")
    assert doc.conflict is not None
    if Path(target).suffix.lower() == GMCR_SUFFIX:
        write_gmcr(doc.conflict.spec if doc.conflict.spec is not None else doc.conflict, target)
    else:
        write_yaml(doc.conflict, target)


def validate_folder(directory: str | Path, models: str = "all") -> tuple[dict[str, Any], int]:
    """Every data file under ``directory`` imported and run by every model (or the comma-separated
    ``models``): the ``validation`` JSON document and the number of model runs that crashed."""
    import typing

    from detente.app.forecast_kinds import MODELS
    from detente.app.validate import validate_directory
    from detente.render.conflict_json import SCHEMA_VERSION

    root = Path(directory)
    if not root.is_dir():
        raise InputError([Problem(str(root), None, "", "no such directory")])
    if models.strip().lower() == "all":
        names: typing.Sequence[str] = MODELS
    else:
        names = [m.strip().lower() for m in models.split(",") if m.strip()]
        unknown = [m for m in names if m not in MODELS]
        if unknown or not names:
            raise ParameterError(
                "--model", f"unknown model {', '.join(unknown) or '(none)'}; choose from {', '.join(MODELS)}"
            )
    rows = validate_directory(root, names)
    document = {
        "schema_version": SCHEMA_VERSION,
        "kind": "validation",
        "directory": str(root),
        "results": [dict(vars(r)) for r in rows],
    }
    return document, sum(not r.ok for r in rows)

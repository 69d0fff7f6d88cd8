"""Executing a run: parameters checked, the guard before any work, the engine, the documented JSON.

Every face calls :func:`execute` (the command line, the web app's worker, and the Python API
:func:`run`), so the same document, parameters and seed give the same JSON everywhere:
:func:`dumps` is the one serialisation (NaN and infinities as ``null``, never in the text).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from detente.app.kind import Execution, Json, Params, RunKind
from detente.app.registry import get
from detente.budget import Budget, Cost, check
from detente.errors import ParameterError


@dataclass(frozen=True, eq=False)
class Output:
    """A finished run: its kind, document, parameters, result object and the estimates it passed."""

    kind: RunKind[Any, Any]
    doc: Any
    params: Params
    result: Any
    costs: tuple[Cost, ...]

    @functools.cached_property
    def json(self) -> Json:
        """The documented JSON of the result (rendered when first asked for: a terminal needs none)."""
        document: Json = clean(self.kind.to_json(self.doc, self.params, self.result))
        return document


def make_params(
    kind: RunKind[Any, Any], values: Mapping[str, Any], names: Mapping[str, str] | None = None
) -> Params:
    """``values`` validated against the kind's parameters model.

    A bad value is a :class:`ParameterError` naming the parameter as the face shows it (``names``
    maps field names to e.g. command-line flags) and what is expected.
    """
    try:
        params: Params = kind.params.model_validate(dict(values))
        return params
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"] if isinstance(p, str | int)]
        field = loc[0] if loc else ""
        shown = (names or {}).get(field, field)
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            known = ", ".join(n for n in kind.params.model_fields if n != "kind")
            message = f"unknown parameter; {kind.name} takes {known}"
        elif "input" in err and err["type"] not in ("missing",):
            value = repr(err["input"])
            message = f"{message} (got {value[:80] + '…' if len(value) > 80 else value})"
        raise ParameterError(shown, message) from exc


def guard(
    kind: RunKind[Any, Any], doc: Any, params: Params, budget: Budget | None = None
) -> tuple[Cost, ...]:
    """Estimate the run and refuse it (``ModelTooLargeError``) before any work when over budget."""
    limit = Budget.from_env() if budget is None else budget
    costs = tuple(kind.cost(doc, params))
    for cost in costs:
        check(cost, limit)
    return costs


def execute(
    kind: RunKind[Any, Any] | str,
    doc: Any,
    params: Params | Mapping[str, Any] | None = None,
    execution: Execution | None = None,
    budget: Budget | None = None,
    costs: tuple[Cost, ...] | None = None,
) -> Output:
    """Run ``kind`` on the loaded document ``doc``: check what it reads, guard, run, render JSON.

    ``costs``: the estimate of a guard already passed for these parameters on this document (the web
    app guards a run before queueing it); given, the check and the guard are not made again."""
    k = get(kind) if isinstance(kind, str) else kind
    p = params if isinstance(params, Params) else make_params(k, params or {})
    if costs is None:
        check_reads(k, doc)
        costs = guard(k, doc, p, budget)
    result = k.run(doc, p, execution or Execution())
    return Output(k, doc, p, result, costs)


def check_reads(kind: RunKind[Any, Any], doc: Any) -> None:
    """A :class:`~detente.errors.WrongDocumentError` when ``kind`` does not read ``doc``'s kind."""
    if doc.kind not in kind.reads:
        from detente.errors import Problem, WrongDocumentError
        from detente.io.loader import describe

        wanted = "; or ".join(describe(r) for r in sorted(kind.reads))
        message = f"this is {describe(doc.kind)}; {kind.title} reads {wanted}"
        raise WrongDocumentError([Problem(doc.file, None, "", message)])


def load(path: str | Path, kind: RunKind[Any, Any] | str, **options: Any) -> Any:
    """The document at ``path``, loaded as ``kind`` reads it (the one loader, :mod:`detente.io.loader`)."""
    from detente.io.loader import load_document

    k = get(kind) if isinstance(kind, str) else kind
    return load_document(path, k.reads, needed_by=k.title, **options)


def run(kind: str, document: Any, execution: Execution | None = None, **params: Any) -> Output:
    """The Python API: run ``kind`` on a document (a path, or a loaded :class:`~detente.io.loader.Document`).

    >>> out = run("stability", "examples/conflicts/prisoners_dilemma.yaml", concepts=["nash"])
    >>> out.json["equilibria"]["nash"]
    [4]
    """
    k = get(kind)
    doc = load(document, k) if isinstance(document, str | Path) else document
    return execute(k, doc, params, execution)


# -- JSON ---------------------------------------------------------------------------------------
def clean(value: Any) -> Any:
    """A JSON-safe copy: numpy scalars and arrays as Python values, NaN and infinities as ``None``."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bool | int | str) or value is None:
        return value
    tolist = getattr(value, "tolist", None)
    if tolist is not None:
        return clean(tolist())
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(document: Any) -> str:
    """The one JSON text of a result: indented, non-ASCII kept, never NaN, lone surrogates escaped."""
    text = json.dumps(clean(document), indent=2, ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def kinds_reading(doc_kind: str) -> list[str]:
    """The names of the run kinds that read documents of ``doc_kind``."""
    from detente.app.registry import load_kinds

    return [name for name, k in load_kinds().items() if doc_kind in k.reads]

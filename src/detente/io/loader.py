"""The one loader: every input document is read, recognised, validated and compiled here.

A document is one of:

* ``scenario`` — a scenario YAML (top-level ``meta`` and ``conflict``; :mod:`detente.io.scenario`);
* ``conflict`` — a conflict YAML (top-level ``decision_makers``; :mod:`detente.io.conflict_spec`);
* ``gmcr`` — a GMCR+ JSON file with the ``.gmcr`` suffix (:mod:`detente.io.gmcr`);
* ``issues`` — an issue-space YAML (top-level ``actors`` and ``dimensions``; :mod:`detente.io.forecast_spec`);
* ``table`` — a forecast data file in one of the importers' formats (:mod:`detente.io.importers`);
* ``questions`` — a forecast question set (top-level ``questions`` as a list; :mod:`detente.io.questions`);
* ``clock`` — a negotiation clock (top-level ``parties`` and ``start``; :mod:`detente.io.clock`).

Every command says which kinds it reads; a document of another kind is a
:class:`~detente.errors.WrongDocumentError` that says what the file is and what the command needs,
before any field is validated against the wrong format.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detente.conflict.model import Conflict
from detente.errors import InputError, Problem, WrongDocumentError
from detente.forecast.uncertain import UncertainSpace
from detente.io.kinds import DESCRIPTIONS, DocKind
from detente.io.yamlio import LineMap, parse_yaml, read_text

GMCR_SUFFIX = ".gmcr"
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, eq=False)
class Document:
    """A validated, compiled input document and what the engines read from it."""

    kind: DocKind
    file: str
    digest: str
    """SHA-256 of the document's text (the provenance of every result computed from it)."""
    data: Any = None
    lines: LineMap | None = None
    conflict: Conflict | None = None
    scenario: Any = None
    """The :class:`detente.io.scenario.Scenario` of a scenario document."""
    space: UncertainSpace | None = None
    imported: Any = None
    """The :class:`detente.io.importers.Imported` cases of a forecast data file."""
    questions: Any = None
    clock: Any = None
    """The :class:`detente.clock.montecarlo.UncertainClock` of a clock file or a scenario's ``clock:``."""
    params: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    """Model parameters the file itself sets, by model name (a KTAB XML's ModelParameters)."""

    @property
    def name(self) -> str:
        if self.scenario is not None:
            return str(self.scenario.spec.meta.name)
        if self.conflict is not None:
            return self.conflict.name
        if self.space is not None and self.space.base.name:
            return self.space.base.name
        return Path(self.file).stem


def describe(kind: DocKind) -> str:
    return DESCRIPTIONS[kind]


def kind_of_data(data: Any) -> DocKind | None:
    """The kind of a parsed YAML document, from its top-level keys (None when nothing fits)."""
    if not isinstance(data, dict):
        return None
    if "meta" in data:
        return "scenario"
    if "decision_makers" in data:
        return "conflict"
    if "actors" in data and "dimensions" in data:
        return "issues"
    if isinstance(data.get("questions"), list):
        return "questions"
    if "parties" in data and "start" in data:
        return "clock"
    return None


def _wrong(file: str, kind: DocKind, accept: Collection[DocKind], needed_by: str) -> WrongDocumentError:
    wanted = "; or ".join(describe(k) for k in sorted(accept))
    who = f"{needed_by} reads" if needed_by else "expected"
    return WrongDocumentError([Problem(file, None, "", f"this is {describe(kind)}; {who} {wanted}")])


def _unknown(file: str, lines: LineMap | None, accept: Collection[DocKind]) -> InputError:
    wanted = "; or ".join(describe(k) for k in sorted(accept))
    line = lines.line(()) if lines is not None else None
    return InputError(
        [
            Problem(
                file,
                line,
                "",
                f"not a detente document of a known kind: expected {wanted} "
                "(a scenario has top-level meta and conflict; a conflict file has decision_makers; an "
                "issue-space file has actors and dimensions)",
            )
        ]
    )


def _fallback(file: str, lines: LineMap, accept: Collection[DocKind]) -> DocKind:
    """A YAML mapping of no recognisable kind is validated as the plainest kind the caller reads (so
    its problems are named field by field), or refused when the caller reads no YAML kind."""
    for kind in ("conflict", "issues", "questions", "scenario"):
        if kind in accept:
            return kind
    raise _unknown(file, lines, accept)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def load_document(
    path: str | Path,
    accept: Collection[DocKind] = tuple(DESCRIPTIONS),
    *,
    needed_by: str = "",
    table_format: str | None = None,
    issue: str | None = None,
) -> Document:
    """Read, recognise, validate and compile the document at ``path``.

    ``accept``: the kinds the caller reads; any other kind is a :class:`WrongDocumentError` naming
    both. ``needed_by`` names the caller in that message (``detente interventions``).
    ``table_format`` forces a forecast data format; ``issue`` picks one case of a many-issue file.
    Raises :class:`InputError` (file, line, field) for every problem, and
    :class:`~detente.errors.ModelTooLargeError` before compiling a conflict that would not fit.
    """
    p = Path(path)
    file = str(p)
    suffix = p.suffix.lower()
    if suffix == GMCR_SUFFIX:
        if "gmcr" not in accept:
            raise _wrong(file, "gmcr", accept, needed_by)
        from detente.io.gmcr import load_gmcr

        text = read_text(p)
        return Document("gmcr", file, _digest(text), conflict=load_gmcr(p))
    if table_format not in (None, "yaml") or (suffix not in YAML_SUFFIXES and suffix != ""):
        return _load_table(p, accept, needed_by, table_format, issue)
    text = read_text(p)
    data, lines = parse_yaml(text, file)
    kind = kind_of_data(data)
    if kind is None and suffix == "":
        return _load_table(p, accept, needed_by, table_format, issue)
    if kind is None:
        kind = _fallback(file, lines, accept)
    if kind not in accept:
        raise _wrong(file, kind, accept, needed_by)
    return parse_document(data, lines, kind, _digest(text))


def load_text(text: str, file: str, accept: Collection[DocKind] = tuple(DESCRIPTIONS)) -> Document:
    """Parse and compile YAML ``text`` named ``file`` (as :func:`load_document` does for a file)."""
    data, lines = parse_yaml(text, file)
    kind = kind_of_data(data)
    if kind is None:
        kind = _fallback(file, lines, accept)
    if kind not in accept:
        raise _wrong(file, kind, accept, "")
    return parse_document(data, lines, kind, _digest(text))


def parse_document(data: Any, lines: LineMap, kind: DocKind, digest: str = "") -> Document:
    """Validate and compile parsed YAML ``data`` of a known ``kind``."""
    file = lines.file
    if kind == "scenario":
        from detente.io.scenario import parse_scenario

        scenario = parse_scenario(data, lines)
        return Document(
            kind,
            file,
            digest,
            data=data,
            lines=lines,
            conflict=scenario.conflict,
            scenario=scenario,
            space=scenario.issues,
            clock=scenario.clock,
        )
    if kind == "conflict":
        from detente.io.conflict import compile_conflict
        from detente.io.conflict_spec import ConflictSpec
        from detente.io.yamlio import validate_model

        spec = validate_model(ConflictSpec, data, lines)
        return Document(kind, file, digest, data=data, lines=lines, conflict=compile_conflict(spec, lines))
    if kind == "issues":
        from detente.io.forecast_spec import parse_uncertain_space

        return Document(kind, file, digest, data=data, lines=lines, space=parse_uncertain_space(data, lines))
    if kind == "questions":
        from detente.io.questions import parse_questions

        return Document(kind, file, digest, data=data, lines=lines, questions=parse_questions(data, lines))
    if kind == "clock":
        from detente.io.clock import parse_clock

        return Document(kind, file, digest, data=data, lines=lines, clock=parse_clock(data, lines))
    raise InputError([Problem(file, lines.line(()), "", f"{kind} documents are not YAML")])


def _load_table(
    p: Path, accept: Collection[DocKind], needed_by: str, fmt: str | None, issue: str | None
) -> Document:
    if "table" not in accept:
        raise _wrong(str(p), "table", accept, needed_by)
    from detente.io.importers import import_file

    text = read_text(p)
    imported = import_file(p, fmt)  # type: ignore[arg-type]
    case = imported.cases[0] if len(imported.cases) == 1 else None
    if issue is not None:
        found = [c for c in imported.cases if c.label == issue]
        if not found:
            labels = ", ".join(c.label for c in imported.cases[:10])
            message = f"no issue labelled {issue!r} (e.g. {labels})"
            raise InputError([Problem(str(p), None, "--issue", message)])
        case = found[0]
    return Document(
        "table",
        str(p),
        _digest(text),
        space=None if case is None else UncertainSpace(case.space),
        imported=imported,
        params={} if case is None else case.params,
    )

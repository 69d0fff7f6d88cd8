"""A run kind: its parameters, what it reads, its guard, its engine call and its renderers.

A :class:`RunKind` holds, for one kind of run:

* ``params`` — a pydantic model of its parameters, every default defined there and nowhere else;
* ``reads`` — the document kinds it accepts (:mod:`detente.io.kinds`);
* ``cost`` — the estimate of memory, time and result size made before any work (:mod:`detente.budget`);
* ``run`` — the engine call, returning a result object;
* ``to_json`` — the documented JSON of that result (``docs/json.md``);
* ``terminal`` — the words and tables a terminal shows; ``figures`` — the SVG figures a page shows;
* ``headline`` — the one line a list of runs shows beside the run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, model_validator

from detente.app.fields import shape, text_only
from detente.budget import Cost

if TYPE_CHECKING:
    from rich.console import Console

    from detente.io.kinds import DocKind
    from detente.io.loader import Document

Json = dict[str, Any]
Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while a run goes on."""


def _kind_required(schema: dict[str, Any]) -> None:
    """In the JSON schema, ``kind`` is required: it picks the parameters model of a request body
    (the models give it a default only for the Python API and the command line)."""
    required = schema.setdefault("required", [])
    if "kind" not in required:
        required.insert(0, "kind")


class Params(BaseModel):
    """Base of every run's parameters: unknown fields are refused, values never change, and a value
    must be of its field's JSON type (pydantic's lax mode would read ``false`` as 0, ``"3"`` as 3)."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_kind_required)

    kind: str
    """The run kind's name (each kind's model fixes it as a literal)."""

    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data: Any) -> Any:
        """Refuse what pydantic's lax mode would convert but the JSON schema's type does not allow:
        true or false for a number, a string for a number or a yes/no, a number for a text or date."""
        if isinstance(data, Mapping):
            for name, value in data.items():
                info = cls.model_fields.get(str(name))
                if info is None or value is None:
                    continue
                want = shape(info.annotation)
                if want == "text" and not text_only(info.annotation):
                    continue  # e.g. ``int | str``: a number is one of its types
                wrong = (
                    (want in ("int", "float") and isinstance(value, bool | str))
                    or (want == "bool" and not isinstance(value, bool))
                    or (want == "text" and isinstance(value, bool | int | float))
                )
                if wrong:
                    expected = {"int": "a whole number", "float": "a number", "bool": "true or false"}
                    raise ValueError(f"{name}: expected {expected.get(want, 'text')}, not {value!r}")
        return data

    def steps(self) -> int:
        """How many steps the run's progress counts (Monte Carlo runs, samples); 1 by default."""
        return 1


P = TypeVar("P", bound=Params)
R = TypeVar("R")


@dataclass(frozen=True)
class CliOption:
    """How a parameter appears on the command line: its option name(s) and, for lists, comma-separated."""

    names: tuple[str, ...]
    help: str = ""


@dataclass(frozen=True)
class Execution:
    """How to execute: worker processes, a Dask scheduler, progress, and the further input files the
    command line names (parameters never name files, so the web app reads none)."""

    workers: int | None = None
    dask: str | None = None
    progress: Progress | None = None
    documents: Mapping[str, Path] = field(default_factory=dict)
    """Further input files a command line names (e.g. ``--questions FILE``); the web app names none."""


@dataclass(frozen=True)
class Writer:
    """A file a run can write beside its output (a plot, a probabilities file, the HTML report)."""

    option: CliOption
    write: Callable[[Any, Any, Any, Path], None]
    default: str | None = None
    """The path written when none is given (None: write only when asked)."""
    message: str = ""
    """Said after writing, before the path (``HTML report written to``); empty: nothing is said."""
    check: Callable[[Path], None] | None = None
    """Checks the path before the run starts (e.g. a plot's suffix)."""


@dataclass(frozen=True)
class RunKind(Generic[P, R]):
    """One kind of run: parameters, what it reads, its guard, its engine call and its renderers."""

    name: str
    title: str
    params: type[P]
    reads: frozenset[DocKind]
    run: Callable[[Document, P, Execution], R]
    to_json: Callable[[Document, P, R], Json]
    cost: Callable[[Document, P], list[Cost]] = lambda doc, p: []
    terminal: Callable[[Document, P, R, Console], None] | None = None
    figures: Callable[[Document, P, R], dict[str, str]] | None = None
    headline: Callable[[Json], str] = lambda result: ""
    """One line summing up the result JSON, for lists of runs (:mod:`detente.render.headlines`)."""
    command: tuple[str, ...] = ()
    """Where the CLI puts it (``("conflict", "analyze")``); empty: not on the command line."""
    cli: Mapping[str, CliOption] = field(default_factory=dict)
    """Option names for parameters whose flag is not ``--field-name``."""
    default_document: Callable[[], str] | None = None
    """The file read when the command line names none (e.g. the built-in scenario)."""
    random: tuple[str, ...] = ()
    """Parameters that are seeds: the web app draws one when none is given, and records it."""
    writer: Writer | None = None
    execution: tuple[str, ...] = ()
    """Execution options the kind honours: ``workers`` (local processes), ``dask`` (a scheduler)."""
    load_options: tuple[str, ...] = ()
    """Loader options for forecast data files: ``format`` (force a format), ``issue`` (pick one case)."""
    documents: Mapping[str, CliOption] = field(default_factory=dict)
    """Further input files the command line may name, by key in :attr:`Execution.documents`."""
    exit_status: Callable[[Any], int] | None = None
    """The command line's exit status for a finished run (e.g. 1 when a check fails); default 0."""

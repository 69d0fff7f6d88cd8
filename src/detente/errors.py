"""One error hierarchy for everything detente refuses, each kind mapped once to an exit status and
an HTTP status.

* :class:`InputError` — bad input: every :class:`Problem` names the file, the line and the field;
* :class:`ParameterError` — a run parameter (a command-line option, an API field) that is out of range
  or does not fit the document;
* :class:`WrongDocumentError` — a document of another kind than the command reads (a conflict file
  given to a command that needs a scenario);
* :class:`ModelTooLargeError` — refused up front by the guard, with the estimate and how to shrink;
* :class:`NothingToDoError` — a request there is nothing to answer for (a scenario without
  interventions asked to rank them);
* :class:`ClusterError` — a Dask scheduler that cannot be reached.

The faces translate :class:`DetenteError` in one place each (``detente.cli.common`` and
``detente.web.app``) using :attr:`DetenteError.exit_code` and :attr:`DetenteError.http_status`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what is wrong."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" [{self.field}]" if self.field else ""
        return f"{where}:{field} {self.message}"


class DetenteError(Exception):
    """Base of every error detente reports to a user (never a traceback)."""

    exit_code = 1
    http_status = 422
    kind = "error"

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The problems to show, one per line; by default the message alone."""
        return (Problem("", None, "", str(self)),)

    def lines(self) -> list[str]:
        """The message as lines for a terminal."""
        return [str(self)]


class InputError(DetenteError):
    """Bad user input; carries every problem found so the user can fix them in one go."""

    exit_code = 2
    kind = "input"

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self._problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self._problems))

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self._problems

    def lines(self) -> list[str]:
        return [str(p) for p in self._problems]


class WrongDocumentError(InputError):
    """A document of a kind the command does not read: says what the file is and what is needed."""

    kind = "wrong_document"


class ParameterError(DetenteError):
    """A run parameter that is invalid, or that does not fit the document (``--target 99`` of 4 states)."""

    exit_code = 2
    kind = "parameter"

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self.message = message
        super().__init__(f"invalid value for {name!r}: {message}" if name else message)

    @property
    def problems(self) -> tuple[Problem, ...]:
        return (Problem("", None, self.name, self.message),)


class ModelTooLargeError(DetenteError):
    """A run refused before any work: the estimate exceeds the memory, time or result budget."""

    exit_code = 3
    http_status = 413
    kind = "too_large"

    def lines(self) -> list[str]:
        return [f"model too large: {self}"]


class NothingToDoError(DetenteError):
    """A request there is nothing to answer for (e.g. ranking the interventions of a scenario with none)."""

    exit_code = 1
    kind = "nothing_to_do"


class ClusterError(DetenteError):
    """A Dask scheduler that cannot be reached or fails (the message names the address)."""

    exit_code = 1
    http_status = 503
    kind = "cluster"


class BusyError(DetenteError):
    """A resource another process holds (e.g. a web app's data folder served by another server)."""

    exit_code = 1
    http_status = 409
    kind = "busy"


class InterruptedRun(DetenteError):
    """A run stopped by the user (Ctrl-C); exit status 130 as a shell reports SIGINT."""

    exit_code = 130
    http_status = 499
    kind = "interrupted"

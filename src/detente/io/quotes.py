"""Verify a scenario's quotes verbatim against its source files.

A scenario claims that every ``quote`` in its evidence is the source's own words. :func:`check_quotes`
tests that claim character for character (no folding of whitespace, case or quote marks: a quote that
differs by a curly apostrophe is not the source's wording) against the file named by the entry's
``source``, read as UTF-8 from a sources folder: the one given, else the folder of the scenario file,
else a ``sources`` or ``seeds`` folder beside it. A quote whose source file is not found there is
*missing*, not verified.

:func:`verify_quotes` gives the failures as input problems; this module also gives
every quote's status, for ``detente check`` and for marking unverified quotes in the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from detente.errors import Problem
from detente.io.scenario import Scenario, evidence_entries
from detente.io.yamlio import format_loc

QuoteStatus = Literal["verified", "unverified", "missing"]
"""``verified``: an exact substring of its source file; ``unverified``: the file is there and the quote
is not in it; ``missing``: the source file was not found."""

SOURCE_FOLDERS = (".", "sources", "seeds")
"""Where sources are looked for beside a scenario file, in order."""


@dataclass(frozen=True)
class QuoteCheck:
    """One quote of a scenario and what verifying it found."""

    field: str  # where the evidence entry is in the scenario, e.g. ``actors[0].evidence[1]``
    line: int | None
    quote: str
    source: str
    status: QuoteStatus
    path: str = ""  # the file it was checked against ("" when missing)

    @property
    def ok(self) -> bool:
        return self.status == "verified"


def find_sources_dir(scenario: Scenario, sources_dir: str | Path | None = None) -> Path | None:
    """The sources folder: ``sources_dir`` when given, else the first folder beside the scenario file
    (:data:`SOURCE_FOLDERS`) that holds at least one of the files ``meta.sources`` lists; None if none."""
    if sources_dir is not None:
        return Path(sources_dir)
    file = Path(scenario.lines.file)
    names = [s.file for s in scenario.spec.meta.sources]
    for sub in SOURCE_FOLDERS:
        folder = (file.parent / sub).resolve()
        if folder.is_dir() and any((folder / n).is_file() for n in names):
            return folder
    return None


def check_quotes(scenario: Scenario, sources_dir: str | Path | None = None) -> list[QuoteCheck]:
    """Every quote of the scenario (interventions' evidence included) with its status, in file order.

    With no sources folder found, every quote is ``missing``.
    """
    folder = find_sources_dir(scenario, sources_dir)
    texts: dict[str, tuple[str, str] | None] = {}
    out: list[QuoteCheck] = []
    for loc, entry in evidence_entries(scenario.data):
        quote, source = entry.get("quote"), entry.get("source")
        if not quote or not isinstance(source, str):
            continue
        if source not in texts:
            path = folder / source if folder is not None else None
            texts[source] = (
                (str(path), path.read_text(encoding="utf-8-sig"))
                if path is not None and path.is_file()
                else None
            )
        found = texts[source]
        if found is None:
            status: QuoteStatus = "missing"
            where = ""
        else:
            where = found[0]
            status = "verified" if str(quote) in found[1] else "unverified"
        out.append(QuoteCheck(format_loc(loc), scenario.lines.line(loc), str(quote), source, status, where))
    return out


def failed(checks: Iterable[QuoteCheck]) -> list[QuoteCheck]:
    """The checks that did not verify (unverified or missing)."""
    return [c for c in checks if not c.ok]


def unverified_quotes(checks: Iterable[QuoteCheck]) -> Mapping[tuple[str, str], QuoteStatus]:
    """(source, quote) -> status for every quote that did not verify, to mark them in a report."""
    return {(c.source, c.quote): c.status for c in checks if not c.ok}


def verify_quotes(scenario: Scenario, sources_dir: str | Path) -> list[Problem]:
    """Quotes that are not exact substrings of their source file in ``sources_dir``, as problems.

    The check is character for character (no whitespace or quote-mark folding): a scenario claims
    its quotes are the source's own words.
    """
    file = scenario.lines.file
    return [
        Problem(file, c.line, f"{c.field}.source", f"source file {c.source!r} not found")
        if c.status == "missing"
        else Problem(file, c.line, f"{c.field}.quote", f"quote is not an exact substring of {c.source}")
        for c in check_quotes(scenario, sources_dir)
        if not c.ok
    ]

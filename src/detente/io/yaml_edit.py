"""Edit YAML text in place: set single values at patch paths, keeping every other line as it was.

A form edit is a list of ``(path, value)`` pairs, each path in the syntax of :mod:`detente.io.patch`
(``a.b[0].c``, ``[-1]``, ``[name=US]``). :func:`set_values` loads the text with ruamel.yaml's
round-trip loader, which keeps comments, key order, quoting, block scalars and blank lines, sets each
value where it stands, and dumps the text again (ruamel.yaml, https://yaml.dev/doc/ruamel.yaml/,
round-trip mode). The few things ruamel.yaml writes its own way away from the edits (``---``, an
indentation other than the document's most common one) are then put back line for line, so the
result differs from the input only on the lines of the edited values.

Safety: the text is first parsed by the hardened loader (:func:`detente.io.yamlio.parse_yaml`: no
aliases, no tags but the plain ones, limited depth), so ruamel.yaml only ever sees plain YAML, and it
is used in its round-trip mode, which builds mappings, lists and scalars and no other objects. The
result is parsed again by the hardened loader and must equal the plain data-level patch
(:func:`detente.io.patch.apply_intervention`) of the parsed input: ruamel.yaml reads YAML 1.2, the
project's loader YAML 1.1, and a value that would read back differently is refused, never saved.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import io
import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from detente.errors import InputError, Problem
from detente.io.patch import Change, PatchError, apply_intervention, locate
from detente.io.yamlio import LineMap, Loc, lone_surrogate, parse_yaml, shown

Scalar = str | int | float
Edit = tuple[str, Scalar]

WIDTH = 1_000_000
"""Line width given to the emitter: never wrap a line the input did not wrap."""

_COMMENT = re.compile(r"\s+#.*$")


def _opener(line: str) -> int | None:
    """The column of the key if ``line`` opens a block (``key:`` with nothing after it), else None."""
    column = len(line) - len(line.lstrip(" "))
    rest = line[column:]
    while rest.startswith("- "):
        stripped = rest[1:].lstrip(" ")
        column += len(rest) - len(stripped)
        rest = stripped
    rest = _COMMENT.sub("", rest)
    if not rest.endswith(":") or rest[0] in "{[#'\"" or ": " in rest:
        return None
    return column


def indents(text: str) -> tuple[int, int, int]:
    """The block indentation of ``text``, as ruamel.yaml's ``(mapping, sequence, offset)``.

    ``mapping``: columns a nested mapping is indented by; ``offset``: columns from a key to the dash
    of the list under it; ``sequence``: from the key to the content of a list item (past the dash and
    the spaces after it). Each is the most common value in the text (ruamel.yaml takes one setting per
    document); the project's own files use ``(2, 4, 2)``.
    """
    counts: dict[str, Counter[int]] = {"mapping": Counter(), "sequence": Counter(), "offset": Counter()}
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for here, after in itertools.pairwise(lines):
        column = _opener(here)
        if column is None:
            continue
        indent = len(after) - len(after.lstrip(" "))
        if after[indent:].startswith("- "):
            spaces = len(after[indent + 1 :]) - len(after[indent + 1 :].lstrip(" "))
            if indent >= column:
                counts["offset"][indent - column] += 1
                counts["sequence"][indent - column + 1 + spaces] += 1
        elif indent > column:
            counts["mapping"][indent - column] += 1

    def most(name: str, default: int) -> int:
        found = counts[name].most_common(1)
        return found[0][0] if found else default

    offset = most("offset", 2)
    return most("mapping", 2), max(most("sequence", offset + 2), offset + 2), offset


def set_values(text: str, edits: Sequence[Edit], file: str = "<form>") -> str:
    """``text`` with the value at each path set to its new value, every other line left as it was.

    Each path must name an existing text or number (a form edits values, it does not add keys or
    replace lists); a number stays a whole number when the old one was and the new one is whole;
    text keeps its old quoting (plain, '…', "…", a folded ``>`` or literal ``|`` block) unless the new
    text needs quotes to read back as the same text. A path that does not exist, a value of another
    kind than the one it replaces, or text that cannot be written is an :class:`InputError` naming the
    path; nothing is changed then.
    """
    data, lines = parse_yaml(text, file)
    resolved: list[tuple[Loc, str, Scalar]] = []
    for path, value in edits:
        loc, old = _resolve(data, path, lines)
        _check_kind(old, value, path, loc, lines)
        resolved.append((loc, path, _plain(value, old)))
    if not resolved:
        return text

    yaml = _round_trip(text)
    tree = yaml.load(text)
    spans = _spans(tree, [loc for loc, _, _ in resolved], len(text.splitlines()))
    for loc, _, value in resolved:
        parent = tree
        for step in loc[:-1]:
            parent = parent[step]
        parent[loc[-1]] = _styled(parent[loc[-1]], value)
    out = io.StringIO()
    yaml.dump(tree, out)
    dumped = out.getvalue()
    if text.split("\n", 1)[0].endswith("\r"):  # Windows line ends, as the input has them
        dumped = dumped.replace("\n", "\r\n")

    wanted = apply_intervention(data, [Change(set=path, value=value) for _, path, value in resolved])
    # The input's own lines put back where ruamel.yaml wrote them otherwise: run by run of changed
    # lines, or, when a run reaches beyond the edits, value by value (by ruamel.yaml's positions).
    spliced, wide = _splice(text, dumped, spans)
    candidates = [spliced] if spliced != dumped else []
    if wide:
        locs = [loc for loc, _, _ in resolved]
        exact = _exact(text, dumped, spans, _spans(yaml.load(dumped), locs, len(dumped.splitlines())))
        candidates[:0] = [exact] if exact is not None else []
    for candidate in candidates:
        with contextlib.suppress(InputError):
            if parse_yaml(candidate, file)[0] == wanted:
                return candidate
    got, _ = parse_yaml(dumped, file)
    if got == wanted:
        return dumped
    # Never seen: a guard against saving text that reads back differently.
    wrong = [e for e in resolved if _at(got, e[0]) != e[2]]
    loc, path, value = (wrong or resolved)[0]
    what = f"{shown(value)} cannot be written in place here" if wrong else "other values would change"
    raise InputError([Problem(file, lines.line(loc), path, f"{what}; edit the YAML text instead")])


def _spans(tree: Any, locs: Sequence[Loc], n_lines: int) -> list[tuple[int, int]]:
    """The lines (first, last; from 0) of each value at ``locs`` in the text ``tree`` was loaded from:
    from the line of its key (or list item) to the line before whatever comes next in the document
    (ruamel.yaml's recorded positions, ``lc``)."""
    out: list[tuple[int, int]] = []
    for loc in locs:
        try:
            first = _line(_at(tree, loc[:-1]), loc[-1])
        except (AttributeError, KeyError, IndexError, TypeError):  # no position recorded: keep it all
            out.append((0, n_lines - 1))
            continue
        last = n_lines - 1
        for depth in range(len(loc) - 1, -1, -1):
            parent = _at(tree, loc[:depth])
            steps = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
            after = steps.index(loc[depth]) + 1
            if after < len(steps):
                with contextlib.suppress(AttributeError, KeyError, IndexError, TypeError):
                    last = max(first, _line(parent, steps[after]) - 1)
                break
        out.append((first, last))
    return out


def _line(parent: Any, step: str | int) -> int:
    line: int = (parent.lc.key(step) if isinstance(step, str) else parent.lc.item(step))[0]
    return line


def _splice(text: str, dumped: str, spans: Sequence[tuple[int, int]]) -> tuple[str, bool]:
    """``dumped`` with every run of changed lines outside ``spans`` put back as it was in ``text``,
    and whether a run kept for an edit reaches beyond the edited lines.

    ruamel.yaml writes a few things its own way (``---`` and ``...`` dropped, one indentation for the
    whole document, a plain scalar over several lines joined into one); those lines are the input's
    again, so only the edited values' lines differ. The caller checks that the result still reads as
    intended and falls back to ``dumped`` otherwise."""
    old, new = text.splitlines(keepends=True), dumped.splitlines(keepends=True)
    out: list[str] = []
    wide = False
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        hits = [(f, last) for f, last in spans if i1 <= last + (i1 == i2) and max(i2, i1 + 1) > f]
        if tag != "equal" and hits:
            wide = wide or i1 < min(f for f, _ in hits) or i2 > max(last for _, last in hits) + 1
        out.extend(new[j1:j2] if tag == "equal" or hits else old[i1:i2])
    return "".join(out), wide


def _exact(
    text: str, dumped: str, old: Sequence[tuple[int, int]], new: Sequence[tuple[int, int]]
) -> str | None:
    """``text`` with the lines of each edited value (``old`` spans) replaced by its lines in ``dumped``
    (``new`` spans), or None when two edited values share lines."""
    pairs = sorted(zip(old, new, strict=True))
    if any(a[0][1] >= b[0][0] or a[1][1] >= b[1][0] for a, b in itertools.pairwise(pairs)):
        return None
    before, after = text.splitlines(keepends=True), dumped.splitlines(keepends=True)
    out: list[str] = []
    at = 0
    for (first, last), (start, end) in pairs:
        out.extend(before[at:first])
        out.extend(after[start : end + 1])
        at = last + 1
    out.extend(before[at:])
    return "".join(out)


def _round_trip(text: str) -> Any:
    """ruamel.yaml in round-trip mode, set up to write ``text`` back as it stands."""
    from ruamel.yaml import YAML  # lazily: the command line does not need it

    yaml = YAML(typ="rt", pure=True)
    yaml.Representer = _representer()
    yaml.preserve_quotes = True
    yaml.width = WIDTH
    mapping, sequence, offset = indents(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


@functools.cache
def _representer() -> type:
    """ruamel.yaml's round-trip representer, writing new floats as YAML 1.1 reads them back."""
    from ruamel.yaml.representer import RoundTripRepresenter

    class Representer(RoundTripRepresenter):
        pass

    Representer.add_representer(float, _represent_float)
    return Representer


# -- paths --------------------------------------------------------------------------------------
def _resolve(data: Any, path: str, lines: LineMap) -> tuple[Loc, Any]:
    """The concrete location (keys and non-negative indices) of ``path`` in ``data``, and its value
    (:func:`detente.io.patch.locate`); a path that does not resolve is an InputError at the line of
    as far as it got."""
    try:
        return locate(data, path)
    except PatchError as exc:
        line = None if exc.loc is None else lines.line(exc.loc)
        raise InputError([Problem(lines.file, line, path, exc.reason)]) from None


def _at(data: Any, loc: Loc) -> Any:
    for step in loc:
        data = data[step]
    return data


# -- values -------------------------------------------------------------------------------------
def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_kind(old: Any, value: Scalar, path: str, loc: Loc, lines: LineMap) -> None:
    def refuse(message: str) -> None:
        raise InputError([Problem(lines.file, lines.line(loc), path, message)])

    if isinstance(old, dict | list):
        refuse(f"holds {'a mapping' if isinstance(old, dict) else 'a list'}; only a text or a number is set")
    if isinstance(old, str) and not isinstance(value, str):
        refuse(f"holds text; got the number {value}")
    if _is_number(old) and not _is_number(value):
        refuse(f"holds a number; got the text {shown(value)}")
    if not isinstance(old, str) and not _is_number(old):
        what = "null" if old is None else "true or false" if isinstance(old, bool) else "a date"
        refuse(f"holds {what}; a form sets only text and numbers")
    if isinstance(value, float) and not math.isfinite(value):
        refuse(f"{value} is not a finite number")
    if isinstance(value, str):
        bad = lone_surrogate(value)
        if bad is not None:
            refuse(bad)


def _plain(value: Scalar, old: Any) -> Scalar:
    """The value as it is written: a whole float where a whole number stood becomes an int."""
    if isinstance(value, float) and value.is_integer() and isinstance(old, int) and abs(value) < 2**63:
        return int(value)
    return value


_BREAKS = set("\n\r\x85\u2028\u2029")


def _styled(old: Any, value: Scalar) -> Any:
    """``value`` in the style of the scalar it replaces (ruamel.yaml's scalar string classes)."""
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        FoldedScalarString,
        LiteralScalarString,
        SingleQuotedScalarString,
    )

    if not isinstance(value, str):
        return value
    if isinstance(old, LiteralScalarString):
        return LiteralScalarString(value)
    if isinstance(old, FoldedScalarString):
        folded = FoldedScalarString(value)
        folded.fold_pos = _fold_positions(value, old)
        return folded
    awkward = any(not (c == " " or c.isprintable()) for c in value)
    if isinstance(old, DoubleQuotedScalarString) or awkward:
        return DoubleQuotedScalarString(value)
    if isinstance(old, SingleQuotedScalarString) or _reads_as_other(value):
        return SingleQuotedScalarString(value)
    return value


def _reads_as_other(text: str) -> bool:
    """Whether ``text`` written plain reads back as something other than text under YAML 1.1 (PyYAML's
    rules, which the project's loader follows: ``yes``, ``on``, ``1_000``, ...)."""
    import yaml

    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag != "tag:yaml.org,2002:str")


def _fold_positions(text: str, old: Any) -> list[int]:
    """Where to fold ``text`` (indices of single spaces), filling lines as long as the old text's
    longest folded line, so a small change to a folded paragraph moves few of its line breaks."""
    old_text = str(old)
    cuts = [p for p in getattr(old, "fold_pos", []) if 0 < p < len(old_text)]
    bounds = [0, *cuts, len(old_text)]
    longest = max((b - a for a, b in itertools.pairwise(bounds)), default=0)
    limit = max(longest, 20)
    out: list[int] = []
    start = 0
    last_space = -1
    for i, c in enumerate(text):
        if c in _BREAKS:
            start, last_space = i + 1, -1
            continue
        single = c == " " and 0 < i < len(text) - 1 and text[i - 1] != " " and text[i + 1] not in " \n"
        if i - start > limit and last_space > start:
            out.append(last_space)
            start = last_space + 1
        if single:
            last_space = i
    return out


def _represent_float(representer: Any, value: float) -> Any:
    """A new float as YAML 1.1 reads it back (``1.0e-05``, not ``1e-05``, which YAML 1.1 reads as text)."""
    text = repr(value).lower()
    if "e" in text and "." not in text:
        text = text.replace("e", ".0e", 1)
    return representer.represent_scalar("tag:yaml.org,2002:float", text)

"""A seeded mutation fuzzer for detente's input files: what a hostile or careless user might save.

:func:`mutate` takes the bytes of a valid file and a ``random.Random`` and returns mutated bytes and
a description of what was done. Mutations are of four kinds:

* *structural* (YAML and JSON): the document is parsed, a value deep inside is replaced by a value of
  another type or an extreme one (``1e308``, ``5e-324``, ``-1``, a 200,000-character string, a lone
  surrogate, an impossible date), a key is deleted, renamed (with a zero-width space) or a list item
  duplicated, and the data is written back;
* *cells* (CSV, TSV, exchange, XML text): one cell or element text is replaced in the same way;
* *text*: a token replaced by an explicit YAML tag with a bad value (``!!float abc``, ``!!int 1e400``,
  ``!!int 0b2``, ``!!bool maybe``), lines deleted, duplicated or swapped, the file truncated, odd
  characters inserted (NUL, zero-width space, byte-order mark, quotes, brackets);
* *whole file*: empty, UTF-16 or UTF-32 encoded, Latin-1, not UTF-8 at all, nested thousands deep, an
  XML entity bomb, one field of 200,000 characters.

Everything is derived from the ``Random`` passed in, so a case is reproduced from its seed.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from typing import Any

import yaml

EXTREME_NUMBERS = (
    "0",
    "-1",
    "-0.5",
    "1.5",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "5e-324",
    "1e400",
    "1e15",
    "1000000000000001",
    "99999999999999999999999999",
    "nan",
    "inf",
    "-inf",
    "abc",
    "",
    "2019-02-30",
)
"""Replacements for a number in a text or table file."""

BAD_SCALARS = (
    "!!float abc",
    "!!int 1e400",
    "!!int 0b2",
    "!!bool maybe",
    "!!binary xyz",
    "!!set {a, b}",
    "!!timestamp never",
    "!!python/name:os.system",
    "2019-02-30",
    "2019-13-01",
    '"PD\\ud800"',
    '"x\\udfff"',
    ".nan",
    ".inf",
    "-.inf",
    "1.0e+400",
    "1" + "0" * 5000,
    "0x" + "f" * 40,
    "~",
    "[]",
    "{}",
    '""',
    "*undefined",
    "&anchor value",
    "'unterminated",
    "[1, 2",
    "key: value: other",
)
"""Replacements for a scalar in YAML text: explicit tags with bad values, impossible dates, lone
surrogates, numbers out of range, YAML syntax errors."""

ODD_CHARACTERS = (
    "\x00",
    "\u200b",
    "\ufeff",
    "\t",
    "\r",
    ":",
    "-",
    '"',
    "'",
    "[",
    "{",
    "#",
    "\\",
    "&",
    "<",
    ",",
    "\u00e9",
    "\U0001f600",
    "\x1f",
    "\u2028",
)

LONG = "x" * 200_000

XML_BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    ' <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    ' <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">\n'
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n'
    ' <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">\n'
    ' <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">\n'
    "]>\n<Scenario><name>&lol5;</name></Scenario>\n"
)


def _structured_value(rng: random.Random, data: Any) -> tuple[Any, str]:
    """A replacement value for a structural mutation, and its description."""
    choices: list[tuple[Any, str]] = [
        (None, "null"),
        (0, "0"),
        (-1, "-1"),
        (1e308, "1e308"),
        (-1e308, "-1e308"),
        (5e-324, "5e-324"),
        (1e15 + 2, "1e15+2"),
        (10**30, "10**30"),
        (1.5, "1.5"),
        ("", "empty string"),
        ("x", "'x'"),
        (LONG, "200,000-character string"),
        ("PD\ud800", "lone surrogate"),
        ("name\u200b", "zero-width space"),
        ("2019-02-30", "impossible date string"),
        ([], "empty list"),
        ({}, "empty mapping"),
        (True, "true"),
        ([[[[1]]]], "nested lists"),
        ({"value": 5, "low": 10, "high": 0}, "inverted range"),
    ]
    value, what = rng.choice(choices)
    if rng.random() < 0.25:
        leaves = list(_paths(data))
        if leaves:
            path = rng.choice(leaves)
            return _get(data, path), f"copy of {_show_path(path)}"
    return value, what


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*path, key))
    elif isinstance(data, list):
        for k, value in enumerate(data):
            out += _paths(value, (*path, k))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _show_path(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path) or "(root)"


def mutate_structure(rng: random.Random, data: Any) -> tuple[Any, str]:
    """One structural mutation of parsed data (changed in place where possible); (data, description)."""
    paths = [p for p in _paths(data) if p]
    if not paths:
        value, what = _structured_value(rng, data)
        return value, f"replace the whole document by {what}"
    path = rng.choice(paths)
    parent = _get(data, path[:-1])
    last = path[-1]
    where = _show_path(path)
    op = rng.random()
    if op < 0.55:
        value, what = _structured_value(rng, data)
        parent[last] = value
        return data, f"set {where} to {what}"
    if op < 0.7:
        del parent[last]
        return data, f"delete {where}"
    if op < 0.8 and isinstance(parent, dict):
        new = rng.choice([f"{last}\u200b", f"{last}s", str(last).upper(), f"{last}_x"])
        parent[new] = parent.pop(last)
        return data, f"rename key {where} to {new!r}"
    if op < 0.9 and isinstance(parent, list):
        parent.insert(int(last), parent[int(last)])
        return data, f"duplicate list item {where}"
    if isinstance(parent, list):
        parent.clear()
        return data, f"empty the list holding {where}"
    value = parent[last]
    parent[last] = [value, value] if not isinstance(value, list) else value * 50
    return data, f"repeat {where}"


def _text_token(
    rng: random.Random, text: str, pattern: str, replacements: tuple[str, ...]
) -> tuple[str, str]:
    spots = list(re.finditer(pattern, text))
    if not spots:
        return text, "no token to replace"
    spot = rng.choice(spots)
    new = rng.choice(replacements)
    shown = new if len(new) <= 40 else f"{new[:20]}... ({len(new)} chars)"
    return text[: spot.start()] + new + text[spot.end() :], f"replace {spot.group()[:30]!r} by {shown!r}"


def mutate_text(rng: random.Random, text: str, kind: str) -> tuple[str, str]:
    """One textual mutation; (text, description)."""
    lines = text.splitlines(keepends=True)
    op = rng.randrange(9)
    if op == 0 and kind in ("yaml", "json"):
        return _text_token(rng, text, r"(?<=: )[^\s#][^\n#]*", BAD_SCALARS)
    if op == 1:
        return _text_token(rng, text, r"-?\d+(\.\d+)?([eE][-+]?\d+)?", EXTREME_NUMBERS)
    if op == 2 and lines:
        k = rng.randrange(len(lines))
        return "".join(lines[:k] + lines[k + 1 :]), f"delete line {k + 1}"
    if op == 3 and lines:
        k = rng.randrange(len(lines))
        return "".join(lines[: k + 1] + lines[k:]), f"duplicate line {k + 1}"
    if op == 4 and len(lines) > 1:
        a, b = rng.sample(range(len(lines)), 2)
        lines[a], lines[b] = lines[b], lines[a]
        return "".join(lines), f"swap lines {a + 1} and {b + 1}"
    if op == 5 and text:
        at = rng.randrange(len(text))
        return text[:at], f"truncate at character {at}"
    if op == 6 and text:
        at = rng.randrange(len(text) + 1)
        char = rng.choice(ODD_CHARACTERS)
        return text[:at] + char + text[at:], f"insert {char!r} at character {at}"
    if op == 7 and kind == "yaml":
        return _text_token(rng, text, r"(?m)^(\s*-?\s*)(\w+)(?=:)", ("name\u200b", "na me", "'a': 1\n  a"))
    spots = list(re.finditer(r"[A-Za-z]{3,}", text))
    if not spots:
        return text + LONG, "append a long run"
    spot = rng.choice(spots)
    return text[: spot.start()] + LONG + text[
        spot.end() :
    ], f"make {spot.group()[:20]!r} 200,000 characters long"


def mutate_cells(rng: random.Random, text: str, delimiter: str) -> tuple[str, str]:
    """Replace one cell of a delimited table with an extreme value; (text, description)."""
    lines = text.splitlines(keepends=True)
    rows = [k for k, line in enumerate(lines) if line.strip()]
    if not rows:
        return text, "no cell"
    k = rng.choice(rows)
    ending = lines[k][len(lines[k].rstrip("\r\n")) :]
    cells = lines[k].rstrip("\r\n").split(delimiter)
    c = rng.randrange(len(cells))
    new = rng.choice((*EXTREME_NUMBERS, LONG, f'"a{delimiter}b"', '"', "\u200b", "A"))
    old = cells[c]
    cells[c] = new
    lines[k] = delimiter.join(cells) + ending
    shown = new if len(new) <= 40 else f"{new[:10]}... ({len(new)} chars)"
    return "".join(lines), f"line {k + 1} cell {c + 1}: {old[:20]!r} -> {shown!r}"


def mutate_xml(rng: random.Random, text: str) -> tuple[str, str]:
    """Replace the text of one XML element; (text, description)."""
    spots = list(re.finditer(r">([^<>]+)<", text))
    if not spots:
        return text, "no element text"
    spot = rng.choice(spots)
    new = rng.choice((*EXTREME_NUMBERS, LONG, "&undefined;", "&amp;", "]]>"))
    shown = new if len(new) <= 40 else f"{new[:10]}... ({len(new)} chars)"
    return (
        text[: spot.start(1)] + new + text[spot.end(1) :],
        f"element text {spot.group(1)[:20]!r} -> {shown!r}",
    )


def _whole_file(rng: random.Random, text: str, kind: str) -> tuple[bytes, str]:
    op = rng.randrange(8)
    if op == 0:
        return b"", "empty file"
    if op == 1:
        return text.encode("utf-16"), "UTF-16 with byte-order mark"
    if op == 2:
        return text.encode("utf-32"), "UTF-32 with byte-order mark"
    if op == 3:
        return text.encode("utf-16-le"), "UTF-16 without byte-order mark"
    if op == 4:
        return text.encode("latin-1", errors="replace") + b"\xe9\xff", "Latin-1 bytes"
    if op == 5:
        if kind == "xml":
            return XML_BOMB.encode(), "XML entity bomb"
        depth = rng.choice((150, 5000))
        return ("[" * depth + "]" * depth).encode(), f"nested {depth} deep"
    if op == 6:
        return ("\ufeff" + text).encode("utf-8") + "\ud800".encode(
            "utf-8", "surrogatepass"
        ), "encoded surrogate"
    return b"# only a comment\n", "only a comment"


def _dump(data: Any, kind: str) -> str:
    """Data written back (JSON with ``\\u`` escapes, so a lone surrogate is written as a user might)."""
    if kind == "json":
        return json.dumps(data, indent=1)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def mutate(rng: random.Random, raw: bytes, kind: str) -> tuple[bytes, str]:
    """1-3 mutations of a file of ``kind`` (yaml, json, csv, tsv, exchange, xml); (bytes, description)."""
    text = raw.decode("utf-8-sig")
    if rng.random() < 0.08:
        return _whole_file(rng, text, kind)
    done: list[str] = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        r = rng.random()
        if kind in ("yaml", "json") and r < 0.5:
            try:
                data = json.loads(text) if kind == "json" else yaml.safe_load(text)
                data, what = mutate_structure(rng, data)
                text = _dump(data, kind)
            except Exception as exc:  # PyYAML itself crashes on some tagged values (!!timestamp never)
                what = f"(structural mutation skipped: {type(exc).__name__})"
        elif kind in ("csv", "tsv", "exchange") and r < 0.6:
            text, what = mutate_cells(rng, text, "," if kind == "csv" else "\t")
        elif kind == "xml" and r < 0.6:
            text, what = mutate_xml(rng, text)
        else:
            text, what = mutate_text(rng, text, kind)
        done.append(what)
    return text.encode("utf-8", errors="surrogatepass"), "; ".join(done)


Mutator = Callable[[random.Random, bytes, str], tuple[bytes, str]]

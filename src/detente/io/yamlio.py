"""Safe YAML loading that remembers where each value sits, and atomic file writing.

Every loader in detente reports problems as ``file:line: [field] message``. The line comes from
the YAML node tree, which PyYAML's safe composer gives us alongside the plain data.
"""

from __future__ import annotations

import codecs
import contextlib
import glob
import math
import os
import re
import secrets
import time
import types
import typing
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from detente.errors import InputError, Problem

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class LineMap:
    """Maps a path into a YAML document (keys and list indices) to its 1-based line number."""

    file: str
    lines: Mapping[Loc, int] = field(default_factory=dict)

    def line(self, loc: Sequence[str | int]) -> int | None:
        """The line of ``loc``, or of its nearest ancestor that the document spells out."""
        path = tuple(loc)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def problem(self, loc: Sequence[str | int], message: str) -> Problem:
        return Problem(self.file, self.line(loc), format_loc(loc), message)

    def error(self, loc: Sequence[str | int], message: str) -> InputError:
        return InputError([self.problem(loc, message)])


def format_loc(loc: Sequence[str | int]) -> str:
    """``('decision_makers', 0, 'name')`` -> ``decision_makers[0].name`` (invisible characters shown
    as ``<U+200B>``, so a key that looks right on screen but is not can be seen for what it is)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = visible(str(part))
            out += f".{text}" if out else text
    return out


def visible(text: str) -> str:
    """``text`` with every character a reader cannot see (format and control characters, unusual
    spaces, lone surrogates) written as ``<U+XXXX>``; an ordinary space stays a space."""
    return "".join(c if c == " " or c.isprintable() else f"<U+{ord(c):04X}>" for c in text)


def invisible_characters(text: str) -> list[str]:
    """Names of the characters of ``text`` a reader cannot see, e.g. ``U+200B ZERO WIDTH SPACE``."""
    found = dict.fromkeys(c for c in text if c != " " and not c.isprintable())
    return [f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')}" for c in found]


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to about ``limit`` characters for a message, saying how long it really is."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 10]}… ({len(text):,} characters)"


def shown(value: object, limit: int = 60) -> str:
    """A value as a message quotes it: its ``repr``, cut to about ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 10]}… ({len(text):,} characters)"


MAX_DEPTH = 100
"""Deepest nesting of lists and mappings accepted in a YAML or JSON file (real files use under 20)."""

MAX_INT = 2**63 - 1
"""Largest whole number accepted in a YAML file (beyond it a number cannot be stored exactly)."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_PLAIN_SCALAR_TAGS = {
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "a date (YYYY-MM-DD)",
}
_COLLECTION_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def lone_surrogate(text: str) -> str | None:
    """What is wrong with ``text`` if it holds a lone surrogate (``"\\ud800"`` in YAML or JSON), else None."""
    found = _SURROGATE.search(text)
    if found is None:
        return None
    return (
        f"text holds a lone surrogate U+{ord(found.group()):04X} (half of a UTF-16 pair), which is not a "
        "character; remove the escape sequence"
    )


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            child = (*loc, key)
            _walk(value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*loc, index), lines)


class _Refused(yaml.MarkedYAMLError):
    """Well-formed YAML that detente does not accept (a tag, a date, a number, an alias, ...)."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(None, None, message, mark)


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, stricter: no aliases (a few bytes of nested aliases can expand to
    gigabytes), no duplicate mapping keys (the later one would silently win), no nesting deeper than
    :data:`MAX_DEPTH`, no lone surrogates in text, explicit tags only for plain values and checked
    against their value (``!!int 0b2`` is an error, not a crash), dates checked as dates, and numbers
    finite and in range (``.inf``, ``.nan``, ``1.0e+999`` are refused)."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._refuse(
                event.start_mark, f"aliases (*{event.anchor}) are not supported; write the value out"
            )
        tag = getattr(event, "tag", None)
        if isinstance(event, yaml.ScalarEvent):
            bad = lone_surrogate(event.value)
            if bad is not None:
                self._refuse(event.start_mark, bad)
            if tag is not None and tag != "!":
                self._check_tag(tag, event)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            if tag is not None and tag != "!" and tag not in _COLLECTION_TAGS:
                self._refuse(event.start_mark, f"the tag {_tag_name(tag)} is not supported; remove it")
            if self.depth >= MAX_DEPTH:
                self._refuse(event.start_mark, f"nested too deeply (more than {MAX_DEPTH} levels)")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _check_tag(self, tag: str, event: yaml.ScalarEvent) -> None:
        """An explicit tag on a plain value: only the standard ones, and the value must be of its kind."""
        what = _PLAIN_SCALAR_TAGS.get(tag)
        if what is None:
            self._refuse(event.start_mark, f"the tag {_tag_name(tag)} is not supported; remove it")
        if tag == "tag:yaml.org,2002:str":
            return
        implied = self.resolve(yaml.ScalarNode, event.value, (True, False))  # type: ignore[no-untyped-call]
        fits = implied == tag or (tag.endswith(":float") and implied.endswith(":int"))
        if not fits:
            self._refuse(
                event.start_mark, f"{_tag_name(tag)} {shown(event.value)}: expected {what} after this tag"
            )

    @staticmethod
    def _refuse(mark: Any, message: str) -> NoReturn:
        raise _Refused(message, mark)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                continue  # an unhashable key is reported by the base class
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {shown(key)}", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            value = super().construct_yaml_int(node)
        except ValueError as exc:  # more digits than Python converts
            raise _Refused(f"whole number {shown(node.value)} has too many digits", node.start_mark) from exc
        if abs(value) > MAX_INT:
            raise _Refused(
                f"whole number {shown(node.value)} is too large (at most {MAX_INT:.3g})", node.start_mark
            )
        return value

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise _Refused(f"{shown(node.value)} is not a finite number", node.start_mark)
        return value

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError, AttributeError, TypeError) as exc:
            raise _Refused(f"{shown(node.value)} is not a valid date ({exc})", node.start_mark) from exc


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


class _Dumper(yaml.SafeDumper):
    """Writes every value out in full: no anchors or aliases, which :func:`parse_yaml` refuses."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any, width: int = 100) -> str:
    """YAML text of plain data, keys in their given order, readable again by :func:`parse_yaml`."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=width)


def parse_yaml(text: str, file: str) -> tuple[Any, LineMap]:
    """Parse YAML text safely, once; return the data and its line map, or raise InputError."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # the reader already refuses control characters
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.reader.ReaderError as exc:
        where = text.count("\n", 0, exc.position) + 1
        bad = f"character #x{exc.character:04x} is not allowed in YAML"
        raise InputError([Problem(file, where, "", f"malformed YAML: {bad}")]) from exc
    except _Refused as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError([Problem(file, line, "", str(exc.problem))]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark is not None and (mark is None or context_mark.line != mark.line):
            reason = f"{reason} ({context} on line {context_mark.line + 1})"
        raise InputError([Problem(file, line, "", f"malformed YAML: {reason}")]) from exc
    except RecursionError as exc:
        raise InputError([Problem(file, None, "", "malformed YAML: nested too deeply")]) from exc
    finally:
        if loader is not None:
            loader.dispose()
    lines: dict[Loc, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, LineMap(file, lines)


_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def decode_text(raw: bytes, file: str) -> str:
    """UTF-8 bytes as text (a leading byte-order mark dropped); a UTF-16 or UTF-32 file, or bytes that
    are not UTF-8, are an InputError that says so (with the line of the first bad byte)."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise InputError([Problem(file, None, "", f"the file is {name} encoded; save it as UTF-8")])
    head = raw[:4096]
    if head.count(b"\x00") * 4 >= len(head) > 0:
        raise InputError(
            [
                Problem(
                    file,
                    None,
                    "",
                    "the file looks UTF-16 or UTF-32 encoded (it is full of zero bytes); save it as UTF-8",
                )
            ]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start]
        message = f"not UTF-8 text (byte 0x{byte:02x} cannot start or continue a character); save it as UTF-8"
        raise InputError([Problem(file, line, "", message)]) from exc


def read_text(path: str | Path) -> str:
    """A UTF-8 text file (a leading byte-order mark dropped); missing, unreadable or not UTF-8 (say,
    UTF-16) is an InputError."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError([Problem(str(path), None, "", f"cannot read file: {reason}")]) from exc
    return decode_text(raw, str(path))


class Collector:
    """Problems found while compiling a document, each named by its place (under ``prefix``) in ``lines``."""

    def __init__(self, lines: LineMap, prefix: Loc = ()) -> None:
        self.lines = lines
        self.prefix = prefix
        self.problems: list[Problem] = []

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append(self.lines.problem((*self.prefix, *loc), message))

    def raise_if_any(self) -> None:
        """An InputError with every problem found, if there is any."""
        if self.problems:
            raise InputError(self.problems)


def load_yaml(path: str | Path) -> tuple[Any, LineMap]:
    """Read and parse a YAML file; a missing or unreadable file is an InputError too."""
    return parse_yaml(read_text(path), str(path))


def validate_model(model: type[M], data: Any, lines: LineMap) -> M:
    """Validate ``data`` against a pydantic model, turning every validation error into a Problem
    worded for the person who wrote the file (see :func:`describe_errors`)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_errors(exc, model, data, lines)) from exc


def describe_errors(exc: ValidationError, model: type[BaseModel], data: Any, lines: LineMap) -> list[Problem]:
    """pydantic's errors as problems in words, one per place in the file.

    * a location is the path through the user's data: pydantic's names for union branches (``str``,
      ``Resolution``, ``function-after[...]``) are dropped by following the data itself;
    * of the errors a union gives at one place, those of a branch that got past the value's type are
      kept; when every branch refused the type, one problem says what was expected ("true or false,
      or a mapping");
    * no class names or regular expressions: "expected a mapping", "must be a name: ...";
    * an empty file, an unknown key (with the keys allowed there and any invisible character in it)
      and a missing key are said as such; identical problems are given once.
    """
    raw = list(exc.errors())
    placed: list[tuple[Loc, Loc | None, dict[str, Any]]] = []
    for err in raw:
        at = tuple(p for p in err["loc"] if isinstance(p, str | int))
        loc, union_at = _data_loc(data, at, err["type"] in ("missing", "extra_forbidden"))
        placed.append((loc, union_at, dict(err)))
    # Union branches: keep the errors of branches that accepted the value's type.
    deeper = {u for loc, u, _ in placed if u is not None and len(loc) > len(u)}
    problems: list[Problem] = []
    merged: dict[Loc, list[str]] = {}
    for loc, union_at, details in placed:
        if union_at is not None and len(loc) == len(union_at):
            if union_at in deeper:
                continue
            merged.setdefault(loc, []).append(_expected(details))
            continue
        problems.append(lines.problem(loc, _message(details, loc, model, data)))
    for loc, wants in merged.items():
        value = _at(data, loc)
        options = list(dict.fromkeys(wants))
        text = options[0] if len(options) == 1 else ", ".join(options[:-1]) + ", or " + options[-1]
        problems.append(lines.problem(loc, f"expected {text}; found {_kind(value)}"))
    unique = sorted(dict.fromkeys(problems), key=lambda p: p.line or 0)  # in file order
    return unique or [lines.problem((), "invalid")]


_MISSING = object()


def _has(node: Any, part: str | int) -> bool:
    """Is ``part`` a key of mapping ``node`` or an index of list ``node``?"""
    if isinstance(node, Mapping):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _at(data: Any, loc: Loc) -> Any:
    for part in loc:
        if not _has(data, part):
            return _MISSING
        data = data[part]
    return data


def _data_loc(data: Any, loc: Loc, keyed: bool) -> tuple[Loc, Loc | None]:
    """(the path of ``loc`` through ``data``, the path of the union whose branch tag was dropped).

    A step that is a key or index of the data at that point is kept; the last step is kept too (a
    missing or unknown key, when ``keyed``); any other step is pydantic's name for a union branch and
    is dropped.
    """
    out: list[str | int] = []
    union_at: Loc | None = None
    node = data
    for k, part in enumerate(loc):
        if _has(node, part):
            out.append(part)
            node = node[part]
        elif keyed and k == len(loc) - 1 and (isinstance(node, Mapping) or node is _MISSING):
            out.append(part)
            node = _MISSING
        elif union_at is None:
            union_at = tuple(out)
    return tuple(out), union_at


def _kind(value: Any) -> str:
    """What a value is, in the words of a YAML user."""
    if value is _MISSING:
        return "nothing"
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value:g}" if isinstance(value, float) else f"the number {value}"
    if isinstance(value, str):
        return f"the text {shown(value, 40)}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


_EXPECTED = {
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "dict_type": "a mapping (key: value lines)",
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "list_type": "a list",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD) without a time",
    "finite_number": "a finite number",
    "none_required": "nothing (null)",
}


def _expected(err: Mapping[str, Any]) -> str:
    kind = str(err.get("type", ""))
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind == "literal_error":
        return _one_of(str(err.get("ctx", {}).get("expected", "the listed values")))
    return _message(err, (), None, None)


PATTERN_WORDS = {
    r"^[A-Za-z_][A-Za-z0-9_.]*$": "a name: a letter or _ first, then only letters, digits, _ and .",
    r"^[A-Za-z_][A-Za-z0-9_.-]*$": "a name: a letter or _ first, then only letters, digits, _, . and -",
}
"""Each pattern a spec's text field must match, said in words (messages never show the regex)."""


def _message(err: Mapping[str, Any], loc: Loc, model: type[BaseModel] | None, data: Any) -> str:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        if not loc and value is None:
            return "the file is empty: expected a mapping (key: value lines)"
        return f"expected a mapping (key: value lines); found {_kind(value)}"
    if kind == "missing":
        return "required but missing"
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else ""
        message = f"unknown key {shown(key)}"
        hidden = invisible_characters(key)
        if hidden:
            message += f" (it holds an invisible character: {', '.join(hidden)}; delete it)"
        allowed = _allowed_keys(model, data, loc[:-1]) if model is not None else None
        if allowed:
            message += f"; expected one of: {', '.join(allowed)}"
        return message
    if kind == "string_pattern_mismatch":
        words = PATTERN_WORDS.get(str(ctx.get("pattern", "")), "in the expected form")
        return f"{shown(value)} is not {words}"
    if kind in _EXPECTED and kind not in ("finite_number",):
        return f"expected {_EXPECTED[kind]}; found {_kind(value)}"
    if kind == "literal_error":
        return f"expected {_one_of(str(ctx.get('expected', 'the listed values')))}; found {_kind(value)}"
    if kind == "too_short" and "min_length" in ctx:
        return f"needs at least {ctx['min_length']} item(s); found {ctx.get('actual_length', 'fewer')}"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else str(err.get("msg", "too short"))
    text = str(err.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    text = re.sub(r" or instance of \w+", "", text)
    if text.startswith("Input should be") and isinstance(value, str | int | float | bool):
        text = f"{text}; found {_kind(value)}"
    return text.replace("Input should be", "should be")


def _one_of(choices: str) -> str:
    return f"one of {choices}" if "," in choices else choices


def _allowed_keys(model: type[BaseModel] | None, data: Any, loc: Loc) -> list[str] | None:
    """The keys the model accepts at ``loc`` (following the data through lists, dicts and unions)."""
    current: Any = model
    node = data
    for part in loc:
        current = _model_in(current, node)
        if current is None:
            return None
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return None
            current = info.annotation
        else:
            args = typing.get_args(current)
            origin = typing.get_origin(current)
            if origin in (list, tuple) and args:
                current = args[0]
            elif origin is dict and len(args) == 2:
                current = args[1]
            else:
                return None
        node = _at(node, (part,))
    found = _model_in(current, node)
    if isinstance(found, type) and issubclass(found, BaseModel):
        return list(found.model_fields)
    return None


def _model_in(annotation: Any, value: Any) -> Any:
    """``annotation`` with Annotated and Optional unwrapped; of a union, the branch that fits ``value``
    (a model for a mapping, a list type for a list)."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        branches = [_model_in(a, value) for a in typing.get_args(annotation) if a is not type(None)]
        for b in branches:
            if isinstance(value, Mapping) and isinstance(b, type) and issubclass(b, BaseModel):
                return b
            if isinstance(value, list) and typing.get_origin(b) in (list, tuple):
                return b
            if isinstance(value, Mapping) and typing.get_origin(b) is dict:
                return b
        return None
    return annotation


TEMP_SUFFIX = ".detente-tmp"
"""Suffix of the temporary files :func:`atomic_write` writes (``.<name>.<pid>.<random>.detente-tmp``)."""

STALE_AFTER = 24 * 3600.0
"""A temporary file older than this (seconds) is stale even if a process with its id is running."""


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists but belongs to someone else
    return True


def remove_stale_temp_files(folder: str | Path, name: str | None = None) -> list[Path]:
    """Delete the temporary files that writes killed mid-way left in ``folder``; return them.

    A temporary file is stale when the process that wrote it (its id is in the name) is gone, or when
    it is older than :data:`STALE_AFTER`. Files of a live writer are left alone, so two runs writing
    into the same folder do not disturb each other. With ``name``, only temporary files of that
    target name are considered.
    """
    removed: list[Path] = []
    now = time.time()
    try:
        candidates = list(
            Path(folder).glob(f".{'*' if name is None else glob.escape(name) + '.*'}{TEMP_SUFFIX}")
        )
    except OSError:
        return removed
    for path in candidates:
        parts = path.name[: -len(TEMP_SUFFIX)].rsplit(".", 2)
        try:
            pid = int(parts[-2])
            age = now - path.stat().st_mtime
        except (ValueError, IndexError, OSError):
            continue
        if age > STALE_AFTER or not _pid_alive(pid):
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> None:
    """Write a file atomically: ``write`` fills a temporary file, which then replaces ``path``.

    The temporary file is hidden (``.<name>.<pid>.<random>.detente-tmp``) and written in the nearest
    folder that already exists, so a write killed mid-way leaves no new folder behind, and the next
    write into that folder removes it (:func:`remove_stale_temp_files`). The folders missing up to
    ``path`` are made only once the content is complete.

    If anything fails, the temporary file and any folder made for it are removed, ``path`` is left
    exactly as it was, and an operating-system error (a folder in the way, no permission, a full
    disk) is raised as an InputError naming the file.
    """
    target = Path(path)
    made: list[Path] = []
    tmp: Path | None = None
    try:
        home = target.parent
        while not home.exists() and home != home.parent:
            home = home.parent
        remove_stale_temp_files(home)
        for folder in [target.parent, *target.parent.parents][:8]:  # earlier runs' temp files of
            if folder != home and folder.is_dir():  # this target, made before its folder existed
                remove_stale_temp_files(folder, target.name)
        name = home / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the umask applies
        tmp = name
        write(tmp)
        for folder in reversed([target.parent, *target.parent.parents]):
            if not folder.exists():
                folder.mkdir()
                made.append(folder)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            if tmp is not None:
                tmp.unlink(missing_ok=True)
            for folder in reversed(made):
                folder.rmdir()
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            raise InputError([Problem(str(target), None, "", f"cannot write: {reason}")]) from exc
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Atomically replace ``path`` with ``text`` (UTF-8)."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))

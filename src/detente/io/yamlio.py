"""Safe YAML loading that remembers where each value sits, and atomic file writing.

Every loader in detente reports problems as ``file:line: [field] message``. The line comes from
the YAML node tree, which PyYAML's safe composer gives us alongside the plain data.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

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
    """``('decision_makers', 0, 'name')`` -> ``decision_makers[0].name``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


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


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, stricter: no aliases (a few bytes of nested aliases can expand to
    gigabytes) and no duplicate mapping keys (the later one would silently win)."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None,
                None,
                f"aliases (*{event.anchor}) are not supported; write the value out",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                continue  # an unhashable key is reported by the base class
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


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


def read_text(path: str | Path) -> str:
    """A UTF-8 text file (a leading byte-order mark dropped); missing or unreadable is an InputError."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(path), None, "", f"cannot read file: {exc}")]) from exc


def load_yaml(path: str | Path) -> tuple[Any, LineMap]:
    """Read and parse a YAML file; a missing or unreadable file is an InputError too."""
    return parse_yaml(read_text(path), str(path))


def validate_model(model: type[M], data: Any, lines: LineMap) -> M:
    """Validate ``data`` against a pydantic model, turning every validation error into a Problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
            problems.append(lines.problem(_clean_loc(loc), err["msg"]))
        raise InputError(problems) from exc


def _clean_loc(loc: Loc) -> Loc:
    """Drop pydantic's union-branch tags (e.g. ``'str'``, ``'function-after[...]'``) from a location."""
    return tuple(p for p in loc if isinstance(p, int) or ("[" not in p and p not in _UNION_TAGS))


_UNION_TAGS = {"str", "int", "float", "bool", "list", "dict", "tied-dict"}


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> None:
    """Write a file atomically: ``write`` fills a temporary file beside ``path``, which then replaces it.

    If anything fails, the temporary file and any folder made for it are removed, ``path`` is left
    exactly as it was, and an operating-system error (a folder in the way, no permission, a full
    disk) is raised as an InputError naming the file.
    """
    target = Path(path)
    made: list[Path] = []
    tmp: Path | None = None
    try:
        for folder in reversed([target.parent, *target.parent.parents]):
            if not folder.exists():
                folder.mkdir()
                made.append(folder)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)
        write(tmp)
        os.replace(tmp, target)
    except BaseException as exc:
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

"""How a run parameter's type reads to a face: its shape and its choices (the command line's options
and the web app's form inputs are both made from these, so the two read every parameter alike)."""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

Shape = Literal["bool", "int", "float", "list", "dict", "text"]
_SCALARS: dict[Any, Shape] = {bool: "bool", int: "int", float: "float"}


def strip_optional(annotation: Any) -> tuple[Any, bool]:
    """``(X, True)`` for ``X | None``, else ``(annotation, False)``."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]), True  # noqa: UP007
    return annotation, False


def shape(annotation: Any) -> Shape:
    """``bool``, ``int``, ``float``, ``list``, ``dict``, or ``text`` for anything else (given as text)."""
    base, _ = strip_optional(annotation)
    origin = typing.get_origin(base)
    if origin is list:
        return "list"
    if origin is dict:
        return "dict"
    return _SCALARS.get(base, "text")


def text_only(annotation: Any) -> bool:
    """Does the type admit text only (``str``, a date, a ``Literal`` of strings, or None beside one)?"""
    base, _ = strip_optional(annotation)
    if typing.get_origin(base) is typing.Literal:
        return all(isinstance(a, str) for a in typing.get_args(base))
    return typing.get_origin(base) is None


def choices(annotation: Any) -> list[str]:
    """The values a ``Literal`` (or a list of one) allows; empty for any other type."""
    base, _ = strip_optional(annotation)
    if typing.get_origin(base) is list:
        base = typing.get_args(base)[0]
    if typing.get_origin(base) is typing.Literal:
        return [str(a) for a in typing.get_args(base)]
    return []

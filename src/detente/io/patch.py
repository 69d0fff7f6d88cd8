"""Interventions as named patches to a scenario's data, applied before validation.

A patch is a list of changes, each addressing a place in the scenario by a path::

    conflict.decision_makers[name=US].preferences.statements

Path steps are mapping keys, list indices (``[0]``, ``[-1]``) or list selectors (``[name=US]``: the
item whose ``name`` is ``US``; any key may be used, e.g. ``[statement=deal]``). Changes:

* ``set``: replace the value at the path (creating a missing final mapping key);
* ``append``: add ``value`` to the list at the path; ``insert`` with ``at``: insert at that index;
* ``remove``: delete the mapping key or list item at the path;
* ``merge``: shallow-merge a mapping ``value`` into the mapping at the path.

Applying a patch never changes its input; the patched data is then validated and compiled like any
scenario, so an intervention that breaks the model is reported like a bad file.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from detente.io.evidence import EvidenceList
from detente.io.yamlio import Loc, format_loc, shown

_STEP = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]|\[([^=\]]+)=([^\]]*)\]")


class Change(BaseModel):
    """One change of a patch; exactly one of set/append/insert/remove/merge names the path."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    set: str | None = None
    append: str | None = None
    insert: str | None = None
    remove: str | None = None
    merge: str | None = None
    at: int | None = None
    value: Any = None
    note: str = ""

    @model_validator(mode="after")
    def _one_action(self) -> Change:
        given = [a for a in ACTIONS if getattr(self, a) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(ACTIONS)} (got {', '.join(given) or 'none'})")
        if (self.action == "insert") != (self.at is not None):
            raise ValueError("'at' goes with 'insert' and only with it")
        return self

    @property
    def action(self) -> Literal["set", "append", "insert", "remove", "merge"]:
        for a in ACTIONS:
            if getattr(self, a) is not None:
                return a
        raise AssertionError("validated")

    @property
    def path(self) -> str:
        value = getattr(self, self.action)
        assert isinstance(value, str)
        return value


ACTIONS: tuple[Literal["set", "append", "insert", "remove", "merge"], ...] = (
    "set",
    "append",
    "insert",
    "remove",
    "merge",
)


class Intervention(BaseModel):
    """A named what-if: a recommendation turned into changes to the scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$")
    title: str
    description: str = ""
    changes: list[Change] = Field(min_length=1)
    evidence: EvidenceList = []


class PatchError(ValueError):
    """A change whose path does not exist or whose action does not fit the value found there:
    ``reason`` says what is wrong; ``loc`` is as far as the path resolved (keys and list indices),
    None when the path itself cannot be read."""

    def __init__(self, path: str, reason: str, loc: Loc | None = None) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason, self.loc = path, reason, loc


def parse_path(path: str) -> list[str | int | tuple[str, str]]:
    """``a.b[2][name=x]`` -> ``['a', 'b', 2, ('name', 'x')]``."""
    steps: list[str | int | tuple[str, str]] = []
    pos = 0
    text = path.strip()
    while pos < len(text):
        if text[pos] == ".":
            pos += 1
            continue
        m = _STEP.match(text, pos)
        if m is None:
            raise PatchError(path, f"cannot read path at {text[pos:]!r}")
        key, index, sel_key, sel_value = m.groups()
        steps.append(key if key is not None else int(index) if index is not None else (sel_key, sel_value))
        pos = m.end()
    if not steps:
        raise PatchError(path, "empty path")
    return steps


def _index(node: Any, step: str | int | tuple[str, str], path: str, loc: Loc) -> str | int:
    """The key, or the non-negative list index, that ``step`` picks in ``node`` (found at ``loc``)."""
    where = format_loc(loc) or "the document"
    if isinstance(step, str):
        if not isinstance(node, dict) or step not in node:
            keys = f"; it has {', '.join(map(str, node))}" if isinstance(node, dict) and node else ""
            raise PatchError(path, f"no key {shown(step)} in {where}{keys}", loc)
        return step
    if isinstance(step, int):
        if not isinstance(node, list) or not -len(node) <= step < len(node):
            size = f"; it has {len(node)}" if isinstance(node, list) else ", which is not a list"
            raise PatchError(path, f"no list item {step} in {where}{size}", loc)
        return step % len(node)
    key, value = step
    if not isinstance(node, list):
        raise PatchError(path, f"[{key}={value}] needs a list; {where} is not one", loc)
    hits = [k for k, item in enumerate(node) if isinstance(item, dict) and str(item.get(key)) == value]
    if len(hits) != 1:
        raise PatchError(path, f"[{key}={value}] matches {len(hits)} items of {where}, expected one", loc)
    return hits[0]


def _walk(data: Any, steps: Sequence[str | int | tuple[str, str]], path: str) -> tuple[Loc, Any]:
    """Follow ``steps`` from ``data``: the concrete location reached and the value there."""
    loc: Loc = ()
    node = data
    for step in steps:
        loc = (*loc, _index(node, step, path, loc))
        node = node[loc[-1]]
    return loc, node


def locate(data: Any, path: str) -> tuple[Loc, Any]:
    """The concrete location of ``path`` in ``data`` (keys and non-negative list indices, selectors
    resolved) and the value there; raises :class:`PatchError` naming how far the path got."""
    return _walk(data, parse_path(path), path)


def apply_change(data: Any, change: Change) -> Any:
    """A deep copy of ``data`` with one change applied."""
    out = copy.deepcopy(data)
    path = change.path
    steps = parse_path(path)
    loc, parent = _walk(out, steps[:-1], path)
    last = steps[-1]
    action = change.action
    if action in ("append", "insert", "merge"):
        target = parent[_index(parent, last, path, loc)]
        if action == "merge":
            if not isinstance(target, dict) or not isinstance(change.value, dict):
                raise PatchError(path, "merge needs a mapping there and a mapping value")
            target.update(copy.deepcopy(change.value))
        elif not isinstance(target, list):
            raise PatchError(path, f"{action} needs a list there")
        elif action == "append":
            target.append(copy.deepcopy(change.value))
        else:
            assert change.at is not None
            target.insert(change.at, copy.deepcopy(change.value))
        return out
    if action == "set" and isinstance(last, str) and isinstance(parent, dict):
        parent[last] = copy.deepcopy(change.value)  # set may add a key
    elif action == "set":
        parent[_index(parent, last, path, loc)] = copy.deepcopy(change.value)
    else:  # remove
        del parent[_index(parent, last, path, loc)]
    return out


def apply_intervention(data: Any, changes: Sequence[Change]) -> Any:
    """Apply every change in order; the input is left untouched."""
    for change in changes:
        data = apply_change(data, change)
    return data

"""Form editing of the common fields: preference statements, issue positions and saliences.

Each editable field is addressed by a patch path (:mod:`detente.io.patch`), so a form
submission is a list of ``(path, value)`` pairs, set in the version's YAML text in place
(:func:`detente.io.yaml_edit.set_values`: comments, order and quoting kept); the edited text is then
validated like any upload before it is saved as a new version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FieldKind = Literal["text", "number"]
_PATH_SAFE = set(".[]=")


class FieldEdit(BaseModel):
    """Set the value at ``path`` (a patch path such as ``conflict.decision_makers[0].name``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(min_length=1, max_length=500)
    value: str | float = Field(description="The new text or number.")


@dataclass(frozen=True)
class FormField:
    label: str
    path: str
    value: str | float
    kind: FieldKind


@dataclass(frozen=True)
class FormGroup:
    title: str
    fields: tuple[FormField, ...]


def _safe_key(key: object) -> bool:
    return isinstance(key, str) and bool(key) and not (_PATH_SAFE & set(key))


def _statement_fields(prefs: Any, base: str) -> Iterable[FormField]:
    items = prefs.get("statements") if isinstance(prefs, dict) else None
    if not isinstance(items, list):
        return
    for t, item in enumerate(items):
        if isinstance(item, str):
            yield FormField(f"statement {t + 1}", f"{base}.statements[{t}]", item, "text")
        elif isinstance(item, dict) and isinstance(item.get("statement"), str):
            yield FormField(
                f"statement {t + 1}", f"{base}.statements[{t}].statement", item["statement"], "text"
            )
        elif isinstance(item, dict) and isinstance(item.get("tied"), list):
            for q, member in enumerate(item["tied"]):
                path = f"{base}.statements[{t}].tied[{q}]"
                if isinstance(member, str):
                    yield FormField(f"statement {t + 1} (tied {q + 1})", path, member, "text")
                elif isinstance(member, dict) and isinstance(member.get("statement"), str):
                    label = f"statement {t + 1} (tied {q + 1})"
                    yield FormField(label, f"{path}.statement", member["statement"], "text")


def _number_field(label: str, path: str, value: Any) -> FormField | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return FormField(label, path, float(value), "number")
    if isinstance(value, dict) and isinstance(value.get("value"), int | float):
        return FormField(f"{label} (point value)", f"{path}.value", float(value["value"]), "number")
    return None


def form_groups(data: Any) -> list[FormGroup]:
    """The editable fields of a document: per decision maker its statements, per actor its numbers."""
    groups: list[FormGroup] = []
    if not isinstance(data, dict):
        return groups
    scenario = "meta" in data
    conflict = data.get("conflict") if scenario else data
    prefix = "conflict." if scenario else ""
    dms = conflict.get("decision_makers") if isinstance(conflict, dict) else None
    for i, dm in enumerate(dms if isinstance(dms, list) else []):
        if not isinstance(dm, dict):
            continue
        base = f"{prefix}decision_makers[{i}].preferences"
        fields = tuple(_statement_fields(dm.get("preferences"), base))
        if fields:
            groups.append(FormGroup(f"Preferences of {dm.get('name', i)}", fields))
    issues = data.get("issues") if scenario else None
    actors = issues.get("actors") if isinstance(issues, dict) else None
    for a, actor in enumerate(actors if isinstance(actors, list) else []):
        if not isinstance(actor, dict):
            continue
        found: list[FormField] = []
        for key in ("positions", "salience"):
            table = actor.get(key)
            if not isinstance(table, dict):
                continue
            for dim, value in table.items():
                if _safe_key(dim):
                    found.extend(
                        f
                        for f in [_number_field(f"{key} on {dim}", f"issues.actors[{a}].{key}.{dim}", value)]
                        if f is not None
                    )
        if found:
            groups.append(FormGroup(f"Issue positions and saliences of {actor.get('name', a)}", tuple(found)))
    return groups

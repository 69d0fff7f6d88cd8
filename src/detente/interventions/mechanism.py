"""What an intervention changes, and whether it assumes its own outcome.

An intervention should change what its source says it changes (a belief, a cost, an option, a
capability or salience) and leave it to the engines whether the behaviour it aims at follows. A patch
that simply rewrites the preference of the party whose behaviour it is meant to produce builds its
conclusion into its input: "dissuade North Korea from provoking" modelled as North Korea's preference
turning to ``-nk_provoke`` makes no-provocation an equilibrium by assumption.

:func:`mechanism_changes` diffs the raw scenario data before and after each change of a patch and
classifies what moved:

* ``preference``: a preference statement of a decision maker of the real game added, removed or moved.
  It is *about its own behaviour* when every option it names belongs to that decision maker, and
  *conditional* when it names another party's option (a cost or incentive triggered by another
  party's move: the engines still decide whether that move is made);
* ``position``: an issue-space position (an actor's ideal point);
* ``belief``: a perception added, removed or changed;
* ``option``: an option added or removed, a constraint or the status quo changed;
* ``capability`` / ``salience``: the issue-space weights.

:func:`assumes_own_outcome` flags the preference changes about a party's own behaviour and the
position changes of any party that is not the addressee (the addressee choosing its own conduct is
what a recommendation asks for). A flagged intervention whose every change is flagged
``only`` rewrites those preferences.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from detente.io import statements
from detente.io.patch import Change, apply_change

Kind = Literal["preference", "position", "belief", "option", "capability", "salience", "other"]


@dataclass(frozen=True)
class MechanismChange:
    """One thing a change of a patch moved."""

    change: int  # index of the change in the patch
    kind: Kind
    party: str  # decision maker, issue-space actor or perceiver ("" for options and constraints)
    what: str  # the statement, dimension, perception or option concerned
    action: Literal["added", "removed", "moved", "changed"]
    own: bool = False  # a preference statement naming only the party's own options
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class OutcomeAssumption:
    """The verdict of :func:`assumes_own_outcome` on one intervention."""

    intervention: str
    flagged: tuple[MechanismChange, ...]
    only: bool  # every change of the patch is a flagged one

    @property
    def assumes(self) -> bool:
        return bool(self.flagged)


def _dms(data: Any) -> list[Mapping[str, Any]]:
    conflict = data.get("conflict") if isinstance(data, Mapping) else None
    dms = conflict.get("decision_makers") if isinstance(conflict, Mapping) else None
    return [d for d in dms or [] if isinstance(d, Mapping)]


def _owners(data: Any) -> dict[str, str]:
    """option name -> its decision maker."""
    return {
        str(o.get("name")): str(d.get("name"))
        for d in _dms(data)
        for o in d.get("options") or []
        if isinstance(o, Mapping)
    }


def _statements(dm: Mapping[str, Any]) -> list[str]:
    prefs = dm.get("preferences")
    items = prefs.get("statements") if isinstance(prefs, Mapping) else None
    out = []
    for item in items or []:
        text = item.get("statement") if isinstance(item, Mapping) else item
        out.append(" ".join(str(text).split()))
    return out


def _named(statement: str, owners: Mapping[str, str]) -> set[str]:
    return {w for w in statements.names(statement) if w in owners}


def _preference_diff(k: int, before: Any, after: Any) -> Iterator[MechanismChange]:
    owners = {**_owners(before), **_owners(after)}
    old = {str(d.get("name")): _statements(d) for d in _dms(before)}
    for dm in _dms(after):
        name = str(dm.get("name"))
        new, was = _statements(dm), old.get(name, [])

        def own(st: str, name: str = name) -> bool:
            named = _named(st, owners)
            return bool(named) and all(owners[o] == name for o in named)

        for st in new:
            if st not in was:
                yield MechanismChange(k, "preference", name, st, "added", own(st))
        for st in was:
            if st not in new:
                yield MechanismChange(k, "preference", name, st, "removed", own(st))
        kept_old = [s for s in was if s in new]
        kept_new = [s for s in new if s in was]
        for st in kept_new:
            if kept_old.index(st) != kept_new.index(st) and own(st):
                yield MechanismChange(k, "preference", name, st, "moved", True)


def _issue_actors(data: Any) -> dict[str, Mapping[str, Any]]:
    issues = data.get("issues") if isinstance(data, Mapping) else None
    actors = issues.get("actors") if isinstance(issues, Mapping) else None
    return {str(a.get("name")): a for a in actors or [] if isinstance(a, Mapping)}


def _value(x: Any) -> str:
    return str(x.get("value")) if isinstance(x, Mapping) else str(x)


def _issue_diff(k: int, before: Any, after: Any) -> Iterator[MechanismChange]:
    old = _issue_actors(before)
    for name, actor in _issue_actors(after).items():
        was = old.get(name, {})
        if _value(actor.get("capability")) != _value(was.get("capability")):
            yield MechanismChange(
                k,
                "capability",
                name,
                "capability",
                "changed",
                before=_value(was.get("capability")),
                after=_value(actor.get("capability")),
            )
        for field, kind in (("positions", "position"), ("salience", "salience")):
            new_map, old_map = actor.get(field) or {}, was.get(field) or {}
            if not isinstance(new_map, Mapping) or not isinstance(old_map, Mapping):
                continue
            for dim in sorted(set(new_map) | set(old_map)):
                a, b = _value(old_map.get(dim)), _value(new_map.get(dim))
                if a != b:
                    yield MechanismChange(k, kind, name, str(dim), "changed", before=a, after=b)  # type: ignore[arg-type]


def _perceptions(data: Any) -> dict[str, Any]:
    items = data.get("perceptions") if isinstance(data, Mapping) else None
    return {str(p.get("name")): p for p in items or [] if isinstance(p, Mapping)}


def _belief_diff(k: int, before: Any, after: Any) -> Iterator[MechanismChange]:
    old, new = _perceptions(before), _perceptions(after)
    for name in sorted(set(old) | set(new)):
        p = new.get(name, old.get(name))
        perceiver = str(p.get("perceiver", "")) if isinstance(p, Mapping) else ""
        if name not in new:
            yield MechanismChange(k, "belief", perceiver, name, "removed")
        elif name not in old:
            yield MechanismChange(k, "belief", perceiver, name, "added")
        elif old[name] != new[name]:
            yield MechanismChange(k, "belief", perceiver, name, "changed")


def _structure_diff(k: int, before: Any, after: Any) -> Iterator[MechanismChange]:
    a, b = _owners(before), _owners(after)
    for opt in sorted(set(b) - set(a)):
        yield MechanismChange(k, "option", b[opt], opt, "added")
    for opt in sorted(set(a) - set(b)):
        yield MechanismChange(k, "option", a[opt], opt, "removed")
    ca = before.get("conflict", {}) if isinstance(before, Mapping) else {}
    cb = after.get("conflict", {}) if isinstance(after, Mapping) else {}
    if isinstance(ca, Mapping) and isinstance(cb, Mapping) and ca.get("constraints") != cb.get("constraints"):
        yield MechanismChange(k, "option", "", "constraints", "changed")


def _lean(data: Any) -> Any:
    """The data without evidence lists (nothing here reads them; copying them dominates the cost)."""
    if isinstance(data, Mapping):
        return {k: _lean(v) for k, v in data.items() if k != "evidence"}
    if isinstance(data, list):
        return [_lean(v) for v in data]
    return data


def mechanism_changes(data: Any, changes: Sequence[Change]) -> list[MechanismChange]:
    """Everything each change of the patch moves in ``data`` (raw scenario data), in patch order."""
    out: list[MechanismChange] = []
    data = _lean(data)
    for k, change in enumerate(changes):
        after = apply_change(data, change)
        found = [
            *_preference_diff(k, data, after),
            *_belief_diff(k, data, after),
            *_structure_diff(k, data, after),
            *_issue_diff(k, data, after),
        ]
        out.extend(found or [MechanismChange(k, "other", "", change.path, "changed")])
        data = after
    return out


def addressee_parties(data: Any, addressee: str) -> frozenset[str]:
    """The addressee, its sub-actors (transitively) and the decision makers they belong to."""
    actors = (
        [a for a in (data.get("actors") or []) if isinstance(a, Mapping)] if isinstance(data, Mapping) else []
    )
    names = {addressee}
    grew = True
    while grew:
        more = {str(a.get("name")) for a in actors if a.get("parent") in names} - names
        names |= more
        grew = bool(more)
    dms = {str(a.get("decision_maker")) for a in actors if a.get("name") in names and a.get("decision_maker")}
    return frozenset(names | dms)


def assumes_own_outcome(
    data: Any, name: str, changes: Sequence[Change], addressee: str | None = None
) -> OutcomeAssumption:
    """Flag the changes that rewrite the preference of a party other than the addressee about its own
    behaviour (or its issue-space position). With no addressee every party counts."""
    return judge(
        name,
        mechanism_changes(data, changes),
        addressee_parties(data, addressee) if addressee else frozenset(),
    )


def judge(name: str, moved: Sequence[MechanismChange], exempt: frozenset[str]) -> OutcomeAssumption:
    """The verdict on changes already found by :func:`mechanism_changes`; ``exempt``: the addressee's
    parties (:func:`addressee_parties`)."""
    flagged = tuple(
        m
        for m in moved
        if m.party not in exempt and ((m.kind == "preference" and m.own) or m.kind == "position")
    )
    hit = {m.change for m in flagged}
    only = bool(flagged) and all(m.change in hit for m in moved)
    return OutcomeAssumption(name, flagged, only)


def check_interventions(data: Any, interventions: Sequence[Any]) -> list[OutcomeAssumption]:
    """:func:`assumes_own_outcome` for every intervention of a scenario (objects with ``name``,
    ``changes`` and, optionally, ``addressee``)."""
    return [
        assumes_own_outcome(data, iv.name, iv.changes, getattr(iv, "addressee", None)) for iv in interventions
    ]

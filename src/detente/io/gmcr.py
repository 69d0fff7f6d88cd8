"""GMCR+ ``.gmcr`` interchange: read and write GMCR+ JSON files, and write detente conflict YAML.

Written from the published description of the format, not from GMCR+ code. The reading of each
field, where the format leaves a choice, is fixed here and in ``docs/json.md``:

* ``options``: a list of ``{"name", "permittedDirection"}``; ``permittedDirection`` is ``"both"``
  (default), ``"fwd"`` (N->Y only) or ``"back"`` (Y->N only). An option's *id* is its 0-based
  position in this list; ids may also be written as strings (``"3"``).
* ``decisionMakers``: a list of ``{"name", "options": [ids], "preferences", "preferenceRanking",
  "misperceptions"}``. ``preferences`` are option-prioritisation statements, most important first:
  each is an AND-list of literals ``[id, "Y"|"N"]`` or an OR-group ``{"compound": true, "members":
  [AND-list, ...]}``. A state's preference follows the statements lexicographically (the GMCR II
  scoring of Fang, Hipel, Kilgour & Peng 2003), as in detente's own statements. ``misperceptions``
  are not turned into perceived games: reading a file that has any warns (``GmcrWarning``, and the
  notes of :func:`read_gmcr_notes`) that they were dropped, naming the decision makers.
* ``preferenceRanking``: best first; each entry is a state or a list of tied states. A state is its
  1-based *state number*: its position among the feasible states sorted by decimal code, where option
  id ``j`` contributes ``2**j`` (the GMCR II numbering, Fang et al. 2003). Used instead of the
  statements when the top-level ``useManualPreferenceRanking`` is true.
* ``infeasibles``: patterns of states that cannot occur, each a string with one of ``Y``, ``N`` or
  ``-`` per option in id order, or an AND-list of literals. detente writes AND-lists.
* ``coalitions`` (optional): lists of decision-maker ids (0-based), or ``{"members": [ids]}``; a bare
  id (GMCR+ writes ``"coalitions": [0, 1, 2]``) is a coalition of that one decision maker.
  Coalitions of fewer than two decision makers are dropped on import.
* Older GMCR+ files write ``useManualPreferenceVectors`` and, per decision maker,
  ``preferenceVector``; they are read as ``useManualPreferenceRanking`` and ``preferenceRanking``
  (when the newer key is absent).
* ``detente`` (optional, written by detente, ignored by other tools): ``{"name", "description",
  "source", "statusQuo"}``, the status quo as a state number.

Names that are not detente identifiers (letters, digits, ``_`` and ``.``) are rewritten on import,
the original name kept as the description.
"""

from __future__ import annotations

import json
import re
import unicodedata
import warnings
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, model_validator

from detente.conflict.model import MAX_OPTIONS, Conflict, Direction, pattern_of
from detente.errors import InputError, ModelTooLargeError, Problem
from detente.io import statements as st
from detente.io.conflict import compile_conflict, load_conflict
from detente.io.conflict_spec import (
    NAME_PATTERN,
    ConflictSpec,
    ConstraintsSpec,
    DecisionMakerSpec,
    InfeasibleSpec,
    OptionSpec,
    PreferenceSpec,
    StatementSpec,
    TiedSpec,
)
from detente.io.yamlio import (
    MAX_DEPTH,
    LineMap,
    Loc,
    atomic_write_text,
    dump_yaml,
    format_loc,
    lone_surrogate,
    read_text,
    shorten,
    shown,
    validate_model,
    visible,
)

GMCR_SUFFIX = ".gmcr"
_DIRECTION_TO_GMCR = {Direction.BOTH: "both", Direction.FORWARD: "fwd", Direction.BACKWARD: "back"}
_GMCR_DIRECTION = {"both": "both", "fwd": "forward", "back": "backward"}


# -- the .gmcr shape, validated with pydantic -------------------------------------------------------
def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _members(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]  # a bare id: a coalition of one decision maker
    return value["members"] if isinstance(value, dict) and "members" in value else value


def _older_key(data: object, old: str, new: str) -> object:
    """Read an older GMCR+ key as its newer name when the newer one is absent."""
    if isinstance(data, dict) and old in data and new not in data:
        return {**{k: v for k, v in data.items() if k != old}, new: data[old]}
    return data


def _by_type(kind: type, tag: str, otherwise: str) -> Discriminator:
    """Pick a union branch by the value's JSON type, so errors come from that branch only."""
    return Discriminator(lambda value: tag if isinstance(value, kind) else otherwise)


Id = Annotated[int, Field(ge=0)]
GLiteral = tuple[Id, Annotated[Literal["Y", "N"], BeforeValidator(_upper)]]
AndList = list[GLiteral]


class _G(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class GCompound(_G):
    compound: Literal[True]
    members: list[AndList]


GStatement = Annotated[
    Annotated[AndList, Tag("list")] | Annotated[GCompound, Tag("dict")], _by_type(dict, "dict", "list")
]
GRanking = list[
    Annotated[Annotated[list[Id], Tag("list")] | Annotated[Id, Tag("int")], _by_type(list, "list", "int")]
]
GPattern = Annotated[
    Annotated[str, Tag("str")] | Annotated[AndList, Tag("list")], _by_type(str, "str", "list")
]


class GOption(_G):
    name: str
    permittedDirection: Annotated[Literal["both", "fwd", "back"], BeforeValidator(_lower)] = "both"


class GDecisionMaker(_G):
    name: str
    options: list[Id] = Field(min_length=1)
    preferences: list[GStatement] = []
    preferenceRanking: GRanking | None = None
    misperceptions: Any = None

    @model_validator(mode="before")
    @classmethod
    def _older_names(cls, data: object) -> object:
        return _older_key(data, "preferenceVector", "preferenceRanking")


class GExtras(_G):
    name: str | None = None
    description: str = ""
    source: str = ""
    statusQuo: Id | None = None


class GmcrFile(_G):
    options: list[GOption] = Field(min_length=1)
    decisionMakers: list[GDecisionMaker] = Field(min_length=2)
    infeasibles: list[GPattern] = []
    useManualPreferenceRanking: bool = False
    coalitions: list[Annotated[list[Id], BeforeValidator(_members)]] = []
    detente: GExtras | None = None

    @model_validator(mode="before")
    @classmethod
    def _older_names(cls, data: object) -> object:
        return _older_key(data, "useManualPreferenceVectors", "useManualPreferenceRanking")


# -- line numbers in JSON text ----------------------------------------------------------------------
_SPACE = re.compile(r"[ \t\r\n]*")


def json_lines(text: str) -> dict[Loc, int]:
    """Line (1-based) of every value in a valid JSON document, keyed like :class:`LineMap` paths.

    As in :func:`detente.io.yamlio.parse_yaml`, an object member's path maps to the line of its key.
    """
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    lines: dict[Loc, int] = {}
    decoder = json.JSONDecoder()

    def skip(pos: int) -> int:
        return _SPACE.match(text, pos).end()  # type: ignore[union-attr]  # "*" always matches

    def value(pos: int, loc: Loc) -> int:
        pos = skip(pos)
        lines[loc] = bisect_right(starts, pos)
        opener = text[pos]
        if opener not in "{[":
            return int(decoder.raw_decode(text, pos)[1])
        closer = "}" if opener == "{" else "]"
        pos = skip(pos + 1)
        index = 0
        while text[pos] != closer:
            if opener == "{":
                key_line = bisect_right(starts, pos)
                key, pos = decoder.raw_decode(text, pos)
                child: Loc = (*loc, key)
                pos = value(skip(pos) + 1, child)  # skip the ':'
                lines[child] = key_line
            else:
                pos = value(pos, (*loc, index))
                index += 1
            pos = skip(pos)
            if text[pos] == ",":
                pos = skip(pos + 1)
        return pos + 1

    value(0, ())
    return lines


class _LazyLines(Mapping[Loc, int]):
    """The :func:`json_lines` of a text, worked out on first use (only when there is a problem)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: dict[Loc, int] | None = None

    def _get(self) -> dict[Loc, int]:
        if self._lines is None:
            self._lines = json_lines(self._text)
        return self._lines

    def __getitem__(self, key: Loc) -> int:
        return self._get()[key]

    def __iter__(self) -> Iterator[Loc]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def json_line_map(text: str, file: str) -> LineMap:
    """A :class:`LineMap` for a valid JSON document, its lines found only if a problem is reported."""
    return LineMap(file, _LazyLines(text))


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json object hook: a key given twice is an error (the later one would silently win)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    """json constant hook: ``NaN``, ``Infinity`` and ``-Infinity`` are not JSON numbers."""
    raise _NotJson(f"{name} is not a JSON number")


class _NotJson(ValueError):
    pass


def _too_deep(text: str) -> int | None:
    """The line where ``text`` nests lists and objects more than MAX_DEPTH deep, or None."""
    depth = 0
    in_string = escaped = False
    for pos, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, pos) + 1
        elif char in "]}":
            depth -= 1
    return None


def _strings(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every key and string value in parsed JSON, with its path."""
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield (*loc, key), key
            yield from _strings(value, (*loc, key))
    elif isinstance(data, list):
        for k, item in enumerate(data):
            yield from _strings(item, (*loc, k))


def _parse_json(text: str, file: str) -> tuple[Any, LineMap]:
    """Parse JSON strictly: no duplicate keys, no NaN or Infinity, no nesting deeper than
    :data:`~detente.io.yamlio.MAX_DEPTH`, no lone surrogates (``"\\ud800"``), each refusal with its line."""
    if not text.strip():
        raise InputError([Problem(file, None, "", "the file is empty")])
    deep = _too_deep(text)
    if deep is not None:
        raise InputError([Problem(file, deep, "", f"nested too deeply (more than {MAX_DEPTH} levels)")])
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
        lines = json_line_map(text, file)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(file, exc.lineno, "", f"malformed JSON: {exc.msg}")]) from exc
    except _DuplicateKey as exc:
        raise InputError(
            [Problem(file, None, visible(str(exc)), f"malformed JSON: duplicate key {shown(str(exc))}")]
        ) from exc
    except _NotJson as exc:
        raise InputError([Problem(file, None, "", f"malformed JSON: {exc}")]) from exc
    except RecursionError as exc:
        raise InputError([Problem(file, None, "", "malformed JSON: nested too deeply")]) from exc
    except ValueError as exc:  # a number of more than 4,300 digits, which Python will not convert
        reason = "a number has too many digits to read (at most 4,300)"
        if "digits" not in str(exc):
            reason = shorten(str(exc), 80)
        raise InputError([Problem(file, None, "", f"malformed JSON: {reason}")]) from exc
    for loc, value in _strings(data):
        surrogate = lone_surrogate(value)
        if surrogate is not None:
            raise InputError([lines.problem(loc, surrogate)])
    return data, lines


# -- names ------------------------------------------------------------------------------------------


def _identifier(raw: str, fallback: str, taken: set[str]) -> str:
    """A detente identifier close to ``raw`` that is not in ``taken`` (which it is added to)."""
    ascii_text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9_.]+", "_", ascii_text).strip("_") or fallback
    if not re.match(NAME_PATTERN, name):
        name = f"_{name}"
    if name.lower() in st.KEYWORDS:
        name = f"{name}_"
    unique, k = name, 2
    while unique in taken:
        unique, k = f"{name}_{k}", k + 1
    taken.add(unique)
    return unique


# -- reading ----------------------------------------------------------------------------------------
class _Reader:
    """Turns a validated :class:`GmcrFile` into a :class:`ConflictSpec`, remembering where each part
    came from so that problems found later name the .gmcr field and line."""

    def __init__(self, g: GmcrFile, lines: LineMap) -> None:
        self.g = g
        self.lines = lines
        self.problems: list[Problem] = []
        self.origin: dict[str, Loc] = {"": ()}
        self.m = len(g.options)
        self.names: list[str] = []
        # detente declares options decision maker by decision maker: ``order[k]`` is the gmcr id of
        # the k-th option in detente order.
        self.order = [j for dm in g.decisionMakers for j in dm.options]

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append(self.lines.problem(loc, message))

    def check_id(self, j: int, loc: Loc) -> bool:
        if j < self.m:
            return True
        self.add(loc, f"unknown option id {j} (the options are numbered 0..{self.m - 1})")
        return False

    def check(self) -> None:
        """Cross-references the schema cannot see: option ids, ownership, patterns, coalitions."""
        owner: dict[int, int] = {}
        for i, dm in enumerate(self.g.decisionMakers):
            for k, j in enumerate(dm.options):
                loc: Loc = ("decisionMakers", i, "options", k)
                if not self.check_id(j, loc):
                    continue
                if j in owner:
                    first = self.g.decisionMakers[owner[j]].name
                    self.add(loc, f"option {j} ({self.g.options[j].name!r}) is already listed by {first!r}")
                owner.setdefault(j, i)
            for t, item in enumerate(dm.preferences):
                if isinstance(item, GCompound):
                    for q, conj in enumerate(item.members):
                        self.check_literals(conj, ("decisionMakers", i, "preferences", t, "members", q))
                else:
                    self.check_literals(item, ("decisionMakers", i, "preferences", t))
        for j, opt in enumerate(self.g.options):
            if j not in owner:
                self.add(("options", j), f"option {j} ({opt.name!r}) is not listed by any decision maker")
        for k, pattern in enumerate(self.g.infeasibles):
            if isinstance(pattern, str):
                if len(pattern) != self.m or set(pattern.upper()) - set("YN-"):
                    self.add(
                        ("infeasibles", k),
                        f"pattern {pattern!r} must have one of Y, N or - for each of the {self.m} options",
                    )
            else:
                self.check_literals(pattern, ("infeasibles", k))
        for c, members in enumerate(self.g.coalitions):
            for q, i in enumerate(members):
                if i >= len(self.g.decisionMakers):
                    self.add(("coalitions", c, q), f"unknown decision maker id {i}")
        if self.problems:
            raise InputError(self.problems)

    def check_literals(self, conj: Sequence[tuple[int, str]], loc: Loc) -> None:
        for k, (j, _) in enumerate(conj):
            self.check_id(j, (*loc, k, 0))

    def build(self, file: str) -> ConflictSpec:
        g = self.g
        taken: set[str] = set()
        dm_names = [_identifier(dm.name, f"DM{i}", taken) for i, dm in enumerate(g.decisionMakers)]
        self.names = [_identifier(o.name, f"option{j}", taken) for j, o in enumerate(g.options)]
        self.feasible = self._feasible_gmcr_codes()
        if self.feasible.size == 0:
            self.add(("infeasibles",), "the patterns rule out every state: the feasible set is empty")
            raise InputError(self.problems)
        dms = [self._decision_maker(i, dm_names[i]) for i in range(len(g.decisionMakers))]
        infeasible: list[InfeasibleSpec] = []
        for k, pattern in enumerate(g.infeasibles):
            self.origin[f"constraints.infeasible[{len(infeasible)}].pattern"] = ("infeasibles", k)
            infeasible.append(InfeasibleSpec(pattern=self._pattern(pattern)))
        self.origin["constraints"] = ("infeasibles",)
        coalitions: list[list[str]] = []
        for c, members in enumerate(g.coalitions):
            if len(set(members)) >= 2:
                self.origin[format_loc(("coalitions", len(coalitions)))] = ("coalitions", c)
                coalitions.append([dm_names[i] for i in members])
        extras = g.detente or GExtras()
        status_quo = None
        if extras.statusQuo is not None:
            self.origin["status_quo"] = ("detente", "statusQuo")
            status_quo = self._state_label(extras.statusQuo, ("detente", "statusQuo"))
        if self.problems:
            raise InputError(self.problems)
        return ConflictSpec(
            name=extras.name or Path(file).stem,
            description=extras.description,
            source=extras.source,
            decision_makers=dms,
            constraints=ConstraintsSpec(infeasible=infeasible),
            status_quo=status_quo,
            coalitions=coalitions,
        )

    def _feasible_gmcr_codes(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        if self.m > MAX_OPTIONS:
            raise ModelTooLargeError(
                f"{self.lines.file}: {self.m} options are more than detente can enumerate "
                f"(at most {MAX_OPTIONS})"
            )
        codes = np.arange(1 << self.m, dtype=np.int64)
        ok = np.ones(codes.size, dtype=bool)
        for pattern in self.g.infeasibles:
            mask, value = _gmcr_mask(pattern)
            ok &= (codes & mask) != value
        return codes[ok]

    def _decision_maker(self, i: int, name: str) -> DecisionMakerSpec:
        dm = self.g.decisionMakers[i]
        here: Loc = ("decisionMakers", i)
        spec_loc: Loc = ("decision_makers", i)
        self.origin[format_loc(spec_loc)] = here
        self.origin[format_loc((*spec_loc, "name"))] = (*here, "name")
        options = []
        for k, j in enumerate(dm.options):
            self.origin[format_loc((*spec_loc, "options", k))] = ("options", j)
            raw = self.g.options[j]
            options.append(
                OptionSpec(
                    name=self.names[j],
                    description=raw.name if raw.name != self.names[j] else "",
                    reversibility=_GMCR_DIRECTION[raw.permittedDirection],
                )
            )
        prefs_loc = format_loc((*spec_loc, "preferences"))
        if self.g.useManualPreferenceRanking:
            if dm.preferenceRanking is None:
                self.add(
                    here,
                    "useManualPreferenceRanking is true but this decision maker has no preferenceRanking",
                )
                ranking: list[list[str] | str] = []
            else:
                ranking = self._ranking(dm.preferenceRanking, (*here, "preferenceRanking"))
            self.origin[prefs_loc] = (*here, "preferenceRanking")
            self.origin[f"{prefs_loc}.ranking"] = (*here, "preferenceRanking")
            prefs = PreferenceSpec(ranking=ranking)
        else:
            texts: list[str | StatementSpec | TiedSpec] = []
            self.origin[prefs_loc] = (*here, "preferences")
            for t, item in enumerate(dm.preferences):
                text = self._statement(item)
                if text is not None:
                    self.origin[f"{prefs_loc}.statements[{len(texts)}]"] = (*here, "preferences", t)
                    texts.append(text)
            prefs = PreferenceSpec(statements=texts)
        return DecisionMakerSpec(
            name=name, description=dm.name if dm.name != name else "", options=options, preferences=prefs
        )

    def _literal(self, j: int, value: str) -> str:
        return self.names[j] if value == "Y" else f"-{self.names[j]}"

    def _statement(self, item: AndList | GCompound) -> str | None:
        """The statement's text, or None when it is constant (it then has no effect on the ranking)."""
        conjunctions = item.members if isinstance(item, GCompound) else [item]
        if not conjunctions or any(not conj for conj in conjunctions):
            return None
        parts = [" & ".join(self._literal(j, v) for j, v in conj) for conj in conjunctions]
        if len(parts) == 1:
            return parts[0]
        return " | ".join(
            f"({p})" if len(conj) > 1 else p for p, conj in zip(parts, conjunctions, strict=True)
        )

    def _state_label(self, number: int, loc: Loc) -> str:
        if not 1 <= number <= self.feasible.size:
            self.add(loc, f"state number {number} is out of range 1..{self.feasible.size}")
            return "-" * self.m
        code = int(self.feasible[number - 1])
        return "".join("Y" if code >> j & 1 else "N" for j in self.order)

    def _ranking(self, ranking: GRanking, loc: Loc) -> list[list[str] | str]:
        out: list[list[str] | str] = []
        for t, tier in enumerate(ranking):
            if isinstance(tier, list):
                out.append([self._state_label(s, (*loc, t, q)) for q, s in enumerate(tier)])
            else:
                out.append(self._state_label(tier, (*loc, t)))
        return out

    def _pattern(self, pattern: str | AndList) -> str:
        mask, value = _gmcr_mask(pattern)
        return "".join("-" if not mask >> j & 1 else "Y" if value >> j & 1 else "N" for j in self.order)

    def remap(self, error: InputError) -> InputError:
        """The same problems, located in the .gmcr file (field names and lines)."""
        problems = []
        for p in error.problems:
            key = max((k for k in self.origin if _is_prefix(k, p.field)), key=len)
            loc = self.origin[key]
            field = format_loc(loc) + p.field[len(key) :] if key else p.field
            problems.append(Problem(self.lines.file, self.lines.line(loc), field, p.message))
        return InputError(problems)


def _is_prefix(key: str, field: str) -> bool:
    return key == "" or field == key or field.startswith((f"{key}.", f"{key}["))


def _gmcr_mask(pattern: str | AndList) -> tuple[int, int]:
    """(mask, value) of a .gmcr pattern, bit j standing for option id j."""
    literals: Iterable[tuple[int, str]] = (
        ((j, c) for j, c in enumerate(pattern.upper()) if c != "-") if isinstance(pattern, str) else pattern
    )
    mask = value = 0
    for j, v in literals:
        mask |= 1 << j
        value |= (v == "Y") << j
    return mask, value


class GmcrWarning(UserWarning):
    """Something in a ``.gmcr`` file that detente reads but cannot represent (it is dropped)."""


def _notes(g: GmcrFile, file: str) -> list[str]:
    """What the reading dropped, in words (misperceptions: not turned into perceived games)."""
    who = [dm.name for dm in g.decisionMakers if dm.misperceptions not in (None, [], {})]
    if not who:
        return []
    return [
        f"{file}: the misperceptions of {', '.join(who)} were dropped; detente reads the real game only "
        "(give each side's perceived preferences as perceptions in a scenario file for a hypergame)"
    ]


def _read_all(path: str | Path) -> tuple[ConflictSpec, Conflict, list[str]]:
    p = Path(path)
    data, lines = _parse_json(read_text(p), str(p))
    g = validate_model(GmcrFile, data, lines)
    reader = _Reader(g, lines)
    reader.check()
    spec = reader.build(str(p))
    try:
        conflict = compile_conflict(spec, LineMap(str(p)))
    except InputError as exc:
        raise reader.remap(exc) from exc
    notes = _notes(g, str(p))
    for note in notes:
        warnings.warn(note, GmcrWarning, stacklevel=3)
    return spec, conflict, notes


def _read(path: str | Path) -> tuple[ConflictSpec, Conflict]:
    spec, conflict, _ = _read_all(path)
    return spec, conflict


def read_gmcr_notes(path: str | Path) -> tuple[ConflictSpec, list[str]]:
    """:func:`read_gmcr` and the notes on what was dropped (misperceptions), for faces to show."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GmcrWarning)
        spec, _, notes = _read_all(path)
    return spec, notes


def read_gmcr(path: str | Path) -> ConflictSpec:
    """Read a GMCR+ ``.gmcr`` file as a detente :class:`ConflictSpec` (see the module docstring).

    Raises InputError naming the file, line and field of every problem, including those found only
    when the conflict is compiled (an empty feasible set, a ranking that leaves out states).
    """
    return _read(path)[0]


def load_gmcr(path: str | Path) -> Conflict:
    """Read and compile a ``.gmcr`` file."""
    return _read(path)[1]


def load_any(path: str | Path) -> Conflict:
    """Load a conflict from a detente YAML file or, by its ``.gmcr`` suffix, a GMCR+ file."""
    return load_gmcr(path) if Path(path).suffix.lower() == GMCR_SUFFIX else load_conflict(path)


def read_any(path: str | Path) -> ConflictSpec:
    """The :class:`ConflictSpec` of a detente YAML or ``.gmcr`` file, checked by compiling it."""
    return read_gmcr(path) if Path(path).suffix.lower() == GMCR_SUFFIX else _spec_of_yaml(path)


def _spec_of_yaml(path: str | Path) -> ConflictSpec:
    spec: ConflictSpec = load_conflict(path).spec  # load_conflict keeps the spec it compiled
    return spec


# -- writing ----------------------------------------------------------------------------------------
Term = frozenset[tuple[str, bool]]


def dnf(expr: st.Expr, positive: bool = True) -> list[Term]:
    """Disjunctive normal form of a statement (or of its negation when ``positive`` is false).

    Each term is a set of (option, value) literals; contradictory terms are dropped and terms that
    contain another term are absorbed (``[]``: no term survives, the statement is never true).
    """
    if isinstance(expr, st.Lit):
        return [frozenset({(expr.option, positive)})]
    if isinstance(expr, st.Not):
        return dnf(expr.arg, not positive)
    a, b = expr.left, expr.right
    if expr.op == "iff":
        same = _or(_and(dnf(a), dnf(b)), _and(dnf(a, False), dnf(b, False)))
        differ = _or(_and(dnf(a), dnf(b, False)), _and(dnf(a, False), dnf(b)))
        return same if positive else differ
    if expr.op == "if":  # a if b == a | -b
        return _or(dnf(a), dnf(b, False)) if positive else _and(dnf(a, False), dnf(b))
    conjunctive = (expr.op == "&") == positive
    return (
        _and(dnf(a, positive), dnf(b, positive)) if conjunctive else _or(dnf(a, positive), dnf(b, positive))
    )


def _and(left: list[Term], right: list[Term]) -> list[Term]:
    terms = [x | y for x in left for y in right]
    return _or([t for t in terms if len({name for name, _ in t}) == len(t)], [])


def _or(left: list[Term], right: list[Term]) -> list[Term]:
    terms = list(dict.fromkeys(left + right))
    return [t for t in terms if not any(u < t for u in terms)]


def _tiers(ranks: npt.NDArray[np.int64]) -> list[npt.NDArray[np.int64]]:
    """State indices grouped by rank, best first, each group in ascending order."""
    order = np.lexsort((np.arange(ranks.size), -ranks))
    cuts = np.flatnonzero(np.diff(ranks[order])) + 1
    return list(np.split(order, cuts))


def spec_from_conflict(conflict: Conflict) -> ConflictSpec:
    """A :class:`ConflictSpec` that compiles back to ``conflict``, preferences as explicit rankings.

    Options are declared decision maker by decision maker; rankings and infeasible patterns are Y/N
    strings in that order. The constraints of the conflict's own spec are kept when they give the
    same feasible states, otherwise every infeasible state is listed.
    """
    order = [j for dm in conflict.decision_makers for j in dm.options]

    def label(code: int) -> str:
        return "".join("Y" if code >> j & 1 else "N" for j in order)

    kept = conflict.spec
    if kept is not None and _compiles_to(kept, conflict, with_ranks=False):
        constraints = kept.constraints
    else:
        infeasible = np.setdiff1d(np.arange(1 << conflict.n_options), conflict.states)
        constraints = ConstraintsSpec(infeasible=[InfeasibleSpec(pattern=label(int(c))) for c in infeasible])
    dms = []
    for i, dm in enumerate(conflict.decision_makers):
        tiers: list[list[str] | str] = []
        for tier in _tiers(conflict.ranks[i]):
            labels = [label(int(conflict.states[s])) for s in tier]
            tiers.append(labels[0] if len(labels) == 1 else labels)
        options = [
            OptionSpec(
                name=conflict.options[j].name,
                description=conflict.options[j].description,
                reversibility=conflict.options[j].direction.name.lower(),
                evidence=list(conflict.options[j].evidence),
            )
            for j in dm.options
        ]
        dms.append(
            DecisionMakerSpec(
                name=dm.name,
                description=dm.description,
                options=options,
                preferences=PreferenceSpec(ranking=tiers),
                evidence=list(dm.evidence),
            )
        )
    names = [d.name for d in conflict.decision_makers]
    return ConflictSpec(
        name=conflict.name,
        description=conflict.description,
        source=conflict.source,
        decision_makers=dms,
        constraints=constraints,
        status_quo=None if conflict.status_quo is None else label(int(conflict.states[conflict.status_quo])),
        coalitions=[[names[i] for i in c] for c in conflict.coalitions],
        evidence=list(kept.evidence) if kept is not None else [],
    )


def gmcr_dict(item: Conflict | ConflictSpec) -> dict[str, Any]:
    """The ``.gmcr`` JSON object of a conflict or a spec (see the module docstring).

    Option ids follow the compiled conflict's option order, so state numbers are detente's. Each
    decision maker gets a ``preferenceRanking``; statements are written as well when every decision
    maker's preferences are untied statements of a spec, and are then the ones in use.
    """
    if isinstance(item, ConflictSpec):
        spec: ConflictSpec | None = item
        conflict = compile_conflict(item)
    else:
        conflict = item
        spec = item.spec if item.spec is not None and _compiles_to(item.spec, item) else None
    index = {o.name: j for j, o in enumerate(conflict.options)}
    statements = _gmcr_statements(spec, index) if spec is not None else None
    dms = []
    for i, dm in enumerate(conflict.decision_makers):
        ranking: list[list[int] | int] = []
        for tier in _tiers(conflict.ranks[i]):
            numbers = [int(s) + 1 for s in tier]
            ranking.append(numbers[0] if len(numbers) == 1 else numbers)
        dms.append(
            {
                "name": dm.name,
                "options": list(dm.options),
                "preferences": statements[i] if statements is not None else [],
                "preferenceRanking": ranking,
            }
        )
    out: dict[str, Any] = {
        "options": [
            {"name": o.name, "permittedDirection": _DIRECTION_TO_GMCR[o.direction]} for o in conflict.options
        ],
        "decisionMakers": dms,
        "infeasibles": _gmcr_infeasibles(conflict, spec),
        "useManualPreferenceRanking": statements is None,
        "coalitions": [list(c) for c in conflict.coalitions],
    }
    extras: dict[str, Any] = {"name": conflict.name}
    if conflict.description:
        extras["description"] = conflict.description
    if conflict.source:
        extras["source"] = conflict.source
    if conflict.status_quo is not None:
        extras["statusQuo"] = conflict.status_quo + 1
    out["detente"] = extras
    return out


def _compiles_to(spec: ConflictSpec, conflict: Conflict, with_ranks: bool = True) -> bool:
    """Does ``spec`` compile to ``conflict``: same options in the same order, same feasible states
    and (``with_ranks``) the same preferences? False for a spec that no longer compiles."""
    try:
        compiled = compile_conflict(spec)
    except InputError:
        return False
    return (
        [o.name for o in compiled.options] == [o.name for o in conflict.options]
        and np.array_equal(compiled.states, conflict.states)
        and (not with_ranks or np.array_equal(compiled.ranks, conflict.ranks))
    )


def _gmcr_statements(spec: ConflictSpec, index: dict[str, int]) -> list[list[Any]] | None:
    """Each decision maker's statements as .gmcr preferences, or None if one cannot be written so."""
    out: list[list[Any]] = []
    for dm in spec.decision_makers:
        items = dm.preferences.statements
        if items is None or any(isinstance(item, TiedSpec) for item in items):
            return None
        prefs: list[Any] = []
        for item in items:
            text = item.statement if isinstance(item, StatementSpec) else str(item)
            expr = st.parse(text, index)
            if _is_constant(expr):
                continue  # no effect on the ranking, and neither GMCR+ form can say it
            terms = dnf(expr)
            conjunctions = [sorted([index[name], "Y" if v else "N"] for name, v in t) for t in terms]
            prefs.append(
                conjunctions[0] if len(conjunctions) == 1 else {"compound": True, "members": conjunctions}
            )
        out.append(prefs)
    return out


def _is_constant(expr: st.Expr) -> bool:
    """Is the statement true in every state, or in none (its truth table over its own options)?"""
    mentioned = {name: k for k, name in enumerate(sorted(st.options_in(expr)))}
    values = st.evaluate(expr, np.arange(1 << len(mentioned), dtype=np.int64), mentioned)
    return bool(values.all() or not values.any())


def _gmcr_infeasibles(conflict: Conflict, spec: ConflictSpec | None) -> list[list[list[int | str]]]:
    """Infeasible patterns as AND-lists: the spec's constraints when present, else every infeasible state."""
    m = conflict.n_options
    patterns: list[tuple[int, int]] = []
    if spec is not None:
        names = [o.name for o in conflict.options]
        index = {name: j for j, name in enumerate(names)}
        c = spec.constraints
        patterns += [pattern_of(inf.pattern, names) for inf in c.infeasible]
        for group in c.mutually_exclusive:
            bits = [index[n] for n in group.options]
            patterns += [
                (1 << a | 1 << b, 1 << a | 1 << b) for q, a in enumerate(bits) for b in bits[q + 1 :]
            ]
        patterns += [(sum(1 << index[n] for n in g.options), 0) for g in c.at_least_one]
        patterns += [
            (1 << index[r.option] | 1 << index[r.requires], 1 << index[r.option]) for r in c.requires
        ]
    else:
        infeasible = np.setdiff1d(np.arange(1 << m), conflict.states)
        patterns = [((1 << m) - 1, int(code)) for code in infeasible]
    return [
        [[j, "Y" if value >> j & 1 else "N"] for j in range(m) if mask >> j & 1] for mask, value in patterns
    ]


def write_gmcr(item: Conflict | ConflictSpec, path: str | Path) -> None:
    """Write a conflict or spec as a GMCR+ ``.gmcr`` JSON file, atomically."""
    atomic_write_text(path, json.dumps(gmcr_dict(item), indent=2) + "\n")


def yaml_text(spec: ConflictSpec) -> str:
    """A detente conflict YAML document for ``spec`` (defaults left out)."""
    data = spec.model_dump(mode="json", exclude_defaults=True)
    return dump_yaml(data)


def write_yaml(item: Conflict | ConflictSpec, path: str | Path) -> None:
    """Write a spec (or a conflict, preferences as explicit rankings) as detente conflict YAML, atomically."""
    if isinstance(item, ConflictSpec):
        spec = item
    elif item.spec is not None and _compiles_to(item.spec, item):
        spec = item.spec
    else:
        spec = spec_from_conflict(item)
    atomic_write_text(path, yaml_text(spec))


def convert(source: str | Path, target: str | Path) -> None:
    """Convert between detente YAML and ``.gmcr`` by the target's suffix (anything else is YAML)."""
    spec = read_any(source)
    if Path(target).suffix.lower() == GMCR_SUFFIX:
        write_gmcr(spec, target)
    else:
        write_yaml(spec, target)

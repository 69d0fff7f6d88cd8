"""Readers for the published input formats of spatial bargaining models, each -> IssueSpace.

Formats (``FORMATS``; where each comes from is in the data folder's SOURCES.md):

* ``yaml``: detente's own issue-space YAML (``detente.io.forecast_spec``), read at its point values.
* ``ktab-csv``: KTAB SMP CSV (KAPSARC). Row 1: scenario name, description, #actors, #dimensions;
  row 2: header; then ``Actor, Description, Power, (Position, Salience) per dimension`` on 0-100.
* ``ktab-xml``: KTAB SMP XML (``Scenario/Actors/Actor`` with ``capability``, ``Position/dCoord``,
  ``Salience/dSal``; smpSchema.xsd).
* ``nxcs``: tab-separated ``Name x c s`` (decisionmechanics/eum); salience 0-1.
* ``acps``: CSV with actor, capability, position, salience columns (e.g. ``Actor,Capability,Position,
  Salience``; also ``Stakeholder/Resources`` and ``name,position,capabilities,salience`` spellings);
  salience 0-1 or 0-100.
* ``exchange``: the ``#A/#P/#M/#D`` rows of the Stokman exchange model (decide-exchange-model):
  actors, issues, issue scale (two ``#M`` rows), and ``actor, issue, position, salience 0-1, power``.
* ``deu``: DEU III (Arregui & Perarnaud 2021, doi:10.34810/data53), tab-separated; per actor a
  position (``p*``) and a salience (``s*``) column, ``rp`` = reference point, ``out`` = outcome,
  a GDP row (the first data row) giving the capabilities. Every row is one issue on 0-100.

Saliences are stored on 0-100 (a 0-1 column is multiplied by 100). A file without a declared
position scale gets the scale (min, max) of its positions. Every problem found is reported at once
as an :class:`~detente.errors.InputError` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NoReturn, get_args
from xml.parsers import expat

import numpy as np

from detente.errors import InputError, Problem
from detente.forecast.space import Case, FloatArray, IssueSpace
from detente.io.forecast_spec import MAX_MAGNITUDE
from detente.io.yamlio import read_text, shorten, shown

Format = Literal["yaml", "ktab-csv", "ktab-xml", "nxcs", "acps", "exchange", "deu"]
FORMATS: tuple[Format, ...] = get_args(Format)

SALIENCE_TOLERANCE = 1e-6
"""Slack on the 0-100 salience range and on KTAB's rule that an actor's saliences sum to at most 100."""


@dataclass(frozen=True, eq=False)
class Imported:
    """Everything read from one file."""

    file: str
    format: Format
    cases: tuple[Case, ...]

    @property
    def case(self) -> Case:
        """The single case of a one-case file."""
        if len(self.cases) != 1:
            raise InputError(
                [Problem(self.file, None, "", f"holds {len(self.cases)} issues; pick one or run a back-test")]
            )
        return self.cases[0]

    @property
    def space(self) -> IssueSpace:
        """The single issue space of a one-case file."""
        return self.case.space


# -- shared helpers -----------------------------------------------------------------------------
class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []

    def add(self, line: int | None, column: str, message: str) -> None:
        """Record a problem; a column name or message made long by the file's own text is cut short."""
        self.items.append(Problem(self.file, line, shorten(column), shorten(message, 300)))

    def number(self, cell: str | None, line: int, column: str) -> float:
        """``cell`` as a finite float of magnitude at most :data:`MAX_MAGNITUDE`, or NaN after
        recording a problem."""
        text = (cell or "").strip().strip("'\"")
        try:
            value = float(text)
        except ValueError:
            self.add(line, column, f"not a number: {shown(cell, 40)}" if text else "missing value")
            return math.nan
        if not math.isfinite(value):
            self.add(line, column, f"not a finite number: {shown(cell, 40)}")
            return math.nan
        if abs(value) > MAX_MAGNITUDE:
            self.add(line, column, f"{shown(cell, 40)} is too large: numbers lie within ±{MAX_MAGNITUDE:g}")
            return math.nan
        return value

    def count(self, cell: str | None, line: int, column: str, least: int) -> int:
        """``cell`` as a whole number of at least ``least``, or ``least`` after recording a problem."""
        value = self.number(cell, line, column)
        if math.isnan(value):
            return least
        if not value.is_integer() or value < least:
            self.add(line, column, f"expected a whole number of at least {least}, found {shown(cell, 40)}")
            return least
        return int(value)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)

    def fail(self, line: int | None, column: str, message: str) -> NoReturn:
        self.add(line, column, message)
        raise InputError(self.items)


@dataclass
class _Actor:
    name: str
    line: int
    capability: float
    positions: list[float]
    salience: list[float]
    columns: tuple[str, str, str] = ("capability", "position", "salience")
    dim_columns: list[tuple[str, str]] = field(default_factory=list)


def _space(
    out: _Problems,
    actors: Sequence[_Actor],
    dims: Sequence[str],
    *,
    name: str,
    scale: Sequence[tuple[float, float]] | None = None,
    salience_sum_max: float | None = None,
    status_quo: FloatArray | None = None,
) -> IssueSpace:
    """Check the common rules and build the IssueSpace (positions within ``scale`` when it is given)."""
    seen: dict[str, int] = {}
    for a in actors:
        cap_col, pos_col, sal_col = a.columns
        cols = a.dim_columns or [(pos_col, sal_col)] * len(dims)
        if a.name in seen:
            out.add(a.line, "actor", f"duplicate actor {shown(a.name)} (first on line {seen[a.name]})")
        seen.setdefault(a.name, a.line)
        if not a.name:
            out.add(a.line, "actor", "empty actor name")
        if a.capability < 0:
            out.add(a.line, cap_col, f"capability {a.capability:g} is negative")
        for k, (p, s) in enumerate(zip(a.positions, a.salience, strict=True)):
            if not -SALIENCE_TOLERANCE <= s <= 100 + SALIENCE_TOLERANCE:
                out.add(a.line, cols[k][1], f"salience {s:g} lies outside 0-100")
            if scale is not None and not scale[k][0] <= p <= scale[k][1]:
                lo, hi = scale[k]
                out.add(a.line, cols[k][0], f"position {p:g} lies outside the scale [{lo:g}, {hi:g}]")
        if salience_sum_max is not None and sum(a.salience) > salience_sum_max + SALIENCE_TOLERANCE:
            out.add(
                a.line, "salience", f"saliences add up to {sum(a.salience):g}, more than {salience_sum_max:g}"
            )
    if len(actors) < 2:
        out.add(None, "", f"needs at least two actors, found {len(actors)}")
    out.raise_if_any()
    cap = np.array([a.capability for a in actors])
    if not cap.sum() > 0:
        out.fail(None, actors[0].columns[0], "the capabilities add up to zero")
    pos = np.array([a.positions for a in actors], dtype=np.float64).reshape(len(actors), len(dims))
    sal = np.clip(np.array([a.salience for a in actors], dtype=np.float64), 0, 100).reshape(pos.shape)
    if scale is None:
        scale = [_data_scale(pos[:, k]) for k in range(len(dims))]
    return IssueSpace(
        tuple(a.name for a in actors), cap, pos, sal, tuple(dims), tuple(scale), (), status_quo, name
    )


def _data_scale(column: FloatArray) -> tuple[float, float]:
    """(min, max) of the positions; a single repeated position gets a unit-wide scale around it."""
    lo, hi = float(column.min()), float(column.max())
    return (lo, hi) if lo < hi else (lo - 0.5, hi + 0.5)


def _salience_factor(out: _Problems, values: Sequence[tuple[float, int, str]]) -> float:
    """100 if the column is on 0-1 (every value <= 1), else 1 (0-100).

    A column whose values are mostly below 1 but which holds a value above 1 is ambiguous and is
    reported (e.g. one salience of 2 among fractions).
    """
    finite = [(v, line, col) for v, line, col in values if math.isfinite(v)]
    if not finite or max(v for v, _, _ in finite) <= 1:
        return 100.0
    small = [v for v, _, _ in finite if 0 < v < 1]
    if len(small) * 2 > len(finite):
        v, line, col = next(x for x in finite if x[0] > 1)
        out.add(line, col, f"salience {v:g} is above 1 while most saliences are fractions of 1")
    return 1.0


def _lines(path: Path) -> list[str]:
    return read_text(path).replace("\ufeff", "").splitlines()


_CSV_LIMIT = threading.Lock()


def _split(line: str, delimiter: str) -> list[str]:
    """The cells of one CSV line, however long a field is (the csv module stops at 131,072 characters
    unless its process-wide limit is raised, which is done here only for the line that needs it)."""
    try:
        return next(csv.reader([line], delimiter=delimiter))
    except csv.Error:
        with _CSV_LIMIT:
            limit = csv.field_size_limit()
            csv.field_size_limit(max(limit, len(line) + 1))
            try:
                return next(csv.reader([line], delimiter=delimiter))
            finally:
                csv.field_size_limit(limit)


def _csv_rows(lines: Sequence[str], delimiter: str, file: str) -> Iterator[tuple[int, list[str]]]:
    """(1-based line, cells) of each line with a non-empty cell, cells stripped, trailing empty cells
    dropped; a line the csv module cannot split is an InputError naming it."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            cells = [c.strip() for c in _split(line, delimiter)]
        except csv.Error as exc:
            raise InputError([Problem(file, number, "", f"cannot read this line: {exc}")]) from exc
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            yield number, cells


# -- KTAB CSV -----------------------------------------------------------------------------------
def read_ktab_csv(path: Path) -> Imported:
    """KTAB SMP CSV: scenario row, header row, ``Actor, Description, Power, (Position, Salience)*``."""
    out = _Problems(str(path))
    rows = list(_csv_rows(_lines(path), ",", str(path)))
    if len(rows) < 3:
        out.fail(None, "", "a KTAB CSV needs a scenario row, a header row and actor rows")
    (l1, scen), (l2, header) = rows[0], rows[1]
    n_actors = out.count(scen[2] if len(scen) > 2 else "", l1, "number of actors", 2)
    n_dims = out.count(scen[3] if len(scen) > 3 else "", l1, "number of dimensions", 1)
    out.raise_if_any()
    if len(header) < 3 + 2 * n_dims:
        out.fail(l2, "header", f"{len(header)} columns, expected {3 + 2 * n_dims} for {n_dims} dimension(s)")
    dim_cols = [(header[3 + 2 * k], header[4 + 2 * k]) for k in range(n_dims)]
    dims = [_strip_suffix(p, " Position") for p, _ in dim_cols]
    actors: list[_Actor] = []
    for line, cells in rows[2:]:
        if len(cells) < 3 + 2 * n_dims:
            out.add(
                line,
                header[min(len(cells), len(header) - 1)],
                f"{len(cells)} columns, expected {len(header)}",
            )
            continue
        actors.append(
            _Actor(
                cells[0],
                line,
                out.number(cells[2], line, header[2]),
                [out.number(cells[3 + 2 * k], line, dim_cols[k][0]) for k in range(n_dims)],
                [out.number(cells[4 + 2 * k], line, dim_cols[k][1]) for k in range(n_dims)],
                (header[2], dim_cols[0][0], dim_cols[0][1]),
                dim_cols,
            )
        )
    if len(actors) != n_actors and not out.items:
        out.add(
            l1,
            "number of actors",
            f"the scenario row announces {n_actors} actors, the file has {len(actors)}",
        )
    out.raise_if_any()
    space = _space(out, actors, dims, name=scen[0], scale=[(0.0, 100.0)] * n_dims, salience_sum_max=100.0)
    return Imported(str(path), "ktab-csv", (Case(space, scen[0], l1),))


def _strip_suffix(text: str, suffix: str) -> str:
    return text[: -len(suffix)] if text.endswith(suffix) and len(text) > len(suffix) else text


# -- KTAB XML -----------------------------------------------------------------------------------
@dataclass
class _Node:
    tag: str
    line: int
    text: str = ""
    children: list[_Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    def find(self, tag: str) -> _Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[_Node]:
        return [c for c in self.children if c.tag == tag]


class _RefusedXml(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _parse_xml(path: Path) -> _Node:
    """A minimal element tree that remembers the line of each element.

    expat, with entity declarations refused (a few hundred bytes of nested internal entities expand
    to gigabytes, and external ones reach outside the file), and each element's text gathered in a
    list and joined once, so building it takes time linear in the file's size.
    """
    root = _Node("", 0)
    stack = [root]
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def start(tag: str, _attrs: dict[str, str]) -> None:
        node = _Node(tag, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        node = stack.pop()
        node.text, node.parts = "".join(node.parts), []

    def text(data: str) -> None:
        stack[-1].parts.append(data)

    def entity(name: str, *_args: object) -> None:
        raise _RefusedXml(
            parser.CurrentLineNumber,
            f"the file declares an entity ({shown(name, 40)}); entity declarations are not supported",
        )

    def external(*_args: object) -> int:
        raise _RefusedXml(parser.CurrentLineNumber, "external entities are not supported")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError([Problem(str(path), None, "", f"cannot read file: {reason}")]) from exc
    try:
        parser.Parse(raw, True)
    except _RefusedXml as exc:
        raise InputError([Problem(str(path), exc.line, "", str(exc))]) from exc
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code) if exc.code else str(exc)
        raise InputError([Problem(str(path), exc.lineno, "", f"malformed XML: {reason}")]) from exc
    except (LookupError, ValueError) as exc:  # an encoding expat or Python does not know
        message = f"the XML declaration names an encoding that cannot be read ({shorten(str(exc), 80)})"
        raise InputError([Problem(str(path), 1, "", message)]) from exc
    return root


def read_ktab_xml(path: Path) -> Imported:
    """KTAB SMP XML scenario (smpSchema.xsd): dimensions, and per actor capability, dCoord and dSal."""
    out = _Problems(str(path))
    scenario = _parse_xml(path).find("Scenario")
    if scenario is None:
        out.fail(1, "Scenario", "no <Scenario> element")
    if scenario.find("govBudget") is not None:
        out.fail(
            scenario.line,
            "Scenario",
            "a KTAB reform-priorities scenario (orderings) is not an issue space",
        )
    name = (scenario.find("name") or _Node("name", 0, path.stem)).text.strip()
    dims = [d.text.strip() for d in (scenario.find("Dimensions") or _Node("", 0)).findall("dName")]
    actors: list[_Actor] = []
    for a in (scenario.find("Actors") or _Node("", 0)).findall("Actor"):
        label = (a.find("name") or _Node("name", a.line)).text.strip()
        cap = a.find("capability") or _Node("capability", a.line)
        capability = out.number(cap.text, cap.line, f"{label}.capability")
        coords = _xml_values(out, a, "Position", "dCoord", label)
        sals = _xml_values(out, a, "Salience", "dSal", label)
        if not dims:
            dims = [f"dim{k + 1}" for k in range(len(coords))]
        for what, values in (("Position", coords), ("Salience", sals)):
            if len(values) != len(dims):
                out.add(a.line, f"{label}.{what}", f"{len(values)} values for {len(dims)} dimension(s)")
        if len(coords) == len(sals) == len(dims):
            actors.append(_Actor(label, a.line, capability, coords, sals))
    smp_params = _ktab_model_parameters(out, scenario.find("ModelParameters"))
    out.raise_if_any()
    space = _space(out, actors, dims, name=name, scale=[(0.0, 100.0)] * len(dims), salience_sum_max=100.0)
    return Imported(str(path), "ktab-xml", (Case(space, name, scenario.line, params={"smp": smp_params}),))


KTAB_PARAMETERS = {
    "VictoryProbModel": "victory_prob_model",
    "PCEModel": "pce_model",
    "StateTransitions": "state_transitions",
    "VotingRule": "voting_rule",
    "BigRAdjust": "big_r_adjust",
    "BigRRange": "big_r_range",
    "ThirdPartyCommit": "third_party_commit",
    "InterVecBrgn": "inter_vec_brgn",
    "BargnModel": "bargn_model",
}
"""KTAB XML ``ModelParameters`` tags and the :func:`detente.forecast.models.smp.run` keywords they set."""


def _ktab_model_parameters(out: _Problems, node: _Node | None) -> dict[str, object]:
    """The SMP settings a KTAB XML scenario names (KTAB's own values, passed on unchanged)."""
    params: dict[str, object] = {}
    for child in node.children if node is not None else ():
        key = KTAB_PARAMETERS.get(child.tag)
        if key is None:
            out.add(child.line, f"ModelParameters.{child.tag}", "not a KTAB SMP model parameter")
        elif child.text.strip():
            params[key] = child.text.strip()
    return params


def _xml_values(out: _Problems, actor: _Node, group: str, tag: str, label: str) -> list[float]:
    node = actor.find(group)
    if node is None:
        out.add(actor.line, f"{label}.{group}", f"missing <{group}>")
        return []
    return [
        out.number(c.text, c.line, f"{label}.{group}.{tag}[{k}]") for k, c in enumerate(node.findall(tag))
    ]


# -- single-issue tables: `Name x c s` and Actor/Capability/Position/Salience CSV --------------------
_ACTOR = ("actor", "name", "stakeholder", "country", "")
_CAPABILITY = ("capability", "capabilities", "c", "resources", "power", "clout", "influence")
_POSITION = ("position", "x")
_SALIENCE = ("salience", "s")


def _column(header: Sequence[str], names: Sequence[str]) -> int | None:
    low = [h.strip().lower() for h in header]
    return next((low.index(n) for n in names if n in low), None)


def _read_table(path: Path, fmt: Format, delimiter: str) -> Imported:
    out = _Problems(str(path))
    rows = list(_csv_rows(_lines(path), delimiter, str(path)))
    if not rows:
        out.fail(None, "", "empty file")
    hline, header = rows[0]
    idx = {
        "actor": _column(header, _ACTOR) if fmt == "acps" else 0,
        "capability": _column(header, _CAPABILITY),
        "position": _column(header, _POSITION),
        "salience": _column(header, _SALIENCE),
    }
    for role, i in idx.items():
        if i is None:
            out.add(hline, role, f"no {role} column in the header {shown(header, 120)}")
    out.raise_if_any()
    ia, ic, ip, is_ = (int(idx[r] or 0) for r in ("actor", "capability", "position", "salience"))
    cols = (header[ic], header[ip], header[is_])
    actors: list[_Actor] = []
    raw_sal: list[tuple[float, int, str]] = []
    width = max(ia, ic, ip, is_) + 1
    for line, cells in rows[1:]:
        if len(cells) < width:
            out.add(line, header[len(cells)] if len(cells) < len(header) else "", "missing column(s)")
            continue
        s = out.number(cells[is_], line, cols[2])
        raw_sal.append((s, line, cols[2]))
        actors.append(
            _Actor(
                cells[ia],
                line,
                out.number(cells[ic], line, cols[0]),
                [out.number(cells[ip], line, cols[1])],
                [s],
                cols,
            )
        )
    factor = _salience_factor(out, raw_sal)
    out.raise_if_any()
    for a in actors:
        a.salience = [v * factor for v in a.salience]
    space = _space(out, actors, ["issue"], name=path.stem)
    return Imported(str(path), fmt, (Case(space, path.stem, hline),))


def read_nxcs(path: Path) -> Imported:
    """Tab-separated ``Name x c s`` (position, capability, salience 0-1)."""
    return _read_table(path, "nxcs", "\t")


def read_acps(path: Path) -> Imported:
    """CSV with actor, capability, position and salience columns (extra columns are ignored)."""
    return _read_table(path, "acps", ",")


# -- exchange model `#A/#P/#M/#D` -------------------------------------------------------------------
def read_exchange(path: Path) -> Imported:
    """Stokman exchange-model input: ``#A`` actors, ``#P`` issues, ``#M`` issue ends, ``#D`` data.

    ``#D`` rows are ``actor, issue, position, salience (0-1), power``; an actor's power must be the
    same on every issue (an IssueSpace has one capability per actor). An actor with no ``#D`` row on
    an issue gets salience 0 there and the capability x salience weighted mean as position, so it
    weighs nothing and widens no range.
    """
    out = _Problems(str(path))
    actors: dict[str, int] = {}
    issues: dict[str, int] = {}
    ends: dict[str, list[float]] = {}
    data: dict[tuple[str, str], tuple[int, float, float, float]] = {}
    for line, cells in _csv_rows(_lines(path), "\t", str(path)):
        cells = [c.strip("'\"") for c in cells]
        tag = cells[0]
        need = {"#A": 2, "#P": 2, "#M": 3, "#D": 6}.get(tag)
        if need is None:
            out.add(line, "tag", f"unknown row tag {shown(tag)} (expected #A, #P, #M or #D)")
            continue
        if len(cells) < need:
            out.add(line, tag, f"{len(cells)} columns, expected {need}")
            continue
        if tag == "#A":
            if cells[1] in actors:
                out.add(
                    line, "actor", f"duplicate actor {shown(cells[1])} (first on line {actors[cells[1]]})"
                )
            actors.setdefault(cells[1], line)
        elif tag == "#P":
            issues.setdefault(cells[1], line)
        elif tag == "#M":
            ends.setdefault(cells[1], []).append(out.number(cells[2], line, "issue end"))
        else:
            actor, issue = cells[1], cells[2]
            if actor not in actors:
                out.add(line, "actor", f"unknown actor {shown(actor)} (declare it in an #A row)")
            if issue not in issues:
                out.add(line, "issue", f"unknown issue {shown(issue)} (declare it in a #P row)")
            if (actor, issue) in data:
                out.add(line, "issue", f"second row for {shown(actor)} on {shown(issue)}")
            data[(actor, issue)] = (
                line,
                out.number(cells[3], line, "position"),
                out.number(cells[4], line, "salience"),
                out.number(cells[5], line, "power"),
            )
    for issue, line in issues.items():
        if len(ends.get(issue, [])) != 2:
            out.add(line, "#M", f"issue {shown(issue)} needs exactly two #M rows (its low and high end)")
        elif ends[issue][0] == ends[issue][1]:
            out.add(line, "#M", f"issue {shown(issue)} has the same low and high end ({ends[issue][0]:g})")
    out.raise_if_any()
    dims = list(issues)
    scale = [(min(ends[i]), max(ends[i])) for i in dims]
    rows: list[_Actor] = []
    for name, aline in actors.items():
        powers = {data[(name, i)][3] for i in dims if (name, i) in data}
        if len(powers) > 1:
            out.add(
                aline,
                "power",
                f"actor {shown(name)} has different powers on different issues: {sorted(powers)}",
            )
        if not powers:
            out.add(aline, "actor", f"actor {shown(name)} has no #D row")
            continue
        pos = [data[(name, i)][1] if (name, i) in data else math.nan for i in dims]
        sal = [data[(name, i)][2] * 100 if (name, i) in data else 0.0 for i in dims]
        first = min(data[(name, i)][0] for i in dims if (name, i) in data)
        rows.append(_Actor(name, first, powers.pop(), pos, sal, ("power", "position", "salience")))
    for line, _, s, _ in data.values():
        if not 0 <= s <= 1:
            out.add(line, "salience", f"salience {s:g} lies outside 0-1")
    out.raise_if_any()
    _fill_absent(rows)
    space = _space(out, rows, dims, name=path.stem, scale=scale)
    return Imported(str(path), "exchange", (Case(space, path.stem, 1),))


def _fill_absent(rows: Sequence[_Actor]) -> None:
    """Give absent actor-issue pairs (NaN position) the capability x salience weighted mean position."""
    for k in range(len(rows[0].positions) if rows else 0):
        present = [a for a in rows if not math.isnan(a.positions[k])]
        w = [a.capability * a.salience[k] for a in present]
        mean = (
            sum(wi * a.positions[k] for wi, a in zip(w, present, strict=True)) / sum(w)
            if sum(w) > 0
            else sum(a.positions[k] for a in present) / max(len(present), 1)
        )
        for a in rows:
            if math.isnan(a.positions[k]):
                a.positions[k] = mean


# -- DEU III ------------------------------------------------------------------------------------
def read_deu(path: Path) -> Imported:
    """DEU III: one 0-100 issue per row; actors with a position take part, a missing salience is 0.

    The first data row is the GDP row (capabilities of the actors, by column). ``rp`` (reference
    point) becomes the status quo when given; ``out`` the observed outcome (rows without one are
    kept with ``outcome=None``). With capability = GDP share and these conventions the weighted mean
    of positions has MAE 23.2 against the 353 outcomes, the figure the data's provider reports.
    """
    out = _Problems(str(path))
    rows = list(_csv_rows(_lines(path), "\t", str(path)))
    if not rows:
        out.fail(None, "", "the file is empty")
    hline, header = rows[0]
    header = [h.strip('"') for h in header]
    pcols = [i for i, h in enumerate(header) if h.startswith("p") and "s" + h[1:] in header]
    for col in ("rp", "out"):
        if col not in header:
            out.add(hline, col, f"no {shown(col)} column")
    if not pcols:
        out.add(hline, "p*", "no position columns (p<actor> with a matching s<actor>)")
    if len(rows) < 3:
        out.add(None, "", "needs a GDP row and at least one issue row")
    out.raise_if_any()
    names = [header[i][1:].upper() for i in pcols]
    scols = [header.index("s" + header[i][1:]) for i in pcols]
    irp, iout = header.index("rp"), header.index("out")
    gline, gdp = rows[1]
    caps = [out.number(_cell(gdp, i), gline, header[i]) for i in pcols]
    out.raise_if_any()
    label_col = header.index("isnr") if "isnr" in header else None
    cases: list[Case] = []
    for line, cells in rows[2:]:
        label = _cell(cells, label_col).strip('"') if label_col is not None else f"line {line}"
        members = [k for k, i in enumerate(pcols) if _cell(cells, i)]
        actors = [
            _Actor(
                names[k],
                line,
                caps[k],
                [out.number(_cell(cells, pcols[k]), line, header[pcols[k]])],
                [
                    out.number(_cell(cells, scols[k]), line, header[scols[k]])
                    if _cell(cells, scols[k])
                    else 0.0
                ],
                (header[pcols[k]], header[pcols[k]], header[scols[k]]),
            )
            for k in members
        ]
        rp = out.number(_cell(cells, irp), line, "rp") if _cell(cells, irp) else None
        outcome = out.number(_cell(cells, iout), line, "out") if _cell(cells, iout) else None
        for value, col in ((rp, "rp"), (outcome, "out")):
            if value is not None and not 0 <= value <= 100:
                out.add(line, col, f"{col} {value:g} lies outside 0-100")
        if len(out.items) > 50:
            break
        try:
            space = _space(
                out,
                actors,
                [label],
                name=label,
                scale=[(0.0, 100.0)],
                status_quo=None if rp is None or math.isnan(rp) else np.array([rp]),
            )
        except InputError:
            continue
        cases.append(Case(space, label, line, None if outcome is None else np.array([outcome])))
    out.raise_if_any()
    return Imported(str(path), "deu", tuple(cases))


def _cell(cells: Sequence[str], i: int | None) -> str:
    return cells[i].strip().strip('"') if i is not None and i < len(cells) else ""


# -- detection ----------------------------------------------------------------------------------
def read_yaml(path: Path) -> Imported:
    """A detente issue-space YAML file (``detente.io.forecast_spec``), at its point values."""
    from detente.io.forecast_spec import load_issue_space

    space = load_issue_space(path)
    return Imported(str(path), "yaml", (Case(space, space.name or path.stem, 1),))


READERS: dict[Format, Callable[[Path], Imported]] = {
    "yaml": read_yaml,
    "ktab-csv": read_ktab_csv,
    "ktab-xml": read_ktab_xml,
    "nxcs": read_nxcs,
    "acps": read_acps,
    "exchange": read_exchange,
    "deu": read_deu,
}


def detect_format(path: str | Path) -> Format:
    """Guess a file's format from its first lines (InputError if no format fits)."""
    p = Path(path)
    if p.suffix.lower() in (".yaml", ".yml"):
        return "yaml"
    lines = [line for line in _lines(p)[:3] if line.strip()]
    if not lines:
        raise InputError([Problem(str(p), None, "", "the file is empty")])
    first = lines[0].strip(" \r\n")
    if first.startswith(("<?xml", "<Scenario", "<!--")):
        return "ktab-xml"
    if first.startswith(("'#", "#A", "#P", "#D")):
        return "exchange"
    if "\t" in first:
        cells = [c.strip().strip('"').lower() for c in first.split("\t")]
        if "rp" in cells and "out" in cells:
            return "deu"
        if cells[1:4] == ["x", "c", "s"]:
            return "nxcs"
    if len(lines) > 1 and lines[1].replace(" ", "").lower().startswith("actor,description,"):
        return "ktab-csv"
    if "," in first:
        header = [c.strip() for c in first.split(",")]
        if all(_column(header, names) is not None for names in (_CAPABILITY, _POSITION, _SALIENCE)):
            return "acps"
    raise InputError([Problem(str(p), 1, "", UNRECOGNISED)])


UNRECOGNISED = (
    "unrecognised format: expected a file ending .yaml (detente issue space); a KTAB CSV (row 2 starting "
    "'Actor,Description,'); a KTAB XML (starting '<?xml' or '<Scenario'); an exchange-model file (rows "
    "starting #A, #P, #M, #D); a DEU III table (tab-separated, with 'rp' and 'out' columns); a "
    "tab-separated 'Name x c s' table (nxcs); or a CSV whose header names actor, capability, position "
    "and salience columns (acps)"
)
"""What :func:`detect_format` says when no format fits: the first lines each format starts with."""


def import_file(path: str | Path, fmt: Format | None = None) -> Imported:
    """Read a file in format ``fmt`` (detected when None) into its issue space(s)."""
    p = Path(path)
    if not p.is_file():
        raise InputError([Problem(str(p), None, "", "no such file")])
    return READERS[fmt or detect_format(p)](p)

"""The user guides in docs/*.md cannot drift from the code.

* Every fenced ``yaml`` block whose first line is ``# conflict``, ``# issues``, ``# questions`` or
  ``# resolutions`` is validated (and compiled) like a file of that kind; each top-level section of a
  ``# scenario-fragment`` block is validated against that section's model in the scenario format.
* A ``# conflict-error`` block must be refused, and the ``text`` block right after it must be the
  exact error message (with the file named ``talks.yaml``).
* Every ``yaml`` block is marked with one of these kinds, so none escapes the checks by a typo.
* Every "Fields" table (a Markdown table headed ``| Field |``) follows a comment
  ``<!-- model: module.Class -->`` and lists, in backticks, exactly the fields of that pydantic model.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import BaseModel, TypeAdapter

from detente.errors import InputError
from detente.interventions.scoring import ResolutionsFile
from detente.io.conflict import compile_conflict
from detente.io.conflict_spec import ConflictSpec
from detente.io.forecast_spec import IssueSpaceSpec, compile_uncertain_space
from detente.io.questions import QuestionSetSpec
from detente.io.scenario_spec import ScenarioSpec
from detente.io.yamlio import parse_yaml, validate_model

DOCS = Path(__file__).resolve().parents[1] / "docs"
GUIDES = ("conflict.md", "scenario.md", "forecast.md")
KINDS = ("conflict", "conflict-error", "issues", "questions", "resolutions", "scenario-fragment")
ERROR_FILE = "talks.yaml"

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_MODEL = re.compile(r"<!-- model: ([\w.]+) -->\n((?:\|.*\n)+)")
_TABLE = re.compile(r"^\| *Field *\|.*\n(?:\|.*\n)+", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    lang: str
    text: str

    @property
    def kind(self) -> str:
        first = self.text.split("\n", 1)[0].strip()
        return first[1:].strip() if first.startswith("#") else ""

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def _blocks(doc: str) -> list[Block]:
    text = (DOCS / doc).read_text(encoding="utf-8")
    return [
        Block(doc, text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2)) for m in _FENCE.finditer(text)
    ]


ALL = [b for doc in GUIDES for b in _blocks(doc)]
CHECKED = [b for b in ALL if b.lang == "yaml" and b.kind in KINDS]


def test_every_guide_has_checked_examples() -> None:
    unmarked = [b.id for b in ALL if b.lang == "yaml" and b.kind not in KINDS]
    assert not unmarked, f"yaml blocks without a known kind comment ({', '.join(KINDS)})"
    assert {b.doc for b in CHECKED} == set(GUIDES)
    for kind in KINDS:
        assert any(b.kind == kind for b in CHECKED), kind


@pytest.mark.parametrize("block", CHECKED, ids=lambda b: b.id)
def test_yaml_example(block: Block) -> None:
    # padded so that problems name the line of the guide itself
    data, lines = parse_yaml("\n" * block.line + block.text, block.doc)
    if block.kind == "conflict":
        conflict = compile_conflict(validate_model(ConflictSpec, data, lines), lines)
        assert conflict.n_states >= 1
    elif block.kind == "issues":
        space = compile_uncertain_space(validate_model(IssueSpaceSpec, data, lines), lines)
        assert space.base.n_actors >= 2
    elif block.kind == "questions":
        assert validate_model(QuestionSetSpec, data, lines).questions
    elif block.kind == "conflict-error":
        data, lines = parse_yaml(block.text, ERROR_FILE)
        with pytest.raises(InputError) as caught:
            compile_conflict(validate_model(ConflictSpec, data, lines), lines)
        following = ALL[ALL.index(block) + 1]
        assert following.lang == "text"
        assert str(caught.value) == following.text.strip()
    elif block.kind == "resolutions":
        assert validate_model(ResolutionsFile, data, lines).root
    else:
        assert isinstance(data, dict) and data
        for key, value in data.items():
            assert key in ScenarioSpec.model_fields, f"{key!r} is not a scenario section"
            section = ScenarioSpec.model_fields[key].annotation
            assert section is not None, key
            TypeAdapter(section).validate_python(value)


def _model(path: str) -> type[BaseModel]:
    module, _, name = path.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    assert isinstance(cls, type) and issubclass(cls, BaseModel)
    return cls


def _tables(doc: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _MODEL.finditer((DOCS / doc).read_text(encoding="utf-8"))]


@pytest.mark.parametrize("doc", GUIDES)
def test_every_fields_table_names_its_model(doc: str) -> None:
    text = (DOCS / doc).read_text(encoding="utf-8")
    tables = [t.group(0) for t in _TABLE.finditer(text)]
    assert tables, f"{doc} has no Fields table"
    assert sorted(tables) == sorted(table for _, table in _tables(doc))


@pytest.mark.parametrize("doc", GUIDES)
def test_fields_tables_match_models(doc: str) -> None:
    for path, table in _tables(doc):
        rows = table.strip().split("\n")[2:]
        named = [re.findall(r"`([^`]+)`", row.split("|")[1]) for row in rows]
        fields = {f for cell in named for f in cell}
        assert all(named), f"{path}: a row without a field name"
        assert fields == set(_model(path).model_fields), path

"""docs/clock.md cannot drift from the code: its examples load, its error message is exact, its
Python example runs, and each field table lists exactly the fields of its model."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from detente.errors import InputError
from detente.io.clock import load_clock

DOC = Path(__file__).resolve().parents[2] / "docs" / "clock.md"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_MODEL = re.compile(r"<!-- model: ([\w.]+) -->\n((?:\|.*\n)+)")


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(DOC.read_text(encoding="utf-8"))]


def test_every_yaml_block_is_marked() -> None:
    kinds = [text.splitlines()[0] for lang, text in blocks() if lang == "yaml"]
    assert kinds and set(kinds) <= {"# clock", "# clock-error"}


def test_examples_load_and_python_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = [text for lang, text in blocks() if lang == "yaml" and text.startswith("# clock\n")]
    assert examples
    for k, text in enumerate(examples):
        path = tmp_path / f"example{k}.yaml"
        path.write_text(text, encoding="utf-8")
        load_clock(path)
    (tmp_path / "docs" / "examples").mkdir(parents=True)
    (tmp_path / "docs" / "examples" / "clock.yaml").write_text(examples[0], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for lang, text in blocks():
        if lang == "python":
            exec(compile(text, str(DOC), "exec"), {})


def test_error_example_gives_the_documented_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = blocks()
    k = next(i for i, (lang, text) in enumerate(found) if lang == "yaml" and text.startswith("# clock-error"))
    assert found[k + 1][0] == "text"
    monkeypatch.chdir(tmp_path)
    Path("talks.yaml").write_text(found[k][1], encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_clock("talks.yaml")
    assert str(err.value) == found[k + 1][1].strip()


def test_field_tables_match_the_models() -> None:
    tables = _MODEL.findall(DOC.read_text(encoding="utf-8"))
    assert len(tables) >= 7
    for dotted, table in tables:
        module, name = dotted.rsplit(".", 1)
        model = getattr(importlib.import_module(module), name)
        assert issubclass(model, BaseModel)
        listed = re.findall(r"^\| `(\w+)` \|", table, re.MULTILINE)
        assert listed == list(model.model_fields), dotted

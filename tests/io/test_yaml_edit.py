"""In-place YAML edits (detente.io.yaml_edit): only the edited value's lines change, and the data read
back equals the plain data-level patch (detente.io.patch.apply_intervention) of the parsed input."""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.errors import InputError
from detente.io.patch import Change, apply_intervention
from detente.io.yaml_edit import indents, set_values
from detente.io.yamlio import parse_yaml

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted(
    [*REPO.glob("src/detente/data/*/*.yaml"), *REPO.glob("examples/*/*.yaml")], key=lambda p: str(p)
)


def _path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@functools.cache
def _leaves(file: Path) -> list[tuple[str, Any, int, int, bool]]:
    """Every text or number of the file: (patch path, value, first line, last line, written plain or
    quoted on one line), from PyYAML's node tree (lines from 0), independently of the code under test."""
    text = file.read_text(encoding="utf-8")
    data, _ = parse_yaml(text, str(file))
    out: list[tuple[str, Any, int, int, bool]] = []

    def walk(node: yaml.Node, loc: tuple[str | int, ...], value: Any) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, child in node.value:
                key = key_node.value
                if any(c in key for c in ".[]="):
                    continue
                walk(child, (*loc, key), value[key])
        elif isinstance(node, yaml.SequenceNode):
            for i, child in enumerate(node.value):
                walk(child, (*loc, i), value[i])
        elif isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
            last = node.end_mark.line - (1 if node.end_mark.column == 0 else 0)
            inline = node.style in (None, "'", '"') and node.start_mark.line == last
            out.append((_path(loc), value, node.start_mark.line, last, inline))

    walk(yaml.compose(text, Loader=yaml.SafeLoader), (), data)
    return out


def _changed(before: list[str], after: list[str]) -> list[int]:
    assert len(before) == len(after)
    return [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]


ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
ONE_LINE_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=120)
NUMBER = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**6), 10**6).map(float),
    st.floats(0, 100).map(lambda x: round(x, 2)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_editing_one_value_changes_its_lines_only_and_nothing_else_in_the_data(data: st.DataObject) -> None:
    file = data.draw(st.sampled_from(DOCUMENTS), label="file")
    path, old, first, last, inline = data.draw(st.sampled_from(_leaves(file)), label="field")
    if isinstance(old, str):
        new: Any = data.draw(ANY_TEXT if inline else ONE_LINE_TEXT, label="text")
    else:
        new = data.draw(NUMBER, label="number")
    text = file.read_text(encoding="utf-8")

    edited = set_values(text, [(path, new)], "x.yaml")

    before, _ = parse_yaml(text, "x.yaml")
    after, _ = parse_yaml(edited, "x.yaml")
    assert after == apply_intervention(before, [Change(set=path, value=new)])
    lines, out = text.splitlines(), edited.splitlines()
    if inline:  # a plain or quoted value on one line: exactly that line changes, when the value does
        assert _changed(lines, out) == ([] if new == old else [first])
    else:  # a block (folded, literal, or plain over several lines): the lines around it stay as they were
        tail = len(lines) - last - 1
        assert out[:first] == lines[:first]
        assert out[len(out) - tail :] == lines[len(lines) - tail :]
    assert edited.endswith("\n") == text.endswith("\n")


def test_swapping_two_statements_changes_two_lines_and_keeps_comments() -> None:
    text = (REPO / "src/detente/data/scenarios/dprk_us_2019_06.yaml").read_text(encoding="utf-8")
    base = "conflict.decision_makers[0].preferences.statements"
    edited = set_values(
        text, [(f"{base}[0].statement", "-nk_provoke"), (f"{base}[1].statement", "-nk_broad_step")]
    )
    lines, out = text.splitlines(), edited.splitlines()
    changed = _changed(lines, out)
    assert [(lines[i].strip(), out[i].strip()) for i in changed] == [
        ("- statement: -nk_broad_step", "- statement: -nk_provoke"),
        ("- statement: -nk_provoke", "- statement: -nk_broad_step"),
    ]
    comments = [ln for ln in lines if ln.lstrip().startswith("#")]
    assert len(comments) >= 6 and comments == [ln for ln in out if ln.lstrip().startswith("#")]


def test_a_whole_number_stays_whole_and_quoting_is_kept_or_added_where_needed() -> None:
    text = 'a: 10  # ten\nb: "quoted"\nc: plain\nd: 0.5\ne: plain\n'
    edited = set_values(text, [("a", 15.0), ("b", "new"), ("c", "yes"), ("d", 1e-05), ("e", "x: y")])
    assert edited == "a: 15  # ten\nb: \"new\"\nc: 'yes'\nd: 1.0e-05\ne: 'x: y'\n"
    data, _ = parse_yaml(edited, "x")
    assert data == {"a": 15, "b": "new", "c": "yes", "d": 1e-05, "e": "x: y"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:\n  b:\n    - x: 1\n      y: 2\n", (2, 4, 2)),
        ("a:\n  b:\n  - x: 1\n    y: 2\n", (2, 2, 0)),
        ("a:\n    b:\n        - x: 1\n          y: 2\n", (4, 6, 4)),
        ("a: 1\n", (2, 4, 2)),
    ],
)
def test_the_indentation_is_read_from_the_text(text: str, expected: tuple[int, int, int]) -> None:
    assert indents(text) == expected
    assert set_values(text.replace("1", "7"), [("a" if text == "a: 1\n" else "a.b[0].x", 1.0)]) == text


def test_the_built_in_documents_use_the_project_style() -> None:
    for file in DOCUMENTS:
        assert indents(file.read_text(encoding="utf-8")) == (2, 4, 2), file


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("decision_makers[7].name", "X", "no list item 7 in decision_makers; it has 2"),
        ("decision_makers[0].nickname", "X", "no key 'nickname' in decision_makers[0]"),
        ("decision_makers[name=C].name", "X", "[name=C] matches 0 items of decision_makers"),
        ("decision_makers[0]", "X", "holds a mapping"),
        ("decision_makers[0].name", 3.0, "holds text; got the number 3.0"),
        ("decision_makers[0].name[", "X", "cannot read path"),
        ("decision_makers[0].name", "\ud800", "lone surrogate"),
    ],
)
def test_a_bad_edit_is_refused_naming_its_path(path: str, value: Any, words: str) -> None:
    text = (REPO / "examples/conflicts/chicken.yaml").read_text(encoding="utf-8")
    with pytest.raises(InputError) as info:
        set_values(text, [("decision_makers[0].name", "Z"), (path, value)], "form")
    [problem] = info.value.problems
    assert problem.field == path and words in problem.message and problem.file == "form"


def test_a_number_must_be_finite_and_fit_its_field() -> None:
    with pytest.raises(InputError, match=r"\[a\] inf is not a finite number"):
        set_values("a: 1\n", [("a", math.inf)])
    with pytest.raises(InputError, match=r"\[a\] holds a number; got the text 'x'"):
        set_values("a: 1\n", [("a", "x")])


def test_unsafe_yaml_is_refused_by_the_hardened_loader_before_the_round_trip() -> None:
    # A Python tag and an alias never reach ruamel.yaml: the project's loader refuses them first.
    with pytest.raises(InputError, match="tag"):
        set_values("a: !!python/object/apply:os.system ['true']\nb: 1\n", [("b", 2.0)])
    with pytest.raises(InputError, match="aliases"):
        set_values("a: &x 1\nb: *x\n", [("a", 2.0)])


@pytest.mark.parametrize(
    ("text", "path", "line"),
    [
        ("---\n# about a\na: 1\nb: [1, 2, 3]\nc: {x: 1, y: two}\n...\n", "a", 2),  # markers kept
        ("a:\n    b: 1\n    c:\n      - x: 1\n        y: 2\nd:\n  - 1\n  - 2\n", "a.b", 1),  # mixed indents
        ("a: 1\r\nb: 2\r\n", "b", 1),  # Windows line ends
        ("a: 1\nb: 2", "b", 1),  # no final line end
        ("a: {x: 1, y: 2}\n", "a.y", 0),  # flow style
        ("a: plain text\n  over lines\nb: 1\nc: more\n  text\n", "b", 2),  # joined by ruamel.yaml
        ("l:\n  - plain text\n    over lines\n  - 2\n", "l[1]", 3),
    ],
)
def test_other_layouts_change_only_the_edited_line(text: str, path: str, line: int) -> None:
    edited = set_values(text, [(path, 5.0)])
    assert _changed(text.splitlines(keepends=True), edited.splitlines(keepends=True)) == [line]
    assert "5" in edited.splitlines()[line]


def test_when_the_input_lines_cannot_be_put_back_the_whole_round_trip_is_kept() -> None:
    # Block a is indented by 4, the rest by 2: ruamel.yaml writes a with 2, and putting the input's
    # line for c back beside the new line for b would break the block, so both are written anew.
    text = "a:\n    b: 1\n\n    c: 2\nd:\n  e: 3\nf:\n  g: 4\n"
    edited = set_values(text, [("a.b", 5.0)])
    assert _changed(text.splitlines(), edited.splitlines()) == [1, 3]
    assert parse_yaml(edited, "x")[0] == {"a": {"b": 5, "c": 2}, "d": {"e": 3}, "f": {"g": 4}}


def test_only_text_and_numbers_are_set() -> None:
    for text, words in (("a: null\n", "null"), ("a: true\n", "true or false"), ("a: 2019-06-28\n", "a date")):
        with pytest.raises(InputError, match=rf"\[a\] holds {words}; a form sets only text and numbers"):
            set_values(text, [("a", "x")])

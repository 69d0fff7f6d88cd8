"""Hostile and careless input files (issue 14, issue 11 item 4): each problem is an InputError that
names the file, the line and the field, in words, never a traceback or a blame on an option."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.errors import InputError
from detente.interventions.scoring import ResolutionsFile
from detente.io.conflict import load_conflict
from detente.io.forecast_spec import MAX_MAGNITUDE, load_issue_space
from detente.io.gmcr import load_gmcr
from detente.io.importers import import_file
from detente.io.questions import load_questions
from detente.io.scenario import load_scenario
from detente.io.yamlio import TEMP_SUFFIX, atomic_write, atomic_write_text, parse_yaml, validate_model

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "forecast" / "data"
QUESTIONS = ROOT / "src" / "detente" / "data" / "questions" / "dprk_us_2019.yaml"
SCENARIO = ROOT / "src" / "detente" / "data" / "scenarios" / "dprk_us_2019_10.yaml"
PD = ROOT / "examples" / "conflicts" / "prisoners_dilemma.yaml"
PD_GMCR = ROOT / "tests" / "conflict" / "data" / "prisoners_dilemma.gmcr"
ISSUES = DATA / "issues.yaml"


def _problems(call: object, *args: object) -> list[str]:
    with pytest.raises(InputError) as caught:
        call(*args)  # type: ignore[operator]
    return [str(p) for p in caught.value.problems]


def _edit(tmp_path: Path, source: Path, old: str, new: str, name: str | None = None) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    out = tmp_path / (name or source.name)
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


def _line_of(path: Path, needle: str) -> int:
    return next(
        k for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line
    )


# -- YAML values the loader used to let through -------------------------------------------------------
def test_an_impossible_date_is_refused_with_its_line(tmp_path: Path) -> None:
    path = _edit(tmp_path, QUESTIONS, "closes: 2019-12-31", "closes: 2019-02-30")
    [problem] = _problems(load_questions, path)
    assert problem.startswith(f"{path}:{_line_of(path, '2019-02-30')}: ")
    assert "'2019-02-30' is not a valid date (day is out of range for month)" in problem


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("!!float abc", "!!float 'abc': expected a number after this tag"),
        ("!!int 1e400", "!!int '1e400': expected a whole number after this tag"),
        ("!!int 0b2", "!!int '0b2': expected a whole number after this tag"),
        ("!!bool maybe", "!!bool 'maybe': expected true or false after this tag"),
        ("!!binary aGk=", "the tag !!binary is not supported"),
        ("!!python/name:os.system", "the tag !!python/name:os.system is not supported"),
        (".inf", "'.inf' is not a finite number"),
        ("1.0e+999", "'1.0e+999' is not a finite number"),
        ("1" + "0" * 5000, "has too many digits"),
        ("1" + "0" * 30, "is too large"),
    ],
)
def test_explicit_tags_and_numbers_are_checked(value: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_yaml(f"name: x\ncapability: {value}\n", "f.yaml")
    assert str(caught.value).startswith("f.yaml:2: ") and words in str(caught.value)


def test_tags_with_good_values_are_read() -> None:
    data, _ = parse_yaml("a: !!float 1\nb: !!int 0b11\nc: !!bool yes\nd: !!str 12\n", "f.yaml")
    assert data == {"a": 1.0, "b": 3, "c": True, "d": "12"}


def test_a_lone_surrogate_is_refused_at_load_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"f.yaml:3: text holds a lone surrogate U\+D800"):
        parse_yaml('a: 1\nb: 2\nname: "PD\\ud800"\n', "f.yaml")
    gmcr = tmp_path / "pd.gmcr"
    data = json.loads(PD_GMCR.read_text(encoding="utf-8"))
    data["options"][0]["name"] = "PD\ud800"
    gmcr.write_text(json.dumps(data, indent=2), encoding="utf-8")  # written as the escape \ud800
    [problem] = _problems(load_gmcr, gmcr)
    assert f"{gmcr}:{_line_of(gmcr, 'ud800')}: [options[0].name] text holds a lone surrogate" in problem


def test_nesting_too_deep_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"f.yaml:2: nested too deeply \(more than 100 levels\)"):
        parse_yaml("a: 1\nb: " + "[" * 5000 + "]" * 5000 + "\n", "f.yaml")
    deep = tmp_path / "deep.gmcr"
    deep.write_text('{\n"options":\n' + "[" * 3000 + "]" * 3000 + "}\n", encoding="utf-8")
    assert _problems(load_gmcr, deep) == [f"{deep}:3: nested too deeply (more than 100 levels)"]


# -- files as a whole -----------------------------------------------------------------------------
def test_empty_files_are_named_as_such(tmp_path: Path) -> None:
    empty = tmp_path / "conflict.yaml"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    assert _problems(load_conflict, empty) == [
        f"{empty}: the file is empty: expected a mapping (key: value lines)"
    ]
    for name in ("actors.csv", "deu.tsv", "x.gmcr"):
        (tmp_path / name).write_text("\n\n", encoding="utf-8")
    assert _problems(import_file, tmp_path / "actors.csv") == [
        f"{tmp_path / 'actors.csv'}: the file is empty"
    ]
    assert _problems(import_file, tmp_path / "deu.tsv", "deu") == [
        f"{tmp_path / 'deu.tsv'}: the file is empty"
    ]
    assert _problems(load_gmcr, tmp_path / "x.gmcr") == [f"{tmp_path / 'x.gmcr'}: the file is empty"]


@pytest.mark.parametrize(
    ("encoding", "name"), [("utf-16", "UTF-16"), ("utf-32", "UTF-32"), ("utf-16-le", "UTF-16")]
)
def test_utf16_and_utf32_files_are_named_not_given_a_byte_offset(
    tmp_path: Path, encoding: str, name: str
) -> None:
    path = tmp_path / "pd.yaml"
    path.write_bytes(PD.read_text(encoding="utf-8").encode(encoding))
    [problem] = _problems(load_conflict, path)
    assert name in problem and "save it as UTF-8" in problem and "position" not in problem


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "pd.yaml"
    path.write_bytes(b"name: x\ndescription: caf\xe9\n")
    assert _problems(load_conflict, path) == [
        f"{path}:2: not UTF-8 text (byte 0xe9 cannot start or continue a character); save it as UTF-8"
    ]


def test_an_invisible_character_in_a_key_is_shown(tmp_path: Path) -> None:
    path = _edit(tmp_path, PD, "description:", "description\u200b:")
    [problem] = _problems(load_conflict, path)
    assert "[description<U+200B>] unknown key" in problem
    assert "invisible character: U+200B ZERO WIDTH SPACE" in problem
    assert "expected one of: name, description, source, decision_makers" in problem


def test_an_unrecognised_format_says_what_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_text("hello world\n", encoding="utf-8")
    [problem] = _problems(import_file, path)
    assert "unrecognised format: expected" in problem
    assert "row 2 starting 'Actor,Description,'" in problem and "'rp' and 'out' columns" in problem


# -- messages in words ----------------------------------------------------------------------------
def test_messages_name_no_classes_regexes_or_union_branches(tmp_path: Path) -> None:
    path = _edit(
        tmp_path,
        SCENARIO,
        "      - name: hold_hanoi_position",
        "      - 5\n      - name: hold_hanoi_position",
    )
    problems = _problems(load_scenario, path)
    assert any("expected a mapping (key: value lines); found the number 5" in p for p in problems)
    bad_name = _edit(tmp_path, PD, "name: A", "name: 1A", "bad_name.yaml")
    text = "\n".join(_problems(load_conflict, bad_name))
    assert "'1A' is not a name: a letter or _ first, then only letters, digits, _ and ." in text
    for found in (problems, [text]):
        for word in ("MoveSpec", "Spec", "instance of", "pattern", "^[", "Field required", "Extra inputs"):
            assert not any(word in p for p in found), word
    data, lines = parse_yaml("q1: maybe\nq2: {resolved: 3}\n", "r.yaml")
    with pytest.raises(InputError) as caught:
        validate_model(ResolutionsFile, data, lines)
    assert [str(p) for p in caught.value.problems] == [
        "r.yaml:1: [q1] expected true or false, or a mapping (key: value lines); found the text 'maybe'",
        "r.yaml:2: [q2.resolved] expected true or false; found the number 3",
    ]


# -- tables ---------------------------------------------------------------------------------------
def test_a_csv_field_of_any_length_is_read_and_not_echoed_back(tmp_path: Path) -> None:
    long_name = "N" * 200_000
    path = _edit(tmp_path, DATA / "emission.csv", "Netherlands", long_name)
    assert import_file(path).space.actors[0] == long_name  # read, not a csv error
    bad = _edit(
        tmp_path, DATA / "emission.csv", "Netherlands,0.08", "Netherlands," + "9" * 200_000, "bad.csv"
    )
    [problem] = _problems(import_file, bad)
    assert problem.startswith(f"{bad}:2: [Capability] ") and "(200,002 characters)" in problem
    assert len(problem) < 300 + len(str(bad))


@pytest.mark.parametrize("count", ["-3", "2.5", "three", "", "nan", "1e400"])
def test_a_ktab_actor_count_must_be_a_whole_number(tmp_path: Path, count: str) -> None:
    path = _edit(tmp_path, DATA / "ktab_two_dims.csv", "dimensions,3,2", f"dimensions,{count},2")
    [problem] = _problems(import_file, path)
    assert problem.startswith(f"{path}:1: [number of actors] ")


def test_a_ktab_count_under_forecast_run_blames_the_file_not_an_option(tmp_path: Path) -> None:
    path = _edit(tmp_path, DATA / "ktab_two_dims.csv", "dimensions,3,2", "dimensions,abc,2")
    result = CliRunner().invoke(app, ["forecast", "run", str(path), "-m", "compromise"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "--spread" not in result.output
    assert f"{path}:1: [number of actors] not a number" in result.output
    dated = _edit(tmp_path, ISSUES, "capability: 10", "capability: !!float abc")
    result = CliRunner().invoke(app, ["forecast", "run", str(dated), "-m", "compromise"])
    assert result.exit_code == 2 and "--spread" not in result.output and "expected a number" in result.output


def test_an_xml_entity_bomb_is_refused_at_once(tmp_path: Path) -> None:
    lol = "".join(f' <!ENTITY l{k} "{f"&l{k - 1};" * 10}">\n' for k in range(1, 9))
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE s [\n <!ENTITY l0 "lol">\n{lol}]>\n<Scenario/>\n')
    [problem] = _problems(import_file, bomb)
    assert problem == f"{bomb}:3: the file declares an entity ('l0'); entity declarations are not supported"


def test_xml_text_in_many_pieces_is_joined(tmp_path: Path) -> None:
    """Element text arriving in many pieces (here 20,000 character references) is kept whole."""
    source = (DATA / "ktab_two_dims.xml").read_text(encoding="utf-8")
    path = tmp_path / "many.xml"
    name = "&#65;" * 20_000
    path.write_text(source.replace("<name>A</name>", f"<name>{name}</name>", 1), encoding="utf-8")
    assert "A" * 20_000 in import_file(path).space.actors


@pytest.mark.parametrize(
    ("old", "new"),
    [("Netherlands,0.08", "Netherlands,1e308"), ("Belgium,0.08,7", "Belgium,0.08,-1e300")],
)
def test_numbers_beyond_the_limit_are_refused_in_tables(tmp_path: Path, old: str, new: str) -> None:
    path = _edit(tmp_path, DATA / "emission.csv", old, new)
    [problem] = _problems(import_file, path)
    assert f"is too large: numbers lie within ±{MAX_MAGNITUDE:g}" in problem


def test_numbers_beyond_the_limit_are_refused_in_issue_spaces(tmp_path: Path) -> None:
    path = _edit(tmp_path, ISSUES, "capability: 10", "capability: 1.0e+308")
    [problem] = _problems(load_issue_space, path)
    assert f"1e+308 is too large: numbers lie within ±{MAX_MAGNITUDE:g}" in problem
    assert problem.startswith(f"{path}:{_line_of(path, '1.0e+308')}: ")


def test_the_largest_capabilities_allowed_still_add_up() -> None:
    """A million actors at the limit sum to 1e21, far inside a float: the sum cannot overflow."""
    assert MAX_MAGNITUDE * 1e6 * 100 * MAX_MAGNITUDE < 1e300


# -- atomic writes --------------------------------------------------------------------------------
def _dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(proc.stdout)


def test_a_write_killed_midway_leaves_no_folder_and_its_temp_file_is_removed_next_time(
    tmp_path: Path,
) -> None:
    target = tmp_path / "fresh" / "deeper" / "out.txt"
    script = (
        "import os, sys\n"
        "from detente.io.yamlio import atomic_write\n"
        "def killed(tmp):\n"
        "    tmp.write_text('half')\n"
        "    os._exit(9)\n"
        f"atomic_write({str(target)!r}, killed)\n"
    )
    assert subprocess.run([sys.executable, "-c", script]).returncode == 9
    assert not (tmp_path / "fresh").exists()
    [stale] = [p.name for p in tmp_path.iterdir()]
    assert stale.startswith(".out.txt.") and stale.endswith(TEMP_SUFFIX)
    target.parent.mkdir(parents=True)  # by now the folder exists: the next write of out.txt clears it
    atomic_write_text(target, "next run")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh"] and target.read_text() == "next run"


def test_only_temp_files_of_dead_or_old_writers_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / f".a.txt.{_dead_pid()}.0000{TEMP_SUFFIX}"
    live = tmp_path / f".b.txt.{os.getppid()}.0000{TEMP_SUFFIX}"
    old = tmp_path / f".c.txt.{os.getppid()}.0001{TEMP_SUFFIX}"
    for p in (dead, live, old):
        p.write_text("partial")
    week = time.time() - 7 * 24 * 3600
    os.utime(old, (week, week))
    atomic_write_text(tmp_path / "a.txt", "done")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a.txt", live.name])


def test_a_failed_write_in_a_fresh_folder_leaves_no_folder(tmp_path: Path) -> None:
    def fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "a" / "b" / "out.txt", fail)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("encoding", ["UTF1e15", "shift_jis"])
def test_an_xml_encoding_that_cannot_be_read_is_an_input_error(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "enc.xml"
    path.write_text(f'<?xml version="1.0" encoding="{encoding}"?>\n<Scenario/>\n', encoding="utf-8")
    [problem] = _problems(import_file, path)
    assert problem.startswith(f"{path}:1: the XML declaration names an encoding that cannot be read")


def test_a_json_number_too_long_to_convert_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "long.gmcr"
    path.write_text('{"options": [' + "1" * 5001 + "]}\n", encoding="utf-8")
    [problem] = _problems(load_gmcr, path)
    assert problem.startswith(f"{path}: malformed JSON: a number has too many digits to read")

"""The clock file format: good files compile, bad ones are refused naming file, line and field."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from detente.clock.solve import solve
from detente.errors import InputError
from detente.io.clock import load_clock

GOOD = """\
name: two sides
start: 2020-01-01
rounds: 24
first: B
parties:
  - name: A
    discount: {value: 0.9, low: 0.8, high: 0.95, evidence: [{note: "assumption: a test"}]}
  - name: B
    discount: 0.8
breakdown: 0.0
events:
  - name: vote
    kind: election
    date: 2020-06-15
    probability: {value: 0.5, low: 0.2, high: 0.8}
    changes:
      - party: B
        discount: 0.9
dates:
  - {name: mid-year, date: 2020-06-30}
"""


def write(tmp_path: Path, text: str, name: str = "talks.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_file_compiles(tmp_path: Path) -> None:
    u = load_clock(write(tmp_path, GOOD))
    m = u.base
    assert [p.name for p in m.parties] == ["A", "B"]
    assert m.first == 1 and m.rounds == 24 and m.horizon == 24
    assert m.events[0].round == 6 and m.events[0].date == dt.date(
        2020, 6, 15
    )  # 1 July is the first round after
    assert m.date_of(6) == dt.date(2020, 7, 1)
    assert u.labels == ("A.discount", "vote.probability")
    assert solve(m).first_agreement_round() == 0


def test_clock_section_of_a_scenario(tmp_path: Path) -> None:
    body = textwrap.indent(GOOD, "  ")
    u = load_clock(write(tmp_path, "meta: {name: x}\nactors: []\nclock:\n" + body))
    assert u.base.name == "two sides"
    bad = body.replace("discount: 0.8", "discount: 1.8")
    with pytest.raises(InputError) as err:
        load_clock(write(tmp_path, "meta: {name: x}\nactors: []\nclock:\n" + bad))
    (p,) = err.value.problems
    assert (p.line, p.field) == (12, "clock.parties[1].discount")


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        ("discount: 0.8", "discount: 1.8", 9, "parties[1].discount", "discount 1.8 lies outside (0, 1]"),
        ("discount: 0.8", "discount: 0", 9, "parties[1].discount", "discount 0 lies outside (0, 1]"),
        ("first: B", "first: C", 4, "first", "unknown party 'C' (known: A, B)"),
        ("      - party: B", "      - party: Z", 17, "events[0].changes[0].party", "unknown party 'Z'"),
        (
            "    date: 2020-06-15",
            "    date: 2019-06-15",
            14,
            "events[0].date",
            "comes before the clock starts",
        ),
        ("    kind: election", "    kind: electoin", 13, "events[0].kind", "expected one of 'election'"),
        ("breakdown: 0.0", "breakdown: 1.5", 10, "breakdown", "breakdown 1.5 lies outside [0, 1]"),
        ("breakdown: 0.0", "breakdown: 0.0\nspeed: 3", 11, "speed", "unknown key 'speed'"),
        ("rounds: 24", "rounds: 24\nend: 2021-01-01", 3, "rounds", "give `end` or `rounds`, not both"),
        (
            "probability: {value: 0.5, low: 0.2, high: 0.8}",
            "probability: {value: 0.5, low: 0.2, high: 1.8}",
            15,
            "events[0].probability",
            "probability 1.8 lies outside [0, 1]",
        ),
        ("    date: 2020-06-15", "    date: June", 14, "events[0].date", "expected a date (YYYY-MM-DD)"),
    ],
)
def test_bad_files_name_file_line_and_field(
    tmp_path: Path, old: str, new: str, line: int, field: str, message: str
) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(InputError) as err:
        load_clock(path)
    problems = err.value.problems
    assert any(
        p.file == str(path) and p.line == line and p.field == field and message in p.message for p in problems
    ), [str(p) for p in problems]
    assert f"{path}:{line}: [{field}]" in str(err.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("discount: 0.8", "discount: 1.8").replace("first: B", "first: C")
    with pytest.raises(InputError) as err:
        load_clock(write(tmp_path, text))
    assert {p.field for p in err.value.problems} == {"parties[1].discount", "first"}


def test_outside_options_need_two_parties_and_both(tmp_path: Path) -> None:
    text = GOOD.replace("    discount: 0.8", "    discount: 0.8\n    outside_option: 0.2")
    with pytest.raises(InputError) as err:
        load_clock(write(tmp_path, text))
    assert err.value.problems[0].field == "parties"


def test_war_block_sets_outside_options_and_a_power_shift(tmp_path: Path) -> None:
    text = GOOD + "war:\n  p: 0.4\n  costs: [0.1, 0.2]\n  shift: {to: 0.6, until: 2020-11-01}\n"
    u = load_clock(write(tmp_path, text))
    m = u.base
    assert m.parties[0].outside_option == pytest.approx(0.3)
    assert m.parties[1].outside_option == pytest.approx(0.4)
    shifts = [e for e in m.events if e.kind == "shift"]
    assert len(shifts) == 10 and shifts[-1].patches[0].outside_option == pytest.approx(0.5)


def test_grid_issue(tmp_path: Path) -> None:
    text = (
        GOOD.replace("rounds: 24", "rounds: 24\nissue: {points: 11}")
        .replace("  - name: A\n", "  - name: A\n    ideal: 100\n")
        .replace("  - name: B\n", "  - name: B\n    ideal: 0\n")
    )
    m = load_clock(write(tmp_path, text)).base
    assert m.grid is not None and len(m.grid.positions) == 11
    assert m.grid.utility[0][10] == 1 and m.grid.utility[1][10] == 0
    missing = text.replace("    ideal: 0\n", "")
    with pytest.raises(InputError) as err:
        load_clock(write(tmp_path, missing))
    assert err.value.problems[0].field == "parties[1].ideal"


def test_missing_file_and_malformed_yaml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read file"):
        load_clock(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="malformed YAML"):
        load_clock(write(tmp_path, "parties: [a\n"))


def test_quotes_must_name_a_listed_source(tmp_path: Path) -> None:
    text = "sources: [{file: a.txt}]\n" + GOOD.replace(
        '[{note: "assumption: a test"}]', '[{quote: "x", source: b.txt}]'
    )
    with pytest.raises(InputError) as err:
        load_clock(write(tmp_path, text))
    (p,) = err.value.problems
    assert (p.line, p.field) == (8, "parties[0].discount.evidence[0].source")
    assert p.message == "source 'b.txt' is not listed in sources"


def test_recognition_chances_are_plain_numbers(tmp_path: Path) -> None:
    text = GOOD.replace("rounds: 24", "rounds: 24\nprotocol: random").replace(
        "    discount: 0.8", "    discount: 0.8\n    recognition: {value: 0.5, low: 0.4, high: 0.6}"
    )
    text = text.replace("  - name: A\n", "  - name: A\n    recognition: 0.5\n")
    with pytest.raises(InputError) as err:
        load_clock(write(tmp_path, text))
    assert [p.field for p in err.value.problems] == ["parties[1].recognition"]
    ok = text.replace("{value: 0.5, low: 0.4, high: 0.6}", "0.5")
    m = load_clock(write(tmp_path, ok)).base
    assert m.recognition_at(3) == (0.5, 0.5)

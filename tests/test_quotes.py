"""Quotes verified verbatim against the source files beside a scenario."""

from __future__ import annotations

from pathlib import Path

import yaml

from detente.io.quotes import check_quotes, failed, find_sources_dir
from detente.io.scenario import builtin_scenario, load_scenario


def _copy(tmp_path: Path, invent: bool) -> Path:
    text = builtin_scenario("dprk_us_2019_06").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    quote = data["actors"][0]["evidence"][0]["quote"]
    if invent:
        text = text.replace(quote, "Pyongyang will surely denuclearise by Christmas", 1)
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    # the one source file, written beside the scenario: every quote of 000_ is in it
    src = tmp_path / "000_9e5668bcc584c6dd.txt"
    quotes = [str(e.get("quote")) for e in _entries(data) if e.get("source") == src.name]
    src.write_text(
        "\n".join(q for q in quotes if q != "Pyongyang will surely denuclearise by Christmas"), "utf-8"
    )
    return path


def _entries(data: object) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k == "evidence" and isinstance(v, list):
                out += [e for e in v if isinstance(e, dict)]
            else:
                out += _entries(v)
    elif isinstance(data, list):
        for v in data:
            out += _entries(v)
    return out


def test_every_quote_of_an_honest_copy_verifies(tmp_path: Path) -> None:
    scenario = load_scenario(_copy(tmp_path, invent=False))
    assert find_sources_dir(scenario) == tmp_path.resolve()
    checks = check_quotes(scenario)
    assert checks and failed(checks) == []


def test_an_invented_quote_is_caught(tmp_path: Path) -> None:
    scenario = load_scenario(_copy(tmp_path, invent=True))
    bad = failed(check_quotes(scenario))
    assert [(c.status, c.quote) for c in bad] == [
        ("unverified", "Pyongyang will surely denuclearise by Christmas")
    ]
    assert bad[0].field == "actors[0].evidence[0]" and bad[0].line is not None


def test_without_sources_every_quote_is_missing(tmp_path: Path) -> None:
    scenario = load_scenario(_copy(tmp_path, invent=False))
    empty = tmp_path / "empty"
    empty.mkdir()
    checks = check_quotes(scenario, empty)
    assert checks and {c.status for c in checks} == {"missing"}


def test_the_builtin_scenarios_quote_the_seeds_verbatim() -> None:
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not seeds.is_dir():
        seeds = Path("../shared/seeds").resolve()
    if not seeds.is_dir():
        import pytest

        pytest.skip("the seed articles (../shared/seeds) are not here")
    for name in ("dprk_us_2019_06", "dprk_us_2019_10"):
        assert failed(check_quotes(load_scenario(builtin_scenario(name)), seeds)) == []
    june = load_scenario(builtin_scenario("dprk_us_2019_06"))
    assert {c.source for c in check_quotes(june, seeds)} == {"000_9e5668bcc584c6dd.txt"}


def test_check_fails_on_an_invented_quote_and_names_file_and_line(tmp_path: Path) -> None:
    from detente.analysis import check_scenario
    from detente.render.check_words import check_json, check_lines

    honest = check_scenario(load_scenario(_copy(tmp_path / "a", invent=False)))
    assert honest.ok and check_json(honest)["ok"] is True
    result = check_scenario(load_scenario(_copy(tmp_path / "b", invent=True)))
    assert not result.ok  # `detente check` exits 1
    [line] = [x for x in check_lines(result) if "Christmas" in x]
    assert line.startswith(f"{tmp_path / 'b' / 'scenario.yaml'}:") and "[actors[0].evidence[0]]" in line
    statuses = {q["quote"]: q["status"] for q in check_json(result)["quotes"]}
    assert statuses["Pyongyang will surely denuclearise by Christmas"] == "unverified"


def test_the_report_marks_an_unverified_quote(tmp_path: Path) -> None:
    from detente.analysis import analyze_scenario
    from detente.render.report.builder import build_document

    analysis = analyze_scenario(load_scenario(_copy(tmp_path, invent=True)), runs=0, intervention_runs=0)
    doc = build_document(analysis)
    evidence = next(s for s in doc.sections if s.id == "evidence")
    marked = [row for row in evidence.tables[0].rows if row[3] == "NOT IN SOURCE"]
    assert [row[1] for row in marked] == ["Pyongyang will surely denuclearise by Christmas"]
    assert any("NOT verified" in p for p in evidence.paragraphs)
    assert any("NOT verified" in p for p in doc.sections[0].paragraphs)  # the brief says so too

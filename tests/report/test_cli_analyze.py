"""``detente analyze [FILE]``: the summary on stdout, the HTML report on disk, errors at file:line."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from detente.cli import app
from detente.io.scenario import builtin_scenario
from tests.report import SCENARIO_SECTIONS

GMCR_DATA = Path(__file__).resolve().parents[1] / "conflict" / "data"
HTML_ONLY = {"timeline", "glossary", "evidence", "provenance"}


def run(*args: str) -> Result:
    # A wide terminal, so rich does not wrap the section titles.
    return CliRunner().invoke(app, ["analyze", *args], env={"COLUMNS": "200"})


def sections_of(report: Path) -> dict[str, str]:
    """Section id -> heading, as written in the HTML report."""
    text = report.read_text(encoding="utf-8")
    found = re.findall(r'<section id="([^"]+)">\s*<h2>(.*?)</h2>', text)
    return {sid: html.unescape(title) for sid, title in found}


def test_analyze_a_scenario_file(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = run(str(builtin_scenario("dprk_us_2019_06")), "--mc", "20", "--seed", "5", "--out", str(out))
    assert result.exit_code == 0, result.output
    report = out / "index.html"
    assert report.is_file()
    sections = sections_of(report)
    assert list(sections) == SCENARIO_SECTIONS
    # The summary prints every section but the HTML-only ones, each under its title.
    for sid, title in sections.items():
        assert (title in result.stdout) == (sid not in HTML_ONLY), sid
    assert "North Korea–US nuclear talks, late June 2019 (after Hanoi)" in result.stdout
    assert "Monte Carlo: 20 runs of the compromise model" in result.stdout
    assert (out / "brief.md").read_text(encoding="utf-8").startswith("# North Korea–US nuclear talks")
    words = " ".join(result.stdout.split())  # the terminal wraps long paragraphs
    assert "NK believed US president likes state" in words
    assert f"HTML report written to {report}" in result.stdout
    assert result.stderr == ""


def test_analyze_with_no_file_runs_the_builtin_scenario(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = run("--mc", "20", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "North Korea–US nuclear talks, 9 October 2019 (after Stockholm)" in result.stdout
    assert list(sections_of(out / "index.html")) == SCENARIO_SECTIONS


def test_analyze_a_gmcr_file(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = run(str(GMCR_DATA / "chicken.gmcr"), "--out", str(out))
    assert result.exit_code == 0, result.output
    # A bare conflict: no actors, perceptions, forecast or interventions; no status quo, so no paths.
    assert list(sections_of(out / "index.html")) == ["brief", "options", "stability", "glossary", "evidence"]
    assert "Stable outcomes" in result.stdout


@pytest.mark.parametrize("existing", [False, True], ids=["no-report-yet", "earlier-report"])
def test_a_malformed_scenario_is_reported_at_its_line(tmp_path: Path, existing: bool) -> None:
    text = builtin_scenario("dprk_us_2019_06").read_text(encoding="utf-8")
    good = "  as_of: 2019-06-28"
    assert text.count(good) == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace(good, "  as_of: late June"), encoding="utf-8")
    line = text.splitlines().index(good) + 1
    out = tmp_path / "report"
    if existing:
        out.mkdir()
        (out / "index.html").write_text("an earlier report", encoding="utf-8")
    result = run(str(bad), "--mc", "20", "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}:{line}: [meta.as_of] "), result.stderr
    assert "HTML report written" not in result.stdout
    if existing:
        assert [p.name for p in out.iterdir()] == ["index.html"]
        assert (out / "index.html").read_text(encoding="utf-8") == "an earlier report"
    else:
        assert not out.exists()


def test_a_name_with_brackets_is_printed_as_written(tmp_path: Path) -> None:
    # "[/x]" used to raise rich's MarkupError before the report was written.
    text = (GMCR_DATA.parents[2] / "examples" / "conflicts" / "prisoners_dilemma.yaml").read_text(
        encoding="utf-8"
    )
    assert text.count("name: Prisoner's Dilemma\n") == 1
    path = tmp_path / "renamed.yaml"
    path.write_text(
        text.replace("name: Prisoner's Dilemma\n", 'name: "Talks [/x] [sic]"\n'), encoding="utf-8"
    )
    out = tmp_path / "report"
    result = run(str(path), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Talks [/x] [sic]" in result.stdout
    assert "Talks [/x] [sic]" in html.unescape((out / "index.html").read_text(encoding="utf-8"))


def test_a_report_that_cannot_be_written_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run(str(GMCR_DATA / "chicken.gmcr"), "--out", str(blocker / "report"))
    assert result.exit_code == 2, result.output
    assert f"{blocker / 'report' / 'index.html'}: cannot write" in result.stderr
    assert "HTML report written" not in result.stdout
    assert blocker.read_text(encoding="utf-8") == "not a folder"

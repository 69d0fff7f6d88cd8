"""The ``interventions``, ``questions`` and ``score`` commands, end to end on the built-in scenario."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from detente.cli import app
from detente.interventions.scoring import ProbabilitiesFile
from detente.io.questions import builtin_questions, load_questions
from detente.io.scenario import builtin_scenario, load_scenario

runner = CliRunner(env={"COLUMNS": "200"})
RESOLUTIONS = builtin_questions().parent / "dprk_us_2019_resolutions.yaml"
SMALL = ["--samples", "20", "--mc", "40"]


def run(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def probs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in questions answered from the built-in October snapshot, written by the command."""
    path = tmp_path_factory.mktemp("probs") / "probs.yaml"
    run("questions", *SMALL, "--out", str(path))
    return path


# -- interventions ------------------------------------------------------------------------------
def test_interventions_json_ranks_every_intervention_by_the_stated_rule() -> None:
    doc = json.loads(run("interventions", "--mc", "10", "--json").stdout)
    spec = load_scenario(builtin_scenario()).spec
    assert doc["kind"] == "interventions" and doc["runs"] == 10 and doc["seed"] == 2019
    assert sorted(r["name"] for r in doc["ranked"]) == sorted(iv.name for iv in spec.interventions)
    keys = [(-r["reach_gain"], -r["equilibrium_gain"], r["name"]) for r in doc["ranked"]]
    assert keys == sorted(keys)
    assert [r["rank"] for r in doc["ranked"]] == list(range(1, len(keys) + 1))
    # 001_: secondary sanctions deter Chinese tolerance of leakage; with them in force, China's
    # leakage stops being a reachable SEQ equilibrium, which it is without intervention.
    secondary = next(r for r in doc["ranked"] if r["name"] == "secondary_sanctions")
    assert doc["baseline"]["outcomes"]["chinese_leakage"]["seq"]["reachable"] is True
    assert secondary["outcomes"]["chinese_leakage"]["seq"]["reachable"] is False
    assert set(secondary["forecast_shift"]) == {d.name for d in spec.issues.dimensions}


def test_interventions_table_and_words() -> None:
    out = run("interventions", "--mc", "0").stdout
    assert "Interventions ranked" in out and "secondary_sanctions" in out
    assert "Without intervention, the reachable equilibria" in out
    assert "\n1. " in out and "addressed to" in out


def test_interventions_of_a_bad_file_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("meta: {name: x}\nconflict: {}\n", encoding="utf-8")
    result = runner.invoke(app, ["interventions", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:1: [meta.as_of]" in result.stderr


# -- questions ----------------------------------------------------------------------------------
def test_questions_file_answers_every_builtin_question(probs: Path) -> None:
    doc = yaml.safe_load(probs.read_text(encoding="utf-8"))
    ProbabilitiesFile.model_validate(doc)
    assert list(doc["questions"]) == list(load_questions(builtin_questions()).ids)
    assert doc["snapshot_file"] == "dprk_us_2019_10.yaml" and doc["as_of"] == "2019-10-09"
    assert doc["method"]["samples"] == 20 and doc["method"]["monte_carlo_runs"] == 40
    for entry in doc["questions"].values():
        assert 0.0 <= entry["probability"] <= 1.0 and entry["reasoning"].startswith("From the snapshot")
    # The judgement questions carry the analyst's stated prior unchanged.
    spec = {q.id: q for q in load_questions(builtin_questions()).spec.questions}
    for qid, q in spec.items():
        if q.indicator is not None and q.indicator.kind == "judgement":
            assert doc["questions"][qid]["probability"] == q.indicator.probability


def test_questions_table_and_json() -> None:
    out = run("questions", *SMALL).stdout
    assert "Forecast questions" in out and "Signed US–DPRK agreement" in out and "judgement" in out
    doc = json.loads(run("questions", *SMALL, "--json").stdout)
    assert doc["kind"] == "questions" and len(doc["questions"]) == 6


def test_questions_with_a_bad_indicator_exit_2(tmp_path: Path) -> None:
    text = builtin_questions().read_text(encoding="utf-8")
    text = text.replace("pattern: {us_relief: Y}", "pattern: {zz: Y}", 1)
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(k for k, row in enumerate(text.splitlines(), 1) if "pattern: {zz: Y}" in row)
    result = runner.invoke(app, ["questions", "--questions", str(path), *SMALL])
    assert result.exit_code == 2
    assert f"{path}:{line}: [questions[1].indicator.pattern.zz] unknown option 'zz'" in result.stderr


# -- score --------------------------------------------------------------------------------------------
def test_score_of_the_builtin_probabilities(probs: Path) -> None:
    probabilities = yaml.safe_load(probs.read_text(encoding="utf-8"))["questions"]
    resolved = yaml.safe_load(RESOLUTIONS.read_text(encoding="utf-8"))
    outcome = {q: float(v["resolved"] if isinstance(v, dict) else v) for q, v in resolved.items()}
    brier = {q: (probabilities[q]["probability"] - o) ** 2 for q, o in outcome.items()}
    doc = json.loads(run("score", str(probs), str(RESOLUTIONS), "--json").stdout)
    assert {q["id"]: q["brier"] for q in doc["questions"]} == pytest.approx(brier)
    assert doc["overall"]["brier"] == pytest.approx(sum(brier.values()) / len(brier))
    assert doc["overall"]["brier_skill"] == pytest.approx(1 - sum(brier.values()) / len(brier) / 0.25)
    out = run("score", str(probs), str(RESOLUTIONS)).stdout
    assert "overall (6)" in out and f"{sum(brier.values()) / len(brier):.4f}" in out


def test_score_with_an_unknown_question_exit_2(probs: Path, tmp_path: Path) -> None:
    res = tmp_path / "res.yaml"
    res.write_text("us_dprk_agreement_2019: false\nnot_asked: true\n", encoding="utf-8")
    result = runner.invoke(app, ["score", str(probs), str(res)])
    assert result.exit_code == 2
    assert f"{res}:2: [not_asked]" in result.stderr


# -- user text, narrow terminals, failed writes ---------------------------------------------------
def _table_rows(out: str) -> list[list[list[str]]]:
    """The body rows of the box table printed in ``out``: per row, per cell, its lines top to bottom."""
    rows: list[list[list[str]]] = []
    for line in out.splitlines():
        if not line.startswith("│"):
            continue  # borders, the header row (drawn with ┃) and the text after the table
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if cells[0]:  # the "#" column is filled on a row's first line only
            rows.append([[cell] for cell in cells])
        else:
            for parts, cell in zip(rows[-1], cells, strict=True):
                if cell:
                    parts.append(cell)
    return rows


def test_interventions_table_fits_80_columns_and_keeps_user_text(tmp_path: Path) -> None:
    text = builtin_scenario().read_text(encoding="utf-8")
    name = load_scenario(builtin_scenario()).spec.meta.name
    assert text.count(f"name: {name}\n") == 1
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(text.replace(f"name: {name}\n", 'name: "Talks [/x] [sic]"\n'), encoding="utf-8")
    doc = json.loads(run("interventions", str(renamed), "--mc", "0", "--json").stdout)
    narrow = CliRunner(env={"COLUMNS": "80"}).invoke(app, ["interventions", str(renamed), "--mc", "0"])
    assert narrow.exit_code == 0, narrow.output
    assert "Talks [/x] [sic]" in narrow.stdout  # printed as written, not read as rich markup
    table = narrow.stdout[: narrow.stdout.index("\nEach intervention")]
    assert max(len(line) for line in table.splitlines()) <= 80
    # Nothing is cut off: folded names and wrapped summaries read back in full, in ranked order.
    rows = _table_rows(table)
    assert [("".join(r[1]), "".join(r[2]), " ".join(r[-1])) for r in rows] == [
        (r["name"], r["addressee"], r["summary"]) for r in doc["ranked"]
    ]


def test_questions_out_that_cannot_be_written_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    target = blocker / "probs.yaml"
    result = runner.invoke(app, ["questions", *SMALL, "--out", str(target)])
    assert result.exit_code == 2, result.output
    assert f"{target}: cannot write" in result.stderr

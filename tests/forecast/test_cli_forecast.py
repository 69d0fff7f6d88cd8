"""``detente forecast``: scenario files as input, model parameters, error locations, JSON envelope."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from detente.app.forecast_kinds import bind_params
from detente.cli import forecast_app as app
from detente.errors import ParameterError
from detente.forecast.models import run_model
from detente.forecast.space import ForecastResult, IssueSpace
from detente.io.forecast_spec import load_uncertain_space
from detente.io.scenario import builtin_scenario, load_scenario

DATA = Path(__file__).parent / "data"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "json.md"


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


# -- 1. a scenario file is read through its issues: section ----------------------------------------
def test_builtin_scenario_runs_on_its_issues_section() -> None:
    """The built-in scenario has top-level ``actors:`` (the conflict's) besides ``issues:``; the
    forecast reads the issues section, exactly as the scenario loader does."""
    path = builtin_scenario()
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "actors" in raw  # the case the reviewer found
    space = load_uncertain_space(path)
    assert space.base.dimensions == tuple(d["name"] for d in raw["issues"]["dimensions"])
    assert space.base.actors == tuple(a["name"] for a in raw["issues"]["actors"])
    assert space.labels == load_scenario(path).issues.labels
    code, out = _invoke("run", str(path), "-m", "median", "--json")
    assert code == 0, out
    expected = run_model("median", load_scenario(path).issues.base).outcome
    assert json.loads(out)["outcome"] == pytest.approx(list(expected))
    code, out = _invoke("backtest", str(path), "-m", "compromise")
    assert code == 2 and "this is a scenario file" in out and "reads a forecast data file" in out


def test_scenario_errors_keep_the_scenario_line(tmp_path: Path) -> None:
    text = builtin_scenario().read_text(encoding="utf-8")
    lines = text.splitlines()
    start = lines.index("issues:")
    value = next(i for i in range(start, len(lines)) if lines[i].strip() == "value: 95")
    assert lines[value - 1].strip() == "sanctions_relief:"  # the field's key: the line reported
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("value: 95", "value: 150"), encoding="utf-8")
    code, out = _invoke("run", str(bad), "-m", "median")
    assert code == 2
    problems = [ln for ln in out.splitlines() if ln.startswith(str(bad))]
    assert len(problems) == 1, out  # one problem, not one per scenario field
    assert problems[0].startswith(f"{bad}:{value}: [issues.actors[0].positions.sanctions_relief]")
    assert "150 lies outside [0, 100]" in problems[0]


# -- 2. model parameters bound to the model's signature -------------------------------------------
def test_params_are_converted_to_the_annotated_types() -> None:
    assert bind_params("eum", {"rounds": "4", "q": 1, "offer_rule": "max_eu"}) == {
        "rounds": 4,
        "q": 1.0,
        "offer_rule": "max_eu",
    }
    assert isinstance(bind_params("eum", {"q": 1})["q"], float)
    assert bind_params("smp", {"seed": None}) == {"seed": None}
    assert bind_params("compromise", {}) == {}


@pytest.mark.parametrize(
    ("model", "param", "expected"),
    [
        ("smp", "max_turns=abc", "max_turns='abc': Input should be a valid integer"),
        ("eum", "rounds=[1]", "rounds=[1]: Input should be a valid integer"),
        ("median", "tie=middle", "Input should be 'midpoint', 'lower' or 'upper'"),
        ("eum", "max_turns=5", "model eum has no parameter max_turns; its parameters are rounds, q, risk"),
        ("compromise", "rounds=2", "model compromise has no parameter rounds; it takes no parameters"),
    ],
)
def test_bad_params_are_clear_usage_errors(model: str, param: str, expected: str) -> None:
    code, out = _invoke("run", str(DATA / "emission.csv"), "-m", model, "-p", param)
    assert code == 2
    flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", out).split())  # undo rich's boxed, wrapped message
    assert expected in flat and "not supported" not in flat


def test_unknown_name_error_lists_every_known_parameter() -> None:
    with pytest.raises(ParameterError) as info:
        bind_params("median", {"ties": "lower"})
    assert str(info.value).endswith("its parameters are tie")


def test_a_type_error_inside_a_model_is_not_reported_as_a_bad_parameter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(space: IssueSpace, *, rounds: int = 1) -> ForecastResult:
        raise TypeError("a bug in the model")

    import detente.forecast.models as models

    monkeypatch.setattr(models, "get", lambda name: broken)
    result = CliRunner().invoke(app, ["run", str(DATA / "emission.csv"), "-m", "eum", "-p", "rounds=2"])
    assert isinstance(result.exception, TypeError) and str(result.exception) == "a bug in the model"


# -- 3. a model's refusal names the input file ----------------------------------------------------
def test_model_errors_name_the_file() -> None:
    path = DATA / "emission.csv"
    code, out = _invoke("run", str(path), "-m", "eum", "-p", "rounds=0")
    assert code == 2 and f"{path}: [eum] rounds must be at least 1" in out
    code, out = _invoke("run", str(path), "-m", "exchange")  # a model that raises InputError itself
    assert code == 2 and f"{path}: [exchange.dimensions] the exchange model needs at least two issues" in out


# -- 4. every forecast JSON document has schema_version and kind, and is documented ----------------
def _doc_section(kind: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(f'## `kind: "{kind}"`')
    return text[start : text.index("\n## ", start + 1)]


def test_json_documents_have_version_kind_and_documented_fields() -> None:
    run = ["run", str(DATA / "issues.yaml"), "-m", "compromise", "--mc", "8", "--seed", "2", "--workers", "1"]
    documents = {
        "forecast": _invoke(*run, "--json"),
        "backtest": _invoke("backtest", str(DATA / "deu_small.tsv"), "-m", "compromise", "--json"),
        "validation": _invoke("validate", str(DATA), "-m", "compromise", "--json"),
    }
    for kind, (code, out) in documents.items():
        assert code == 0, out
        doc = json.loads(out)
        assert doc["schema_version"] == 1 and doc["kind"] == kind
        section = _doc_section(kind)
        for field in set(doc) - {"schema_version", "kind"}:
            assert f"`{field}`" in section, (kind, field)
    forecast = json.loads(documents["forecast"][1])
    for key in (*forecast["monte_carlo"], *forecast["monte_carlo"]["quantiles"][0], *forecast["tornado"][0]):
        assert f"`{key}`" in _doc_section("forecast"), key
    validation = json.loads(documents["validation"][1])
    assert {r["file"] for r in validation["results"]} >= {"emission.csv", "issues.yaml"}
    for key in validation["results"][0]:
        assert f"`{key}`" in _doc_section("validation"), key


# -- 5. option bounds and a missing directory -------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("run", str(DATA / "emission.csv"), "--workers", "0"), "'--workers'"),
        (("run", str(DATA / "emission.csv"), "--mc", "-1"), "'--mc'"),
        (("backtest", str(DATA / "deu_small.tsv"), "--folds", "1"), "'--folds'"),
    ],
)
def test_option_bounds(args: tuple[str, ...], option: str) -> None:
    code, out = _invoke(*args)
    assert code == 2 and option in out


def test_validate_a_missing_directory_is_an_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "absent"
    code, out = _invoke("validate", str(missing))
    assert code == 2 and f"{missing}: no such directory" in out

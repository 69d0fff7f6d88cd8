"""Monte Carlo over uncertain inputs, the tornado table, and ``detente forecast run``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from detente.cli import forecast_app as app
from detente.forecast.montecarlo import run_monte_carlo, tornado
from detente.forecast.space import ForecastResult, IssueSpace
from detente.forecast.uncertain import UncertainSpace
from detente.io.forecast_spec import load_uncertain_space, parse_uncertain_space
from detente.io.yamlio import parse_yaml

DATA = Path(__file__).parent / "data"

# Two actors; only A's position is uncertain (uniform 0-40). Weights c*s/100: A 2*0.5 = 1, B 1*1 = 1,
# so the compromise outcome is (x_A + 80) / 2, exactly linear in the one uncertain input.
LINEAR = """\
dimensions:
  - name: d
actors:
  - name: A
    capability: 2
    positions: {d: {value: 20, low: 0, high: 40, dist: uniform}}
    salience: {d: 50}
  - name: B
    capability: {value: 1, low: 1, high: 3}
    positions: {d: 80}
    salience: {d: 100}
"""


def _space(text: str = LINEAR) -> UncertainSpace:
    data, lines = parse_yaml(text, "t.yaml")
    return parse_uncertain_space(data, lines)


def test_outcomes_follow_the_model_on_each_sample() -> None:
    u = _space(LINEAR.replace("{value: 1, low: 1, high: 3}", "1"))
    mc = run_monte_carlo(u, "compromise", 200, seed=3, workers=1, chunk_size=64)
    assert mc.labels == ("A.position.d",)
    np.testing.assert_allclose(mc.outcomes[:, 0], (mc.samples[:, 0] + 80) / 2)
    assert mc.point_outcome[0] == 50.0
    q = mc.quantiles().iloc[0]
    assert q["q50"] == pytest.approx(float(np.median(mc.samples[:, 0]) + 80) / 2)
    assert mc.rank_correlation()[0] == pytest.approx(1.0)
    counts, edges = mc.histogram(bins=8)
    assert counts.sum() == 200 and edges[0] >= 40 and edges[-1] <= 60


def test_same_seed_same_result_however_split() -> None:
    u = _space()
    a = run_monte_carlo(u, "compromise", 50, seed=11, workers=1, chunk_size=10)
    b = run_monte_carlo(u, "compromise", 50, seed=11, workers=2, chunk_size=10)
    np.testing.assert_array_equal(a.samples, b.samples)
    np.testing.assert_array_equal(a.outcomes, b.outcomes)
    # the first chunks do not depend on how many runs follow
    c = run_monte_carlo(u, "compromise", 30, seed=11, workers=1, chunk_size=10)
    np.testing.assert_array_equal(c.samples, a.samples[:30])
    d = run_monte_carlo(u, "compromise", 50, seed=12, workers=1, chunk_size=10)
    assert not np.array_equal(d.samples, a.samples)
    assert run_monte_carlo(u, "compromise", 5, workers=1).seed >= 0  # drawn and recorded


def test_dask_on_loopback_matches_local() -> None:
    distributed = pytest.importorskip("dask.distributed")
    u = _space()
    local = run_monte_carlo(u, "eum", 40, seed=5, workers=1, chunk_size=10)
    with distributed.LocalCluster(
        processes=False, n_workers=1, host="127.0.0.1", protocol="tcp", dashboard_address=None
    ) as cluster:
        remote = run_monte_carlo(u, "eum", 40, seed=5, dask=cluster.scheduler_address, chunk_size=10)
    np.testing.assert_array_equal(local.samples, remote.samples)
    np.testing.assert_array_equal(local.outcomes, remote.outcomes)


def test_progress_reports_every_chunk() -> None:
    seen: list[tuple[int, int]] = []
    run_monte_carlo(
        _space(),
        "compromise",
        25,
        seed=1,
        workers=1,
        chunk_size=10,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(10, 25), (20, 25), (25, 25)]


def test_tornado_swings_by_hand() -> None:
    u = _space()
    table = tornado(u, "compromise").set_index("input")
    # A's position 0 -> 40 with weights 1 and 1: outcome 40 -> 60, swing 20
    assert table.loc["A.position.d", "outcome_low"] == pytest.approx(40.0)
    assert table.loc["A.position.d", "outcome_high"] == pytest.approx(60.0)
    # B's capability 1 -> 3 (weight 1 -> 3) with A at 20: (20 + 80) / 2 = 50 -> (20 + 240) / 4 = 65
    assert table.loc["B.capability", "outcome_low"] == pytest.approx(50.0)
    assert table.loc["B.capability", "outcome_high"] == pytest.approx(65.0)
    assert list(table.index) == ["A.position.d", "B.capability"]  # largest swing first


def test_failed_draws_are_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.forecast import montecarlo
    from detente.forecast.models import compromise

    def picky(space: IssueSpace) -> ForecastResult:
        if space.positions[0, 0] < 10:
            raise ValueError("refused")
        return compromise.run(space)

    monkeypatch.setattr(montecarlo, "get", lambda name: picky)
    mc = run_monte_carlo(_space(), "picky", 60, seed=2, workers=1)
    refused = mc.samples[:, 0] < 10
    assert 0 < mc.failures == int(refused.sum())
    assert np.isnan(mc.outcomes[refused, 0]).all() and not np.isnan(mc.outcomes[~refused, 0]).any()
    assert mc.quantiles()["q50"].iloc[0] == pytest.approx(float(np.median(mc.outcomes[~refused, 0])))


def test_cli_run_json_plot_and_reproducible_seed(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "plot.svg"
    args = [
        "run",
        str(DATA / "issues.yaml"),
        "-m",
        "compromise",
        "--mc",
        "40",
        "--seed",
        "9",
        "--workers",
        "1",
    ]
    first = runner.invoke(app, [*args, "--json", "--plot", str(out)])
    assert first.exit_code == 0, first.output
    doc = json.loads(first.output)
    assert doc["monte_carlo"]["seed"] == 9 and doc["monte_carlo"]["runs"] == 40
    assert doc["outcome"][0] == pytest.approx((40 * 0.9 * 100 + 10 * 10) / 48.5)
    assert {row["input"] for row in doc["tornado"]} == set(load_uncertain_space(DATA / "issues.yaml").labels)
    assert out.read_text().lstrip().startswith("<?xml")
    second = json.loads(runner.invoke(app, [*args, "--json"]).output)
    assert second["monte_carlo"]["quantiles"] == doc["monte_carlo"]["quantiles"]
    table = runner.invoke(app, ["run", str(DATA / "emission.csv"), "-m", "median"])
    assert table.exit_code == 0 and "issue = 7" in table.output
    spread = ["run", str(DATA / "emission.csv"), "-m", "compromise", "--mc", "20", "--seed", "1"]
    doc = json.loads(runner.invoke(app, [*spread, "--spread-position", "1", "--json"]).output)
    assert len(doc["tornado"]) == 10 and doc["monte_carlo"]["quantiles"][0]["sd"] > 0


def test_cli_run_rejects_bad_options(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_plot = runner.invoke(app, ["run", str(DATA / "emission.csv"), "--plot", str(tmp_path / "x.pdf")])
    assert bad_plot.exit_code == 2 and ".png or .svg" in bad_plot.output
    assert not (tmp_path / "x.pdf").exists()
    bad_model = runner.invoke(app, ["run", str(DATA / "emission.csv"), "-m", "oracle"])
    assert bad_model.exit_code == 2
    bad_param = runner.invoke(app, ["run", str(DATA / "emission.csv"), "-m", "eum", "-p", "rounds=0"])
    assert bad_param.exit_code == 2 and "rounds" in bad_param.output
    many = runner.invoke(app, ["run", str(DATA / "deu_small.tsv"), "-m", "compromise"])
    assert many.exit_code == 2 and "holds 6 issues" in many.output
    one = runner.invoke(app, ["run", str(DATA / "deu_small.tsv"), "-m", "compromise", "--issue", "x4i1"])
    assert one.exit_code == 0 and "= 45" in one.output

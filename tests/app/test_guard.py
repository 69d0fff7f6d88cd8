"""The guard where every run starts: estimated before any work, refused with the figures and how to
shrink, in the command line and in the web app alike; results that grow with what a user reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from detente.budget import Budget, Cost, check
from detente.cli import app as cli
from detente.errors import ModelTooLargeError
from detente.web.app import create_app


def conflict_text(per_dm: int, dms: int = 2) -> str:
    """``dms`` decision makers with ``per_dm`` options each, every option a preference statement."""
    lines = ["name: big", "decision_makers:"]
    for d in range(dms):
        lines += [f"  - name: D{d}", "    options:"]
        lines += [f"      - name: d{d}o{j}" for j in range(per_dm)]
        lines += ["    preferences:", "      statements:"]
        lines += [f"        - {'-' if j % 2 else ''}d{d}o{j}" for j in range(per_dm)]
    return "\n".join(lines) + "\n"


def test_check_refuses_over_each_budget_and_names_the_figures() -> None:
    cost = Cost("a test run", "10 states", bytes=2048, seconds=5.0, result_bytes=100, shrink="Shrink it.")
    assert check(cost, Budget(memory=4096, seconds=10, result=1000)) is cost
    for budget, words in [
        (Budget(memory=1024, seconds=10, result=1000), "2.0 KiB of memory"),
        (Budget(memory=4096, seconds=1, result=1000), "5.0 s"),
        (Budget(memory=4096, seconds=10, result=10), "a result of about 100 B"),
    ]:
        with pytest.raises(ModelTooLargeError) as caught:
            check(cost, budget)
        message = str(caught.value)
        assert words in message and "10 states" in message and "Shrink it." in message


def test_a_24_option_conflict_is_refused_before_compiling(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(conflict_text(12), encoding="utf-8")
    result = CliRunner().invoke(cli, ["conflict", "analyze", str(path)])
    assert result.exit_code == 3, result.output
    message = " ".join(result.stderr.split())
    assert "2**24 = 16,777,216 option combinations" in message and "GiB" in message
    assert "Shrink it" in message and "DETENTE_MEMORY_BUDGET" in message


def test_the_web_app_refuses_the_same_upload_and_keeps_answering(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path))
    response = client.post("/api/scenarios", json={"text": conflict_text(12)})
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "too_large" and "16,777,216" in body["detail"]
    assert client.get("/api/scenarios").status_code == 200
    assert "big" not in json.dumps(client.get("/api/scenarios").json())


def test_a_large_conflict_answers_with_equilibria_and_a_summary(tmp_path: Path) -> None:
    path = tmp_path / "large.yaml"
    path.write_text(conflict_text(7), encoding="utf-8")  # 2**14 = 16,384 states
    result = CliRunner().invoke(cli, ["conflict", "analyze", str(path), "--concepts", "nash", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["conflict"]["n_states"] == 16_384 and doc["states"] is None
    assert doc["summary"]["nash"]["equilibria"] == len(doc["equilibria"]["nash"]) > 0
    every = CliRunner().invoke(
        cli, ["conflict", "analyze", str(path), "--concepts", "nash", "--states", "all", "--json"]
    )
    assert len(json.loads(every.stdout)["states"]) == 16_384
    table = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["conflict", "analyze", str(path)])
    assert "showing the status quo and the equilibria" in table.stdout


def test_the_web_app_never_queues_a_result_it_could_not_show(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path))
    sid = client.post("/api/scenarios", json={"text": conflict_text(8)}).json()["id"]
    url = f"/api/scenarios/{sid}/versions/1/runs"
    refused = client.post(url, json={"kind": "stability", "states": "all"})
    assert refused.status_code == 413 and "result" in refused.json()["detail"]
    assert client.get(f"/api/scenarios/{sid}/runs").json() == []
    summary = client.post(url, json={"kind": "stability", "concepts": ["nash"]})
    assert summary.status_code == 201


def test_the_memory_budget_is_honoured_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mid.yaml"
    path.write_text(conflict_text(9), encoding="utf-8")
    monkeypatch.setenv("DETENTE_MEMORY_BUDGET", "8M")
    result = CliRunner().invoke(cli, ["conflict", "analyze", str(path)])
    assert result.exit_code == 3 and "8.0 MiB" in " ".join(result.stderr.split())


def test_a_forecast_over_the_time_budget_is_refused_up_front(monkeypatch: pytest.MonkeyPatch) -> None:
    data = Path(__file__).resolve().parents[1] / "forecast" / "data" / "issues.yaml"
    monkeypatch.setenv("DETENTE_TIME_BUDGET", "0.001")
    result = CliRunner().invoke(cli, ["forecast", "run", str(data), "-m", "eum", "--mc", "1000"])
    assert result.exit_code == 3, result.output
    assert "time budget" in " ".join(result.stderr.split()) and "DETENTE_TIME_BUDGET" in result.stderr

"""One application layer: the same document, parameters and seed give byte-identical JSON from the
command line, the web API and the Python API, for every run kind (issue "One application layer")."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from detente.app.registry import ENTRIES
from detente.app.runs import dumps, run
from detente.cli import app as cli
from detente.io.scenario import builtin_scenario
from detente.web.app import create_app

REPO = Path(__file__).resolve().parents[2]
CHICKEN = REPO / "examples" / "conflicts" / "chicken.yaml"
PD = REPO / "examples" / "conflicts" / "prisoners_dilemma.yaml"
JUNE = builtin_scenario("dprk_us_2019_06")
CLOCK = builtin_scenario("dprk_us_2019_10")
DEU = REPO / "tests" / "forecast" / "data" / "deu_small.tsv"

# kind, document, Python/web parameters, command line, whether the web app can store the document
CASES: list[tuple[str, Path, dict[str, Any], list[str], bool]] = [
    (
        "stability",
        CHICKEN,
        {"concepts": ["nash", "seq"]},
        ["conflict", "analyze", "--concepts", "nash,seq"],
        True,
    ),
    ("coalitions", PD, {}, ["conflict", "coalitions"], True),
    ("paths", CHICKEN, {"concept": "nash"}, ["conflict", "paths", "--concept", "nash"], True),
    ("inverse", CHICKEN, {"target": "1"}, ["conflict", "inverse", "--target", "1"], True),
    ("hypergame", JUNE, {"concept": "nash"}, ["conflict", "hypergame", "--concept", "nash"], True),
    (
        "forecast",
        JUNE,
        {"model": "compromise", "mc": 30, "seed": 5},
        ["forecast", "run", "-m", "compromise", "--mc", "30", "--seed", "5", "--workers", "1"],
        True,
    ),
    ("backtest", DEU, {"model": ["compromise"]}, ["forecast", "backtest", "-m", "compromise"], False),
    ("interventions", JUNE, {"runs": 0}, ["interventions", "--mc", "0"], True),
    (
        "questions",
        JUNE,
        {"samples": 4, "runs": 20, "seed": 3},
        ["questions", "--samples", "4", "--mc", "20", "--seed", "3"],
        True,
    ),
    ("clock", CLOCK, {"mc": 40, "seed": 9}, ["clock", "--mc", "40", "--seed", "9"], True),
    ("check", JUNE, {}, ["check"], True),
    ("report", CHICKEN, {"runs": 0}, ["analyze", "--mc", "0"], True),
]


def test_every_registered_kind_has_a_case() -> None:
    assert {c[0] for c in CASES} == {e.name for e in ENTRIES}


def _cli_json(args: list[str], path: Path, tmp_path: Path) -> str:
    extra = ["--out", str(tmp_path / "report")] if args[0] == "analyze" else []
    result = CliRunner().invoke(cli, [*args, str(path), "--json", *extra])
    assert result.exit_code in (0, 1), result.output
    return result.stdout.rstrip("\n")


def _web_json(kind: str, path: Path, params: dict[str, Any], tmp_path: Path) -> str:
    client = TestClient(create_app(tmp_path / "web"))
    created = client.post(
        "/api/scenarios", json={"text": path.read_text(encoding="utf-8"), "name": path.stem}
    )
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    response = client.post(f"/api/scenarios/{sid}/versions/1/runs", json={"kind": kind, **params})
    assert response.status_code == 201, response.text
    rid = response.json()["id"]
    for _ in range(1200):
        body = client.get(f"/api/runs/{rid}").json()
        if body["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert body["status"] == "done", body["error"]
    # The one deliberate difference: where the document was read from (a file on the command line, a
    # stored version in the web app) is named as such; everything computed is the same.
    return dumps(body["result"]).replace(f'"scenario {sid}, version 1"', json.dumps(path.name))


@pytest.mark.parametrize(("kind", "path", "params", "args", "web"), CASES, ids=[c[0] for c in CASES])
def test_the_same_json_from_every_face(
    kind: str, path: Path, params: dict[str, Any], args: list[str], web: bool, tmp_path: Path
) -> None:
    api = dumps(run(kind, path, **params).json)
    json.loads(api)  # valid JSON, never NaN (dumps refuses it)
    assert _cli_json(args, path, tmp_path) == api
    if web:
        assert _web_json(kind, path, params, tmp_path) == api

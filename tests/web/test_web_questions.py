"""The ``questions`` run kind: the web app answers a built-in question set with the engine."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from detente.interventions.questions import RUNS, SAMPLES, SEED, SWAP, answer_questions
from detente.io.questions import builtin_questions, load_questions
from detente.io.scenario import load_scenario
from detente.render.question_words import reasoning
from tests.web.conftest import REPO, builtin_id, run, wait

SNAPSHOT = "dprk_us_2019_10"
SET = "dprk_us_2019"
SMALL: dict[str, Any] = {"samples": 6, "swap": 0.3, "runs": 25, "seed": 7}


def _answers(result: dict[str, Any]) -> list[tuple[str, float, float, str, str]]:
    keys = ("id", "probability", "baseline", "method", "reasoning")
    return [(a[keys[0]], a[keys[1]], a[keys[2]], a[keys[3]], a[keys[4]]) for a in result["answers"]]


def test_the_run_gives_what_the_engine_gives_and_scores_it(client: TestClient) -> None:
    sid = builtin_id(client, SNAPSHOT)
    done = run(client, sid, 1, kind="questions", question_set=SET, **SMALL)
    assert done["status"] == "done", done["error"]
    assert done["params"] == {"kind": "questions", "question_set": SET, **SMALL}
    # Independent route: the same snapshot file and question file loaded by the engine's own loaders.
    scenario = load_scenario(REPO / "scenarios" / f"{SNAPSHOT}.yaml")
    direct = answer_questions(scenario, load_questions(builtin_questions(SET)), **SMALL)
    result = done["result"]
    assert [(a.id, a.probability, a.baseline, a.method) for a in direct] == [a[:4] for a in _answers(result)]
    # The reasoning names the snapshot by its title, never by where it was read from.
    assert [reasoning(scenario, a) for a in direct] == [a[4] for a in _answers(result)]
    # Brier (1950): mean of (p - o)^2 over the questions, o = 1 when it resolved yes; the outcomes are
    # read here straight from the resolutions file.
    raw = yaml.safe_load((REPO / "questions" / f"{SET}_resolutions.yaml").read_text(encoding="utf-8"))
    outcomes = {q: float(v if isinstance(v, bool) else v["resolved"]) for q, v in raw.items()}
    brier = sum((a.probability - outcomes[a.id]) ** 2 for a in direct) / len(direct)
    assert result["scores"]["overall"]["brier"] == pytest.approx(brier)
    assert result["scores"]["overall"]["brier_skill"] == pytest.approx(1 - brier / 0.25)
    base = sum((a.baseline - outcomes[a.id]) ** 2 for a in direct) / len(direct)
    assert result["baseline_scores"]["overall"]["brier"] == pytest.approx(base)
    assert result["outcomes"] == {q: bool(o) for q, o in outcomes.items()}


def test_the_same_seed_reproduces_the_run(client: TestClient) -> None:
    sid = builtin_id(client, SNAPSHOT)
    first = run(client, sid, 1, kind="questions", **SMALL)
    again = client.post(f"/api/runs/{first['id']}/rerun")
    assert again.status_code == 201
    second = wait(client, again.json()["id"])
    assert second["params"] == first["params"]
    assert second["result"] == first["result"]
    # Left out, each parameter takes the CLI's default (``detente questions``), as the API documents.
    schema = client.get("/openapi.json").json()["components"]["schemas"]["QuestionsParams"]["properties"]
    defaults = {k: schema[k]["default"] for k in ("question_set", "samples", "swap", "runs", "seed")}
    assert defaults == {"question_set": SET, "samples": SAMPLES, "swap": SWAP, "runs": RUNS, "seed": SEED}


@pytest.mark.parametrize(
    "bad",
    [
        {"samples": -1},
        {"samples": 10**6},
        {"swap": 1.5},
        {"runs": 0},
        {"seed": -3},
        {"question_set": "../questions/dprk_us_2019"},
        {"question_set": "no_such_set"},
        {"file": "questions/dprk_us_2019.yaml"},
    ],
)
def test_bad_parameters_are_refused_and_start_nothing(client: TestClient, bad: dict[str, Any]) -> None:
    sid = builtin_id(client, SNAPSHOT)
    response = client.post(f"/api/scenarios/{sid}/versions/1/runs", json={"kind": "questions", **bad})
    assert response.status_code == 422
    assert client.get(f"/api/scenarios/{sid}/runs").json() == []


def test_a_bare_conflict_cannot_answer_and_says_why(client: TestClient) -> None:
    sid = builtin_id(client, "chicken")
    refused = client.post(f"/api/scenarios/{sid}/versions/1/runs", json={"kind": "questions", **SMALL})
    assert refused.status_code == 422
    assert "this is a conflict file" in refused.json()["problems"][0]["message"]
    assert "reads a scenario file" in refused.json()["problems"][0]["message"]


def test_pages_offer_the_run_and_show_its_answers(client: TestClient) -> None:
    sid = builtin_id(client, SNAPSHOT)
    page = client.get(f"/questions/{SET}").text
    # The snapshot the set goes with is offered first, at its latest version.
    first = page.index("<option", page.index('name="target"'))
    assert f'value="/api/scenarios/{sid}/versions/1/runs"' in page[first : first + 80]
    assert 'id="questions-form"' in page  # the user's own probabilities stay
    assert 'id="run-questions"' in client.get(f"/scenarios/{sid}").text
    done = run(client, sid, 1, kind="questions", **SMALL)
    assert f'<div id="answers" data-run="{done["id"]}">' in client.get(f"/runs/{done['id']}").text

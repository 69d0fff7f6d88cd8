"""The JSON API: documents, versions, runs, reproducibility, questions (FastAPI TestClient)."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import REPO, builtin_id, run, wait

CHICKEN = (REPO / "examples" / "conflicts" / "chicken.yaml").read_text(encoding="utf-8")
NK = "dprk_us_2019_06"

# Chicken in option form (examples/conflicts/chicken.yaml): bit 0 = A_straight, bit 1 = B_straight, so
# states 1..4 are NN, YN, NY, YY. By hand: the Nash equilibria of Chicken are the two states where
# exactly one driver goes straight (Rapoport & Guyer 1966), i.e. states 2 and 3.
CHICKEN_NASH = [2, 3]


def test_builtins_are_seeded_once_and_served_verbatim(client: TestClient) -> None:
    names = [b["name"] for b in client.get("/api/builtins").json()]
    assert {"chicken", "prisoners_dilemma"} <= set(names)
    response = client.get("/api/builtins/chicken/yaml")
    assert response.status_code == 200
    assert response.text == CHICKEN
    sid = builtin_id(client, "chicken")
    assert client.get(f"/api/scenarios/{sid}/versions/1").json()["text"] == CHICKEN
    assert client.get(f"/api/scenarios/{sid}/versions/2").status_code == 404


def test_stability_of_chicken_matches_the_hand_worked_equilibria(client: TestClient) -> None:
    sid = builtin_id(client, "chicken")
    result = run(client, sid, 1, kind="stability", concepts=["nash"])
    assert result["status"] == "done"
    assert result["result"]["equilibria"]["nash"] == CHICKEN_NASH
    assert [e["label"] for e in result["result"]["equilibria_text"]["nash"]] == ["YN", "NY"]


def test_a_form_edit_makes_a_new_version_and_changes_the_equilibria(client: TestClient) -> None:
    sid = builtin_id(client, "chicken")
    # A's first priority becomes "go straight": A always goes straight, so B swerves (state 2, YN);
    # state 3 (NY) is no longer stable for A, who can move to YY and meet its first priority.
    edit = {"path": "decision_makers[0].preferences.statements[0].statement", "value": "A_straight"}
    response = client.post(
        f"/api/scenarios/{sid}/versions/1/edits", json={"edits": [edit], "note": "A bolder"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["number"] == 2
    before = run(client, sid, 1, kind="stability", concepts=["nash"])
    after = run(client, sid, 2, kind="stability", concepts=["nash"])
    assert before["result"]["equilibria"]["nash"] == CHICKEN_NASH
    assert after["result"]["equilibria"]["nash"] == [2]
    assert client.get(f"/api/scenarios/{sid}/versions/1").json()["text"] == CHICKEN  # versions are immutable
    cmp = client.get(f"/api/scenarios/{sid}/compare", params={"a": 1, "b": 2}).json()
    assert [e["number"] for e in cmp["a"]["equilibria"]["nash"]] == CHICKEN_NASH
    assert [e["number"] for e in cmp["b"]["equilibria"]["nash"]] == [2]
    assert any(line.startswith("+") and "A_straight" in line for line in cmp["diff"])


def test_an_invalid_edit_is_refused_at_its_field_and_saves_nothing(client: TestClient) -> None:
    sid = builtin_id(client, "chicken")
    edit = {"path": "decision_makers[0].preferences.statements[1].statement", "value": "-C_straight"}
    response = client.post(f"/api/scenarios/{sid}/versions/1/edits", json={"edits": [edit]})
    assert response.status_code == 422
    fields = [p["field"] for p in response.json()["problems"]]
    assert fields == ["decision_makers[0].preferences.statements[1]"]
    assert "C_straight" in response.json()["problems"][0]["message"]
    assert len(client.get(f"/api/scenarios/{sid}").json()["versions"]) == 1


def test_malformed_upload_names_line_and_field_and_saves_nothing(client: TestClient) -> None:
    count = len(client.get("/api/scenarios").json())
    bad = CHICKEN.replace("  - name: B\n", "  - name: 2B\n")
    line = bad.splitlines().index("  - name: 2B") + 1
    response = client.post(
        "/api/scenarios/upload", files={"file": ("chicken.yaml", bad.encode(), "text/yaml")}
    )
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [(p["line"], p["field"]) for p in problems] == [(line, "decision_makers[1].name")]
    assert problems[0]["file"] == "chicken.yaml"
    broken = client.post("/api/scenarios", json={"text": "name: x\ndecision_makers: [\n"})
    assert broken.status_code == 422
    assert broken.json()["problems"][0]["line"] == 3
    assert "malformed YAML" in broken.json()["problems"][0]["message"]
    assert len(client.get("/api/scenarios").json()) == count


def test_upload_and_download_round_trip(client: TestClient) -> None:
    response = client.post(
        "/api/scenarios/upload", files={"file": ("mine.yaml", CHICKEN.encode(), "text/yaml")}
    )
    assert response.status_code == 201
    sid = response.json()["id"]
    assert response.json()["name"] == "Chicken"
    download = client.get(f"/api/scenarios/{sid}/versions/1/yaml")
    assert download.text == CHICKEN
    assert "attachment" in download.headers["content-disposition"]
    valid = client.post("/api/validate", json={"text": CHICKEN}).json()
    assert valid == {"ok": True, "kind": "conflict", "name": "Chicken", "problems": []}


def test_monte_carlo_runs_in_the_background_and_reproduces(client: TestClient) -> None:
    sid = builtin_id(client, NK)
    params = {"kind": "forecast", "model": "median", "mc": 120, "seed": 7, "chunk_size": 20, "outcomes": True}
    created = client.post(f"/api/scenarios/{sid}/versions/1/runs", json=params)
    assert created.status_code == 201
    assert created.json()["status"] in ("queued", "running", "done")
    first = wait(client, created.json()["id"])
    assert first["status"] == "done", first["error"]
    assert (first["done"], first["total"]) == (120, 120)
    result = first["result"]["monte_carlo"]
    outcomes = np.array(result["outcomes"], dtype=float)
    assert outcomes.shape == (120, len(first["result"]["dimensions"]))
    # The summary is the empirical median of the stored outcomes (checked independently here).
    assert result["quantiles"][0]["q50"] == pytest.approx(float(np.nanmedian(outcomes[:, 0])))
    assert sum(result["histogram"]["counts"]) == 120 - result["failures"]
    again = wait(client, client.post(f"/api/runs/{first['id']}/rerun").json()["id"])
    assert again["params"] == first["params"]
    assert again["result"] == first["result"]
    figure = client.get(f"/api/runs/{first['id']}/figures/montecarlo")
    assert figure.status_code == 200 and figure.text.startswith("<svg")


def test_a_drawn_seed_is_recorded_so_the_run_can_be_reproduced(client: TestClient) -> None:
    sid = builtin_id(client, NK)
    first = run(client, sid, 1, kind="forecast", model="median", mc=40, chunk_size=10)
    seed = first["params"]["seed"]
    assert isinstance(seed, int) and first["result"]["monte_carlo"]["seed"] == seed
    again = wait(client, client.post(f"/api/runs/{first['id']}/rerun").json()["id"])
    assert again["result"] == first["result"]


def test_scenario_analyses_run_on_the_north_korea_scenario(client: TestClient) -> None:
    sid = builtin_id(client, NK)
    paths = run(client, sid, 1, kind="paths", concept="seq")
    assert paths["status"] == "done", paths["error"]
    assert paths["result"]["kind"] == "paths" and paths["result"]["narration"]
    hyper = run(client, sid, 1, kind="hypergame", concept="seq")
    assert hyper["status"] == "done", hyper["error"]
    assert "NK" in hyper["result"]["misperceivers"]
    forecast = run(client, sid, 1, kind="forecast", model="median")
    assert forecast["status"] == "done", forecast["error"]
    by_round = np.array(forecast["result"]["outcome_by_round"])
    assert by_round.shape[1:] == (len(forecast["result"]["dimensions"]),)
    assert by_round[-1].tolist() == forecast["result"]["outcome"]


def test_a_run_that_cannot_be_done_is_refused_with_a_reason_and_not_stored(client: TestClient) -> None:
    sid = builtin_id(client, "chicken")
    url = f"/api/scenarios/{sid}/versions/1/runs"
    refused = client.post(url, json={"kind": "inverse", "decision_maker": ["Nobody"], "target": 1})
    assert refused.status_code == 422
    body = refused.json()
    assert body["error"] == "parameter" and "Nobody" in body["detail"] and "A, B" in body["detail"]
    bare = client.post(url, json={"kind": "forecast"})  # a bare conflict has no issues
    assert bare.status_code == 422 and bare.json()["error"] == "wrong_document"
    assert client.get(f"/api/scenarios/{sid}/runs").json() == []


def test_inverse_analysis_counts_rankings_of_chicken(client: TestClient) -> None:
    sid = builtin_id(client, "chicken")
    # Target state 4 (YY, the crash) under Nash: B stays on YY only if B ranks YY above YN (swerving);
    # A's ranking is free. The share of A's 4! = 24 strict rankings that make YY an equilibrium is 0,
    # since B's real preferences put the crash last.
    result = run(
        client, sid, 1, kind="inverse", decision_maker=["A"], target=4, concept="nash", mode="rankings"
    )
    assert result["status"] == "done", result["error"]
    assert (result["result"]["count"], result["result"]["total"]) == (0, 24)


def test_state_explanation_and_report(client: TestClient) -> None:
    sid = builtin_id(client, "chicken")
    state = client.get(f"/api/scenarios/{sid}/versions/1/states/2", params={"concepts": ["nash"]}).json()
    assert state["label"] == "YN" and state["stable"]["nash"] == {"A": True, "B": True}
    assert len(state["explanation"]) == 2
    assert client.get(f"/api/scenarios/{sid}/versions/1/states/9").status_code == 404  # 4 states
    report = run(client, sid, 1, kind="report", seed=1)
    assert report["status"] == "done", report["error"]
    page = client.get(f"/api/runs/{report['id']}/report")
    assert page.status_code == 200 and "<html" in page.text and "Chicken" in page.text


def test_question_scores_match_the_brier_definition(client: TestClient) -> None:
    sets = client.get("/api/questions").json()
    if not sets:
        pytest.skip("no forecast question set installed")
    name = sets[0]["name"]
    questions = client.get(f"/api/questions/{name}").json()["questions"]
    first = questions[0]["id"]
    scored = client.post(f"/api/questions/{name}/score", json={"probabilities": {first: 0.3}}).json()
    (row,) = scored["questions"]
    # Brier (1950): (p - o)^2 with o = 1 for yes; the mean over one question is that question's score.
    assert row["brier"] == pytest.approx((0.3 - float(row["outcome"])) ** 2)
    assert scored["overall"]["brier_skill"] == pytest.approx(1 - row["brier"] / 0.25)
    bad = client.post(f"/api/questions/{name}/score", json={"probabilities": {"no_such_question": 0.5}})
    assert bad.status_code == 422


def test_interventions_side_by_side_agree_with_the_stability_run(client: TestClient) -> None:
    sid = builtin_id(client, NK)
    compared = run(client, sid, 1, kind="interventions", runs=0)
    assert compared["status"] == "done", compared["error"]
    result = compared["result"]
    stability = run(client, sid, 1, kind="stability")["result"]
    # The baseline column is the scenario as it stands: the same equilibria as a plain stability run.
    for concept in ("nash", "gmr", "smr", "seq"):
        labels = [e["label"] for e in stability["equilibria_text"][concept]]
        assert result["baseline"]["equilibria"][concept] == labels
    names = sorted(r["name"] for r in result["ranked"])
    versions = client.get(f"/api/scenarios/{sid}/versions/1").json()["text"]
    assert names and all(f"name: {n}" in versions for n in names)
    assert client.get(f"/runs/{compared['id']}").status_code == 200


def test_status_quo_paths_of_chicken_are_drawn(client: TestClient) -> None:
    sid = builtin_id(client, "chicken")
    # From the status quo NN (state 1), each driver's one improvement (going straight while the other
    # swerves) reaches an equilibrium in one step: A to state 2, B to state 3.
    paths = run(client, sid, 1, kind="paths", concept="nash")
    steps = {e["state"]: e["steps"] for e in paths["result"]["equilibria"]}
    assert steps == {2: 1, 3: 1}
    movers = {e["state"]: e["paths"][0]["steps"][0]["mover"] for e in paths["result"]["equilibria"]}
    assert movers == {2: ["A"], 3: ["B"]}
    assert client.get(f"/runs/{paths['id']}").text.count('class="path-step"') == 2


def test_pages_render(client: TestClient) -> None:
    sid = builtin_id(client, NK)
    stability = run(client, sid, 1, kind="stability")
    for path in (
        "/",
        f"/scenarios/{sid}",
        f"/scenarios/{sid}/versions/1/edit",
        f"/scenarios/{sid}/versions/1/form",
        f"/runs/{stability['id']}",
    ):
        assert client.get(path).status_code == 200, path
    edit = {"path": "issues.actors[0].positions.denuclearisation.value", "value": 15.0}
    assert client.post(f"/api/scenarios/{sid}/versions/1/edits", json={"edits": [edit]}).status_code == 201
    compare = client.get(f"/scenarios/{sid}/compare", params={"a": 1, "b": 2})
    assert compare.status_code == 200 and "value: 15" in compare.text
    page = client.get(f"/runs/{stability['id']}").text
    assert 'id="state-graph"' in page
    assert f'data-number="{stability["result"]["equilibria"]["seq"][0]}"' in page

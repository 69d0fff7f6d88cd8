"""Form edits that change one thing change one thing, and compare shows every concept and the forecast."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from detente.app.conflict_kinds import CONCEPTS
from tests.web.conftest import REPO, builtin_id, run

NK = "dprk_us_2019_06"
NK_US = "conflict.decision_makers[0].preferences.statements"  # North Korea's priorities


def _edit(client: TestClient, sid: int, *edits: tuple[str, object]) -> dict[str, object]:
    body = {"edits": [{"path": p, "value": v} for p, v in edits]}
    response = client.post(f"/api/scenarios/{sid}/versions/1/edits", json=body)
    assert response.status_code == 201, response.text
    out: dict[str, object] = response.json()
    return out


def _counts(diff: list[str]) -> tuple[int, int]:
    """Lines removed and added, not counting the two file headers and the hunk headers."""
    body = [line for line in diff[2:] if not line.startswith("@@")]
    return sum(line.startswith("-") for line in body), sum(line.startswith("+") for line in body)


def test_swapping_two_preference_statements_is_a_two_line_diff_that_keeps_every_comment(
    client: TestClient,
) -> None:
    sid = builtin_id(client, NK)
    _edit(client, sid, (f"{NK_US}[0].statement", "-nk_provoke"), (f"{NK_US}[1].statement", "-nk_broad_step"))
    old = client.get(f"/api/scenarios/{sid}/versions/1").json()["text"]
    new = client.get(f"/api/scenarios/{sid}/versions/2").json()["text"]
    cmp = client.get(f"/api/scenarios/{sid}/compare", params={"a": 1, "b": 2}).json()
    assert cmp["diff"][:2] == ["--- version 1", "+++ version 2"]
    assert _counts(cmp["diff"]) == (2, 2)
    changed = [line.strip() for line in cmp["diff"][2:] if line[:1] in "+-"]
    assert changed == [
        "-          - statement: -nk_broad_step",
        "+          - statement: -nk_provoke",
        "-          - statement: -nk_provoke",
        "+          - statement: -nk_broad_step",
    ]
    comments = [line for line in old.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 6
    assert comments == [line for line in new.splitlines() if line.lstrip().startswith("#")]
    page = client.get(f"/scenarios/{sid}/compare", params={"a": 1, "b": 2}).text
    assert "2 lines of version 1 replaced by 2 lines in version 2." in page


def test_an_edit_at_a_path_that_does_not_exist_is_refused_naming_it_and_saves_nothing(
    client: TestClient,
) -> None:
    sid = builtin_id(client, NK)
    for path, words in (
        ("conflict.decision_makers[9].name", "no list item 9 in conflict.decision_makers; it has 4"),
        (f"{NK_US}[0].wording", f"no key 'wording' in {NK_US}[0]"),
        ("issues.actors[0].positions", "holds a mapping; only a text or a number is set"),
    ):
        response = client.post(
            f"/api/scenarios/{sid}/versions/1/edits", json={"edits": [{"path": path, "value": "x"}]}
        )
        assert response.status_code == 422, path
        [problem] = response.json()["problems"]
        assert problem["field"] == path and words in problem["message"], problem
    assert len(client.get(f"/api/scenarios/{sid}").json()["versions"]) == 1


def test_compare_shows_every_concept_and_the_forecast_of_a_scenario(client: TestClient) -> None:
    sid = builtin_id(client, NK)
    # North Korea cares more about sanctions relief and moves its position on it: the forecast moves.
    _edit(
        client,
        sid,
        ("issues.actors[0].positions.sanctions_relief.value", 100.0),
        ("issues.actors[0].salience.sanctions_relief.value", 100.0),
    )
    cmp = client.get(f"/api/scenarios/{sid}/compare", params={"a": 1, "b": 2}).json()
    assert cmp["concepts"] == list(CONCEPTS)
    assert _counts(cmp["diff"]) == (2, 2)
    for key, number in (("a", 1), ("b", 2)):
        side = cmp[key]
        assert side["errors"] == []
        assert list(side["equilibria"]) == list(CONCEPTS)
        # The same answers as the runs of that version (the run queue, not the compare code).
        stability = run(client, sid, number, kind="stability")["result"]
        for concept in CONCEPTS:
            assert [e["number"] for e in side["equilibria"][concept]] == stability["equilibria"][concept]
        forecast = run(client, sid, number, kind="forecast")["result"]
        assert side["forecast"] == {k: forecast[k] for k in ("model", "dimensions", "outcome")}
    # Only issue numbers changed: the conflict's equilibria are the same under every concept.
    assert [c["concept"] for c in cmp["changes"]["equilibria"]] == list(CONCEPTS)
    assert all(not c["only_a"] and not c["only_b"] for c in cmp["changes"]["equilibria"])
    shifts = {row["dimension"]: row for row in cmp["changes"]["forecast"]}
    assert list(shifts) == cmp["a"]["forecast"]["dimensions"]
    for row in shifts.values():
        assert row["shift"] == row["b"] - row["a"]
    assert shifts["sanctions_relief"]["shift"] > 0
    page = client.get(f"/scenarios/{sid}/compare", params={"a": 1, "b": 2}).text
    assert all(f'<tr data-concept="{c}">' in page for c in CONCEPTS)
    assert re.search(r'<tr data-dimension="sanctions_relief">.*?\+\d', page)


def test_compare_of_a_conflict_file_has_no_forecast_and_names_the_changed_equilibria(
    client: TestClient,
) -> None:
    sid = builtin_id(client, "chicken")
    # A's first priority becomes going straight: under Nash only state 2 (A straight, B swerves)
    # stays stable; state 3 (A swerves, B straight) is lost (worked by hand in test_web_api).
    _edit(client, sid, ("decision_makers[0].preferences.statements[0].statement", "A_straight"))
    cmp = client.get(f"/api/scenarios/{sid}/compare", params={"a": 1, "b": 2}).json()
    assert cmp["a"]["forecast"] is None and cmp["b"]["forecast"] is None
    assert cmp["changes"]["forecast"] == []
    nash = cmp["changes"]["equilibria"][0]
    assert nash["concept"] == "nash"
    assert [e["number"] for e in nash["only_a"]] == [3] and nash["only_b"] == []
    assert _counts(cmp["diff"]) == (1, 1)
    page = client.get(f"/scenarios/{sid}/compare", params={"a": 1, "b": 2}).text
    assert "Forecast outcome" not in page and "only in version 1: state 3" in page


def test_a_form_edit_of_a_document_too_large_to_reparse_quickly_is_refused(client: TestClient) -> None:
    from detente.web.app import FORM_EDIT_MAX

    text = (REPO / "examples" / "conflicts" / "chicken.yaml").read_text(encoding="utf-8")
    padded = text + "".join(f"# note {i}: {'x' * 70}\n" for i in range(FORM_EDIT_MAX // 70))
    sid = client.post("/api/scenarios", json={"text": padded}).json()["id"]
    edit = {"edits": [{"path": "name", "value": "Chicken again"}]}
    refused = client.post(f"/api/scenarios/{sid}/versions/1/edits", json=edit)
    assert refused.status_code == 413 and "edit its YAML text instead" in refused.json()["detail"]
    assert len(client.get(f"/api/scenarios/{sid}").json()["versions"]) == 1

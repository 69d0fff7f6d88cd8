"""Run lists read summaries, never results; one server per data folder; one error body everywhere."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from detente.cli import app as cli
from detente.errors import BusyError
from detente.web.app import RUNS_PER_PAGE, create_app
from detente.web.lock import FolderLock
from detente.web.store import Store
from tests.web.conftest import builtin_id, chicken_store, run

RUNS = "/api/scenarios/1/versions/1/runs"


def test_the_run_list_carries_each_runs_summary_and_size_not_its_result(client: TestClient) -> None:
    sid = builtin_id(client, "chicken")
    done = run(client, sid, 1, kind="stability", concepts=["nash", "seq"])
    (listed,) = client.get(f"/api/scenarios/{sid}/runs").json()
    assert "result" not in listed
    # Chicken's Nash and SEQ equilibria are its two states where exactly one driver swerves: 2 and 3.
    assert listed["summary"] == "equilibria NASH: 2, 3; SEQ: 2, 3"
    assert listed["result_bytes"] == len(json.dumps(done["result"]).encode("utf-8"))
    page = client.get(f"/scenarios/{sid}").text
    assert "equilibria NASH: 2, 3; SEQ: 2, 3" in page


def test_run_lists_and_polls_never_read_results(tmp_path: Path) -> None:
    """A result column that cannot be parsed would break any list that read it."""
    store, sid, version_id = chicken_store(tmp_path)
    rid = store.add_run(version_id, "stability", {"kind": "stability"}, "0")
    store.finish(rid, {"x": 1}, summary="one line")
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE runs SET result = 'not json' WHERE id = ?", (rid,))
    (row,) = store.runs(sid)
    assert (row.summary, row.status) == ("one line", "done")
    with pytest.raises(json.JSONDecodeError):
        store.run(rid)
    # Polling a run's status and fetching its figures do not read its result either.
    client = TestClient(create_app(tmp_path))
    assert client.get(f"/api/runs/{rid}/status").json()["status"] == "done"
    assert client.get(f"/api/runs/{rid}/figures/x").status_code == 404


def test_runs_are_paged_newest_first(tmp_path: Path) -> None:
    store, sid, version_id = chicken_store(tmp_path)
    params = {"kind": "stability"}
    ids = [store.add_run(version_id, "stability", params, "0") for _ in range(RUNS_PER_PAGE + 5)]
    assert [r.id for r in store.runs(sid, 3, 0)] == ids[::-1][:3]
    assert [r.id for r in store.runs(sid, 10, RUNS_PER_PAGE)] == ids[::-1][RUNS_PER_PAGE:]
    assert store.count_runs(sid) == RUNS_PER_PAGE + 5


def test_the_scenario_page_pages_its_runs(client: TestClient) -> None:
    sid = builtin_id(client, "chicken")
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    version = store.version(sid, 1)
    assert version is not None
    for _ in range(RUNS_PER_PAGE + 1):
        store.add_run(version.id, "stability", {"kind": "stability"}, "0")
    first = client.get(f"/scenarios/{sid}").text
    assert f"Runs 1–{RUNS_PER_PAGE} of {RUNS_PER_PAGE + 1}" in first and 'rel="next"' in first
    second = client.get(f"/scenarios/{sid}?runs_page=2").text
    assert f"Runs {RUNS_PER_PAGE + 1}–{RUNS_PER_PAGE + 1} of" in second and 'rel="prev"' in second
    assert len(client.get(f"/api/scenarios/{sid}/runs", params={"limit": 7, "offset": 100}).json()) == 1


def test_a_store_from_before_summaries_gets_them_at_start(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path / "old"))
    sid = builtin_id(client, "chicken")
    done = run(client, sid, 1, kind="stability", concepts=["nash"])
    client.app.state.lock.release()  # type: ignore[attr-defined]  # the server stops
    path = tmp_path / "old" / "detente.sqlite3"
    with sqlite3.connect(path) as db:  # as a store written by the previous version
        db.execute("ALTER TABLE runs DROP COLUMN summary")
        db.execute("ALTER TABLE runs DROP COLUMN result_bytes")
    again = TestClient(create_app(tmp_path / "old"))
    (listed,) = again.get(f"/api/scenarios/{sid}/runs").json()
    assert listed["summary"] == "equilibria NASH: 2, 3"
    assert listed["result_bytes"] == len(json.dumps(done["result"]).encode("utf-8"))


def test_a_second_server_on_one_data_folder_is_refused(tmp_path: Path) -> None:
    held = FolderLock(tmp_path)
    with pytest.raises(BusyError, match="in use by another detente server"):
        create_app(tmp_path)
    result = CliRunner().invoke(cli, ["serve", "--data", str(tmp_path)])
    assert result.exit_code == 1 and "in use by another detente server" in result.stderr
    held.release()
    create_app(tmp_path)  # free again


def test_the_lock_is_held_across_processes(tmp_path: Path) -> None:
    held = FolderLock(tmp_path)
    code = (
        "import sys; from pathlib import Path; from detente.errors import BusyError;"
        "from detente.web.lock import FolderLock\n"
        f"try: FolderLock(Path({str(tmp_path)!r}))\n"
        "except BusyError as e: print(e); sys.exit(7)"
    )
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert child.returncode == 7 and "(process " in child.stdout
    held.release()
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stdout + child.stderr


@pytest.mark.parametrize(
    ("request_args", "status", "error"),
    [
        (("GET", "/api/scenarios/999"), 404, "not_found"),
        (
            ("POST", RUNS, {"kind": "forecast", "seed": False}),
            422,
            "invalid_request",
        ),
        (("POST", RUNS, {"concepts": ["nash"]}), 422, "invalid_request"),
        (("POST", RUNS, {"kind": "clock", "by": 0}), 422, "invalid_request"),
        (
            ("POST", RUNS, {"kind": "stability", "concepts": ["Nash?"]}),
            422,
            "invalid_request",
        ),
        (("POST", "/api/scenarios", {"text": "name: [unclosed"}), 422, "input"),
        (("PUT", "/api/scenarios"), 405, "method_not_allowed"),
    ],
)
def test_every_error_has_the_one_documented_body(
    client: TestClient, request_args: tuple[object, ...], status: int, error: str
) -> None:
    method, path, *body = request_args
    response = client.request(str(method), str(path), json=body[0] if body else None)
    assert response.status_code == status, response.text
    payload = response.json()
    assert set(payload) == {"detail", "error", "problems"} and payload["error"] == error
    spec = client.get("/openapi.json").json()
    schema = spec["components"]["schemas"]["ErrorBody"]
    assert set(schema["required"]) == {"detail", "error", "problems"}


def test_a_405_names_every_method_of_the_path(client: TestClient) -> None:
    response = client.request("PUT", "/api/scenarios")
    assert response.headers["allow"] == "GET, POST"


def test_the_description_documents_each_error_status_and_requires_kind(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for status in ("400", "403", "404", "413", "422"):
                content = op["responses"][status]["content"]
                assert list(content) == ["application/json"], (method, path, status)
    run_body = spec["paths"]["/api/scenarios/{sid}/versions/{number}/runs"]["post"]["requestBody"]
    union = run_body["content"]["application/json"]["schema"]
    for option in union["oneOf"]:
        model = spec["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]
        assert model["required"][0] == "kind"


def test_an_unknown_host_is_refused_with_the_error_body(tmp_path: Path) -> None:
    from detente.cli.web import LOOPBACK_NAMES

    with TestClient(create_app(tmp_path, allowed_hosts=LOOPBACK_NAMES)) as c:
        refused = c.get("/api/builtins", headers={"host": "rebind.example:8000"})
        assert refused.status_code == 400 and refused.json()["error"] == "bad_host"
        assert c.get("/api/builtins", headers={"host": "[::1]:8000"}).status_code == 200

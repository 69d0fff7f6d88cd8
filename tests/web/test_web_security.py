"""Security: no path traversal, a body size limit with a clear 413, safe YAML, runs kept to their version."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from detente.cli.web import serve
from detente.web.limits import MAX_BODY
from tests.web.conftest import REPO, builtin_id, chicken_store, run

CHICKEN = (REPO / "examples" / "conflicts" / "chicken.yaml").read_text(encoding="utf-8")
PRISONERS = (REPO / "examples" / "conflicts" / "prisoners_dilemma.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path",
    [
        "/api/builtins/..%2F..%2Fpyproject.toml/yaml",
        "/api/builtins/..%2Fchicken/yaml",
        "/api/builtins/%2e%2e/yaml",
        "/api/builtins/chicken.yaml/yaml",
        "/api/builtins/..%5C..%5Cpyproject.toml/yaml",
        "/builtins/..%2F..%2Fetc%2Fpasswd",
        "/api/questions/..%2F..%2Fscenarios%2Fdprk_us_2019_06",
        "/questions/..%2Fquestions%2Fdprk_us_2019",
        "/api/runs/1/figures/..%2F..%2Fdetente.sqlite3",
        "/static/..%2Fapp.py",
        "/static/../app.py",
    ],
)
def test_path_traversal_finds_nothing(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert (
        "[tool." not in response.text
        and "root:" not in response.text
        and "def create_app" not in response.text
    )


def test_uploaded_file_names_never_become_paths(client: TestClient, tmp_path: Path) -> None:
    before = sorted(p.name for p in (tmp_path / "data").iterdir())
    response = client.post(
        "/api/scenarios/upload", files={"file": ("../../../evil.yaml", CHICKEN.encode(), "text/yaml")}
    )
    assert response.status_code == 201
    bad = client.post("/api/scenarios/upload", files={"file": ("../../x/evil.yaml", b"name: [", "text/yaml")})
    assert bad.json()["problems"][0]["file"] == "evil.yaml"
    assert not (tmp_path / "evil.yaml").exists() and not (tmp_path.parent / "evil.yaml").exists()
    after = sorted(p.name for p in (tmp_path / "data").iterdir())
    assert set(after) - set(before) <= {"detente.sqlite3-wal", "detente.sqlite3-shm"}


def test_oversize_upload_is_refused_with_413_and_nothing_saved(client: TestClient) -> None:
    count = len(client.get("/api/scenarios").json())
    big = CHICKEN.encode() + b"#" * (MAX_BODY + 1)
    response = client.post("/api/scenarios/upload", files={"file": ("big.yaml", big, "text/yaml")})
    assert response.status_code == 413
    assert "too large" in response.json()["detail"] and "1 MB" in response.json()["detail"]
    as_json = client.post("/api/scenarios", json={"text": CHICKEN + "#" * (MAX_BODY + 1)})
    assert as_json.status_code == 413

    def chunks() -> object:  # no Content-Length: the body is streamed in chunks
        for _ in range(20):
            yield b"x" * (MAX_BODY // 10)

    streamed = client.post("/api/validate", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert len(client.get("/api/scenarios").json()) == count


def test_a_body_just_under_the_limit_is_accepted(client: TestClient) -> None:
    text = CHICKEN + "#" * (MAX_BODY - len(CHICKEN.encode()) - 200)
    response = client.post("/api/validate", json={"text": text})
    assert response.status_code == 200 and response.json()["ok"]


def test_yaml_is_loaded_safely(client: TestClient, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f"!!python/object/apply:os.system ['touch {marker}']\n"
    response = client.post("/api/scenarios", json={"text": payload})
    assert response.status_code == 422
    assert not marker.exists()
    assert "!!python/object/apply:os.system is not supported" in response.json()["problems"][0]["message"]


def test_a_run_can_only_read_its_own_scenario_version(client: TestClient) -> None:
    a = client.post("/api/scenarios", json={"text": CHICKEN, "name": "A"}).json()["id"]
    b = client.post("/api/scenarios", json={"text": PRISONERS, "name": "B"}).json()["id"]
    edit = {"path": "name", "value": "Prisoners edited"}
    assert client.post(f"/api/scenarios/{b}/versions/1/edits", json={"edits": [edit]}).status_code == 201
    # Version 2 exists only in B: asking A for it must not reach B's version.
    assert client.post(f"/api/scenarios/{a}/versions/2/runs", json={"kind": "stability"}).status_code == 404
    assert client.get(f"/api/scenarios/{a}/versions/2").status_code == 404
    # Run parameters cannot name another scenario, version or file.
    for extra in ({"scenario_id": b}, {"version_id": 1}, {"file": "/etc/passwd"}, {"text": PRISONERS}):
        response = client.post(f"/api/scenarios/{a}/versions/1/runs", json={"kind": "stability", **extra})
        assert response.status_code == 422, extra
    result = run(client, a, 1, kind="stability", concepts=["nash"])
    assert result["scenario_id"] == a and result["version"] == 1
    assert result["result"]["conflict"]["name"] == "Chicken"
    assert result["result"]["equilibria"]["nash"] == [2, 3]


def test_cross_site_posts_are_refused(client: TestClient) -> None:
    count = len(client.get("/api/scenarios").json())
    evil = {"origin": "http://evil.example"}
    response = client.post("/api/scenarios", json={"text": CHICKEN}, headers=evil)
    assert response.status_code == 403
    upload = {"file": ("c.yaml", CHICKEN.encode(), "text/yaml")}
    assert client.post("/api/scenarios/upload", files=upload, headers=evil).status_code == 403
    assert len(client.get("/api/scenarios").json()) == count
    same = client.post("/api/scenarios", json={"text": CHICKEN}, headers={"origin": "http://testserver"})
    assert same.status_code == 201


def test_runs_left_unfinished_by_a_stopped_server_are_marked_failed(tmp_path: Path) -> None:
    store, _, version_id = chicken_store(tmp_path)
    rid = store.add_run(version_id, "montecarlo", {"kind": "montecarlo"}, "0")
    store.fail_unfinished("interrupted")
    run = store.run(rid)
    assert run is not None and (run.status, run.error) == ("failed", "interrupted")


def test_unknown_ids_are_404(client: TestClient) -> None:
    sid = builtin_id(client, "chicken")
    for path in (
        "/api/scenarios/999",
        "/api/runs/999",
        f"/api/scenarios/{sid}/versions/9",
        "/scenarios/999",
        "/api/runs/-1",  # not a number: no such address
        "/api/runs/abc",
    ):
        assert client.get(path).status_code == 404, path
    for path in (f"/api/scenarios/{sid}/versions/0", f"/api/scenarios/{sid}/versions/{2**63}"):
        assert client.get(path).status_code == 422, path  # ids are 1..2**62


def test_a_loopback_server_answers_only_to_loopback_names(tmp_path: Path) -> None:
    from detente.cli.web import LOOPBACK_NAMES
    from detente.web.app import create_app

    with TestClient(create_app(tmp_path, workers=1, allowed_hosts=LOOPBACK_NAMES)) as c:
        assert c.get("/api/builtins", headers={"host": "127.0.0.1:8000"}).status_code == 200
        assert c.get("/api/builtins", headers={"host": "localhost:8000"}).status_code == 200
        assert c.get("/api/builtins", headers={"host": "attacker.example:8000"}).status_code == 400


def test_serve_binds_to_loopback_by_default() -> None:
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"


def test_pages_load_nothing_from_the_internet(client: TestClient) -> None:
    sid = builtin_id(client, "dprk_us_2019_06")
    stability = run(client, sid, 1, kind="stability")
    external = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=\"(https?:)?//", re.IGNORECASE)
    for path in ("/", f"/scenarios/{sid}", f"/runs/{stability['id']}", "/api/docs", "/docs", "/redoc"):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert not external.search(response.text), path


def test_pages_answer_html_errors_the_api_json_and_every_response_carries_the_frame_and_csp_headers(
    tmp_path: Path,
) -> None:
    from fastapi.testclient import TestClient

    from detente.cli.web import is_loopback
    from detente.web.app import create_app

    client = TestClient(create_app(tmp_path))
    for path in ("/scenarios/999", "/runs/abc"):
        page = client.get(path)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "Not found" in page.text
    api = client.get("/api/scenarios/999")
    assert api.status_code == 404
    assert api.json() == {"detail": "no scenario 999", "error": "not_found", "problems": []}
    headers = client.get("/").headers
    assert (
        headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in headers["content-security-policy"]
    )
    assert [
        is_loopback(h) for h in ("127.0.0.2", "::1", "[::1]", "localhost", "10.0.0.1", "example.org")
    ] == [
        True,
        True,
        True,
        True,
        False,
        False,
    ]

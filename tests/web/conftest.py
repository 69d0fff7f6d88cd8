"""Fixtures for the web app tests: an app over a fresh store in a temporary folder."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from detente.web.app import create_app
from detente.web.store import Store

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(tmp_path / "data", workers=1)) as c:
        yield c


def chicken_store(folder: Path) -> tuple[Store, int, int]:
    """A store in ``folder`` holding the Chicken example as scenario 1: (store, scenario id, version id)."""
    store = Store(folder)
    text = (REPO / "examples" / "conflicts" / "chicken.yaml").read_text(encoding="utf-8")
    sid = store.add_scenario("c", "conflict", text, "test")
    version = store.version(sid, 1)
    assert version is not None
    return store, sid, version.id


def builtin_id(client: TestClient, name: str) -> int:
    ids = {b["name"]: b["scenario_id"] for b in client.get("/api/builtins").json()}
    return int(ids[name])


def wait(client: TestClient, run_id: int, timeout: float = 60.0) -> dict[str, Any]:
    """Poll a run until it is done or failed; return the full run."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        status = client.get(f"/api/runs/{run_id}/status").json()["status"]
        if status in ("done", "failed"):
            run: dict[str, Any] = client.get(f"/api/runs/{run_id}").json()
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def run(client: TestClient, sid: int, version: int, **params: Any) -> dict[str, Any]:
    response = client.post(f"/api/scenarios/{sid}/versions/{version}/runs", json=params)
    assert response.status_code == 201, response.text
    return wait(client, response.json()["id"])

"""Load benchmark of the local web app: concurrent analysis requests over loopback.

Run: ``python benchmarks/web_load.py [--requests 50] [--concurrency 50]``. The app (``detente serve``,
uvicorn) runs in a child process on 127.0.0.1 and a free port with a fresh data folder; this process
sends the requests with httpx (asyncio), all at once up to ``--concurrency``. Each request is a
conflict stability analysis (all four concepts) of the built-in North Korea scenario, recorded as a
run in the store, or, with ``--kind paths``, a status-quo path analysis. Bounded: at most
``--requests`` requests and ``--timeout`` seconds in all. Prints latency percentiles and errors.

Then the pages over a full store (``--stored 1000``): that many finished runs are written into the
scenario's store, each with a real stability result of every state (all four concepts), and the
scenario page, its run list (API), a run page and the home page are timed (median of ``--repeat``
requests; target: under 300 ms each). Baseline, in the same process: reading the same run list the
way the app did before summaries were stored, every result parsed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time

import httpx
import numpy as np

SCENARIO = "dprk_us_2019_06"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, data: str) -> subprocess.Popen[bytes]:
    code = (
        "from pathlib import Path; from detente.cli.web import serve; "
        f"serve(port={port}, host='127.0.0.1', data=Path({data!r}), workers=2)"
    )
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL)


def wait_ready(base: str, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if httpx.get(base + "/api/builtins", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


async def one(client: httpx.AsyncClient, url: str, body: dict[str, object]) -> tuple[float, str | None]:
    start = time.perf_counter()
    try:
        response = await client.post(url, json=body)
        error = None if response.status_code == 201 else f"HTTP {response.status_code}"
        if error is None and response.json().get("status") != "done":
            error = f"run {response.json().get('status')}: {response.json().get('error')}"
    except httpx.HTTPError as exc:
        error = type(exc).__name__
    return time.perf_counter() - start, error


async def load(
    base: str, n: int, concurrency: int, kind: str, timeout: float
) -> tuple[list[float], list[str], float]:
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as client:
        ids = {b["name"]: b["scenario_id"] for b in (await client.get("/api/builtins")).json()}
        url = f"/api/scenarios/{ids[SCENARIO]}/versions/1/runs"
        body: dict[str, object] = {"kind": kind}
        await one(client, url, body)  # warm-up: loads and caches the scenario
        gate = asyncio.Semaphore(concurrency)

        async def bounded() -> tuple[float, str | None]:
            async with gate:
                return await one(client, url, body)

        start = time.perf_counter()
        results = await asyncio.wait_for(asyncio.gather(*(bounded() for _ in range(n))), timeout)
        wall = time.perf_counter() - start
    return [t for t, _ in results], [e for _, e in results if e], wall


def fill_store(data: str, stored: int) -> tuple[int, int]:
    """Write ``stored`` finished stability runs (a real result each); (scenario id, a run id)."""
    from detente.app.registry import get
    from detente.app.runs import run
    from detente.io.scenario import builtin_scenario
    from detente.web.app import create_app

    app = create_app(data, workers=1)  # seeds the built-ins
    store = app.state.store
    row = store.builtin_scenario(SCENARIO)
    version = store.version(row.id, 1)
    out = run("stability", builtin_scenario(SCENARIO), states="all")
    result, summary = out.json, get("stability").headline(out.json)
    params = {"kind": "stability", "concepts": ["nash", "gmr", "smr", "seq"], "states": "all"}
    run_id = 0
    for _ in range(stored):
        run_id = store.add_run(version.id, "stability", params, "bench")
        store.finish(run_id, result, summary=summary)
    app.state.lock.release()
    return row.id, run_id


def old_list_seconds(data: str, sid: int) -> float:
    """The run list as read before summaries: every stored result parsed (the baseline)."""
    import json
    import sqlite3

    start = time.perf_counter()
    with sqlite3.connect(f"{data}/detente.sqlite3") as db:
        rows = db.execute(
            "SELECT r.*, r.result AS parsed FROM runs r JOIN versions v ON v.id = r.version_id "
            "WHERE v.scenario_id = ? ORDER BY r.id DESC",
            (sid,),
        ).fetchall()
        parsed = [json.loads(r[-1]) if r[-1] else None for r in rows]
    assert len(parsed) == len(rows)
    return time.perf_counter() - start


def pages(stored: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="detente-web-store-") as data:
        t0 = time.perf_counter()
        sid, run_id = fill_store(data, stored)
        size = os.path.getsize(f"{data}/detente.sqlite3")
        print(f"store: {stored} runs written in {time.perf_counter() - t0:.1f} s ({size / 1e6:.0f} MB)")
        port = free_port()
        server = start_server(port, data)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base, 60)
            timings = {}
            with httpx.Client(base_url=base, timeout=120) as client:
                for name, path in (
                    ("scenario page", f"/scenarios/{sid}"),
                    ("run list (API, 100 newest)", f"/api/scenarios/{sid}/runs"),
                    ("run list (API, 1000)", f"/api/scenarios/{sid}/runs?limit=1000"),
                    ("run page", f"/runs/{run_id}"),
                    ("home page", "/"),
                ):
                    seconds = []
                    for _ in range(repeat):
                        start = time.perf_counter()
                        response = client.get(path)
                        seconds.append(time.perf_counter() - start)
                        assert response.status_code == 200, (path, response.status_code)
                    timings[name] = float(np.median(seconds))
        finally:
            server.terminate()
            server.wait(timeout=10)
        baseline = float(np.median([old_list_seconds(data, sid) for _ in range(max(1, repeat // 2))]))
    print(f"pages over {stored} stored runs (median of {repeat}; target < 300 ms each):")
    for name, seconds in timings.items():
        verdict = "ok" if seconds < 0.3 else "OVER TARGET"
        print(f"  {name:28} {1000 * seconds:8.1f} ms  {verdict}")
    ratio = baseline / timings["run list (API, 1000)"]
    print(f"  baseline: the same list parsing every result {1000 * baseline:8.1f} ms ({ratio:.0f}x the list)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--kind", choices=("stability", "paths"), default="stability")
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--stored", type=int, default=1000, help="runs in the store for the page timings")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    pages(max(1, min(args.stored, 20_000)), max(1, args.repeat))
    n = max(1, min(args.requests, 500))
    with tempfile.TemporaryDirectory(prefix="detente-web-load-") as data:
        port = free_port()
        server = start_server(port, data)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base, 60)
            latencies, errors, wall = asyncio.run(load(base, n, args.concurrency, args.kind, args.timeout))
        finally:
            server.terminate()
            server.wait(timeout=10)
    ms = np.array(latencies) * 1000
    p50, p90, p99 = np.percentile(ms, [50, 90, 99])
    print(
        f"web load: {n} concurrent '{args.kind}' analyses of {SCENARIO} over loopback ({os.cpu_count()} CPUs)"
    )
    print(f"  latency ms  p50 {p50:8.1f}   p90 {p90:8.1f}   p99 {p99:8.1f}   max {ms.max():8.1f}")
    print(f"  wall {wall:.2f} s   throughput {n / wall:.1f} requests/s   errors {len(errors)}")
    for e in sorted(set(errors)):
        print(f"    {errors.count(e)} x {e}")


if __name__ == "__main__":
    main()

"""Load benchmark of the local web app: concurrent analysis requests over loopback.

Run: ``python benchmarks/web_load.py [--requests 50] [--concurrency 50]``. The app (``detente serve``,
uvicorn) runs in a child process on 127.0.0.1 and a free port with a fresh data folder; this process
sends the requests with httpx (asyncio), all at once up to ``--concurrency``. Each request is a
conflict stability analysis (all four concepts) of the built-in North Korea scenario, recorded as a
run in the store, or, with ``--kind paths``, a status-quo path analysis. Bounded: at most
``--requests`` requests and ``--timeout`` seconds in all. Prints latency percentiles and errors.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--kind", choices=("stability", "paths"), default="stability")
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args()
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

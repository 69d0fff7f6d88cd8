"""Start-up cost of the command line and the web app, as CPU seconds and ratios to baselines run in
the same process (issue: One application layer).

Targets: ``detente --help`` within 2x of ``python -c "import typer, rich"``; ``detente conflict
analyze`` on a small conflict within 1.5x of ``python -c "import typer, rich, pydantic, yaml, numpy"``;
importing the web app within 3x of the latter. Each command runs ``REPEATS`` times; the median of the
CPU time (user + system) of the child process is reported, which other load on the machine disturbs
less than wall-clock time.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DETENTE = str(Path(PY).with_name("detente"))
REPEATS = int(os.environ.get("REPEATS", "7"))


def cpu(cmd: list[str]) -> float:
    """Median CPU seconds (user + system) of ``cmd`` over REPEATS runs."""
    times = []
    for _ in range(REPEATS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return statistics.median(times)


def main() -> None:
    small = str(ROOT / "examples" / "conflicts" / "chicken.yaml")
    base_cli = cpu([PY, "-c", "import typer, rich"])
    base_engine = cpu([PY, "-c", "import typer, rich, pydantic, yaml, numpy"])
    rows = [
        ("detente --help", cpu([DETENTE, "--help"]), base_cli, 2.0, "import typer, rich"),
        (
            "detente conflict analyze chicken.yaml",
            cpu([DETENTE, "conflict", "analyze", small]),
            base_engine,
            1.5,
            "import typer, rich, pydantic, yaml, numpy",
        ),
        (
            "import detente.web.app",
            cpu([PY, "-c", "import detente.web.app"]),
            base_engine,
            3.0,
            "import typer, rich, pydantic, yaml, numpy",
        ),
    ]
    print(f"CPU seconds, median of {REPEATS} runs")
    for name, value, base, target, against in rows:
        ratio = value / base
        verdict = "ok" if ratio <= target else "OVER"
        shown = f"{ratio:4.2f}x of `{against}` ({base:.3f} s)"
        print(f"{name:42s} {value:6.3f} s  {shown}  target {target}x  {verdict}")


if __name__ == "__main__":
    main()

"""Mutation fuzzing of every input format through every command that reads it (issue 14).

Each case mutates one valid file of the corpus (``examples/``, ``src/detente/data/``,
``tests/*/data/``; :mod:`tests.fuzz.mutate`) and runs one ``detente`` command on it in-process with
typer's CliRunner. Every case must end with exit status 0, 1, 2 or 3, with:

* no exception escaping the command (a traceback);
* no ``NaN`` or ``Infinity`` in JSON output (they are not JSON);
* no file left behind when the command fails, and no temporary file left behind when it succeeds;
* no blame on a command-line option the user did not give (``Invalid value for --spread-*`` for a
  problem in the file).

``DETENTE_FUZZ_CASES`` sets the number of cases (default 200, derandomised: case ``i`` uses seed
``DETENTE_FUZZ_SEED * 1_000_003 + i``); ``make fuzz`` runs 4,000 and prints the counts. A failing
case is printed with its seed, file, mutation and command, and is reproduced by
``DETENTE_FUZZ_CASES=<i+1>`` with the same seed.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.forecast.models import MODEL_NAMES
from tests.fuzz.mutate import mutate

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "detente" / "data"
FORECAST = ROOT / "tests" / "forecast" / "data"
CASES = int(os.environ.get("DETENTE_FUZZ_CASES", "200"))
SEED = int(os.environ.get("DETENTE_FUZZ_SEED", "14"))
LONG = CASES > 1000
"""Long runs (``make fuzz``) also run the whole ``analyze`` report on scenarios (seconds a case)."""

KNOWN: dict[tuple[str, str], str] = {}
"""Crashes found by the fuzzer in code outside the input layer, by (exception, file), not yet fixed.

They are printed in the summary but do not fail the test; remove an entry once it is fixed (the test
then fails if it comes back). Empty means every crash fails the test.
"""


@dataclass(frozen=True)
class Command:
    label: str
    args: tuple[str, ...]
    json: bool = False
    weight: int = 5
    """How often the command is picked relative to others (slow commands less often)."""


@dataclass(frozen=True)
class Target:
    name: str
    kind: str
    seeds: tuple[Path, ...]
    commands: tuple[Command, ...]


def _forecast_commands(backtest: bool = False) -> tuple[Command, ...]:
    runs = tuple(
        Command(f"forecast run -m {m}", ("forecast", "run", "{file}", "-m", m, "--json"), json=True, weight=2)
        for m in MODEL_NAMES
    )
    more = (
        Command(
            "forecast run --mc",
            (
                "forecast",
                "run",
                "{file}",
                "-m",
                "compromise",
                "--mc",
                "4",
                "--workers",
                "1",
                "--seed",
                "1",
                "--json",
            ),
            json=True,
        ),
        Command(
            "forecast run --plot",
            ("forecast", "run", "{file}", "-m", "median", "--plot", "{out}/f.svg"),
            weight=1,
        ),
        Command("forecast validate", ("forecast", "validate", "{dir}", "--json"), json=True, weight=2),
        Command(
            "forecast backtest",
            ("forecast", "backtest", "{file}", "--folds", "2", "--json"),
            json=True,
            weight=5 if backtest else 1,
        ),
    )
    return runs + more


CONFLICT_COMMANDS = (
    Command("conflict analyze", ("conflict", "analyze", "{file}", "--json"), json=True),
    Command("conflict coalitions", ("conflict", "coalitions", "{file}", "--json"), json=True),
    Command("conflict paths", ("conflict", "paths", "{file}", "--concept", "nash", "--json"), json=True),
    Command(
        "conflict inverse",
        ("conflict", "inverse", "{file}", "--target", "1", "--dm", "{dm}", "--json"),
        json=True,
    ),
    Command("conflict convert", ("conflict", "convert", "{file}", "{out}/converted.gmcr")),
    Command("conflict convert yaml", ("conflict", "convert", "{file}", "{out}/converted.yaml"), weight=2),
    Command("analyze", ("analyze", "{file}", "--mc", "0", "--out", "{out}/report"), weight=1),
)

SCENARIO_COMMANDS = (
    Command("conflict analyze", ("conflict", "analyze", "{file}", "--concepts", "nash", "--json"), json=True),
    Command("forecast run", ("forecast", "run", "{file}", "-m", "compromise", "--json"), json=True),
    Command(
        "forecast run --mc",
        ("forecast", "run", "{file}", "-m", "median", "--mc", "3", "--workers", "1", "--seed", "1", "--json"),
        json=True,
    ),
    Command("interventions", ("interventions", "{file}", "--mc", "0", "--json"), json=True, weight=1),
    Command(
        "questions", ("questions", "{file}", "--mc", "1", "--samples", "1", "--json"), json=True, weight=1
    ),
    *(
        (Command("analyze", ("analyze", "{file}", "--mc", "2", "--out", "{out}/report"), weight=1),)
        if LONG
        else ()
    ),
)

PROBABILITIES = Path(__file__).parent / "data" / "probabilities.yaml"
RESOLUTIONS = DATA / "questions" / "dprk_us_2019_resolutions.yaml"

TARGETS = (
    Target(
        "conflict yaml",
        "yaml",
        (
            ROOT / "examples/conflicts/chicken.yaml",
            ROOT / "examples/conflicts/prisoners_dilemma.yaml",
            DATA / "conflicts/chicken.yaml",
        ),
        CONFLICT_COMMANDS,
    ),
    Target("gmcr", "json", tuple(sorted((ROOT / "tests/conflict/data").glob("*.gmcr"))), CONFLICT_COMMANDS),
    Target("scenario", "yaml", tuple(sorted((DATA / "scenarios").glob("*.yaml"))), SCENARIO_COMMANDS),
    Target("issue space yaml", "yaml", (FORECAST / "issues.yaml",), _forecast_commands()),
    Target("ktab csv", "csv", (FORECAST / "ktab_two_dims.csv",), _forecast_commands()),
    Target("ktab xml", "xml", (FORECAST / "ktab_two_dims.xml",), _forecast_commands()),
    Target("nxcs", "tsv", (FORECAST / "emission.txt",), _forecast_commands()),
    Target("acps", "csv", (FORECAST / "emission.csv", FORECAST / "emission_cr.csv"), _forecast_commands()),
    Target("exchange", "exchange", (FORECAST / "exchange_small.txt",), _forecast_commands()),
    Target("deu", "tsv", (FORECAST / "deu_small.tsv",), _forecast_commands(backtest=True)),
    Target(
        "questions",
        "yaml",
        (DATA / "questions/dprk_us_2019.yaml",),
        (
            Command(
                "questions",
                ("questions", "--questions", "{file}", "--mc", "1", "--samples", "1", "--json"),
                json=True,
            ),
            Command(
                "questions --out",
                (
                    "questions",
                    "--questions",
                    "{file}",
                    "--mc",
                    "1",
                    "--samples",
                    "1",
                    "--out",
                    "{out}/p.yaml",
                ),
                weight=2,
            ),
        ),
    ),
    Target(
        "probabilities",
        "yaml",
        (PROBABILITIES,),
        (Command("score", ("score", "{file}", str(RESOLUTIONS), "--json"), json=True),),
    ),
    Target(
        "resolutions",
        "yaml",
        (RESOLUTIONS,),
        (Command("score", ("score", str(PROBABILITIES), "{file}", "--json"), json=True),),
    ),
)


def _schedule() -> list[tuple[Target, Command]]:
    """Every (format, command) pair, repeated by weight, in a fixed order the cases cycle through."""
    pairs = [(t, c) for t in TARGETS for c in t.commands]
    out: list[tuple[Target, Command]] = []
    for round_ in range(max(c.weight for _, c in pairs)):
        out += [(t, c) for t, c in pairs if c.weight > round_]
    return out


def _first_dm(path: Path) -> str:
    """The first decision maker's name in a conflict seed (for ``conflict inverse --dm``)."""
    from detente.io.gmcr import load_any

    return load_any(path).decision_makers[0].name


@dataclass
class Outcome:
    case: int
    target: str
    command: str
    seed_file: str
    mutation: str
    args: list[str]
    exit_code: int
    failure: str = ""
    signature: tuple[str, str] = ("", "")


def _not_json(name: str) -> object:
    raise ValueError(f"{name} in JSON output")


_BLAME = re.compile(r"Invalid value for '?(-[-\w]+\*?)")


def _location(exc: BaseException) -> tuple[str, str]:
    """(exception type, the innermost detente source file:line it passed through)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/detente/" in f.filename]
    if not frames:
        return type(exc).__name__, "?"
    last = frames[-1]
    return type(exc).__name__, f"{last.filename.split('/src/')[-1]}:{last.lineno} ({last.name})"


def run_case(i: int, schedule: list[tuple[Target, Command]], workdir: Path) -> Outcome:
    """Mutate a seed, run the command, check the rules; the outcome says what failed, if anything."""
    rng = random.Random(SEED * 1_000_003 + i)
    target, command = schedule[i % len(schedule)]
    seed_file = rng.choice(target.seeds)
    raw, mutation = mutate(rng, seed_file.read_bytes(), target.kind)
    case_dir = workdir / f"case{i}"
    data_dir = case_dir / "data"
    out_dir = case_dir / "out"
    data_dir.mkdir(parents=True)
    out_dir.mkdir()
    file = data_dir / seed_file.name
    file.write_bytes(raw)
    dm = _first_dm(seed_file) if "{dm}" in " ".join(command.args) else ""
    args = [a.format(file=file, out=out_dir, dir=data_dir, dm=dm) for a in command.args]
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, args)
    outcome = Outcome(i, target.name, command.label, seed_file.name, mutation, args, result.exit_code)
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        outcome.failure = f"traceback: {type(exc).__name__}: {str(exc)[:300]}"
        outcome.signature = _location(exc)
    elif result.exit_code not in (0, 1, 2, 3):
        outcome.failure = f"exit status {result.exit_code}"
        outcome.signature = ("exit status", str(result.exit_code))
    elif "Traceback (most recent call last)" in result.output:
        outcome.failure = "a traceback in the output"
        outcome.signature = ("traceback text", command.label)
    if not outcome.failure and result.exit_code == 0 and command.json:
        try:
            json.loads(result.stdout, parse_constant=_not_json)
        except ValueError as err:
            outcome.failure = f"bad JSON output: {err}"
            outcome.signature = ("bad JSON", command.label)
    if not outcome.failure:
        for option in _BLAME.findall(result.output):
            if option.rstrip("*") not in " ".join(args):
                outcome.failure = f"blames {option}, which was not given: {result.output.strip()[-300:]}"
                outcome.signature = ("blames an option not given", option)
    if not outcome.failure:
        left = sorted(str(p.relative_to(case_dir)) for p in case_dir.rglob("*") if p.is_file() and p != file)
        if result.exit_code != 0 and left:
            outcome.failure = f"files left behind after a failure: {left[:5]}"
            outcome.signature = ("file left behind", command.label)
        elif any(p.endswith(".detente-tmp") for p in left):
            outcome.failure = f"temporary files left behind: {left[:5]}"
            outcome.signature = ("temp file left behind", command.label)
    shutil.rmtree(case_dir, ignore_errors=True)
    return outcome


def run_fuzz(cases: int, workdir: Path) -> Iterator[Outcome]:
    schedule = _schedule()
    for i in range(cases):
        yield run_case(i, schedule, workdir)


def summary(outcomes: list[Outcome], seconds: float) -> str:
    crashes = [o for o in outcomes if o.failure]
    counts = Counter("success" if o.exit_code == 0 else "clean error" for o in outcomes if not o.failure)
    known = sum(1 for o in crashes if _known(o))
    lines = [
        f"fuzz: {len(outcomes)} cases in {seconds:.0f} s (seed {SEED}): {counts['clean error']} clean "
        f"errors, {counts['success']} successes, {len(crashes)} failures ({known} known)"
    ]
    by_sig: dict[tuple[str, str], list[Outcome]] = {}
    for o in crashes:
        by_sig.setdefault(o.signature, []).append(o)
    for sig, group in sorted(by_sig.items(), key=lambda kv: -len(kv[1])):
        first = group[0]
        commands = sorted({o.command for o in group})
        lines.append(
            f"- {len(group)} x {sig[0]} at {sig[1]}\n    commands: {', '.join(commands)}\n"
            f"    e.g. case {first.case}: {first.target} {first.seed_file}: {first.mutation}\n"
            f"    detente {' '.join(first.args)}\n    {first.failure}"
        )
    return "\n".join(lines)


def _known(o: Outcome) -> bool:
    return o.signature in KNOWN or (o.signature[0], o.signature[1].split(":")[0]) in KNOWN


@pytest.mark.filterwarnings("ignore")
def test_no_input_crashes_a_command(tmp_path: Path) -> None:
    start = time.perf_counter()
    outcomes = list(run_fuzz(CASES, tmp_path))
    text = summary(outcomes, time.perf_counter() - start)
    print("\n" + text)
    assert len(outcomes) == CASES
    # the corpus must still be exercised: some cases succeed, some are refused
    assert any(o.exit_code == 0 and not o.failure for o in outcomes)
    assert any(o.exit_code == 2 and not o.failure for o in outcomes)
    unknown = [o for o in outcomes if o.failure and not _known(o)]
    assert not unknown, text

"""``detente forecast validate``: every importer and every model on a folder of public data sets."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detente.errors import InputError
from detente.forecast.space import Case, FloatArray, ForecastResult
from detente.io.importers import import_file
from detente.io.yamlio import shorten

SKIPPED_SUFFIXES = (".md", ".xsd")
"""Documentation and XML schemas found beside data files are not data."""


@dataclass(frozen=True)
class ValidationRow:
    """One line of the validation table: a file read by one importer and run by one model."""

    file: str
    format: str
    actors: int
    model: str
    outcome: str
    seconds: float
    ok: bool


def _is_data(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() not in SKIPPED_SUFFIXES and not path.name.startswith(".")


def validate_directory(
    directory: str | Path, models: Sequence[str] | None = None, progress: Callable[[str], None] | None = None
) -> list[ValidationRow]:
    """Import every data file under ``directory`` and run every model on it.

    A file that fails to import gives one row with the problems (``ok`` True: bad input is reported,
    which is the expected behaviour); a model that cannot take the space (InputError / ValueError,
    e.g. the exchange model on one issue) gives a row saying why; any other exception is a failure
    (``ok`` False). A file with observed outcomes (DEU III) is scored by MAE over its issues.
    Returns no rows when ``directory`` does not exist.
    """
    from detente.forecast.models import MODEL_NAMES, get

    root = Path(directory)
    if not root.is_dir():
        return []
    rows: list[ValidationRow] = []
    for path in sorted(p for p in root.rglob("*") if _is_data(p)):
        name = str(path.relative_to(root))
        if progress is not None:
            progress(name)
        start = time.perf_counter()
        try:
            imported = import_file(path)
        except InputError as exc:
            message = f"{len(exc.problems)} problem(s); first: {exc.problems[0]}"
            rows.append(
                ValidationRow(name, "input error", 0, "-", message, time.perf_counter() - start, True)
            )
            continue
        except Exception as exc:  # an importer crashing is what validation exists to find
            message = f"FAILED {type(exc).__name__}: {shorten(str(exc), 200)}"
            rows.append(ValidationRow(name, "import", 0, "-", message, time.perf_counter() - start, False))
            continue
        n_actors = max(c.space.n_actors for c in imported.cases)
        for model in models or MODEL_NAMES:
            run = get(model)
            start = time.perf_counter()
            ok = True
            try:
                text = _run_cases(run, imported.cases, model)
            except Exception as exc:  # a crash in a model is what validation exists to find
                text, ok = f"FAILED {type(exc).__name__}: {exc}", False
            rows.append(
                ValidationRow(name, imported.format, n_actors, model, text, time.perf_counter() - start, ok)
            )
    return rows


def _run_cases(run: Callable[..., ForecastResult], cases: Sequence[Case], model: str) -> str:
    """The outcomes of a one-case file, or the MAE over a many-case file's observed outcomes.

    Cases the model cannot take (InputError / ValueError) are counted; other exceptions propagate.
    """
    done: list[tuple[Case, FloatArray]] = []
    refused: list[Exception] = []
    for case in cases:
        try:
            done.append((case, run(case.space, **case.params.get(model, {})).outcome))
        except (InputError, ValueError) as exc:
            refused.append(exc)
    if not done:
        return f"not applicable: {str(refused[0]).splitlines()[0]}"
    note = f" ({len(refused)} refused)" if refused else ""
    scored = [np.abs(f - c.outcome) for c, f in done if c.outcome is not None]
    if scored:
        err = np.concatenate(scored)
        return f"MAE {err.mean():.2f} over {err.size} issues{note}"
    return ", ".join(f"{v:.4g}" for _, f in done for v in f) + note

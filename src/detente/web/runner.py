"""Executing runs: within the request for quick analyses, on a background thread pool for long ones.

A run reads only its own version: :meth:`Runner.execute` is given a run id, looks up the version the
run was created for, and loads that version's text. Progress of a Monte Carlo run is written to the
store after each chunk, where the polling endpoint reads it.
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import TypeAdapter

from detente import __version__
from detente.errors import InputError, ModelTooLargeError
from detente.web.analysis import BACKGROUND, MonteCarloParams, RunError, RunParams, execute
from detente.web.documents import load_text
from detente.web.store import Store

PARAMS: TypeAdapter[RunParams] = TypeAdapter(RunParams)


def version_label(scenario_id: int, number: int) -> str:
    """How a stored version is named in problems: ``scenario 3, version 2``."""
    return f"scenario {scenario_id}, version {number}"


class Runner:
    """Creates runs in the store and executes them (long kinds on ``workers`` background threads)."""

    def __init__(self, store: Store, workers: int = 2) -> None:
        self.store = store
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="detente-run")

    def create(self, version_id: int, params: RunParams) -> int:
        """Record a run of ``params`` on version ``version_id`` (a random run gets its seed now)."""
        if isinstance(params, MonteCarloParams) and params.seed is None:
            params = params.model_copy(update={"seed": secrets.randbits(63)})
        return self.store.add_run(version_id, params.kind, params.model_dump(mode="json"), __version__)

    def start(self, run_id: int) -> None:
        """Execute now if the kind is quick, else queue it on the background pool."""
        run = self.store.run(run_id)
        assert run is not None
        if run.kind in BACKGROUND:
            self.pool.submit(self.execute, run_id)
        else:
            self.execute(run_id)

    def execute(self, run_id: int) -> None:
        """Load the run's own version, run its parameters, and store the result or the error."""
        run = self.store.run(run_id)
        assert run is not None
        version = self.store.version_by_id(run.version_id)
        assert version is not None
        params = PARAMS.validate_python(run.params)
        self.store.progress(run_id, 0, getattr(params, "n", 1))
        error: str | None = None
        result: dict[str, Any] | None = None
        figures: dict[str, str] = {}
        try:
            doc = load_text(version.text, version_label(version.scenario_id, version.number))
            result, figures = execute(
                doc, params, lambda done, total: self.store.progress(run_id, done, total)
            )
        except InputError as exc:
            error = f"the version does not load: {exc}"
        except (RunError, ModelTooLargeError) as exc:
            error = str(exc)
        except Exception as exc:
            error = f"internal error: {type(exc).__name__}: {exc}"
        self.store.finish(run_id, result, error, figures)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

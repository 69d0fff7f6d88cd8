"""Executing runs: checked and guarded when they are created, then run on a background thread pool
(or before the response when the estimate says they finish at once).

A run reads only its own version: :meth:`Runner.create` loads the version the run is created for,
checks and guards it, and keeps the loaded document, the parameters and the estimate until
:meth:`Runner.execute` runs them (nothing is loaded or estimated twice). Progress is written to the
store, where the polling endpoint reads it.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from detente import __version__
from detente.app.kind import Execution, Params
from detente.app.registry import get
from detente.budget import Cost
from detente.errors import DetenteError
from detente.io.loader import Document
from detente.web import runs
from detente.web.documents import load_text
from detente.web.store import Store

PARAMS: TypeAdapter[Any] = TypeAdapter(runs.run_params_type())
_PLOT_LOCK = threading.Lock()
"""pyplot keeps global state: figures are drawn one at a time."""


def version_label(scenario_id: int, number: int) -> str:
    """How a stored version is named in problems: ``scenario 3, version 2``."""
    return f"scenario {scenario_id}, version {number}"


@dataclass(frozen=True)
class Prepared:
    """A created run waiting to execute: its loaded version, its parameters and their estimate."""

    doc: Document
    params: Params
    costs: tuple[Cost, ...]


class Runner:
    """Creates runs in the store and executes them (on ``workers`` background threads)."""

    def __init__(self, store: Store, workers: int = 2) -> None:
        self.store = store
        self.workers = workers
        self.pool = self._new_pool()
        self.closed = False
        self.prepared: dict[int, Prepared] = {}

    def _new_pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="detente-run")

    def open(self) -> None:
        """Ready to run again after :meth:`shutdown` (an app started a second time)."""
        if self.closed:
            self.pool, self.closed = self._new_pool(), False

    def create(self, version_id: int, params: Params) -> tuple[int, bool]:
        """Check ``params`` against the version and the web budget (raising the DetenteError that
        refuses it, before anything is stored), record the run with its seed drawn if none was given,
        and say whether it may run before the response."""
        from detente.app.runs import check_reads, guard

        version = self.store.version_by_id(version_id)
        assert version is not None
        kind = get(params.kind)
        params = runs.seeded(kind, params)
        doc = load_text(version.text, version_label(version.scenario_id, version.number))
        check_reads(kind, doc)
        costs = guard(kind, doc, params, runs.budget())
        inline = sum(c.seconds for c in costs) <= runs.INLINE_SECONDS and kind.name not in (
            "report",
            "questions",
        )
        run_id = self.store.add_run(version_id, kind.name, params.model_dump(mode="json"), __version__)
        self.store.progress(run_id, 0, params.steps())
        self.prepared[run_id] = Prepared(doc, params, costs)
        return run_id, inline

    def start(self, run_id: int, inline: bool = False) -> None:
        """Execute now if the estimate says it is quick, else queue it on the background pool."""
        if inline:
            self.execute(run_id)
        else:
            self.pool.submit(self.execute, run_id)

    def execute(self, run_id: int) -> None:
        """Run a created run (:meth:`create`) and store the result or the error."""
        from detente.app.runs import execute

        prep = self.prepared.pop(run_id)
        doc, params = prep.doc, prep.params
        error: str | None = None
        result: dict[str, Any] | None = None
        figures: dict[str, str] = {}
        summary = ""
        try:
            progress = Execution(
                workers=1, progress=lambda done, total: self.store.progress(run_id, done, total)
            )
            out = execute(params.kind, doc, params, progress, costs=prep.costs)
            result = out.json
            summary = out.kind.headline(result)
            if out.kind.figures is not None:
                with _PLOT_LOCK:
                    figures = out.kind.figures(doc, out.params, out.result)
        except DetenteError as exc:
            error = "\n".join(exc.lines())
        except Exception as exc:  # a defect: stored as such, never a dead worker
            error = f"internal error: {type(exc).__name__}: {exc}"
        self.store.finish(run_id, result, error, figures, summary)

    def shutdown(self) -> None:
        """Stop taking runs; queued ones are dropped (marked interrupted at the next start)."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.prepared.clear()
        self.closed = True

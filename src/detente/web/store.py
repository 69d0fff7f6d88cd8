"""The web app's embedded store (stdlib sqlite3): scenarios, every saved version, every run.

A *scenario* is a named sequence of immutable *versions* (YAML text, numbered 1, 2, ... within the
scenario). A *run* is one analysis of one version: its kind, its parameters (including the seed of a
random run), its status and progress, and its result as JSON, with the figures drawn from it. Nothing
is ever overwritten except a run's status, progress and result while it executes, so any result can
be reproduced from its version and parameters and any two versions compared.

Lists of runs read each run's one-line ``summary`` and result size, stored beside the result when
the run finishes, never the result itself: a list stays quick however large the stored results are.

Each thread keeps its own connection (sqlite3 connections are not shared between threads); the
database runs in WAL mode so readers do not block the background worker.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

RunStatus = Literal["queued", "running", "done", "failed"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scenarios (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    builtin TEXT UNIQUE,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    scenario_id INTEGER NOT NULL REFERENCES scenarios(id),
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    note TEXT NOT NULL,
    created TEXT NOT NULL,
    UNIQUE (scenario_id, number)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    summary TEXT NOT NULL DEFAULT '',
    result_bytes INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    detente_version TEXT NOT NULL,
    created TEXT NOT NULL,
    finished TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_version ON runs (version_id);
CREATE TABLE IF NOT EXISTS figures (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    name TEXT NOT NULL,
    svg TEXT NOT NULL,
    PRIMARY KEY (run_id, name)
);
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ScenarioRow:
    id: int
    name: str
    kind: str
    builtin: str | None
    created: str
    versions: int


@dataclass(frozen=True)
class VersionRow:
    id: int
    scenario_id: int
    number: int
    text: str
    sha256: str
    note: str
    created: str


@dataclass(frozen=True)
class RunSummary:
    """A run as lists show it: everything but its result, with the result's one-line summary."""

    id: int
    version_id: int
    scenario_id: int
    version_number: int
    kind: str
    params: dict[str, Any]
    status: RunStatus
    done: int
    total: int
    summary: str
    result_bytes: int
    error: str | None
    detente_version: str
    created: str
    finished: str | None


@dataclass(frozen=True)
class RunRow(RunSummary):
    """A run with its result (JSON), as one run's page and the API show it."""

    result: dict[str, Any] | None = None


class Store:
    """The SQLite file ``detente.sqlite3`` in ``folder`` (created on first use)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / "detente.sqlite3"
        self._local = threading.local()
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            columns = {r["name"] for r in db.execute("PRAGMA table_info(runs)")}
            # Written before summaries were kept: its finished runs need theirs (:meth:`unsummarised`).
            self.summaries_missing = bool(columns) and "summary" not in columns
            if self.summaries_missing:
                db.execute("ALTER TABLE runs ADD COLUMN summary TEXT NOT NULL DEFAULT ''")
                db.execute("ALTER TABLE runs ADD COLUMN result_bytes INTEGER NOT NULL DEFAULT 0")
                db.execute("UPDATE runs SET result_bytes = COALESCE(LENGTH(CAST(result AS BLOB)), 0)")
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, inside one transaction (committed on success, else rolled back)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
            self._local.db = db
        with db:
            yield db

    # -- scenarios and versions ------------------------------------------------------------------
    def add_scenario(self, name: str, kind: str, text: str, note: str, builtin: str | None = None) -> int:
        """A new scenario with ``text`` as its version 1; returns the scenario id."""
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO scenarios (name, kind, builtin, created) VALUES (?, ?, ?, ?)",
                (name, kind, builtin, _now()),
            )
            sid = int(cur.lastrowid or 0)
            self._insert_version(db, sid, text, note)
        return sid

    def add_version(self, scenario_id: int, text: str, note: str, name: str | None = None) -> VersionRow:
        """Append ``text`` as the scenario's next version (renaming the scenario if ``name`` is given)."""
        with self._db() as db:
            if name is not None:
                db.execute("UPDATE scenarios SET name = ? WHERE id = ?", (name, scenario_id))
            vid = self._insert_version(db, scenario_id, text, note)
        version = self.version_by_id(vid)
        assert version is not None
        return version

    @staticmethod
    def _insert_version(db: sqlite3.Connection, scenario_id: int, text: str, note: str) -> int:
        row = db.execute(
            "SELECT COALESCE(MAX(number), 0) FROM versions WHERE scenario_id = ?", (scenario_id,)
        ).fetchone()
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        cur = db.execute(
            "INSERT INTO versions (scenario_id, number, text, sha256, note, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (scenario_id, int(row[0]) + 1, text, digest, note, _now()),
        )
        return int(cur.lastrowid or 0)

    def scenarios(self) -> list[ScenarioRow]:
        """Every scenario, the built-in ones first, each with its number of versions."""
        return self._scenarios("ORDER BY s.builtin IS NULL, s.id", ())

    def scenario(self, scenario_id: int) -> ScenarioRow | None:
        """The scenario with this id, or None."""
        rows = self._scenarios("WHERE s.id = ?", (scenario_id,))
        return rows[0] if rows else None

    def builtin_scenario(self, name: str) -> ScenarioRow | None:
        """The scenario that holds built-in document ``name``."""
        rows = self._scenarios("WHERE s.builtin = ?", (name,))
        return rows[0] if rows else None

    def _scenarios(self, where: str, args: tuple[Any, ...]) -> list[ScenarioRow]:
        with self._db() as db:
            rows = db.execute(
                "SELECT s.*, (SELECT COUNT(*) FROM versions v WHERE v.scenario_id = s.id) AS n "
                f"FROM scenarios s {where}",
                args,
            ).fetchall()
        return [ScenarioRow(r["id"], r["name"], r["kind"], r["builtin"], r["created"], r["n"]) for r in rows]

    def versions(self, scenario_id: int) -> list[VersionRow]:
        """The scenario's versions, oldest first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT * FROM versions WHERE scenario_id = ? ORDER BY number", (scenario_id,)
            ).fetchall()
        return [_version(r) for r in rows]

    def version(self, scenario_id: int, number: int) -> VersionRow | None:
        """Version ``number`` of scenario ``scenario_id``: None unless it belongs to that scenario."""
        with self._db() as db:
            row = db.execute(
                "SELECT * FROM versions WHERE scenario_id = ? AND number = ?", (scenario_id, number)
            ).fetchone()
        return None if row is None else _version(row)

    def version_by_id(self, version_id: int) -> VersionRow | None:
        """The version with this database id, or None."""
        with self._db() as db:
            row = db.execute("SELECT * FROM versions WHERE id = ?", (version_id,)).fetchone()
        return None if row is None else _version(row)

    # -- runs ------------------------------------------------------------------------------------
    def add_run(self, version_id: int, kind: str, params: dict[str, Any], detente_version: str) -> int:
        """Record a queued run of ``kind`` with ``params`` on a version; returns the run id."""
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO runs (version_id, kind, params, status, detente_version, created) "
                "VALUES (?, ?, ?, 'queued', ?, ?)",
                (version_id, kind, json.dumps(params, sort_keys=True), detente_version, _now()),
            )
        return int(cur.lastrowid or 0)

    def set_params(self, run_id: int, params: dict[str, Any]) -> None:
        """Record the parameters a run actually used (e.g. the seed it drew)."""
        with self._db() as db:
            db.execute(
                "UPDATE runs SET params = ? WHERE id = ?", (json.dumps(params, sort_keys=True), run_id)
            )

    def progress(self, run_id: int, done: int, total: int) -> None:
        """Mark the run running with ``done`` of ``total`` steps finished."""
        with self._db() as db:
            db.execute(
                "UPDATE runs SET status = 'running', done = ?, total = ? WHERE id = ?", (done, total, run_id)
            )

    def finish(
        self,
        run_id: int,
        result: dict[str, Any] | None,
        error: str | None = None,
        figures: dict[str, str] | None = None,
        summary: str = "",
    ) -> None:
        """Store a run's result (status done) or its error (status failed), its one-line summary and
        its figures."""
        text = None if result is None else json.dumps(result)
        with self._db() as db:
            db.execute(
                "UPDATE runs SET status = ?, result = ?, summary = ?, result_bytes = ?, error = ?, "
                "finished = ?, done = CASE WHEN ? THEN total ELSE done END WHERE id = ?",
                (
                    "failed" if error is not None else "done",
                    text,
                    summary,
                    0 if text is None else len(text.encode("utf-8")),
                    error,
                    _now(),
                    error is None,
                    run_id,
                ),
            )
            db.executemany(
                "INSERT OR REPLACE INTO figures (run_id, name, svg) VALUES (?, ?, ?)",
                [(run_id, name, svg) for name, svg in (figures or {}).items()],
            )

    def fail_unfinished(self, reason: str) -> None:
        """Mark runs left queued or running (by a server that stopped) as failed with ``reason``."""
        with self._db() as db:
            db.execute(
                "UPDATE runs SET status = 'failed', error = ?, finished = ? "
                "WHERE status IN ('queued', 'running')",
                (reason, _now()),
            )

    def run(self, run_id: int) -> RunRow | None:
        """The run with this id (with its scenario, version number and result), or None."""
        with self._db() as db:
            row = db.execute(f"{_RUN_SELECT}, r.result FROM {_RUN_FROM} WHERE r.id = ?", (run_id,)).fetchone()
        if row is None:
            return None
        result = None if row["result"] is None else json.loads(row["result"])
        return RunRow(**_summary_fields(row), result=result)

    def run_summary(self, run_id: int) -> RunSummary | None:
        """The run with this id without its result (for polling and lookups), or None."""
        with self._db() as db:
            row = db.execute(f"{_RUN_SELECT} FROM {_RUN_FROM} WHERE r.id = ?", (run_id,)).fetchone()
        return None if row is None else RunSummary(**_summary_fields(row))

    def runs(self, scenario_id: int, limit: int = 100, offset: int = 0) -> list[RunSummary]:
        """Up to ``limit`` runs of a scenario's versions, newest first, after skipping ``offset``:
        their summaries, not their results."""
        with self._db() as db:
            rows = db.execute(
                f"{_RUN_SELECT} FROM {_RUN_FROM} WHERE v.scenario_id = ? ORDER BY r.id DESC LIMIT ? OFFSET ?",
                (scenario_id, limit, offset),
            ).fetchall()
        return [RunSummary(**_summary_fields(r)) for r in rows]

    def count_runs(self, scenario_id: int) -> int:
        """How many runs the scenario's versions have."""
        with self._db() as db:
            row = db.execute(f"SELECT COUNT(*) FROM {_RUN_FROM} WHERE v.scenario_id = ?", (scenario_id,))
            return int(row.fetchone()[0])

    def unsummarised(self) -> list[tuple[int, str, str]]:
        """(id, kind, result JSON) of finished runs stored without a summary (by an older version)."""
        with self._db() as db:
            rows = db.execute(
                "SELECT id, kind, result FROM runs WHERE summary = '' AND result IS NOT NULL"
            ).fetchall()
        return [(int(r["id"]), str(r["kind"]), str(r["result"])) for r in rows]

    def set_summary(self, run_id: int, summary: str) -> None:
        """Record a finished run's one-line summary."""
        with self._db() as db:
            db.execute("UPDATE runs SET summary = ? WHERE id = ?", (summary, run_id))

    def figure_names(self, run_id: int) -> list[str]:
        """Names of the figures a run stored."""
        with self._db() as db:
            rows = db.execute("SELECT name FROM figures WHERE run_id = ? ORDER BY name", (run_id,)).fetchall()
        return [str(r["name"]) for r in rows]

    def figure(self, run_id: int, name: str) -> str | None:
        """A stored figure's SVG text (or a report's HTML), or None."""
        with self._db() as db:
            row = db.execute(
                "SELECT svg FROM figures WHERE run_id = ? AND name = ?", (run_id, name)
            ).fetchone()
        return None if row is None else str(row["svg"])


_RUN_SELECT = (
    "SELECT r.id, r.version_id, v.scenario_id, v.number, r.kind, r.params, r.status, r.done, r.total, "
    "r.summary, r.result_bytes, r.error, r.detente_version, r.created, r.finished"
)
_RUN_FROM = "runs r JOIN versions v ON v.id = r.version_id"


def _summary_fields(r: sqlite3.Row) -> dict[str, Any]:
    """The columns of :data:`_RUN_SELECT` as :class:`RunSummary`'s fields, the parameters parsed."""
    names = [f.name for f in dataclasses.fields(RunSummary)]
    values = dict(zip(names, list(r)[: len(names)], strict=True))
    values["params"] = json.loads(values["params"])
    return values


def _version(r: sqlite3.Row) -> VersionRow:
    return VersionRow(r["id"], r["scenario_id"], r["number"], r["text"], r["sha256"], r["note"], r["created"])

"""Budgets, and the guard that refuses a run up front when its estimated cost exceeds them.

Every run is estimated before any work is done (memory at its peak, time on this machine, and the
size of the result a user would read), then checked here against three budgets:

* memory: 4 GiB, or ``DETENTE_MEMORY_BUDGET`` (bytes, or ``512M``, ``8G``, ``1.5T``);
* time: 120 s, or ``DETENTE_TIME_BUDGET`` (seconds, or ``90s``, ``10m``, ``1h``);
* result: 64 MiB of JSON, or ``DETENTE_RESULT_BUDGET`` (a size as for memory).

A refusal is a :class:`~detente.errors.ModelTooLargeError` whose message gives the figures (the
model's size, the estimate and the budget) and how to shrink the model or raise the budget.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from detente.errors import InputError, ModelTooLargeError, Problem

ENV_VAR = "DETENTE_MEMORY_BUDGET"
TIME_ENV_VAR = "DETENTE_TIME_BUDGET"
RESULT_ENV_VAR = "DETENTE_RESULT_BUDGET"
DEFAULT_BUDGET = 4 * 1024**3
DEFAULT_SECONDS = 120.0
DEFAULT_RESULT = 64 * 1024**2

_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*([KMGT]?)(?:I?B)?\s*$", re.IGNORECASE)
_SECONDS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*([smh]?)\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes in ``text``: an integer, or a number with a binary suffix K, M, G or T (``8G`` = 8 GiB)."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size: use a number of bytes or a size such as 512M, 8G")
    size = int(float(match.group(1)) * _UNITS[match.group(2).upper()])
    if size <= 0:
        raise ValueError(f"{text!r} is not a positive size")
    return size


def parse_seconds(text: str) -> float:
    """Seconds in ``text``: a number, or a number with s, m or h (``10m`` = 600)."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a duration: use seconds or a duration such as 90s, 10m, 1h")
    value = float(match.group(1)) * _SECONDS[match.group(2).lower()]
    if value <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return value


def _env(name: str, parse: Callable[[str], float], default: float) -> float:
    """The environment variable ``name`` read by ``parse``, or ``default`` when it is unset or blank."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        raise InputError([Problem("<environment>", None, name, str(exc))]) from exc


def memory_budget() -> int:
    """The memory budget in bytes: ``DETENTE_MEMORY_BUDGET`` if set, else 4 GiB."""
    return int(_env(ENV_VAR, parse_size, DEFAULT_BUDGET))


def format_bytes(n: float) -> str:
    """A human-readable binary size, e.g. ``1.5 GiB``."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def format_seconds(s: float) -> str:
    """``0.4 s``, ``12 s``, ``3.5 min``, ``2.1 h``."""
    if s < 10:
        return f"{s:.1f} s"
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


@dataclass(frozen=True)
class Budget:
    """What a run may use: peak memory (bytes), time (seconds) and result size (bytes of JSON)."""

    memory: int = DEFAULT_BUDGET
    seconds: float = DEFAULT_SECONDS
    result: int = DEFAULT_RESULT

    @classmethod
    def from_env(cls) -> Budget:
        """The budgets set by the environment (``DETENTE_*_BUDGET``), else the defaults."""
        return cls(
            memory_budget(),
            _env(TIME_ENV_VAR, parse_seconds, DEFAULT_SECONDS),
            int(_env(RESULT_ENV_VAR, parse_size, DEFAULT_RESULT)),
        )

    def tighter(
        self, memory: int | None = None, seconds: float | None = None, result: int | None = None
    ) -> Budget:
        """This budget, with each given limit lowered to it (never raised)."""
        return replace(
            self,
            memory=self.memory if memory is None else min(self.memory, memory),
            seconds=self.seconds if seconds is None else min(self.seconds, seconds),
            result=self.result if result is None else min(self.result, result),
        )


@dataclass(frozen=True)
class Cost:
    """An estimate of one run, made before any work.

    ``what`` names the run (``a seq stability analysis of conflict 'X'``); ``size`` gives the figures
    the estimate rests on (states, options, actors, runs); ``shrink`` says how to make it smaller.
    """

    what: str
    size: str
    bytes: int
    seconds: float
    result_bytes: int = 0
    shrink: str = ""


def check(cost: Cost, budget: Budget | None = None) -> Cost:
    """Raise :class:`ModelTooLargeError` when ``cost`` exceeds ``budget`` (default: from the environment)."""
    limit = Budget.from_env() if budget is None else budget
    over: list[str] = []
    if cost.bytes > limit.memory:
        over.append(
            f"an estimated {format_bytes(cost.bytes)} of memory, more than the budget of "
            f"{format_bytes(limit.memory)} ({ENV_VAR})"
        )
    if cost.seconds > limit.seconds:
        over.append(
            f"an estimated {format_seconds(cost.seconds)}, more than the time budget of "
            f"{format_seconds(limit.seconds)} ({TIME_ENV_VAR})"
        )
    if cost.result_bytes > limit.result:
        over.append(
            f"a result of about {format_bytes(cost.result_bytes)}, more than the result budget of "
            f"{format_bytes(limit.result)} ({RESULT_ENV_VAR})"
        )
    if not over:
        return cost
    shrink = f" {cost.shrink}" if cost.shrink else ""
    raise ModelTooLargeError(
        f"{cost.what} is too large: {cost.size} would need {'; and '.join(over)}.{shrink} Or raise the "
        "budget with the environment variable named."
    )

"""What the web app can run: every registered run kind, its request body, its form, and its budget.

The request body of a run is the kind's own parameters model (:mod:`detente.app.registry`),
discriminated by ``kind``; runs go through :func:`detente.app.runs.execute` exactly as on the command
line, under a tighter budget (:data:`WEB_BUDGET`): the server never starts what it could not finish
or store what a page could not show. Forms are made from the parameters models, so a new kind appears
on the pages without edits here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union

from pydantic import Field

from detente.app import fields
from detente.app.kind import Params, RunKind
from detente.app.registry import ENTRIES, get
from detente.budget import Budget
from detente.errors import Problem

Json = dict[str, Any]

WEB_BUDGET = Budget(memory=2 * 1024**3, seconds=120.0, result=8 * 1024**2)
"""What one run may use in the web app: 2 GiB, two minutes, 8 MiB of stored JSON (lowered further by
the ``DETENTE_*_BUDGET`` variables, never raised)."""
INLINE_SECONDS = 0.3
"""Runs estimated to finish within this are done before the response; the rest go to the workers."""
WEB_KINDS = tuple(e.name for e in ENTRIES if e.name != "backtest")
"""Kinds offered on the pages (a back-test reads forecast data files, which the app does not store)."""
REPORT = "report"
"""The name under which a report run stores its HTML page (beside the SVG figures)."""


def kinds() -> dict[str, RunKind[Any, Any]]:
    return {name: get(name) for name in WEB_KINDS}


def budget() -> Budget:
    env = Budget.from_env()
    return WEB_BUDGET.tighter(env.memory, env.seconds, env.result)


def run_params_type() -> Any:
    """The request body of a run: the union of every web kind's parameters, discriminated by ``kind``."""
    models = tuple(k.params for k in kinds().values())
    return Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007


def problems_json(problems: tuple[Problem, ...] | list[Problem]) -> list[Json]:
    """Problems as JSON objects: file, line, field and message."""
    return [{"file": p.file, "line": p.line, "field": p.field, "message": p.message} for p in problems]


# -- forms --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FormField:
    """One input of a run form."""

    name: str
    label: str
    input: Literal["number", "checkbox", "checkboxes", "select", "text", "list"]
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    """(value, label) pairs of a select or of checkboxes."""
    minimum: float | None = None
    maximum: float | None = None
    step: str = "any"
    help: str = ""


@dataclass(frozen=True)
class RunForm:
    kind: str
    title: str
    fields: list[FormField]


def _field(name: str, info: Any, doc: Any) -> FormField | None:
    annotation = info.annotation
    label = name.replace("_", " ")
    help_text = info.description or ""
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    kind = fields.shape(annotation)
    if kind == "dict":
        return None  # model parameters: the command line's --param, not a form field
    conflict = doc.conflict
    if name == "decision_maker" and conflict is not None:
        names = [(d.name, d.name) for d in conflict.decision_makers]
        if kind == "list":  # several may vary: none ticked lets the analysis choose
            return FormField(name, "decision makers", "checkboxes", [], names, help=help_text)
        return FormField(name, "decision maker", "select", None, names, help=help_text)
    if name == "dimension" and doc.space is not None:
        dims = doc.space.base.dimensions
        return FormField(
            name, label, "select", "0", [(str(k), d) for k, d in enumerate(dims)], help=help_text
        )
    if name in ("target", "start") and conflict is not None:
        value = None if name == "start" or conflict.status_quo is None else str(conflict.status_quo + 1)
        return FormField(name, label, "text", value, help=f"{help_text} (1..{conflict.n_states})")
    choices = fields.choices(annotation)
    if choices and kind == "list":
        return FormField(
            name, label, "checkboxes", list(default or []), [(c, c.upper()) for c in choices], help=help_text
        )
    if choices:
        return FormField(name, label, "select", default, [(c, c) for c in choices], help=help_text)
    if kind == "list":
        return FormField(
            name, label, "list", ",".join(map(str, default or [])), help=f"{help_text} (comma-separated)"
        )
    if kind == "bool":
        return FormField(name, label, "checkbox", bool(default), help=help_text)
    if kind in ("int", "float"):
        lo = hi = None
        for m in info.metadata:
            lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
            hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
        return FormField(
            name,
            label,
            "number",
            default,
            minimum=lo,
            maximum=hi,
            step="1" if kind == "int" else "any",
            help=help_text,
        )
    return FormField(name, label, "text", default, help=help_text)


def forms(doc: Any) -> list[RunForm]:
    """A form for every web kind that reads ``doc``, its fields made from the parameters model."""
    summaries = {e.name: e.summary for e in ENTRIES}
    out = []
    for name, kind in kinds().items():
        if doc.kind not in kind.reads:
            continue
        fields = [
            f for n, info in kind.params.model_fields.items() if n != "kind" if (f := _field(n, info, doc))
        ]
        out.append(RunForm(name, summaries[name], fields))
    return out


def seeded(kind: RunKind[Any, Any], params: Params) -> Params:
    """``params`` with a drawn seed for every seed parameter left empty (recorded with the run)."""
    import secrets

    missing = {name: secrets.randbits(63) for name in kind.random if getattr(params, name) is None}
    return params.model_copy(update=missing) if missing else params

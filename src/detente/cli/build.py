"""One command-line command per run kind, built from the kind's parameters model.

Each parameter of a kind becomes an option (``--field-name``, or the names the kind gives): numbers
and flags as such, lists as comma-separated text, model parameters as repeatable ``NAME=VALUE``.
Every command takes the document (``FILE``), ``--json`` for the documented JSON, and the kind's
execution, loader and writer options; it loads the document with the one loader, runs the kind
through :func:`detente.app.runs.execute` (guard first), and renders the result.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from detente.app import fields
from detente.app.kind import Execution, RunKind
from detente.cli.common import console, print_json, reporting_errors
from detente.errors import ParameterError


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A transient progress bar on stderr (none when ``quiet``)."""
    from rich.console import Console

    err = Console(stderr=True)
    if quiet or not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("working", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _parse_pairs(items: list[str], flag: str) -> dict[str, Any]:
    import yaml

    from detente.errors import ParameterError

    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(flag, f"expected NAME=VALUE, got {item!r}")
        try:
            out[name.strip()] = yaml.safe_load(value)
        except yaml.YAMLError:
            out[name.strip()] = value
    return out


def build(kind: RunKind[Any, Any], summary: str = "") -> Callable[..., None]:
    """The typer command of ``kind`` (its signature made from the parameters model)."""
    params: list[inspect.Parameter] = []
    flags: dict[str, str] = {}
    shapes: dict[str, str] = {}
    KW = inspect.Parameter.KEYWORD_ONLY

    if kind.default_document is not None:
        file_ann: Any = Annotated[
            Path | None, typer.Argument(help="The document to read (default: the built-in scenario).")
        ]
        params.append(
            inspect.Parameter(
                "file", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=file_ann
            )
        )
    else:
        file_ann = Annotated[Path, typer.Argument(help="The document to read.")]
        params.append(inspect.Parameter("file", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=file_ann))

    for name, field in kind.params.model_fields.items():
        if name == "kind":
            continue
        option = kind.cli.get(name)
        names = option.names if option else ("--" + name.replace("_", "-"),)
        flags[name] = names[0]
        shape = shapes[name] = fields.shape(field.annotation)
        choices = ", ".join(fields.choices(field.annotation))
        help_text = (option.help if option and option.help else field.description or "") + (
            f" [{choices}]" if choices and choices not in (field.description or "") else ""
        )
        required = field.is_required()
        default = None if required else field.get_default(call_default_factory=True)
        _, optional = fields.strip_optional(field.annotation)
        if shape in ("bool", "int", "float"):
            base = {"bool": bool, "int": int, "float": float}[shape]
            cli_type: Any = base | None if optional or required else base
        elif shape == "list":
            cli_type = str | None if required else str
            default = None if default is None else ",".join(str(v) for v in default)
            help_text += " (comma-separated)"
        elif shape == "dict":
            cli_type = list[str] | None
            default = None
            help_text += " (repeatable)"
        else:
            cli_type = str | None if optional or required else str
            default = None if default is None else str(default)
        info = typer.Option(*names, help=help_text, show_default=not required)
        if required:
            params.append(inspect.Parameter(name, KW, annotation=Annotated[cli_type, info]))
        else:
            params.append(inspect.Parameter(name, KW, default=default, annotation=Annotated[cli_type, info]))

    extras: dict[str, tuple[Any, Any]] = {
        "json_out": (
            False,
            Annotated[bool, typer.Option("--json", help="Print the documented JSON (docs/json.md).")],
        ),
    }
    if "workers" in kind.execution:
        extras["workers"] = (
            None,
            Annotated[
                int | None,
                typer.Option("--workers", min=1, help="Local worker processes (default: CPU count)."),
            ],
        )
    if "dask" in kind.execution:
        extras["dask"] = (
            None,
            Annotated[str | None, typer.Option("--dask", help="Run the Monte Carlo on this Dask scheduler.")],
        )
    if "format" in kind.load_options:
        extras["table_format"] = (
            None,
            Annotated[
                str | None,
                typer.Option("--format", help="Input format of a forecast data file; default: detect."),
            ],
        )
    if "issue" in kind.load_options:
        extras["issue"] = (
            None,
            Annotated[
                str | None, typer.Option("--issue", help="Pick one issue of a many-issue file (e.g. DEU).")
            ],
        )
    for key, opt in kind.documents.items():
        extras["document_" + key] = (None, Annotated[Path | None, typer.Option(*opt.names, help=opt.help)])
    if kind.writer is not None:
        w = kind.writer
        ann = Path if w.default is not None else Path | None
        extras["write_to"] = (
            None if w.default is None else Path(w.default),
            Annotated[ann, typer.Option(*w.option.names, help=w.option.help)],
        )
    for name, (default, ann) in extras.items():
        params.append(inspect.Parameter(name, KW, default=default, annotation=ann))

    def command(**values: Any) -> None:
        file = values.pop("file")
        json_out = values.pop("json_out")
        workers = values.pop("workers", None)
        dask = values.pop("dask", None)
        table_format = values.pop("table_format", None)
        issue = values.pop("issue", None)
        write_to = values.pop("write_to", None)
        documents = {k: v for k in kind.documents if (v := values.pop("document_" + k)) is not None}
        with reporting_errors():
            from detente.app.runs import execute, load, make_params

            raw: dict[str, Any] = {}
            for name, value in values.items():
                if value is None:
                    continue
                if shapes[name] == "list":
                    raw[name] = [part.strip() for part in str(value).split(",") if part.strip()]
                elif shapes[name] == "dict":
                    raw[name] = _parse_pairs(list(value), flags[name])
                else:
                    raw[name] = value
            p = make_params(kind, raw, flags)
            if write_to is not None and kind.writer is not None and kind.writer.check is not None:
                kind.writer.check(Path(write_to))
            path = file if file is not None else Path(kind.default_document())  # type: ignore[misc]
            options: dict[str, Any] = {}
            if table_format is not None:
                options["table_format"] = table_format
            if issue is not None:
                options["issue"] = issue
            doc = load(path, kind, **options)
            try:
                with _progress(json_out) as progress:
                    out = execute(kind, doc, p, Execution(workers, dask, progress, documents))
            except ParameterError as exc:  # named as this command line names it
                raise ParameterError(flags.get(exc.name, exc.name), exc.message) from None
            if write_to is not None and kind.writer is not None:
                kind.writer.write(doc, out.params, out.result, Path(write_to))
        if json_out:
            print_json(out.json)
        elif kind.terminal is not None:
            kind.terminal(doc, out.params, out.result, console())
        if write_to is not None and kind.writer is not None and kind.writer.message and not json_out:
            target = Path(write_to) / "index.html" if kind.writer.default is not None else Path(write_to)
            console().print(f"\n{kind.writer.message} {target}", markup=False)
        status = kind.exit_status(out.result) if kind.exit_status is not None else 0
        if status:
            raise typer.Exit(status)

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__doc__ = summary or (kind.params.__doc__ or kind.title).strip()
    command.__name__ = kind.name
    return command

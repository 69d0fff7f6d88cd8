"""The FastAPI application: a JSON API under ``/api/`` and the server-rendered pages that use it.

Security: the app is meant to be bound to loopback (see :mod:`detente.cli.web`), where it answers
only to loopback host names; request bodies are limited to 1 MB (413 beyond) and cross-site POSTs are
refused (:mod:`detente.web.limits`); YAML is parsed with the safe loader (:mod:`detente.io.yamlio`);
built-in documents are looked up by name in a fixed list and user documents by database id only, so
no request names a file; a run is created on one version and reads only that version.
"""

from __future__ import annotations

import difflib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Body, FastAPI, File, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from detente import __version__
from detente.app.conflict_kinds import CONCEPTS, Concept
from detente.app.scenario_kinds import QUESTION_SETS, QuestionsParams
from detente.errors import DetenteError, InputError, ModelTooLargeError, Problem
from detente.io.loader import Document
from detente.io.questions import QuestionSet
from detente.io.yamlio import parse_yaml
from detente.web import filters, runs
from detente.web.documents import builtin_names, builtin_text, load_text
from detente.web.forms import FieldEdit, form_groups
from detente.web.limits import MAX_BODY, BodyLimit, KnownHosts, SameOrigin, error_body, too_large_message
from detente.web.lock import FolderLock
from detente.web.runner import PARAMS, Runner, version_label
from detente.web.store import RunRow, RunSummary, Store, VersionRow

RunParams: Any = runs.run_params_type()
REPORT = runs.REPORT

Json = dict[str, Any]
MAX_ID = 2**62
Id = Annotated[int, PathParam(ge=1, le=MAX_ID, description="A database id or number (from 1).")]
FORM_EDIT_MAX = 256 * 1024
"""Largest version the form editor edits in place (the round-trip YAML parse takes about 1 s per
60 kB of data, inside the request); larger ones are edited as text."""
RUNS_PER_PAGE = 100
"""Runs listed per page (the scenario page and ``GET /api/scenarios/{id}/runs``)."""

_PAGES = jinja2.Environment(
    loader=jinja2.PackageLoader("detente.web", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)
filters.register(_PAGES)


# -- request bodies -----------------------------------------------------------------------------
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewDocument(_Body):
    text: str = Field(max_length=MAX_BODY, description="The YAML text of a scenario or conflict file.")
    name: str | None = Field(None, max_length=200, description="Display name (default: the file's own).")


class NewVersion(_Body):
    text: str = Field(max_length=MAX_BODY)
    note: str = Field("", max_length=1000)


class Edits(_Body):
    edits: list[FieldEdit] = Field(min_length=1, max_length=500)
    note: str = Field("", max_length=1000)


class ValidateBody(_Body):
    text: str = Field(max_length=MAX_BODY)


class Probabilities(_Body):
    probabilities: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]] = Field(
        min_length=1, max_length=1000, description="Question id -> probability that it resolves yes."
    )


class ProblemBody(BaseModel):
    """One problem: the file (or ``<request>``), its line when known, the field, and what is wrong."""

    file: str
    line: int | None
    field: str
    message: str


class ErrorBody(BaseModel):
    """The body of every error the API answers: a one-line ``detail``, the error's kind, the problems."""

    detail: str
    error: str = Field(description="not_found, invalid_request, input, parameter, too_large, cross_site, ...")
    problems: list[ProblemBody]


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Unknown Host header (the server answers to its own names only)"),
        (403, "Cross-site request refused (Origin is not this server)"),
        (404, "No such scenario, version, run, figure or question set"),
        (413, "Request body over 1 MB, or a run estimated over the web budget (the estimate is in detail)"),
        (422, "Invalid request (field and message in problems), or a document or parameter with problems"),
    )
}
"""The error responses every operation may give, documented once for the OpenAPI description."""


# -- JSON helpers -------------------------------------------------------------------------------
def _version_json(v: VersionRow, text: bool = False) -> Json:
    out: Json = {
        "id": v.id,
        "scenario_id": v.scenario_id,
        "number": v.number,
        "sha256": v.sha256,
        "note": v.note,
        "created": v.created,
    }
    if text:
        out["text"] = v.text
    return out


def _run_json(run: RunSummary) -> Json:
    out: Json = {
        "id": run.id,
        "scenario_id": run.scenario_id,
        "version": run.version_number,
        "kind": run.kind,
        "params": run.params,
        "status": run.status,
        "done": run.done,
        "total": run.total,
        "error": run.error,
        "summary": run.summary,
        "result_bytes": run.result_bytes,
        "detente_version": run.detente_version,
        "created": run.created,
        "finished": run.finished,
    }
    if isinstance(run, RunRow):
        out["result"] = run.result
    return out


def _error_json(exc: DetenteError) -> Json:
    """The body of every error response: a one-line ``detail``, its kind and the problems."""
    if isinstance(exc, InputError):
        detail = f"{len(exc.problems)} problem(s) in the document"
    else:
        detail = "\n".join(exc.lines())
    return error_body(detail, exc.kind, runs.problems_json(exc.problems))


def _problem(file: str, message: str) -> InputError:
    return InputError([Problem(file, None, "", message)])


# -- the application ----------------------------------------------------------------------------
def create_app(data_dir: str | Path, workers: int = 2, allowed_hosts: Sequence[str] | None = None) -> FastAPI:
    """The web app over the store in ``data_dir`` (built-in documents are added on first start).

    ``allowed_hosts``: the only ``Host`` names served (others get 400), which stops DNS-rebinding
    pages from reaching a loopback server under a name of their own; None serves any host.

    One app per data folder: a second one refuses to start on a folder another holds
    (:class:`~detente.errors.BusyError`, from :mod:`detente.web.lock`).
    """
    lock = FolderLock(Path(data_dir))
    store = Store(data_dir)
    store.fail_unfinished("interrupted: the server stopped before the run finished; run it again")
    if store.summaries_missing:
        _summarise_old_runs(store)
    runner = Runner(store, workers)
    _seed_builtins(store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        lock.acquire()  # again, when the app is started after a shutdown
        runner.open()
        yield
        runner.shutdown()
        lock.release()

    app = FastAPI(
        title="detente",
        version=__version__,
        description="Build, run and compare conflict and negotiation scenarios. The pages use this API.",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's interactive pages load scripts from a CDN; /api/docs is served locally
        redoc_url=None,
        responses=ERRORS,
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    app.add_middleware(SameOrigin)
    if allowed_hosts is not None:
        app.add_middleware(KnownHosts, names=tuple(allowed_hosts))

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        """Pages load nothing from elsewhere and are never framed by another site."""
        response: Response = await call_next(request)
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    def openapi() -> dict[str, Any]:
        """FastAPI's description with every error response as the JSON :class:`ErrorBody` (whatever
        the operation's success type: YAML, SVG, HTML), as the error handlers answer them."""
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            spec = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
            for item in spec["paths"].values():
                for op in item.values():
                    for status, response in op.get("responses", {}).items():
                        if status.startswith("4"):
                            response["content"] = error
                            response["description"] = ERRORS.get(int(status), {}).get(
                                "description", response.get("description", "")
                            )
            schemas = spec.get("components", {}).get("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.mount("/static", StaticFiles(packages=[("detente.web", "static")]), name="static")
    app.state.store = store
    app.state.runner = runner
    app.state.lock = lock  # held while the app lives (released at shutdown, or with the process)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """The API answers JSON; a page answers a page."""
        if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
            kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "invalid_request")
            body = error_body(str(exc.detail), kind, [])
            headers = dict(exc.headers or {})
            if exc.status_code == 405:  # every method of the path, not only those of its first route
                headers["Allow"] = ", ".join(_allowed_methods(app, request))
            return JSONResponse(body, status_code=exc.status_code, headers=headers)
        title = "Not found" if exc.status_code == 404 else f"Error {exc.status_code}"
        html = _PAGES.get_template("error.html.j2").render(
            version=__version__, status=exc.status_code, title=title, detail=exc.detail
        )
        return HTMLResponse(html, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        """A malformed page address is a page that does not exist; the API answers 422 with a problem
        per invalid field (its place in the request and what is wrong)."""
        if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
            problems = [
                Problem("<request>", None, ".".join(map(str, e.get("loc", ()))), str(e.get("msg", "invalid")))
                for e in exc.errors()
            ]
            detail = f"{len(problems)} problem(s) in the request: " + "; ".join(
                f"{p.field}: {p.message}" for p in problems[:3]
            )
            body = error_body(detail, "invalid_request", runs.problems_json(problems))
            return JSONResponse(body, status_code=422)
        html = _PAGES.get_template("error.html.j2").render(
            version=__version__, status=404, title="Not found", detail=f"no page at {request.url.path}"
        )
        return HTMLResponse(html, status_code=404)

    @app.exception_handler(DetenteError)
    async def _refused(request: Request, exc: DetenteError) -> JSONResponse:
        return JSONResponse(_error_json(exc), status_code=exc.http_status)

    # -- lookups ------------------------------------------------------------------------------
    def scenario_or_404(sid: int) -> Any:
        row = store.scenario(sid)
        if row is None:
            raise HTTPException(404, f"no scenario {sid}")
        return row

    def version_or_404(sid: int, number: int) -> VersionRow:
        version = store.version(sid, number)
        if version is None:
            raise HTTPException(404, f"scenario {sid} has no version {number}")
        return version

    def latest(sid: int) -> VersionRow:
        versions = store.versions(sid)
        if not versions:
            raise HTTPException(404, f"scenario {sid} has no versions")
        return versions[-1]

    def run_or_404(rid: int) -> RunRow:
        run = store.run(rid)
        if run is None:
            raise HTTPException(404, f"no run {rid}")
        return run

    def summary_or_404(rid: int) -> RunSummary:
        """The run without its result: what polling and lookups need."""
        run = store.run_summary(rid)
        if run is None:
            raise HTTPException(404, f"no run {rid}")
        return run

    def loaded(version: VersionRow) -> Document:
        return load_text(version.text, version_label(version.scenario_id, version.number))

    def check(text: str, file: str) -> Document:
        return load_text(text, file)

    def add_document(text: str, name: str | None, file: str) -> Json:
        doc = check(text, file)
        sid = store.add_scenario(name or doc.name, doc.kind, text, "uploaded")
        return {"id": sid, "name": name or doc.name, "kind": doc.kind, "version": 1}

    # -- API: documents -----------------------------------------------------------------------
    @app.get("/api/builtins", tags=["documents"])
    def api_builtins() -> list[Json]:
        """The built-in documents, with the id of the scenario that holds each in the store."""
        out = []
        for name in builtin_names():
            row = store.builtin_scenario(name)
            out.append({"name": name, "scenario_id": None if row is None else row.id})
        return out

    @app.get("/api/builtins/{name}/yaml", tags=["documents"], response_class=Response)
    def api_builtin_yaml(name: str) -> Response:
        """The built-in file's YAML text (the name must be one of the fixed list)."""
        text = builtin_text(name) if name in builtin_names() else None
        if text is None:
            raise HTTPException(404, f"no built-in document named {name!r}")
        return _yaml_response(text, f"{name}.yaml")

    @app.get("/api/scenarios", tags=["documents"])
    def api_scenarios() -> list[Json]:
        """Every stored scenario (built-in ones first) with its number of versions."""
        return [
            {"id": s.id, "name": s.name, "kind": s.kind, "builtin": s.builtin, "versions": s.versions}
            for s in store.scenarios()
        ]

    @app.post("/api/scenarios", tags=["documents"], status_code=201)
    def api_new_scenario(body: NewDocument) -> Json:
        """Save a new document (validated first; nothing is saved when it has problems)."""
        return add_document(body.text, body.name, "<new document>")

    @app.post("/api/scenarios/upload", tags=["documents"], status_code=201)
    async def api_upload(
        file: Annotated[UploadFile, File(description="A YAML file (at most 1 MB).")],
    ) -> Json:
        """Upload a YAML file as a new document (validated first; nothing is saved when it has problems)."""
        raw = await file.read(MAX_BODY + 1)
        if len(raw) > MAX_BODY:
            raise HTTPException(413, too_large_message(None, MAX_BODY))
        shown = Path(file.filename or "upload.yaml").name or "upload.yaml"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _problem(shown, "the file is not UTF-8 text") from None
        return add_document(text, None, shown)

    @app.post("/api/validate", tags=["documents"])
    def api_validate(body: ValidateBody) -> Json:
        """Check a document without saving it: its kind and name, or its problems (line and field)."""
        try:
            doc = check(body.text, "<editor>")
        except DetenteError as exc:
            return {"ok": False, "problems": runs.problems_json(exc.problems)}
        return {"ok": True, "kind": doc.kind, "name": doc.name, "problems": []}

    @app.get("/api/scenarios/{sid:int}", tags=["documents"])
    def api_scenario(sid: Id) -> Json:
        """A scenario and its versions (without their text)."""
        s = scenario_or_404(sid)
        return {
            "id": s.id,
            "name": s.name,
            "kind": s.kind,
            "builtin": s.builtin,
            "versions": [_version_json(v) for v in store.versions(sid)],
        }

    @app.post("/api/scenarios/{sid:int}/versions", tags=["documents"], status_code=201)
    def api_new_version(sid: Id, body: NewVersion) -> Json:
        """Save edited YAML text as the scenario's next version (validated first)."""
        scenario_or_404(sid)
        doc = check(body.text, "<editor>")
        version = store.add_version(sid, body.text, body.note or "edited", doc.name)
        return _version_json(version)

    @app.get("/api/scenarios/{sid:int}/versions/{number:int}", tags=["documents"])
    def api_version(sid: Id, number: Id) -> Json:
        """One version of a scenario, with its YAML text."""
        return _version_json(version_or_404(sid, number), text=True)

    @app.get(
        "/api/scenarios/{sid:int}/versions/{number:int}/yaml", tags=["documents"], response_class=Response
    )
    def api_version_yaml(sid: Id, number: Id) -> Response:
        """Download the version's YAML text."""
        return _yaml_response(version_or_404(sid, number).text, f"scenario-{sid}-v{number}.yaml")

    @app.post("/api/scenarios/{sid:int}/versions/{number:int}/edits", tags=["documents"], status_code=201)
    def api_edits(sid: Id, number: Id, body: Edits) -> Json:
        """Apply form edits (set a value at a path) to a version and save the result as the next version.

        The YAML is edited in place (:func:`detente.io.yaml_edit.set_values`): comments, order and
        quoting are kept, so the new version differs from the old only on the edited lines."""
        from detente.io.yaml_edit import set_values

        version = version_or_404(sid, number)
        size = len(version.text.encode("utf-8"))
        if size > FORM_EDIT_MAX:
            raise ModelTooLargeError(
                f"version {number} is {size:,} bytes; form edits re-read the whole document (about 1 s "
                f"per 60 kB) and take documents up to {FORM_EDIT_MAX:,} bytes: edit its YAML text instead"
            )
        text = set_values(version.text, [(e.path, e.value) for e in body.edits], "<form>")
        doc = check(text, "<form>")
        return _version_json(store.add_version(sid, text, body.note or "form edit", doc.name))

    @app.get("/api/scenarios/{sid:int}/versions/{number:int}/states/{state:int}", tags=["analysis"])
    def api_state(
        sid: Id, number: Id, state: Id, concepts: Annotated[list[Concept] | None, Query()] = None
    ) -> Json:
        """One state: its options, per concept for whom it is stable, and why (in words)."""
        from detente.app.conflict_kinds import explain_state
        from detente.app.runs import clean

        doc = loaded(version_or_404(sid, number))
        if doc.conflict is not None and state > doc.conflict.n_states:
            raise HTTPException(404, f"version {number} has {doc.conflict.n_states} states; no state {state}")
        return dict(clean(explain_state(doc, state, list(concepts or CONCEPTS))))

    @app.get("/api/scenarios/{sid:int}/compare", tags=["analysis"])
    def api_compare(
        sid: Id,
        a: Annotated[int, Query(ge=1, le=MAX_ID)],
        b: Annotated[int, Query(ge=1, le=MAX_ID)],
    ) -> Json:
        """Two versions side by side: the YAML diff; per version the equilibria under every concept
        and, with issues, the forecast's outcome per dimension; and what changed between them
        (:mod:`detente.web.compare`)."""
        from detente.web.compare import analyse, changes

        va, vb = version_or_404(sid, a), version_or_404(sid, b)
        diff = list(
            difflib.unified_diff(
                va.text.splitlines(), vb.text.splitlines(), f"version {a}", f"version {b}", lineterm=""
            )
        )
        sides: Json = {}
        for key, version in (("a", va), ("b", vb)):
            try:
                sides[key] = {"version": version.number, **analyse(loaded(version), runs.budget())}
            except DetenteError as exc:
                sides[key] = {"version": version.number, "error": "; ".join(exc.lines())}
        return {"concepts": list(CONCEPTS), "diff": diff, **sides, "changes": changes(sides["a"], sides["b"])}

    # -- API: forecast questions ----------------------------------------------------------------
    def question_set(name: str) -> tuple[QuestionSet, dict[str, bool] | None]:
        from detente.app.scenario_kinds import question_set as built_in

        if name not in QUESTION_SETS:
            raise HTTPException(404, f"no question set named {name!r}")
        return built_in(name)

    @app.get("/api/questions", tags=["questions"])
    def api_question_sets() -> list[Json]:
        """The built-in sets of forecast questions."""
        out = []
        for name in QUESTION_SETS:
            spec = question_set(name)[0].spec
            out.append(
                {"name": name, "title": spec.name, "scenarios": spec.scenarios, "n": len(spec.questions)}
            )
        return out

    @app.get("/api/questions/{name}", tags=["questions"])
    def api_questions(name: str) -> Json:
        """A question set: each question with its dates and resolution criteria (not its answer)."""
        spec = question_set(name)[0].spec
        return {
            "name": name,
            **spec.model_dump(mode="json", exclude={"questions": {"__all__": {"evidence"}}}),
        }

    @app.post("/api/questions/{name}/score", tags=["questions"])
    def api_score(name: str, body: Probabilities) -> Json:
        """Brier and log scores of the given probabilities against what happened
        (:func:`detente.interventions.scoring.score`)."""
        from detente.interventions.scoring import score
        from detente.render.scenario_json import score_json

        qset, outcomes = question_set(name)
        unknown = sorted(set(body.probabilities) - set(qset.ids))
        if unknown:
            raise HTTPException(422, f"unknown question id(s): {', '.join(unknown)}")
        if outcomes is None:
            raise HTTPException(404, f"question set {name!r} has no resolutions yet")
        try:
            card = score(body.probabilities, outcomes)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
        return score_json(card)

    # -- API: runs ----------------------------------------------------------------------------
    @app.post("/api/scenarios/{sid:int}/versions/{number:int}/runs", tags=["runs"], status_code=201)
    def api_new_run(sid: Id, number: Id, params: Annotated[RunParams, Body()]) -> Json:
        """Run an analysis on this version. The run is estimated first and refused (413) when over the
        web budget; runs estimated to finish at once are done before the response, the rest are
        queued (poll ``/api/runs/{id}/status``)."""
        version = version_or_404(sid, number)
        rid, inline = runner.create(version.id, params)
        runner.start(rid, inline)
        return _run_json(run_or_404(rid))

    @app.get("/api/scenarios/{sid:int}/runs", tags=["runs"])
    def api_runs(
        sid: Id,
        limit: Annotated[int, Query(ge=1, le=1000, description="At most this many runs.")] = RUNS_PER_PAGE,
        offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Skip this many (newest first).")] = 0,
    ) -> list[Json]:
        """The scenario's runs, newest first: each with its one-line summary and result size, not its
        result (``GET /api/runs/{id}``)."""
        scenario_or_404(sid)
        return [_run_json(r) for r in store.runs(sid, limit, offset)]

    @app.get("/api/runs/{rid:int}", tags=["runs"])
    def api_run(rid: Id) -> Json:
        """A run: its version, parameters (with the seed), status, progress and result."""
        return _run_json(run_or_404(rid))

    @app.get("/api/runs/{rid:int}/status", tags=["runs"])
    def api_run_status(rid: Id) -> Json:
        """Progress of a run, for polling: status, runs done and runs in total."""
        run = summary_or_404(rid)
        return {"id": run.id, "status": run.status, "done": run.done, "total": run.total, "error": run.error}

    @app.post("/api/runs/{rid:int}/rerun", tags=["runs"], status_code=201)
    def api_rerun(rid: Id) -> Json:
        """Run again with the same version and parameters (and seed): the result must be the same."""
        old = summary_or_404(rid)
        params = PARAMS.validate_python(old.params)
        new, inline = runner.create(old.version_id, params)
        runner.start(new, inline)
        return _run_json(run_or_404(new))

    @app.get("/api/runs/{rid:int}/figures/{name}", tags=["runs"], response_class=Response)
    def api_figure(rid: Id, name: str) -> Response:
        """A figure of the run as SVG."""
        svg = store.figure(summary_or_404(rid).id, name) if name != REPORT else None
        if svg is None:
            raise HTTPException(404, f"run {rid} has no figure {name!r}")
        return Response(svg, media_type="image/svg+xml")

    @app.get("/api/runs/{rid:int}/report", tags=["runs"], response_class=HTMLResponse)
    def api_report(rid: Id) -> HTMLResponse:
        """The HTML report written by a run of kind ``report`` (a self-contained page, for download)."""
        html = store.figure(summary_or_404(rid).id, REPORT)
        if html is None:
            raise HTTPException(404, f"run {rid} has no report (start a run of kind 'report')")
        headers = {"Content-Disposition": f'attachment; filename="detente-report-run-{rid}.html"'}
        return HTMLResponse(html, headers=headers)

    # -- pages --------------------------------------------------------------------------------
    def page(template: str, **context: Any) -> HTMLResponse:
        return HTMLResponse(_PAGES.get_template(template).render(version=__version__, **context))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        rows = store.scenarios()
        return page(
            "index.html.j2",
            builtins=[s for s in rows if s.builtin],
            mine=[s for s in rows if not s.builtin],
            question_sets=api_question_sets(),
        )

    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        operations = [
            {"method": method.upper(), "path": path, **op}
            for path, item in app.openapi()["paths"].items()
            for method, op in item.items()
        ]
        return page("api.html.j2", operations=operations)

    @app.get("/questions/{name}", response_class=HTMLResponse, include_in_schema=False)
    def questions_page(name: str) -> HTMLResponse:
        qs = question_set(name)[0].spec
        linked = {Path(f).stem for f in qs.scenarios}
        snapshots = sorted(
            (s for s in store.scenarios() if s.kind == "scenario" and s.versions),
            key=lambda s: s.builtin not in linked,
        )
        return page(
            "questions.html.j2",
            name=name,
            qs=qs,
            snapshots=snapshots,
            linked=linked,
            defaults=QuestionsParams(),
        )

    @app.get("/builtins/{name}", include_in_schema=False)
    def open_builtin(name: str) -> RedirectResponse:
        row = store.builtin_scenario(name) if name in builtin_names() else None
        if row is None:
            raise HTTPException(404, f"no built-in document named {name!r}")
        return RedirectResponse(f"/scenarios/{row.id}", status_code=303)

    @app.get("/scenarios/{sid:int}", response_class=HTMLResponse, include_in_schema=False)
    def scenario_page(
        sid: Id,
        v: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
        runs_page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
    ) -> HTMLResponse:
        s = scenario_or_404(sid)
        versions = store.versions(sid)
        version = version_or_404(sid, v) if v is not None else latest(sid)
        doc: Document | None
        problems: list[Json] = []
        try:
            doc = loaded(version)
        except DetenteError as exc:
            doc, problems = None, runs.problems_json(exc.problems)
        return page(
            "scenario.html.j2",
            scenario=s,
            versions=versions,
            current=version,
            doc=doc,
            problems=problems,
            runs=store.runs(sid, RUNS_PER_PAGE, (runs_page - 1) * RUNS_PER_PAGE),
            runs_page=runs_page,
            runs_total=store.count_runs(sid),
            runs_per_page=RUNS_PER_PAGE,
            questions=[q for q in api_question_sets() if s.builtin and f"{s.builtin}.yaml" in q["scenarios"]],
            question_sets=api_question_sets(),
            forms=runs.forms(doc) if doc is not None else [],
        )

    @app.get(
        "/scenarios/{sid:int}/versions/{number:int}/edit",
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def editor_page(sid: Id, number: Id) -> HTMLResponse:
        s = scenario_or_404(sid)
        return page("editor.html.j2", scenario=s, current=version_or_404(sid, number))

    @app.get(
        "/scenarios/{sid:int}/versions/{number:int}/form",
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def form_page(sid: Id, number: Id) -> HTMLResponse:
        s = scenario_or_404(sid)
        version = version_or_404(sid, number)
        data, _ = parse_yaml(version.text, version_label(sid, number))
        return page("form.html.j2", scenario=s, current=version, groups=form_groups(data))

    @app.get("/scenarios/{sid:int}/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page(
        sid: Id,
        a: Annotated[int, Query(ge=1, le=MAX_ID)],
        b: Annotated[int, Query(ge=1, le=MAX_ID)],
    ) -> HTMLResponse:
        s = scenario_or_404(sid)
        return page("compare.html.j2", scenario=s, cmp=api_compare(sid, a, b))

    @app.get("/runs/{rid:int}", response_class=HTMLResponse, include_in_schema=False)
    def run_page(rid: Id) -> HTMLResponse:
        run = run_or_404(rid)
        s = scenario_or_404(run.scenario_id)
        graph, concept = None, ""
        r = run.result
        if r is not None and run.kind in ("stability", "paths"):
            version = store.version_by_id(run.version_id)
            assert version is not None
            from detente.web.graph import state_graph

            conflict = loaded(version).conflict
            assert conflict is not None
            if run.kind == "stability":
                concept = r["concepts"][-1]
                graph = state_graph(conflict, r["equilibria"])
            else:
                concept = r["concept"]
                eq = {concept: [e["state"] for e in r["equilibria"]]}
                paths = [
                    [r["start"] - 1, *(step["to"] - 1 for step in e["paths"][0]["steps"])]
                    for e in r["equilibria"]
                    if e["paths"]
                ]
                graph = state_graph(conflict, eq, paths)
        return page(
            "run.html.j2",
            run=run,
            scenario=s,
            figures=[f for f in store.figure_names(rid) if f != REPORT],
            graph=graph,
            graph_concept=concept,
            concepts=CONCEPTS,
        )

    return app


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """The methods some route of the app answers on the request's path."""
    from starlette.routing import Match, Route

    routes = [r for r in app.routes if isinstance(r, Route) and r.methods]
    first = next((r for r in routes if r.matches(request.scope)[0] != Match.NONE), None)
    if first is None:
        return []
    return sorted({m for r in routes if r.path == first.path for m in r.methods or ()})


def _yaml_response(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="application/x-yaml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _summarise_old_runs(store: Store) -> None:
    """Give runs stored before summaries were kept their one-line summary (once, when the store is
    first opened by this version)."""
    import json

    from detente.app.registry import get

    for run_id, kind, text in store.unsummarised():
        try:
            summary = get(kind).headline(json.loads(text))
        except (DetenteError, KeyError, TypeError, ValueError):  # a kind or result shape of old
            summary = "(no summary: stored by an older version)"
        store.set_summary(run_id, summary)


def _seed_builtins(store: Store) -> None:
    """Add each built-in document as a scenario on first start, and a new version when its file changed."""
    for name in builtin_names():
        text = builtin_text(name)
        if text is None:
            continue
        row = store.builtin_scenario(name)
        if row is None:
            try:
                doc = load_text(text, name)
                title, kind = doc.name, doc.kind
            except DetenteError:
                title, kind = name, "scenario" if text.lstrip().startswith("meta") else "conflict"
            store.add_scenario(title, kind, text, "built-in file", builtin=name)
        elif all(v.text != text for v in store.versions(row.id)):
            store.add_version(row.id, text, "built-in file updated")

"""The FastAPI application: ``create_app(settings)``.

Each application loads every ruleset of the registry once, when it is created (so once per
uvicorn worker), and keeps them with the calendar in a frozen ``cases.Environment``; a request
reads it and never changes it. Everything a request needs beyond that (its query, its
in-force dates, its calendar overrides) lives in the request. Evaluation runs in a worker
thread under the request's time limit, so the event loop keeps answering other requests.

Errors are RFC 9457 problem details naming the parameter, line, record and field; no request
gets a stack trace. ``docs/http.md`` documents every endpoint and answer.
"""

import datetime as dt
import functools
import json
from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any, Literal

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response, StreamingResponse
from pydantic.json_schema import models_json_schema
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._version import __version__
from ..diff import DiffStatus, RulesetDiff, diff
from ..ical import obligations_to_ical
from ..model import PolicyCase
from ..outputs import ReportSummary
from ..rulesets import ResolvedRuleset
from ..schema import json_schemas
from .cases import (
    NDJSON,
    NDJSON_TYPES,
    Environment,
    LangParam,
    RequestRulesets,
    batch_line,
    case_kind,
    case_query,
    evaluate_case,
    in_thread,
    media_type,
    read_body,
    read_case,
    render,
    request_calendar,
    resolve_query,
    split_lines,
)
from .messages import Lang, text
from .models import (
    BatchLine,
    FullReport,
    Health,
    JurisdictionInfo,
    ObligationsResult,
    Problem,
    ProblemItem,
    RuleCatalogue,
    RuleEntry,
    VersionInfo,
)
from .problems import PROBLEM_JSON, ProblemError, json_response, lang_of, problem_response
from .settings import ServerSettings

__all__ = ["OPENAPI_PATH", "app_from_environment", "create_app", "openapi_document"]

OPENAPI_PATH = "/v1/openapi.json"


# ------------------------------------------------------------------------------------------
# OpenAPI
def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Responses of these status codes, as problem details (``openapi_document`` moves them
    from application/json to application/problem+json)."""
    words = {
        400: "a query parameter is invalid (the problem names it)",
        404: "no such jurisdiction or schema",
        408: "the body did not arrive in time",
        413: "the body or the batch is over its limit",
        415: "the body is not JSON or YAML (JSON Lines for batches)",
        422: "the case cannot be evaluated, or names an unknown jurisdiction or layer",
        503: "the evaluation took longer than the time limit",
    }
    return {c: {"description": words[c], "model": Problem} for c in codes}


def _case_body(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/PolicyCase"}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "application/json": {"schema": schema},
                "application/yaml": {"schema": schema},
            },
        }
    }


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI 3.1 document: FastAPI's, with the library's input model (``PolicyCase``),
    the problem and batch-line models, and problem+json in place of FastAPI's 422."""
    doc = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    _, extra = models_json_schema(
        [(PolicyCase, "validation")], ref_template="#/components/schemas/{model}"
    )
    for name, schema in extra.get("$defs", {}).items():
        if name in components and components[name] != schema:
            raise RuntimeError(f"OpenAPI component {name!r} defined twice, differently")
        components[name] = schema
    for path, ops in doc["paths"].items():
        for op in ops.values():
            responses = op["responses"]
            if _is_fastapi_422(op):
                del responses["422"]
            for code, response in responses.items():
                content = response.get("content", {})
                if int(code) >= 400 and "application/json" in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
            if path == "/v1/batch":
                line = responses["200"]["content"].pop("application/json")["schema"]
                responses["200"]["content"][NDJSON] = {
                    "schema": {"type": "string", "x-line-schema": line}
                }
    return doc


def _is_fastapi_422(op: Mapping[str, Any]) -> bool:
    r = op.get("responses", {}).get("422", {})
    return "HTTPValidationError" in json.dumps(r)


# ------------------------------------------------------------------------------------------
def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """A new application. Loads every ruleset of the registry now (a bad ruleset or calendar
    file raises here, before serving); requests only read what is loaded."""
    settings = settings or ServerSettings()
    env = Environment.load(settings)
    app = FastAPI(
        title="ansafe-rules",
        version=__version__,
        summary="安责险 rules as a service: findings, obligations and catalogues",
        description="The rules of China's work-safety liability insurance (安全生产责任保险) "
        "for construction, evaluated over HTTP. Errors are RFC 9457 problem details. See "
        "docs/http.md.",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return problem_response(exc, request)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        lang = lang_of(request)
        items = []
        for e in exc.errors():
            loc = [str(p) for p in e.get("loc", ()) if p not in ("query", "path", "body")]
            name = loc[0] if loc else "(request)"
            items.append(ProblemItem(parameter=name, message=str(e.get("msg", "invalid"))))
        detail = "; ".join(
            text("parameter", lang, field=i.parameter, message=i.message) for i in items
        )
        return problem_response(ProblemError(400, "invalid-parameter", detail, items), request)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        lang = lang_of(request)
        path = request.url.path
        if exc.status_code == 404:
            err = ProblemError(404, "not-found", text("not_found", lang, path=path))
        elif exc.status_code == 405:
            err = ProblemError(
                405, "method-not-allowed", text("method", lang, path=path, method=request.method)
            )
        else:
            err = ProblemError(exc.status_code, "http-error", str(exc.detail))
        response = problem_response(err, request)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # never reached by design (every evaluation error is a finding or a problem); if it
        # is, the client still gets problem details and no stack trace
        detail = f"unexpected {type(exc).__name__}"
        return problem_response(ProblemError(500, "internal-error", detail), request)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(Exception, on_unexpected)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)

    Q = Annotated[dict[str, Any], Depends(case_query)]

    @app.post(
        "/v1/check",
        summary="Findings for one policy case",
        response_model=ReportSummary | FullReport,
        responses=_problems(400, 408, 413, 415, 422, 503),
        openapi_extra=_case_body(
            "a policy case (PolicyCase), JSON or YAML; a record that "
            "does not validate becomes a data_error finding"
        ),
        tags=["cases"],
    )
    async def check(request: Request, raw: Q) -> Response:
        """The case's findings, as `ansafe-rules check --format json` gives them: compact rows
        (`detail=summary`) or the full report with every trace (`detail=full`)."""
        q = resolve_query(env, raw)
        kind = case_kind(request, q.lang)
        body = await read_body(request, env, q.lang)

        def work() -> dict[str, Any]:
            report, stamp = evaluate_case(env, q, read_case(body, kind, env))
            return render(env, q, report, stamp)

        return json_response(await in_thread(env, q, "request", work))

    @app.post(
        "/v1/obligations",
        summary="What is due and when, for one policy case",
        response_model=ObligationsResult,
        responses={
            200: {
                "content": {"text/calendar": {"schema": {"type": "string"}}},
                "description": "JSON, or iCalendar with format=ics",
            },
            **_problems(400, 408, 413, 415, 422, 503),
        },
        openapi_extra=_case_body("a policy case (PolicyCase), JSON or YAML"),
        tags=["cases"],
    )
    async def obligations(
        request: Request,
        raw: Q,
        format: Annotated[
            Literal["json", "ics"], Query(description="json, or ics (iCalendar, RFC 5545)")
        ] = "json",
    ) -> Response:
        """Every due date, counting window and retention end, each with its citation, as
        `ansafe-rules obligations --format json|ics` gives them."""
        q = resolve_query(env, raw)
        kind = case_kind(request, q.lang)
        body = await read_body(request, env, q.lang)

        def work() -> Response:
            report, stamp = evaluate_case(env, q, read_case(body, kind, env), every_row=True)
            if format == "ics":
                when = dt.datetime.combine(report.as_of, dt.time(), tzinfo=dt.UTC)
                try:
                    obs = [o.model(q.lang) for o in report.obligations]
                    data = obligations_to_ical(report.policy_id, obs, stamp=when)
                except Exception as exc:  # e.g. a line break in policy_id (the calendar name)
                    why = f"{type(exc).__name__}: {exc}"
                    raise ProblemError(
                        422,
                        "invalid-case",
                        text("no_ical", q.lang, why=why),
                        [ProblemItem(record="policy", message=why)],
                    ) from None
                return Response(data, media_type="text/calendar")
            result = ObligationsResult(
                policy_id=report.policy_id,
                jurisdiction=report.jurisdiction,
                layers=report.layers,
                ruleset=stamp,
                obligations=tuple(o.model(q.lang) for o in report.obligations),
            )
            return json_response(result.model_dump(mode="json"))

        return await in_thread(env, q, "request", work)

    @app.post(
        "/v1/batch",
        summary="Findings for many policy cases (JSON Lines in, JSON Lines out)",
        responses={
            200: {
                "description": "one BatchLine (JSON) per non-blank input line, in order, "
                "streamed as each is evaluated",
                "model": BatchLine,
            },
            **_problems(400, 408, 413, 415, 422),
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "JSON Lines: one PolicyCase per line; a line that cannot be "
                "evaluated becomes an error line and the next lines go on",
                "content": {NDJSON: {"schema": {"type": "string"}}},
            }
        },
        tags=["cases"],
    )
    async def batch(request: Request, raw: Q) -> StreamingResponse:
        """A portfolio, as `ansafe-rules check --format jsonl`: one result per line, in
        order; a bad line gives an error line and the others are still evaluated."""
        q = resolve_query(env, raw)
        mt = media_type(request)
        if mt not in (*NDJSON_TYPES, "", "text/plain"):
            raise ProblemError(
                415,
                "unsupported-media-type",
                text("media_type", q.lang, got=mt, allowed=", ".join(NDJSON_TYPES)),
            )
        body = await read_body(request, env, q.lang)
        items = split_lines(body, env.settings.limits.max_line_bytes)
        del body
        limit = env.settings.server_limits.max_batch_lines
        if len(items) > limit:
            raise ProblemError(
                413, "batch-too-long", text("batch_limit", q.lang, n=len(items), limit=limit)
            )
        rulesets = RequestRulesets(env, q.in_force, q.lang)
        calendar = request_calendar(env, q)

        async def lines() -> AsyncIterator[bytes]:
            for n, item in items:
                one = functools.partial(batch_line, env, q, rulesets, calendar, n, item)
                try:
                    data = await in_thread(env, q, f"batch: line {n}", one)
                except ProblemError as exc:  # a line over time costs only that line
                    data = BatchLine(line=n, error=exc.problem(q.lang, None)).model_dump(
                        mode="json", exclude_none=True
                    )
                yield (json.dumps(data, ensure_ascii=False) + "\n").encode()

        return StreamingResponse(lines(), media_type=NDJSON)

    @app.get(
        "/v1/jurisdictions",
        response_model=list[JurisdictionInfo],
        tags=["rules"],
        summary="The jurisdictions requests may name",
    )
    async def list_jurisdictions() -> Response:
        """Every ruleset loaded: id, titles, layers, rule count, digest, in-force date."""
        out = []
        for name, rs in env.rulesets.items():
            top = rs.layers[-1]
            out.append(
                JurisdictionInfo(
                    id=name,
                    title=top.title,
                    title_en=top.title_en,
                    issuing_body=top.issuing_body,
                    document_number=top.document_number,
                    layers=tuple(li.id for li in rs.layers),
                    rules=len(rs.rules),
                    digest=env.digests[name],
                    in_force=top.effective.in_force,
                    limitations=top.limitations,
                ).model_dump(mode="json")
            )
        return json_response(out)

    JurisdictionId = Annotated[str, PathParam(description="a jurisdiction id", max_length=100)]

    def ruleset_or_404(name: str, lang: Lang) -> ResolvedRuleset:
        rs = env.rulesets.get(name)
        if rs is None:
            msg = text(
                "unknown_jurisdiction",
                lang,
                field="jurisdiction",
                name=name,
                available=env.available(),
            )
            raise ProblemError(
                404,
                "unknown-jurisdiction",
                msg,
                [ProblemItem(parameter="jurisdiction", message=msg)],
            )
        return rs

    @app.get(
        "/v1/jurisdictions/{jurisdiction}/rules",
        response_model=RuleCatalogue,
        responses=_problems(400, 404, 422),
        tags=["rules"],
        summary="A jurisdiction's rules, each with its citation",
    )
    async def rules(
        jurisdiction: JurisdictionId,
        lang: LangParam = "zh",
        layer: Annotated[
            str | None, Query(description="only the rules this layer defines", max_length=100)
        ] = None,
    ) -> Response:
        """The catalogue, as `ansafe-rules rules ID --format json`: every rule with its
        layer, clause, verbatim quote, parameters and readings."""
        rs = ruleset_or_404(jurisdiction, lang)
        layers = tuple(li.id for li in rs.layers)
        if layer is not None and layer not in layers:
            msg = text(
                "unknown_layer", lang, ruleset=jurisdiction, layer=layer, layers=", ".join(layers)
            )
            raise ProblemError(
                422, "unknown-layer", msg, [ProblemItem(parameter="layer", message=msg)]
            )
        cat = RuleCatalogue(
            jurisdiction=jurisdiction,
            layers=layers,
            digest=env.digests[jurisdiction],
            rules=tuple(
                RuleEntry(layer=r.layer, rule=r.rule)
                for r in rs.rules
                if layer is None or r.layer == layer
            ),
        )
        return json_response(cat.model_dump(mode="json"))

    @app.get(
        "/v1/diff",
        response_model=RulesetDiff,
        responses=_problems(400, 422),
        tags=["rules"],
        summary="How two regimes differ, per obligation",
    )
    async def regimes_diff(
        a: Annotated[str, Query(description="a jurisdiction id", max_length=100)],
        b: Annotated[str, Query(description="another jurisdiction id", max_length=100)],
        lang: LangParam = "zh",
        all: Annotated[bool, Query(description="also list identical obligations")] = False,
    ) -> Response:
        """`ansafe-rules diff A B --format json`; identical obligations only with all=true."""
        sides = []
        for field, name in (("a", a), ("b", b)):
            if name not in env.rulesets:
                msg = text(
                    "unknown_jurisdiction", lang, field=field, name=name, available=env.available()
                )
                raise ProblemError(
                    422, "unknown-jurisdiction", msg, [ProblemItem(parameter=field, message=msg)]
                )
            sides.append(env.rulesets[name])
        d = await anyio.to_thread.run_sync(diff, *sides)
        if not all:
            d = d.model_copy(
                update={
                    "obligations": tuple(
                        o for o in d.obligations if o.status is not DiffStatus.same
                    )
                }
            )
        return json_response(d.model_dump(mode="json"))

    schemas = json_schemas()

    @app.get(
        "/v1/schemas",
        response_model=dict[str, dict[str, Any]],
        tags=["meta"],
        summary="JSON Schema of every input and output model",
    )
    async def all_schemas() -> Response:
        """`ansafe-rules schema`: name -> JSON Schema (draft 2020-12)."""
        return json_response(schemas)

    @app.get(
        "/v1/schemas/{name}",
        response_model=dict[str, Any],
        responses=_problems(400, 404),
        tags=["meta"],
        summary="One JSON Schema",
    )
    async def one_schema(
        name: Annotated[str, PathParam(description="e.g. PolicyCase, Report", max_length=100)],
        lang: LangParam = "zh",
    ) -> Response:
        if name not in schemas:
            msg = text("unknown_schema", lang, name=name, available=", ".join(schemas))
            raise ProblemError(
                404, "unknown-schema", msg, [ProblemItem(parameter="name", message=msg)]
            )
        return json_response(schemas[name])

    @app.get(
        "/v1/version",
        response_model=VersionInfo,
        tags=["meta"],
        summary="Engine version, ruleset digests, calendar coverage",
    )
    async def version() -> Response:
        cal = env.calendar
        info = VersionInfo(
            engine_version=__version__,
            rulesets=dict(env.digests),
            calendar_first_year=cal.first_year,
            calendar_last_year=cal.last_year,
            official_years=tuple(sorted(cal.official_years)),
        )
        return json_response(info.model_dump(mode="json"))

    @app.get("/v1/health", response_model=Health, tags=["meta"], summary="Liveness")
    async def health() -> Response:
        return json_response(Health().model_dump(mode="json"))

    @app.get(OPENAPI_PATH, include_in_schema=False)
    async def openapi() -> Response:
        return json_response(document)

    document = openapi_document(app)  # computed once, here; never by a request
    app.openapi = lambda: document  # type: ignore[method-assign]

    app.state.environment = env
    return app


def app_from_environment() -> FastAPI:
    """The application of a uvicorn worker process (``--workers N``): settings from
    ``ANSAFE_SERVER_SETTINGS``, as the command line wrote them."""
    return create_app(ServerSettings.from_environment())

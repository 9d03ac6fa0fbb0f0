"""The FastAPI application: ``create_app(settings)``.

Each application loads every ruleset of the registry once, when it is created (so once per
uvicorn worker), and keeps them with the calendar in a frozen :class:`Environment`; a request
reads it and never changes it. Everything a request needs beyond that (its query, its
in-force dates, its calendar overrides) lives in the request. Evaluation runs in a worker
thread under the request's time limit, so the event loop keeps answering other requests.

Errors are RFC 9457 problem details naming the parameter, line, record and field; no request
gets a stack trace. ``docs/http.md`` documents every endpoint and answer.
"""

# no `from __future__ import annotations`: FastAPI reads the endpoints' annotations at runtime

import dataclasses
import datetime as dt
import functools
import inspect
import json
import re
import tempfile
import types
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response, StreamingResponse
from pydantic.json_schema import models_json_schema
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from .._errors import AnsafeError, InputError, RulesetError
from .._version import __version__
from ..calendar import CalendarOverride, WorkCalendar, load_calendar_overrides
from ..diff import DiffStatus, RulesetDiff, diff
from ..evaluate import Report, Status, evaluate
from ..ical import obligations_to_ical
from ..inputs import ParsedCase, load_case_file
from ..loader import jurisdictions
from ..model import PolicyCase
from ..outputs import ReportSummary, RulesetStamp, summarize
from ..portfolio import RulesetCache, RunSettings, evaluate_portfolio, run_environment
from ..rulesets import DutyHolder, ResolvedRuleset
from ..schema import json_schemas
from .messages import PROBLEMS, Lang, text, title
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
from .settings import ServerSettings

__all__ = ["OPENAPI_PATH", "Environment", "app_from_environment", "create_app", "openapi_document"]

OPENAPI_PATH = "/v1/openapi.json"
PROBLEM_JSON = "application/problem+json"
NDJSON = "application/x-ndjson"
_JSON_TYPES = ("application/json", "")
_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
_NDJSON_TYPES = (NDJSON, "application/jsonl", "application/x-jsonlines", "application/json-lines")
_HIDDEN = frozenset({Status.compliant, Status.not_applicable})
_RUN_ENVIRONMENT_DAY = dt.date(2000, 1, 1)  # run_environment's rulesets and calendar ignore as_of

T = TypeVar("T")


# ------------------------------------------------------------------------------------------
# problems
class ProblemError(Exception):
    """Raised anywhere in a request: answered as ``application/problem+json``."""

    def __init__(
        self, status: int, slug: str, detail: str, errors: Iterable[ProblemItem] = ()
    ) -> None:
        super().__init__(detail)
        assert slug in PROBLEMS, slug
        self.status, self.slug, self.detail, self.errors = status, slug, detail, tuple(errors)

    def problem(self, lang: Lang, instance: str | None) -> Problem:
        return Problem(
            type=f"urn:ansafe-rules:problem:{self.slug}",
            title=title(self.slug, lang),
            status=self.status,
            detail=self.detail,
            instance=instance,
            errors=self.errors,
        )


_LOCATED = re.compile(
    r"^(?:line (?P<line>\d+): )?(?:(?P<record>[^:]+?): )?field '(?P<field>[^']*)': (?P<msg>.*)$"
)
_LINE = re.compile(r"^line (?P<line>\d+): (?P<msg>.*)$")


def located(message: str, label: str) -> tuple[ProblemItem, ...]:
    """The library's error lines (``LABEL: RECORD: field 'F': MESSAGE``) as located items."""
    items = []
    for raw in message.splitlines():
        s = raw.removeprefix(f"{label}: ")
        if m := _LOCATED.match(s):
            line = m["line"]
            items.append(
                ProblemItem(
                    line=int(line) if line else None,
                    record=m["record"],
                    field=m["field"],
                    message=m["msg"],
                )
            )
        elif m := _LINE.match(s):
            items.append(ProblemItem(line=int(m["line"]), message=m["msg"]))
        else:
            items.append(ProblemItem(message=s))
    return tuple(items)


def _lang_of(request: Request) -> Lang:
    lang = request.query_params.get("lang")
    return "en" if lang == "en" else "zh"


def _problem_response(exc: ProblemError, request: Request) -> Response:
    body = exc.problem(_lang_of(request), request.url.path).model_dump(
        mode="json", exclude_none=True
    )
    headers = {"Connection": "close"} if exc.status == 413 else None
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=exc.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _json(data: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False), status_code=status, media_type="application/json"
    )


# ------------------------------------------------------------------------------------------
# the application's environment: loaded once, read by requests, never changed
@dataclasses.dataclass(frozen=True)
class Environment:
    """The rulesets (every registry id, resolved), their digests, the calendar and the
    settings of one application. Frozen; its mappings are read-only views."""

    settings: ServerSettings
    rulesets: Mapping[str, ResolvedRuleset]
    digests: Mapping[str, str]
    calendar: WorkCalendar
    overrides: tuple[CalendarOverride, ...]
    lang_evaluate: bool
    lang_summarize: bool
    lang_portfolio: bool

    @classmethod
    def load(cls, settings: ServerSettings) -> "Environment":
        # in-force dates go to the rulesets having that layer (a batch mixes jurisdictions),
        # so they are applied here rather than by the cache, which applies them to every one
        base = RunSettings(
            as_of=_RUN_ENVIRONMENT_DAY,
            search_paths=settings.search_paths,
            calendar_file=settings.calendar_file,
            limits=settings.limits,
        )
        cache, calendar = run_environment(base)
        ids = jurisdictions(settings.search_paths)
        for layer, _ in settings.in_force:
            if layer not in ids:
                raise RulesetError(
                    f"--in-force {layer}=...: no jurisdiction {layer!r}; available: "
                    + ", ".join(ids)
                )
        rulesets = {name: with_in_force(cache.get(name), settings.in_force) for name in ids}
        overrides = (
            load_calendar_overrides(settings.calendar_file) if settings.calendar_file else ()
        )
        return cls(
            settings=settings,
            rulesets=types.MappingProxyType(rulesets),
            digests=types.MappingProxyType({k: rs.digest for k, rs in rulesets.items()}),
            calendar=calendar,
            overrides=overrides,
            lang_evaluate=_takes_lang(evaluate),
            lang_summarize=_takes_lang(summarize),
            lang_portfolio=_takes_lang(evaluate_portfolio),
        )

    def available(self) -> str:
        return ", ".join(self.rulesets)


def with_in_force(rs: ResolvedRuleset, in_force: Iterable[tuple[str, dt.date]]) -> ResolvedRuleset:
    """``rs`` with the in-force dates of the layers it has (others are not its concern)."""
    for layer, day in in_force:
        if any(li.id == layer for li in rs.layers):
            rs = rs.with_effective(layer, day)
    return rs


def _takes_lang(fn: Callable[..., Any]) -> bool:
    """Does this library function take ``lang`` yet? (Then the request's is passed on.)"""
    return "lang" in inspect.signature(fn).parameters


class RequestRulesets(RulesetCache):
    """The rulesets one request sees: the environment's, with the request's in-force dates
    applied to the rulesets having those layers. Request-local; names in data and in
    parameters are registry ids only, never files."""

    def __init__(self, env: Environment, in_force: tuple[tuple[str, dt.date], ...], lang: Lang):
        super().__init__()
        self._env, self._in_force, self._lang = env, in_force, lang
        self._mine: dict[str, ResolvedRuleset] = {}

    def get(self, name: str) -> ResolvedRuleset:
        base = self._env.rulesets.get(name)
        if base is None:
            raise InputError(
                text(
                    "unknown_jurisdiction",
                    self._lang,
                    field="jurisdiction",
                    name=name,
                    available=self._env.available(),
                )
            )
        if not self._in_force:
            return base
        if name not in self._mine:
            self._mine[name] = with_in_force(base, self._in_force)
        return self._mine[name]

    def digest(self, name: str) -> str:
        rs = self.get(name)
        return self._env.digests[name] if rs is self._env.rulesets[name] else rs.digest


# ------------------------------------------------------------------------------------------
# query parameters, as the command line's options
Detail = Literal["summary", "full"]
_LAYER_RE = r"^[a-z][a-z0-9_]*$"


@dataclasses.dataclass(frozen=True)
class CaseQuery:
    """The parameters of a check, an obligations or a batch request, validated."""

    as_of: dt.date
    jurisdiction: str | None
    layer: str | None
    lang: Lang
    in_force: tuple[tuple[str, dt.date], ...]
    holidays: tuple[dt.date, ...]
    workdays: tuple[dt.date, ...]
    duty_holder: DutyHolder | None
    detail: Detail
    all: bool


LangParam = Annotated[
    Lang,
    Query(
        description="language of the service's own messages (problem titles): zh (default) "
        "or en; passed to the library's outputs once the library supports languages"
    ),
]


def case_query(
    as_of: Annotated[
        dt.date | None,
        Query(description="judge as of this date (default: today in China, UTC+8)"),
    ] = None,
    jurisdiction: Annotated[
        str | None,
        Query(
            description="ruleset id (GET /v1/jurisdictions) for every case; default: each "
            "policy's own `jurisdiction`. Registry ids only, never file paths",
            max_length=100,
        ),
    ] = None,
    layer: Annotated[
        str | None,
        Query(description="evaluate the rules of one layer only, e.g. national", max_length=100),
    ] = None,
    lang: LangParam = "zh",
    in_force: Annotated[
        list[str],
        Query(
            description="LAYER=YYYY-MM-DD, repeatable: the in-force date of a layer the text "
            "does not date (e.g. xinzhou=2024-12-01); applied to the rulesets having that layer",
            max_length=20,
        ),
    ] = [],  # noqa: B006 - FastAPI copies defaults
    holiday: Annotated[
        list[dt.date],
        Query(
            description="calendar override, repeatable: an official day off (放假) of a year "
            "whose schedule the calendar lacks; the days given for a year replace that year's "
            "schedule",
            max_length=100,
        ),
    ] = [],  # noqa: B006
    workday: Annotated[
        list[dt.date],
        Query(
            description="calendar override, repeatable: a weekend working day (调休上班)",
            max_length=100,
        ),
    ] = [],  # noqa: B006
    duty_holder: Annotated[
        DutyHolder | None,
        Query(
            description="only this party's duties: those it owes and those whose liability "
            "it bears (AQ 9010-2019 5.3)"
        ),
    ] = None,
    detail: Annotated[
        Detail,
        Query(
            description="summary: compact rows of the findings needing attention (all=true "
            "adds compliant and n/a ones); full: the whole report with every trace"
        ),
    ] = "summary",
    all: Annotated[
        bool, Query(description="summary: also list compliant and not_applicable findings")
    ] = False,
) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "jurisdiction": jurisdiction,
        "layer": layer,
        "lang": lang,
        "in_force": in_force,
        "holiday": holiday,
        "workday": workday,
        "duty_holder": duty_holder,
        "detail": detail,
        "all": all,
    }


def _bad_param(lang: Lang, key: str, parameter: str, **values: Any) -> ProblemError:
    msg = text(key, lang, field=parameter, **values)
    return ProblemError(
        400, "invalid-parameter", msg, [ProblemItem(parameter=parameter, message=msg)]
    )


def resolve_query(env: Environment, raw: Mapping[str, Any]) -> CaseQuery:
    """The raw parameters checked against the environment: registry ids, layers, in-force
    layers and calendar years."""
    lang: Lang = raw["lang"]
    name = raw["jurisdiction"]
    if name is not None and name not in env.rulesets:
        msg = text(
            "unknown_jurisdiction", lang, field="jurisdiction", name=name, available=env.available()
        )
        raise ProblemError(
            422, "unknown-jurisdiction", msg, [ProblemItem(parameter="jurisdiction", message=msg)]
        )
    layer = raw["layer"]
    if layer is not None and name is not None:
        layers = [li.id for li in env.rulesets[name].layers]
        if layer not in layers:
            msg = text("unknown_layer", lang, ruleset=name, layer=layer, layers=", ".join(layers))
            raise ProblemError(
                422, "unknown-layer", msg, [ProblemItem(parameter="layer", message=msg)]
            )
    in_force = []
    for value in raw["in_force"]:
        key, sep, day = value.partition("=")
        try:
            if not sep or not re.match(_LAYER_RE, key):
                raise ValueError
            date = dt.date.fromisoformat(day)
        except ValueError:
            raise _bad_param(lang, "bad_in_force", "in_force", value=value) from None
        if key not in env.rulesets:
            msg = text("unknown_in_force_layer", lang, layer=key, available=env.available())
            raise ProblemError(
                422, "unknown-jurisdiction", msg, [ProblemItem(parameter="in_force", message=msg)]
            )
        in_force.append((key, date))
    cal = env.calendar
    for field, days in (("holiday", raw["holiday"]), ("workday", raw["workday"])):
        for day in days:
            if not cal.first_year <= day.year <= cal.last_year + 10:
                raise _bad_param(
                    lang,
                    "calendar_year",
                    field,
                    day=day,
                    first=cal.first_year,
                    last=cal.last_year + 10,
                )
    clash = sorted(set(raw["holiday"]) & set(raw["workday"]))
    if clash:
        raise _bad_param(lang, "calendar_clash", "holiday", days=", ".join(map(str, clash)))
    return CaseQuery(
        as_of=raw["as_of"] or env.settings.today(),
        jurisdiction=name,
        layer=layer,
        lang=lang,
        in_force=tuple(in_force),
        holidays=tuple(sorted(set(raw["holiday"]))),
        workdays=tuple(sorted(set(raw["workday"]))),
        duty_holder=raw["duty_holder"],
        detail=raw["detail"],
        all=raw["all"],
    )


def request_calendar(env: Environment, q: CaseQuery) -> WorkCalendar:
    """The environment's calendar, or a new one when the request overrides some years (the
    request's days for a year replace that year's schedule; built per request, ~30 ms)."""
    if not q.holidays and not q.workdays:
        return env.calendar
    years = sorted({d.year for d in (*q.holidays, *q.workdays)})
    mine = [
        CalendarOverride(
            year=y,
            holidays=tuple(d for d in q.holidays if d.year == y),
            workdays=tuple(d for d in q.workdays if d.year == y),
            source="request",
        )
        for y in years
    ]
    kept = [o for o in env.overrides if o.year not in years]
    return WorkCalendar((*kept, *mine))


# ------------------------------------------------------------------------------------------
# reading a case
def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_body(request: Request, env: Environment, lang: Lang) -> bytes:
    """The body, refused with 413 once it passes ``max_body_bytes`` (before reading it when
    Content-Length says so) and with 408 when it does not arrive in time."""
    limits = env.settings.server_limits
    limit = limits.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ProblemError(413, "body-too-large", text("body_limit", lang, limit=limit))
    chunks: list[bytes] = []
    size = 0
    try:
        with anyio.fail_after(limits.read_timeout_seconds):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise ProblemError(413, "body-too-large", text("body_limit", lang, limit=limit))
                chunks.append(chunk)
    except ClientDisconnect:  # nobody to answer; the handler logs no stack trace
        raise ProblemError(400, "incomplete-body", text("incomplete_body", lang)) from None
    except TimeoutError:
        raise ProblemError(
            408, "body-timeout", text("body_timeout", lang, seconds=limits.read_timeout_seconds)
        ) from None
    return b"".join(chunks)


def _relabel(message: str, path: Path) -> str:
    return message.replace(str(path), "request")


def read_case(body: bytes, kind: str, env: Environment) -> ParsedCase:
    """A case from a JSON or YAML body, read by the library's own strict, bounded reader
    (``load_case_file``) from a private temporary file; messages name ``request``."""
    suffix = ".yaml" if kind == "yaml" else ".json"
    with tempfile.TemporaryDirectory(prefix="ansafe-request-") as folder:
        path = Path(folder) / f"request{suffix}"
        path.write_bytes(body)
        try:
            parsed = load_case_file(path, limits=env.settings.limits)
        except AnsafeError as exc:
            detail = _relabel(str(exc), path)
            raise ProblemError(422, "invalid-case", detail, located(detail, "request")) from None
    issues = tuple(i.model_copy(update={"source": "request"}) for i in parsed.issues)
    return parsed.model_copy(update={"issues": issues})


def case_kind(request: Request, lang: Lang) -> str:
    mt = media_type(request)
    if mt in _JSON_TYPES or mt.endswith("+json"):
        return "json"
    if mt in _YAML_TYPES:
        return "yaml"
    allowed = "application/json, application/yaml"
    raise ProblemError(
        415, "unsupported-media-type", text("media_type", lang, got=mt, allowed=allowed)
    )


def stamp_of(rulesets: RulesetCache, name: str, report: Report) -> RulesetStamp:
    rs = rulesets.get(name)
    return RulesetStamp(
        id=rs.id, layers=report.layers, digest=rulesets.digest(name), engine_version=__version__
    )


def evaluate_case(
    env: Environment, q: CaseQuery, parsed: ParsedCase
) -> tuple[Report, RulesetStamp]:
    """Judge one parsed case (in a worker thread): the ruleset the query or the policy names,
    the request's in-force dates and calendar."""
    rulesets = RequestRulesets(env, q.in_force, q.lang)
    name = q.jurisdiction or parsed.case.policy.jurisdiction
    try:
        rulesets.get_registered(name)
    except AnsafeError as exc:
        msg = f"request: policy: field 'jurisdiction': {exc}"
        raise ProblemError(
            422,
            "unknown-jurisdiction",
            msg,
            [ProblemItem(record="policy", field="jurisdiction", message=str(exc))],
        ) from None
    rs = rulesets.get(name)
    if q.layer is not None and q.layer not in {li.id for li in rs.layers}:
        layers = ", ".join(li.id for li in rs.layers)
        msg = text("unknown_layer", q.lang, ruleset=name, layer=q.layer, layers=layers)
        raise ProblemError(422, "unknown-layer", msg, [ProblemItem(parameter="layer", message=msg)])
    extra = {"lang": q.lang} if env.lang_evaluate else {}
    try:
        report = evaluate(
            rs,
            parsed,
            as_of=q.as_of,
            calendar=request_calendar(env, q),
            layer=q.layer,
            source="request",
            duty_holder=q.duty_holder,
            **extra,
        )
    except (AnsafeError, ValueError) as exc:
        raise ProblemError(422, "invalid-case", str(exc), located(str(exc), "request")) from None
    return report, stamp_of(rulesets, name, report)


def render(env: Environment, q: CaseQuery, report: Report, stamp: RulesetStamp) -> dict[str, Any]:
    """A report as the command line's JSON renders it: compact rows of what needs attention
    (``detail=summary``; ``all`` adds the rest) or the full report with its ruleset stamp."""
    if q.detail == "full":
        return {"ruleset": stamp.model_dump(mode="json"), "report": report.model_dump(mode="json")}
    if not q.all:
        report = report.model_copy(
            update={"findings": tuple(f for f in report.findings if f.status not in _HIDDEN)}
        )
    extra = {"lang": q.lang} if env.lang_summarize else {}
    return summarize(report, stamp, **extra).model_dump(
        mode="json", exclude_defaults=True, exclude={"obligations"}
    )


def batch_line(
    env: Environment,
    q: CaseQuery,
    rulesets: RequestRulesets,
    calendar: WorkCalendar,
    n: int,
    item: str | InputError,
) -> dict[str, Any]:
    """One batch line, evaluated as ``evaluate_portfolio`` evaluates a portfolio line."""
    extra = {"lang": q.lang} if env.lang_portfolio else {}
    (r,) = evaluate_portfolio(
        [(n, item)],
        as_of=q.as_of,
        jurisdiction=q.jurisdiction,
        layer=q.layer,
        calendar=calendar,
        rulesets=rulesets,
        source="batch",
        limits=env.settings.limits,
        **extra,
    )
    if r.report is None:
        detail = r.error or "could not be evaluated"
        problem = ProblemError(422, "invalid-case", detail, located(detail, f"batch: line {n}"))
        return BatchLine(
            line=n, policy_id=r.policy_id, error=problem.problem(q.lang, None)
        ).model_dump(mode="json", exclude_none=True)
    report = r.report if q.duty_holder is None else r.report.for_party(q.duty_holder)
    name = q.jurisdiction or report.jurisdiction
    result = render(env, q, report, stamp_of(rulesets, name, report))
    return {"line": n, "policy_id": report.policy_id, "result": result}


async def in_thread(env: Environment, q: CaseQuery, where: str, fn: Callable[[], T]) -> T:
    """``fn()`` in a worker thread, given up after ``timeout_seconds`` (503)."""
    seconds = env.settings.server_limits.timeout_seconds
    try:
        with anyio.fail_after(seconds):
            return await anyio.to_thread.run_sync(fn, abandon_on_cancel=True)
    except TimeoutError:
        raise ProblemError(
            503, "timeout", text("case_timeout", q.lang, where=where, seconds=seconds)
        ) from None


def split_lines(body: bytes, max_line: int) -> list[tuple[int, str | InputError]]:
    """(line number, text or the error reading it) of a JSON Lines body's non-blank lines."""
    out: list[tuple[int, str | InputError]] = []
    for n, raw in enumerate(body.split(b"\n"), start=1):
        if not raw.strip():
            continue
        if len(raw) > max_line:
            out.append(
                (
                    n,
                    InputError(
                        f"batch: line {n}: longer than {max_line:,} bytes "
                        "(limit max_line_bytes, docs/limits.md)"
                    ),
                )
            )
            continue
        try:
            out.append((n, raw.decode("utf-8")))
        except UnicodeDecodeError as exc:
            out.append((n, InputError(f"batch: line {n}: not UTF-8 (byte {exc.start + 1})")))
    return out


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
        return _problem_response(exc, request)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        lang = _lang_of(request)
        items = []
        for e in exc.errors():
            loc = [str(p) for p in e.get("loc", ()) if p not in ("query", "path", "body")]
            name = loc[0] if loc else "(request)"
            items.append(ProblemItem(parameter=name, message=str(e.get("msg", "invalid"))))
        detail = "; ".join(
            text("parameter", lang, field=i.parameter, message=i.message) for i in items
        )
        return _problem_response(ProblemError(400, "invalid-parameter", detail, items), request)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        lang = _lang_of(request)
        path = request.url.path
        if exc.status_code == 404:
            err = ProblemError(404, "not-found", text("not_found", lang, path=path))
        elif exc.status_code == 405:
            err = ProblemError(
                405, "method-not-allowed", text("method", lang, path=path, method=request.method)
            )
        else:
            err = ProblemError(exc.status_code, "http-error", str(exc.detail))
        response = _problem_response(err, request)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # never reached by design (every evaluation error is a finding or a problem); if it
        # is, the client still gets problem details and no stack trace
        detail = f"unexpected {type(exc).__name__}"
        return _problem_response(ProblemError(500, "internal-error", detail), request)

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

        return _json(await in_thread(env, q, "request", work))

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
            report, stamp = evaluate_case(env, q, read_case(body, kind, env))
            if format == "ics":
                when = dt.datetime.combine(report.as_of, dt.time(), tzinfo=dt.UTC)
                data = obligations_to_ical(report.policy_id, report.obligations, stamp=when)
                return Response(data, media_type="text/calendar")
            result = ObligationsResult(
                policy_id=report.policy_id,
                jurisdiction=report.jurisdiction,
                layers=report.layers,
                ruleset=stamp,
                obligations=report.obligations,
            )
            return _json(result.model_dump(mode="json"))

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
        if mt not in (*_NDJSON_TYPES, "", "text/plain"):
            raise ProblemError(
                415,
                "unsupported-media-type",
                text("media_type", q.lang, got=mt, allowed=", ".join(_NDJSON_TYPES)),
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
        return _json(out)

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
        return _json(cat.model_dump(mode="json"))

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
        return _json(d.model_dump(mode="json"))

    schemas = json_schemas()

    @app.get(
        "/v1/schemas",
        response_model=dict[str, dict[str, Any]],
        tags=["meta"],
        summary="JSON Schema of every input and output model",
    )
    async def all_schemas() -> Response:
        """`ansafe-rules schema`: name -> JSON Schema (draft 2020-12)."""
        return _json(schemas)

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
        return _json(schemas[name])

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
        return _json(info.model_dump(mode="json"))

    @app.get("/v1/health", response_model=Health, tags=["meta"], summary="Liveness")
    async def health() -> Response:
        return _json(Health().model_dump(mode="json"))

    @app.get(OPENAPI_PATH, include_in_schema=False)
    async def openapi() -> Response:
        return _json(document)

    document = openapi_document(app)  # computed once, here; never by a request
    app.openapi = lambda: document  # type: ignore[method-assign]

    app.state.environment = env
    return app


def app_from_environment() -> FastAPI:
    """The application of a uvicorn worker process (``--workers N``): settings from
    ``ANSAFE_SERVER_SETTINGS``, as the command line wrote them."""
    return create_app(ServerSettings.from_environment())

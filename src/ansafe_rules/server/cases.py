"""What a case request needs: the application's frozen environment (rulesets loaded once, the
calendar), the request's query checked against it, and the case read, evaluated and rendered
as the command line renders it. Evaluation runs in a worker thread under the time limit."""

# no `from __future__ import annotations`: FastAPI reads case_query's annotations at runtime

import dataclasses
import datetime as dt
import re
import tempfile
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import anyio
import anyio.to_thread
from fastapi import Query, Request
from starlette.requests import ClientDisconnect

from .._errors import AnsafeError, InputError, RulesetError, error_at
from ..calendar import CalendarOverride, WorkCalendar, load_calendar_overrides
from ..evaluate import Evaluation, Status, evaluate_rows
from ..inputs import ParsedCase, load_case_file
from ..loader import jurisdictions
from ..outputs import RulesetStamp
from ..portfolio import (
    RulesetCache,
    RunSettings,
    iter_outcomes,
    jurisdiction_error,
    run_environment,
)
from ..rulesets import DutyHolder, ResolvedRuleset
from .messages import Lang, text
from .models import (
    BatchLine,
    ProblemItem,
)
from .problems import ProblemError, located, located_zh
from .settings import ServerSettings

__all__ = [
    "NDJSON",
    "NDJSON_TYPES",
    "CaseQuery",
    "Environment",
    "LangParam",
    "RequestRulesets",
    "batch_line",
    "case_kind",
    "case_query",
    "evaluate_case",
    "in_thread",
    "media_type",
    "read_body",
    "read_case",
    "render",
    "request_calendar",
    "resolve_query",
    "split_lines",
    "stamp_of",
]

NDJSON = "application/x-ndjson"
NDJSON_TYPES = (NDJSON, "application/jsonl", "application/x-jsonlines", "application/json-lines")
_JSON_TYPES = ("application/json", "")
_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
_HIDDEN = frozenset({Status.compliant, Status.not_applicable})
_RUN_ENVIRONMENT_DAY = dt.date(2000, 1, 1)  # run_environment's rulesets and calendar ignore as_of

T = TypeVar("T")


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
        )

    def available(self) -> str:
        return ", ".join(self.rulesets)


def with_in_force(rs: ResolvedRuleset, in_force: Iterable[tuple[str, dt.date]]) -> ResolvedRuleset:
    """``rs`` with the in-force dates of the layers it has (others are not its concern)."""
    for layer, day in in_force:
        if any(li.id == layer for li in rs.layers):
            rs = rs.with_effective(layer, day)
    return rs


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
            zh = _relabel(exc.zh, path) if exc.zh is not None else None
            raise _invalid_case(detail, zh, "request") from None
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


def stamp_of(rulesets: RulesetCache, name: str, report: Evaluation) -> RulesetStamp:
    return rulesets.stamp(name, report.layers)


def evaluate_case(
    env: Environment, q: CaseQuery, parsed: ParsedCase, *, every_row: bool = False
) -> tuple[Evaluation, RulesetStamp]:
    """Judge one parsed case (in a worker thread): the ruleset the query or the policy names,
    the request's in-force dates and calendar. Lean (compliant findings counted, not built)
    when the response shows only what needs attention, unless ``every_row`` (the caller reads
    every obligation)."""
    rulesets = RequestRulesets(env, q.in_force, q.lang)
    name = q.jurisdiction or parsed.case.policy.jurisdiction
    try:
        rulesets.get_registered(name)
    except AnsafeError as exc:
        said, at = jurisdiction_error("request", exc), {"record": "policy", "field": "jurisdiction"}
        raise ProblemError(
            422,
            "unknown-jurisdiction",
            str(said),
            [ProblemItem(**at, message=str(exc))],
            detail_zh=said.zh,
            errors_zh=[ProblemItem(**at, message=exc.in_language("zh"))],
        ) from None
    rs = rulesets.get(name)
    if q.layer is not None and q.layer not in {li.id for li in rs.layers}:
        layers = ", ".join(li.id for li in rs.layers)
        msg = text("unknown_layer", q.lang, ruleset=name, layer=q.layer, layers=layers)
        raise ProblemError(422, "unknown-layer", msg, [ProblemItem(parameter="layer", message=msg)])
    try:
        report = evaluate_rows(
            rs,
            parsed,
            as_of=q.as_of,
            calendar=request_calendar(env, q),
            layer=q.layer,
            source="request",
            duty_holder=q.duty_holder,
            lang=q.lang,
            lean=not every_row and q.detail != "full" and not q.all,
        )
    except (AnsafeError, ValueError) as exc:
        zh = exc.zh if isinstance(exc, AnsafeError) else None
        raise _invalid_case(str(exc), zh, "request") from None
    return report, stamp_of(rulesets, name, report)


def render(
    env: Environment, q: CaseQuery, report: Evaluation, stamp: RulesetStamp
) -> dict[str, Any]:
    """A report as the command line's JSON renders it: compact rows of what needs attention
    and the bindings of those (``detail=summary``; ``all`` adds the rest), or the full report
    with its ruleset stamp (``detail=full``)."""
    if q.detail == "full":
        full = report.report(lang=q.lang)
        return {"ruleset": stamp.model_dump(mode="json"), "report": full.model_dump(mode="json")}
    shown = None if q.all else set(Status) - _HIDDEN
    summary = report.summary(stamp, statuses=shown, obligations=False, lang=q.lang, rows=False)
    out = summary.model_dump(mode="json", exclude_defaults=True, exclude={"obligations"})
    # the rows as JSON values straight from the evaluation (what the models would dump)
    out["findings"] = list(report.row_dicts(shown, q.lang))
    return out


def batch_line(
    env: Environment,
    q: CaseQuery,
    rulesets: RequestRulesets,
    calendar: WorkCalendar,
    n: int,
    item: str | InputError,
) -> dict[str, Any]:
    """One batch line, evaluated as ``evaluate_portfolio`` evaluates a portfolio line."""
    (r,) = iter_outcomes(
        [(n, item)],
        as_of=q.as_of,
        jurisdiction=q.jurisdiction,
        layer=q.layer,
        calendar=calendar,
        rulesets=rulesets,
        source="batch",
        limits=env.settings.limits,
        lean=q.detail != "full" and not q.all,
    )  # the language is applied when the result is rendered
    if r.evaluation is None:
        detail = r.error or "could not be evaluated"
        problem = _invalid_case(detail, r.error_zh, f"batch: line {n}")
        return BatchLine(
            line=n, policy_id=r.policy_id, error=problem.problem(q.lang, None)
        ).model_dump(mode="json", exclude_none=True)
    report = r.evaluation if q.duty_holder is None else r.evaluation.for_party(q.duty_holder)
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


def _invalid_case(detail: str, detail_zh: str | None, label: str) -> ProblemError:
    """A case (or batch line) that cannot be evaluated: its error located, in English and,
    when it was said in both, in Chinese."""
    items = located(detail, label)
    items_zh = located_zh(items, detail_zh, label) if detail_zh is not None else None
    return ProblemError(422, "invalid-case", detail, items, detail_zh, items_zh)


def split_lines(body: bytes, max_line: int) -> list[tuple[int, str | InputError]]:
    """(line number, text or the error reading it) of a JSON Lines body's non-blank lines."""
    out: list[tuple[int, str | InputError]] = []
    for n, raw in enumerate(body.split(b"\n"), start=1):
        if not raw.strip():
            continue
        if len(raw) > max_line:
            limit = f"{max_line:,}"
            long = error_at(InputError, "batch", "input.line_too_long", line=n, limit=limit)
            out.append((n, long))
            continue
        try:
            out.append((n, raw.decode("utf-8")))
        except UnicodeDecodeError as exc:
            bad = error_at(InputError, "batch", "input.not_utf8_short", line=n, byte=exc.start + 1)
            out.append((n, bad))
    return out

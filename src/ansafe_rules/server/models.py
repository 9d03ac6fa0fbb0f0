"""The service's own response models. Everything else it returns is a library model
(``Report``, ``ReportSummary``, ``Obligation``, ``Rule``, ``RulesetDiff``…), so the OpenAPI
document and ``ansafe-rules schema`` describe the same shapes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..evaluate import Obligation, Report
from ..outputs import ReportSummary, RulesetStamp
from ..rulesets import Rule

__all__ = [
    "BatchLine",
    "FullReport",
    "Health",
    "JurisdictionInfo",
    "ObligationsResult",
    "Problem",
    "ProblemItem",
    "RuleCatalogue",
    "RuleEntry",
    "VersionInfo",
]


class _M(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProblemItem(_M):
    """One located error: where in the request, and what is wrong."""

    parameter: str | None = Field(default=None, description="the query parameter, if any")
    line: int | None = Field(default=None, description="line of the body (JSON Lines: the line)")
    record: str | None = Field(default=None, description="e.g. 'policy', 'service_records[3]'")
    field: str | None = Field(default=None, description="the offending field, dotted")
    message: str


class Problem(_M):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    type: str = Field(description="urn:ansafe-rules:problem:<slug>; see docs/http.md")
    title: str = Field(description="short, in the request's `lang` (default zh)")
    status: int = Field(description="the HTTP status code")
    detail: str = Field(description="what is wrong, naming the line, record and field")
    instance: str | None = Field(default=None, description="the request path")
    errors: tuple[ProblemItem, ...] = Field(default=(), description="each error located")


class FullReport(_M):
    """``detail=full``: the whole report with every trace and obligation, and its ruleset."""

    ruleset: RulesetStamp
    report: Report


class BatchLine(_M):
    """One line of a batch's answer: the result of the input line ``line``, or its error."""

    line: int = Field(description="1-based line number of the input")
    policy_id: str | None = None
    result: ReportSummary | FullReport | None = Field(
        default=None, description="as POST /v1/check returns it for this `detail`"
    )
    error: Problem | None = Field(default=None, description="why the line was not evaluated")


class ObligationsResult(_M):
    """What is due and when, for one policy."""

    policy_id: str
    jurisdiction: str
    layers: tuple[str, ...]
    ruleset: RulesetStamp
    obligations: tuple[Obligation, ...]


class JurisdictionInfo(_M):
    """A ruleset requests may name."""

    id: str
    title: str
    title_en: str
    issuing_body: str
    document_number: str | None
    layers: tuple[str, ...] = Field(description="root (national) first")
    rules: int = Field(description="rules in force in this jurisdiction, all layers")
    digest: str = Field(description="SHA-256 of the resolved ruleset (RulesetStamp.digest)")
    in_force: dt.date | None = Field(description="the top layer's in-force date, if known")
    limitations: tuple[str, ...]


class RuleEntry(_M):
    layer: str = Field(description="the ruleset that defined the rule")
    rule: Rule


class RuleCatalogue(_M):
    """A jurisdiction's rules, each with its citation (clause and verbatim quote)."""

    jurisdiction: str
    layers: tuple[str, ...]
    digest: str
    rules: tuple[RuleEntry, ...]


class VersionInfo(_M):
    engine_version: str = Field(description="ansafe_rules version")
    api_version: Literal["1"] = "1"
    rulesets: dict[str, str] = Field(description="jurisdiction id -> ruleset digest")
    calendar_first_year: int = Field(description="first year of the working-day calendar")
    calendar_last_year: int = Field(description="last year (later ones are refused)")
    official_years: tuple[int, ...] = Field(description="years whose schedule is official")


class Health(_M):
    status: Literal["ok"] = "ok"

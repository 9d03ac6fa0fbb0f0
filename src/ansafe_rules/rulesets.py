"""Ruleset format, strict loader and layer resolution.

A ruleset is one YAML file per jurisdiction. A rule is data: a ``kind`` from a closed vocabulary
(:class:`Kind`), parameters checked against that kind's schema, applicability conditions, a
severity, and a citation (clause + verbatim quote). A local file ``extends`` its parent and may
add rules, ``override`` a parent rule's parameters, or ``disable`` one; every operation names a
rule id and is rejected when that id is unknown. Each error names the file, rule id and field.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping, Sequence
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import model as m
from ._errors import RulesetError, describe_errors
from ._yaml import load_yaml_file
from .periods import Period

__all__ = [
    "DUTY_HOLDER_ZH",
    "Citation",
    "Condition",
    "DutyHolder",
    "EarlyAction",
    "Kind",
    "Op",
    "ResolvedRule",
    "ResolvedRuleset",
    "Rule",
    "RulesetFile",
    "ScopeDate",
    "Severity",
    "Subject",
    "jurisdictions",
    "load_ruleset",
    "packaged_rulesets_dir",
]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ------------------------------------------------------------------------------------------
# vocabulary
class Kind(StrEnum):
    """The closed vocabulary of rule kinds. Each is implemented once in the evaluator."""

    deadline = "deadline"  # an action within a period after a trigger event
    frequency = "frequency"  # at least N events per period
    retention = "retention"  # keep for at least a period; no destruction before its end
    required_fields = "required_fields"  # fields / listed documents or contents must be present
    qualification = "qualification"  # every item must meet threshold conditions
    prohibition = "prohibition"  # no item may match the forbidden conditions
    preferred_window = "preferred_window"  # events should fall in named calendar windows (宜)


class Severity(StrEnum):
    critical = "critical"
    major = "major"
    minor = "minor"
    advisory = "advisory"  # not a breach of a duty: 宜 (preferably) provisions, 参照执行
    assessment = "assessment"  # 考核项: an assessment item (e.g. 绍兴 附件 8), not a duty


NOT_A_BREACH = frozenset({Severity.advisory, Severity.assessment})
"""Severities whose violations are reported but are not breaches of a duty (exit code 0)."""


class DutyHolder(StrEnum):
    """Who owes a duty (义务主体). The closed vocabulary; docs/duty-holders.md maps each to the
    terms the texts use."""

    insurer = "insurer"  # 保险机构 / 共保体保险机构 / 承保机构
    service_provider = "service_provider"  # 事故预防技术服务机构 (the insurer or its third party)
    third_party = "third_party"  # 第三方技术服务机构 / 风控机构 / 安全生产技术服务机构
    broker = "broker"  # 保险经纪公司
    insured = "insured"  # 投保单位 / 被保险人
    contractor = "contractor"  # 施工单位
    supervisor = "supervisor"  # 监理单位
    authority = "authority"  # 主管部门


DUTY_HOLDER_ZH: dict[DutyHolder, str] = {
    DutyHolder.insurer: "保险机构",
    DutyHolder.service_provider: "事故预防技术服务机构",
    DutyHolder.third_party: "第三方技术服务机构",
    DutyHolder.broker: "保险经纪公司",
    DutyHolder.insured: "投保单位",
    DutyHolder.contractor: "施工单位",
    DutyHolder.supervisor: "监理单位",
    DutyHolder.authority: "主管部门",
}
"""The Chinese name of each duty holder (docs/duty-holders.md lists the texts' own terms)."""


class ScopeDate(StrEnum):
    """Which date decides whether a layer in force from a given day applies to a rule."""

    policy = "policy"  # the policy's issue date (签单日期; term_start when unknown)
    event = "event"  # the date of each event the rule judges (policies in force then included)


class EarlyAction(StrEnum):
    """What an action dated before its trigger means."""

    data_error = "data_error"  # inconsistent input (the default)
    on_time = "on_time"  # acting early is acting in time
    violation = "violation"  # the order itself is a breach (e.g. issued before payment)


class Subject(StrEnum):
    """What a rule looks at: the policy, the scheme, or a collection of records."""

    policy = "policy"
    scheme = "scheme"
    contract_services = "contract_services"
    service_records = "service_records"
    hazards = "hazards"
    complaints = "complaints"
    incidents = "incidents"
    organisations = "organisations"
    staff = "staff"
    archives = "archives"
    evaluation_reports = "evaluation_reports"
    quote_letter = "quote_letter"
    stages = "stages"
    risk_sources = "risk_sources"
    periodic_reports = "periodic_reports"


class StaffView(m.StaffMember):
    """A staff member seen together with the organisation that employs them."""

    organisation: m.Organisation


SUBJECT_MODELS: dict[Subject, type[BaseModel]] = {
    Subject.policy: m.Policy,
    Subject.scheme: m.Scheme,
    Subject.contract_services: m.ContractService,
    Subject.service_records: m.ServiceRecord,
    Subject.hazards: m.Hazard,
    Subject.complaints: m.Complaint,
    Subject.incidents: m.Incident,
    Subject.organisations: m.Organisation,
    Subject.staff: StaffView,
    Subject.archives: m.Archive,
    Subject.evaluation_reports: m.EvaluationReport,
    Subject.quote_letter: m.QuoteLetter,
    Subject.stages: m.Stage,
    Subject.risk_sources: m.RiskSource,
    Subject.periodic_reports: m.PeriodicReport,
}


class Op(StrEnum):
    eq = "eq"
    ne = "ne"
    in_ = "in"
    not_in = "not_in"
    lt = "lt"
    le = "le"
    gt = "gt"
    ge = "ge"
    present = "present"
    absent = "absent"
    nonempty = "nonempty"
    empty = "empty"
    any_in = "any_in"  # a list field has at least one of the values
    none_in = "none_in"  # a list field has none of the values


_UNARY = {Op.present, Op.absent, Op.nonempty, Op.empty}


class Condition(_Strict):
    """``field op value`` (or ``field op value_field``), or ``any_of: [conditions]``.

    Paths are dotted attribute names, relative to the rule's subject item (``where``,
    ``require``, ``forbid``) or to the case (``applies_if``: ``policy.industry``,
    ``complaints``...). A path starting with ``$case.`` is always read from the case."""

    field: str | None = None
    op: Op | None = None
    value: Any = None
    value_field: str | None = None
    any_of: tuple[Condition, ...] | None = None

    @model_validator(mode="after")
    def _operands(self) -> Condition:
        if self.any_of is not None:
            if self.field or self.op or self.value is not None or self.value_field:
                raise ValueError("any_of stands alone (no field, op or value)")
            if len(self.any_of) < 2:
                raise ValueError("any_of needs at least two conditions")
            return self
        if self.field is None or self.op is None:
            raise ValueError("a condition needs field and op (or any_of)")
        has_value = self.value is not None or self.value_field is not None
        if self.op in _UNARY and has_value:
            raise ValueError(f"op {self.op.value!r} takes no value")
        if self.op not in _UNARY:
            if (self.value is None) == (self.value_field is None):
                raise ValueError(f"op {self.op.value!r} needs exactly one of value, value_field")
            if self.op in (Op.in_, Op.not_in, Op.any_in, Op.none_in) and not isinstance(
                self.value, list
            ):
                raise ValueError(f"op {self.op.value!r} needs a list value")
        return self

    def describe(self) -> str:
        if self.any_of is not None:
            return "(" + " or ".join(c.describe() for c in self.any_of) + ")"
        assert self.op is not None
        if self.op in _UNARY:
            return f"{self.field} {self.op.value}"
        rhs = self.value_field if self.value_field is not None else self.value
        return f"{self.field} {self.op.value} {rhs}"

    def paths(self) -> list[tuple[str, str]]:
        """(role, path) of every field path in the condition, for load-time checking.

        A path may end in ``|min``, ``|max`` or ``|count``: the aggregate over a list (e.g.
        ``$case.service_records.started_on|min``, the first service's start)."""
        if self.any_of is not None:
            return [p for c in self.any_of for p in c.paths()]
        out = [("field", self.field or "")]
        if self.value_field is not None:
            out.append(("value_field", self.value_field))
        return out


class Citation(_Strict):
    clause: str = Field(min_length=1, description="条款号")
    quote: str = Field(min_length=1, description="原文 — copied verbatim from the source text")


# ------------------------------------------------------------------------------------------
# parameters per kind
class Alignment(StrEnum):
    policy = "policy"  # periods start on the policy's term_start
    calendar = "calendar"  # calendar years / half-years / quarters / months


class PartialPeriods(StrEnum):
    full_count = "full_count"  # a partial period needs the full minimum count
    prorate_down = "prorate_down"  # floor(min_count x share of the period covered)
    prorate_up = "prorate_up"  # ceil(min_count x share of the period covered)


class _Params(_Strict):
    subject: Subject
    where: tuple[Condition, ...] = ()
    expect_items: bool = Field(
        default=False,
        description="no matching item in the input is insufficient data, not 'not applicable'",
    )


class FirstEvent(_Strict):
    """The action is the first matching event on or after the trigger (e.g. first inspection)."""

    subject: Subject
    where: tuple[Condition, ...] = ()
    date: str


class Extension(_Strict):
    """An approved extension of the period (e.g. 广东 6.4.2: at most 30 days, with approval)."""

    days: str = Field(description="field of the subject holding the extension in days")
    max_days: int = Field(ge=1, description="the longest extension the text allows")
    requires: tuple[Condition, ...] = Field(default=(), description="conditions of validity")


class DeadlineParams(_Params):
    trigger: str = Field(description="field holding the trigger date or time")
    action: str | None = Field(default=None, description="field holding when the duty was done")
    first_event: FirstEvent | None = None
    period: Period
    early_action: EarlyAction = Field(
        default=EarlyAction.data_error,
        description="what an action dated before the trigger means: data_error, on_time, violation",
    )
    extension: Extension | None = None

    @model_validator(mode="after")
    def _one_action(self) -> DeadlineParams:
        if (self.action is None) == (self.first_event is None):
            raise ValueError("give exactly one of action, first_event")
        return self


class FrequencyParams(_Params):
    date: str = Field(description="field holding the event date (a list of dates if per_item)")
    min_count: int | None = Field(default=None, ge=1)
    per: m.Per | None = None
    alignment: Alignment = Alignment.policy
    partial_periods: PartialPeriods = PartialPeriods.full_count
    per_item: bool = Field(default=False, description="count each subject item separately")
    clip_to_term: bool = Field(
        default=True,
        description="cut periods at the policy term; false: whole periods that touch the term "
        "(a person's calendar year counts events outside the term too)",
    )
    from_contract: bool = Field(
        default=False, description="take service kinds, counts and periods from the policy"
    )
    event_date: str | None = Field(
        default=None, description="per_item: attribute of each listed event holding its date"
    )
    weight: str | None = Field(
        default=None, description="attribute of each event to add up instead of counting"
    )
    stages: tuple[Condition, ...] = Field(
        default=(), description="per stage: which of the case's stages count"
    )
    link: str | None = Field(
        default=None, description="per stage: event field that must equal the stage id"
    )
    grace: Period | None = Field(
        default=None,
        description="time after a period ends to record its events (e.g. a report due 及时 "
        "after the month it covers); the period is pending until the grace ends",
    )
    grace_counts_events: bool = Field(
        default=False,
        description="a period short of its count takes events dated in its grace (after its "
        "end), in date order; each event counts for one period only",
    )
    partial_min_share: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="a partial period covering less than this share of a full one needs no "
        "event (0: every partial period needs its count)",
    )

    @model_validator(mode="after")
    def _source(self) -> FrequencyParams:
        if self.from_contract:
            if self.min_count is not None or self.per is not None:
                raise ValueError("from_contract takes neither min_count nor per")
            if self.subject is not Subject.service_records:
                raise ValueError("from_contract needs subject service_records")
        elif self.min_count is None or self.per is None:
            raise ValueError("min_count and per are required unless from_contract is true")
        return self


class RetentionParams(_Params):
    anchor: str = Field(description="field of the subject the retention period runs from")
    period: Period
    destroyed: str = Field(description="field of the subject holding the destruction date")
    roll: bool = Field(
        default=False,
        description="a retention end on a rest day rolls to the next working day (民法典 203)",
    )


class Contains(_Strict):
    field: str = Field(description="list field of the subject")
    key: str | None = Field(default=None, description="attribute of each list item to compare")
    values: tuple[str, ...] = Field(min_length=1)


class RequiredFieldsParams(_Params):
    fields: tuple[str, ...] = ()
    contains: tuple[Contains, ...] = ()

    @model_validator(mode="after")
    def _something(self) -> RequiredFieldsParams:
        if not self.fields and not self.contains:
            raise ValueError("give fields, contains or both")
        return self


class CountRequirement(_Strict):
    """At least ``min`` items of the list ``field`` match ``where`` (e.g. staffing levels)."""

    field: str
    where: tuple[Condition, ...] = ()
    min: int = Field(ge=1)
    label: str = Field(min_length=1, description="what is counted, for messages")


class QualificationParams(_Params):
    require: tuple[Condition, ...] = ()
    require_counts: tuple[CountRequirement, ...] = ()

    @model_validator(mode="after")
    def _something(self) -> QualificationParams:
        if not self.require and not self.require_counts:
            raise ValueError("give require, require_counts or both")
        return self


class ProhibitionParams(_Params):
    forbid: tuple[Condition, ...] = Field(min_length=1)


class PreferredWindowParams(_Params):
    date: str
    windows: tuple[str, ...] = Field(min_length=1, description="ids of the ruleset's windows")


PARAMS: dict[Kind, type[_Params]] = {
    Kind.deadline: DeadlineParams,
    Kind.frequency: FrequencyParams,
    Kind.retention: RetentionParams,
    Kind.required_fields: RequiredFieldsParams,
    Kind.qualification: QualificationParams,
    Kind.prohibition: ProhibitionParams,
    Kind.preferred_window: PreferredWindowParams,
}

Params = (
    DeadlineParams
    | FrequencyParams
    | RetentionParams
    | RequiredFieldsParams
    | QualificationParams
    | ProhibitionParams
    | PreferredWindowParams
)

_RULE_ID = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"


class Rule(_Strict):
    """One checkable provision."""

    id: Annotated[str, Field(pattern=_RULE_ID, description="stable id, '<jurisdiction>.<...>'")]
    obligation: Annotated[
        str,
        Field(
            pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$",
            description="shared key, e.g. service.callback",
        ),
    ]
    kind: Kind
    title: str = Field(min_length=1, description="中文标题")
    summary: str = Field(min_length=1, description="English summary")
    severity: Severity
    duty_holder: DutyHolder = Field(description="义务主体 — who owes the duty, as the text says")
    service_duty: bool = Field(
        default=False,
        description="a duty of the accident-prevention service, whose liability the "
        "ruleset's service_liability assigns (AQ 9010-2019 5.3)",
    )
    scope_date: ScopeDate = Field(
        default=ScopeDate.policy,
        description="which date decides whether the layer's in-force period covers the rule",
    )
    applies_if: tuple[Condition, ...] = ()
    params: Params
    interpretive: dict[str, str] = Field(
        default_factory=dict,
        description="param name -> the reading chosen for vague text (documented in docs/)",
    )
    citation: Citation

    @model_validator(mode="before")
    @classmethod
    def _params_by_kind(cls, data: Any) -> Any:
        """Parse ``params`` with the schema of the rule's ``kind`` (no union guessing)."""
        if isinstance(data, dict) and isinstance(data.get("params"), dict):
            try:
                kind = Kind(data.get("kind"))
            except ValueError:
                return data
            data = {**data, "params": PARAMS[kind].model_validate(data["params"])}
        return data


class Effective(_Strict):
    published: dt.date | None = None
    in_force: dt.date | None = None
    trial: Period | None = Field(default=None, description="试行期, counted from in_force")
    note: str = Field(min_length=1, description="where the dates come from, or why unknown")

    @property
    def expires(self) -> dt.date | None:
        """Last day of a trial period, when both in_force and trial are known.

        A text in force 自印发之日起 counts the issue day itself: a one-year trial from
        2025-03-01 runs to 2026-02-28 (not 03-01)."""
        if self.in_force is None or self.trial is None:
            return None
        from .periods import add_calendar_period

        return add_calendar_period(self.in_force, self.trial) - dt.timedelta(days=1)


class AnnualWindow(_Strict):
    start: Annotated[str, Field(pattern=r"^\d\d-\d\d$", description="MM-DD")]
    end: Annotated[str, Field(pattern=r"^\d\d-\d\d$", description="MM-DD")]


class AfterHoliday(_Strict):
    holiday: str = Field(description="holiday name in holidays' zh_CN names, e.g. 春节")
    days: int = Field(ge=1, description="calendar days from the first working day after it")


class WindowSpec(_Strict):
    """A named calendar window (e.g. 广东 4.2.2 preferred inspection periods)."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: str
    title_en: str
    annual: AnnualWindow | None = None
    after_holiday: AfterHoliday | None = None
    from_case: Literal["special_periods"] | None = Field(
        default=None, description="windows listed in the case (special_periods)"
    )
    interpretive: str | None = Field(default=None, description="the reading, when not text")
    citation: Citation

    @model_validator(mode="after")
    def _one_spec(self) -> WindowSpec:
        if sum(x is not None for x in (self.annual, self.after_holiday, self.from_case)) != 1:
            raise ValueError("give exactly one of annual, after_holiday, from_case")
        return self


class ChecklistRow(_Strict):
    item: str = Field(description="序号")
    quote: str = Field(min_length=1, description="检查要点, verbatim")
    rules: tuple[str, ...] = Field(default=(), description="rules that answer this row")
    not_answerable: str | None = Field(default=None, description="why the data cannot answer")

    @model_validator(mode="after")
    def _answer(self) -> ChecklistRow:
        if bool(self.rules) == bool(self.not_answerable):
            raise ValueError("give rules or not_answerable (one of them)")
        return self


class Checklist(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: str
    rows: tuple[ChecklistRow, ...] = Field(min_length=1)


class NotEncoded(_Strict):
    clause: str
    reason: str


class AdvisoryUnless(_Strict):
    """The layer binds only policies meeting ``conditions``; for the others its findings are
    advisory (e.g. 广东 1.2/1.9: binding on the 共保体, 参照执行 for other insurers)."""

    conditions: tuple[Condition, ...] = Field(min_length=1)
    unknown_binds: bool = Field(
        default=True, description="when a condition cannot be decided, the layer binds"
    )
    citation: Citation
    interpretive: str | None = None


class ServiceLiability(_Strict):
    """Who bears liability for the service duties (AQ 9010-2019 5.3): ``default`` unless one
    party of ``transfers_to`` both organises the services and manages their fees."""

    default: DutyHolder
    transfers_to: tuple[DutyHolder, ...] = ()
    citation: Citation


class Override(_Strict):
    rule: str
    reason: str = Field(min_length=1)
    severity: Severity | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    interpretive: dict[str, str] = Field(default_factory=dict)


class Disable(_Strict):
    rule: str
    reason: str = Field(min_length=1)


class RulesetFile(_Strict):
    """The top level of a ruleset YAML file."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: str
    title_en: str
    issuing_body: str
    document_number: str | None = None
    source_file: str = Field(description="file name in shared/sources/")
    effective: Effective
    limitations: tuple[str, ...] = ()
    extends: str | None = None
    not_encoded: tuple[NotEncoded, ...] = ()
    advisory_unless: AdvisoryUnless | None = None
    service_liability: ServiceLiability | None = None
    windows: tuple[WindowSpec, ...] = ()
    checklists: tuple[Checklist, ...] = ()
    rules: tuple[Rule, ...] = ()
    overrides: tuple[Override, ...] = ()
    disable: tuple[Disable, ...] = ()


# ------------------------------------------------------------------------------------------
# resolved rulesets
class ResolvedRule(_Strict):
    rule: Rule
    layer: str = Field(description="id of the ruleset that defined the rule")
    source_file: str = Field(description="ruleset file that defined it")
    overridden_by: tuple[str, ...] = Field(
        default=(), description="files (or 'runtime') whose overrides changed it"
    )
    param_sources: dict[str, str] = Field(
        default_factory=dict,
        description="parameter -> the file (or 'runtime') its value came from",
    )


class LayerInfo(_Strict):
    id: str
    title: str
    title_en: str
    issuing_body: str
    document_number: str | None
    source_file: str
    effective: Effective
    limitations: tuple[str, ...]
    not_encoded: tuple[NotEncoded, ...]
    advisory_unless: AdvisoryUnless | None = None
    service_liability: ServiceLiability | None = None
    path: str
    disabled: tuple[Disable, ...] = ()


class ResolvedWindow(_Strict):
    window: WindowSpec
    layer: str


class ResolvedChecklist(_Strict):
    checklist: Checklist
    layer: str


class ResolvedRuleset(_Strict):
    """A ruleset with all its parents applied: the input of the evaluator."""

    id: str
    layers: tuple[LayerInfo, ...] = Field(description="root (national) first")
    rules: tuple[ResolvedRule, ...]
    windows: tuple[ResolvedWindow, ...] = ()
    checklists: tuple[ResolvedChecklist, ...] = ()

    def layer(self, layer_id: str) -> LayerInfo:
        for li in self.layers:
            if li.id == layer_id:
                return li
        raise KeyError(layer_id)

    def with_effective(self, layer_id: str, in_force: dt.date) -> ResolvedRuleset:
        """Supply a layer's in-force date when the text does not state it (e.g. 忻州 九:
        in force from issuance, one-year trial). Rules of that layer then apply only to
        policies issued within the trial period."""
        try:
            li = self.layer(layer_id)
        except KeyError:
            raise RulesetError(f"runtime: no layer {layer_id!r} in ruleset {self.id!r}") from None
        eff = li.effective.model_copy(update={"in_force": in_force})
        new = li.model_copy(update={"effective": eff})
        layers = tuple(new if x.id == layer_id else x for x in self.layers)
        return self.model_copy(update={"layers": layers})

    @property
    def service_liability(self) -> ServiceLiability | None:
        """The service-liability clause in force: the top-most layer that states one."""
        for li in reversed(self.layers):
            if li.service_liability is not None:
                return li.service_liability
        return None

    def with_advisory_unless(
        self, layer_id: str, advisory_unless: AdvisoryUnless | None
    ) -> ResolvedRuleset:
        """Replace (or with ``None`` remove) a layer's condition for binding force, e.g. to treat
        广东's guideline as binding on an insurer outside the 共保体."""
        try:
            li = self.layer(layer_id)
        except KeyError:
            raise RulesetError(f"runtime: no layer {layer_id!r} in ruleset {self.id!r}") from None
        new = li.model_copy(update={"advisory_unless": advisory_unless})
        layers = tuple(new if x.id == layer_id else x for x in self.layers)
        return self.model_copy(update={"layers": layers})

    def rule(self, rule_id: str) -> ResolvedRule:
        for r in self.rules:
            if r.rule.id == rule_id:
                return r
        raise KeyError(rule_id)

    def with_overrides(
        self, overrides: Mapping[str, Mapping[str, Any]], source: str = "runtime"
    ) -> ResolvedRuleset:
        """Return a copy with rule parameters replaced, e.g. an interpretive reading changed:
        ``{"national.service.callback": {"period": {"amount": 3, "unit": "workdays"}}}``."""
        rules = {r.rule.id: r for r in self.rules}
        for rule_id, params in overrides.items():
            if rule_id not in rules:
                raise RulesetError(f"{source}: override names unknown rule {rule_id!r}")
            rules[rule_id] = _override(rules[rule_id], dict(params), None, {}, source)
        return self.model_copy(update={"rules": tuple(rules.values())})


# ------------------------------------------------------------------------------------------
# loading
def packaged_rulesets_dir() -> Path:
    """Folder of the shipped rulesets: inside the installed package, or the source checkout."""
    packaged = resources.files("ansafe_rules") / "rulesets"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "rulesets"
    if checkout.is_dir():
        return checkout
    raise RulesetError("no packaged rulesets found (is the package installed correctly?)")


def jurisdictions(search_paths: Sequence[str | Path] = ()) -> tuple[str, ...]:
    """Ids of the rulesets available (shipped ones plus any in ``search_paths``)."""
    ids = {
        p.stem
        for d in (*map(Path, search_paths), packaged_rulesets_dir())
        for p in d.glob("*.yaml")
    }
    return tuple(sorted(ids))


def _fmt_validation(path: Path, rule_hint: str | None, exc: ValidationError, raw: Any) -> str:
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = rule_hint
        if (
            len(loc) >= 2
            and loc[0] in ("rules", "overrides", "disable")
            and isinstance(loc[1], int)
        ):
            items = raw.get(loc[0]) if isinstance(raw, dict) else None
            item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
            ident = item.get("id") or item.get("rule") if isinstance(item, dict) else None
            where = f"{loc[0]}[{loc[1]}]" + (f" (rule {ident!r})" if ident else "")
            loc = loc[2:]
        # drop pydantic's union-branch labels such as 'DeadlineParams'
        loc = [p for p in loc if not (isinstance(p, str) and p.endswith("Params"))]
        field = ".".join(str(p) for p in loc) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        lines.append(f"{path}: {where + ': ' if where else ''}field {field!r}: {msg}")
    return "\n".join(dict.fromkeys(lines))


def _validate_rule_params(path: Path, raw: Any) -> None:
    """Check each rule's params against its kind's schema first, for precise messages."""
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
        return
    for i, item in enumerate(raw["rules"]):
        if not isinstance(item, dict):
            continue
        try:
            kind = Kind(item.get("kind"))
        except ValueError:
            continue  # reported by the full validation
        try:
            PARAMS[kind].model_validate(item.get("params", {}))
        except ValidationError as exc:
            hint = f"rules[{i}] (rule {item.get('id')!r})"
            msgs = [
                f"{path}: {hint}: field {f!r}: {msg}"
                for f, msg in describe_errors(exc, ("params",))
            ]
            raise RulesetError("\n".join(dict.fromkeys(msgs))) from None


def _read_file(path: Path) -> RulesetFile:
    raw = load_yaml_file(path)
    if not isinstance(raw, dict):
        raise RulesetError(f"{path}: a ruleset file must be a mapping at the top level")
    _validate_rule_params(path, raw)
    try:
        rf = RulesetFile.model_validate(raw)
    except ValidationError as exc:
        raise RulesetError(_fmt_validation(path, None, exc, raw)) from None
    if rf.id != path.stem:
        raise RulesetError(f"{path}: field 'id': {rf.id!r} does not match the file name")
    if rf.advisory_unless is not None:
        for i, c in enumerate(rf.advisory_unless.conditions):
            for role, cp in c.paths():
                if not _case_path_ok(cp.removeprefix("$case.")):
                    raise RulesetError(
                        f"{path}: field 'advisory_unless.conditions[{i}].{role}': "
                        f"{cp!r} is not a field of the case"
                    )
    for i, r in enumerate(rf.rules):
        if type(r.params) is not PARAMS[r.kind]:
            raise RulesetError(
                f"{path}: rules[{i}] (rule {r.id!r}): field 'params': do not fit kind {r.kind}"
            )
        _check_rule_semantics(path, f"rules[{i}] (rule {r.id!r})", r)
    return rf


# ---- field-path checking against the model ------------------------------------------------
def _model_in(annotation: Any) -> type[BaseModel] | None:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, tuple, list):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


AGGREGATES = ("min", "max", "count")


def split_aggregate(path: str) -> tuple[str, str | None]:
    """``'a.b|min'`` -> ``('a.b', 'min')``; a path without ``|`` -> ``(path, None)``."""
    base, sep, agg = path.partition("|")
    return base, (agg if sep else None)


def _path_ok(model_cls: type[BaseModel], path: str) -> bool:
    path, agg = split_aggregate(path)
    if agg is not None and agg not in AGGREGATES:
        return False
    cls: type[BaseModel] | None = model_cls
    for part in path.split("."):
        if cls is None or part not in cls.model_fields:
            return False
        cls = _model_in(cls.model_fields[part].annotation)
    return True


CASE_ROOTS = {"policy", "scheme", *m.COLLECTIONS}


def _case_path_ok(path: str) -> bool:
    path, agg = split_aggregate(path)
    if agg is not None and agg not in AGGREGATES:
        return False
    head, _, rest = path.partition(".")
    if head not in CASE_ROOTS:
        return False
    if not rest:
        return True
    cls = _model_in(m.PolicyCase.model_fields[head].annotation)
    return cls is not None and _path_ok(cls, rest)


def _model_of_list(model_cls: type[BaseModel], path: str) -> type[BaseModel] | None:
    """The item model of the list field at ``path`` (e.g. staff -> StaffMember)."""
    cls: type[BaseModel] | None = model_cls
    for part in path.split("."):
        if cls is None or part not in cls.model_fields:
            return None
        cls = _model_in(cls.model_fields[part].annotation)
    return cls


def _check_rule_semantics(path: Path, where: str, r: Rule) -> None:
    p = r.params
    subj_model = SUBJECT_MODELS[p.subject]

    def bad(field: str, msg: str) -> RulesetError:
        return RulesetError(f"{path}: {where}: field {field!r}: {msg}")

    def check(field: str, item_path: str, model: type[BaseModel], name: str) -> None:
        if item_path.startswith("$case."):
            if not _case_path_ok(item_path.removeprefix("$case.")):
                raise bad(field, f"{item_path!r} is not a field of the case")
        elif not _path_ok(model, item_path):
            raise bad(field, f"{item_path!r} is not a field of {name}")

    def check_conds(
        field: str, conds: Sequence[Condition], model: type[BaseModel], name: str
    ) -> None:
        for i, c in enumerate(conds):
            for role, cp in c.paths():
                check(f"{field}[{i}].{role}", cp, model, name)

    subj = p.subject.value
    for i, c in enumerate(r.applies_if):
        for role, cp in c.paths():
            if not _case_path_ok(cp.removeprefix("$case.")):
                raise bad(f"applies_if[{i}].{role}", f"{cp!r} is not a field of the case")
    for name in ("where", "require", "forbid"):
        check_conds(f"params.{name}", getattr(p, name, ()), subj_model, subj)
    for name in ("trigger", "action", "date", "anchor", "destroyed", "link"):
        value = getattr(p, name, None)
        if value is not None:
            check(f"params.{name}", value, subj_model, subj)
    for i, f in enumerate(getattr(p, "fields", ())):
        check(f"params.fields[{i}]", f, subj_model, subj)
    for i, c in enumerate(getattr(p, "contains", ())):
        check(f"params.contains[{i}].field", c.field, subj_model, subj)
    if isinstance(p, DeadlineParams):
        if p.first_event is not None:
            fe = p.first_event
            fm = SUBJECT_MODELS[fe.subject]
            check_conds("params.first_event.where", fe.where, fm, fe.subject.value)
            check("params.first_event.date", fe.date, fm, fe.subject.value)
        if p.extension is not None:
            check("params.extension.days", p.extension.days, subj_model, subj)
            check_conds("params.extension.requires", p.extension.requires, subj_model, subj)
    if isinstance(p, FrequencyParams):
        if p.per_item and (p.event_date or p.weight):
            em = _model_of_list(subj_model, p.date)
            for name in ("event_date", "weight"):
                value = getattr(p, name)
                if value is not None:
                    if em is None:
                        raise bad(f"params.{name}", f"{p.date!r} does not list records")
                    check(f"params.{name}", value, em, p.date)
        elif p.weight is not None:
            check("params.weight", p.weight, subj_model, subj)
        if p.per is m.Per.stage:
            check_conds("params.stages", p.stages, m.Stage, "stages")
        elif p.stages or p.link:
            raise bad("params.stages", "stages and link go with per: stage")
    for i, rc in enumerate(getattr(p, "require_counts", ())):
        em = _model_of_list(subj_model, rc.field)
        if em is None:
            raise bad(f"params.require_counts[{i}].field", f"{rc.field!r} does not list records")
        check_conds(f"params.require_counts[{i}].where", rc.where, em, rc.field)
    for key in r.interpretive:
        if key not in type(p).model_fields and key not in RULE_LEVEL_READINGS:
            raise bad(
                f"interpretive.{key}",
                f"names no parameter of kind {r.kind.value} (nor one of "
                f"{', '.join(RULE_LEVEL_READINGS)})",
            )
    if not r.id.startswith(path.stem + "."):
        raise bad("id", f"rule ids in {path.name} must start with '{path.stem}.'")


RULE_LEVEL_READINGS = ("applies_if", "severity", "duty_holder", "scope_date")
"""Rule fields besides the parameters that may carry an interpretive reading."""


def _override(
    rr: ResolvedRule,
    params: dict[str, Any],
    severity: Severity | None,
    interpretive: Mapping[str, str],
    source: str,
) -> ResolvedRule:
    r = rr.rule
    merged = {**r.params.model_dump(mode="json", exclude_defaults=False), **params}
    try:
        new_params = PARAMS[r.kind].model_validate(merged)
    except ValidationError as exc:
        msgs = [
            f"{source}: override of rule {r.id!r}: field {f!r}: {msg}"
            for f, msg in describe_errors(exc, ("params",))
        ]
        raise RulesetError("\n".join(msgs)) from None
    rule = r.model_copy(
        update={
            "params": new_params,
            "severity": severity or r.severity,
            "interpretive": {**r.interpretive, **interpretive},
        }
    )
    _check_rule_semantics(Path(f"{rr.layer}.yaml"), f"override of rule {r.id!r}", rule)
    sources = {**rr.param_sources, **dict.fromkeys(params, source)}
    if severity is not None:
        sources["severity"] = source
    return rr.model_copy(
        update={
            "rule": rule,
            "overridden_by": (*rr.overridden_by, source),
            "param_sources": sources,
        }
    )


def _find(name: str, search_paths: Sequence[Path]) -> Path:
    for d in (*search_paths, packaged_rulesets_dir()):
        cand = d / f"{name}.yaml"
        if cand.is_file():
            return cand
    raise RulesetError(
        f"unknown jurisdiction {name!r}; available: {', '.join(jurisdictions(search_paths))}"
    )


def load_ruleset(
    name_or_path: str | Path,
    *,
    search_paths: Sequence[str | Path] = (),
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    in_force: Mapping[str, dt.date] | None = None,
) -> ResolvedRuleset:
    """Load a jurisdiction by id (``"national"``) or a ruleset file by path, with its parents.

    ``search_paths`` are folders searched before the shipped rulesets (for ``extends`` too).
    ``overrides`` replaces rule parameters at run time (see :meth:`ResolvedRuleset.with_overrides`).
    ``in_force`` supplies in-force dates the texts do not state, by layer id
    (see :meth:`ResolvedRuleset.with_effective`).
    """
    paths = [Path(p) for p in search_paths]
    s = str(name_or_path)
    path = Path(s) if s.endswith((".yaml", ".yml")) or "/" in s else _find(s, paths)
    if not path.is_file():
        raise RulesetError(f"{path}: no such ruleset file")
    chain: list[tuple[Path, RulesetFile]] = []
    seen: set[str] = set()
    while True:
        rf = _read_file(path)
        if rf.id in seen:
            raise RulesetError(f"{path}: field 'extends': cycle through {rf.id!r}")
        seen.add(rf.id)
        chain.append((path, rf))
        if rf.extends is None:
            break
        try:
            path = _find(rf.extends, [path.parent, *paths])
        except RulesetError as exc:
            raise RulesetError(f"{path}: field 'extends': {exc}") from None
    chain.reverse()

    rules: dict[str, ResolvedRule] = {}
    windows: dict[str, ResolvedWindow] = {}
    checklists: list[ResolvedChecklist] = []
    layers = []
    for path, rf in chain:
        for w in rf.windows:
            if w.id in windows:
                raise RulesetError(f"{path}: window {w.id!r}: field 'id': duplicate window id")
            windows[w.id] = ResolvedWindow(window=w, layer=rf.id)
        for op in rf.overrides:
            if op.rule not in rules:
                raise RulesetError(
                    f"{path}: overrides: rule {op.rule!r}: names no rule of {rf.extends!r} "
                    "or its parents"
                )
            rules[op.rule] = _override(
                rules[op.rule], op.params, op.severity, op.interpretive, str(path)
            )
        for op in rf.disable:
            if op.rule not in rules:
                raise RulesetError(
                    f"{path}: disable: rule {op.rule!r}: names no rule of {rf.extends!r} "
                    "or its parents"
                )
            del rules[op.rule]
        for r in rf.rules:
            if r.id in rules:
                raise RulesetError(f"{path}: rule {r.id!r}: field 'id': duplicate rule id")
            if isinstance(r.params, PreferredWindowParams):
                for w in r.params.windows:
                    if w not in windows:
                        raise RulesetError(
                            f"{path}: rule {r.id!r}: field 'params.windows': unknown window {w!r}"
                        )
            rules[r.id] = ResolvedRule(
                rule=r,
                layer=rf.id,
                source_file=str(path),
                param_sources=dict.fromkeys(type(r.params).model_fields, str(path)),
            )
        for cl in rf.checklists:
            for i, row in enumerate(cl.rows):
                for rid in row.rules:
                    if rid not in rules:
                        raise RulesetError(
                            f"{path}: checklist {cl.id!r}: rows[{i}]: field 'rules': "
                            f"unknown rule {rid!r}"
                        )
            checklists.append(ResolvedChecklist(checklist=cl, layer=rf.id))
        layers.append(
            LayerInfo(
                **rf.model_dump(
                    include={
                        "id",
                        "title",
                        "title_en",
                        "issuing_body",
                        "document_number",
                        "source_file",
                        "effective",
                        "limitations",
                        "not_encoded",
                        "advisory_unless",
                        "service_liability",
                    }
                ),
                path=str(path),
                disabled=rf.disable,
            )
        )
    resolved = ResolvedRuleset(
        id=chain[-1][1].id,
        layers=tuple(layers),
        rules=tuple(rules.values()),
        windows=tuple(windows.values()),
        checklists=tuple(checklists),
    )
    if overrides:
        resolved = resolved.with_overrides(overrides)
    for layer_id, day in (in_force or {}).items():
        resolved = resolved.with_effective(layer_id, day)
    return resolved

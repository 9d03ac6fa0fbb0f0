"""The ruleset format: vocabulary, conditions, parameters per kind, rules, ruleset files, and
resolved (layered) rulesets. Reading files and resolving layers is :mod:`ansafe_rules.loader`.

A ruleset is one YAML file per jurisdiction. A rule is data: a ``kind`` from a closed vocabulary
(:class:`Kind`), parameters checked against that kind's schema, applicability conditions, a
severity, and a citation (clause + verbatim quote). A local file ``extends`` its parent and may
add rules, ``override`` a parent rule's parameters, or ``disable`` one; every operation names a
rule id and is rejected when that id is unknown. Each error names the file, rule id and field.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import model as m
from ._errors import RulesetError, error_at, said
from .periods import Period

if TYPE_CHECKING:
    from .bindings import RulesPlan

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
    "split_aggregate",
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
    """``field op value`` (or ``field op value_field``), or ``any_of: [conditions]`` (at least
    one holds), or ``all_of: [conditions]`` (every one holds; for nesting inside ``any_of``).

    Paths are dotted attribute names, relative to the rule's subject item (``where``,
    ``require``, ``forbid``) or to the case (``applies_if``: ``policy.industry``,
    ``complaints``...). A path starting with ``$case.`` is always read from the case."""

    field: str | None = None
    op: Op | None = None
    value: Any = None
    value_field: str | None = None
    any_of: tuple[Condition, ...] | None = None
    all_of: tuple[Condition, ...] | None = None

    @model_validator(mode="after")
    def _operands(self) -> Condition:
        group = self.any_of if self.any_of is not None else self.all_of
        if self.any_of is not None and self.all_of is not None:
            raise said("ruleset.v.both_groups")
        if group is not None:
            name = "any_of" if self.any_of is not None else "all_of"
            if self.field or self.op or self.value is not None or self.value_field:
                raise said("ruleset.v.group_alone", name=name)
            if len(group) < 2:
                raise said("ruleset.v.group_of_one", name=name)
            return self
        if self.field is None or self.op is None:
            raise said("ruleset.v.needs_field_op")
        has_value = self.value is not None or self.value_field is not None
        if self.op in _UNARY and has_value:
            raise said("ruleset.v.no_value", op=repr(self.op.value))
        if self.op not in _UNARY:
            if (self.value is None) == (self.value_field is None):
                raise said("ruleset.v.one_value", op=repr(self.op.value))
            if self.op in (Op.in_, Op.not_in, Op.any_in, Op.none_in) and not isinstance(
                self.value, list
            ):
                raise said("ruleset.v.list_value", op=repr(self.op.value))
        return self

    def describe(self) -> str:
        if self.any_of is not None:
            return "(" + " or ".join(c.describe() for c in self.any_of) + ")"
        if self.all_of is not None:
            return "(" + " and ".join(c.describe() for c in self.all_of) + ")"
        assert self.op is not None
        if self.op in _UNARY:
            return f"{self.field} {self.op.value}"
        rhs = self.value_field if self.value_field is not None else self.value
        return f"{self.field} {self.op.value} {rhs}"

    @functools.cached_property
    def test(self) -> Callable[[Any, Any], bool | None]:
        """This condition compiled once into a function of (item, case): True/False, or None
        when a value it needs is missing (:func:`ansafe_rules.conditions.holds`)."""
        from .conditions import compile_condition

        return compile_condition(self)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the compiled function (rebuilt on first use)."""
        state = super().__getstate__()
        return {**state, "__dict__": {k: v for k, v in state["__dict__"].items() if k != "test"}}

    @functools.cached_property
    def key(self) -> str:
        """The condition as text, computed once: conditions with equal keys test alike, so
        what they select can be shared. The values' ``repr`` keeps their types apart (a date
        and the same date as text compare differently; so do 1, 1.0 and True)."""
        subs = [
            tuple(c.key for c in g) if g is not None else None for g in (self.any_of, self.all_of)
        ]
        op = self.op.value if self.op is not None else None
        return repr((self.field, op, self.value, self.value_field, *subs))

    @functools.cached_property
    def value_set(self) -> frozenset[Any]:
        """The normalised members of a list ``value`` (``in``, ``any_in``...), computed once:
        conditions are immutable, so the memo is never stale."""
        from .conditions import norm

        return frozenset(norm(x) for x in self.value)

    @functools.cached_property
    def value_norm(self) -> Any:
        """The normalised scalar ``value``, computed once."""
        from .conditions import norm

        return norm(self.value)

    def paths(self) -> list[tuple[str, str]]:
        """(role, path) of every field path in the condition, for load-time checking.

        A path may end in ``|min``, ``|max`` or ``|count``: the aggregate over a list (e.g.
        ``$case.service_records.started_on|min``, the first service's start)."""
        group = self.any_of if self.any_of is not None else self.all_of
        if group is not None:
            return [p for c in group for p in c.paths()]
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
            raise said("ruleset.v.action_or_event")
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
                raise said("ruleset.v.contract_no_count")
            if self.subject is not Subject.service_records:
                raise said("ruleset.v.contract_subject")
        elif self.min_count is None or self.per is None:
            raise said("ruleset.v.count_and_per")
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
            raise said("ruleset.v.fields_or_contains")
        return self


class CountRequirement(_Strict):
    """At least ``min`` items of the list ``field`` match ``where`` (e.g. staffing levels)."""

    field: str
    where: tuple[Condition, ...] = ()
    min: int = Field(ge=1)
    label: str = Field(min_length=1, description="what is counted, for messages")
    label_zh: str | None = Field(
        default=None,
        min_length=1,
        description="中文 — what is counted, in Chinese (messages in zh; the English label "
        "when absent)",
    )


class QualificationParams(_Params):
    require: tuple[Condition, ...] = ()
    require_counts: tuple[CountRequirement, ...] = ()

    @model_validator(mode="after")
    def _something(self) -> QualificationParams:
        if not self.require and not self.require_counts:
            raise said("ruleset.v.require_something")
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
    scope_field: str | None = Field(
        default=None,
        description="scope_date event: the field of each subject item holding its event date "
        "(items dated outside the layer's in-force period are not_applicable); deadlines use "
        "their trigger and frequencies their windows without it",
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
            raise said("ruleset.v.one_window_spec")
        return self


class ChecklistRow(_Strict):
    item: str = Field(description="序号")
    quote: str = Field(min_length=1, description="检查要点, verbatim")
    rules: tuple[str, ...] = Field(default=(), description="rules that answer this row")
    not_answerable: str | None = Field(default=None, description="why the data cannot answer")

    @model_validator(mode="after")
    def _answer(self) -> ChecklistRow:
        if bool(self.rules) == bool(self.not_answerable):
            raise said("ruleset.v.rules_or_unanswerable")
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
    interpretive: str | None = Field(
        default=None, description="the reading, where the attribution is not the text's own"
    )


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
    name: str | None = Field(
        default=None,
        description="short Chinese name of the jurisdiction, e.g. 广东 (table headers, the "
        "matrix, binding notes); the id when absent",
    )
    name_en: str | None = Field(
        default=None, description="short English name, e.g. Guangdong; the id when absent"
    )
    issuing_body: str
    document_number: str | None = None
    source_file: str = Field(
        description="file name in shared/sources/ (the text every quote of this file is "
        "copied from; `ansafe-rules validate --sources DIR` checks them)"
    )
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
    name: str | None = None
    name_en: str | None = None
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

    def display_name(self, lang: str = "zh") -> str:
        """The jurisdiction's short name in ``lang`` (广东 / Guangdong), the id when the ruleset
        gives none."""
        return (self.name if lang == "zh" else self.name_en) or self.id


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

    @functools.cached_property
    def rules_plan(self) -> RulesPlan:
        """What the evaluator and the bindings read of :attr:`rules` alone, worked out on
        first use and kept (:class:`ansafe_rules.bindings.RulesPlan`). Not part of the
        ruleset's value: equality, dumps and :attr:`digest` ignore it; a copy with other
        rules does not keep it (:meth:`model_copy`)."""
        from .bindings import RulesPlan

        return RulesPlan(self.rules)

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> ResolvedRuleset:
        """pydantic's ``model_copy``; a copy with other rules (:meth:`with_overrides`) drops
        the :attr:`rules_plan` it would carry along, and makes its own when first asked."""
        copy = super().model_copy(update=update, deep=deep)
        if update and "rules" in update:
            copy.__dict__.pop("rules_plan", None)
        return copy

    def layer(self, layer_id: str) -> LayerInfo:
        for li in self.layers:
            if li.id == layer_id:
                return li
        raise KeyError(layer_id)

    def _runtime_layer(self, layer_id: str) -> LayerInfo:
        """The layer a runtime change names, or a ``RulesetError`` saying there is none."""
        try:
            return self.layer(layer_id)
        except KeyError:
            raise error_at(
                RulesetError, "runtime", "ruleset.no_layer", layer=repr(layer_id), id=repr(self.id)
            ) from None

    def with_effective(self, layer_id: str, in_force: dt.date) -> ResolvedRuleset:
        """Supply a layer's in-force date when the text does not state it (e.g. 忻州 九:
        in force from issuance, one-year trial). Rules of that layer then apply only to
        policies issued within the trial period."""
        li = self._runtime_layer(layer_id)
        eff = li.effective.model_copy(update={"in_force": in_force})
        new = li.model_copy(update={"effective": eff})
        layers = tuple(new if x.id == layer_id else x for x in self.layers)
        return self.model_copy(update={"layers": layers})

    @property
    def digest(self) -> str:
        """SHA-256 of the resolved ruleset's content (rules, layers, windows, checklists), without
        where its files lie on this machine: the same law gives the same digest everywhere, so a
        report can later be matched with the exact rules that produced it. Computed on each
        call (a few milliseconds): keep it where you need it often."""
        data = {
            "id": self.id,
            "layers": [li.model_dump(mode="json", exclude={"path"}) for li in self.layers],
            "rules": [
                {"layer": r.layer, "rule": r.rule.model_dump(mode="json")} for r in self.rules
            ],
            "windows": [w.model_dump(mode="json") for w in self.windows],
            "checklists": [c.model_dump(mode="json") for c in self.checklists],
        }
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

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
        li = self._runtime_layer(layer_id)
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
                raise error_at(RulesetError, source, "ruleset.override_unknown", id=repr(rule_id))
            from .loader import apply_override

            rules[rule_id] = apply_override(rules[rule_id], dict(params), None, {}, source)
        return self.model_copy(update={"rules": tuple(rules.values())})


# ------------------------------------------------------------------------------------------
# path syntax
AGGREGATES = ("min", "max", "count")


def split_aggregate(path: str) -> tuple[str, str | None]:
    """``'a.b|min'`` -> ``('a.b', 'min')``; a path without ``|`` -> ``(path, None)``."""
    base, sep, agg = path.partition("|")
    return base, (agg if sep else None)


def __getattr__(name: str) -> Any:
    """The loading functions live in :mod:`ansafe_rules.loader`; importing them from here
    still works."""
    if name in ("load_ruleset", "jurisdictions", "packaged_rulesets_dir"):
        from . import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

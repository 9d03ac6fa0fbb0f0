"""The evaluator: obligations, due dates, minimum frequencies and findings, with a full trace.

Pure functions of (resolved ruleset, case, ``as_of``, calendar): no global state, safe to share
across threads. Records are sorted by id before evaluation and findings are sorted on output, so
results do not depend on record order. Bad data in one record becomes a ``data_error`` or
``insufficient_data`` finding for that record; it never raises.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field

from ._errors import CalendarRangeError
from .calendar import WorkCalendar, default_calendar
from .inputs import InputIssue, ParsedCase, parse_case
from .model import Per, PolicyCase
from .periods import DueDate, Period, PeriodUnit, compute_due
from .rulesets import (
    NOT_A_BREACH,
    Alignment,
    Citation,
    Condition,
    DeadlineParams,
    DutyHolder,
    EarlyAction,
    FrequencyParams,
    Kind,
    Op,
    PartialPeriods,
    PreferredWindowParams,
    ProhibitionParams,
    QualificationParams,
    RequiredFieldsParams,
    ResolvedRule,
    ResolvedRuleset,
    RetentionParams,
    Rule,
    ScopeDate,
    Severity,
    StaffView,
    Subject,
    split_aggregate,
)

__all__ = [
    "Binding",
    "Finding",
    "Obligation",
    "Report",
    "Status",
    "Trace",
    "Window",
    "bindings",
    "check",
    "evaluate",
    "obligations",
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Status(StrEnum):
    compliant = "compliant"  # 合规
    violation = "violation"  # 违规: late, missing or wrong
    pending = "pending"  # 未到期: not yet due as of as_of
    not_applicable = "not_applicable"  # 不适用
    insufficient_data = "insufficient_data"  # 数据不足: the input lacks a fact the rule needs
    data_error = "data_error"  # 数据错误: inconsistent or unreadable input


class Window(_Out):
    """A counting period (频次周期) or a named calendar window, inclusive of both ends."""

    start: dt.date
    end: dt.date
    partial: bool = Field(description="shorter than a full period (clipped by the policy term)")
    label: str | None = Field(default=None, description="stage id or window name")


class Trace(_Out):
    """Everything needed to audit one finding."""

    rule_id: str
    layer: str
    kind: Kind
    source_file: str
    overridden_by: tuple[str, ...] = ()
    param_sources: dict[str, str] = Field(
        default_factory=dict, description="parameter -> file its value came from"
    )
    params: dict[str, Any] = Field(description="parameters used, after all overrides")
    interpretive: dict[str, str] = Field(description="parameters that are readings, not text")
    as_of: dt.date
    trigger: dt.date | dt.datetime | None = None
    due: DueDate | None = None
    window: Window | None = None
    required_count: int | None = None
    counted: float | None = Field(default=None, description="events counted (or summed weight)")
    records: tuple[str, ...] = Field(default=(), description="ids of the records judged")
    citation: Citation


class Finding(_Out):
    rule_id: str
    obligation: str
    layer: str
    title: str
    severity: Severity
    duty_holder: DutyHolder | None = Field(
        default=None, description="义务主体 — who owes the duty (None only for input errors)"
    )
    liable_party: DutyHolder | None = Field(
        default=None,
        description="who bears liability for it, where that differs from the duty holder "
        "(AQ 9010-2019 5.3 for service duties)",
    )
    status: Status
    subject: str = Field(description="what was judged, e.g. 'service_records/S-01' or 'policy'")
    reason: str = Field(description="the judgement in one sentence")
    provisional: bool = False
    provisional_reason: str | None = None
    trace: Trace | None = Field(default=None, description="absent only for input errors")


class Obligation(_Out):
    """Something that must be done (or kept), when, and why."""

    rule_id: str
    obligation: str
    layer: str
    kind: Kind
    title: str
    duty_holder: DutyHolder = Field(description="义务主体 — who owes the duty")
    liable_party: DutyHolder | None = Field(
        default=None, description="who bears liability, where it differs from the duty holder"
    )
    subject: str
    requirement: str = Field(description="what must be done, in one sentence")
    due_date: dt.date | None = None
    due_at: dt.datetime | None = None
    window: Window | None = None
    min_count: int | None = None
    retain_until: dt.date | None = None
    provisional: bool = False
    provisional_reason: str | None = None
    interpretive: dict[str, str] = Field(default_factory=dict)
    citation: Citation


class Binding(_Out):
    """Where several rules (usually of different layers) regulate one obligation: which binds."""

    obligation: str
    subject: str
    rules: tuple[str, ...] = Field(description="the rules regulating it, stack order")
    layers: tuple[str, ...]
    binding_rule_id: str = Field(description="the strictest rule")
    binding_layer: str
    duty_holder: DutyHolder = Field(description="who owes the binding rule's duty")
    liable_party: DutyHolder | None = None
    due_date: dt.date | None = Field(default=None, description="binding due date (deadlines)")
    retain_until: dt.date | None = Field(default=None, description="binding end (retention)")
    annual_rate: float | None = Field(default=None, description="binding events per year")
    conflict: bool = Field(description="the rules' requirements differ")
    note: str = Field(description="the comparison, citing every clause")


class Report(_Out):
    policy_id: str
    jurisdiction: str = Field(description="the ruleset evaluated (top layer)")
    layers: tuple[str, ...]
    as_of: dt.date
    findings: tuple[Finding, ...]
    obligations: tuple[Obligation, ...]
    bindings: tuple[Binding, ...] = ()
    input_issues: tuple[InputIssue, ...] = ()
    notes: tuple[str, ...] = Field(default=(), description="caveats of this evaluation")
    counts: dict[Status, int]

    @property
    def violations(self) -> tuple[Finding, ...]:
        """Breaches of a duty: violations except advisory ones (宜 provisions, 参照执行) and
        assessment items (考核项)."""
        return tuple(
            f
            for f in self.findings
            if f.status is Status.violation and f.severity not in NOT_A_BREACH
        )

    def for_party(self, party: DutyHolder | str) -> Report:
        """This report reduced to one party's duties: findings, obligations and bindings whose
        duty holder or liable party is ``party`` (input errors are kept)."""
        return _for_party(self, DutyHolder(party))


# ------------------------------------------------------------------------------------------
# values and conditions
def _step(obj: Any, part: str) -> Any:
    if isinstance(obj, tuple | list):
        # through a list: the values of every item, flattened, missing ones left out
        out: list[Any] = []
        for x in obj:
            v = _step(x, part)
            if isinstance(v, tuple | list):
                out.extend(v)
            elif v is not None:
                out.append(v)
        return tuple(out)
    return obj.get(part) if isinstance(obj, Mapping) else getattr(obj, part, None)


def _aggregate(values: Any, agg: str) -> Any:
    items = [v for v in (values or ()) if v is not None]
    if agg == "count":
        return len(items)
    if not items:
        return None
    try:
        return min(items, key=_sort_key) if agg == "min" else max(items, key=_sort_key)
    except TypeError:
        return None


def resolve(obj: Any, path: str) -> Any:
    """Dotted attribute lookup; None when any step is missing. Through a list it yields the
    values of all items (``policy.contract_services.service_kind``); a ``|min``, ``|max`` or
    ``|count`` suffix aggregates them."""
    path, agg = split_aggregate(path)
    for part in path.split("."):
        if obj is None:
            break
        obj = _step(obj, part)
    if agg is not None:
        return _aggregate(obj if isinstance(obj, tuple | list) else (obj,), agg)
    return obj


CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
"""China Standard Time. UTC+8 without daylight saving since 1992, so a fixed offset is exact
for every date the calendar covers; naive timestamps in the input are read in it."""


def china_time(v: dt.datetime) -> dt.datetime:
    """An aware timestamp in China time (a naive one is taken to be China time already)."""
    return v.replace(tzinfo=CHINA_TZ) if v.tzinfo is None else v.astimezone(CHINA_TZ)


def _sort_key(v: Any) -> Any:
    """Dates and timestamps comparable with each other (a date as its China midnight)."""
    if isinstance(v, dt.datetime):
        return china_time(v)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day, tzinfo=CHINA_TZ)
    return v


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str | tuple | list | dict | set) and len(v) == 0)


def _norm(v: Any) -> Any:
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, float | int) and not isinstance(v, bool):
        return Decimal(str(v))
    if isinstance(v, dt.datetime):
        return china_time(v)
    return v


def get(root: Any, path: str, case: Any = None) -> Any:
    """Value at ``path`` below ``root``; ``$case.``-paths are read from ``case``."""
    if path.startswith("$case."):
        return resolve(case, path.removeprefix("$case."))
    return resolve(root, path)


def holds(c: Condition, root: Any, case: Any = None) -> bool | None:
    """True/False, or None when a value the condition needs is missing (unknown)."""
    if c.any_of is not None:
        results = [holds(x, root, case) for x in c.any_of]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    assert c.field is not None and c.op is not None
    left = get(root, c.field, case)
    if c.op is Op.present:
        return not _empty(left)
    if c.op is Op.absent:
        return _empty(left)
    if c.op is Op.nonempty:
        return left is not None and len(left) > 0
    if c.op is Op.empty:
        return left is None or len(left) == 0
    right = get(root, c.value_field, case) if c.value_field is not None else c.value
    if left is None or right is None:
        return None
    if c.op not in (Op.any_in, Op.none_in) and isinstance(left, tuple | list):
        return None  # a list compared with a scalar: not decidable
    left = _norm(left)
    if c.op is Op.in_:
        return left in {_norm(x) for x in right}
    if c.op is Op.not_in:
        return left not in {_norm(x) for x in right}
    if c.op in (Op.any_in, Op.none_in):
        have = {_norm(x) for x in (left if isinstance(left, tuple | list) else (left,))}
        hit = bool(have & {_norm(x) for x in right})
        return hit if c.op is Op.any_in else not hit
    right = _norm(right)
    if isinstance(left, dt.date) != isinstance(right, dt.date) or (
        isinstance(left, dt.datetime) != isinstance(right, dt.datetime)
    ):
        left, right = _sort_key(left), _sort_key(right)
    try:
        return {
            Op.eq: left == right,
            Op.ne: left != right,
            Op.lt: left < right,
            Op.le: left <= right,
            Op.gt: left > right,
            Op.ge: left >= right,
        }[c.op]
    except TypeError:
        return None


def _all(
    conds: Iterable[Condition], root: Any, case: Any = None
) -> tuple[bool | None, list[Condition]]:
    """(all hold?, the conditions that failed or were unknown)."""
    bad, unknown = [], []
    for c in conds:
        r = holds(c, root, case)
        if r is False:
            bad.append(c)
        elif r is None:
            unknown.append(c)
    if bad:
        return False, bad
    if unknown:
        return None, unknown
    return True, []


def _fields(conds: Iterable[Condition]) -> str:
    return ", ".join(c.describe() for c in conds)


def _day(v: dt.date | dt.datetime) -> dt.date:
    """The calendar day of a date or timestamp, in China time."""
    return china_time(v).date() if isinstance(v, dt.datetime) else v


# ------------------------------------------------------------------------------------------
# the evaluation context
class _Acc:
    """What one rule produced: obligations and findings (not necessarily paired)."""

    __slots__ = ("findings", "obligations")

    def __init__(self) -> None:
        self.obligations: list[Obligation] = []
        self.findings: list[Finding] = []

    def add(self, ob: Obligation | None, f: Finding | None) -> None:
        if ob is not None:
            self.obligations.append(ob)
        if f is not None:
            self.findings.append(f)


class _Scope:
    """How one rule applies to one case: its layer's binding force, who is liable, and the
    span of event dates it covers (a layer in force from a given day, ``scope_date: event``)."""

    __slots__ = ("events", "liable", "out", "severity")

    def __init__(
        self,
        out: str | None = None,
        severity: Severity | None = None,
        liable: DutyHolder | None = None,
        events: tuple[dt.date | None, dt.date | None] | None = None,
    ) -> None:
        self.out, self.severity, self.liable, self.events = out, severity, liable, events


class _Ctx:
    __slots__ = ("as_of", "cal", "case", "params", "rr", "rs", "scope")

    def __init__(
        self,
        rr: ResolvedRule,
        case: PolicyCase,
        as_of: dt.date,
        cal: WorkCalendar,
        rs: ResolvedRuleset,
        scope: _Scope | None = None,
    ) -> None:
        self.rr, self.case, self.as_of, self.cal, self.rs = rr, case, as_of, cal, rs
        self.scope = scope or _Scope()
        self.params = rr.rule.params.model_dump(mode="json", exclude_defaults=True)

    def event_outside(self, day: dt.date | dt.datetime) -> str | None:
        """Why an event on ``day`` is outside the layer's in-force period, or None."""
        if self.scope.events is None:
            return None
        lo, hi = self.scope.events
        d = _day(day)
        if lo is not None and d < lo:
            return f"{d} is before {self.rr.layer} took effect on {lo}"
        if hi is not None and d > hi:
            return f"{d} is after {self.rr.layer}'s trial period ended {hi}"
        return None

    @property
    def rule(self) -> Rule:
        return self.rr.rule

    def get(self, item: Any, path: str) -> Any:
        return get(item, path, self.case)

    def trace(self, **kw: Any) -> Trace:
        r = self.rule
        return Trace(
            rule_id=r.id,
            layer=self.rr.layer,
            kind=r.kind,
            source_file=self.rr.source_file,
            overridden_by=self.rr.overridden_by,
            param_sources=self.rr.param_sources,
            params=self.params,
            interpretive=dict(r.interpretive),
            as_of=self.as_of,
            citation=r.citation,
            **kw,
        )

    def _common(
        self, subject: str, due: DueDate | None, provisional_reason: str | None
    ) -> dict[str, Any]:
        """Fields findings and obligations share: the rule, the subject, provisionality."""
        r = self.rule
        why = provisional_reason or (due.provisional_reason if due else None)
        return {
            "rule_id": r.id,
            "obligation": r.obligation,
            "layer": self.rr.layer,
            "title": r.title,
            "duty_holder": r.duty_holder,
            "liable_party": self.scope.liable,
            "subject": subject,
            "provisional": why is not None,
            "provisional_reason": why,
        }

    def finding(
        self,
        status: Status,
        subject: str,
        reason: str,
        *,
        due: DueDate | None = None,
        provisional_reason: str | None = None,
        **kw: Any,
    ) -> Finding:
        return Finding(
            **self._common(subject, due, provisional_reason),
            severity=self.scope.severity or self.rule.severity,
            status=status,
            reason=reason,
            trace=self.trace(due=due, **kw),
        )

    def obligation(
        self,
        subject: str,
        requirement: str,
        *,
        due: DueDate | None = None,
        provisional_reason: str | None = None,
        **kw: Any,
    ) -> Obligation:
        return Obligation(
            **self._common(subject, due, provisional_reason),
            kind=self.rule.kind,
            requirement=requirement,
            due_date=due.due_date if due else None,
            due_at=due.due_at if due else None,
            interpretive=dict(self.rule.interpretive),
            citation=self.rule.citation,
            **kw,
        )

    def items(self, subject: Subject) -> list[tuple[str, Any]]:
        """Subject items with their labels, sorted by id for order independence."""
        c = self.case
        if subject is Subject.policy:
            return [("policy", c.policy)]
        if subject in (Subject.scheme, Subject.quote_letter):
            doc = getattr(c, subject.value)
            return [(subject.value, doc)] if doc is not None else []
        if subject is Subject.contract_services:
            return [
                (f"contract_services/{s.service_kind.value}/{s.per.value}", s)
                for s in c.policy.contract_services
            ]
        if subject is Subject.staff:
            views = [
                StaffView(**s.model_dump(), organisation=o)
                for o in c.organisations
                for s in o.staff
            ]
            return sorted(
                ((f"staff/{v.organisation.id}/{v.id}", v) for v in views), key=lambda t: t[0]
            )
        recs = getattr(c, subject.value)
        return sorted(((f"{subject.value}/{x.id}", x) for x in recs), key=lambda t: t[0])

    def selected(
        self,
        acc: _Acc,
        subject: Subject | None = None,
        where: Sequence[Condition] | None = None,
    ) -> list[tuple[str, Any]]:
        """Items matching ``where``; items where it cannot be decided become findings."""
        p = self.rule.params
        subject = subject or p.subject
        where = p.where if where is None else where
        out = []
        for label, item in self.items(subject):
            ok, failed = _all(where, item, self.case)
            if ok:
                out.append((label, item))
            elif ok is None:
                acc.add(
                    None,
                    self.finding(
                        Status.insufficient_data,
                        label,
                        "cannot tell whether the rule applies: missing "
                        + _missing(failed, item, self.case),
                    ),
                )
        return out

    def none_found(self, acc: _Acc) -> None:
        p = self.rule.params
        what = p.subject.value + (f" matching {_fields(p.where)}" if p.where else "")
        if p.expect_items:
            f = self.finding(
                Status.insufficient_data,
                p.subject.value,
                f"the input has no {what}; the rule needs one",
            )
        else:
            f = self.finding(Status.not_applicable, p.subject.value, f"no {what} in the input")
        acc.add(None, f)


def _missing(conds: Iterable[Condition], root: Any, case: Any) -> str:
    """The field paths of ``conds`` that have no value (not those that are present); the
    conditions themselves when every value is present but cannot be compared."""
    conds = list(conds)
    names: list[str] = []
    for c in conds:
        names += [path for _, path in c.paths() if _empty(get(root, path, case))]
    if not names:
        return "comparable values for " + _fields(conds)
    return ", ".join(dict.fromkeys(names))


def _rec(label: str) -> tuple[str, ...]:
    return (label.rsplit("/", 1)[-1],) if "/" in label else ()


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# ------------------------------------------------------------------------------------------
# kinds
def _first_event(ctx: _Ctx, p: DeadlineParams, trig: Any) -> tuple[Any, tuple[str, ...]]:
    """The earliest matching event on or after the trigger day, and its record id."""
    fe = p.first_event
    assert fe is not None
    items = ctx.selected(_Acc(), fe.subject, fe.where)
    dated = sorted(
        (_day(d), label)
        for label, it in items
        if (d := ctx.get(it, fe.date)) is not None and _day(d) >= _day(trig)
    )
    if not dated:
        return None, ()
    return dated[0][0], _rec(dated[0][1])


def _extended(ctx: _Ctx, p: DeadlineParams, item: Any, due: DueDate) -> tuple[DueDate, str]:
    """Apply an approved extension (at most ``max_days`` calendar days) to ``due``."""
    ext = p.extension
    if ext is None:
        return due, ""
    days = ctx.get(item, ext.days)
    if not days:
        return due, ""
    ok, failed = _all(ext.requires, item, ctx.case)
    if ok is False:
        return due, f"; extension of {days} days not counted ({_fields(failed)} not met)"
    if ok is None:
        why = f"missing {_missing(failed, item, ctx.case)}"
        return due, f"; extension of {days} days not counted ({why})"
    used = min(int(days), ext.max_days)
    new = compute_due(due.due_date, Period(amount=used, unit=PeriodUnit.days), ctx.cal)
    note = f"; extended by {used} days"
    if days > ext.max_days:
        note += f" ({days} asked, at most {ext.max_days} allowed)"
    why = due.provisional_reason or new.provisional_reason
    merged = new.model_copy(
        update={
            "explanation": f"{due.explanation}; extension: {new.explanation}",
            "provisional": why is not None,
            "provisional_reason": why,
        }
    )
    return merged, note


def _deadline(ctx: _Ctx, acc: _Acc) -> None:
    p: DeadlineParams = ctx.rule.params  # type: ignore[assignment]
    items = ctx.selected(acc)
    if not items and not acc.findings:
        ctx.none_found(acc)
        return
    hourly = p.period.unit is PeriodUnit.hours
    what = p.action or f"first {p.first_event.subject.value} event"  # type: ignore[union-attr]
    for label, item in items:
        rec = _rec(label)
        trig = ctx.get(item, p.trigger)
        if trig is None:
            acc.add(
                None,
                ctx.finding(
                    Status.insufficient_data,
                    label,
                    f"no {p.trigger}: cannot start the period",
                    records=rec,
                ),
            )
            continue
        if isinstance(trig, dt.datetime):
            trig = china_time(trig)
        outside = ctx.event_outside(trig)
        if outside is not None:
            msg = f"does not apply: {p.trigger} {outside}"
            acc.add(None, ctx.finding(Status.not_applicable, label, msg, records=rec))
            continue
        try:
            due = compute_due(trig, p.period, ctx.cal)
            due, ext_note = _extended(ctx, p, item, due)
        except (CalendarRangeError, ValueError) as exc:
            acc.add(
                None,
                ctx.finding(
                    Status.data_error, label, f"{p.trigger}: {exc}", trigger=trig, records=rec
                ),
            )
            continue
        deadline = due.due_at or due.due_date
        if p.action is not None:
            act = ctx.get(item, p.action)
        else:
            act, event = _first_event(ctx, p, trig)
            rec = rec + event
        ob = ctx.obligation(
            label,
            f"{what} within {p.period.label()} after {p.trigger} {trig}: by {deadline}{ext_note}",
            due=due,
        )
        kw: dict[str, Any] = {"due": due, "trigger": trig, "records": rec}
        if isinstance(act, dt.datetime):
            act = china_time(act)
        early = act is not None and _sort_key(act) < _sort_key(trig)
        if early and p.early_action is EarlyAction.data_error and _day(act) < _day(trig):
            f = ctx.finding(
                Status.data_error, label, f"{what} {act} is before {p.trigger} {trig}", **kw
            )
        elif early and p.early_action is EarlyAction.violation:
            f = ctx.finding(
                Status.violation, label, f"{what} {act} is before {p.trigger} {trig}", **kw
            )
        elif act is not None:
            if hourly and isinstance(act, dt.datetime) and due.due_at is not None:
                on_time = act <= due.due_at
            else:
                on_time = _day(act) <= due.due_date
            if on_time:
                f = ctx.finding(
                    Status.compliant,
                    label,
                    f"{what} {act} is within {p.period.label()} (due {deadline}{ext_note})",
                    **kw,
                )
            else:
                late = ""
                if p.period.unit is PeriodUnit.workdays:
                    n = ctx.cal.count_workdays(due.due_date, _day(act))
                    late = f", {n} working day(s) late"
                f = ctx.finding(
                    Status.violation,
                    label,
                    f"{what} {act} is after the due {deadline}{late}{ext_note}",
                    **kw,
                )
        elif ctx.as_of > due.due_date:
            f = ctx.finding(
                Status.violation,
                label,
                f"no {what} recorded; it was due by {deadline}{ext_note}",
                **kw,
            )
        else:
            f = ctx.finding(
                Status.pending, label, f"no {what} yet; due by {deadline}{ext_note}", **kw
            )
        acc.add(ob, f)


_STEP_MONTHS = {Per.year: 12, Per.half_year: 6, Per.quarter: 3, Per.month: 1}
PER_YEAR = {Per.year: 1, Per.half_year: 2, Per.quarter: 4, Per.month: 12}


def _windows(
    start: dt.date, end: dt.date, per: Per, alignment: Alignment
) -> Iterator[tuple[Window, int]]:
    """Counting windows covering [start, end], each with the length in days of a full one."""
    if per is Per.term:
        yield Window(start=start, end=end, partial=False), (end - start).days + 1
        return
    step = _STEP_MONTHS[per]
    if alignment is Alignment.policy:
        k = 0
        while True:
            ws = start + relativedelta(months=k * step)
            if ws > end:
                return
            full_end = start + relativedelta(months=(k + 1) * step) - dt.timedelta(days=1)
            we = min(full_end, end)
            yield Window(start=ws, end=we, partial=we < full_end), (full_end - ws).days + 1
            k += 1
    else:
        first_month = ((start.month - 1) // step) * step + 1
        ps = dt.date(start.year, first_month, 1)
        while ps <= end:
            pe = ps + relativedelta(months=step) - dt.timedelta(days=1)
            ws, we = max(ps, start), min(pe, end)
            yield Window(start=ws, end=we, partial=(ws, we) != (ps, pe)), (pe - ps).days + 1
            ps = pe + dt.timedelta(days=1)


def _unclipped(w: Window, per: Per, alignment: Alignment) -> Window:
    """The whole period a clipped window belongs to (calendar periods only)."""
    if not w.partial or per is Per.term or alignment is Alignment.policy:
        return w
    step = _STEP_MONTHS[per]
    ps = dt.date(w.start.year, ((w.start.month - 1) // step) * step + 1, 1)
    pe = ps + relativedelta(months=step) - dt.timedelta(days=1)
    return Window(start=ps, end=pe, partial=False, label=w.label)


def _share(window: Window, full_days: int) -> float:
    return ((window.end - window.start).days + 1) / full_days if full_days else 1.0


def _required(min_count: int, window: Window, full_days: int, p: FrequencyParams) -> int:
    """The count a window needs: the full count, or prorated for a partial window; none for a
    partial window shorter than ``partial_min_share`` of a full period."""
    if not window.partial:
        return min_count
    share = _share(window, full_days)
    if share < p.partial_min_share:
        return 0
    if p.partial_periods is PartialPeriods.full_count:
        return min_count
    if p.partial_periods is PartialPeriods.prorate_down:
        return math.floor(min_count * share)
    return math.ceil(min_count * share)


def _clip_to_scope(
    ctx: _Ctx, windows: list[tuple[Window, int, str | None]]
) -> list[tuple[Window, int, str | None]]:
    """Windows cut to the layer's in-force period (``scope_date: event`` rules)."""
    if ctx.scope.events is None:
        return windows
    lo, hi = ctx.scope.events
    out = []
    for w, full, stage in windows:
        ws = max(w.start, lo) if lo else w.start
        we = min(w.end, hi) if hi else w.end
        if ws > we:
            continue
        if (ws, we) != (w.start, w.end):
            w = Window(start=ws, end=we, partial=True, label=w.label)
        out.append((w, full, stage))
    return out


def _events(ctx: _Ctx, p: FrequencyParams, label: str, item: Any) -> list[tuple[str, Any, float]]:
    """(record label, date or None, weight) of the events one subject item contributes."""
    if p.per_item:
        out = []
        for e in ctx.get(item, p.date) or ():
            d = e if isinstance(e, dt.date) else resolve(e, p.event_date or "date")
            w = float(resolve(e, p.weight) or 0) if p.weight else 1.0
            out.append((label, d, w))
        return out
    w = float(ctx.get(item, p.weight) or 0) if p.weight else 1.0
    return [(label, ctx.get(item, p.date), w)]


def _stage_windows(ctx: _Ctx, p: FrequencyParams, acc: _Acc) -> list[tuple[Window, int, str]]:
    stages = ctx.selected(acc, Subject.stages, p.stages)
    if not stages:
        what = f"stages matching {_fields(p.stages)}" if p.stages else "stages"
        acc.add(None, ctx.finding(Status.insufficient_data, "stages", f"the input lists no {what}"))
    return [
        (Window(start=st.start, end=st.end, partial=False, label=st.id), 0, st.id)
        for _, st in stages
    ]


def _frequency(ctx: _Ctx, acc: _Acc) -> None:
    p: FrequencyParams = ctx.rule.params  # type: ignore[assignment]
    pol = ctx.case.policy
    items = ctx.selected(acc)
    if p.from_contract:
        specs = [(s.min_count, s.per, s.service_kind.value) for s in pol.contract_services]
        if not specs:
            msg = "the policy states no contract service items"
            acc.add(None, ctx.finding(Status.not_applicable, "policy", msg))
            return
    else:
        specs = [(p.min_count, p.per, None)]
    if p.per_item:
        if not items and not acc.findings:
            ctx.none_found(acc)
            return
        groups = [(label, _events(ctx, p, label, it)) for label, it in items]
    else:
        groups = [(p.subject.value, [e for lab, it in items for e in _events(ctx, p, lab, it)])]
    unit = f" {p.weight}" if p.weight else ""
    # the stage each record is linked to, read once (per-stage rules with `link` only)
    link_of = {lab: ctx.get(it, p.link) for lab, it in items} if p.link else None
    for min_count, per, kind in specs:
        assert min_count is not None and per is not None
        if per is Per.stage:
            windows: list[tuple[Window, int, str | None]] = list(_stage_windows(ctx, p, acc))
        else:
            windows = [
                (w, full, None)
                for w, full in _windows(pol.term_start, pol.term_end, per, p.alignment)
            ]
            if not p.clip_to_term:
                windows = [(_unclipped(w, per, p.alignment), full, None) for w, full, _ in windows]
        windows = _clip_to_scope(ctx, windows)
        of_kind = {lab for lab, it in items if resolve(it, "kind") == kind} if kind else None
        for group_label, group_events in groups:
            events = group_events
            if of_kind is not None:
                events = [e for e in events if e[0] in of_kind]
            undated = {lab for lab, d, _ in events if d is None}
            used: set[int] = set()  # events a previous period took from its grace
            what = f"{kind} " if kind else ""
            for w, full, stage_id in windows:
                need = min_count if stage_id else _required(min_count, w, full, p)
                span = f"{w.start}..{w.end}"
                subject = " ".join(x for x in (group_label, kind, stage_id or span) if x)
                if need == 0 and p.partial_periods is PartialPeriods.full_count:
                    msg = (
                        f"the partial period {span} covers {_share(w, full):.0%} of a full "
                        f"{per.value}, less than partial_min_share {p.partial_min_share:g}: "
                        "no event required"
                    )
                    acc.add(None, ctx.finding(Status.not_applicable, subject, msg, window=w))
                    continue
                grace = compute_due(w.end, p.grace, ctx.cal) if p.grace else None
                own = [
                    i
                    for i, (lab, d, _) in enumerate(events)
                    if d is not None
                    and i not in used
                    and w.start <= _day(d) <= w.end
                    and (link_of is None or stage_id is None or link_of[lab] == stage_id)
                ]
                total = sum(events[i][2] for i in own)
                if grace is not None and p.grace_counts_events and total < need:
                    # a short period borrows, in date order, events recorded in its grace;
                    # each event counts for one period only
                    late = sorted(
                        (
                            i
                            for i, (lab, d, _) in enumerate(events)
                            if d is not None
                            and i not in used
                            and w.end < _day(d) <= grace.due_date
                            and (link_of is None or stage_id is None or link_of[lab] == stage_id)
                        ),
                        key=lambda i: (_day(events[i][1]), events[i][0]),
                    )
                    for i in late:
                        if total >= need:
                            break
                        own.append(i)
                        used.add(i)
                        total += events[i][2]
                hits = [(events[i][0], events[i][2]) for i in own]
                recs = tuple(sorted({r for lab, _ in hits for r in _rec(lab)}))
                by = f"; to be recorded by {grace.due_date}" if grace else ""
                req = (
                    f"at least {need}{unit} {what}({p.date}) in {span}"
                    + (f" (stage {stage_id})" if stage_id else "")
                    + (" (partial period)" if w.partial else "")
                    + by
                )
                ob = ctx.obligation(subject, req, window=w, min_count=need, due=grace)
                kw = {
                    "window": w,
                    "required_count": need,
                    "counted": total,
                    "records": recs,
                    "due": grace,
                }
                have = f"{_num(total)} of at least {need}{unit} {what}"
                if total >= need:
                    f = ctx.finding(Status.compliant, subject, f"{have}in the period", **kw)
                elif ctx.as_of <= (grace.due_date if grace else w.end):
                    msg = f"{have}so far; the period ends {w.end}{by}"
                    f = ctx.finding(Status.pending, subject, msg, **kw)
                elif undated:
                    msg = f"{have}dated in the period; {len(undated)} record(s) have no {p.date}"
                    f = ctx.finding(Status.insufficient_data, subject, msg, **kw)
                else:
                    msg = f"only {have}in the period {span}"
                    f = ctx.finding(Status.violation, subject, msg, **kw)
                acc.add(ob, f)


def _retention(ctx: _Ctx, acc: _Acc) -> None:
    p: RetentionParams = ctx.rule.params  # type: ignore[assignment]
    items = ctx.selected(acc)
    if not items and not acc.findings:
        ctx.none_found(acc)
        return
    for label, item in items:
        rec = _rec(label)
        anchor = ctx.get(item, p.anchor)
        if anchor is None:
            msg = f"no {p.anchor}: cannot start the retention period"
            acc.add(None, ctx.finding(Status.insufficient_data, label, msg, records=rec))
            continue
        end = compute_due(anchor, p.period, ctx.cal, roll=p.roll)
        ob = ctx.obligation(
            label,
            f"keep until at least {end.due_date} ({p.period.label()} from {p.anchor} {anchor})",
            due=end,
            retain_until=end.due_date,
        )
        gone = ctx.get(item, p.destroyed)
        kw = {"due": end, "trigger": anchor, "records": rec}
        if gone is not None and _day(gone) <= end.due_date:
            msg = f"destroyed {gone}, before the retention period ended {end.due_date}"
            f = ctx.finding(Status.violation, label, msg, **kw)
        elif gone is not None:
            msg = f"destroyed {gone}, after the retention period ended {end.due_date}"
            f = ctx.finding(Status.compliant, label, msg, **kw)
        elif ctx.as_of <= end.due_date:
            msg = f"kept so far; retention runs until {end.due_date}"
            f = ctx.finding(Status.pending, label, msg, **kw)
        else:
            msg = f"kept past the end of retention ({end.due_date})"
            f = ctx.finding(Status.compliant, label, msg, **kw)
        acc.add(ob, f)


def _required_fields(ctx: _Ctx, acc: _Acc) -> None:
    p: RequiredFieldsParams = ctx.rule.params  # type: ignore[assignment]
    items = ctx.selected(acc)
    if not items and not acc.findings:
        ctx.none_found(acc)
        return
    needed = [*p.fields, *(f"{c.field}: {', '.join(c.values)}" for c in p.contains)]
    for label, item in items:
        rec = _rec(label)
        missing = [f for f in p.fields if _empty(ctx.get(item, f))]
        for c in p.contains:
            listed = ctx.get(item, c.field) or ()
            have = {_norm(resolve(x, c.key) if c.key else x) for x in listed}
            missing += [f"{c.field}: {v}" for v in c.values if v not in have]
        ob = ctx.obligation(label, "must record " + "; ".join(needed))
        if missing:
            f = ctx.finding(Status.violation, label, "missing " + "; ".join(missing), records=rec)
        else:
            f = ctx.finding(Status.compliant, label, "all required items present", records=rec)
        acc.add(ob, f)


def _counts(ctx: _Ctx, p: QualificationParams, item: Any) -> tuple[list[str], list[str]]:
    """(shortfalls, undecidable) of the require_counts of one item."""
    short, unknown = [], []
    for rc in p.require_counts:
        n = maybe = 0
        for x in ctx.get(item, rc.field) or ():
            r, _ = _all(rc.where, x, ctx.case)
            n += r is True
            maybe += r is None
        if n < rc.min:
            text = f"{n} {rc.label} (at least {rc.min})"
            (unknown if n + maybe >= rc.min else short).append(text)
    return short, unknown


def _predicate(ctx: _Ctx, acc: _Acc) -> None:
    """qualification (every condition holds) and prohibition (not all may hold)."""
    p = ctx.rule.params
    forbid = isinstance(p, ProhibitionParams)
    conds = p.forbid if forbid else p.require  # type: ignore[union-attr]
    items = ctx.selected(acc)
    if not items and not acc.findings:
        ctx.none_found(acc)
        return
    text = "; ".join(
        [c.describe() for c in conds]
        + [f"at least {rc.min} {rc.label}" for rc in getattr(p, "require_counts", ())]
    )
    for label, item in items:
        rec = _rec(label)
        ok, failed = _all(conds, item, ctx.case)
        ob = ctx.obligation(label, ("must not: " if forbid else "must: ") + text)
        if forbid:
            if ok is None:
                msg = f"cannot judge: missing {_missing(failed, item, ctx.case)}"
                f = ctx.finding(Status.insufficient_data, label, msg, records=rec)
            elif ok:
                f = ctx.finding(Status.violation, label, f"prohibited: {text}", records=rec)
            else:
                f = ctx.finding(Status.compliant, label, "no prohibited condition", records=rec)
            acc.add(ob, f)
            continue
        short, unknown = _counts(ctx, p, item)  # type: ignore[arg-type]
        if ok is False or short:
            fails = ([_fields(failed)] if ok is False else []) + short
            f = ctx.finding(Status.violation, label, "fails " + "; ".join(fails), records=rec)
        elif ok is None or unknown:
            gaps = ([f"missing {_missing(failed, item, ctx.case)}"] if ok is None else []) + unknown
            f = ctx.finding(
                Status.insufficient_data, label, "cannot judge: " + "; ".join(gaps), records=rec
            )
        else:
            f = ctx.finding(Status.compliant, label, f"meets {text}", records=rec)
        acc.add(ob, f)


def _window_occurrences(ctx: _Ctx, window_id: str) -> list[tuple[Window, str | None]]:
    """Occurrences of a named window inside the policy term, each with a provisional reason."""
    spec = next(w.window for w in ctx.rs.windows if w.window.id == window_id)
    pol = ctx.case.policy
    lo, hi = pol.term_start, pol.term_end
    raw: list[tuple[dt.date, dt.date, str | None]] = []
    if spec.from_case is not None:
        raw = [(sp.start, sp.end, None) for sp in getattr(ctx.case, spec.from_case)]
    for year in range(lo.year, hi.year + 1):
        if spec.annual is not None:
            a = spec.annual
            start = dt.date(year, int(a.start[:2]), int(a.start[3:]))
            end = dt.date(year, int(a.end[:2]), int(a.end[3:]))
            raw.append((start, end, None))
        elif spec.after_holiday is not None:
            ah = spec.after_holiday
            first = ctx.cal.resumption_after(ah.holiday, year)
            if first is not None:
                end = first + dt.timedelta(days=ah.days - 1)
                raw.append((first, end, ctx.cal.provisional_reason(first)))
    out = []
    for start, end, why in sorted(raw, key=lambda t: (t[0], t[1])):
        ws, we = max(start, lo), min(end, hi)
        if ws <= we:
            w = Window(start=ws, end=we, partial=(ws, we) != (start, end), label=spec.title)
            out.append((w, why))
    return out


def _preferred_window(ctx: _Ctx, acc: _Acc) -> None:
    p: PreferredWindowParams = ctx.rule.params  # type: ignore[assignment]
    occ = [o for wid in p.windows for o in _window_occurrences(ctx, wid)]
    for w, why in occ:
        subject = f"window {w.label} {w.start}..{w.end}"
        req = f"preferred period for {p.subject.value} ({w.label}): {w.start}..{w.end}"
        acc.add(ctx.obligation(subject, req, window=w, provisional_reason=why), None)
    items = ctx.selected(acc)
    if not items and not acc.findings:
        ctx.none_found(acc)
        return
    names = ", ".join(dict.fromkeys(str(w.label) for w, _ in occ)) or ", ".join(p.windows)
    for label, item in items:
        rec = _rec(label)
        d = ctx.get(item, p.date)
        inside = [w for w, _ in occ if d is not None and w.start <= _day(d) <= w.end]
        if d is None:
            f = ctx.finding(Status.insufficient_data, label, f"no {p.date}", records=rec)
        elif inside:
            w = inside[0]
            msg = f"{p.date} {d} is in {w.label} {w.start}..{w.end}"
            f = ctx.finding(Status.compliant, label, msg, window=w, records=rec)
        else:
            msg = f"{p.date} {d} is in no preferred window ({names}); the text says 宜 (advisory)"
            f = ctx.finding(Status.violation, label, msg, records=rec)
        acc.add(None, f)


_KINDS = {
    Kind.deadline: _deadline,
    Kind.frequency: _frequency,
    Kind.retention: _retention,
    Kind.required_fields: _required_fields,
    Kind.qualification: _predicate,
    Kind.prohibition: _predicate,
    Kind.preferred_window: _preferred_window,
}


class _LayerScope:
    """What a layer means for one case: in-force limits by policy and by event date, and
    whether its findings bind (``advisory_unless``)."""

    __slots__ = ("by_event", "by_policy", "events", "note", "severity")

    def __init__(self, rs: ResolvedRuleset, layer_id: str, case: PolicyCase) -> None:
        li = rs.layer(layer_id)
        eff = li.effective
        pol = case.policy
        issued = pol.issued_on or pol.term_start
        self.by_policy: str | None = None
        if eff.in_force is not None and issued < eff.in_force:
            self.by_policy = (
                f"policy issued {issued}, before {layer_id} took effect on {eff.in_force}"
            )
        elif eff.expires is not None and issued > eff.expires:
            self.by_policy = (
                f"policy issued {issued}, after {layer_id}'s trial period ended {eff.expires}"
            )
        # event-dated rules: the policy must be in force during the layer's period
        self.events = (eff.in_force, eff.expires) if eff.in_force or eff.expires else None
        self.by_event: str | None = None
        if eff.in_force is not None and pol.term_end < eff.in_force:
            self.by_event = (
                f"the policy's term ended {pol.term_end}, before {layer_id} took effect on "
                f"{eff.in_force}"
            )
        elif eff.expires is not None and pol.term_start > eff.expires:
            self.by_event = (
                f"the policy's term starts {pol.term_start}, after {layer_id}'s trial period "
                f"ended {eff.expires}"
            )
        self.severity: Severity | None = None
        self.note: str | None = None
        au = li.advisory_unless
        if au is not None:
            ok, _ = _all(au.conditions, case, case)
            binds = ok is True or (ok is None and au.unknown_binds)
            conds = _fields(au.conditions)
            if not binds:
                self.severity = Severity.advisory
                self.note = (
                    f"{layer_id}: binding only where {conds} ({au.citation.clause}); this policy "
                    "does not meet that, so its findings are advisory (参照执行)."
                )
            elif ok is None:
                self.note = (
                    f"{layer_id}: binding only where {conds} ({au.citation.clause}); the input "
                    "does not say, so its findings are treated as binding."
                )


def _liable(rs: ResolvedRuleset, rr: ResolvedRule, case: PolicyCase) -> DutyHolder | None:
    """Who bears liability for a service duty (AQ 9010-2019 5.3), where it differs from the
    duty holder: the insurer, unless a broker or third party both organises the services
    and manages their fees."""
    sl = rs.service_liability
    if sl is None or not rr.rule.service_duty:
        return None
    pol = case.policy
    party = sl.default
    org, fees = pol.service_organised_by, pol.service_fees_managed_by
    if org is not None and org == fees and DutyHolder(org.value) in sl.transfers_to:
        party = DutyHolder(org.value)
    return party if party is not rr.rule.duty_holder else None


def _run_rule(
    rr: ResolvedRule,
    rs: ResolvedRuleset,
    case: PolicyCase,
    as_of: dt.date,
    cal: WorkCalendar,
    layer_scope: _LayerScope,
) -> _Acc:
    by_event = rr.rule.scope_date is ScopeDate.event
    out_of_scope = layer_scope.by_event if by_event else layer_scope.by_policy
    scope = _Scope(
        severity=layer_scope.severity,
        liable=_liable(rs, rr, case),
        events=layer_scope.events if by_event else None,
    )
    ctx = _Ctx(rr, case, as_of, cal, rs, scope)
    acc = _Acc()
    if out_of_scope:
        acc.add(
            None, ctx.finding(Status.not_applicable, "policy", f"does not apply: {out_of_scope}")
        )
        return acc
    ok, failed = _all(rr.rule.applies_if, case, case)
    if ok is False:
        msg = "does not apply: " + _fields(rr.rule.applies_if)
        acc.add(None, ctx.finding(Status.not_applicable, "policy", msg))
    elif ok is None:
        msg = "cannot tell whether the rule applies: missing " + _missing(failed, case, case)
        acc.add(None, ctx.finding(Status.insufficient_data, "policy", msg))
    else:
        _KINDS[rr.rule.kind](ctx, acc)
    return acc


def _order(rule_index: dict[str, int]) -> Any:
    """Sort key independent of record order: rule, subject, then the content itself."""

    def key(x: Finding | Obligation) -> tuple:
        if isinstance(x, Finding):
            return (rule_index[x.rule_id], x.subject, x.status.value, x.reason)
        return (rule_index[x.rule_id], x.subject, x.requirement)

    return key


def _notes(
    rs: ResolvedRuleset, layers: Sequence[str], scope: Mapping[str, _LayerScope]
) -> tuple[str, ...]:
    notes = []
    for li in rs.layers:
        if li.id not in layers:
            continue
        if li.effective.in_force is None and li.effective.trial is not None:
            notes.append(
                f"{li.id}: in force from issuance with a {li.effective.trial.label()} trial, but "
                f"the issue date is not in the text; its rules were applied without date limits. "
                f"Supply it with --in-force {li.id}=YYYY-MM-DD (CLI) or "
                f"load_ruleset(..., in_force={{{li.id!r}: date}}) (Python)."
            )
        if scope[li.id].note:
            notes.append(scope[li.id].note)  # type: ignore[arg-type]
    return tuple(notes)


def _for_party(report: Report, party: DutyHolder) -> Report:
    def mine(x: Finding | Obligation | Binding) -> bool:
        return party in (x.duty_holder, x.liable_party)

    findings = tuple(f for f in report.findings if f.duty_holder is None or mine(f))
    counts = {s: 0 for s in Status}
    for f in findings:
        counts[f.status] += 1
    return report.model_copy(
        update={
            "findings": findings,
            "obligations": tuple(o for o in report.obligations if mine(o)),
            "bindings": tuple(b for b in report.bindings if mine(b)),
            "counts": counts,
        }
    )


def evaluate(
    ruleset: ResolvedRuleset,
    case: PolicyCase | ParsedCase | Mapping[str, Any],
    *,
    as_of: dt.date,
    calendar: WorkCalendar | None = None,
    layer: str | None = None,
    source: str = "<input>",
    duty_holder: DutyHolder | str | None = None,
) -> Report:
    """Judge ``case`` against every rule of ``ruleset`` as of ``as_of``.

    ``case`` may be raw data (or a :class:`ParsedCase` from :func:`load_case_file`): each record
    is then validated on its own, and a bad record becomes a ``data_error`` finding while the
    others are evaluated. ``layer`` restricts the evaluation to the rules one layer defines
    (e.g. only ``"national"``). Where several rules regulate one obligation, ``bindings`` says
    which binds. ``duty_holder`` keeps only that party's duties: those it owes, and those whose
    liability it bears (:meth:`Report.for_party`).
    """
    parsed = parse_case(case, source)
    cal = calendar or default_calendar()
    if layer is not None and layer not in {li.id for li in ruleset.layers}:
        raise ValueError(f"layer {layer!r} is not in ruleset {ruleset.id!r}")
    rules = [r for r in ruleset.rules if layer is None or r.layer == layer]
    obligations: list[Obligation] = []
    findings: list[Finding] = []
    scope = {li.id: _LayerScope(ruleset, li.id, parsed.case) for li in ruleset.layers}
    for rr in rules:
        acc = _run_rule(rr, ruleset, parsed.case, as_of, cal, scope[rr.layer])
        obligations += acc.obligations
        findings += acc.findings
    idx = {r.rule.id: i for i, r in enumerate(ruleset.rules)}
    idx["input.validation"] = -1
    findings += [
        Finding(
            rule_id="input.validation",
            obligation="input.validation",
            layer="input",
            title="输入数据校验",
            severity=Severity.major,
            status=Status.data_error,
            subject=i.record,
            reason=str(i),
        )
        for i in parsed.issues
    ]
    key = _order(idx)
    findings.sort(key=key)
    obligations.sort(key=key)
    counts = {s: 0 for s in Status}
    for f in findings:
        counts[f.status] += 1
    layer_ids = tuple(li.id for li in ruleset.layers if layer is None or li.id == layer)
    report = Report(
        policy_id=parsed.case.policy.policy_id,
        jurisdiction=ruleset.id,
        layers=layer_ids,
        as_of=as_of,
        findings=tuple(findings),
        obligations=tuple(obligations),
        bindings=bindings(ruleset, obligations),
        input_issues=parsed.issues,
        notes=_notes(ruleset, layer_ids, scope),
        counts=counts,
    )
    return report if duty_holder is None else report.for_party(duty_holder)


def check(
    ruleset: ResolvedRuleset,
    case: PolicyCase | ParsedCase | Mapping[str, Any],
    *,
    as_of: dt.date,
    calendar: WorkCalendar | None = None,
    layer: str | None = None,
    duty_holder: DutyHolder | str | None = None,
) -> tuple[Finding, ...]:
    """The findings of :func:`evaluate` alone."""
    return evaluate(
        ruleset, case, as_of=as_of, calendar=calendar, layer=layer, duty_holder=duty_holder
    ).findings


def obligations(
    ruleset: ResolvedRuleset,
    case: PolicyCase | ParsedCase | Mapping[str, Any],
    *,
    calendar: WorkCalendar | None = None,
    layer: str | None = None,
    duty_holder: DutyHolder | str | None = None,
) -> tuple[Obligation, ...]:
    """Every obligation that applies to the policy: due dates, counting windows with their
    minimum counts, retention ends, standing requirements. Independent of any ``as_of``."""
    parsed = parse_case(case)
    rep = evaluate(
        ruleset,
        parsed,
        as_of=parsed.case.policy.term_end,
        calendar=calendar,
        layer=layer,
        duty_holder=duty_holder,
    )
    return rep.obligations


# ------------------------------------------------------------------------------------------
# bindings: which of several rules on one obligation binds
def annual_rate(params: Any) -> float | None:
    """Events per year a frequency rule requires (None when not comparable)."""
    if not isinstance(params, FrequencyParams) or params.from_contract or params.per is None:
        return None
    if params.per in PER_YEAR:
        return float(params.min_count or 0) * PER_YEAR[params.per]
    return None


def _cite(rs: ResolvedRuleset, rule_id: str) -> str:
    rr = rs.rule(rule_id)
    return f"{rr.layer} {rr.rule.citation.clause} ({rule_id})"


def bindings(rs: ResolvedRuleset, obligations: Sequence[Obligation]) -> tuple[Binding, ...]:
    """For each obligation key regulated by several rules: the strictest, with a note."""
    order = {r.rule.id: i for i, r in enumerate(rs.rules)}
    out: list[Binding] = []
    groups: dict[tuple[str, str], list[Obligation]] = {}
    for o in obligations:
        if o.kind in (Kind.deadline, Kind.retention):
            groups.setdefault((o.obligation, o.subject), []).append(o)
    for (key, subject), obs in sorted(groups.items()):
        if len({o.rule_id for o in obs}) < 2:
            continue
        obs = sorted(obs, key=lambda o: order[o.rule_id])
        is_deadline = obs[0].kind is Kind.deadline

        def value(o: Obligation, is_deadline: bool = is_deadline) -> Any:
            return (o.due_at or o.due_date) if is_deadline else o.retain_until

        def rank(o: Obligation) -> Any:
            v = value(o)
            # an hour deadline and a day deadline compare by their last instant
            if isinstance(v, dt.datetime):
                return china_time(v)
            return dt.datetime(v.year, v.month, v.day, tzinfo=CHINA_TZ) + dt.timedelta(days=1)

        if is_deadline:
            best = min(obs, key=lambda o: (rank(o), order[o.rule_id]))
            what = "due"
        else:
            best = max(obs, key=lambda o: (value(o), -order[o.rule_id]))
            what = "keep until"
        values = {rank(o) if is_deadline else value(o) for o in obs}
        parts = [f"{_cite(rs, o.rule_id)}: {what} {value(o)}" for o in obs]
        conflict = len(values) > 1
        verdict = f"the strictest, {_cite(rs, best.rule_id)}, binds" if conflict else "they agree"
        out.append(
            Binding(
                obligation=key,
                subject=subject,
                rules=tuple(o.rule_id for o in obs),
                layers=tuple(dict.fromkeys(o.layer for o in obs)),
                binding_rule_id=best.rule_id,
                binding_layer=best.layer,
                duty_holder=best.duty_holder,
                liable_party=best.liable_party,
                due_date=best.due_date if is_deadline else None,
                retain_until=None if is_deadline else best.retain_until,
                conflict=conflict,
                note=f"{key} for {subject}: " + "; ".join(parts) + f" — {verdict}.",
            )
        )
    freq: dict[str, list[ResolvedRule]] = {}
    for rr in rs.rules:
        if annual_rate(rr.rule.params) is not None:
            freq.setdefault(rr.rule.obligation, []).append(rr)
    applied = {o.rule_id for o in obligations}
    for key, rrs in sorted(freq.items()):
        rrs = [r for r in rrs if r.rule.id in applied]
        if len(rrs) < 2:
            continue
        rates = {r.rule.id: annual_rate(r.rule.params) or 0.0 for r in rrs}
        best_rr = max(rrs, key=lambda r: (rates[r.rule.id], -order[r.rule.id]))
        conflict = len(set(rates.values())) > 1
        parts = [
            f"{_cite(rs, r.rule.id)}: at least {r.rule.params.min_count} per "  # type: ignore[union-attr]
            f"{r.rule.params.per.value}"  # type: ignore[union-attr]
            for r in rrs
        ]
        verdict = (
            f"the most frequent, {_cite(rs, best_rr.rule.id)}, binds" if conflict else "they agree"
        )
        out.append(
            Binding(
                obligation=key,
                subject="policy",
                rules=tuple(r.rule.id for r in rrs),
                layers=tuple(dict.fromkeys(r.layer for r in rrs)),
                binding_rule_id=best_rr.rule.id,
                binding_layer=best_rr.layer,
                duty_holder=best_rr.rule.duty_holder,
                liable_party=next(
                    (o.liable_party for o in obligations if o.rule_id == best_rr.rule.id), None
                ),
                annual_rate=rates[best_rr.rule.id],
                conflict=conflict,
                note=f"{key}: " + "; ".join(parts) + f" — {verdict}.",
            )
        )
    return tuple(out)

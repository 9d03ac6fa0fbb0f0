"""The evaluator: obligations, due dates, minimum frequencies and findings, with a full trace.

Pure functions of (resolved ruleset, case, ``as_of``, calendar): no global state, safe to share
across threads. Records are sorted by id before evaluation and findings are sorted on output, so
results do not depend on record order. Bad data in one record becomes a ``data_error`` or
``insufficient_data`` finding for that record; it never raises.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field

from ._errors import CalendarRangeError
from .calendar import WorkCalendar, default_calendar
from .inputs import InputIssue, ParsedCase, parse_case
from .model import Per, PolicyCase
from .periods import DueDate, PeriodUnit, compute_due
from .rulesets import (
    Alignment,
    Citation,
    Condition,
    DeadlineParams,
    FrequencyParams,
    Kind,
    Op,
    PartialPeriods,
    ProhibitionParams,
    RequiredFieldsParams,
    ResolvedRule,
    ResolvedRuleset,
    RetentionParams,
    Severity,
    StaffView,
    Subject,
)

__all__ = [
    "Finding",
    "Obligation",
    "Report",
    "Status",
    "Trace",
    "Window",
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
    """A counting period (频次周期), inclusive of both ends."""

    start: dt.date
    end: dt.date
    partial: bool = Field(description="shorter than a full period (clipped by the policy term)")


class Trace(_Out):
    """Everything needed to audit one finding."""

    rule_id: str
    layer: str
    kind: Kind
    source_file: str
    overridden_by: tuple[str, ...] = ()
    params: dict[str, Any] = Field(description="parameters used, after all overrides")
    interpretive: dict[str, str] = Field(description="parameters that are readings, not text")
    as_of: dt.date
    trigger: dt.date | dt.datetime | None = None
    due: DueDate | None = None
    window: Window | None = None
    required_count: int | None = None
    counted: int | None = None
    records: tuple[str, ...] = Field(default=(), description="ids of the records judged")
    citation: Citation


class Finding(_Out):
    rule_id: str
    obligation: str
    layer: str
    title: str
    severity: Severity
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


class Report(_Out):
    policy_id: str
    jurisdiction: str = Field(description="the ruleset evaluated (top layer)")
    layers: tuple[str, ...]
    as_of: dt.date
    findings: tuple[Finding, ...]
    obligations: tuple[Obligation, ...]
    input_issues: tuple[InputIssue, ...] = ()
    counts: dict[Status, int]

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status is Status.violation)


# ------------------------------------------------------------------------------------------
# values and conditions
def resolve(obj: Any, path: str) -> Any:
    """Dotted attribute lookup; None when any step is missing."""
    for part in path.split("."):
        if obj is None:
            return None
        obj = obj.get(part) if isinstance(obj, Mapping) else getattr(obj, part, None)
    return obj


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str | tuple | list | dict | set) and len(v) == 0)


def _norm(v: Any) -> Any:
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, float | int) and not isinstance(v, bool):
        return Decimal(str(v))
    return v


def holds(c: Condition, root: Any) -> bool | None:
    """True/False, or None when a value the condition needs is missing (unknown)."""
    left = resolve(root, c.field)
    if c.op is Op.present:
        return not _empty(left)
    if c.op is Op.absent:
        return _empty(left)
    if c.op is Op.nonempty:
        return left is not None and len(left) > 0
    if c.op is Op.empty:
        return left is None or len(left) == 0
    right = resolve(root, c.value_field) if c.value_field is not None else c.value
    if left is None or right is None:
        return None
    left = _norm(left)
    if c.op is Op.in_:
        return left in {_norm(x) for x in right}
    if c.op is Op.not_in:
        return left not in {_norm(x) for x in right}
    right = _norm(right)
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


def _all(conds: Iterable[Condition], root: Any) -> tuple[bool | None, list[Condition]]:
    """(all hold?, the conditions that failed or were unknown)."""
    bad, unknown = [], []
    for c in conds:
        r = holds(c, root)
        if r is False:
            bad.append(c)
        elif r is None:
            unknown.append(c)
    if bad:
        return False, bad
    if unknown:
        return None, unknown
    return True, []


def _day(v: dt.date | dt.datetime) -> dt.date:
    return v.date() if isinstance(v, dt.datetime) else v


# ------------------------------------------------------------------------------------------
# the evaluation context
class _Ctx:
    __slots__ = ("as_of", "cal", "case", "rr")

    def __init__(self, rr: ResolvedRule, case: PolicyCase, as_of: dt.date, cal: WorkCalendar):
        self.rr, self.case, self.as_of, self.cal = rr, case, as_of, cal

    @property
    def rule(self):
        return self.rr.rule

    def trace(self, **kw: Any) -> Trace:
        r = self.rule
        return Trace(
            rule_id=r.id,
            layer=self.rr.layer,
            kind=r.kind,
            source_file=self.rr.source_file,
            overridden_by=self.rr.overridden_by,
            params=r.params.model_dump(mode="json", exclude_defaults=True),
            interpretive=dict(r.interpretive),
            as_of=self.as_of,
            citation=r.citation,
            **kw,
        )

    def finding(
        self, status: Status, subject: str, reason: str, *, due: DueDate | None = None, **kw: Any
    ) -> Finding:
        r = self.rule
        return Finding(
            rule_id=r.id,
            obligation=r.obligation,
            layer=self.rr.layer,
            title=r.title,
            severity=r.severity,
            status=status,
            subject=subject,
            reason=reason,
            provisional=bool(due and due.provisional),
            provisional_reason=due.provisional_reason if due else None,
            trace=self.trace(due=due, **kw),
        )

    def obligation(
        self, subject: str, requirement: str, *, due: DueDate | None = None, **kw: Any
    ) -> Obligation:
        r = self.rule
        return Obligation(
            rule_id=r.id,
            obligation=r.obligation,
            layer=self.rr.layer,
            kind=r.kind,
            title=r.title,
            subject=subject,
            requirement=requirement,
            due_date=due.due_date if due else None,
            due_at=due.due_at if due else None,
            provisional=bool(due and due.provisional),
            provisional_reason=due.provisional_reason if due else None,
            interpretive=dict(r.interpretive),
            citation=r.citation,
            **kw,
        )

    # subject items, sorted by id for order independence
    def items(self, subject: Subject) -> list[tuple[str, Any]]:
        c = self.case
        if subject is Subject.policy:
            return [("policy", c.policy)]
        if subject is Subject.scheme:
            return [("scheme", c.scheme)] if c.scheme is not None else []
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

    def selected(self) -> tuple[list[tuple[str, Any]], list[Finding]]:
        """Items matching ``where``; items where it cannot be decided become findings."""
        p = self.rule.params
        out, undecided = [], []
        for label, item in self.items(p.subject):
            ok, failed = _all(p.where, item)
            if ok:
                out.append((label, item))
            elif ok is None:
                undecided.append(
                    self.finding(
                        Status.insufficient_data,
                        label,
                        "cannot tell whether the rule applies: missing "
                        + ", ".join(c.field for c in failed),
                    )
                )
        return out, undecided

    def none_found(self) -> list[tuple[Obligation | None, Finding]]:
        p = self.rule.params
        what = p.subject.value + (
            " matching " + "; ".join(c.describe() for c in p.where) if p.where else ""
        )
        if p.expect_items:
            return [
                (
                    None,
                    self.finding(
                        Status.insufficient_data,
                        p.subject.value,
                        f"the input has no {what}; the rule needs one",
                    ),
                )
            ]
        return [
            (None, self.finding(Status.not_applicable, p.subject.value, f"no {what} in the input"))
        ]


_Result = list[tuple[Obligation | None, Finding]]


# ------------------------------------------------------------------------------------------
# kinds
def _deadline(ctx: _Ctx) -> _Result:
    p: DeadlineParams = ctx.rule.params  # type: ignore[assignment]
    items, out_f = ctx.selected()
    out: _Result = [(None, f) for f in out_f]
    if not items and not out:
        return ctx.none_found()
    hourly = p.period.unit is PeriodUnit.hours
    for label, item in items:
        rec = (label.rsplit("/", 1)[-1],)
        trig = resolve(item, p.trigger)
        if trig is None:
            out.append(
                (
                    None,
                    ctx.finding(
                        Status.insufficient_data,
                        label,
                        f"no {p.trigger}: cannot start the period",
                        records=rec,
                    ),
                )
            )
            continue
        try:
            due = compute_due(trig, p.period, ctx.cal)
        except (CalendarRangeError, ValueError) as exc:
            out.append(
                (
                    None,
                    ctx.finding(
                        Status.data_error, label, f"{p.trigger}: {exc}", trigger=trig, records=rec
                    ),
                )
            )
            continue
        req = f"{p.action} within {p.period.label()} after {p.trigger} {trig}: by {due.due_date}"
        if due.due_at:
            req = f"{p.action} within {p.period.label()} after {trig}: by {due.due_at}"
        ob = ctx.obligation(label, req, due=due)
        act = resolve(item, p.action)
        kw = {"due": due, "trigger": trig, "records": rec}
        if act is not None and _day(act) < _day(trig):
            f = ctx.finding(
                Status.data_error, label, f"{p.action} {act} is before {p.trigger} {trig}", **kw
            )
        elif act is not None:
            on_time = (
                act <= due.due_at
                if hourly and isinstance(act, dt.datetime)
                else _day(act) <= due.due_date
            )
            if on_time:
                f = ctx.finding(
                    Status.compliant,
                    label,
                    f"{p.action} {act} is within {p.period.label()} "
                    f"(due {due.due_at or due.due_date})",
                    **kw,
                )
            else:
                late = ""
                if p.period.unit is PeriodUnit.workdays:
                    late = (
                        f", {ctx.cal.count_workdays(due.due_date, _day(act))} working day(s) late"
                    )
                f = ctx.finding(
                    Status.violation,
                    label,
                    f"{p.action} {act} is after the due {due.due_at or due.due_date}{late}",
                    **kw,
                )
        elif ctx.as_of > due.due_date:
            f = ctx.finding(
                Status.violation,
                label,
                f"no {p.action} recorded; it was due by {due.due_at or due.due_date}",
                **kw,
            )
        else:
            f = ctx.finding(
                Status.pending,
                label,
                f"no {p.action} yet; due by {due.due_at or due.due_date}",
                **kw,
            )
        out.append((ob, f))
    return out


_STEP_MONTHS = {Per.year: 12, Per.half_year: 6, Per.quarter: 3, Per.month: 1}


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


def _required(min_count: int, window: Window, full_days: int, how: PartialPeriods) -> int:
    if not window.partial or how is PartialPeriods.full_count:
        return min_count
    share = ((window.end - window.start).days + 1) / full_days
    return (
        math.floor(min_count * share)
        if how is PartialPeriods.prorate_down
        else math.ceil(min_count * share)
    )


def _frequency(ctx: _Ctx) -> _Result:
    p: FrequencyParams = ctx.rule.params  # type: ignore[assignment]
    pol = ctx.case.policy
    items, out_f = ctx.selected()
    out: _Result = [(None, f) for f in out_f]
    if p.from_contract:
        specs = [(s.min_count, s.per, s.service_kind.value) for s in pol.contract_services]
        if not specs:
            return [
                (
                    None,
                    ctx.finding(
                        Status.not_applicable,
                        "policy",
                        "the policy states no contract service items",
                    ),
                )
            ]
    else:
        specs = [(p.min_count, p.per, None)]
    if p.per_item:
        if not items and not out:
            return ctx.none_found()
        groups = [(label, [(label, d) for d in (resolve(it, p.date) or ())]) for label, it in items]
    else:
        groups = [(p.subject.value, [(label, resolve(it, p.date)) for label, it in items])]
    for min_count, per, kind in specs:
        for group_label, events in groups:
            if kind is not None:
                ids = {lab for lab, it in items if resolve(it, "kind") == kind}
                events = [(lab, d) for lab, d in events if lab in ids]
            dated = sorted((_day(d), lab) for lab, d in events if d is not None)
            undated = sorted(lab for lab, d in events if d is None)
            what = f"{kind} " if kind else ""
            for w, full in _windows(pol.term_start, pol.term_end, per, p.alignment):
                need = _required(min_count, w, full, p.partial_periods)
                hits = [lab for d, lab in dated if w.start <= d <= w.end]
                recs = tuple(sorted({h.rsplit("/", 1)[-1] for h in hits}))
                subject = f"{group_label} {w.start}..{w.end}"
                req = (
                    f"at least {need} {what}{p.date} event(s) in {w.start}..{w.end}"
                    f"{' (partial period)' if w.partial else ''}"
                )
                ob = ctx.obligation(subject, req, window=w, min_count=need)
                kw = {"window": w, "required_count": need, "counted": len(hits), "records": recs}
                if len(hits) >= need:
                    f = ctx.finding(
                        Status.compliant,
                        subject,
                        f"{len(hits)} of at least {need} {what}in the period",
                        **kw,
                    )
                elif ctx.as_of <= w.end:
                    f = ctx.finding(
                        Status.pending,
                        subject,
                        f"{len(hits)} of at least {need} {what}so far; the period ends {w.end}",
                        **kw,
                    )
                elif undated:
                    f = ctx.finding(
                        Status.insufficient_data,
                        subject,
                        f"{len(hits)} of at least {need} {what}dated in the period; "
                        f"{len(undated)} record(s) have no {p.date}",
                        **kw,
                    )
                else:
                    f = ctx.finding(
                        Status.violation,
                        subject,
                        f"only {len(hits)} of at least {need} {what}in the period "
                        f"{w.start}..{w.end}",
                        **kw,
                    )
                out.append((ob, f))
    return out


def _retention(ctx: _Ctx) -> _Result:
    p: RetentionParams = ctx.rule.params  # type: ignore[assignment]
    items, out_f = ctx.selected()
    out: _Result = [(None, f) for f in out_f]
    if not items and not out:
        return ctx.none_found()
    for label, item in items:
        rec = (label.rsplit("/", 1)[-1],)
        anchor = resolve(item, p.anchor)
        if anchor is None:
            out.append(
                (
                    None,
                    ctx.finding(
                        Status.insufficient_data,
                        label,
                        f"no {p.anchor}: cannot start the retention period",
                        records=rec,
                    ),
                )
            )
            continue
        end = compute_due(anchor, p.period, ctx.cal, roll=False)
        ob = ctx.obligation(
            label,
            f"keep until at least {end.due_date} ({p.period.label()} from {p.anchor} {anchor})",
            due=end,
            retain_until=end.due_date,
        )
        gone = resolve(item, p.destroyed)
        kw = {"due": end, "trigger": anchor, "records": rec}
        if gone is not None and _day(gone) <= end.due_date:
            f = ctx.finding(
                Status.violation,
                label,
                f"destroyed {gone}, before the retention period ended {end.due_date}",
                **kw,
            )
        elif gone is not None:
            f = ctx.finding(
                Status.compliant, label, f"destroyed {gone}, after the retention period ended", **kw
            )
        elif ctx.as_of <= end.due_date:
            f = ctx.finding(
                Status.pending, label, f"kept so far; retention runs until {end.due_date}", **kw
            )
        else:
            f = ctx.finding(
                Status.compliant, label, f"kept past the end of retention ({end.due_date})", **kw
            )
        out.append((ob, f))
    return out


def _required_fields(ctx: _Ctx) -> _Result:
    p: RequiredFieldsParams = ctx.rule.params  # type: ignore[assignment]
    items, out_f = ctx.selected()
    out: _Result = [(None, f) for f in out_f]
    if not items and not out:
        return ctx.none_found()
    needed = [*p.fields, *(f"{c.field}: {', '.join(c.values)}" for c in p.contains)]
    for label, item in items:
        rec = () if "/" not in label else (label.rsplit("/", 1)[-1],)
        missing = [f for f in p.fields if _empty(resolve(item, f))]
        for c in p.contains:
            have = {
                _norm(resolve(x, c.key) if c.key else x) for x in (resolve(item, c.field) or ())
            }
            missing += [f"{c.field}: {v}" for v in c.values if v not in have]
        ob = ctx.obligation(label, "must record " + "; ".join(needed))
        if missing:
            f = ctx.finding(Status.violation, label, "missing " + "; ".join(missing), records=rec)
        else:
            f = ctx.finding(Status.compliant, label, "all required items present", records=rec)
        out.append((ob, f))
    return out


def _predicate(ctx: _Ctx) -> _Result:
    """qualification (every condition must hold) and prohibition (not all may hold)."""
    p = ctx.rule.params
    forbid = isinstance(p, ProhibitionParams)
    conds = p.forbid if forbid else p.require  # type: ignore[union-attr]
    items, out_f = ctx.selected()
    out: _Result = [(None, f) for f in out_f]
    if not items and not out:
        return ctx.none_found()
    text = "; ".join(c.describe() for c in conds)
    for label, item in items:
        rec = () if "/" not in label else (label.rsplit("/", 1)[-1],)
        ok, failed = _all(conds, item)
        names = ", ".join(c.describe() for c in failed)
        ob = ctx.obligation(label, ("must not: " if forbid else "must: ") + text)
        if ok is None:
            f = ctx.finding(
                Status.insufficient_data, label, f"cannot judge: missing {names}", records=rec
            )
        elif forbid:
            f = (
                ctx.finding(Status.violation, label, f"prohibited: {text}", records=rec)
                if ok
                else ctx.finding(Status.compliant, label, "no prohibited condition", records=rec)
            )
        else:
            f = (
                ctx.finding(Status.compliant, label, f"meets {text}", records=rec)
                if ok
                else ctx.finding(Status.violation, label, f"fails {names}", records=rec)
            )
        out.append((ob, f))
    return out


_KINDS = {
    Kind.deadline: _deadline,
    Kind.frequency: _frequency,
    Kind.retention: _retention,
    Kind.required_fields: _required_fields,
    Kind.qualification: _predicate,
    Kind.prohibition: _predicate,
}


def _run_rule(rr: ResolvedRule, case: PolicyCase, as_of: dt.date, cal: WorkCalendar) -> _Result:
    ctx = _Ctx(rr, case, as_of, cal)
    ok, failed = _all(rr.rule.applies_if, case)
    if ok is False:
        return [
            (
                None,
                ctx.finding(
                    Status.not_applicable,
                    "policy",
                    "does not apply: " + "; ".join(c.describe() for c in rr.rule.applies_if),
                ),
            )
        ]
    if ok is None:
        return [
            (
                None,
                ctx.finding(
                    Status.insufficient_data,
                    "policy",
                    "cannot tell whether the rule applies: missing "
                    + ", ".join(c.field for c in failed),
                ),
            )
        ]
    return _KINDS[rr.rule.kind](ctx)


def _order(rule_index: dict[str, int]):
    def key(x: Finding | Obligation) -> tuple:
        return (rule_index[x.rule_id], x.subject, x.model_dump_json())

    return key


def evaluate(
    ruleset: ResolvedRuleset,
    case: PolicyCase | ParsedCase | Mapping[str, Any],
    *,
    as_of: dt.date,
    calendar: WorkCalendar | None = None,
    layer: str | None = None,
    source: str = "<input>",
) -> Report:
    """Judge ``case`` against every rule of ``ruleset`` as of ``as_of``.

    ``case`` may be raw data (or a :class:`ParsedCase` from :func:`load_case_file`): each record
    is then validated on its own, and a bad record becomes a ``data_error`` finding while the
    others are evaluated. ``layer`` restricts the evaluation
    to the rules of one layer (e.g. only ``"national"``).
    """
    parsed = parse_case(case, source)
    cal = calendar or default_calendar()
    rules = [r for r in ruleset.rules if layer is None or r.layer == layer]
    if layer is not None and layer not in {li.id for li in ruleset.layers}:
        raise ValueError(f"layer {layer!r} is not in ruleset {ruleset.id!r}")
    results: _Result = []
    for rr in rules:
        results += _run_rule(rr, parsed.case, as_of, cal)
    idx = {r.rule.id: i for i, r in enumerate(ruleset.rules)}
    idx["input.validation"] = -1
    findings = [f for _, f in results]
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
    obligations = sorted((o for o, _ in results if o is not None), key=key)
    counts = {s: 0 for s in Status}
    for f in findings:
        counts[f.status] += 1
    return Report(
        policy_id=parsed.case.policy.policy_id,
        jurisdiction=ruleset.id,
        layers=tuple(li.id for li in ruleset.layers if layer is None or li.id == layer),
        as_of=as_of,
        findings=tuple(findings),
        obligations=tuple(obligations),
        input_issues=parsed.issues,
        counts=counts,
    )


def check(
    ruleset: ResolvedRuleset,
    case: PolicyCase | ParsedCase | Mapping[str, Any],
    *,
    as_of: dt.date,
    calendar: WorkCalendar | None = None,
    layer: str | None = None,
) -> tuple[Finding, ...]:
    """The findings of :func:`evaluate` alone."""
    return evaluate(ruleset, case, as_of=as_of, calendar=calendar, layer=layer).findings


def obligations(
    ruleset: ResolvedRuleset,
    case: PolicyCase | ParsedCase | Mapping[str, Any],
    *,
    calendar: WorkCalendar | None = None,
    layer: str | None = None,
) -> tuple[Obligation, ...]:
    """Every obligation that applies to the policy: due dates, counting windows with their
    minimum counts, retention ends, standing requirements. Independent of any ``as_of``."""
    parsed = parse_case(case)
    rep = evaluate(
        ruleset, parsed, as_of=parsed.case.policy.term_end, calendar=calendar, layer=layer
    )
    return rep.obligations

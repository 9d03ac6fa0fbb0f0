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
    Alignment,
    Citation,
    Condition,
    DeadlineParams,
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
    Severity,
    StaffView,
    Subject,
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


class Binding(_Out):
    """Where several rules (usually of different layers) regulate one obligation: which binds."""

    obligation: str
    subject: str
    rules: tuple[str, ...] = Field(description="the rules regulating it, stack order")
    layers: tuple[str, ...]
    binding_rule_id: str = Field(description="the strictest rule")
    binding_layer: str
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
        """Violations of binding text (advisory ones, from 宜 provisions, excluded)."""
        return tuple(
            f
            for f in self.findings
            if f.status is Status.violation and f.severity is not Severity.advisory
        )


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
    return v.date() if isinstance(v, dt.datetime) else v


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


class _Ctx:
    __slots__ = ("as_of", "cal", "case", "params", "rr", "rs")

    def __init__(
        self,
        rr: ResolvedRule,
        case: PolicyCase,
        as_of: dt.date,
        cal: WorkCalendar,
        rs: ResolvedRuleset,
    ) -> None:
        self.rr, self.case, self.as_of, self.cal, self.rs = rr, case, as_of, cal, rs
        self.params = rr.rule.params.model_dump(mode="json", exclude_defaults=True)

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
            severity=self.rule.severity,
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
                        "cannot tell whether the rule applies: missing " + _missing(failed),
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


def _missing(conds: Iterable[Condition]) -> str:
    names: list[str] = []
    for c in conds:
        names += [path for _, path in c.paths()]
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
    if not ok:
        return due, f"; extension of {days} days not counted ({_missing(failed)} not met)"
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
        if act is not None and _day(act) < _day(trig) and not p.action_may_precede:
            f = ctx.finding(
                Status.data_error, label, f"{what} {act} is before {p.trigger} {trig}", **kw
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
                    try:
                        n = ctx.cal.count_workdays(due.due_date, _day(act))
                        late = f", {n} working day(s) late"
                    except CalendarRangeError:
                        late = f"; working days late not counted: {_day(act)} is past the calendar"
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


def _required(min_count: int, window: Window, full_days: int, how: PartialPeriods) -> int:
    if not window.partial or how is PartialPeriods.full_count:
        return min_count
    share = ((window.end - window.start).days + 1) / full_days
    if how is PartialPeriods.prorate_down:
        return math.floor(min_count * share)
    return math.ceil(min_count * share)


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
        of_kind = {lab for lab, it in items if resolve(it, "kind") == kind} if kind else None
        for group_label, group_events in groups:
            events = group_events
            if of_kind is not None:
                events = [e for e in events if e[0] in of_kind]
            undated = {lab for lab, d, _ in events if d is None}
            what = f"{kind} " if kind else ""
            for w, full, stage_id in windows:
                need = min_count if stage_id else _required(min_count, w, full, p.partial_periods)
                hits = [
                    (lab, wt)
                    for lab, d, wt in events
                    if d is not None
                    and w.start <= _day(d) <= w.end
                    and (link_of is None or stage_id is None or link_of[lab] == stage_id)
                ]
                total = sum(wt for _, wt in hits)
                recs = tuple(sorted({r for lab, _ in hits for r in _rec(lab)}))
                span = f"{w.start}..{w.end}"
                subject = " ".join(x for x in (group_label, kind, stage_id or span) if x)
                req = (
                    f"at least {need}{unit} {what}({p.date}) in {span}"
                    + (f" (stage {stage_id})" if stage_id else "")
                    + (" (partial period)" if w.partial else "")
                )
                ob = ctx.obligation(subject, req, window=w, min_count=need)
                kw = {"window": w, "required_count": need, "counted": total, "records": recs}
                have = f"{_num(total)} of at least {need}{unit} {what}"
                if total >= need:
                    f = ctx.finding(Status.compliant, subject, f"{have}in the period", **kw)
                elif ctx.as_of <= w.end:
                    msg = f"{have}so far; the period ends {w.end}"
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
        end = compute_due(anchor, p.period, ctx.cal, roll=False)
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
                msg = f"cannot judge: missing {_missing(failed)}"
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
            gaps = ([f"missing {_missing(failed)}"] if ok is None else []) + unknown
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


def _layer_scope(rs: ResolvedRuleset, layer_id: str, case: PolicyCase) -> str | None:
    """Why a layer's rules do not apply to this policy (outside its in-force period), or None."""
    eff = rs.layer(layer_id).effective
    issued = case.policy.issued_on or case.policy.term_start
    if eff.in_force is not None and issued < eff.in_force:
        return f"policy issued {issued}, before {layer_id} took effect on {eff.in_force}"
    if eff.expires is not None and issued > eff.expires:
        return f"policy issued {issued}, after {layer_id}'s trial period ended {eff.expires}"
    return None


def _run_rule(
    rr: ResolvedRule,
    rs: ResolvedRuleset,
    case: PolicyCase,
    as_of: dt.date,
    cal: WorkCalendar,
    out_of_scope: str | None,
) -> _Acc:
    ctx = _Ctx(rr, case, as_of, cal, rs)
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
        msg = "cannot tell whether the rule applies: missing " + _missing(failed)
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


def _notes(rs: ResolvedRuleset, layers: Sequence[str]) -> tuple[str, ...]:
    notes = []
    for li in rs.layers:
        if li.id in layers and li.effective.in_force is None and li.effective.trial is not None:
            notes.append(
                f"{li.id}: in force from issuance with a {li.effective.trial.label()} trial, but "
                f"the issue date is not in the text; its rules were applied without date limits. "
                f"Supply it with load_ruleset(..., in_force={{{li.id!r}: date}})."
            )
    return tuple(notes)


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
    others are evaluated. ``layer`` restricts the evaluation to the rules one layer defines
    (e.g. only ``"national"``). Where several rules regulate one obligation, ``bindings`` says
    which binds.
    """
    parsed = parse_case(case, source)
    cal = calendar or default_calendar()
    if layer is not None and layer not in {li.id for li in ruleset.layers}:
        raise ValueError(f"layer {layer!r} is not in ruleset {ruleset.id!r}")
    rules = [r for r in ruleset.rules if layer is None or r.layer == layer]
    obligations: list[Obligation] = []
    findings: list[Finding] = []
    scope = {li.id: _layer_scope(ruleset, li.id, parsed.case) for li in ruleset.layers}
    for rr in rules:
        try:
            acc = _run_rule(rr, ruleset, parsed.case, as_of, cal, scope[rr.layer])
        except Exception as exc:  # a rule never costs the report: its error becomes a finding
            acc = _Acc()
            why = f"rule {rr.rule.id} could not be evaluated: {type(exc).__name__}: {exc}"
            ctx = _Ctx(rr, parsed.case, as_of, cal, ruleset)
            acc.add(None, ctx.finding(Status.data_error, "policy", why))
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
    return Report(
        policy_id=parsed.case.policy.policy_id,
        jurisdiction=ruleset.id,
        layers=layer_ids,
        as_of=as_of,
        findings=tuple(findings),
        obligations=tuple(obligations),
        bindings=bindings(ruleset, obligations),
        input_issues=parsed.issues,
        notes=_notes(ruleset, layer_ids),
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

        if is_deadline:
            best = min(obs, key=lambda o: (value(o), order[o.rule_id]))
            what = "due"
        else:
            best = max(obs, key=lambda o: (value(o), -order[o.rule_id]))
            what = "keep until"
        values = {value(o) for o in obs}
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
                annual_rate=rates[best_rr.rule.id],
                conflict=conflict,
                note=f"{key}: " + "; ".join(parts) + f" — {verdict}.",
            )
        )
    return tuple(out)

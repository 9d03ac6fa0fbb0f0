"""Kind ``deadline``: an action within a period after a trigger (5个工作日内回访, 24小时内报案),
or the first matching event after it; approved extensions; actions before the trigger."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .._errors import CalendarRangeError
from ..conditions import all_hold, china_time, day_of, sort_key
from ..context import Acc, Ctx, missing_msg, record_ids
from ..i18n import Message
from ..outputs import Status
from ..periods import DueDate, Period, PeriodUnit
from ..rulesets import (
    DeadlineParams,
    EarlyAction,
)

__all__ = ["evaluate_deadline"]


def _first_event(ctx: Ctx, p: DeadlineParams, trig: Any) -> tuple[Any, tuple[str, ...]]:
    """The earliest matching event on or after the trigger day, and its record id."""
    fe = p.first_event
    assert fe is not None
    items = ctx.selected(Acc(), fe.subject, fe.where)
    dated = sorted(
        (day_of(d), label)
        for label, it in items
        if (d := ctx.get(it, fe.date)) is not None and day_of(d) >= day_of(trig)
    )
    if not dated:
        return None, ()
    return dated[0][0], record_ids(dated[0][1])


def _extended(
    ctx: Ctx, p: DeadlineParams, item: Any, due: DueDate
) -> tuple[DueDate, Message | None]:
    """Apply an approved extension (at most ``max_days`` calendar days) to ``due``."""
    ext = p.extension
    if ext is None:
        return due, None
    days = ctx.get(item, ext.days)
    if not days:
        return due, None
    ok, failed = all_hold(ext.requires, item, ctx.case)
    if ok is False:
        return due, ("ext.unmet", {"days": days, "conds": failed})
    if ok is None:
        return due, ("ext.missing", {"days": days, "missing": missing_msg(failed, item, ctx.case)})
    used = min(int(days), ext.max_days)
    new = ctx.due(due.due_date, Period(amount=used, unit=PeriodUnit.days))
    note: Message = ("ext.used", {"used": used})
    if days > ext.max_days:
        note = ("ext.capped", {"used": used, "days": days, "max_days": ext.max_days})
    why = due.provisional_reason or new.provisional_reason
    merged = new.model_copy(
        update={
            "explanation": f"{due.explanation}; extension: {new.explanation}",
            "provisional": why is not None,
            "provisional_reason": why,
        }
    )
    return merged, note


def evaluate_deadline(ctx: Ctx, acc: Acc) -> None:
    p: DeadlineParams = ctx.rule.params  # type: ignore[assignment]
    items = ctx.subject_items(acc)
    if items is None:
        return
    hourly = p.period.unit is PeriodUnit.hours
    what: Any = p.action or (
        "deadline.first_event",
        {"collection": p.first_event.subject.value},  # type: ignore[union-attr]
    )
    trigger, period = p.trigger, p.period
    for label, item in items:
        rec = ctx.record_ids(label)
        trig = ctx.get(item, trigger)
        if trig is None:
            acc.add(
                None,
                ctx.finding(
                    Status.insufficient_data,
                    label,
                    ("deadline.no_trigger", {"trigger": trigger}),
                    records=rec,
                ),
            )
            continue
        if isinstance(trig, dt.datetime):
            trig = china_time(trig)
        outside = ctx.event_outside(trig)
        if outside is not None:
            msg = ("na.event_outside", {"field": trigger, "why": outside})
            acc.add(None, ctx.finding(Status.not_applicable, label, msg, records=rec))
            continue
        try:
            due = ctx.due(trig, period)
            due, ext_note = _extended(ctx, p, item, due)
        except (CalendarRangeError, ValueError) as exc:
            msg = ("deadline.error", {"trigger": trigger, "error": str(exc)})
            acc.add(None, ctx.finding(Status.data_error, label, msg, trigger=trig, records=rec))
            continue
        deadline = due.due_at or due.due_date
        if p.action is not None:
            act = ctx.get(item, p.action)
        else:
            act, event = _first_event(ctx, p, trig)
            rec = rec + event
        # what every sentence about this item may say (a translation names the period)
        args: dict[str, Any] = {
            "action": what,
            "trigger": trigger,
            "trigger_value": trig,
            "period": period,
            "deadline": deadline,
            "ext": ext_note,
        }
        ob = ctx.obligation(label, ("deadline.requirement", args), due=due)
        kw: dict[str, Any] = {"due": due, "trigger": trig, "records": rec}
        if isinstance(act, dt.datetime):
            act = china_time(act)
        early = act is not None and sort_key(act) < sort_key(trig)
        if early and p.early_action is EarlyAction.data_error and day_of(act) < day_of(trig):
            msg = ("deadline.early", {**args, "done": act})
            f = ctx.finding(Status.data_error, label, msg, **kw)
        elif early and p.early_action is EarlyAction.violation:
            f = ctx.finding(
                Status.violation, label, ("deadline.early", {**args, "done": act}), **kw
            )
        elif act is not None:
            if hourly and isinstance(act, dt.datetime) and due.due_at is not None:
                on_time = act <= due.due_at
            else:
                on_time = day_of(act) <= due.due_date
            if on_time:
                msg = ("deadline.on_time", {**args, "done": act})
                f = ctx.finding(Status.compliant, label, msg, **kw)
            else:
                late: Message | None = None
                if period.unit is PeriodUnit.workdays:
                    try:
                        n = ctx.cal.count_workdays(due.due_date, day_of(act))
                        late = ("deadline.late_by", {"n": n})
                    except CalendarRangeError:
                        late = ("deadline.late_uncounted", {"day": day_of(act)})
                msg = ("deadline.late", {**args, "done": act, "late": late})
                f = ctx.finding(Status.violation, label, msg, **kw)
        elif ctx.as_of > due.due_date:
            f = ctx.finding(Status.violation, label, ("deadline.missing", args), **kw)
        else:
            f = ctx.finding(Status.pending, label, ("deadline.pending", args), **kw)
        acc.add(ob, f)

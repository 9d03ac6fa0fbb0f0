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
from ..periods import DueDate, Period, PeriodUnit, due_point
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


def _before(act: Any, trig: Any) -> bool:
    """``sort_key(act) < sort_key(trig)``: two dates, or two China-time timestamps, compare as
    they are (what their sort keys would answer); only a date against a timestamp needs the
    keys."""
    if type(act) is type(trig):
        return bool(act < trig)
    return bool(sort_key(act) < sort_key(trig))


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
    # per record, only what differs: the paths, the scope, the builders are bound once here
    trigger_of = ctx.getter(trigger)
    action_of = ctx.getter(p.action) if p.action is not None else None
    record_ids_of, due_of, cal, roll = ctx.view.record_ids, ctx.view.due, ctx.cal, True
    finding, obligation = ctx.finding, ctx.obligation
    add_finding, add_obligation = acc.findings.append, acc.obligations.append
    scoped = ctx.scope.events is not None
    extension = p.extension is not None
    early_action, as_of, workdays = p.early_action, ctx.as_of, period.unit is PeriodUnit.workdays
    lean, oblige = acc.lean, acc.oblige
    # lean, without an extension: compliant records need no DueDate (a lean evaluation's
    # obligations, for the bindings, carry the due day and instant only)
    quick = lean and not extension
    lean_obligation = ctx.lean_obligation
    # lean, with an action field and a period not in hours: the usual record (a trigger day and an
    # action day, the action by the due day and not before the trigger unless acting early
    # is acting in time, the trigger inside the scope) is counted first, by what the steps
    # below answer for it (the same due day, the same verdict); any other goes through them
    plain = quick and action_of is not None and not hourly
    early_ok = early_action is EarlyAction.on_time
    lo, hi = ctx.scope.events or (None, None)
    amount, add_workdays, date = period.amount, cal.add_workdays, dt.date
    counted = 0
    for label, item in items:
        trig = trigger_of(item)
        if plain and type(trig) is date:
            act = action_of(item)  # type: ignore[misc]
            if (
                type(act) is date
                and (lo is None or trig >= lo)
                and (hi is None or trig <= hi)
                and (early_ok or act >= trig)
            ):
                try:
                    due_date = (
                        add_workdays(trig, amount) if workdays else due_point(trig, period, cal)[0]
                    )
                except (CalendarRangeError, ValueError):
                    due_date = None  # the steps below say why
                if due_date is not None and act <= due_date:
                    counted += 1
                    if oblige:  # what the steps below build for the bindings
                        args = {
                            "action": what,
                            "trigger": trigger,
                            "trigger_value": trig,
                            "period": period,
                            "deadline": due_date,
                            "ext": None,
                        }
                        add_obligation(
                            lean_obligation(label, ("deadline.requirement", args), due_date, None)
                        )
                    continue
        if trig is None:
            msg: Message = ("deadline.no_trigger", {"trigger": trigger})
            rec = record_ids_of(label)
            add_finding(finding(Status.insufficient_data, label, msg, records=rec))
            continue
        if isinstance(trig, dt.datetime):
            trig = china_time(trig)
        if scoped:
            outside = ctx.event_outside(trig)
            if outside is not None:
                msg = ("na.event_outside", {"field": trigger, "why": outside})
                rec = record_ids_of(label)
                add_finding(finding(Status.not_applicable, label, msg, records=rec))
                continue
        due: DueDate | None = None
        ext_note: Message | None = None
        try:
            if quick:  # the due day alone: the DueDate is built for a row that is kept
                due_date, due_at = due_point(trig, period, cal, roll=roll)
            else:
                due = due_of(trig, period, cal, roll)
                if extension:
                    due, ext_note = _extended(ctx, p, item, due)
                due_date, due_at = due.due_date, due.due_at
        except (CalendarRangeError, ValueError) as exc:
            zh = getattr(exc, "zh", None)  # a calendar error says it in Chinese too
            why = {"error": str(exc), **({"error_zh": zh} if zh is not None else {})}
            msg = ("deadline.error", {"trigger": trigger, **why})
            rec = record_ids_of(label)
            add_finding(finding(Status.data_error, label, msg, trigger=trig, records=rec))
            continue
        event: tuple[str, ...] = ()
        if action_of is not None:
            act = action_of(item)
        else:
            act, event = _first_event(ctx, p, trig)
        # the verdict first: a lean run builds no message for a compliant row
        if act is None:
            verdict = "missing" if as_of > due_date else "pending"
        else:
            if isinstance(act, dt.datetime):
                act = china_time(act)
            # two days (the usual case) compare as they are: what _before and day_of answer
            days = type(act) is dt.date and type(trig) is dt.date
            early = act < trig if days else _before(act, trig)
            if (
                early
                and early_action is EarlyAction.data_error
                and (days or day_of(act) < day_of(trig))
            ):
                verdict = "early_error"
            elif early and early_action is EarlyAction.violation:
                verdict = "early"
            elif (
                act <= due_at  # type: ignore[operator]
                if hourly and isinstance(act, dt.datetime) and due_at is not None
                else (act if type(act) is dt.date else day_of(act)) <= due_date
            ):
                verdict = "on_time"
            else:
                verdict = "late"
        keep = not (lean and verdict == "on_time")  # a lean run counts a compliant row
        if keep or oblige:
            # what every sentence about this item may say (a translation names the period)
            args: dict[str, Any] = {
                "action": what,
                "trigger": trigger,
                "trigger_value": trig,
                "period": period,
                "deadline": due_at or due_date,
                "ext": ext_note,
            }
            if oblige and lean:  # for the bindings: the due day and instant, no DueDate
                req: Message = ("deadline.requirement", args)
                add_obligation(lean_obligation(label, req, due_date, due_at))
        if not keep:
            counted += 1
            continue
        if due is None:  # a row is built: its due date with how it was computed
            due = due_of(trig, period, cal, roll)
        if oblige and not lean:
            add_obligation(obligation(label, ("deadline.requirement", args), due=due))
        rec = record_ids_of(label) + event
        if verdict == "missing":
            msg, status = ("deadline.missing", args), Status.violation
        elif verdict == "pending":
            msg, status = ("deadline.pending", args), Status.pending
        elif verdict == "early_error":
            msg, status = ("deadline.early", {**args, "done": act}), Status.data_error
        elif verdict == "early":
            msg, status = ("deadline.early", {**args, "done": act}), Status.violation
        elif verdict == "on_time":
            msg, status = ("deadline.on_time", {**args, "done": act}), Status.compliant
        else:
            late: Message | None = None
            if workdays:
                try:
                    n = cal.count_workdays(due_date, day_of(act))
                    late = ("deadline.late_by", {"n": n})
                except CalendarRangeError:
                    late = ("deadline.late_uncounted", {"day": day_of(act)})
            msg = ("deadline.late", {**args, "done": act, "late": late})
            status = Status.violation
        add_finding(finding(status, label, msg, due=due, trigger=trig, records=rec))
    acc.counted += counted

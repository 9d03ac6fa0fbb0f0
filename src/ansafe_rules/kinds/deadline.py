"""Kind ``deadline``: an action within a period after a trigger (5个工作日内回访, 24小时内报案),
or the first matching event after it; approved extensions; actions before the trigger."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .._errors import CalendarRangeError
from ..conditions import all_hold, china_time, day_of, describe, missing, sort_key
from ..context import Acc, Ctx, record_ids
from ..outputs import Status
from ..periods import DueDate, Period, PeriodUnit, compute_due
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


def _extended(ctx: Ctx, p: DeadlineParams, item: Any, due: DueDate) -> tuple[DueDate, str]:
    """Apply an approved extension (at most ``max_days`` calendar days) to ``due``."""
    ext = p.extension
    if ext is None:
        return due, ""
    days = ctx.get(item, ext.days)
    if not days:
        return due, ""
    ok, failed = all_hold(ext.requires, item, ctx.case)
    if ok is False:
        return due, f"; extension of {days} days not counted ({describe(failed)} not met)"
    if ok is None:
        why = f"missing {missing(failed, item, ctx.case)}"
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


def evaluate_deadline(ctx: Ctx, acc: Acc) -> None:
    p: DeadlineParams = ctx.rule.params  # type: ignore[assignment]
    items = ctx.subject_items(acc)
    if items is None:
        return
    hourly = p.period.unit is PeriodUnit.hours
    what = p.action or f"first {p.first_event.subject.value} event"  # type: ignore[union-attr]
    for label, item in items:
        rec = record_ids(label)
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
        early = act is not None and sort_key(act) < sort_key(trig)
        if early and p.early_action is EarlyAction.data_error and day_of(act) < day_of(trig):
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
                on_time = day_of(act) <= due.due_date
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
                        n = ctx.cal.count_workdays(due.due_date, day_of(act))
                        late = f", {n} working day(s) late"
                    except CalendarRangeError:
                        late = (
                            f"; working days late not counted: {day_of(act)} is past the calendar"
                        )
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

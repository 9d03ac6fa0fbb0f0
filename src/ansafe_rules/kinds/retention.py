"""Kind ``retention``: keep for at least a period (保留5年); no destruction before its end."""

from __future__ import annotations

from ..conditions import day_of
from ..context import Acc, Ctx, record_ids
from ..outputs import Status
from ..periods import compute_due
from ..rulesets import (
    RetentionParams,
)

__all__ = ["evaluate_retention"]


def evaluate_retention(ctx: Ctx, acc: Acc) -> None:
    p: RetentionParams = ctx.rule.params  # type: ignore[assignment]
    items = ctx.subject_items(acc)
    if items is None:
        return
    for label, item in items:
        rec = record_ids(label)
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
        if gone is not None and day_of(gone) <= end.due_date:
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

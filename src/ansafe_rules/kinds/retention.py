"""Kind ``retention``: keep for at least a period (保留5年); no destruction before its end."""

from __future__ import annotations

from typing import Any

from ..conditions import day_of
from ..context import Acc, Ctx
from ..i18n import Message
from ..outputs import Status
from ..rulesets import (
    RetentionParams,
)

__all__ = ["evaluate_retention"]


def evaluate_retention(ctx: Ctx, acc: Acc) -> None:
    p: RetentionParams = ctx.rule.params  # type: ignore[assignment]
    items = ctx.subject_items(acc)
    if items is None:
        return
    anchor_of, destroyed_of = ctx.getter(p.anchor), ctx.getter(p.destroyed)
    record_ids_of, finding, obligation = ctx.view.record_ids, ctx.finding, ctx.obligation
    for label, item in items:
        rec = record_ids_of(label)
        anchor = anchor_of(item)
        if anchor is None:
            msg: Message = ("retention.no_anchor", {"anchor": p.anchor})
            acc.add(None, finding(Status.insufficient_data, label, msg, records=rec))
            continue
        end = ctx.due(anchor, p.period, roll=p.roll)
        args: dict[str, Any] = {
            "until": end.due_date,
            "period": p.period,
            "anchor": p.anchor,
            "anchor_value": anchor,
        }
        ob = obligation(label, ("retention.requirement", args), due=end, retain_until=end.due_date)
        gone = destroyed_of(item)
        if gone is not None and day_of(gone) <= end.due_date:
            msg = ("retention.destroyed_early", {**args, "destroyed": gone})
            status = Status.violation
        elif gone is not None:
            msg = ("retention.destroyed_after", {**args, "destroyed": gone})
            status = Status.compliant
        elif ctx.as_of <= end.due_date:
            msg, status = ("retention.kept", args), Status.pending
        else:
            msg, status = ("retention.past", args), Status.compliant
        acc.add(ob, finding(status, label, msg, due=end, trigger=anchor, records=rec))

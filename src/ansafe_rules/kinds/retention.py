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
    for label, item in items:
        rec = ctx.record_ids(label)
        anchor = ctx.get(item, p.anchor)
        if anchor is None:
            msg: Message = ("retention.no_anchor", {"anchor": p.anchor})
            acc.add(None, ctx.finding(Status.insufficient_data, label, msg, records=rec))
            continue
        end = ctx.due(anchor, p.period, roll=p.roll)
        args: dict[str, Any] = {
            "until": end.due_date,
            "period": p.period,
            "anchor": p.anchor,
            "anchor_value": anchor,
        }
        ob = ctx.obligation(
            label, ("retention.requirement", args), due=end, retain_until=end.due_date
        )
        gone = ctx.get(item, p.destroyed)
        kw: dict[str, Any] = {"due": end, "trigger": anchor, "records": rec}
        if gone is not None and day_of(gone) <= end.due_date:
            msg = ("retention.destroyed_early", {**args, "destroyed": gone})
            f = ctx.finding(Status.violation, label, msg, **kw)
        elif gone is not None:
            msg = ("retention.destroyed_after", {**args, "destroyed": gone})
            f = ctx.finding(Status.compliant, label, msg, **kw)
        elif ctx.as_of <= end.due_date:
            f = ctx.finding(Status.pending, label, ("retention.kept", args), **kw)
        else:
            f = ctx.finding(Status.compliant, label, ("retention.past", args), **kw)
        acc.add(ob, f)

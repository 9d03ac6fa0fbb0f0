"""Kind ``prohibition``: no item may match all the forbidden conditions (不得, 禁止, 不应)."""

from __future__ import annotations

from ..conditions import all_hold, missing
from ..context import Acc, Ctx, record_ids
from ..outputs import Status
from ..rulesets import ProhibitionParams

__all__ = ["evaluate_prohibition"]


def evaluate_prohibition(ctx: Ctx, acc: Acc) -> None:
    p: ProhibitionParams = ctx.rule.params  # type: ignore[assignment]
    items = ctx.subject_items(acc)
    if items is None:
        return
    text = "; ".join(c.describe() for c in p.forbid)
    for label, item in items:
        rec = record_ids(label)
        ok, failed = all_hold(p.forbid, item, ctx.case)
        ob = ctx.obligation(label, "must not: " + text)
        if ok is None:
            msg = f"cannot judge: missing {missing(failed, item, ctx.case)}"
            f = ctx.finding(Status.insufficient_data, label, msg, records=rec)
        elif ok:
            f = ctx.finding(Status.violation, label, f"prohibited: {text}", records=rec)
        else:
            f = ctx.finding(Status.compliant, label, "no prohibited condition", records=rec)
        acc.add(ob, f)

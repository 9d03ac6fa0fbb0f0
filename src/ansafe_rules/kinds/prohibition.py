"""Kind ``prohibition``: no item may match all the forbidden conditions (不得, 禁止, 不应)."""

from __future__ import annotations

from ..conditions import all_hold
from ..context import Acc, Ctx, missing_msg
from ..i18n import Message
from ..outputs import Status
from ..rulesets import ProhibitionParams

__all__ = ["evaluate_prohibition"]


def evaluate_prohibition(ctx: Ctx, acc: Acc) -> None:
    p: ProhibitionParams = ctx.rule.params  # type: ignore[assignment]
    items = ctx.subject_items(acc)
    if items is None:
        return
    forbid = {"forbid": p.forbid}
    for label, item in items:
        rec = ctx.record_ids(label)
        ok, failed = all_hold(p.forbid, item, ctx.case)
        ob = ctx.obligation(label, ("prohibition.requirement", forbid))
        if ok is None:
            gap = ("common.missing", {"missing": missing_msg(failed, item, ctx.case)})
            msg: Message = ("common.cannot_judge", {"gaps": [gap]})
            f = ctx.finding(Status.insufficient_data, label, msg, records=rec)
        elif ok:
            f = ctx.finding(Status.violation, label, ("prohibition.hit", forbid), records=rec)
        else:
            msg = ("prohibition.clear", {})
            f = ctx.finding(Status.compliant, label, msg, records=rec)
        acc.add(ob, f)

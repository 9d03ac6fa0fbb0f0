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
    # one message of each per rule (rows only read them); the builders bound once
    requirement: Message = ("prohibition.requirement", forbid)
    hit: Message = ("prohibition.hit", forbid)
    clear: Message = ("prohibition.clear", {})
    record_ids_of, finding, obligation = ctx.view.record_ids, ctx.finding, ctx.obligation
    conds, case = p.forbid, ctx.case
    lean, oblige = acc.lean, acc.oblige
    for label, item in items:
        rec = record_ids_of(label)
        ok, failed = all_hold(conds, item, case)
        ob = obligation(label, requirement) if oblige else None
        if ok is None:
            gap = ("common.missing", {"missing": missing_msg(failed, item, case)})
            msg: Message = ("common.cannot_judge", {"gaps": [gap]})
            f = finding(Status.insufficient_data, label, msg, records=rec)
        elif ok:
            f = finding(Status.violation, label, hit, records=rec)
        elif lean:
            acc.counted += 1
            acc.add(ob, None)
            continue
        else:
            f = finding(Status.compliant, label, clear, records=rec)
        acc.add(ob, f)

"""Kind ``qualification``: every item must meet threshold conditions (资质, 人员配备, 到场)."""

from __future__ import annotations

from typing import Any

from ..conditions import all_hold, describe, missing
from ..context import Acc, Ctx, record_ids
from ..outputs import Status
from ..rulesets import QualificationParams

__all__ = ["evaluate_qualification"]


def _counts(ctx: Ctx, p: QualificationParams, item: Any) -> tuple[list[str], list[str]]:
    """(shortfalls, undecidable) of the require_counts of one item."""
    short, unknown = [], []
    for rc in p.require_counts:
        n = maybe = 0
        for x in ctx.get(item, rc.field) or ():
            r, _ = all_hold(rc.where, x, ctx.case)
            n += r is True
            maybe += r is None
        if n < rc.min:
            text = f"{n} {rc.label} (at least {rc.min})"
            (unknown if n + maybe >= rc.min else short).append(text)
    return short, unknown


def evaluate_qualification(ctx: Ctx, acc: Acc) -> None:
    p: QualificationParams = ctx.rule.params  # type: ignore[assignment]
    items = ctx.subject_items(acc)
    if items is None:
        return
    text = "; ".join(
        [c.describe() for c in p.require]
        + [f"at least {rc.min} {rc.label}" for rc in p.require_counts]
    )
    for label, item in items:
        rec = record_ids(label)
        ok, failed = all_hold(p.require, item, ctx.case)
        ob = ctx.obligation(label, "must: " + text)
        short, unknown = _counts(ctx, p, item)
        if ok is False or short:
            fails = ([describe(failed)] if ok is False else []) + short
            f = ctx.finding(Status.violation, label, "fails " + "; ".join(fails), records=rec)
        elif ok is None or unknown:
            gaps = ([f"missing {missing(failed, item, ctx.case)}"] if ok is None else []) + unknown
            f = ctx.finding(
                Status.insufficient_data, label, "cannot judge: " + "; ".join(gaps), records=rec
            )
        else:
            f = ctx.finding(Status.compliant, label, f"meets {text}", records=rec)
        acc.add(ob, f)

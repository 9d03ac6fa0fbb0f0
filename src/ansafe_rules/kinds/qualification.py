"""Kind ``qualification``: every item must meet threshold conditions (资质, 人员配备, 到场)."""

from __future__ import annotations

from typing import Any

from ..conditions import all_hold
from ..context import Acc, Ctx, missing_msg
from ..i18n import Message
from ..outputs import Status
from ..rulesets import CountRequirement, QualificationParams

__all__ = ["evaluate_qualification"]


def _counts(ctx: Ctx, p: QualificationParams, item: Any) -> tuple[list[Any], list[Any]]:
    """(shortfalls, undecidable) of the require_counts of one item."""
    short: list[Any] = []
    unknown: list[Any] = []
    for rc in p.require_counts:
        n = maybe = 0
        for x in ctx.get(item, rc.field) or ():
            r, _ = all_hold(rc.where, x, ctx.case)
            n += r is True
            maybe += r is None
        if n < rc.min:
            msg: Message = ("qual.count", {"n": n, "min": rc.min, **_labels(rc)})
            (unknown if n + maybe >= rc.min else short).append(msg)
    return short, unknown


def _labels(rc: CountRequirement) -> dict[str, str]:
    """What a count requirement counts, in English and Chinese (the English when the ruleset
    gives no Chinese)."""
    return {"label": rc.label, "label_zh": rc.label_zh or rc.label}


def evaluate_qualification(ctx: Ctx, acc: Acc) -> None:
    p: QualificationParams = ctx.rule.params  # type: ignore[assignment]
    items = ctx.subject_items(acc)
    if items is None:
        return
    needs = {
        "requirements": [
            *p.require,
            *(("qual.at_least", {"min": rc.min, **_labels(rc)}) for rc in p.require_counts),
        ]
    }
    requirement: Message = ("qual.requirement", needs)  # one per rule: rows only read it
    meets: Message = ("qual.meets", needs)
    require, case, counts = p.require, ctx.case, bool(p.require_counts)
    record_ids_of, finding, obligation = ctx.view.record_ids, ctx.finding, ctx.obligation
    no_counts: tuple[list[Any], list[Any]] = ([], [])
    lean, oblige = acc.lean, acc.oblige
    for label, item in items:
        rec = record_ids_of(label)
        ok, failed = all_hold(require, item, case)
        if oblige:
            acc.obligations.append(obligation(label, requirement))
        short, unknown = _counts(ctx, p, item) if counts else no_counts
        if ok is False or short:
            fails = ([failed] if ok is False else []) + short
            msg: Message = ("qual.fails", {"failures": fails})
            f = ctx.finding(Status.violation, label, msg, records=rec)
        elif ok is None or unknown:
            gaps = (
                [("common.missing", {"missing": missing_msg(failed, item, ctx.case)})]
                if ok is None
                else []
            ) + unknown
            msg = ("common.cannot_judge", {"gaps": gaps})
            f = ctx.finding(Status.insufficient_data, label, msg, records=rec)
        elif lean:
            acc.counted += 1
            continue
        else:
            f = finding(Status.compliant, label, meets, records=rec)
        acc.findings.append(f)

"""Kind ``required_fields``: fields, listed documents or contents must be present."""

from __future__ import annotations

from typing import Any

from ..conditions import is_empty, norm, resolve
from ..context import Acc, Ctx
from ..i18n import Message
from ..outputs import Status
from ..rulesets import (
    RequiredFieldsParams,
)

__all__ = ["evaluate_required_fields"]


def evaluate_required_fields(ctx: Ctx, acc: Acc) -> None:
    p: RequiredFieldsParams = ctx.rule.params  # type: ignore[assignment]
    items = ctx.subject_items(acc)
    if items is None:
        return
    needed: list[Any] = [
        *p.fields,
        *(("fields.contains", {"field": c.field, "values": list(c.values)}) for c in p.contains),
    ]
    req: Message = ("fields.requirement", {"needed": needed})
    for label, item in items:
        rec = ctx.record_ids(label)
        missing: list[Any] = [f for f in p.fields if is_empty(ctx.get(item, f))]
        for c in p.contains:
            listed = ctx.get(item, c.field) or ()
            have = {norm(resolve(x, c.key) if c.key else x) for x in listed}
            missing += [
                ("fields.contains", {"field": c.field, "values": [v]})
                for v in c.values
                if v not in have
            ]
        ob = ctx.obligation(label, req)
        if missing:
            msg: Message = ("fields.missing", {"absent": missing})
            f = ctx.finding(Status.violation, label, msg, records=rec)
        else:
            f = ctx.finding(Status.compliant, label, ("fields.complete", {}), records=rec)
        acc.add(ob, f)

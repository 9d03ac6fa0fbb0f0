"""Kind ``required_fields``: fields, listed documents or contents must be present."""

from __future__ import annotations

from typing import Any

from ..conditions import _SIZED, listed_values
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
    # bound once per rule, not per record: the field readers and one shared "complete" message
    # (rows only read their messages)
    readers = [(f, ctx.getter(f)) for f in p.fields]
    contains = [(c, ctx.getter(c.field)) for c in p.contains]
    complete: Message = ("fields.complete", {})
    record_ids_of, finding, obligation = ctx.view.record_ids, ctx.finding, ctx.obligation
    add_finding, add_obligation = acc.findings.append, acc.obligations.append
    lean, oblige = acc.lean, acc.oblige
    for label, item in items:
        # is_empty() inlined: a call per field of every record costs more than the test
        missing: list[Any] = [
            f
            for f, read in readers
            if (v := read(item)) is None or (isinstance(v, _SIZED) and len(v) == 0)
        ]
        for c, read in contains:
            listed = read(item) or ()
            have = listed_values(listed, c.key)
            missing += [
                ("fields.contains", {"field": c.field, "values": [v]})
                for v in c.values
                if v not in have
            ]
        if oblige:
            add_obligation(obligation(label, req))
        if missing:
            msg: Message = ("fields.missing", {"absent": missing})
            add_finding(finding(Status.violation, label, msg, records=record_ids_of(label)))
        elif lean:
            acc.counted += 1
        else:
            add_finding(finding(Status.compliant, label, complete, records=record_ids_of(label)))

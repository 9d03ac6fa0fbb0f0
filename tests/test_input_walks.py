"""The two walks input validation makes over every record (issue 8: input validation is part
of every run): the nesting-depth check on the raw data and the search for dates past
``max_date`` in the validated models. Both were rewritten for speed; these tests hold them to
the straightforward versions they replace, on generated data and on every shipped example."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import ansafe_rules as ar
from ansafe_rules import inputs, model

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from scaled import examples, scaled


def nesting(x: Any) -> int:
    """How many containers deep ``x`` goes (0 for a scalar): the plain definition."""
    if isinstance(x, dict | list):
        return 1 + max((nesting(y) for y in (x.values() if isinstance(x, dict) else x)), default=0)
    return 0


def depth_over_reference(data: Any, max_depth: int) -> bool:
    return nesting(data) > max_depth


def late_dates_reference(obj: Any, limit: dt.date, prefix: str = "") -> Iterator[tuple]:
    if isinstance(obj, dt.date):
        if (obj.date() if isinstance(obj, dt.datetime) else obj) > limit:
            yield prefix, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from late_dates_reference(
                getattr(obj, name), limit, f"{prefix}.{name}" if prefix else name
            )
    elif isinstance(obj, tuple):
        for i, x in enumerate(obj):
            yield from late_dates_reference(x, limit, f"{prefix}.{i}")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=2), inner, max_size=4)
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(JSON, st.integers(min_value=1, max_value=12))
def test_depth_check_agrees_with_the_plain_walk(data: Any, max_depth: int) -> None:
    assert inputs._depth_over(data, max_depth) == depth_over_reference(data, max_depth)
    # a limit above what recursion may reach takes the iterative path: same answers
    big = max_depth + inputs._RECURSIVE_DEPTH
    assert inputs._depth_over(data, big) == depth_over_reference(data, big)


def test_depth_check_at_the_boundary() -> None:
    nested: Any = "x"
    for _ in range(10):
        nested = [nested]
    assert not inputs._depth_over(nested, 10) and inputs._depth_over(nested, 9)
    assert not inputs._depth_over({"a": {"b": 1}}, 2) and inputs._depth_over({"a": {"b": []}}, 2)
    deep: Any = {}
    for _ in range(3000):  # deeper than Python's recursion limit, with a limit as high
        deep = {"k": deep}
    assert inputs._depth_over(deep, 2999) and not inputs._depth_over(deep, 3001)


def test_late_dates_agree_with_the_plain_walk_on_every_example() -> None:
    limits = (
        dt.date(2025, 1, 1),
        dt.date(2025, 10, 1),
        dt.date(2026, 6, 30),
        dt.date(9899, 12, 31),
    )
    seen = 0
    for name, raw in examples().items():
        case = ar.parse_case(scaled(raw, 30, f"W-{name}")).case
        records: list[Any] = [case.policy, case.scheme, case.quote_letter]
        records += [r for c in model.COLLECTIONS for r in getattr(case, c)]
        for rec in records:
            for limit in limits:
                got = inputs._late_dates(rec, limit)
                assert got == list(late_dates_reference(rec, limit)), (name, limit)
                seen += len(got)
    assert seen > 1000  # the early limits find many dates: the walks were compared on them


def test_only_fields_that_cannot_hold_dates_are_skipped() -> None:
    """Every field whose type names a date or a model (alone, optional or in a tuple) is
    walked, in every model of a case; text, numbers and codes are not."""
    classes = [
        c
        for c in vars(model).values()
        if isinstance(c, type) and issubclass(c, BaseModel) and c.__module__ == model.__name__
    ]
    assert len(classes) > 10
    enums = sorted(
        (n for n, c in vars(model).items() if isinstance(c, type) and issubclass(c, Enum)),
        key=len,
        reverse=True,
    )
    for cls in classes:
        dated = inputs._dated_fields(cls)
        for name, f in cls.model_fields.items():
            shown = repr(f.annotation)
            for e in enums:  # codes hold no dates
                shown = shown.replace(f"ansafe_rules.model.{e}", "")
            if "date" in shown or "ansafe_rules.model" in shown or "Any" in shown:
                assert name in dated, (cls.__name__, name, shown)
    assert "term_start" in inputs._dated_fields(model.Policy)
    assert "policy_id" not in inputs._dated_fields(model.Policy)

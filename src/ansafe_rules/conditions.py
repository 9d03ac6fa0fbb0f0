"""The conditions language of rulesets: dotted paths (through lists, with ``|min`` ``|max``
``|count`` aggregates, ``$case.`` roots), the operators, and unknown values. Dates and
timestamps compare in China time."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import operator
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

from .rulesets import (
    Condition,
    Op,
    split_aggregate,
)

__all__ = [
    "CHINA_TZ",
    "all_hold",
    "china_time",
    "compile_condition",
    "day_of",
    "describe",
    "get",
    "holds",
    "is_empty",
    "item_getter",
    "missing",
    "norm",
    "resolve",
    "sort_key",
]


# Type tuples for isinstance in the hot paths: `tuple | list` written in a call builds a union
# object at every call, which doubles the test's cost (131 against 62 ns, CPython 3.11).
_LISTS = (tuple, list)
_NUMBERS = (float, int)
_ENUM_VALUE = Enum.__dict__["value"]  # what an enum member's `value` is, unless overridden


@functools.lru_cache(maxsize=1024)
def _is_model(t: type) -> bool:
    """Whether ``t`` is a pydantic model class (``isinstance`` through pydantic's ABC metaclass
    costs more than the lookup itself; a bounded memo of a pure function of the type)."""
    return issubclass(t, BaseModel)


@functools.lru_cache(maxsize=1024)
def _is_enum(t: type) -> bool:
    """Whether ``t`` is an enum whose members :func:`norm` reads by their value, their
    ``_value_`` (its ``value`` is Enum's own, not overridden), and that no list test takes
    for a list (not a tuple or list subclass). A bounded memo of a pure function of the
    type."""
    return (
        issubclass(t, Enum)
        and not issubclass(t, tuple | list)
        and inspect.getattr_static(t, "value", None) is _ENUM_VALUE
    )


def _step(obj: Any, part: str) -> Any:
    t = type(obj)
    if t is dict:
        return obj.get(part)
    if _is_model(t):  # the usual case: a validated record
        return getattr(obj, part, None)
    if isinstance(obj, _LISTS):
        # through a list: the values of every item, flattened, missing ones left out
        out: list[Any] = []
        for x in obj:
            try:  # a validated record's field, as _walk reads it
                v = x.__dict__[part]
            except (AttributeError, KeyError):
                v = _step(x, part)
            if isinstance(v, _LISTS):
                out.extend(v)
            elif v is not None:
                out.append(v)
        return tuple(out)
    return obj.get(part) if isinstance(obj, Mapping) else getattr(obj, part, None)


@functools.lru_cache(maxsize=4096)
def _parsed(path: str) -> tuple[bool, tuple[str, ...], str | None]:
    """``path`` parsed once: (read from the case?, its steps, its aggregate). A memo of a pure
    function of the text, bounded."""
    from_case = path.startswith("$case.")
    base, agg = split_aggregate(path.removeprefix("$case.") if from_case else path)
    return from_case, tuple(base.split(".")), agg


def _aggregate(values: Any, agg: str) -> Any:
    items = [v for v in (values or ()) if v is not None]
    if agg == "count":
        return len(items)
    if not items:
        return None
    if all(type(v) is dt.date for v in items):
        # plain days (`started_on|min`): ordered as they are, the order their sort keys (a
        # day's China midnight) give, and the first of equals is the same day; without a key
        # made per value (a rule reads the earliest service of every record of a case)
        return min(items) if agg == "min" else max(items)
    try:
        return min(items, key=sort_key) if agg == "min" else max(items, key=sort_key)
    except TypeError:
        return None


def resolve(obj: Any, path: str) -> Any:
    """Dotted attribute lookup; None when any step is missing. Through a list it yields the
    values of all items (``policy.contract_services.service_kind``); a ``|min``, ``|max`` or
    ``|count`` suffix aggregates them."""
    base, agg = split_aggregate(path)
    return _walk(obj, _parsed(base)[1], agg)


def _walk(obj: Any, parts: tuple[str, ...], agg: str | None) -> Any:
    for part in parts:
        if obj is None:
            break
        try:
            # fast path: a field of a validated record is in its __dict__ (what getattr finds,
            # without the type test and the call of _step); anything else goes through _step
            obj = obj.__dict__[part]
        except (AttributeError, KeyError):
            obj = _step(obj, part)
    if agg is not None:
        return _aggregate(obj if isinstance(obj, _LISTS) else (obj,), agg)
    return obj


CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
"""China Standard Time. UTC+8 without daylight saving since 1992, so a fixed offset is exact
for every date the calendar covers; naive timestamps in the input are read in it."""


def china_time(v: dt.datetime) -> dt.datetime:
    """An aware timestamp in China time (a naive one is taken to be China time already)."""
    return v.replace(tzinfo=CHINA_TZ) if v.tzinfo is None else v.astimezone(CHINA_TZ)


def sort_key(v: Any) -> Any:
    """Dates and timestamps comparable with each other (a date as its China midnight)."""
    if isinstance(v, dt.datetime):
        return china_time(v)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day, tzinfo=CHINA_TZ)
    return v


_SIZED = (str, tuple, list, dict, set)


def is_empty(v: Any) -> bool:
    return v is None or (isinstance(v, _SIZED) and len(v) == 0)


def norm(v: Any) -> Any:
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, _NUMBERS) and not isinstance(v, bool):
        return Decimal(str(v))
    if isinstance(v, dt.datetime):
        return china_time(v)
    return v


def listed_values(listed: Iterable[Any], key: str | None) -> set[Any]:
    """``{norm(resolve(x, key) if key else x) for x in listed}``: the normalised values of a
    list (a report's contents, a record's documents), or of the ``key`` of each of its items;
    a text taken as it is (what norm() gives for it), the key's path parsed once."""
    if not key:
        return {x if type(x) is str else norm(x) for x in listed}
    if key.startswith("$case."):  # item_getter refuses it; resolve reads it below the item
        return {norm(resolve(x, key)) for x in listed}
    read = item_getter(key)
    return {v if type(v := read(x)) is str else norm(v) for x in listed}


def get(root: Any, path: str, case: Any = None) -> Any:
    """Value at ``path`` below ``root``; ``$case.``-paths are read from ``case``."""
    from_case, parts, agg = _parsed(path)
    return _walk(case if from_case else root, parts, agg)


def holds(c: Condition, root: Any, case: Any = None) -> bool | None:
    """True/False, or None when a value the condition needs is missing (unknown)."""
    return c.test(root, case)


def _getter(path: str) -> Callable[[Any, Any], Any]:
    """A function of (item, case) reading ``path`` (:func:`get`), specialised once."""
    from_case, parts, agg = _parsed(path)
    if from_case:
        return lambda root, case: _walk(case, parts, agg)
    if agg is None and len(parts) == 1:
        name = parts[0]

        def one_step(root: Any, case: Any) -> Any:
            try:  # a record's field: its __dict__ (as in _walk)
                return root.__dict__[name]
            except (AttributeError, KeyError):
                return _walk(root, parts, None)

        return one_step
    return lambda root, case: _walk(root, parts, agg)


def item_getter(path: str) -> Callable[[Any], Any]:
    """A function of an item reading ``path`` below it, as ``get(item, path)`` does, specialised
    once per rule (kinds read a few paths of every record: parsing the path and the calls of
    :func:`get` per read cost more than the read). Not for ``$case.`` paths (see
    :meth:`ansafe_rules.context.Ctx.getter`)."""
    from_case, parts, agg = _parsed(path)
    if from_case:
        raise ValueError(f"{path!r} is read from the case, not from an item")
    if agg is None and len(parts) == 1:
        name = parts[0]

        def one_step(root: Any) -> Any:
            try:  # a record's field: its __dict__ (as in _walk)
                return root.__dict__[name]
            except (AttributeError, KeyError):
                return _walk(root, parts, None)

        return one_step
    return lambda root: _walk(root, parts, agg)


def compile_condition(c: Condition) -> Callable[[Any, Any], bool | None]:
    """``c`` as a function of (item, case); see :func:`holds` for what it answers. Groups
    evaluate every member (no short cut), as the language defines."""
    if c.all_of is not None or c.any_of is not None:
        is_all = c.all_of is not None
        subs = [x.test for x in (c.all_of if is_all else c.any_of)]  # type: ignore[union-attr]

        def group(root: Any, case: Any) -> bool | None:
            results = [t(root, case) for t in subs]
            decisive = not is_all  # all_of: one False decides; any_of: one True
            if any(r is decisive for r in results):
                return decisive
            return None if any(r is None for r in results) else not decisive

        return group
    assert c.field is not None and c.op is not None
    op, left_of = c.op, _getter(c.field)
    from_case, parts, agg = _parsed(c.field)
    field = parts[0] if not from_case and agg is None and len(parts) == 1 else None
    if field is not None and op is Op.present:
        # a record's own field present (the commonest condition): the read inlined too
        def present_field(root: Any, case: Any) -> bool:
            try:
                v = root.__dict__[field]
            except (AttributeError, KeyError):
                v = _walk(root, parts, None)
            if v is None:
                return False
            t = type(v)
            if t is dt.date or t is dt.datetime:  # a day or a time: present (not sized)
                return True
            return not (isinstance(v, _SIZED) and len(v) == 0)

        return present_field
    # present/absent: is_empty() inlined (the commonest conditions, tested on every record)
    if op is Op.present:

        def present(root: Any, case: Any) -> bool:
            v = left_of(root, case)
            return not (v is None or (isinstance(v, _SIZED) and len(v) == 0))

        return present
    if op is Op.absent:

        def absent(root: Any, case: Any) -> bool:
            v = left_of(root, case)
            return v is None or (isinstance(v, _SIZED) and len(v) == 0)

        return absent
    if op is Op.nonempty:

        def nonempty(root: Any, case: Any) -> bool:
            left = left_of(root, case)
            return left is not None and len(left) > 0

        return nonempty
    if op is Op.empty:

        def empty(root: Any, case: Any) -> bool:
            left = left_of(root, case)
            return left is None or len(left) == 0

        return empty
    right_of = _getter(c.value_field) if c.value_field is not None else None
    const = c.value
    lists_ok = op in (Op.any_in, Op.none_in)

    simple = type(c.value_norm) if op in _EQ_NE and right_of is None else None
    cmp = _COMPARE.get(op)
    simple_value, is_eq = c.value_norm if simple is not None else None, op is Op.eq

    def compare(root: Any, case: Any) -> bool | None:
        left = left_of(root, case)
        if simple is not None:
            if type(left) is simple and simple in _PLAIN:
                # `flag eq True`, `kind eq "x"`: what the general path below answers, directly
                return (left == simple_value) is is_eq
            if simple is str and _is_enum(type(left)) and type(left._value_) is str:
                # an enum field against a text (`kind eq training`): norm() gives its value,
                # a str, and two strs compare: the general path's answer, without its steps
                return (left._value_ == simple_value) is is_eq
        right = right_of(root, case) if right_of is not None else const
        if left is None or right is None:
            return None
        if not lists_ok and isinstance(left, _LISTS):
            return None  # a list compared with a scalar: not decidable
        if type(left) not in _NORM_KEEPS:  # norm() would return a date or a str as it is
            left = norm(left)
        if op in _SET_OPS:
            values = c.value_set if right_of is None else {norm(x) for x in right}
            if op is Op.in_:
                return left in values
            if op is Op.not_in:
                return left not in values
            # each value as norm() gives it (a text as it is, an enum member by its value)
            have = {
                x if type(x) is str else x._value_ if _is_enum(type(x)) else norm(x)
                for x in (left if isinstance(left, _LISTS) else (left,))
            }
            hit = not have.isdisjoint(values)
            return hit if op is Op.any_in else not hit
        if right_of is None:
            right = c.value_norm
        elif type(right) not in _NORM_KEEPS:
            right = norm(right)
        if type(left) is type(right) and cmp is not None:
            if type(left) in _ORDERED:
                # two dates, two China-time timestamps or two strings: always ordered, so the
                # general path below would give this same answer (and never None)
                return cmp(left, right)
            if type(left) is Decimal and left.is_finite() and right.is_finite():
                # two finite numbers (amounts, counts; norm() made them Decimals): ordered
                # too (a NaN would make the general path's orderings raise: left to it)
                return cmp(left, right)
        if isinstance(left, dt.date) != isinstance(right, dt.date) or (
            isinstance(left, dt.datetime) != isinstance(right, dt.datetime)
        ):
            left, right = sort_key(left), sort_key(right)
        try:  # values that cannot be ordered are undecidable, whatever the operator
            return {
                Op.eq: left == right,
                Op.ne: left != right,
                Op.lt: left < right,
                Op.le: left <= right,
                Op.gt: left > right,
                Op.ge: left >= right,
            }[op]
        except TypeError:
            return None

    if field is not None and cmp is not None:
        fast = _ordered_field(c, field, cmp, compare)
        if fast is not None:
            return fast
    if field is None or right_of is not None:
        return compare
    by_text = simple is str
    if not by_text and op is not Op.in_ and op is not Op.not_in:
        return compare
    # a record's field against a text (`kind eq training`, `role ne manager`) or in a list of
    # constants: a text, or an enum member's value when it is a text (what norm() gives, as
    # compare's steps read it), is compared or looked up in the normalised list directly;
    # anything else (other str subclasses included) goes through compare
    is_in, members = op is Op.in_, None
    if not by_text:
        try:
            members = c.value_set
        except TypeError:  # a member that cannot be looked up: compare raises as it did
            return compare

    def text_field(root: Any, case: Any) -> bool | None:
        try:
            left = root.__dict__[field]
        except (AttributeError, KeyError):
            return compare(root, case)
        if type(left) is not str and (
            not _is_enum(type(left)) or type(left := left._value_) is not str
        ):
            return compare(root, case)
        if by_text:
            return (left == simple_value) is is_eq
        return (left in members) is is_in

    # what a column of texts answers (see column_answers): the field, and the value or the
    # members with the answer a match gives
    text_field.column = (  # type: ignore[attr-defined]
        (field, simple_value, is_eq, True) if by_text else (field, members, is_in, False)
    )
    return text_field


def _ordered_field(
    c: Condition,
    field: str,
    cmp: Callable[[Any, Any], bool],
    compare: Callable[[Any, Any], bool | None],
) -> Callable[[Any, Any], bool | None] | None:
    """A record's own field ordered against another of its own fields (``confirmed_on le
    started_on``) or against a finite number (``extra_fee gt 0``): two plain days, or a
    finite number (an int, a Decimal) and the number, compare as they are, which is what
    ``compare`` answers for them after its steps (a number as a Decimal of the same value);
    anything else goes through ``compare``. None when ``c`` is neither."""
    if c.value_field is not None:
        from_case, parts, agg = _parsed(c.value_field)
        if from_case or agg is not None or len(parts) != 1:
            return None
        other = parts[0]

        def two_days(root: Any, case: Any) -> bool | None:
            try:
                d = root.__dict__
                left, right = d[field], d[other]
            except (AttributeError, KeyError):
                return compare(root, case)
            if type(left) is dt.date and type(right) is dt.date:
                return cmp(left, right)
            return compare(root, case)

        return two_days
    number = c.value_norm
    if type(number) is not Decimal or not number.is_finite():
        return None

    def number_field(root: Any, case: Any) -> bool | None:
        try:
            left = root.__dict__[field]
        except (AttributeError, KeyError):
            return compare(root, case)
        t = type(left)
        if t is int or (t is Decimal and left.is_finite()):
            return cmp(left, number)
        return compare(root, case)

    return number_field


ASK = object()
"""In :func:`column_answers`: the condition must be asked of this item itself."""


def text_of(v: Any) -> Any:
    """A field's value as a text condition reads it (``kind eq training``): a text as it is, a
    member of a text-valued enum by its value, None as None (no value: the condition cannot
    decide); :data:`ASK` for anything else (a number, a list, an odd text...), which only the
    condition itself can answer."""
    t = type(v)
    if t is str or v is None:
        return v
    if _is_enum(t) and type(v._value_) is str:
        return v._value_
    return ASK


def column_field(c: Condition) -> str | None:
    """The field of an item that ``c`` compares with a text or a list of texts, when ``c``
    can be answered from a column of that field's texts (:func:`column_answers`)."""
    spec = getattr(c.test, "column", None)
    return spec[0] if spec is not None else None


def column_answers(c: Condition, texts: list[Any]) -> list[Any]:
    """``c``'s answers for items whose field (:func:`column_field`) reads ``texts`` (as
    :func:`text_of` gives them): what ``c.test`` answers for each, computed for the column at
    once; :data:`ASK` where the text is :data:`ASK` (the caller asks the condition)."""
    _, value, positive, by_text = c.test.column  # type: ignore[attr-defined]
    # None (a field without a value) cannot be compared: undecided, whatever the operator
    if by_text:
        if positive:
            return [t if t is ASK or t is None else t == value for t in texts]
        return [t if t is ASK or t is None else t != value for t in texts]
    if positive:
        return [t if t is ASK or t is None else t in value for t in texts]
    return [t if t is ASK or t is None else t not in value for t in texts]


_SET_OPS = frozenset({Op.in_, Op.not_in, Op.any_in, Op.none_in})
_COMPARE: dict[Op, Callable[[Any, Any], bool]] = {
    Op.eq: operator.eq,
    Op.ne: operator.ne,
    Op.lt: operator.lt,
    Op.le: operator.le,
    Op.gt: operator.gt,
    Op.ge: operator.ge,
}
_ORDERED = frozenset({dt.date, dt.datetime, str})  # any two of one of these types compare
_NORM_KEEPS = frozenset({dt.date, str})  # types norm() returns unchanged
_EQ_NE = frozenset({Op.eq, Op.ne})
_PLAIN = frozenset({bool, str})  # compared as they are: norm() leaves them unchanged


def all_hold(
    conds: Iterable[Condition], root: Any, case: Any = None
) -> tuple[bool | None, list[Condition]]:
    """(all hold?, the conditions that failed or were unknown)."""
    # the lists are made only when a condition fails or is unknown (rare: most records pass)
    bad: list[Condition] | None = None
    unknown: list[Condition] | None = None
    for c in conds:
        r = c.test(root, case)
        if r is False:
            if bad is None:
                bad = [c]
            else:
                bad.append(c)
        elif r is None:
            if unknown is None:
                unknown = [c]
            else:
                unknown.append(c)
    if bad is not None:
        return False, bad
    if unknown is not None:
        return None, unknown
    return True, []


def describe(conds: Iterable[Condition]) -> str:
    return ", ".join(c.describe() for c in conds)


def day_of(v: dt.date | dt.datetime) -> dt.date:
    """The calendar day of a date or timestamp, in China time."""
    return china_time(v).date() if isinstance(v, dt.datetime) else v


def missing(conds: Iterable[Condition], root: Any, case: Any) -> str:
    """The field paths of ``conds`` that have no value (not those that are present); the
    conditions themselves when every value is present but cannot be compared."""
    conds = list(conds)
    names: list[str] = []
    for c in conds:
        names += [path for _, path in c.paths() if is_empty(get(root, path, case))]
    if not names:
        return "comparable values for " + describe(conds)
    return ", ".join(dict.fromkeys(names))

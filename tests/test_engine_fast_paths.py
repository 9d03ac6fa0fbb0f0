"""Differential tests of the engine's fast paths (issue 8, faster per row): each fast path is
checked against the clearer code it replaces, kept here as the reference, on the records of
the shipped examples and on generated values. The end-to-end reference is
``tests/test_engine_freeze.py``; these say *which* fast path broke when it fails."""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict

import ansafe_rules as ar
from ansafe_rules import i18n
from ansafe_rules.conditions import get, is_empty, item_getter, norm, sort_key
from ansafe_rules.context import CaseView, Ctx, _select
from ansafe_rules.evaluate import _sort
from ansafe_rules.kinds import frequency
from ansafe_rules.kinds.deadline import _before
from ansafe_rules.kinds.frequency import _Dated, _unused_in
from ansafe_rules.model import Per
from ansafe_rules.outputs import Status
from ansafe_rules.results import FindingRef, rule_params
from ansafe_rules.rulesets import Alignment, Condition, Op, Subject

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = {
    "national": "national-construction.yaml",
    "guangdong": "guangdong-housing.yaml",
    "xinzhou": "xinzhou-municipal.yaml",
    "shaoxing": "shaoxing-school.yaml",
    "xuancheng": "xuancheng-hospital.yaml",
}
UTC = dt.UTC


def _case(j: str) -> Any:
    data = yaml.safe_load((ROOT / "examples" / EXAMPLES[j]).read_text(encoding="utf-8"))
    return ar.parse_case(data).case


def _paths(c: Condition) -> list[str]:
    return [p for _, p in c.paths()]


def _rule_paths(rs: ar.ResolvedRuleset) -> set[tuple[Subject, str]]:
    """Every (subject, path) the rules of ``rs`` read from their subject items."""
    out: set[tuple[Subject, str]] = set()
    for rr in rs.rules:
        p = rr.rule.params
        subject = getattr(p, "subject", None)
        if subject is None:
            continue
        names: list[str] = []
        for attr in ("trigger", "action", "date", "anchor", "destroyed", "link", "weight"):
            v = getattr(p, attr, None)
            if isinstance(v, str):
                names.append(v)
        names += list(getattr(p, "fields", ()))
        names += [c.field for c in getattr(p, "contains", ())]
        names += [rc.field for rc in getattr(p, "require_counts", ())]
        for attr in ("where", "require", "forbid"):
            for c in getattr(p, attr, ()) or ():
                names += _paths(c)
        out |= {(subject, n) for n in names}
    return out


@pytest.mark.parametrize("j", sorted(EXAMPLES))
def test_path_readers_read_what_get_reads(j: str) -> None:
    """``item_getter`` and ``Ctx.getter`` (records' fields from ``__dict__``, ``$case.`` paths
    once per case) give exactly what :func:`get` gives, for every path every rule reads, on
    every item of the example."""
    rs = ar.load_ruleset(j)
    case = _case(j)
    view = CaseView(case)
    ctx = Ctx(rs.rules[0], case, dt.date(2026, 7, 31), ar.default_calendar(), rs, view=view)
    checked = 0
    for subject, path in sorted(_rule_paths(rs)):
        read = ctx.getter(path)
        plain = None if path.startswith("$case.") else item_getter(path)
        for _, item in view.items(subject):
            want = get(item, path, case)
            assert read(item) == want, (subject, path)
            if plain is not None:
                assert plain(item) == want, (subject, path)
            checked += 1
    assert checked > 100


def test_path_readers_on_other_roots() -> None:
    """Roots that are not records (dicts, lists, None, enums, properties) take the general path."""

    class Kind(StrEnum):
        a = "a"

    class WithProperty:
        def __init__(self) -> None:
            self.x = 1

        @property
        def y(self) -> int:
            return self.x + 1

    roots: list[Any] = [
        {"x": 1, "y": {"z": [1, 2]}},
        [{"x": 1}, {"x": None}, {"x": 3}],
        ({"y": {"z": 1}}, {"y": {"z": 2}}),
        None,
        Kind.a,
        WithProperty(),
        "text",
    ]
    paths = ["x", "y", "y.z", "x|count", "x|min", "x|max", "value", "y.z|max", "missing"]
    for root in roots:
        for path in paths:
            assert item_getter(path)(root) == get(root, path), (root, path)
    with pytest.raises(ValueError, match=r"\$case\.policy"):
        item_getter("$case.policy")


def test_case_paths_are_read_once_per_case() -> None:
    """A ``$case.`` path's value is read once per case and shared (it is the same object)."""
    case = _case("guangdong")
    view = CaseView(case)
    first = view.case_value("$case.service_records.started_on|min")
    assert first == min(r.started_on for r in case.service_records if r.started_on)
    assert view.case_value("$case.service_records.started_on|min") is first
    medium = view.case_value("$case.archives.medium")
    assert medium == get(None, "$case.archives.medium", case)


# -- conditions: the reference is the general comparison, as it was before the fast paths


def _reference(c: Condition, root: Any, case: Any = None, read: Any = get) -> bool | None:
    """What a condition answers, the long way (the pre-fast-path ``compare``); ``read`` reads
    a path (``get``, or :func:`_reference_get`)."""
    if c.all_of is not None or c.any_of is not None:
        is_all = c.all_of is not None
        conds = (c.all_of if is_all else c.any_of) or ()
        results = [_reference(x, root, case, read) for x in conds]
        decisive = not is_all
        if any(r is decisive for r in results):
            return decisive
        return None if any(r is None for r in results) else not decisive
    op = c.op
    left = read(root, c.field or "", case)
    if op is Op.present:
        return not is_empty(left)
    if op is Op.absent:
        return is_empty(left)
    if op is Op.nonempty:
        return left is not None and len(left) > 0
    if op is Op.empty:
        return left is None or len(left) == 0
    right = read(root, c.value_field, case) if c.value_field is not None else c.value
    if left is None or right is None:
        return None
    if op not in (Op.any_in, Op.none_in) and isinstance(left, tuple | list):
        return None
    left = norm(left)
    if op in (Op.in_, Op.not_in, Op.any_in, Op.none_in):
        values = {norm(x) for x in right}
        if op is Op.in_:
            return left in values
        if op is Op.not_in:
            return left not in values
        have = {norm(x) for x in (left if isinstance(left, tuple | list) else (left,))}
        hit = not have.isdisjoint(values)
        return hit if op is Op.any_in else not hit
    right = norm(right)
    if isinstance(left, dt.date) != isinstance(right, dt.date) or (
        isinstance(left, dt.datetime) != isinstance(right, dt.datetime)
    ):
        left, right = sort_key(left), sort_key(right)
    try:
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


class _Kind(StrEnum):
    a = "a"
    major = "major"


class _Level(IntEnum):
    one = 1
    two = 2


_ZONES = [None, UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-5))]
DAYS = st.dates(dt.date(2025, 12, 30), dt.date(2026, 1, 2))
MOMENTS = st.one_of(
    DAYS,
    st.builds(
        lambda d, h, tz: dt.datetime(d.year, d.month, d.day, h, tzinfo=tz),
        DAYS,
        st.integers(0, 23),
        st.sampled_from(_ZONES),
    ),
)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(-3, 3, allow_nan=False),
    st.decimals(-3, 3, allow_nan=False, places=1),
    st.sampled_from(["", "a", "b", "major", "2026-03-01"]),
    MOMENTS,
    st.sampled_from([*_Kind, *_Level]),
    st.lists(st.sampled_from(["a", "b", 1]), max_size=3).map(tuple),
)
BINARY = [Op.eq, Op.ne, Op.lt, Op.le, Op.gt, Op.ge]
UNARY = [Op.present, Op.absent, Op.nonempty, Op.empty]


@settings(max_examples=600, deadline=None)
@given(left=VALUES, right=VALUES, op=st.sampled_from(BINARY))
def test_compiled_comparisons_answer_as_the_general_path(left: Any, right: Any, op: Op) -> None:
    """Comparisons of two fields (dates, timestamps in any zone, strings: the fast path; all
    other types: the general one) answer as the general path, None included."""
    c = Condition(field="a", op=op, value_field="b")
    root = {"a": left, "b": right}
    assert c.test(root, None) == _reference(c, root), (left, op.value, right)


OWN_VALUES = st.one_of(
    VALUES,
    st.decimals(allow_nan=True, allow_infinity=True, places=2),
    st.integers(-(10**30), 10**30),
    st.dates(dt.date(2025, 1, 1), dt.date(2025, 1, 4)),
)


@settings(max_examples=800, deadline=None)
@given(
    left=OWN_VALUES,
    right=OWN_VALUES,
    op=st.sampled_from(BINARY),
    has=st.sampled_from(["ab", "a", "b", ""]),
)
@example(left=dt.date(2025, 1, 2), right=dt.date(2025, 1, 2), op=Op.le, has="ab")
@example(left=Decimal("NaN"), right=0, op=Op.gt, has="ab")
@example(left=0.1, right=None, op=Op.eq, has="a")  # a float is read as its text: 0.10
def test_a_records_own_fields_ordered_answer_as_the_general_path(
    left: Any, right: Any, op: Op, has: str
) -> None:
    """A record's own field against another of its own fields (two plain days: the fast
    path) or against a number (an int or a finite Decimal: the fast path), whatever the
    fields hold or whether the record has them, answers as the general path."""
    root = SimpleNamespace(**{k: v for k, v in (("a", left), ("b", right)) if k in has})
    conds = [Condition(field="a", op=op, value_field="b")]
    conds += [
        Condition(field="a", op=op, value=const)
        for const in (0, 1, -2, 2.5, Decimal("0.10"), 10**20)
    ]
    for c in conds:
        try:
            want = _reference(c, root)
        except ArithmeticError as exc:  # a NaN ordered: the general path raises, so does this
            with pytest.raises(type(exc)):
                c.test(root, None)
            continue
        assert c.test(root, None) == want, (left, c.describe(), right, has)


@settings(max_examples=300, deadline=None)
@given(left=VALUES, op=st.sampled_from(UNARY + BINARY))
def test_compiled_conditions_with_constants_answer_as_the_general_path(left: Any, op: Op) -> None:
    for const in ("a", True, 2, "2026-01-01", None):
        if op in UNARY:
            if const is not None:
                continue
            c = Condition(field="a", op=op)
        elif const is None:
            continue
        else:
            c = Condition(field="a", op=op, value=const)
        try:
            want: Any = _reference(c, {"a": left})
        except TypeError:  # len() of a scalar: the compiled test raises too
            with pytest.raises(TypeError):
                c.test({"a": left}, None)
            continue
        assert c.test({"a": left}, None) == want, (left, op.value, const)


class _OddText(str):
    """A text that compares as no str does: the fast paths must leave it to the general one."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


class _MixedText(str, Enum):  # noqa: UP042 - deliberately not a StrEnum
    """An enum of texts that is not a StrEnum (its text is its value)."""

    a = "a"
    other = "major"


class _Labelled(str, Enum):  # noqa: UP042 - its text is not its value
    """An enum whose text is not its value (a label): compared by its value, as norm() does."""

    def __new__(cls, value: str, label: str) -> _Labelled:
        member = str.__new__(cls, label)
        member._value_ = value
        return member

    a = ("a", "Label A")
    major = ("major", "a")


class _NeText(str):
    """A text with its own ``!=`` only."""

    def __ne__(self, other: object) -> bool:
        return True


class _Valued(Enum):
    """An enum whose ``value`` is its own (not the member's ``_value_``): norm() reads it."""

    a = "a"
    b = "zz"

    @property
    def value(self) -> str:  # type: ignore[override]
        return "major" if self._value_ == "a" else "a"


RECORD_VALUES = st.one_of(
    VALUES,
    st.sampled_from(
        [*_MixedText, *_Labelled, *_Valued, _OddText("a"), _OddText("zz"), _NeText("a")]
    ),
    st.lists(st.sampled_from(["a", "b"]), max_size=2),
)


@settings(max_examples=500, deadline=None)
@given(left=RECORD_VALUES, has_field=st.booleans())
def test_conditions_on_a_records_field_answer_as_the_general_path(
    left: Any, has_field: bool
) -> None:
    """A condition on a record's own field (read from its ``__dict__``: ``present``, ``eq``
    or ``ne`` a text, ``in`` or ``not_in`` a list) answers as the general path, whatever the
    field holds: texts, enums of texts, other enums, numbers, days, lists, odd str subclasses,
    nothing; and when the record has no such field."""
    root = SimpleNamespace(a=left) if has_field else SimpleNamespace(b=left)
    conds = [Condition(field="a", op=Op.present)]
    for const in ("a", "major", "", "2026-01-01"):
        conds += [Condition(field="a", op=op, value=const) for op in (Op.eq, Op.ne)]
    for values in (["a", "b"], ["major", 1, True], [], ["2026-01-01"]):
        conds += [Condition(field="a", op=op, value=values) for op in (Op.in_, Op.not_in)]
    for c in conds:
        assert c.test(root, None) == _reference(c, root), (left, c.describe())


@settings(max_examples=500, deadline=None)
@given(lefts=st.lists(st.tuples(RECORD_VALUES, st.booleans()), max_size=6))
def test_a_column_of_texts_answers_as_each_condition(lefts: list[tuple[Any, bool]]) -> None:
    """A condition comparing a record's field with a text or a list (``kind eq training``,
    ``kind in [...]``) answers a column of the field's texts at once (what selections read per
    case): each answer is the condition's own for that record, or ASK where only the condition
    can answer (no field, a number, a list, an odd str subclass, another enum); a field
    without a value (None) is undecided, as the condition says."""
    from ansafe_rules.conditions import ASK, column_answers, column_field, text_of

    roots = [SimpleNamespace(a=v) if has else SimpleNamespace(b=v) for v, has in lefts]
    roots.append(SimpleNamespace(a=None))  # no value: undecided (None), never ASK
    texts = [text_of(r.__dict__.get("a", ASK)) for r in roots]
    conds = [Condition(field="a", op=op, value=v) for op in (Op.eq, Op.ne) for v in ("a", "")]
    conds += [
        Condition(field="a", op=op, value=vs)
        for op in (Op.in_, Op.not_in)
        for vs in (["a", "b"], ["major", 1, True], [])
    ]
    for c in conds:
        assert column_field(c) == "a", c.describe()
        got = column_answers(c, texts)
        for root, answer in zip(roots, got, strict=True):
            v = root.__dict__.get("a", ASK)
            if v is None or type(v) is str:
                assert answer is not ASK, (root, c.describe())  # read from the column
            if answer is not ASK:
                assert answer is c.test(root, None), (root, c.describe())
    for c in (Condition(field="a", op=Op.present), Condition(field="a.b", op=Op.eq, value="x")):
        assert column_field(c) is None


@settings(max_examples=400, deadline=None)
@given(
    listed=st.lists(st.one_of(RECORD_VALUES, st.deferred(lambda: LIST_ITEMS)), max_size=5),
    key=st.sampled_from([None, "", "k", "k.k", "$case.k"]),
)
def test_listed_values_are_each_values_norm(listed: list[Any], key: str | None) -> None:
    """The values a required list holds (``contains``), read once per list: what norm() of
    each item (or of its key) gives, texts taken as they are."""
    from ansafe_rules.conditions import listed_values, norm, resolve

    try:
        want = {norm(resolve(x, key) if key else x) for x in listed}
    except TypeError:  # an unhashable value (a list): the set cannot be made either way
        with pytest.raises(TypeError):
            listed_values(listed, key)
        return
    assert listed_values(listed, key) == want


def _reference_step(obj: Any, part: str) -> Any:
    """One step of a path, the long way (before a list's items were read from ``__dict__``)."""
    if isinstance(obj, dict):
        return obj.get(part)
    if isinstance(obj, tuple | list):
        out: list[Any] = []
        for x in obj:
            v = _reference_step(x, part)
            if isinstance(v, tuple | list):
                out.extend(v)
            elif v is not None:
                out.append(v)
        return tuple(out)
    return getattr(obj, part, None)


def _reference_get(root: Any, path: str, case: Any = None) -> Any:
    """:func:`get` of a path without ``$case.`` or aggregate, the long way."""
    for part in path.split("."):
        if root is None:
            return None
        root = _reference_step(root, part)
    return root


class _Item(BaseModel):
    """A validated record, as the engine reads them (its fields in ``__dict__``)."""

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="allow")
    k: Any = None


LIST_ITEMS = st.one_of(
    st.builds(lambda v: SimpleNamespace(k=v), RECORD_VALUES),
    st.builds(lambda v: _Item(k=v), RECORD_VALUES),
    st.builds(lambda v: _Item.model_validate({"other": v}), RECORD_VALUES),
    st.builds(lambda v: {"k": v}, RECORD_VALUES),
    st.just(SimpleNamespace(other=1)),
    st.builds(lambda v: SimpleNamespace(k=[v, "b"]), RECORD_VALUES),
)


@settings(max_examples=400, deadline=None)
@given(items=st.lists(LIST_ITEMS, max_size=4), as_tuple=st.booleans())
def test_conditions_through_a_list_answer_as_the_general_path(
    items: list[Any], as_tuple: bool
) -> None:
    """A path through a list of items (validated records, plain objects, dicts, items without
    the field or with it only as an extra, items whose field is itself a list) reads what the
    step-by-step ``getattr`` reads, and ``any_in`` / ``none_in`` over what it reads (texts,
    enums of every sort, one overriding ``value`` included, odd ``str`` subclasses, numbers,
    days) answer as the general comparison."""
    root = SimpleNamespace(items=tuple(items) if as_tuple else items)
    assert get(root, "items.k") == _reference_get(root, "items.k")
    for values in (["a", "b"], ["major", 1, True], [], ["2026-01-01", 2]):
        for op in (Op.any_in, Op.none_in):
            c = Condition(field="items.k", op=op, value=values)
            try:
                want = _reference(c, root, read=_reference_get)
            except TypeError:  # a list within the list's values: unhashable, both raise
                with pytest.raises(TypeError):
                    c.test(root, None)
                continue
            assert c.test(root, None) == want, (items, op.value, values)


def test_all_hold_lists_what_failed_then_what_is_unknown() -> None:
    a_lt_b = Condition(field="a", op=Op.lt, value_field="b")
    present = Condition(field="c", op=Op.present)
    eq = Condition(field="d", op=Op.eq, value="x")
    conds = [a_lt_b, present, eq]
    day = dt.date(2026, 1, 2)
    assert ar.conditions.all_hold(conds, {"a": day, "b": day, "c": 1, "d": "x"}) == (
        False,
        [a_lt_b],
    )
    assert ar.conditions.all_hold(conds, {"a": day, "c": None, "d": "y"}) == (
        False,
        [present, eq],
    )
    assert ar.conditions.all_hold(conds, {"c": 1, "d": "x"}) == (None, [a_lt_b])
    assert ar.conditions.all_hold(
        conds, {"a": day, "b": day + dt.timedelta(1), "c": 1, "d": "x"}
    ) == (
        True,
        [],
    )
    assert ar.conditions.all_hold([], {}) == (True, [])


# -- deadline: early actions


@settings(max_examples=400, deadline=None)
@given(act=MOMENTS, trig=MOMENTS)
def test_an_early_action_is_judged_as_by_the_sort_keys(act: Any, trig: Any) -> None:
    """``_before`` compares two dates or two China-time timestamps directly, and a date with a
    timestamp by their sort keys: always what comparing the sort keys answers."""
    conv = ar.conditions.china_time
    a = conv(act) if isinstance(act, dt.datetime) else act
    t = conv(trig) if isinstance(trig, dt.datetime) else trig
    assert _before(a, t) == (sort_key(a) < sort_key(t))


# -- sorting rows: skipped when they are already in order, else (key, sentence)


class _Row:
    def __init__(self, subject: str, status: Status, reason: str) -> None:
        self.subject, self.status, self.reason = subject, status, reason

    def __repr__(self) -> str:
        return f"{self.subject}/{self.status.value}/{self.reason}"


ROWS = st.lists(
    st.builds(
        _Row,
        st.sampled_from(["a/1", "a/2", "b/1", "policy"]),
        st.sampled_from([Status.compliant, Status.violation, Status.pending]),
        st.sampled_from(["x", "y", "z"]),
    ),
    max_size=12,
)


@settings(max_examples=400, deadline=None)
@given(rows=ROWS, presorted=st.booleans())
def test_rows_sort_by_key_then_sentence(rows: list[_Row], presorted: bool) -> None:
    key = operator.attrgetter("subject", "status")
    if presorted:  # the fast path's case: in order, keys unique or not
        rows.sort(key=key)
    want = sorted(rows, key=lambda r: (key(r), r.reason))
    got = list(rows)
    _sort(got, key, operator.attrgetter("reason"))
    assert got == want


@pytest.mark.parametrize("j", sorted(EXAMPLES))
def test_kept_windows_give_what_windows_made_per_rule_give(
    j: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frequency's counting windows, kept for every case with the same term and shared by
    its rules, give the report that windows made afresh for every rule give (the memo is keyed
    correctly); a second case with another term gets its own windows."""
    rs = ar.load_ruleset(j)
    case = _case(j)
    start = case.policy.term_start + dt.timedelta(days=17)
    later = case.model_copy(update={"policy": case.policy.model_copy(update={"term_start": start})})
    as_of = dt.date(2026, 7, 31)
    kept = [ar.evaluate(rs, c, as_of=as_of).model_dump(mode="json") for c in (case, later, case)]
    calls: list[tuple[Any, ...]] = []

    def afresh(whole: bool, *args: Any) -> Any:
        calls.append(args)
        make = frequency._whole_windows if whole else frequency._term_windows
        return make(*args)  # made each time: nothing kept

    monkeypatch.setattr(frequency, "_kept_windows", afresh)
    fresh = [ar.evaluate(rs, c, as_of=as_of).model_dump(mode="json") for c in (case, later, case)]
    assert calls and fresh == kept
    assert kept[0] == kept[2] != kept[1]
    assert any(f["trace"]["window"] for f in fresh[0]["findings"])


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    days=st.integers(0, 800),
    per=st.sampled_from([Per.year, Per.half_year, Per.quarter, Per.month, Per.term]),
    alignment=st.sampled_from(list(Alignment)),
)
def test_kept_windows_are_the_windows_of_their_term(
    start: dt.date, days: int, per: Per, alignment: Alignment
) -> None:
    """The kept windows of a term are those made afresh (whole periods too), whatever was
    asked before; they are tuples, so no rule can change another's."""
    end = start + dt.timedelta(days=days)
    for whole, make in ((False, frequency._term_windows), (True, frequency._whole_windows)):
        got = frequency._windows_of(whole, start, end, per, alignment)
        assert isinstance(got, tuple)
        assert got == make(start, end, per, alignment)
        assert frequency._windows_of(whole, start, end, per, alignment) is got
    made = [w for w, _, _ in frequency._term_windows(start, end, per, alignment)]
    assert made[0].start == start and made[-1].end == end
    assert all(a.end + dt.timedelta(days=1) == b.start for a, b in itertools.pairwise(made))


def test_a_long_terms_windows_are_made_afresh_not_kept() -> None:
    """Only terms of at most ten years are kept (a longer one's windows could be many): a
    longer term's windows are the same, made each time, and the memo does not grow."""
    start, per, al = dt.date(2001, 3, 5), Per.month, Alignment.calendar
    long_end = start + dt.timedelta(days=frequency._KEPT_TERM_DAYS + 1)
    for whole in (False, True):
        make = frequency._whole_windows if whole else frequency._term_windows
        before = frequency._kept_windows.cache_info().currsize
        got = frequency._windows_of(whole, start, long_end, per, al)
        assert got == make(start, long_end, per, al)
        assert len(got) == 121 and frequency._kept_windows.cache_info().currsize == before
        short_end = start + dt.timedelta(days=frequency._KEPT_TERM_DAYS)
        kept = frequency._windows_of(whole, start, short_end, per, al)
        assert kept is frequency._windows_of(whole, start, short_end, per, al)


@pytest.mark.parametrize("j", sorted(EXAMPLES))
def test_staff_views_are_those_made_from_a_dump(j: str) -> None:
    """A staff view built from the member's fields as they are is the one built from its
    dump (equal, with the same fields set), for every staff member of the examples."""
    from ansafe_rules.rulesets import StaffView

    case = _case(j)
    views = [v for _, v in CaseView(case).items(Subject.staff)]
    made = sorted(
        (StaffView(**s.model_dump(), organisation=o) for o in case.organisations for s in o.staff),
        key=lambda v: (v.organisation.id, v.id),
    )
    assert views == made
    assert [v.model_fields_set for v in views] == [v.model_fields_set for v in made]


def test_decimal_comparisons_answer_as_the_general_path() -> None:
    """Two finite Decimals take the fast path; a Decimal against text is still undecidable
    (None), and a non-finite one is left to the general path, which answers or raises as it
    did (input refuses NaN and infinite amounts; a ruleset's constant could be one)."""
    c = Condition(field="a", op=Op.eq, value_field="b")
    assert c.test({"a": Decimal("1.0"), "b": "1"}, None) is None
    assert c.test({"a": Decimal("1.0"), "b": Decimal("1")}, None) is True
    inf, nan = Decimal("Infinity"), Decimal("NaN")
    for op in BINARY:
        c = Condition(field="a", op=op, value_field="b")
        for left, right in ((Decimal(2), inf), (inf, Decimal(2)), (Decimal(2), Decimal("2.00"))):
            root = {"a": left, "b": right}
            assert c.test(root, None) == _reference(c, root), (left, op, right)
        with pytest.raises(ArithmeticError):  # the general path's orderings raise on NaN
            c.test({"a": Decimal(1), "b": nan}, None)


def test_resumption_after_a_holiday_is_the_scan_of_its_named_days() -> None:
    """``WorkCalendar.resumption_after`` looks the holiday's last day up; the reference scans
    every named day of the calendar, as it did before (every holiday, every year)."""
    cal = ar.default_calendar()
    names = sorted({n for _, n in cal._names})
    assert "春节" in names
    for year in range(cal.first_year, cal.last_year + 1):
        for name in [*names, "no such holiday"]:
            days = [d for d, n in cal._names if d.year == year and n == name]
            want = None
            if days:
                want = cal.next_workday_on_or_after(max(days) + dt.timedelta(days=1))
            assert cal.resumption_after(name, year) == want, (name, year)
    assert cal.resumption_after("春节", 2026) == dt.date(2026, 2, 24)


@settings(max_examples=500, deadline=None)
@given(day=st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)), months=st.integers(0, 1200))
def test_adding_months_is_dateutils_arithmetic(day: dt.date, months: int) -> None:
    """The frequency windows' month arithmetic is ``relativedelta(months=...)``'s (the
    reference it replaces): month ends clip (01-31 + 1 month = 02-28/29)."""
    from dateutil.relativedelta import relativedelta

    from ansafe_rules.kinds.frequency import _add_months

    assert _add_months(day, months) == day + relativedelta(months=months)


def test_adding_months_clips_to_the_month_end() -> None:
    from ansafe_rules.kinds.frequency import _add_months

    assert _add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert _add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert _add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert _add_months(dt.date(2025, 12, 15), 12) == dt.date(2026, 12, 15)


_AGG_VALUES = st.one_of(
    st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
    st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2040, 12, 31)),
    st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2040, 12, 31), timezones=st.just(UTC)),
    st.none(),
    st.text(max_size=3),
)


@settings(max_examples=500, deadline=None)
@given(
    values=st.one_of(
        st.lists(st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)), max_size=8),
        st.lists(_AGG_VALUES, max_size=6),
    ),
    agg=st.sampled_from(["min", "max"]),
)
@example(values=[dt.date(2025, 1, 2), dt.date(2025, 1, 1), dt.date(2025, 1, 1)], agg="min")
@example(values=[dt.date(2025, 1, 1), dt.date(2025, 1, 2), dt.date(2025, 1, 2)], agg="max")
def test_earliest_and_latest_are_what_the_sort_keys_give(values: list[Any], agg: str) -> None:
    """``|min`` and ``|max`` of plain days skip the sort keys: the same value (the very same
    object among equals) as the general path, which still decides mixed values (a day and a
    timestamp compare by China time; a day and a text cannot compare: None)."""
    from ansafe_rules.conditions import _aggregate

    items = [v for v in values if v is not None]
    pick = min if agg == "min" else max
    try:
        want = pick(items, key=sort_key) if items else None
    except TypeError:
        want = None
    got = _aggregate(values, agg)
    assert got == want and type(got) is type(want)
    if items and want is not None:
        assert got is want


# ---- selections shared per case: only by conditions that test alike -----------------------
def test_condition_keys_keep_value_types_apart() -> None:
    def key(value: Any, op: str = "ge") -> str:
        return Condition(field="started_on", op=op, value=value).key

    assert key(dt.date(2025, 1, 1)) != key("2025-01-01")
    assert len({key(1, "eq"), key(1.0, "eq"), key(True, "eq"), key("1", "eq")}) == 4
    assert key(float("inf"), "lt") != key(float("-inf"), "lt")
    assert (
        key(dt.date(2025, 1, 1))
        == Condition(field="started_on", op="ge", value=dt.date(2025, 1, 1)).key
    )
    a = Condition(any_of=[{"field": "x", "op": "eq", "value": 1}, {"field": "y", "op": "present"}])
    b = Condition(
        any_of=[{"field": "x", "op": "eq", "value": "1"}, {"field": "y", "op": "present"}]
    )
    assert a.key != b.key


def test_rules_share_a_selection_only_when_their_conditions_test_alike() -> None:
    """Two rules on the same records, one selecting by a date, one by the same date as text
    (undecidable against a date field): each judges as it does alone, in either order."""
    rs = ar.load_ruleset("national")
    base = next(r for r in rs.rules if r.rule.id == "national.contract.no_extra_fee")

    def variant(name: str, value: Any) -> Any:
        cond = Condition(field="started_on", op="ge", value=value)
        params = base.rule.params.model_copy(update={"where": (cond,)})
        rule = base.rule.model_copy(update={"id": f"national.test.{name}", "params": params})
        return base.model_copy(update={"rule": rule})

    by_date, by_text = variant("by_date", dt.date(2025, 1, 1)), variant("by_text", "2025-01-01")
    case = _case("national")

    def statuses(*rules: Any) -> dict[str, set[Status]]:
        ev = ar.evaluate_rows(
            rs.model_copy(update={"rules": rules}), case, as_of=dt.date(2026, 7, 31)
        )
        out: dict[str, set[Status]] = {}
        for f in ev.findings:
            out.setdefault(f.rule_id, set()).add(f.status)
        return out

    alone = {**statuses(by_date), **statuses(by_text)}
    assert Status.insufficient_data in alone["national.test.by_text"]
    assert Status.insufficient_data not in alone["national.test.by_date"]
    assert statuses(by_date, by_text) == alone
    assert statuses(by_text, by_date) == alone


@pytest.mark.parametrize("j", sorted(EXAMPLES))
def test_a_finding_copied_from_its_rules_first_is_the_validated_one(j: str) -> None:
    """A full report builds each rule's first finding by validation and copies the rest from
    it (``FindingRef.finding(like=)``): every copy must equal, field for field and type for
    type, the finding validated on its own, and dump to the same JSON. A count given as an
    int is a float after validation (``counted``), and must be after the copy too."""
    rs = ar.load_ruleset(j)
    ev = ar.evaluate_rows(rs, _case(j), as_of=dt.date(2026, 7, 31))
    first: dict[str, Any] = {}
    copied = 0
    for lang in ("en", "zh"):
        first.clear()
        for f in ev.findings:
            if not isinstance(f, FindingRef):
                continue
            params = rule_params(f.rr)
            want = f.finding(ev.as_of, params, lang)
            like = first.setdefault(f.rule_id, want)
            got = f.finding(ev.as_of, params, lang, like=like)
            assert got == want and got.model_dump_json() == want.model_dump_json(), f.rule_id
            for a, b in ((got, want), (got.trace, want.trace)):
                types = {k: type(v) for k, v in a.__dict__.items()}
                assert types == {k: type(v) for k, v in b.__dict__.items()}, f.rule_id
            copied += like is not want
    # a finding of another rule, or of another date, is refused as the model
    one, other = (
        next(f for f in ev.findings if f.rule_id != r) for r in ("", ev.findings[0].rule_id)
    )
    built = one.finding(ev.as_of, rule_params(one.rr))
    with pytest.raises(ValueError, match="same rule and as-of date"):
        other.finding(ev.as_of, like=built)
    with pytest.raises(ValueError, match="same rule and as-of date"):
        one.finding(ev.as_of + dt.timedelta(days=1), like=built)
    # a count handed over as an int comes out as validation makes it
    f = next(x for x in ev.findings if isinstance(x, FindingRef) and x.counted is not None)
    like = f.finding(ev.as_of, rule_params(f.rr))
    f.counted = 3
    got = f.finding(ev.as_of, lang="en", like=like)
    assert got.trace.counted == 3.0 and type(got.trace.counted) is float
    assert got == f.finding(ev.as_of, rule_params(f.rr))
    assert copied > 20


@pytest.mark.parametrize("j", sorted(EXAMPLES))
def test_an_obligation_copied_from_its_rules_first_is_the_validated_one(j: str) -> None:
    """The same for obligations (``ObligationRef.model(like=)``), a count required given as
    it would be validated."""
    rs = ar.load_ruleset(j)
    ev = ar.evaluate_rows(rs, _case(j), as_of=dt.date(2026, 7, 31))
    first: dict[str, Any] = {}
    for lang in ("en", "zh"):
        first.clear()
        for o in ev.obligations:
            want = o.model(lang)
            like = first.setdefault(o.rule_id, want)
            got = o.model(lang, like=like)
            assert got == want and got.model_dump_json() == want.model_dump_json(), o.rule_id
            assert {k: type(v) for k, v in got.__dict__.items()} == {
                k: type(v) for k, v in want.__dict__.items()
            }, o.rule_id
    assert len(ev.obligations) > 2 * len(first)
    a, b = (
        ev.obligations[0],
        next(o for o in ev.obligations if o.rule_id != ev.obligations[0].rule_id),
    )
    with pytest.raises(ValueError, match="same rule"):
        b.model(like=a.model())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.none() | st.dates(dt.date(2025, 1, 1), dt.date(2025, 3, 1)), max_size=30),
    st.dates(dt.date(2024, 12, 20), dt.date(2025, 3, 10)),
    st.integers(0, 40),
    st.sets(st.integers(0, 29)),
)
def test_a_periods_events_found_by_bisection_are_the_scanned_ones(
    days: list[dt.date | None], lo: dt.date, span: int, used: set[int]
) -> None:
    """A frequency finds a period's events by bisection over the days in order
    (``_Dated``): the same indexes as a scan of every event; in the same (event) order when
    the events are weighted (a sum of fractions depends on its order), else in day order."""
    hi = lo + dt.timedelta(days=span)
    events = [(f"service_records/S-{i:02d}", d, 1.0) for i, d in enumerate(days)]
    want = [i for i, d in enumerate(days) if i not in used and d is not None and lo <= d <= hi]
    by_day = sorted(want, key=lambda i: (days[i], i))
    assert _unused_in(events, _Dated(days, weighted=True), used, None, None, lo, hi) == want
    assert _unused_in(events, _Dated(days, weighted=False), used, None, None, lo, hi) == by_day
    # what it gives is the caller's own list (a period appends the events it borrows)
    dated = _Dated(days, weighted=False)
    got = _unused_in(events, dated, used, None, None, lo, hi)
    got.append(-1)
    assert _unused_in(events, dated, used, None, None, lo, hi) == by_day
    # linked to a stage: only the events of that stage
    link_of = {lab: ("st1" if i % 2 else "st2") for i, (lab, _, _) in enumerate(events)}
    for weighted, order in ((True, want), (False, by_day)):
        got = _unused_in(events, _Dated(days, weighted), used, link_of, "st1", lo, hi)
        assert got == [i for i in order if i % 2]


def _plan_reference(rs: Any) -> tuple[frozenset[str], dict[str, int], list[tuple[str, list[str]]]]:
    """What the plan holds, worked out as the bindings did per policy before it was kept: the
    compared rules (deadlines and retentions sharing an obligation, counted duties with an
    annual rate sharing one), the rules' order, and the rated groups."""
    from ansafe_rules.bindings import annual_rate
    from ansafe_rules.rulesets import Kind

    dated: dict[str, set[str]] = {}
    rated: dict[str, list[str]] = {}
    for rr in rs.rules:
        if rr.rule.kind in (Kind.deadline, Kind.retention):
            dated.setdefault(rr.rule.obligation, set()).add(rr.rule.id)
        elif annual_rate(rr.rule.params) is not None:
            rated.setdefault(rr.rule.obligation, []).append(rr.rule.id)
    groups = [*dated.values(), *(set(v) for v in rated.values())]
    compared = frozenset(r for g in groups if len(g) > 1 for r in g)
    order = {r.rule.id: i for i, r in enumerate(rs.rules)}
    return compared, order, sorted(rated.items())


@pytest.mark.parametrize("j", sorted(EXAMPLES))
def test_the_rules_plan_is_made_once_and_says_what_the_rules_say(j: str) -> None:
    from ansafe_rules.bindings import compared_rules, plan_of

    rs = ar.load_ruleset(j)
    plan = plan_of(rs)
    assert plan_of(rs) is plan  # kept on the ruleset
    compared, order, rated = _plan_reference(rs)
    assert plan.compared == compared_rules(rs) == compared
    assert plan.order == order
    assert [(k, [r.rule.id for r in rrs]) for k, rrs in plan.rated] == rated
    assert all(plan.by_id[r.rule.id] is r for r in rs.rules)
    # not part of the ruleset's value
    assert rs == ar.load_ruleset(j)
    assert "rules_plan" not in rs.model_dump()
    assert rs.digest == ar.load_ruleset(j).digest


@pytest.mark.parametrize("planned_first", [True, False])
def test_a_copy_with_other_rules_uses_a_plan_of_its_own_rules(planned_first: bool) -> None:
    """model_copy carries the original's kept plan along: a copy with other rules must not
    use it (its compared rules and bindings are of its own rules)."""
    import pickle

    from ansafe_rules.bindings import plan_of

    rs = ar.load_ruleset("guangdong")
    if planned_first:
        plan_of(rs)
    national_only = tuple(r for r in rs.rules if r.layer == "national")
    sub = rs.model_copy(update={"rules": national_only})
    assert plan_of(sub).rules is sub.rules
    assert plan_of(sub) is plan_of(sub)  # the copy keeps a plan of its own rules
    # a copy with other parameters (with_overrides) likewise
    over = rs.with_overrides(
        {"national.service.callback": {"period": {"amount": 3, "unit": "workdays"}}}
    )
    assert plan_of(over).rules is over.rules and plan_of(over) is plan_of(over)
    assert plan_of(sub).compared == _plan_reference(sub)[0] != plan_of(rs).compared
    assert plan_of(rs).compared == _plan_reference(rs)[0]
    # a copy with the same rules (another layer's date) shares the rules, and the plan
    dated = rs.with_effective("guangdong", dt.date(2024, 1, 1))
    assert plan_of(dated).compared == plan_of(rs).compared
    # pickled with the ruleset (Spark broadcasts it), the plan is still of its rules
    back = pickle.loads(pickle.dumps(rs))
    assert plan_of(back).rules is back.rules
    assert plan_of(back).compared == plan_of(rs).compared
    # bindings of a case evaluated against the copy name its rules only
    case = ar.load_case_file(ROOT / "examples" / EXAMPLES["guangdong"])
    ev = ar.evaluate(sub, case, as_of=dt.date(2026, 7, 31))
    assert all(r in {x.rule.id for x in national_only} for b in ev.bindings for r in b.rules)


def _select_reference(
    ctx: Ctx,
    subject: Subject,
    where: Any,
    scope_field: str | None = None,
    events: Any = None,
) -> tuple[list, list]:
    """What a selection answers, the long way: per item, outside the event scope (its
    ``scope_field`` day before or after ``events``) first, then `all_hold` of every condition:
    the items all conditions hold for, and those outside the scope or that some condition
    could not decide (none failing), with why."""
    from ansafe_rules.conditions import all_hold
    from ansafe_rules.context import event_outside

    kept, undecided = [], []
    for label, item in ctx.items(subject):
        if scope_field is not None and events is not None:
            day = get(item, scope_field, ctx.case)
            outside = event_outside(events, "layer", day) if day is not None else None
            if outside is not None:
                undecided.append((label, item, outside, []))
                continue
        ok, failed = all_hold(where, item, ctx.case)
        if ok:
            kept.append((label, item))
        elif ok is None:
            undecided.append((label, item, None, failed))
    return kept, undecided


_SERVICE_CONDS = [
    Condition(field="kind", op="eq", value="training"),
    Condition(field="kind", op="ne", value="training"),
    Condition(field="callback_on", op="present"),
    Condition(field="callback_on", op="ge", value=dt.date(2025, 10, 1)),  # unknown if absent
    Condition(field="report_uploaded_on", op="le", value_field="completed_on"),
    Condition(field="extra_fee", op="gt", value=0),
    Condition(field="started_on", op="ge", value="2025-01-01"),  # text vs date: unknown
]


@pytest.mark.parametrize("j", sorted(EXAMPLES))
@given(picks=st.lists(st.sampled_from(range(len(_SERVICE_CONDS))), min_size=1, max_size=4))
@settings(max_examples=60, deadline=None)
def test_a_selection_answers_as_all_hold(j: str, picks: list[int]) -> None:
    """`_select` (all_hold inlined, text conditions answered from a column of the field's
    texts): the items kept and those left undecided (with the conditions, in order, that could
    not decide) are all_hold's, for the rules' own conditions on every example and for
    generated lists of conditions mixing true, false and undecidable ones."""
    rs = ar.load_ruleset(j)
    case = _case(j)
    view = CaseView(case)
    cal = ar.default_calendar()
    seen = 0
    for rr in rs.rules:
        p = rr.rule.params
        if getattr(p, "where", None):
            ctx = Ctx(rr, case, dt.date(2026, 7, 31), cal, rs, view=view)
            got = _select(view, p.subject, p.where, None, rr.layer, None)
            assert got == _select_reference(ctx, p.subject, p.where), rr.rule.id
            seen += 1
    assert seen
    where = [_SERVICE_CONDS[i] for i in picks]
    ctx = Ctx(rs.rules[0], case, dt.date(2026, 7, 31), cal, rs, view=view)
    got = _select(view, Subject.service_records, where, None, rs.rules[0].layer, None)
    assert got == _select_reference(ctx, Subject.service_records, where)


@pytest.mark.parametrize("j", ["national", "xinzhou"])
@given(
    picks=st.lists(st.sampled_from(range(len(_SERVICE_CONDS))), max_size=3),
    scope_field=st.sampled_from(["completed_on", "callback_on", "$case.policy.issued_on"]),
    lo=st.none() | st.dates(dt.date(2025, 6, 1), dt.date(2025, 12, 31)),
    hi=st.none() | st.dates(dt.date(2025, 6, 1), dt.date(2026, 6, 30)),
    scoped=st.booleans(),
)
@settings(max_examples=80, deadline=None)
def test_a_scoped_selection_answers_as_the_scope_then_all_hold(
    j: str, picks: list[int], scope_field: str, lo: Any, hi: Any, scoped: bool
) -> None:
    """Inside a layer's event scope (a record's day, or a `$case.` day, before or after it:
    outside, with why), then every condition: the view's selection, through its cache (a
    selection without a scope and the same one with it are kept apart; without events the
    scope field changes nothing), answers as the long way."""
    case = _case(j)
    view = CaseView(case)
    rs = ar.load_ruleset(j)
    ctx = Ctx(rs.rules[0], case, dt.date(2026, 7, 31), ar.default_calendar(), rs, view=view)
    where = [_SERVICE_CONDS[i] for i in picks]
    events = (lo, hi) if scoped else None
    for _ in range(2):  # made, then read from the cache
        got = view.select(Subject.service_records, where, scope_field, "layer", events)
        want = _select_reference(
            ctx, Subject.service_records, where, scope_field if scoped else None, events
        )
        assert got == want
        assert view.select(Subject.service_records, where, None, "layer", None) == (
            _select_reference(ctx, Subject.service_records, where)
        )
        # another scope on the same view: its own selection, not the first one's
        tight = (dt.date(2025, 9, 1), dt.date(2025, 9, 30))
        assert view.select(Subject.service_records, where, scope_field, "layer", tight) == (
            _select_reference(ctx, Subject.service_records, where, scope_field, tight)
        )


def test_a_condition_that_cannot_be_asked_raises_whatever_comes_before_it() -> None:
    """As with all_hold, every condition is asked: one that raises (`nonempty` of a number)
    raises even for items an earlier condition leaves out, whatever the order (the rule then
    becomes a data error, not a silent selection)."""
    rs = ar.load_ruleset("national")
    case = _case("national")
    ctx = Ctx(rs.rules[0], case, dt.date(2026, 7, 31), ar.default_calendar(), rs)
    never = Condition(field="kind", op="eq", value="no_such_kind")
    broken = Condition(field="extra_fee", op="nonempty")
    for where in ([never, broken], [broken, never]):
        with pytest.raises(TypeError):
            _select_reference(ctx, Subject.service_records, where)
        with pytest.raises(TypeError):
            _select(ctx.view, Subject.service_records, where, None, "national", None)


@settings(max_examples=300, deadline=None)
@given(
    group=st.sampled_from(["", "service_records", "contract_services/C-1"]),
    kind=st.sampled_from([None, "", "training"]),
    stage_id=st.sampled_from([None, "", "foundation"]),
    start=st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
    days=st.integers(0, 400),
)
def test_a_periods_subject_is_its_parts_joined(
    group: str, kind: str | None, stage_id: str | None, start: dt.date, days: int
) -> None:
    """A period's row names its group, its service kind and its stage or span, the empty ones
    left out: as the join of the three it replaced; a day of a ``date`` subclass that writes
    itself otherwise is written its own way, whatever was named before it."""
    end = start + dt.timedelta(days=days)
    for day in (dt.date, _SlashedDay):
        w = ar.Window.model_construct(
            start=day(start.year, start.month, start.day),
            end=day(end.year, end.month, end.day),
            partial=False,
        )
        want = " ".join(x for x in (group, kind, stage_id or f"{w.start}..{w.end}") if x)
        assert frequency._subject(group, kind, stage_id, w) == want


class _SlashedDay(dt.date):
    """A day that writes itself with slashes (equal to, and hashed as, the plain day)."""

    def __format__(self, spec: str) -> str:
        return self.strftime("%Y/%m/%d")


def test_a_periods_count_is_what_the_sum_of_its_events_was() -> None:
    """Events without weights are counted: a period's count is the float the sum of their
    weights (1.0 each) gave, and the int 0 of an empty sum, as before (the JSON of a full
    finding writes what the model keeps)."""
    case = _case("shaoxing")
    ev = ar.evaluate_rows(ar.load_ruleset("shaoxing"), case, as_of=dt.date(2026, 7, 31))
    counts = [f.counted for f in ev.findings if getattr(f, "window", None) is not None]
    counts = [c for c in counts if c is not None]
    assert any(c == 0 for c in counts) and any(c > 0 for c in counts)
    for c in counts:
        assert type(c) is (int if c == 0 else float), c


def _reference_breach_groups(findings: list[Any], layers: list[str]) -> list[tuple[Any, list]]:
    """Breach groups as they were made before a group of one was passed through as it is."""
    from ansafe_rules.breaches import _due_key, _kind

    order = {layer: i for i, layer in enumerate(layers)}
    groups: dict[tuple[Any, str, str], list[Any]] = {}
    for f in findings:
        if f.status is Status.violation:
            groups.setdefault((_kind(f.severity), f.obligation, f.subject), []).append(f)
    out = []
    for (kind, _, _), members in groups.items():
        members.sort(key=lambda f: order.get(f.layer, len(order)))
        binding = min(members, key=lambda f: _due_key(f.due_date, f.due_at))
        out.append((kind, [binding, *[f for f in members if f is not binding]]))
    return out


FINDING_ROWS = st.builds(
    SimpleNamespace,
    status=st.sampled_from([Status.violation, Status.violation, Status.compliant]),
    severity=st.sampled_from(list(ar.Severity)),
    obligation=st.sampled_from(["service.callback", "archive.retention"]),
    subject=st.sampled_from(["policy", "service_records/S-1", "service_records/S-2"]),
    layer=st.sampled_from(["national", "guangdong", "other"]),
    due_date=st.none() | st.dates(dt.date(2026, 1, 1), dt.date(2026, 1, 5)),
    due_at=st.none()
    | st.builds(
        lambda d, h: dt.datetime(d.year, d.month, d.day, h, tzinfo=UTC),
        st.dates(dt.date(2026, 1, 1), dt.date(2026, 1, 5)),
        st.integers(0, 23),
    ),
)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(FINDING_ROWS, max_size=12))
def test_breach_groups_are_the_sorted_groups(rows: list[Any]) -> None:
    """Violations grouped into breaches (groups of one passed through as they are) give the
    groups, in the order and with the binding finding first, that sorting every group gave."""
    from ansafe_rules.breaches import breach_groups

    layers = ["national", "guangdong"]
    got = breach_groups(rows, layers)
    want = _reference_breach_groups(rows, layers)
    assert [(k, [id(f) for f in fs]) for k, fs in got] == [
        (k, [id(f) for f in fs]) for k, fs in want
    ]


# -- rendering a row's arguments in Chinese ----------------------------------------------------
# names with every kind of argument, and names of no kind; subjects' collections as rows name them
ARG_NAMES = sorted({*i18n.ARG_TYPES, "deadline", "done", "n", "no_such_argument"})
ROOTS = st.sampled_from([None, *(s.value for s in Subject)])
PLAIN_VALUES = st.one_of(
    st.sampled_from(
        [
            "completed_on",
            "id",  # a field whose label depends on the subject (投诉编号, 隐患编号...)
            "role",
            "service_records/S-03",
            "policy",
            "staff/ORG-1/W-2",
            "contract_services/training/year",
            "organisations/ORG-1 2025-07-01..2026-06-30",
            "destruction_register.approver",
            "service_records.started_on|min",
            "A",
            "",
        ]
    ),
    st.text(max_size=12),
    st.integers(-5, 400),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 12, 31)),
)


@settings(max_examples=600, deadline=None)
@given(name=st.sampled_from(ARG_NAMES), value=PLAIN_VALUES, root=ROOTS)
@example(name="subject", value="service_records/S-03", root="service_records")
@example(name="action", value="callback_on", root="service_records")
@example(name="field", value="id", root="complaints")
@example(name="deadline", value=dt.date(2026, 2, 25), root=None)
def test_a_plain_argument_renders_in_chinese_as_the_general_path(
    name: str, value: Any, root: str | None
) -> None:
    """A text, number or day in Chinese (never a message: ``_render_fresh`` does not ask;
    fields and subjects, every row's, looked up first), through ``_render_arg`` with a memo
    or without, reads as ``_render_fresh`` reads it."""
    try:
        expected: Any = i18n._render_fresh(name, value, "zh", root, None)
    except Exception as exc:  # a value no kind can render: the shortcut raises alike
        with pytest.raises(type(exc)):
            i18n._render_arg(name, value, "zh", root, {})
        return
    assert i18n._render_arg(name, value, "zh", root, {}) == expected
    assert i18n._render_arg(name, value, "zh", root, None) == expected


@settings(max_examples=400, deadline=None)
@given(
    head=st.sampled_from(["service_records", "policy", "staff", "unknown_things", ""]),
    tail=st.sampled_from(["", "training", "2025-07-01..2026-06-30", "a b"]),
    rest=st.sampled_from(["", "S-03", "ORG-1/W-2", "记录一", "x y"]),
)
def test_a_subject_reads_as_label_id_and_tail(head: str, tail: str, rest: str) -> None:
    """A subject in Chinese: its collection's label, then its id and what followed the
    collection's name, each if any, joined by spaces (the reference, as first written)."""
    subject = (f"{head} {tail}" if tail else head) + (f"/{rest}" if rest else "")
    h, _, r = subject.partition("/")
    first, _, t = h.partition(" ")
    label = i18n._render_collection(first, "zh")
    ident = " ".join(x for x in (r, t) if x)
    assert i18n._render_subject(subject, "zh") == (f"{label} {ident}" if ident else label)
    assert i18n._render_subject(subject, "en") == subject

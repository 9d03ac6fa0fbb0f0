"""China working-day calendar: hand-computed dates across real holidays, properties, overrides.

Hand computations use the official schedules (State Council notices):
National Day 2025: 10-01..10-08 off, Sun 09-28 and Sat 10-11 worked.
Spring Festival 2026: 02-15..02-23 off, Sat 02-14 and Sat 02-28 worked.
May Day 2026: 05-01..05-05 off, Sat 05-09 worked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ansafe_rules as ar
from ansafe_rules.calendar import last_official_year
from ansafe_rules.periods import compute_due

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 9, 28), True),  # Sunday, make-up workday for National Day
        (D(2025, 10, 1), False),
        (D(2025, 10, 8), False),  # last day of the 2025 Golden Week
        (D(2025, 10, 11), True),  # Saturday, make-up workday
        (D(2026, 2, 14), True),  # Saturday, make-up workday for Spring Festival
        (D(2026, 2, 16), False),  # 除夕
        (D(2026, 2, 23), False),
        (D(2026, 2, 28), True),  # Saturday, make-up workday
        (D(2026, 5, 5), False),
        (D(2026, 5, 9), True),  # Saturday, make-up workday for May Day
        (D(2026, 3, 7), False),  # an ordinary Saturday
        (D(2026, 3, 9), True),  # an ordinary Monday
    ],
)
def test_is_workday(cal: ar.WorkCalendar, day: dt.date, working: bool) -> None:
    assert cal.is_workday(day) is working


@pytest.mark.parametrize(
    ("trigger", "n", "expected"),
    [
        (D(2025, 9, 26), 5, D(2025, 10, 10)),  # Fri; Sun 09-28 counts, Golden Week skipped
        (D(2025, 9, 28), 5, D(2025, 10, 11)),  # trigger on the make-up Sunday; ends on Sat 10-11
        (D(2025, 10, 1), 1, D(2025, 10, 9)),  # trigger on a holiday: counting starts next day
        (D(2025, 9, 30), 10, D(2025, 10, 21)),  # 10-09,10,11(Sat),13,14,15,16,17,20,21
        (D(2026, 2, 12), 5, D(2026, 2, 26)),  # 13, Sat 14, 24, 25, 26
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # the make-up Saturday is the next workday
        (D(2026, 2, 27), 1, D(2026, 2, 28)),  # ditto for Sat 02-28
        (D(2026, 4, 30), 1, D(2026, 5, 6)),  # May Day 05-01..05-05
        (D(2026, 4, 30), 4, D(2026, 5, 9)),  # 06, 07, 08, Sat 09
    ],
)
def test_add_workdays_hand_computed(
    cal: ar.WorkCalendar, trigger: dt.date, n: int, expected: dt.date
) -> None:
    assert cal.add_workdays(trigger, n) == expected


def test_count_workdays_excludes_start(cal: ar.WorkCalendar) -> None:
    assert cal.count_workdays(D(2025, 9, 26), D(2025, 10, 10)) == 5
    assert cal.count_workdays(D(2025, 10, 1), D(2025, 10, 8)) == 0


def test_official_years_come_from_the_package(cal: ar.WorkCalendar) -> None:
    last = last_official_year()
    assert last >= 2026
    assert cal.is_official(last) and not cal.is_official(last + 1)
    assert cal.provisional_reason(D(last, 12, 31)) is None
    assert f"depends on {last + 1}" in cal.provisional_reason(D(last + 1, 1, 5))


def test_out_of_range_is_a_clear_error(cal: ar.WorkCalendar) -> None:
    with pytest.raises(ar.CalendarRangeError, match="outside the calendar range"):
        cal.is_workday(D(1999, 1, 1))


def test_override_makes_a_year_official_and_changes_answers() -> None:
    override = ar.CalendarOverride(
        year=2027,
        holidays=(D(2027, 1, 1), D(2027, 1, 4)),
        workdays=(D(2027, 1, 9),),
        source="test notice",
    )
    cal = ar.WorkCalendar([override])
    assert cal.is_official(2027)
    assert cal.sources[2027] == "test notice"
    assert not cal.is_workday(D(2027, 1, 4))
    assert cal.is_workday(D(2027, 1, 9))  # a Saturday made a workday
    # Mon 2026-12-28 + 5: 29, 30, 31, (01-01 holiday, 01-04 holiday) 05, 06
    assert cal.add_workdays(D(2026, 12, 28), 5) == D(2027, 1, 6)
    assert ar.default_calendar().add_workdays(D(2026, 12, 28), 5) == D(2027, 1, 5)


def test_override_validation() -> None:
    with pytest.raises(ValueError, match="not in year 2027"):
        ar.CalendarOverride(year=2027, holidays=(D(2026, 1, 1),))
    with pytest.raises(ValueError, match="both holiday and workday"):
        ar.CalendarOverride(year=2027, holidays=(D(2027, 1, 9),), workdays=(D(2027, 1, 9),))


def test_overrides_from_yaml(tmp_path: Path) -> None:
    f = tmp_path / "cal.yaml"
    f.write_text(
        "- year: 2027\n  holidays: [2027-01-01]\n  source: 国办发明电〔2026〕X号\n",
        encoding="utf-8",
    )
    (o,) = ar.load_calendar_overrides(f)
    assert o.holidays == (D(2027, 1, 1),) and o.source.startswith("国办发明电")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- year: 2027\n  holiday: [2027-01-01]\n", encoding="utf-8")
    with pytest.raises(ar.RulesetError, match=r"bad.yaml: entry 0: field .holiday.: unknown key"):
        ar.load_calendar_overrides(bad)


# -- properties ---------------------------------------------------------------------------
OFFICIAL_DAYS = st.dates(min_value=D(2019, 1, 1), max_value=D(2026, 10, 31))
_REF = holidays.China(years=range(2018, 2028), language="zh_CN")


@given(day=OFFICIAL_DAYS, n=st.integers(1, 40))
@settings(max_examples=300)
def test_due_is_a_workday_and_counts_back_to_n(cal: ar.WorkCalendar, day: dt.date, n: int) -> None:
    due = cal.add_workdays(day, n)
    assert due > day
    assert cal.is_workday(due)
    assert cal.count_workdays(day, due) == n


@given(day=OFFICIAL_DAYS, n=st.integers(1, 40))
@settings(max_examples=200)
def test_monotonic_in_n(cal: ar.WorkCalendar, day: dt.date, n: int) -> None:
    assert cal.add_workdays(day, n) < cal.add_workdays(day, n + 1)


@given(day=OFFICIAL_DAYS, n=st.integers(1, 30))
@settings(max_examples=200)
def test_agrees_with_holidays_package(cal: ar.WorkCalendar, day: dt.date, n: int) -> None:
    assert cal.add_workdays(day, n) == _REF.get_nth_working_day(day, n)


@given(day=OFFICIAL_DAYS)
def test_is_workday_agrees_with_holidays_package(cal: ar.WorkCalendar, day: dt.date) -> None:
    assert cal.is_workday(day) is _REF.is_working_day(day)


# -- the working-day index (add_workdays, next_workday_on_or_after look days up) ------------
def _stepped_add(cal: ar.WorkCalendar, day: dt.date, n: int) -> dt.date | None:
    """The n-th working day after ``day``, stepping day by day (None past the range)."""
    last = D(cal.last_year, 12, 31)
    while n:
        if day >= last:
            return None
        day += dt.timedelta(days=1)
        n -= cal.is_workday(day)
    return day


def _stepped_next(cal: ar.WorkCalendar, day: dt.date) -> dt.date | None:
    last = D(cal.last_year, 12, 31)
    while not cal.is_workday(day):
        if day >= last:
            return None
        day += dt.timedelta(days=1)
    return day


def _span_days(cal: ar.WorkCalendar) -> st.SearchStrategy[dt.date]:
    lo, hi = D(cal.first_year, 1, 1), D(cal.last_year, 12, 31)
    edges = [lo, lo + dt.timedelta(days=1), hi - dt.timedelta(days=20), hi]
    return st.one_of(st.sampled_from(edges), st.dates(min_value=lo, max_value=hi))


_CAL = ar.default_calendar()
_OVERRIDDEN = ar.WorkCalendar(
    [ar.CalendarOverride(year=2027, holidays=(D(2027, 1, 4),), workdays=(D(2027, 1, 9),))]
)


@pytest.mark.parametrize("which", [_CAL, _OVERRIDDEN], ids=["default", "override"])
@given(data=st.data(), n=st.integers(1, 30))
@settings(max_examples=300)
def test_the_index_answers_as_stepping_does(
    which: ar.WorkCalendar, data: st.DataObject, n: int
) -> None:
    """Looked up in the index, as counted day by day: the n-th working day after a day and the
    first on or after it, anywhere in the range, up to its last day (then a range error)."""
    day = data.draw(_span_days(which))
    want = _stepped_add(which, day, n)
    if want is None:
        with pytest.raises(ar.CalendarRangeError, match="beyond the calendar range"):
            which.add_workdays(day, n)
    else:
        assert which.add_workdays(day, n) == want
    nxt = _stepped_next(which, day)
    if nxt is None:
        with pytest.raises(ar.CalendarRangeError, match="no working day on or after"):
            which.next_workday_on_or_after(day)
    else:
        assert which.next_workday_on_or_after(day) == nxt


def test_the_index_refuses_days_outside_the_range() -> None:
    lo, hi = D(_CAL.first_year, 1, 1), D(_CAL.last_year, 12, 31)
    for day in (lo - dt.timedelta(days=1), hi + dt.timedelta(days=1)):
        with pytest.raises(ar.CalendarRangeError, match="outside the calendar range"):
            _CAL.add_workdays(day, 1)
        with pytest.raises(ar.CalendarRangeError, match="outside the calendar range"):
            _CAL.next_workday_on_or_after(day)
    with pytest.raises(ValueError, match="n must be >= 1"):
        _CAL.add_workdays(lo, 0)


@pytest.mark.parametrize("which", [_CAL, _OVERRIDDEN], ids=["default", "override"])
def test_a_pickled_calendar_makes_its_index_again(which: ar.WorkCalendar) -> None:
    """The index is left out of the pickle (Spark sends the calendar to every executor) and
    made again from the working days: the same index, the same answers."""
    import pickle

    compute_due(D(2026, 3, 2), ar.Period(amount=5, unit="workdays"), which)  # one kept
    assert which._due_memo
    state = which.__getstate__()
    assert "_days" not in state and "_upto" not in state and "_due_memo" not in state
    again = pickle.loads(pickle.dumps(which))
    assert (again._days, again._upto, again._ord) == (which._days, which._upto, which._ord)
    assert again.sources == which.sources and again.official_years == which.official_years
    day = D(2026, 12, 28)
    assert again.add_workdays(day, 5) == which.add_workdays(day, 5)
    assert again._due_memo == {}  # the due dates kept are not sent either

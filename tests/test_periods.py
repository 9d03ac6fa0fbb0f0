"""Civil Code period arithmetic (民法典 arts. 200-204), hand-computed across real holidays."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ansafe_rules as ar
from ansafe_rules.calendar import default_calendar
from ansafe_rules.periods import Period, PeriodUnit, compute_due, due_point

D = dt.date


def P(amount: int, unit: str) -> ar.Period:
    return ar.Period(amount=amount, unit=unit)


@pytest.mark.parametrize(
    ("trigger", "period", "expected", "rolled_from"),
    [
        # days: 09-24 + 7 = 10-01, in Golden Week -> first working day 10-09 (art. 203)
        (D(2025, 9, 24), P(7, "days"), D(2025, 10, 9), D(2025, 10, 1)),
        # days ending on the make-up Saturday 2025-10-11: a working day, not rolled
        (D(2025, 10, 1), P(10, "days"), D(2025, 10, 11), None),
        # months: 01-31 + 1 month -> 02-28 (no 31st, art. 202), a make-up Saturday: not rolled
        (D(2026, 1, 31), P(1, "months"), D(2026, 2, 28), None),
        # months: 2025-12-31 + 1 -> 2026-01-31 (Sat) -> Mon 02-02
        (D(2025, 12, 31), P(1, "months"), D(2026, 2, 2), D(2026, 1, 31)),
        # months ending in Spring Festival: 2026-01-16 + 1 -> 02-16 (除夕) -> 02-24
        (D(2026, 1, 16), P(1, "months"), D(2026, 2, 24), D(2026, 2, 16)),
        # years: 2024-02-29 + 1 -> 2025-02-28 (Fri)
        (D(2024, 2, 29), P(1, "years"), D(2025, 2, 28), None),
        # workdays
        (D(2025, 9, 26), P(5, "workdays"), D(2025, 10, 10), None),
        (D(2026, 2, 12), P(5, "workdays"), D(2026, 2, 26), None),
        # same day
        (D(2026, 10, 1), P(0, "same_day"), D(2026, 10, 1), None),
    ],
)
def test_due_dates(
    cal: ar.WorkCalendar,
    trigger: dt.date,
    period: ar.Period,
    expected: dt.date,
    rolled_from: dt.date | None,
) -> None:
    due = compute_due(trigger, period, cal)
    assert due.due_date == expected
    assert due.rolled_from == rolled_from
    assert not due.provisional
    assert "民法典" in due.explanation


def test_hours_are_exact_and_not_rolled(cal: ar.WorkCalendar) -> None:
    due = compute_due(dt.datetime(2026, 9, 30, 20, 30), P(24, "hours"), cal)
    assert due.due_at == dt.datetime(2026, 10, 1, 20, 30)  # a holiday: not rolled
    assert due.due_date == D(2026, 10, 1)
    with pytest.raises(ValueError, match="needs a timestamp"):
        compute_due(D(2026, 9, 30), P(24, "hours"), cal)


def test_retention_end_is_not_rolled(cal: ar.WorkCalendar) -> None:
    due = compute_due(D(2020, 10, 1), P(5, "years"), cal, roll=False)
    assert due.due_date == D(2025, 10, 1)


def test_unofficial_year_is_provisional(cal: ar.WorkCalendar) -> None:
    due = compute_due(D(2026, 12, 28), P(5, "workdays"), cal)
    assert due.provisional
    assert "2027" in due.provisional_reason
    rolled = compute_due(D(2026, 12, 1), P(1, "months"), cal)  # 2027-01-01 -> 01-04
    assert rolled.provisional
    inside = compute_due(D(2026, 12, 1), P(5, "workdays"), cal)
    assert not inside.provisional


@pytest.mark.parametrize(
    ("amount", "unit", "message"),
    [(0, "workdays", "amount must be >= 1"), (2, "same_day", "same_day takes amount 0")],
)
def test_period_validation(amount: int, unit: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        P(amount, unit)


@given(day=st.dates(D(2019, 1, 1), D(2026, 6, 30)), n=st.integers(1, 60))
@settings(max_examples=200)
def test_day_period_lands_on_first_workday_on_or_after_the_plain_end(
    cal: ar.WorkCalendar, day: dt.date, n: int
) -> None:
    due = compute_due(day, P(n, "days"), cal).due_date
    plain = day + dt.timedelta(days=n)
    assert cal.is_workday(due) and due >= plain
    assert all(not cal.is_workday(plain + dt.timedelta(days=k)) for k in range((due - plain).days))


# ---- due_point: the dates of compute_due without the explanation (lean evaluations) ---------
_UNITS = [u for u in PeriodUnit if u is not PeriodUnit.same_day]


@settings(max_examples=500, deadline=None)
@given(
    day=st.dates(dt.date(2019, 12, 1), dt.date(2027, 12, 31)),
    hour=st.integers(0, 23),
    timed=st.booleans(),
    unit=st.sampled_from([*_UNITS, PeriodUnit.same_day]),
    amount=st.integers(1, 40),
    roll=st.booleans(),
)
def test_due_point_gives_the_dates_of_compute_due(day, hour, timed, unit, amount, roll) -> None:
    trigger = (
        dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        if timed
        else day
    )
    period = Period(amount=0 if unit is PeriodUnit.same_day else amount, unit=unit)
    cal = default_calendar()
    try:
        want = compute_due(trigger, period, cal, roll=roll)
    except Exception as exc:  # the same error, worded the same
        with pytest.raises(type(exc)) as got:
            due_point(trigger, period, cal, roll=roll)
        assert str(got.value) == str(exc)
        return
    assert due_point(trigger, period, cal, roll=roll) == (want.due_date, want.due_at)


def test_due_point_past_the_calendar_and_the_year_9999() -> None:
    cal = default_calendar()
    for trigger, period in (
        (dt.date(9999, 12, 30), Period(amount=5, unit=PeriodUnit.days)),
        (dt.date(2150, 1, 1), Period(amount=5, unit=PeriodUnit.workdays)),
        (dt.date(9999, 6, 1), Period(amount=12, unit=PeriodUnit.months)),
    ):
        with pytest.raises(Exception) as want:
            compute_due(trigger, period, cal)
        with pytest.raises(type(want.value)) as got:
            due_point(trigger, period, cal)
        assert str(got.value) == str(want.value)


# --- the due dates a calendar keeps (compute_due of a day: one answer for every case) ---------


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 12, 31)),
    amount=st.integers(min_value=1, max_value=10),
    unit=st.sampled_from(["workdays", "days", "months", "years"]),
    roll=st.booleans(),
)
def test_a_kept_due_date_is_the_one_worked_out_afresh(
    day: dt.date, amount: int, unit: str, roll: bool
) -> None:
    """Asked twice, from a calendar that kept it and from a new one: the same due date (the
    same object from the first calendar: a DueDate is frozen)."""
    from ansafe_rules.calendar import WorkCalendar

    cal, period = default_calendar(), P(amount, unit)
    first = compute_due(day, period, cal, roll=roll)
    assert compute_due(day, period, cal, roll=roll) is first
    assert compute_due(day, period, WorkCalendar(), roll=roll) == first


def test_each_calendar_keeps_its_own_due_dates() -> None:
    """A calendar with an override answers from its own days, whatever another kept: 2027's
    schedule given as 01-01 and 01-04 moves the 1st working day after 2026-12-31 (a Thursday)
    from 01-04 (01-01 a holiday, then a weekend) to 01-05."""
    from ansafe_rules.calendar import CalendarOverride, WorkCalendar

    day, period = D(2026, 12, 31), P(1, "workdays")
    plain = WorkCalendar()
    moved = WorkCalendar(
        [CalendarOverride(year=2027, holidays=(D(2027, 1, 1), D(2027, 1, 4)), source="t")]
    )
    assert compute_due(day, period, plain).due_date == D(2027, 1, 4)
    assert compute_due(day, period, moved).due_date == D(2027, 1, 5)
    assert compute_due(day, period, plain).due_date == D(2027, 1, 4)


def test_a_calendar_keeps_a_bounded_number_of_due_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    import ansafe_rules.periods as periods
    from ansafe_rules.calendar import WorkCalendar

    monkeypatch.setattr(periods, "DUE_MEMO_SIZE", 10)
    cal = WorkCalendar()
    for i in range(35):
        compute_due(D(2026, 3, 1) + dt.timedelta(days=i), P(5, "workdays"), cal)
        assert len(cal._due_memo) <= 10
    # emptied when full, then filled again: the last one asked is kept
    assert (D(2026, 3, 1) + dt.timedelta(days=34), 5, PeriodUnit.workdays, True) in cal._due_memo


def test_a_due_date_that_cannot_be_worked_out_is_not_kept() -> None:
    """Past 9999-12-31 it raises, every time it is asked; nothing is kept for it. Hours and
    timestamps are not kept (an instant is rarely asked twice)."""
    from ansafe_rules.calendar import WorkCalendar

    cal = WorkCalendar()
    for _ in range(2):
        with pytest.raises(ValueError, match="ends after 9999-12-31"):
            compute_due(D(9999, 12, 1), P(2, "months"), cal, roll=False)
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    compute_due(at, P(24, "hours"), cal)
    assert cal._due_memo == {}


def test_a_calendar_like_object_without_a_memo_is_asked_each_time() -> None:
    """An object standing in for a calendar (the methods of one, no memo) gets the same due
    dates, worked out each time."""
    from ansafe_rules.calendar import WorkCalendar

    class Like:
        def __init__(self, cal: WorkCalendar) -> None:
            self.cal, self.asked = cal, 0

        def __getattr__(self, name: str) -> object:
            if name == "_due_memo":
                raise AttributeError(name)
            self.asked += 1
            return getattr(self.cal, name)

    cal = WorkCalendar()
    like = Like(cal)
    day, period = D(2025, 9, 26), P(5, "workdays")
    assert compute_due(day, period, like) == compute_due(day, period, cal)  # type: ignore[arg-type]
    once = like.asked
    assert once >= 1
    assert compute_due(day, period, like) == compute_due(day, period, cal)  # type: ignore[arg-type]
    assert like.asked == 2 * once  # asked again, nothing kept
    assert compute_due(day, period, cal).due_date == D(2025, 10, 10)

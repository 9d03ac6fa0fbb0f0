"""Period arithmetic after the Civil Code (民法典) arts. 200-204.

- "N个工作日内" (``workdays``): the N-th working day strictly after the trigger day; 调休 make-up
  weekend days count; a trigger on a rest day still counts from the next day (art. 201 and
  administrative practice, e.g. 行政许可法 art. 82).
- "N日" (``days``): trigger + N calendar days (art. 201); a last day that is a rest day rolls to
  the next working day (art. 203).
- "N个月" / "N年" (``months`` / ``years``): the corresponding day of the end month, or that
  month's last day when there is none (art. 202); then rolled as above (art. 203).
- "N小时" (``hours``): the exact timestamp + N hours (art. 201, second sentence); never rolled.
- "当天" (``same_day``): the end (24:00) of the trigger day (art. 203, second sentence).

A deadline's last day ends at 24:00 (art. 203): an act on the due date is on time.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ._errors import said
from .calendar import WorkCalendar

__all__ = [
    "MAX_AMOUNT",
    "DueDate",
    "Period",
    "PeriodUnit",
    "add_calendar_period",
    "compute_due",
]


class PeriodUnit(StrEnum):
    """Units of a period. Each maps to one Civil Code reading (see module docstring)."""

    workdays = "workdays"
    days = "days"
    months = "months"
    years = "years"
    hours = "hours"
    same_day = "same_day"


_ZH = {
    PeriodUnit.workdays: "个工作日",
    PeriodUnit.days: "日",
    PeriodUnit.months: "个月",
    PeriodUnit.years: "年",
    PeriodUnit.hours: "小时",
}

_ONE = {
    PeriodUnit.workdays: "workday",
    PeriodUnit.days: "day",
    PeriodUnit.months: "month",
    PeriodUnit.years: "year",
    PeriodUnit.hours: "hour",
}
"""The English singular of each unit: ``1年 (1 year)``, not ``(1 years)``."""


def unit_en(amount: int, unit: PeriodUnit) -> str:
    """``unit`` in English for ``amount`` of it (singular for 1)."""
    return _ONE[unit] if amount == 1 else unit.value


MAX_AMOUNT: dict[PeriodUnit, int] = {
    PeriodUnit.workdays: 2_500,
    PeriodUnit.days: 36_500,
    PeriodUnit.months: 1_200,
    PeriodUnit.years: 100,
    PeriodUnit.hours: 876_000,
    PeriodUnit.same_day: 0,
}
"""Largest amount per unit (about 100 years; 2,500 working days is about ten years, more than
the working-day calendar spans). A longer period is rejected when the ruleset is loaded, so no
period can run past 9999-12-31 from a date the input accepts (see docs/limits.md)."""


class Period(BaseModel):
    """A length of time with a unit, e.g. ``{amount: 5, unit: workdays}`` for 5个工作日."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: int = Field(ge=0, description="数量 — how many units (0 only for same_day)")
    unit: PeriodUnit = Field(description="单位 — workdays, days, months, years, hours, same_day")

    @model_validator(mode="after")
    def _amount_fits_unit(self) -> Period:
        if self.unit is PeriodUnit.same_day and self.amount != 0:
            raise said("period.same_day_amount")
        if self.unit is not PeriodUnit.same_day and self.amount < 1:
            raise said("period.amount_min", unit=self.unit.value)
        if self.amount > MAX_AMOUNT[self.unit]:
            raise said(
                "period.amount_max",
                amount=self.amount,
                unit=self.unit.value,
                most=MAX_AMOUNT[self.unit],
            )
        return self

    def label(self) -> str:
        if self.unit is PeriodUnit.same_day:
            return "当天 (same day)"
        return f"{self.amount}{_ZH[self.unit]} ({self.amount} {unit_en(self.amount, self.unit)})"


class DueDate(BaseModel):
    """The end of a period, with how it was computed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    due_date: dt.date = Field(description="期间最后一日 — last day of the period (ends 24:00)")
    due_at: dt.datetime | None = Field(
        default=None, description="精确截止时刻 — exact deadline, for hour periods only"
    )
    rolled_from: dt.date | None = Field(
        default=None, description="顺延前的最后一日 — last day before rolling past rest days"
    )
    provisional: bool = Field(default=False, description="是否暂定 — depends on an unofficial year")
    provisional_reason: str | None = None
    explanation: str = Field(description="计算说明 — how the date was computed, with the article")


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def compute_due(
    trigger: dt.date | dt.datetime,
    period: Period,
    calendar: WorkCalendar,
    *,
    roll: bool = True,
) -> DueDate:
    """Last day (or instant) of ``period`` counted from ``trigger``.

    ``roll=False`` turns off art. 203 rolling for calendar periods (used for retention ends,
    which are not deadlines to act by).

    A period that would end after 9999-12-31 raises ``ValueError`` naming the trigger and the
    period (never ``OverflowError``).

    The due date of a day is kept by the calendar (``DUE_MEMO_SIZE`` at most) and shared by
    every later call with the same day and period: a :class:`DueDate` is frozen.
    """
    memo = getattr(calendar, "_due_memo", None)  # a calendar-like object of a caller's: none
    if type(trigger) is dt.date and type(memo) is dict:  # a day: one answer for every case
        key = (trigger, period.amount, period.unit, roll)
        got: DueDate | None = memo.get(key)
        if got is None:
            got = _checked_due(trigger, period, calendar, roll)  # an error is not kept
            if len(memo) >= DUE_MEMO_SIZE:
                memo.clear()
            memo[key] = got
        return got
    return _checked_due(trigger, period, calendar, roll)


DUE_MEMO_SIZE = 5_000
"""How many due dates a calendar keeps (``WorkCalendar._due_memo``; a DueDate is frozen, so
sharing one is safe): a year of days times a dozen periods; about 1.4 KB each with its
explanation, so about 7 MB per calendar (threads adding at once may pass the bound by a few
before one empties it). The CLI's and Spark's calendar caches keep up to four calendars
made from override files besides the default one."""


def _checked_due(
    trigger: dt.date | dt.datetime, period: Period, calendar: WorkCalendar, roll: bool
) -> DueDate:
    try:
        return _compute_due(trigger, period, calendar, roll=roll)
    except OverflowError:
        raise _past_end(trigger, period) from None


def _past_end(trigger: dt.date | dt.datetime, period: Period) -> ValueError:
    return ValueError(f"{trigger} + {period.label()} ends after 9999-12-31")


def _points(
    trigger: dt.date | dt.datetime, period: Period, calendar: WorkCalendar, roll: bool
) -> tuple[dt.date, dt.datetime | None, dt.date | None]:
    """The dates of a period, worked out once for :func:`compute_due` and :func:`due_point`:
    (due day, due instant for hour periods, the calendar period's last day before rolling)."""
    unit, n = period.unit, period.amount
    if unit is PeriodUnit.hours:
        if not isinstance(trigger, dt.datetime):
            raise ValueError("an hour period needs a timestamp trigger, got a date")
        at = trigger + dt.timedelta(hours=n)
        return at.date(), at, None
    day = _as_date(trigger)
    if unit is PeriodUnit.same_day:
        return day, None, None
    if unit is PeriodUnit.workdays:
        return calendar.add_workdays(day, n), None, None
    end = add_calendar_period(day, period)
    return (calendar.next_workday_on_or_after(end) if roll else end), None, end


def _compute_due(
    trigger: dt.date | dt.datetime, period: Period, calendar: WorkCalendar, *, roll: bool
) -> DueDate:
    due, at, end = _points(trigger, period, calendar, roll)
    day = _as_date(trigger)
    unit, n = period.unit, period.amount
    if at is not None:  # an hour period
        return DueDate(
            due_date=due,
            due_at=at,
            explanation=f"{trigger.isoformat()} + {n} h = {at.isoformat()} "
            "(hour periods run from the exact time, 民法典 art. 201; not rolled)",
        )
    if unit is PeriodUnit.same_day:
        return DueDate(
            due_date=due,
            explanation=f"当天: by 24:00 on {day} (民法典 art. 203)",
        )
    if unit is PeriodUnit.workdays:
        reason = calendar.provisional_reason(day, due)
        return DueDate(
            due_date=due,
            provisional=reason is not None,
            provisional_reason=reason,
            explanation=f"{n}th working day strictly after {day} = {due} (start day not counted, "
            "民法典 art. 201; 调休 make-up workdays count)",
        )
    assert end is not None  # a calendar period (days, months, years)
    if unit is PeriodUnit.days:
        how = f"{day} + {n} days = {end} (民法典 art. 201)"
    else:
        how = f"{day} + {n} {unit.value} = {end} (corresponding day or month end, 民法典 art. 202)"
    if not roll:
        return DueDate(due_date=end, explanation=how + "; not rolled")
    reason = calendar.provisional_reason(end, due)
    if due != end:
        how += f"; {end} is a rest day, rolled to {due} (民法典 art. 203)"
    return DueDate(
        due_date=due,
        rolled_from=end if due != end else None,
        provisional=reason is not None,
        provisional_reason=reason,
        explanation=how,
    )


def due_point(
    trigger: dt.date | dt.datetime, period: Period, calendar: WorkCalendar, *, roll: bool = True
) -> tuple[dt.date, dt.datetime | None]:
    """``(due_date, due_at)`` of :func:`compute_due`, without its explanation and provisional
    flag: what a verdict compares with (a lean evaluation judges a compliant record by it and
    builds the :class:`DueDate` only for a row it keeps). Both work the dates out in
    ``_points`` (the usual deadline, working days after a day, is asked of the calendar
    directly, as ``_points`` would); they raise alike."""
    if type(trigger) is dt.date and period.unit is PeriodUnit.workdays:
        # the usual deadline (N个工作日内 after a day): what _points answers, without its steps
        return calendar.add_workdays(trigger, period.amount), None
    try:
        due, at, _ = _points(trigger, period, calendar, roll)
    except OverflowError:
        raise _past_end(trigger, period) from None
    return due, at


def add_calendar_period(day: dt.date, period: Period) -> dt.date:
    """``day`` + a days/months/years period (arts. 201-202), without rolling. Used for the end
    of a trial or a retention, which are not deadlines to act by. Past 9999-12-31: a
    ``ValueError`` naming the day and the period."""
    try:
        if period.unit is PeriodUnit.days:
            return day + dt.timedelta(days=period.amount)
        if period.unit is PeriodUnit.months:
            return day + relativedelta(months=period.amount)
        if period.unit is PeriodUnit.years:
            return day + relativedelta(years=period.amount)
    except (OverflowError, ValueError):
        # datetime raises OverflowError, dateutil ValueError("year 10004 is out of range")
        raise _past_end(day, period) from None
    raise ValueError(f"{period.unit.value} is not a calendar period")

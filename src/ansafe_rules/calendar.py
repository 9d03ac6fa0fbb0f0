"""China working-day calendar: statutory holidays and 调休 make-up workdays.

The data comes from the ``holidays`` package (``holidays.China``, ``language="zh_CN"``, default
observed handling). We read it once into an immutable, sorted index of working days and answer
every query with ``bisect``: ``holidays``' own objects change state on read (``expand=True``) and
share their ``weekend_workdays`` set between copies, so they are never kept or queried later.

A year is *official* when the State Council's schedule for it is in the data (``holidays``' table
of substituted days) or when the user supplies an override for it. Any answer that depends on a
non-official year is flagged ``provisional`` with the reason; nothing is silently guessed.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import holidays
from holidays.countries.china import ChinaStaticHolidays
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ._errors import (
    CalendarRangeError,
    RulesetError,
    error_at,
    lines_error,
    pydantic_lines,
    said,
)
from ._yaml import load_yaml_file

__all__ = ["CalendarOverride", "WorkCalendar", "default_calendar", "load_calendar_overrides"]

FIRST_YEAR = 2001
"""First year of the official substitution tables in ``holidays`` (2001)."""

PROVISIONAL_MARGIN_YEARS = 12
"""How many years after the last official one the index reaches (marked provisional)."""


class CalendarOverride(BaseModel):
    """A user-supplied official schedule for one year (e.g. when the State Council's notice for
    2027 is out before ``holidays`` ships it). Makes that year official."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int = Field(description="公历年份 — the year this schedule covers")
    holidays: tuple[dt.date, ...] = Field(
        default=(), description="放假日期 — extra days off (statutory or 调休 rest days)"
    )
    workdays: tuple[dt.date, ...] = Field(
        default=(), description="调休上班日期 — weekend days that are working days"
    )
    source: str = Field(
        default="user override", description="出处 — e.g. the State Council notice number"
    )

    @model_validator(mode="after")
    def _dates_in_year(self) -> CalendarOverride:
        for d in (*self.holidays, *self.workdays):
            if d.year != self.year:
                raise said("calendar.not_in_year", day=d, year=self.year)
        clash = set(self.holidays) & set(self.workdays)
        if clash:
            days = sorted(clash)
            raise said("calendar.both_kinds", days=days, listed="、".join(map(str, days)))
        return self


def load_calendar_overrides(path: str | Path) -> tuple[CalendarOverride, ...]:
    """Read overrides from YAML: a list of ``{year, holidays, workdays, source}`` mappings."""
    data = load_yaml_file(path)
    if not isinstance(data, list):
        raise error_at(RulesetError, str(path), "calendar.not_a_list")
    out = []
    for i, item in enumerate(data):
        try:
            out.append(CalendarOverride.model_validate(item))
        except ValidationError as exc:
            at = ("calendar.at_entry", {"i": i, "n": i + 1})
            raise lines_error(RulesetError, pydantic_lines(path, [at], exc)) from None
    return tuple(out)


def last_official_year() -> int:
    """Last year whose official schedule ``holidays`` ships (2026 with holidays 0.109)."""
    return max(ChinaStaticHolidays.special_public_holidays)


def _index(
    workdays: tuple[int, ...], start: int, end: int
) -> tuple[tuple[dt.date, ...], tuple[int, ...]]:
    """The working-day index of a calendar's range ``start..end`` (ordinals): every working
    day as a date, and per day of the range the working days up to it, itself included (what
    ``bisect_right(workdays, day)`` answers, looked up: due dates are asked per record)."""
    upto: list[int] = []
    i, n_work = 0, len(workdays)
    for n in range(start, end + 1):
        while i < n_work and workdays[i] <= n:
            i += 1
        upto.append(i)
    return tuple(dt.date.fromordinal(n) for n in workdays), tuple(upto)


class WorkCalendar:
    """Immutable China working-day calendar over ``[first_year, last_year]``.

    Thread-safe: it holds only tuples and frozensets built in ``__init__``, and one memo of
    due dates that depend on the calendar alone (see ``_due_memo``).
    """

    __slots__ = (
        "_days",
        "_due_memo",
        "_last_named",
        "_names",
        "_official",
        "_ord",
        "_rest",
        "_span",
        "_upto",
        "first_year",
        "last_year",
        "sources",
    )

    def __init__(
        self,
        overrides: Iterable[CalendarOverride] = (),
        *,
        first_year: int = FIRST_YEAR,
        last_year: int | None = None,
    ) -> None:
        overrides = tuple(overrides)
        official_last = last_official_year()
        if last_year is None:
            last_year = max(
                [official_last + PROVISIONAL_MARGIN_YEARS, *(o.year for o in overrides)]
            )
        cn = holidays.China(years=range(first_year, last_year + 1), language="zh_CN")
        rest: set[dt.date] = {d for d in cn if first_year <= d.year <= last_year}
        names = {d: n for d, n in cn.items() if first_year <= d.year <= last_year}
        extra_work: set[dt.date] = {
            d for d in cn.weekend_workdays if first_year <= d.year <= last_year
        }
        official = set(range(first_year, official_last + 1))
        sources = {y: f"holidays {holidays.__version__}" for y in official}
        for o in overrides:
            # An override replaces the package's guess for that year entirely.
            rest = {d for d in rest if d.year != o.year} | set(o.holidays)
            extra_work = {d for d in extra_work if d.year != o.year} | set(o.workdays)
            official.add(o.year)
            sources[o.year] = o.source
        start = dt.date(first_year, 1, 1).toordinal()
        end = dt.date(last_year, 12, 31).toordinal()
        workdays = []
        for n in range(start, end + 1):
            d = dt.date.fromordinal(n)
            if d in extra_work or (d.weekday() < 5 and d not in rest):
                workdays.append(n)
        self._ord: tuple[int, ...] = tuple(workdays)
        self._days, self._upto = _index(self._ord, start, end)
        self._rest = frozenset(rest)
        self._names = tuple(sorted(names.items()))
        # (year, holiday name) -> its last day: resumption_after() looks it up instead of
        # scanning every named day of the calendar (it runs per window rule and case)
        last_named: dict[tuple[int, str], dt.date] = {}
        for d, name in self._names:  # sorted by day: the last one stays
            last_named[(d.year, name)] = d
        self._last_named = last_named  # never changed after __init__ (picklable, unlike a proxy)
        self._official = frozenset(official)
        self._span = (start, end)
        self.first_year = first_year
        self.last_year = last_year
        self.sources: dict[int, str] = dict(sorted(sources.items()))
        # The due dates periods.compute_due worked out from a day, by (day, amount, unit,
        # roll): pure functions of those and of this immutable calendar, asked alike by every
        # case of a portfolio (a month's end, a record's day), so kept with the calendar they
        # depend on (they go when it goes). Only compute_due reads and adds to it, and empties
        # it when full (memory stays flat). A dict's get and set are atomic: threads sharing
        # the calendar at worst work one out twice, alike. Not pickled.
        self._due_memo: dict[tuple[Any, ...], Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the working-day index (a third of its size, sent to every Spark
        executor), which is made again from the working days when unpickled."""
        return {
            k: getattr(self, k) for k in self.__slots__ if k not in ("_days", "_upto", "_due_memo")
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)
        self._days, self._upto = _index(self._ord, *self._span)
        self._due_memo = {}

    # -- coverage -----------------------------------------------------------------------------
    @property
    def official_years(self) -> frozenset[int]:
        """Years whose holiday schedule is official (package data or user override)."""
        return self._official

    def is_official(self, year: int) -> bool:
        return year in self._official

    def provisional_reason(self, *days: dt.date) -> str | None:
        """Why an answer that looked at ``days`` is provisional, or None when it is not."""
        years = sorted({d.year for d in days if d.year not in self._official})
        if not years:
            return None
        ys = ", ".join(str(y) for y in years)
        return (
            f"depends on {ys}, whose official holiday schedule is not in the data "
            f"(official years end {max(self._official)}); supply a CalendarOverride when the "
            "State Council notice is published"
        )

    def _check(self, d: dt.date) -> int:
        n = d.toordinal()
        if not self._span[0] <= n <= self._span[1]:
            raise _range_error(
                "calendar.outside", day=d, first=self.first_year, last=self.last_year
            )
        return n

    # -- queries ------------------------------------------------------------------------------
    def is_workday(self, d: dt.date) -> bool:
        """True for Monday-Friday that are not holidays, and for 调休 make-up weekend days."""
        n = self._check(d)
        i = bisect.bisect_left(self._ord, n)
        return i < len(self._ord) and self._ord[i] == n

    def is_rest_day(self, d: dt.date) -> bool:
        return not self.is_workday(d)

    def add_workdays(self, d: dt.date, n: int) -> dt.date:
        """The ``n``-th working day strictly after ``d`` (``d`` itself never counts), n >= 1."""
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        o, (lo, hi) = d.toordinal(), self._span
        if not lo <= o <= hi:
            self._check(d)  # raises, naming the range
        i = self._upto[o - lo] + n - 1  # working days up to d, and n more
        if i >= len(self._days):
            raise _range_error("calendar.beyond", n=n, day=d, last=self.last_year)
        return self._days[i]

    def resumption_after(self, holiday: str, year: int) -> dt.date | None:
        """First working day after the rest days around the last day named ``holiday`` in
        ``year`` (e.g. 节后复工 after 春节), or None when the year has no such holiday."""
        last = self._last_named.get((year, holiday))
        if last is None:
            return None
        return self.next_workday_on_or_after(last + dt.timedelta(days=1))

    def next_workday_on_or_after(self, d: dt.date) -> dt.date:
        """``d`` when it is a working day, else the first working day after it."""
        o, lo = self._check(d), self._span[0]
        i = self._upto[o - lo - 1] if o > lo else 0  # working days before d
        if i >= len(self._days):
            raise _range_error("calendar.no_workday", day=d)
        return self._days[i]

    def count_workdays(self, start: dt.date, end: dt.date) -> int:
        """Working days ``d`` with ``start < d <= end`` (start not counted, as in art. 201)."""
        lo = bisect.bisect_right(self._ord, self._check(start))
        hi = bisect.bisect_right(self._ord, self._check(end))
        return max(0, hi - lo)

    def workdays_between(self, start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
        """Working days in ``[start, end]`` inclusive."""
        lo = bisect.bisect_left(self._ord, self._check(start))
        hi = bisect.bisect_right(self._ord, self._check(end))
        return tuple(dt.date.fromordinal(n) for n in self._ord[lo:hi])


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The shared calendar without overrides (immutable, so sharing it is safe)."""
    return WorkCalendar()


def _range_error(msg_id: str, **args: Any) -> CalendarRangeError:
    """A date outside the working-day index, said in English and Chinese."""
    from .i18n import pair  # when needed, as the readers' errors import it

    zh, en = pair(msg_id, **args)
    return CalendarRangeError(en, zh=zh)

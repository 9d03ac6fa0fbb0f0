"""Obligations as a to-do list: what is done, due soon, overdue or upcoming as of a date.

Why: ``Report.obligations`` says what must be done and by when, but not whether it was done;
the findings say that. :func:`todo` joins the two — for each obligation, the finding of the
same rule and subject as of the evaluation's date — and sorts the dated items by date, with the
undated standing duties apart. Pure: the date is the evaluation's, never the wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from ._errors import CalendarRangeError
from .calendar import WorkCalendar, default_calendar
from .i18n import Lang, Memo, normalise_lang, text
from .outputs import Finding, Obligation, Report, Status
from .results import Evaluation
from .rulesets import DutyHolder, Kind

__all__ = [
    "CHINA",
    "DEFAULT_DUE_SOON",
    "TODO_STATUS_LABELS",
    "TodoItem",
    "TodoStatus",
    "counts",
    "header",
    "todo",
]

#: Default of ``due_soon``: one working week.
DEFAULT_DUE_SOON = 5
#: China time (UTC+8 all year, no daylight saving since 1991): hour deadlines are shown in it.
CHINA = ZoneInfo("Asia/Shanghai")


class TodoStatus(StrEnum):
    """Where an item of the to-do list stands as of the evaluation's date."""

    done = "done"  # 已完成: the finding is compliant
    overdue = "overdue"  # 已逾期/违规: the finding is a violation
    due_soon = "due_soon"  # 即将到期: pending, due within `due_soon` working days
    upcoming = "upcoming"  # 待办: pending, due later
    standing = "standing"  # 常设义务: no date; `finding_status` says whether it is met now
    unknown = "unknown"  # 无法判断: no finding, or the input lacks what the rule needs


#: (zh-CN, en) label of each status, Chinese first.
TODO_STATUS_LABELS: dict[TodoStatus, tuple[str, str]] = {
    s: (text(f"enum.TodoStatus.{s.value}", "zh"), text(f"enum.TodoStatus.{s.value}", "en"))
    for s in TodoStatus
}


class TodoItem(BaseModel):
    """One obligation of one policy on the to-do list, with its status as of a date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_id: str = Field(description="保单号 — policy id")
    status: TodoStatus = Field(
        description="状态 — done, overdue, due_soon, upcoming, standing or unknown"
    )
    date: dt.date | None = Field(
        default=None,
        description="日期 — the due date, the last day of the counting window or the end of "
        "retention; empty for standing duties",
    )
    due_at: dt.datetime | None = Field(
        default=None, description="截止时刻（北京时间） — exact deadline of an hour period"
    )
    window_start: dt.date | None = Field(
        default=None, description="期间起始日 — first day of the counting window"
    )
    working_days_left: int | None = Field(
        default=None,
        description="剩余工作日 — working days after the as-of date up to the date (negative: "
        "working days since it passed)",
    )
    rule_id: str = Field(description="规则 — rule id")
    layer: str = Field(description="层级 — ruleset layer")
    clause: str = Field(description="条款 — clause of the source text")
    title: str = Field(description="事项 — what the rule is about")
    kind: Kind = Field(description="规则类型 — rule kind")
    duty_holder: DutyHolder = Field(description="义务主体 — who owes the duty")
    liable_party: DutyHolder | None = Field(
        default=None, description="责任承担方 — who bears liability, where it differs"
    )
    subject: str = Field(description="对象 — the record or period concerned")
    requirement: str = Field(description="要求 — what must be done")
    min_count: int | None = Field(default=None, description="最少次数 — events needed")
    finding_status: Status | None = Field(
        default=None, description="检查结论 — the finding of this rule and subject, if any"
    )
    reason: str | None = Field(default=None, description="说明 — the finding's reason")
    provisional: bool = Field(
        default=False,
        description="暂定 — the date depends on a year whose holiday schedule is not official",
    )
    provisional_reason: str | None = Field(default=None, description="暂定原因 — why")

    @property
    def dated(self) -> bool:
        """A dated item (not a standing duty)."""
        return self.date is not None


def header(model: type[BaseModel], name: str) -> str:
    """The Chinese label of a field: its description up to " — " (the field name if none)."""
    desc = model.model_fields[name].description
    return desc.split(" — ", 1)[0] if desc else name


def _date_of(o: Obligation) -> tuple[dt.date | None, dt.date | None]:
    """(the item's date, the window's first day)."""
    if o.due_at is not None:
        return o.due_at.astimezone(CHINA).date(), None
    if o.due_date is not None:
        return o.due_date, None
    if o.window is not None:
        return o.window.end, o.window.start
    if o.retain_until is not None:
        return o.retain_until, None
    return None, None


def _workdays_left(cal: WorkCalendar, as_of: dt.date, day: dt.date) -> int | None:
    try:
        if day >= as_of:
            return cal.count_workdays(as_of, day)
        return -cal.count_workdays(day, as_of)
    except CalendarRangeError:  # a retention end beyond the calendar's years
        return None


def _status(
    finding: Status | None, day: dt.date | None, as_of: dt.date, left: int | None, soon: int
) -> TodoStatus:
    if day is None:
        return TodoStatus.standing
    if finding is Status.compliant:
        return TodoStatus.done
    if finding is Status.violation:
        return TodoStatus.overdue
    if finding is Status.pending or (finding is None and day >= as_of):
        # a date beyond the calendar's range is far off: upcoming
        return TodoStatus.due_soon if left is not None and left <= soon else TodoStatus.upcoming
    return TodoStatus.unknown


def todo(
    source: Evaluation | Report,
    as_of: dt.date | None = None,
    *,
    due_soon: int = DEFAULT_DUE_SOON,
    calendar: WorkCalendar | None = None,
    lang: Lang | None = None,
) -> tuple[TodoItem, ...]:
    """The obligations of ``source`` (an :class:`Evaluation` or a :class:`Report`) as to-do
    items, dated ones first sorted by date (then time, rule, subject), then standing duties
    sorted by rule and subject.

    Each item's status comes from the finding of the same rule and subject: compliant ->
    ``done``, violation -> ``overdue``, pending -> ``due_soon`` when the date is at most
    ``due_soon`` working days after ``as_of`` (the calendar's working days, 调休 included),
    else ``upcoming``; undated items are ``standing``. ``as_of`` must be the evaluation's
    date (the findings are judged as of it); it defaults to it. Requirements and reasons are
    in ``lang`` (default: the evaluation's language; a :class:`Report`'s are as it has them).
    """
    if as_of is not None and as_of != source.as_of:
        raise ValueError(
            f"as_of {as_of} differs from the evaluation's {source.as_of}: evaluate as of "
            f"{as_of} first (the findings are judged as of their own date)"
        )
    if due_soon < 0:
        raise ValueError(f"due_soon must be 0 or more working days, got {due_soon}")
    as_of = source.as_of
    cal = calendar or default_calendar()
    lang = normalise_lang(lang or getattr(source, "lang", "en"))
    memo: Memo = {}

    def reason(f: Any) -> str:
        return f.reason if isinstance(f, Finding) else f.text(lang, memo)

    judged: dict[tuple[str, str], Any] = {}
    for f in source.findings:
        # one finding per rule and subject; if a kind gave several, the worst decides
        key = (f.rule_id, f.subject)
        prev = judged.get(key)
        if prev is None or _RANK[f.status] > _RANK[prev.status]:
            judged[key] = f
    items = []
    for ref in source.obligations:
        o = ref if isinstance(ref, Obligation) else ref.model(lang, memo)
        day, start = _date_of(o)
        f = judged.get((o.rule_id, o.subject))
        left = _workdays_left(cal, as_of, day) if day is not None else None
        status = _status(f.status if f else None, day, as_of, left, due_soon)
        items.append(
            TodoItem(
                policy_id=source.policy_id,
                status=status,
                date=day,
                due_at=o.due_at.astimezone(CHINA) if o.due_at is not None else None,
                window_start=start,
                working_days_left=left,
                rule_id=o.rule_id,
                layer=o.layer,
                clause=o.citation.clause,
                title=o.title,
                kind=o.kind,
                duty_holder=o.duty_holder,
                liable_party=o.liable_party,
                subject=o.subject,
                requirement=o.requirement,
                min_count=o.min_count,
                finding_status=f.status if f else None,
                reason=reason(f) if f else None,
                provisional=o.provisional,
                provisional_reason=o.provisional_reason,
            )
        )
    return tuple(sorted(items, key=_sort_key))


_RANK = {
    Status.not_applicable: 0,
    Status.compliant: 1,
    Status.pending: 2,
    Status.insufficient_data: 3,
    Status.data_error: 4,
    Status.violation: 5,
}
_MIDNIGHT = dt.time()


def _sort_key(t: TodoItem) -> tuple:
    if t.date is None:
        return (1, dt.date.min, _MIDNIGHT, t.rule_id, t.subject)
    at = t.due_at.timetz().replace(tzinfo=None) if t.due_at else _MIDNIGHT
    return (0, t.date, at, t.rule_id, t.subject)


def counts(items: Iterable[TodoItem]) -> dict[TodoStatus, int]:
    """Items per status, every status present."""
    out = dict.fromkeys(TodoStatus, 0)
    for t in items:
        out[t.status] += 1
    return out

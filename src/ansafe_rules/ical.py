"""Obligations as an iCalendar (RFC 5545) file that calendar programs import.

Written with the ``icalendar`` library. Each dated obligation becomes an event: a due date is
an all-day event on its day, a counting window or preferred window spans its days, a retention
end sits on its last day, and an hour deadline (出险后24小时内报案) is a timed event at the
exact instant in China time (``TZID=Asia/Shanghai``). Standing obligations (no date) are left
out.

Re-importing an updated file updates events instead of duplicating them:

- ``UID`` is derived from the policy, the rule and the subject only — never from a date — so an
  event whose date moves keeps its UID. A counting window's subject names its dates; they are
  replaced by the window's ordinal within its rule and subject (``#1``, ``#2``…).
- ``SEQUENCE`` is derived from the event's dates and its provisional flag, so it is the same on
  every export of an unchanged item and grows when the item changes the usual ways: a date
  moving later, or a provisional date becoming official (whichever way it moves; official
  items add :data:`OFFICIAL_SEQUENCE`). Formula: days from 2000-01-01 to the first day plus
  days to the last day (for a timed event: minutes from 2000-01-01 00:00 China time), plus
  :data:`OFFICIAL_SEQUENCE` unless provisional. An official date corrected *earlier* by new
  input data gets a lower number; calendar programs that honour SEQUENCE then keep the old
  one — delete the event (same UID) and import again.
- Provisional dates are ``STATUS:TENTATIVE``, say "暂定 provisional" in the summary and why in
  the description.

Reminders (``VALARM``, ``ACTION:DISPLAY``) fire before the event's start:
:data:`DEFAULT_REMINDERS` (3 days and 1 day) unless ``reminders`` says otherwise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneStandard

from .i18n import bilingual, text
from .outputs import Obligation
from .todo import CHINA

__all__ = [
    "DEFAULT_REMINDERS",
    "OFFICIAL_SEQUENCE",
    "obligations_to_ical",
    "parse_reminders",
    "sequence",
    "uid",
]

#: Reminders before each event unless told otherwise: 3 days and 1 day.
DEFAULT_REMINDERS: tuple[dt.timedelta, ...] = (dt.timedelta(days=3), dt.timedelta(days=1))
#: Added to the SEQUENCE of an item whose date is official (not provisional).
OFFICIAL_SEQUENCE = 100_000_000
_EPOCH = dt.date(2000, 1, 1)
_EPOCH_AT = dt.datetime(2000, 1, 1, tzinfo=CHINA)
_WINDOW = re.compile(r"\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "w": "weeks"}


def parse_reminders(text: str) -> tuple[dt.timedelta, ...]:
    """``"3d,1d,2h"`` -> reminders 3 days, 1 day and 2 hours before; ``""`` or ``"none"``
    -> none. Units: w (weeks), d (days), h (hours), m (minutes)."""
    if text.strip().lower() in ("", "none"):
        return ()
    out = []
    for part in text.split(","):
        m = re.fullmatch(r"\s*(\d{1,5})\s*([wdhm])\s*", part)
        if m is None:
            raise ValueError(
                f"提醒时间格式错误 {part.strip()!r}，应为数字加单位 w/d/h/m，如 3d,1d — "
                f"bad reminder {part.strip()!r}: expected a number and a unit w/d/h/m, "
                "e.g. 3d,1d"
            )
        out.append(dt.timedelta(**{_UNITS[m.group(2)]: int(m.group(1))}))
    return tuple(sorted(set(out), reverse=True))


def uid(policy_id: str, rule_id: str, subject: str) -> str:
    """The event's UID: a hash of the policy, the rule and the subject (with a window's
    dates replaced by its ordinal), never of a date."""
    key = f"{policy_id}|{rule_id}|{subject}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@ansafe-rules"


def sequence(start: dt.date | dt.datetime, end: dt.date | dt.datetime, provisional: bool) -> int:
    """The event's SEQUENCE (see the module docstring): deterministic, growing as a date
    moves later or as a provisional date becomes official."""
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
        n = int((start - _EPOCH_AT).total_seconds() // 60) + int(
            (end - _EPOCH_AT).total_seconds() // 60
        )
    else:
        n = (_day(start) - _EPOCH).days + (_day(end) - _EPOCH).days
    return max(0, n) + (0 if provisional else OFFICIAL_SEQUENCE)


def _day(x: dt.date | dt.datetime) -> dt.date:
    return x.date() if isinstance(x, dt.datetime) else x


def _span(o: Obligation) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime, str] | None:
    """(start, end, what) of the event; end inclusive; None for a standing obligation."""
    if o.due_at is not None:
        at = o.due_at.astimezone(CHINA)
        return at, at, text("ical.due", "zh")
    if o.window is not None:
        return o.window.start, o.window.end, text("ical.window", "zh")
    if o.due_date is not None:
        return o.due_date, o.due_date, text("ical.due", "zh")
    if o.retain_until is not None:
        return o.retain_until, o.retain_until, text("ical.keep", "zh")
    return None


def _subjects(policy_id: str, obligations: Sequence[Obligation]) -> list[str]:
    """The UID subject of each obligation: a window's dates replaced by its ordinal among the
    windows of the same rule and subject, in date order."""
    groups: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for i, o in enumerate(obligations):
        stripped = _WINDOW.sub("#", o.subject)
        if stripped != o.subject:
            groups.setdefault((o.rule_id, stripped), []).append((o.subject, i))
    out = [o.subject for o in obligations]
    for (_, stripped), members in groups.items():
        for n, (_, i) in enumerate(sorted(members), 1):
            out[i] = stripped.replace("#", f"#{n}", 1)
    return out


def obligations_to_ical(
    policy_id: str,
    obligations: Iterable[Obligation],
    *,
    stamp: dt.datetime,
    reminders: Sequence[dt.timedelta] = DEFAULT_REMINDERS,
) -> bytes:
    """The dated obligations of one policy as iCalendar bytes. ``stamp`` (UTC) is DTSTAMP:
    pass a fixed value for reproducible files. ``reminders``: how long before each event a
    reminder fires (``()`` for none)."""
    dated = [(o, s) for o in obligations if (s := _span(o)) is not None]
    names = _subjects(policy_id, [o for o, _ in dated])
    cal = Calendar()
    cal.add("prodid", "-//ansafe-rules//obligations//ZH")
    cal.add("version", "2.0")
    # a calendar's name is one line: line breaks and runs of spaces in the policy id become one
    # space (icalendar refuses an unescaped line break in this property)
    cal.add("x-wr-calname", text("ical.calname", "zh") + " " + " ".join(policy_id.split()))
    cal.add("x-wr-timezone", "Asia/Shanghai")
    events = []
    for (o, (start, end, what)), name in zip(dated, names, strict=True):
        ev = Event()
        ev.add("uid", uid(policy_id, o.rule_id, name))
        ev.add("dtstamp", stamp)
        ev.add("sequence", sequence(start, end, o.provisional))
        ev.add("dtstart", start)
        # a timed event is an instant: no DTEND (RFC 5545 3.6.1, it ends when it starts)
        if not isinstance(end, dt.datetime):
            ev.add("dtend", end + dt.timedelta(days=1))
            ev.add("transp", "TRANSPARENT")
        prov = f" ({bilingual('todo.provisional')})" if o.provisional else ""
        title = f"{what}: {o.title} [{o.layer} {o.citation.clause}]{prov}"
        ev.add("summary", title)
        if o.provisional:
            ev.add("status", "TENTATIVE")
        lines = [
            f"{o.requirement}",
            f"{bilingual('ical.subject')}: {o.subject}",
            f"rule: {o.rule_id}",
            f"{bilingual('ical.duty_holder')}: {o.duty_holder.value}",
            f"「{o.citation.quote}」",
        ]
        if o.due_at is not None:
            at = o.due_at.astimezone(CHINA).isoformat()
            lines.insert(0, f"{bilingual('ical.due_at')} {at}")
        if o.provisional_reason:
            lines.append(f"{bilingual('todo.provisional')}: {o.provisional_reason}")
        lines += [f"interpretive {k}: {v}" for k, v in o.interpretive.items()]
        ev.add("description", "\n".join(lines))
        ev.add("categories", [o.layer, o.kind.value])
        for before in reminders:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{bilingual('ical.reminder')}: {title}")
            alarm.add("trigger", -before)
            ev.add_component(alarm)
        events.append(ev)
    if any(isinstance(span[0], dt.datetime) for _, span in dated):
        cal.add_component(_china_timezone())  # before the events that refer to it
    for ev in events:
        cal.add_component(ev)
    return cal.to_ical()


def _china_timezone() -> Timezone:
    """VTIMEZONE of China time: UTC+8, no daylight saving since 1991 (the package-generated
    one carries the 1986-1991 DST rules and a 2038 horizon that do not matter here)."""
    tz = Timezone()
    tz.add("tzid", "Asia/Shanghai")
    std = TimezoneStandard()
    std.add("dtstart", dt.datetime(1992, 1, 1))
    std.add("tzoffsetfrom", dt.timedelta(hours=8))
    std.add("tzoffsetto", dt.timedelta(hours=8))
    std.add("tzname", "CST")
    tz.add_component(std)
    return tz

"""Obligations as an iCalendar (RFC 5545) file that calendar programs import.

Written with the ``icalendar`` library. Each dated obligation becomes an all-day event: a due
date on its day, a counting window or preferred window over its days, a retention end on its
last day. Standing obligations (no date) are left out. UIDs are derived from the obligation, so
re-importing an updated file updates events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from icalendar import Calendar, Event

from .evaluate import Obligation

__all__ = ["obligations_to_ical"]


def _uid(policy_id: str, o: Obligation, start: dt.date) -> str:
    key = f"{policy_id}|{o.rule_id}|{o.subject}|{start.isoformat()}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@ansafe-rules"


def obligations_to_ical(
    policy_id: str, obligations: Iterable[Obligation], *, stamp: dt.datetime
) -> bytes:
    """The dated obligations of one policy as iCalendar bytes. ``stamp`` (UTC) is DTSTAMP:
    pass a fixed value for reproducible files."""
    cal = Calendar()
    cal.add("prodid", "-//ansafe-rules//obligations//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"安责险义务 {policy_id}")
    for o in obligations:
        if o.window is not None:
            start, end, what = o.window.start, o.window.end, "期间"
        elif o.due_date is not None:
            start = end = o.due_date
            what = "截止"
        elif o.retain_until is not None:
            start = end = o.retain_until
            what = "保存至"
        else:
            continue
        ev = Event()
        ev.add("uid", _uid(policy_id, o, start))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", start)
        ev.add("dtend", end + dt.timedelta(days=1))
        prov = " (暂定 provisional)" if o.provisional else ""
        ev.add("summary", f"{what}: {o.title} [{o.layer} {o.citation.clause}]{prov}")
        lines = [
            f"{o.requirement}",
            f"subject: {o.subject}",
            f"rule: {o.rule_id}",
            f"「{o.citation.quote}」",
        ]
        if o.due_at is not None:
            lines.insert(0, f"due at {o.due_at.isoformat()}")
        if o.provisional_reason:
            lines.append(f"provisional: {o.provisional_reason}")
        lines += [f"interpretive {k}: {v}" for k, v in o.interpretive.items()]
        ev.add("description", "\n".join(lines))
        ev.add("categories", [o.layer, o.kind.value])
        cal.add_component(ev)
    return cal.to_ical()

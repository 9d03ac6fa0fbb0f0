"""Kind ``preferred_window``: events should fall in named calendar windows (宜): advisory."""

from __future__ import annotations

import datetime as dt

from ..conditions import day_of
from ..context import Acc, Ctx
from ..i18n import Message
from ..outputs import Status, Window
from ..rulesets import (
    PreferredWindowParams,
)

__all__ = ["evaluate_preferred_window"]


def _window_occurrences(ctx: Ctx, window_id: str) -> list[tuple[Window, str | None]]:
    """Occurrences of a named window inside the policy term, each with a provisional reason."""
    spec = next(w.window for w in ctx.rs.windows if w.window.id == window_id)
    pol = ctx.case.policy
    lo, hi = pol.term_start, pol.term_end
    raw: list[tuple[dt.date, dt.date, str | None]] = []
    if spec.from_case is not None:
        raw = [(sp.start, sp.end, None) for sp in getattr(ctx.case, spec.from_case)]
    for year in range(lo.year, hi.year + 1):
        if spec.annual is not None:
            a = spec.annual
            start = dt.date(year, int(a.start[:2]), int(a.start[3:]))
            end = dt.date(year, int(a.end[:2]), int(a.end[3:]))
            raw.append((start, end, None))
        elif spec.after_holiday is not None:
            ah = spec.after_holiday
            first = ctx.cal.resumption_after(ah.holiday, year)
            if first is not None:
                end = first + dt.timedelta(days=ah.days - 1)
                raw.append((first, end, ctx.cal.provisional_reason(first)))
    out = []
    for start, end, why in sorted(raw, key=lambda t: (t[0], t[1])):
        ws, we = max(start, lo), min(end, hi)
        if ws <= we:
            w = Window(start=ws, end=we, partial=(ws, we) != (start, end), label=spec.title)
            out.append((w, why))
    return out


def evaluate_preferred_window(ctx: Ctx, acc: Acc) -> None:
    p: PreferredWindowParams = ctx.rule.params  # type: ignore[assignment]
    occ = [o for wid in p.windows for o in _window_occurrences(ctx, wid)]
    for w, why in occ:
        subject = f"window {w.label} {w.start}..{w.end}"
        req = (
            "window.requirement",
            {"collection": p.subject.value, "window": w.label, "start": w.start, "end": w.end},
        )
        acc.add(ctx.obligation(subject, req, window=w, provisional_reason=why), None)
    items = ctx.subject_items(acc)
    if items is None:
        return
    names = ", ".join(dict.fromkeys(str(w.label) for w, _ in occ)) or ", ".join(p.windows)
    for label, item in items:
        rec = ctx.record_ids(label)
        d = ctx.get(item, p.date)
        inside = [w for w, _ in occ if d is not None and w.start <= day_of(d) <= w.end]
        if d is None:
            msg: Message = ("window.no_date", {"date": p.date})
            f = ctx.finding(Status.insufficient_data, label, msg, records=rec)
        elif inside:
            w = inside[0]
            msg = (
                "window.inside",
                {"date": p.date, "day": d, "window": w.label, "start": w.start, "end": w.end},
            )
            f = ctx.finding(Status.compliant, label, msg, window=w, records=rec)
        else:
            msg = ("window.outside", {"date": p.date, "day": d, "windows": names})
            f = ctx.finding(Status.violation, label, msg, records=rec)
        acc.add(None, f)

"""Kind ``frequency``: at least N events per period (每年/每季度/每月, per stage, per contract
item), with counting windows aligned to the policy or the calendar, partial periods, grace
periods and weighted sums."""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import functools
import math
from collections.abc import Iterator, Sequence
from typing import Any

from ..conditions import day_of, item_getter, resolve
from ..context import Acc, Ctx, record_ids
from ..i18n import Message
from ..model import Per
from ..outputs import Status, Window
from ..rulesets import (
    Alignment,
    FrequencyParams,
    PartialPeriods,
    Subject,
)

__all__ = ["PER_YEAR", "evaluate_frequency"]


_STEP_MONTHS = {Per.year: 12, Per.half_year: 6, Per.quarter: 3, Per.month: 1}
PER_YEAR = {Per.year: 1, Per.half_year: 2, Per.quarter: 4, Per.month: 12}


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day + relativedelta(months=months)``: the same day ``months`` later, or that month's
    last day when it has none (art. 202). Written out because the windows of every frequency
    rule are made per case, and dateutil's general arithmetic costs ten times this."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    if day.day <= 28:  # every month has the day
        return dt.date(year, month, day.day)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _windows(
    start: dt.date, end: dt.date, per: Per, alignment: Alignment
) -> Iterator[tuple[Window, int]]:
    """Counting windows covering [start, end], each with the length in days of a full one."""
    if per is Per.term:
        yield Window(start=start, end=end, partial=False), (end - start).days + 1
        return
    step = _STEP_MONTHS[per]
    if alignment is Alignment.policy:
        k = 0
        while True:
            ws = _add_months(start, k * step)
            if ws > end:
                return
            full_end = _add_months(start, (k + 1) * step) - dt.timedelta(days=1)
            we = min(full_end, end)
            yield Window(start=ws, end=we, partial=we < full_end), (full_end - ws).days + 1
            k += 1
    else:
        first_month = ((start.month - 1) // step) * step + 1
        ps = dt.date(start.year, first_month, 1)
        while ps <= end:
            pe = _add_months(ps, step) - dt.timedelta(days=1)
            ws, we = max(ps, start), min(pe, end)
            yield Window(start=ws, end=we, partial=(ws, we) != (ps, pe)), (pe - ps).days + 1
            ps = pe + dt.timedelta(days=1)


def _term_windows(
    start: dt.date, end: dt.date, per: Per, alignment: Alignment
) -> tuple[tuple[Window, int, str | None], ...]:
    """The windows of a term as the rules list them: (window, full length, no stage)."""
    return tuple((w, full, None) for w, full in _windows(start, end, per, alignment))


def _unclipped(w: Window, per: Per, alignment: Alignment) -> Window:
    """The whole period a clipped window belongs to (calendar periods only)."""
    if not w.partial or per is Per.term or alignment is Alignment.policy:
        return w
    step = _STEP_MONTHS[per]
    ps = dt.date(w.start.year, ((w.start.month - 1) // step) * step + 1, 1)
    pe = _add_months(ps, step) - dt.timedelta(days=1)
    return Window(start=ps, end=pe, partial=False, label=w.label)


def _whole_windows(
    start: dt.date, end: dt.date, per: Per, alignment: Alignment
) -> tuple[tuple[Window, int, str | None], ...]:
    """The windows of a term as whole periods (``clip_to_term: false``)."""
    return tuple(
        (_unclipped(w, per, alignment), full, None)
        for w, full, _ in _term_windows(start, end, per, alignment)
    )


# The windows of a term are a pure function of its dates, the period and the alignment, and
# immutable (a Window is frozen, the lists are tuples): every case with the same term shares
# them, kept here (a portfolio's policies mostly start and end on a few hundred days; a year's
# monthly windows cost about 60 µs to make, a hit well under 1 µs). Bounded: 1,024 terms of
# at most ten years each, about 4 MB when full (a longer term's windows, which could be many,
# are made afresh each time); thread-safe as lru_cache is.
_TERM_WINDOWS_KEPT = 1024
_KEPT_TERM_DAYS = 3_660


@functools.lru_cache(maxsize=_TERM_WINDOWS_KEPT, typed=True)
def _kept_windows(
    whole: bool, start: dt.date, end: dt.date, per: Per, alignment: Alignment
) -> tuple[tuple[Window, int, str | None], ...]:
    """The windows of a term (whole periods when ``whole``), kept (see above)."""
    return (_whole_windows if whole else _term_windows)(start, end, per, alignment)


def _windows_of(
    whole: bool, start: dt.date, end: dt.date, per: Per, alignment: Alignment
) -> tuple[tuple[Window, int, str | None], ...]:
    """The windows of a term (whole periods when ``whole``): kept for a term of at most
    ``_KEPT_TERM_DAYS`` days, made afresh for a longer one."""
    if (end - start).days > _KEPT_TERM_DAYS:
        return (_whole_windows if whole else _term_windows)(start, end, per, alignment)
    return _kept_windows(whole, start, end, per, alignment)


def _share(window: Window, full_days: int) -> float:
    return ((window.end - window.start).days + 1) / full_days if full_days else 1.0


def _required(min_count: int, window: Window, full_days: int, p: FrequencyParams) -> int:
    """The count a window needs: the full count, or prorated for a partial window; none for a
    partial window shorter than ``partial_min_share`` of a full period."""
    if not window.partial:
        return min_count
    share = _share(window, full_days)
    if share < p.partial_min_share:
        return 0
    if p.partial_periods is PartialPeriods.full_count:
        return min_count
    if p.partial_periods is PartialPeriods.prorate_down:
        return math.floor(min_count * share)
    return math.ceil(min_count * share)


def _clip_to_scope(
    ctx: Ctx, windows: Sequence[tuple[Window, int, str | None]]
) -> Sequence[tuple[Window, int, str | None]]:
    """Windows cut to the layer's in-force period (``scope_date: event`` rules)."""
    if ctx.scope.events is None:
        return windows
    lo, hi = ctx.scope.events
    out = []
    for w, full, stage in windows:
        ws = max(w.start, lo) if lo else w.start
        we = min(w.end, hi) if hi else w.end
        if ws > we:
            continue
        if (ws, we) != (w.start, w.end):
            w = Window(start=ws, end=we, partial=True, label=w.label)
        out.append((w, full, stage))
    return out


def _events(ctx: Ctx, p: FrequencyParams, label: str, item: Any) -> list[tuple[str, Any, float]]:
    """(record label, date or None, weight) of the events one subject item contributes."""
    if p.per_item:
        out = []
        for e in ctx.get(item, p.date) or ():
            d = e if isinstance(e, dt.date) else resolve(e, p.event_date or "date")
            w = float(resolve(e, p.weight) or 0) if p.weight else 1.0
            out.append((label, d, w))
        return out
    w = float(ctx.get(item, p.weight) or 0) if p.weight else 1.0
    return [(label, ctx.get(item, p.date), w)]


def _all_events(ctx: Ctx, p: FrequencyParams, items: list[tuple[str, Any]]) -> list[Any]:
    """The events of every item, as ``_events`` gives them one item at a time; the usual
    case (one dated record each, no weights) with the date reader bound once."""
    if p.per_item or p.weight:
        return [e for lab, it in items for e in _events(ctx, p, lab, it)]
    date_of = ctx.getter(p.date)
    return [(lab, date_of(it), 1.0) for lab, it in items]


def _stage_windows(ctx: Ctx, p: FrequencyParams, acc: Acc) -> list[tuple[Window, int, str]]:
    stages = ctx.selected(acc, Subject.stages, p.stages)
    if not stages:
        msg: Message = (
            ("freq.no_stages_where", {"conds": p.stages}) if p.stages else ("freq.no_stages", {})
        )
        acc.add(None, ctx.finding(Status.insufficient_data, "stages", msg))
    return [
        (Window(start=st.start, end=st.end, partial=False, label=st.id), 0, st.id)
        for _, st in stages
    ]


@functools.lru_cache(maxsize=4096, typed=True)
def _span(start: dt.date, end: dt.date) -> str:
    """A period's span as rows name it (``2025-07-01..2026-06-30``): a memo of a pure
    function of two days (every policy with the same term names the same periods), typed (a
    day of a ``date`` subclass, equal to a plain one, may write itself otherwise)."""
    return f"{start}..{end}"


def _subject(group: str, kind: str | None, stage_id: str | None, w: Window) -> str:
    """What a period's row is about, its parts joined by spaces: the group (a subject, or an
    item's label) if any, the contract item's service kind if any, and the stage or the
    period's span."""
    last = stage_id or _span(w.start, w.end)
    if kind:
        return f"{group} {kind} {last}" if group else f"{kind} {last}"
    return f"{group} {last}" if group else last


class _Dated:
    """The dated events of a group in day order, to find a period's events by bisection (a
    monthly rule looks up twelve periods among all the records)."""

    __slots__ = ("days", "order", "weighted")

    def __init__(self, days: list[dt.date | None], weighted: bool) -> None:
        pairs = sorted((d, i) for i, d in enumerate(days) if d is not None)
        self.days = [d for d, _ in pairs]
        self.order = [i for _, i in pairs]
        self.weighted = weighted

    def between(self, lo: dt.date, hi: dt.date) -> list[int]:
        """Indexes of the events dated ``lo``..``hi``: in event order when they are weighted
        (a sum of fractions depends on its order), else in day order (counting events, or
        the records they name, does not)."""
        a, b = bisect.bisect_left(self.days, lo), bisect.bisect_right(self.days, hi)
        return sorted(self.order[a:b]) if self.weighted else self.order[a:b]


def _unused_in(
    events: list[tuple[str, Any, float]],
    dated: _Dated,
    used: set[int],
    link_of: dict[str, Any] | None,
    stage_id: str | None,
    lo: dt.date,
    hi: dt.date,
) -> list[int]:
    """Indexes of the events not yet counted, dated ``lo``..``hi``, linked to the stage if any,
    in the order :meth:`_Dated.between` gives them."""
    if not used and (link_of is None or stage_id is None):  # the usual case: all of them
        return dated.between(lo, hi)
    return [
        i
        for i in dated.between(lo, hi)
        if i not in used
        and (link_of is None or stage_id is None or link_of[events[i][0]] == stage_id)
    ]


def evaluate_frequency(ctx: Ctx, acc: Acc) -> None:
    p: FrequencyParams = ctx.rule.params  # type: ignore[assignment]
    pol = ctx.case.policy
    items = ctx.selected(acc)
    if p.from_contract:
        specs = [(s.min_count, s.per, s.service_kind.value) for s in pol.contract_services]
        if not specs:
            msg: Message = ("freq.no_contract_items", {})
            acc.add(None, ctx.finding(Status.not_applicable, "policy", msg))
            return
    else:
        specs = [(p.min_count, p.per, None)]
    if p.per_item:
        if not items and not acc.findings:
            ctx.none_found(acc)
            return
        groups = [(label, _events(ctx, p, label, it)) for label, it in items]
    else:
        groups = [(p.subject.value, _all_events(ctx, p, items))]
    unit: Message | None = ("freq.weight", {"weight": p.weight}) if p.weight else None
    measure: Message = unit or ("freq.times", {})  # what a translation counts in
    # the stage each record is linked to, read once (per-stage rules with `link` only)
    link_of = {lab: ctx.get(it, p.link) for lab, it in items} if p.link else None
    # each record's service kind, read once (every contract item filters on it)
    if p.from_contract:
        kind_at = item_getter("kind")  # resolve(it, "kind"), the path parsed once
        kind_of = [(lab, kind_at(it)) for lab, it in items]
    else:
        kind_of = []
    lean, oblige, weighted = acc.lean, acc.oblige, bool(p.weight)
    for min_count, per, kind in specs:
        assert min_count is not None and per is not None
        if per is Per.stage:
            windows: Sequence[tuple[Window, int, str | None]] = _stage_windows(ctx, p, acc)
        else:
            # the windows of a term (or its whole periods) depend on the term, the period and
            # the alignment only: every rule and case with the same ones shares them (kept)
            windows = _windows_of(
                not p.clip_to_term, pol.term_start, pol.term_end, per, p.alignment
            )
        windows = _clip_to_scope(ctx, windows)
        of_kind = {lab for lab, k in kind_of if k == kind} if kind else None
        for group_label, group_events in groups:
            events = group_events
            if of_kind is not None:
                events = [e for e in events if e[0] in of_kind]
            undated = {lab for lab, d, _ in events if d is None}
            used: set[int] = set()  # events a previous period took from its grace
            # once per group; a plain day as it is (what day_of gives for it)
            days = [
                d if type(d) is dt.date else None if d is None else day_of(d) for _, d, _ in events
            ]
            dated = _Dated(days, weighted=weighted)
            what: Message | None = ("freq.kind", {"kind": kind}) if kind else None
            for w, full, stage_id in windows:
                need = min_count if stage_id else _required(min_count, w, full, p)
                if need == 0 and p.partial_periods is PartialPeriods.full_count:
                    subject = _subject(group_label, kind, stage_id, w)
                    msg = (
                        "freq.partial_short",
                        {
                            "start": w.start,
                            "end": w.end,
                            "share": _share(w, full),
                            "per": per,
                            "min_share": p.partial_min_share,
                        },
                    )
                    acc.add(None, ctx.finding(Status.not_applicable, subject, msg, window=w))
                    continue
                grace = ctx.due(w.end, p.grace) if p.grace else None

                pick = (events, dated, used, link_of, stage_id)
                own = _unused_in(*pick, w.start, w.end)
                # unweighted, every event counts 1.0: the sum without the loop (the same value,
                # the int 0 of an empty sum included)
                if weighted:
                    total = sum(events[i][2] for i in own)
                else:
                    total = float(len(own)) if own else 0
                if grace is not None and p.grace_counts_events and total < need:
                    # a short period borrows, in date order, events recorded in its grace;
                    # each event counts for one period only
                    late = _unused_in(*pick, w.end + dt.timedelta(days=1), grace.due_date)
                    for i in sorted(late, key=lambda i: (days[i], events[i][0])):
                        if total >= need:
                            break
                        own.append(i)
                        used.add(i)
                        total += events[i][2]
                if total >= need and lean and not oblige:  # counted, not built
                    acc.counted += 1
                    continue
                subject = _subject(group_label, kind, stage_id, w)
                hits = [(events[i][0], events[i][2]) for i in own]
                recs = tuple(sorted({r for lab, _ in hits for r in record_ids(lab)}))
                by = ("freq.record_by", {"grace": grace.due_date}) if grace else None
                args: dict[str, Any] = {
                    "collection": p.subject.value,
                    "measure": measure,
                    "need": need,
                    "unit": unit,
                    "what": what,
                    "date": p.date,
                    "start": w.start,
                    "end": w.end,
                    "by": by,
                }
                ob = None  # built only where kept (a lean run keeps the compared rules')
                if oblige:
                    req = (
                        "freq.requirement",
                        {
                            **args,
                            "stage": ("freq.stage", {"stage": stage_id}) if stage_id else None,
                            "partial": ("freq.partial", {}) if w.partial else None,
                        },
                    )
                    ob = ctx.obligation(subject, req, window=w, min_count=need, due=grace)
                kw = {
                    "window": w,
                    "required_count": need,
                    "counted": total,
                    "records": recs,
                    "due": grace,
                }
                args["counted"] = total
                if total >= need:
                    f = ctx.finding(Status.compliant, subject, ("freq.met", args), **kw)
                elif ctx.as_of <= (grace.due_date if grace else w.end):
                    f = ctx.finding(Status.pending, subject, ("freq.pending", args), **kw)
                elif undated:
                    msg = ("freq.undated", {**args, "undated": len(undated)})
                    f = ctx.finding(Status.insufficient_data, subject, msg, **kw)
                else:
                    f = ctx.finding(Status.violation, subject, ("freq.short", args), **kw)
                acc.add(ob, f)

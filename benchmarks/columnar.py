"""What the column-wise route of issue 8 (item 1) would gain, measured before it is built.

The plain deadline rules of a mixed portfolio (a date trigger and a date action on the same
record, a period in working days, days or the same day; no ``where``, ``applies_if``,
extension, first event or event scope) are judged two ways, on the same parsed policies:

- by the engine, lean, as ``check`` runs it: CPU time of those rules alone (an evaluation
  with only them, less one with no rule at all);
- column-wise with numpy over the calendar's working days, a batch of policies at a time:
  each rule's trigger and action read out of the parsed records into ordinal columns (the
  part a column-wise engine pays per field and record), then every due day and verdict
  computed at once. Read per rule, and read once per field and shared by the rules that
  read it (what a column store per batch would do).

Both must give the same verdicts (on time, late, missing, pending, early, no trigger, outside
the layer's scope, per rule), or the script stops: the figures are those of the same work.
Run: python benchmarks/columnar.py [--policies 2000] [--repeats 3]  (needs numpy)
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scaled import examples, scaled

import ansafe_rules as ar
from ansafe_rules.periods import PeriodUnit
from ansafe_rules.rulesets import EarlyAction, Kind, ResolvedRule, ResolvedRuleset, ScopeDate

try:
    import numpy as np
except ImportError:  # pragma: no cover - a benchmark's own requirement
    raise SystemExit("benchmarks/columnar.py needs numpy: pip install numpy") from None

AS_OF = dt.date(2026, 7, 31)
JURISDICTIONS = ("national", "guangdong", "xinzhou", "shaoxing", "xuancheng")
UNITS = (PeriodUnit.workdays, PeriodUnit.days, PeriodUnit.same_day)
NONE = -1  # an empty field, as an ordinal


def _plain(rr: ResolvedRule) -> bool:
    """A deadline the column-wise sketch covers (see the module's docstring)."""
    r, p = rr.rule, rr.rule.params
    return (
        r.kind is Kind.deadline
        and not r.applies_if
        and r.scope_date is ScopeDate.policy
        and not p.where
        and p.action is not None
        and p.extension is None
        and p.first_event is None
        and p.period.unit in UNITS
    )


def _engine_verdicts(ev: Any) -> Counter:
    """(rule, verdict) counts of a lean evaluation of plain deadlines."""
    out: Counter = Counter()
    for c in ev._counted:
        out[(c.rr.rule.id, "on_time")] += c.n
    names = {
        "deadline.late": "late",
        "deadline.missing": "missing",
        "deadline.pending": "pending",
        "deadline.no_trigger": "no_trigger",
        "na.out_of_scope": "out_of_scope",
        "deadline.error": "error",
    }
    for f in ev._findings:
        mid = f.message[0]
        name = f"early_{f.status.value}" if mid == "deadline.early" else names[mid]
        out[(f.rr.rule.id, name)] += 1
    return out


class _Calendar:
    """The calendar's working days as a sorted array of ordinals, and its range."""

    def __init__(self, cal: ar.WorkCalendar) -> None:
        lo, hi = dt.date(cal.first_year, 1, 1), dt.date(cal.last_year, 12, 31)
        self.days = np.array([d.toordinal() for d in cal.workdays_between(lo, hi)], np.int64)
        self.lo, self.hi = lo.toordinal(), hi.toordinal()


def _ordinals(values: list[Any]) -> np.ndarray:
    if any(v is not None and type(v) is not dt.date for v in values):
        raise TypeError("not a plain date column")
    return np.array([NONE if v is None else v.toordinal() for v in values], np.int64)


def _items(case: Any, subject: str) -> list[Any]:
    return [case.policy] if subject == "policy" else list(getattr(case, subject))


def _column(cases: list[Any], subject: str, field: str) -> np.ndarray:
    """One field of every item of ``subject`` of every case, as ordinals, case after case."""
    return _ordinals([getattr(it, field) for c in cases for it in _items(c, subject)])


EPOCH = dt.date(1970, 1, 1).toordinal()


def _raw_column(cases: list[dict[str, Any]], subject: str, field: str) -> np.ndarray:
    """The same column read from the raw input (ISO dates as text), parsed by numpy at once:
    what a column-wise engine fed from the input, not from validated records, would read."""
    if subject == "policy":
        values = [c["policy"].get(field) for c in cases]
    else:
        values = [r.get(field) for c in cases for r in c.get(subject) or ()]
    days = np.array(values, dtype="datetime64[D]")
    return np.where(np.isnat(days), NONE, days.astype(np.int64) + EPOCH)


def _in_scope(rs: ResolvedRuleset, rr: ResolvedRule, case: Any) -> bool:
    """False where the rule's layer is not in force for the policy (as the engine says it)."""
    eff = rs.layer(rr.layer).effective
    pol = case.policy
    issued = pol.issued_on or pol.term_start
    return not (
        (eff.in_force is not None and issued < eff.in_force)
        or (eff.expires is not None and issued > eff.expires)
    )


def _verdicts(
    cal: _Calendar, rr: ResolvedRule, trig: np.ndarray, act: np.ndarray, as_of: int
) -> Counter:
    """Every record's verdict for one rule, at once; counted per verdict."""
    p = rr.rule.params
    n, unit = p.period.amount, p.period.unit
    has = trig != NONE
    if unit is PeriodUnit.same_day:  # the trigger's day: no calendar needed
        due, error = trig, np.zeros(len(trig), bool)
    else:
        # the day the calendar is asked about: the trigger (working days), or the period's
        # last day before rolling (days); outside the calendar's range it is an error
        asked = trig if unit is PeriodUnit.workdays else trig + n
        inside = has & (asked >= cal.lo) & (asked <= cal.hi)
        a = np.where(inside, asked, cal.lo)
        if unit is PeriodUnit.workdays:
            idx = np.searchsorted(cal.days, a, side="right") + n - 1
        else:
            idx = np.searchsorted(cal.days, a, side="left")  # rolled to a working day
        error = has & (~inside | (idx >= len(cal.days)))
        due = cal.days[np.minimum(idx, len(cal.days) - 1)]
    ok = has & ~error
    done = act != NONE
    early = ok & done & (act < trig)
    out: Counter = Counter()
    rid = rr.rule.id
    out[(rid, "no_trigger")] = int((~has).sum())
    out[(rid, "error")] = int(error.sum())
    out[(rid, "missing")] = int((ok & ~done & (as_of > due)).sum())
    out[(rid, "pending")] = int((ok & ~done & (as_of <= due)).sum())
    if p.early_action is EarlyAction.on_time:
        timely = ok & done
    else:
        status = "data_error" if p.early_action is EarlyAction.data_error else "violation"
        out[(rid, f"early_{status}")] = int(early.sum())
        timely = ok & done & ~early
    out[(rid, "on_time")] = int((timely & (act <= due)).sum())
    out[(rid, "late")] = int((timely & (act > due)).sum())
    return +out


Groups = list[tuple[ResolvedRuleset, list[ResolvedRule], list[Any]]]


def _columnar(
    cal: _Calendar,
    groups: Groups,
    shared: bool,
    read: list[dict[Any, np.ndarray]] | None = None,
    raw: list[list[dict[str, Any]]] | None = None,
) -> Counter:
    """The verdicts of every plain rule over the batch; the columns read per rule, or once
    per (subject, field) and shared; or, given ``read`` (one dict per group), columns read
    before (the computation alone); or, given ``raw`` (the input of each group), columns
    read from the input (shared)."""
    out: Counter = Counter()
    as_of = AS_OF.toordinal()
    for g, (rs, rules, cases) in enumerate(groups):
        columns: dict[tuple[str, str], np.ndarray] = read[g] if read is not None else {}

        def col(
            subject: str, field: str, cases: list[Any] = cases, columns: dict = columns, g: int = g
        ) -> np.ndarray:
            if not shared:
                return _column(cases, subject, field)
            key = (subject, field)
            if key not in columns:
                columns[key] = (
                    _column(cases, subject, field)
                    if raw is None
                    else _raw_column(raw[g], subject, field)
                )
            return columns[key]

        for rr in rules:
            p = rr.rule.params
            keep = [c for c in cases if _in_scope(rs, rr, c)]
            out[(rr.rule.id, "out_of_scope")] += len(cases) - len(keep)
            if len(keep) == len(cases) or raw is not None:
                assert len(keep) == len(cases), "the raw variant reads every policy"
                trig, act = col(p.subject.value, p.trigger), col(p.subject.value, p.action)
            else:
                trig = _column(keep, p.subject.value, p.trigger)
                act = _column(keep, p.subject.value, p.action)
            out.update(_verdicts(cal, rr, trig, act, as_of))
    return +out


def _cpu(fn: Any, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--policies", type=int, default=2000, help="mixed 50-record policies")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    cases = examples()
    cal = _Calendar(ar.default_calendar())
    groups, raws = [], []
    for k, j in enumerate(JURISDICTIONS):
        rs = ar.load_ruleset(j)
        rules = [rr for rr in rs.rules if _plain(rr)]
        n = args.policies // len(JURISDICTIONS) + (k < args.policies % len(JURISDICTIONS))
        raw = [scaled(cases[j], 50, f"P{k}{i:06d}") for i in range(n)]
        groups.append((rs, rules, [ar.parse_case(x) for x in raw]))
        raws.append(raw)

    subsets = [(rs.model_copy(update={"rules": tuple(rules)}), ps) for rs, rules, ps in groups]
    empties = [(rs.model_copy(update={"rules": ()}), ps) for rs, _, ps in groups]

    def engine(pairs: list[tuple[ResolvedRuleset, list[Any]]]) -> Counter:
        out: Counter = Counter()
        for rs, ps in pairs:
            for p in ps:
                out.update(_engine_verdicts(ar.evaluate_rows(rs, p, as_of=AS_OF, lean=True)))
        return +out

    want = engine(subsets)
    bare = [(rs, rules, [p.case for p in ps]) for rs, rules, ps in groups]
    for got in (
        _columnar(cal, bare, False),
        _columnar(cal, bare, True),
        _columnar(cal, bare, True, raw=raws),
    ):
        if got != want:
            diff = {k: (got.get(k, 0), want.get(k, 0)) for k in set(got) | set(want)}
            bad = {k: v for k, v in diff.items() if v[0] != v[1]}
            raise SystemExit(f"column-wise and engine verdicts differ (got, engine): {bad}")

    judged = sum(want.values())
    rules = sorted({rid for rid, _ in want})
    engine_t = _cpu(lambda: engine(subsets), args.repeats)
    frame_t = _cpu(lambda: engine(empties), args.repeats)
    per_rule_t = _cpu(lambda: _columnar(cal, bare, False), args.repeats)
    shared_t = _cpu(lambda: _columnar(cal, bare, True), args.repeats)
    raw_t = _cpu(lambda: _columnar(cal, bare, True, raw=raws), args.repeats)
    read: list[dict[Any, np.ndarray]] = [{} for _ in bare]
    _columnar(cal, bare, True, read)  # the columns, read once, kept
    compute_t = _cpu(lambda: _columnar(cal, bare, True, read), args.repeats)

    def us(t: float) -> float:
        return t / judged * 1e6

    eng = engine_t[0] - frame_t[0]
    print(
        f"{len(rules)} plain deadline rules, {args.policies} mixed 50-record policies, "
        f"{judged:,} judgements (rule x record); verdicts identical both ways"
    )
    print(f"CPU µs per judgement (min of {args.repeats}; engine less its per-case framework)")
    rows = [
        ("engine, lean, per case", eng),
        ("column-wise, fields read per rule", per_rule_t[0]),
        ("column-wise, fields read once, shared", shared_t[0]),
        ("column-wise, read from the input text", raw_t[0]),
        ("column-wise, computation alone", compute_t[0]),
    ]
    for name, t in rows:
        print(f"  {name:<40}{us(t):8.3f}   {eng / t:6.1f}x")
    print(
        "(the out-of-scope policies' columns are read for their rule alone; a column-wise "
        "engine would also pay for selections, events scopes and rows kept, left out here)"
    )


if __name__ == "__main__":
    main()

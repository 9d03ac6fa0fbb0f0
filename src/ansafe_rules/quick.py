"""Quick verdicts for lean evaluations: the items of a rule that are certainly compliant,
counted without building anything, the others left to the rule's kind.

A lean evaluation (``evaluate_rows(lean=True)``, what ``check`` runs) keeps only the findings
needing attention and counts the compliant ones. Most items of most rules are compliant (about
nine in ten of a portfolio's verdicts), and judging each through its kind's full machinery
(the rule's context, its messages, the steps every verdict may need) costs several times what
deciding that it is compliant costs. A rule's quick check (:func:`plan`, made once per rule
and kept with the ruleset's :class:`~ansafe_rules.bindings.RulesPlan`) looks at the rule's
selected items of one case and answers:

- ``None``: nothing is decided here; the kind judges the rule for this case as it always does
  (a selection with items it cannot decide or with none, a configuration the check does not
  cover, anything unexpected);
- otherwise the items left to the kind: every other item of the selection was found compliant
  by the same reading of the text the kind applies, and is counted (with the obligation a
  binding compares, for the rules that have one). The kind then judges the items left, as
  :attr:`~ansafe_rules.context.Ctx.only`, exactly as it would have among all of them.

So a quick check may only ever leave an item to the kind when in doubt, never count one the
kind would not find compliant; ``tests/test_quick.py`` holds each check to its kind on the
frozen cases, item by item, and the lean evaluation to the full one. Each check is the kind's
own verdict for the common case only (plain days, no extension, no event scope...): anything
else is left to the kind, whose code stays the one statement of the rule's meaning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from ._errors import CalendarRangeError
from .calendar import WorkCalendar
from .conditions import _SIZED, item_getter, norm, resolve
from .context import Acc, CaseView, Scope
from .periods import PeriodUnit, due_point
from .results import LeanObligationRef
from .rulesets import (
    DeadlineParams,
    EarlyAction,
    Kind,
    ProhibitionParams,
    QualificationParams,
    RequiredFieldsParams,
    ResolvedRule,
)

__all__ = ["Check", "Env", "plan"]

Items = list[tuple[str, Any]]


class Env:
    """What a quick check reads of one case and rule: the case's view, the day judged as of,
    the calendar, the rule's scope and its accumulator (counted verdicts and, for the rules a
    binding compares, obligations go there)."""

    __slots__ = ("acc", "as_of", "cal", "case", "scope", "view")

    def __init__(
        self, view: CaseView, as_of: dt.date, cal: WorkCalendar, scope: Scope, acc: Acc
    ) -> None:
        self.view, self.case, self.as_of, self.cal = view, view.case, as_of, cal
        self.scope, self.acc = scope, acc


Check = Callable[[Env], Items | None]
"""A rule's quick check: the items left to its kind, or None (see the module)."""


def plan(rr: ResolvedRule) -> Check | None:
    """The quick check of ``rr``, or None when its kind or configuration has none."""
    make = _MAKERS.get(rr.rule.kind)
    return make(rr) if make is not None else None


def _own_path(path: str | None) -> bool:
    """A path read from each item (not from the case), that a quick check reads itself."""
    return path is not None and not path.startswith("$case.")


def _selection(rr: ResolvedRule, env: Env) -> Sequence[tuple[str, Any]] | None:
    """The rule's items in this case as its kind would select them, when every item is
    decided (kept or excluded) and there is one at least; else None (the kind says what it
    cannot decide, or that there is nothing to judge)."""
    rule = rr.rule
    p = rule.params
    events = env.scope.events
    scope_field = rule.scope_field
    if not p.where and (scope_field is None or events is None):
        items: Sequence[tuple[str, Any]] = env.view.items(p.subject)
    else:
        items, undecided = env.view.select(p.subject, p.where, scope_field, rr.layer, events)
        if undecided:
            return None
    return items or None


def _all_true(answers: list[bool | None]) -> bool:
    """What :func:`~ansafe_rules.conditions.all_hold` calls holding: no answer False, none
    unknown (None)."""
    return not any(r is False or r is None for r in answers)


# -- deadline --------------------------------------------------------------------------------
def _deadline(rr: ResolvedRule) -> Check | None:
    """On time: a trigger day and an action day, the action by the due day (working days or a
    calendar period after the trigger, rolled as the kind rolls it), and not before the
    trigger unless acting early is acting in time; the trigger inside the layer's event scope.
    An action before its trigger (a data error or a breach unless early is on time), a time of
    day, an extension, a first event, an hour period: left to the kind."""
    p: DeadlineParams = rr.rule.params  # type: ignore[assignment]
    period = p.period
    if (
        p.action is None
        or p.extension is not None
        or period.unit is PeriodUnit.hours
        or not _own_path(p.trigger)
        or not _own_path(p.action)
    ):
        return None
    trigger_of, action_of = item_getter(p.trigger), item_getter(p.action)
    early_ok = p.early_action is EarlyAction.on_time
    workdays, n = period.unit is PeriodUnit.workdays, period.amount
    date = dt.date

    def check(env: Env) -> Items | None:
        items = _selection(rr, env)
        if items is None:
            return None
        acc, cal, events = env.acc, env.cal, env.scope.events
        lo, hi = events if events is not None else (None, None)
        oblige = acc.oblige
        add_workdays = cal.add_workdays
        rest: Items = []
        counted = 0
        obligations: list[LeanObligationRef] = []
        for pair in items:
            item = pair[1]
            trig, act = trigger_of(item), action_of(item)
            if type(trig) is not date or type(act) is not date:
                rest.append(pair)  # a time, nothing yet, something else: the kind's
                continue
            if (lo is not None and trig < lo) or (hi is not None and trig > hi):
                rest.append(pair)  # outside the layer's event scope
                continue
            try:
                due = add_workdays(trig, n) if workdays else due_point(trig, period, cal)[0]
            except (CalendarRangeError, ValueError):
                rest.append(pair)  # the kind says why there is no due day
                continue
            if act <= due and (early_ok or act >= trig):
                counted += 1
                if oblige:  # what the kind builds for the bindings (its lean obligation)
                    args = {
                        "action": p.action,
                        "trigger": p.trigger,
                        "trigger_value": trig,
                        "period": period,
                        "deadline": due,
                        "ext": None,
                    }
                    obligations.append(
                        LeanObligationRef(
                            rr,
                            env.scope.liable,
                            pair[0],
                            ("deadline.requirement", args),
                            due,
                            None,
                        )
                    )
            else:
                rest.append(pair)
        acc.counted += counted
        acc.obligations += obligations
        return rest

    return check


# -- required fields -------------------------------------------------------------------------
def _required_fields(rr: ResolvedRule) -> Check | None:
    """Complete: every required field has a value (not empty) and every listed content is
    there. Anything missing (a violation) is left to the kind."""
    p: RequiredFieldsParams = rr.rule.params  # type: ignore[assignment]
    paths = [*p.fields, *(c.field for c in p.contains)]
    if not all(_own_path(f) for f in paths):
        return None
    readers = [item_getter(f) for f in p.fields]
    contains = [(c, item_getter(c.field)) for c in p.contains]

    def check(env: Env) -> Items | None:
        if env.acc.oblige:
            return None  # the kind builds each item's obligation
        items = _selection(rr, env)
        if items is None:
            return None
        rest: Items = []
        counted = 0
        for pair in items:
            item = pair[1]
            complete = True
            for read in readers:
                v = read(item)
                if v is None or (isinstance(v, _SIZED) and len(v) == 0):
                    complete = False
                    break
            if complete:
                for c, read in contains:
                    listed = read(item) or ()
                    have = {norm(resolve(x, c.key) if c.key else x) for x in listed}
                    if any(v not in have for v in c.values):
                        complete = False
                        break
            if complete:
                counted += 1
            else:
                rest.append(pair)
        env.acc.counted += counted
        return rest

    return check


# -- qualification ---------------------------------------------------------------------------
def _qualification(rr: ResolvedRule) -> Check | None:
    """Qualified: every required condition holds and every count reaches its minimum with
    items that certainly match. A condition that fails or cannot be decided, a count short
    or in doubt: left to the kind."""
    p: QualificationParams = rr.rule.params  # type: ignore[assignment]
    if not all(_own_path(rc.field) for rc in p.require_counts):
        return None
    tests = [c.test for c in p.require]
    counts = [
        (item_getter(rc.field), [c.test for c in rc.where], rc.min) for rc in p.require_counts
    ]

    def check(env: Env) -> Items | None:
        if env.acc.oblige:
            return None
        items = _selection(rr, env)
        if items is None:
            return None
        case = env.case
        rest: Items = []
        counted = 0
        for pair in items:
            item = pair[1]
            # every condition asked, as the kind asks them (one that raises raises here too)
            ok = _all_true([t(item, case) for t in tests])
            if ok:
                for read, where, least in counts:
                    n = sum(_all_true([t(x, case) for t in where]) for x in read(item) or ())
                    if n < least:
                        ok = False
                        break
            if ok:
                counted += 1
            else:
                rest.append(pair)
        env.acc.counted += counted
        return rest

    return check


# -- prohibition -----------------------------------------------------------------------------
def _prohibition(rr: ResolvedRule) -> Check | None:
    """Clear: one of the forbidden conditions certainly does not hold. An item matching them
    all, or one that cannot be decided: left to the kind."""
    p: ProhibitionParams = rr.rule.params  # type: ignore[assignment]
    tests = [c.test for c in p.forbid]

    def check(env: Env) -> Items | None:
        if env.acc.oblige:
            return None
        items = _selection(rr, env)
        if items is None:
            return None
        case = env.case
        rest: Items = []
        counted = 0
        for pair in items:
            item = pair[1]
            answers = [t(item, case) for t in tests]  # every condition asked
            if any(r is False for r in answers):
                counted += 1
            else:
                rest.append(pair)
        env.acc.counted += counted
        return rest

    return check


_MAKERS: dict[Kind, Callable[[ResolvedRule], Check | None]] = {
    Kind.deadline: _deadline,
    Kind.required_fields: _required_fields,
    Kind.qualification: _qualification,
    Kind.prohibition: _prohibition,
}

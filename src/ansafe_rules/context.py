"""The context one rule is evaluated in: the case, the calendar, the rule's scope, and the
builders of its findings and obligations (every kind uses them, so every finding carries the
same rule, duty holder, liability and trace fields)."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from typing import Any

from .calendar import WorkCalendar
from .conditions import (
    ASK,
    _parsed,
    _walk,
    column_answers,
    column_field,
    day_of,
    get,
    is_empty,
    item_getter,
    text_of,
)
from .i18n import Message
from .model import PolicyCase, StaffMember
from .outputs import Status, Window
from .periods import DueDate, Period, compute_due
from .results import FindingRef, LeanObligationRef, ObligationRef
from .rulesets import (
    Condition,
    DutyHolder,
    ResolvedRule,
    ResolvedRuleset,
    Rule,
    Severity,
    StaffView,
    Subject,
)

__all__ = ["Acc", "CaseView", "Ctx", "Scope", "fmt_num", "missing_msg", "record_ids"]


class Acc:
    """What one rule produced: obligations and findings (not necessarily paired).

    A lean accumulator (``lean=True``) counts compliant findings in :attr:`counted` instead
    of keeping them, and with ``obligations=False`` keeps no obligations: the kinds then skip
    building what would be dropped. The evaluator runs lean when a caller wants the findings
    needing attention only; what was left out is built again, in full, when asked for."""

    __slots__ = ("counted", "findings", "lean", "obligations", "oblige")

    def __init__(self, lean: bool = False, obligations: bool = True) -> None:
        self.obligations: list[ObligationRef] = []
        self.findings: list[FindingRef] = []
        self.lean, self.oblige, self.counted = lean, obligations, 0

    def add(self, ob: ObligationRef | None, f: FindingRef | None) -> None:
        if ob is not None and self.oblige:
            self.obligations.append(ob)
        if f is not None:
            if self.lean and f.status is Status.compliant:
                self.counted += 1
            else:
                self.findings.append(f)


class Scope:
    """How one rule applies to one case: its layer's binding force, who is liable, and the
    span of event dates it covers (a layer in force from a given day, ``scope_date: event``)."""

    __slots__ = ("events", "liable", "severity")

    def __init__(
        self,
        severity: Severity | None = None,
        liable: DutyHolder | None = None,
        events: tuple[dt.date | None, dt.date | None] | None = None,
    ) -> None:
        self.severity, self.liable, self.events = severity, liable, events


Selection = tuple[list[tuple[str, Any]], list[tuple[str, Any, Message | None, list[Condition]]]]
"""What a rule's ``where`` selects in a case: the items kept, and those it cannot judge."""


class CaseView:
    """A case's subject items, labelled and sorted once per evaluation (every rule on the same
    subject reads the same list; it must not be changed)."""

    __slots__ = ("_case_values", "_dues", "_ids", "_items", "_selected", "_texts", "case")

    def __init__(self, case: PolicyCase) -> None:
        self.case = case
        self._items: dict[Subject, list[tuple[str, Any]]] = {}
        self._selected: dict[tuple[Any, ...], Selection] = {}
        self._dues: dict[tuple[Any, ...], DueDate] = {}
        self._ids: dict[str, tuple[str, ...]] = {}
        self._case_values: dict[str, Any] = {}
        self._texts: dict[tuple[Subject, str], list[Any]] = {}

    def case_value(self, path: str) -> Any:
        """The value of a ``$case.`` path, read once per case: every item of a rule (and every
        rule) reads the same value, e.g. ``$case.service_records.started_on|min``, which would
        otherwise walk every record once per record."""
        if path in self._case_values:
            return self._case_values[path]
        _, parts, agg = _parsed(path)
        got = self._case_values[path] = _walk(self.case, parts, agg)
        return got

    def record_ids(self, label: str) -> tuple[str, ...]:
        """:func:`record_ids`, one tuple per item of the case (every rule's rows share it)."""
        got = self._ids.get(label)
        if got is None:
            got = self._ids[label] = record_ids(label)
        return got

    def due(
        self, trigger: dt.date | dt.datetime, period: Period, cal: WorkCalendar, roll: bool
    ) -> DueDate:
        """:func:`compute_due`, once per (trigger, period): records sharing a day share one
        (immutable) due date, which the calendar keeps for every case (``compute_due``);
        those sharing a timestamp share one kept here, for the case, so a case of 200,000
        records holds a few hundred."""
        if not isinstance(trigger, dt.datetime):
            return compute_due(trigger, period, cal, roll=roll)
        tz = trigger.utcoffset()
        key = (trigger, tz, period.amount, period.unit, roll)  # equal instants, other offsets
        got = self._dues.get(key)
        if got is None:
            got = self._dues[key] = compute_due(trigger, period, cal, roll=roll)
        return got

    def items(self, subject: Subject) -> list[tuple[str, Any]]:
        got = self._items.get(subject)
        if got is None:
            got = self._items[subject] = self._compute(subject)
        return got

    def texts(self, subject: Subject, field: str) -> list[Any]:
        """The texts of ``field`` of each item of ``subject`` (:func:`text_of`), in item order:
        read once per case for every condition comparing the field with a text (the kind of a
        service record, a report's period...). The list is shared: it must not be changed."""
        key = (subject, field)
        got = self._texts.get(key)
        if got is None:
            missing = ASK  # an item without the field: its condition asks it
            got = self._texts[key] = [
                text_of(getattr(item, "__dict__", {}).get(field, missing))
                for _, item in self.items(subject)
            ]
        return got

    def answers(self, subject: Subject, c: Condition) -> list[Any] | None:
        """What ``c`` answers for each item of ``subject``, in item order; from a column of
        texts where it compares a field with texts (:func:`column_answers`), :data:`ASK`
        where it must be asked of the item itself; None when it has no column answers."""
        field = column_field(c)
        if field is None:
            return None
        return column_answers(c, self.texts(subject, field))

    def select(
        self,
        subject: Subject,
        where: Sequence[Condition],
        scope_field: str | None,
        layer: str,
        events: tuple[dt.date | None, dt.date | None] | None,
    ) -> Selection:
        """The items of ``subject`` matching ``where``, inside the event scope ``events`` of
        ``layer`` when ``scope_field`` names each item's event date, and the others that are
        not simply excluded (:func:`_select`). Made once per case for every rule with the same
        subject, conditions and scope; the lists are shared and must not be changed."""
        if events is None:
            scope_field = None
        key = (
            subject,
            tuple(c.key for c in where),
            scope_field,
            layer if scope_field is not None else None,
            events,
        )
        got = self._selected.get(key)
        if got is None:
            got = self._selected[key] = _select(self, subject, where, scope_field, layer, events)
        return got

    def _compute(self, subject: Subject) -> list[tuple[str, Any]]:
        c = self.case
        if subject is Subject.policy:
            return [("policy", c.policy)]
        if subject in (Subject.scheme, Subject.quote_letter):
            doc = getattr(c, subject.value)
            return [(subject.value, doc)] if doc is not None else []
        if subject is Subject.contract_services:
            return [
                (f"contract_services/{s.service_kind.value}/{s.per.value}", s)
                for s in c.policy.contract_services
            ]
        if subject is Subject.staff:
            # a staff member's fields as they are (validated already), with the organisation:
            # the same view as from ``s.model_dump()``, at under half the cost
            views = [
                StaffView.model_validate(
                    {**{k: s.__dict__[k] for k in _STAFF_FIELDS}, "organisation": o}
                )
                for o in c.organisations
                for s in o.staff
            ]
            return sorted(((f"staff/{v.organisation.id}/{v.id}", v) for v in views), key=_LABEL)
        name = subject.value
        prefix = name + "/"
        return sorted(((f"{prefix}{x.id}", x) for x in getattr(c, name)), key=_LABEL)


_LABEL = operator.itemgetter(0)
_STAFF_FIELDS = tuple(StaffMember.model_fields)


class Ctx:
    """One rule, one case: what a kind reads and the builders of its rows."""

    __slots__ = ("as_of", "cal", "case", "liable", "rr", "rs", "scope", "severity", "view")

    def __init__(
        self,
        rr: ResolvedRule,
        case: PolicyCase,
        as_of: dt.date,
        cal: WorkCalendar,
        rs: ResolvedRuleset,
        scope: Scope | None = None,
        view: CaseView | None = None,
    ) -> None:
        self.rr, self.case, self.as_of, self.cal, self.rs = rr, case, as_of, cal, rs
        self.scope = scope = scope or Scope()
        self.view = view if view is not None else CaseView(case)
        # what every row of the rule carries, worked out once (not per row)
        self.severity = scope.severity or rr.rule.severity
        self.liable = scope.liable

    def event_outside(self, day: dt.date | dt.datetime) -> Message | None:
        """Why an event on ``day`` is outside the layer's in-force period, or None."""
        return event_outside(self.scope.events, self.rr.layer, day)

    @property
    def rule(self) -> Rule:
        return self.rr.rule

    def get(self, item: Any, path: str) -> Any:
        return get(item, path, self.case)

    def getter(self, path: str) -> Callable[[Any], Any]:
        """A function of an item giving ``self.get(item, path)``, made once per rule: the
        kinds read their paths of every record with it (a ``$case.`` path is read once)."""
        if path.startswith("$case."):
            value = self.view.case_value(path)
            return lambda item: value
        return item_getter(path)

    def record_ids(self, label: str) -> tuple[str, ...]:
        """The record id of an item's label, as :func:`record_ids` (shared by the rows)."""
        return self.view.record_ids(label)

    def due(self, trigger: dt.date | dt.datetime, period: Period, roll: bool = True) -> DueDate:
        """The end of ``period`` after ``trigger`` (:func:`compute_due`; raises as it does)."""
        return self.view.due(trigger, period, self.cal, roll)

    def finding(
        self,
        status: Status,
        subject: str,
        reason: Message,
        *,
        due: DueDate | None = None,
        provisional_reason: str | None = None,
        trigger: dt.date | dt.datetime | None = None,
        window: Window | None = None,
        required_count: int | None = None,
        counted: float | None = None,
        records: tuple[str, ...] = (),
    ) -> FindingRef:
        """A judgement of this rule (its explanation is built on demand). The keywords are
        spelt out (not ``**kw``): a row is made per record, and packing costs."""
        return FindingRef(
            self.rr,
            self.severity,
            self.liable,
            status,
            subject,
            reason,
            due,
            provisional_reason,
            trigger,
            window,
            required_count,
            counted,
            records,
        )

    def obligation(
        self,
        subject: str,
        requirement: Message,
        *,
        due: DueDate | None = None,
        provisional_reason: str | None = None,
        window: Window | None = None,
        min_count: int | None = None,
        retain_until: dt.date | None = None,
    ) -> ObligationRef:
        """An obligation of this rule (keywords spelt out, as for :meth:`finding`)."""
        return ObligationRef(
            self.rr,
            self.liable,
            subject,
            requirement,
            due,
            provisional_reason,
            window,
            min_count,
            retain_until,
        )

    def lean_obligation(
        self, subject: str, requirement: Message, due_date: dt.date, due_at: dt.datetime | None
    ) -> LeanObligationRef:
        """An obligation of a lean evaluation: what a binding compares and the requirement's
        message, without the :class:`DueDate` (a deadline's, see :class:`LeanObligationRef`)."""
        return LeanObligationRef(self.rr, self.liable, subject, requirement, due_date, due_at)

    def items(self, subject: Subject) -> list[tuple[str, Any]]:
        """Subject items with their labels, sorted by id for order independence."""
        return self.view.items(subject)

    def selected(
        self,
        acc: Acc,
        subject: Subject | None = None,
        where: Sequence[Condition] | None = None,
    ) -> list[tuple[str, Any]]:
        """Items matching ``where``; items where it cannot be decided become findings."""
        p = self.rule.params
        subject = subject or p.subject
        where = p.where if where is None else where
        scope_field = self.rule.scope_field if subject is p.subject else None
        events = self.scope.events
        if not where and (scope_field is None or events is None):
            # nothing to select on: every item (a new list; the view's is shared)
            return list(self.items(subject))
        # rules with the same subject, conditions and event scope (a layer's) select the same
        # items: the selection is made once per case (what it cannot decide each rule says)
        kept, undecided = self.view.select(subject, where, scope_field, self.rr.layer, events)
        for label, item, outside, failed in undecided:
            if outside is not None:
                msg = ("na.event_outside", {"field": scope_field, "why": outside})
                acc.add(None, self.finding(Status.not_applicable, label, msg))
            else:
                why = ("applies.unknown", {"missing": missing_msg(failed, item, self.case)})
                acc.add(None, self.finding(Status.insufficient_data, label, why))
        return list(kept)

    def subject_items(self, acc: Acc) -> list[tuple[str, Any]] | None:
        """The rule's subject items matching its ``where``; None (with the finding that says
        why) when there are none to judge."""
        items = self.selected(acc)
        if not items and not acc.findings:
            self.none_found(acc)
            return None
        return items

    def none_found(self, acc: Acc) -> None:
        p = self.rule.params
        args: dict[str, Any] = {"collection": p.subject.value}
        if p.where:
            args["conds"] = p.where
        where = "_where" if p.where else ""
        if p.expect_items:
            msg = (f"none.expected{where}", args)
            f = self.finding(Status.insufficient_data, p.subject.value, msg)
        else:
            f = self.finding(Status.not_applicable, p.subject.value, (f"none.absent{where}", args))
        acc.add(None, f)


def event_outside(
    events: tuple[dt.date | None, dt.date | None] | None,
    layer: str,
    day: dt.date | dt.datetime,
) -> Message | None:
    """Why an event on ``day`` is outside ``layer``'s in-force period ``events`` (first and
    last day, either open), or None (always None without a period)."""
    if events is None:
        return None
    lo, hi = events
    d = day_of(day)
    if lo is not None and d < lo:
        return ("scope.event_before", {"day": d, "layer": layer, "in_force": lo})
    if hi is not None and d > hi:
        return ("scope.event_after", {"day": d, "layer": layer, "expires": hi})
    return None


def _select(
    view: CaseView,
    subject: Subject,
    where: Sequence[Condition],
    scope_field: str | None,
    layer: str,
    events: tuple[dt.date | None, dt.date | None] | None,
) -> Selection:
    """The items of ``subject`` matching ``where`` inside the event scope (``scope_field``
    given), and the others that are not simply excluded: (label, item, why outside the
    scope, the conditions that could not be decided), in item order."""
    kept: list[tuple[str, Any]] = []
    undecided: list[tuple[str, Any, Message | None, list[Condition]]] = []
    case = view.case
    items = view.items(subject)
    if scope_field is None and len(where) == 1:
        # one condition (most rules): its answers in one pass, then the items it keeps
        # (the view's own pairs) and those it cannot decide, in item order
        c = where[0]
        test = c.test
        column = view.answers(subject, c)
        if column is None:
            answers = [test(item, case) for _, item in items]
        else:  # a text compared (kind eq training): the column's answers, the rest asked
            answers = [
                test(item, case) if a is ASK else a
                for a, (_, item) in zip(column, items, strict=True)
            ]
        kept = [
            it for it, r in zip(items, answers, strict=True) if r is not False and r is not None
        ]
        if None in answers:
            undecided = [
                (label, item, None, [c])
                for (label, item), r in zip(items, answers, strict=True)
                if r is None
            ]
        return kept, undecided
    if scope_field is None:
        day_of_item = None
    elif scope_field.startswith("$case."):
        value = view.case_value(scope_field)
        day_of_item = lambda item: value  # noqa: E731 - read once per case
    else:
        day_of_item = item_getter(scope_field)
    # each condition with its column of answers where it has one (asked per item otherwise)
    tests = [(c, c.test, view.answers(subject, c)) for c in where]
    for i, pair in enumerate(items):
        label, item = pair
        if day_of_item is not None:
            day = day_of_item(item)
            outside = event_outside(events, layer, day) if day is not None else None
            if outside is not None:
                undecided.append((label, item, outside, []))
                continue
        # all_hold() inlined: every condition is asked (as all_hold does: one that cannot
        # be asked raises whatever the others say); an item that none fails is kept, or
        # undecided with the conditions that could not decide, in order
        failed = False
        unknown: list[Condition] | None = None
        for c, test, column in tests:
            r = test(item, case) if column is None or (r := column[i]) is ASK else r
            if r is False:
                failed = True
            elif r is None:
                unknown = [c] if unknown is None else [*unknown, c]
        if failed:
            continue
        if unknown is None:
            kept.append(pair)
        else:
            undecided.append((label, item, None, unknown))
    return kept, undecided


def missing_msg(conds: Sequence[Condition], root: Any, case: Any) -> Message:
    """What :func:`ansafe_rules.conditions.missing` says, as a message: the field paths of
    ``conds`` that have no value; the conditions themselves when every value is present but
    cannot be compared."""
    names: list[str] = []
    for c in conds:
        names += [path for _, path in c.paths() if is_empty(get(root, path, case))]
    if not names:
        return ("missing.comparable", {"conds": list(conds)})
    return ("missing.fields", {"fields": list(dict.fromkeys(names))})


def record_ids(label: str) -> tuple[str, ...]:
    return (label.rsplit("/", 1)[-1],) if "/" in label else ()


def fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"

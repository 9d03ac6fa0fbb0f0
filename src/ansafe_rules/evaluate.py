"""The evaluator: judge a case against every rule of a resolved ruleset as of a date (or a
batch of cases, each rule over all of them in turn: :func:`evaluate_batch`).

Pure functions of (resolved ruleset, case, ``as_of``, calendar): no global state, safe to share
across threads. Records are sorted by id before evaluation and findings are sorted on output, so
results do not depend on record order. Bad data in one record becomes a ``data_error`` or
``insufficient_data`` finding for that record; it never raises. Each rule kind lives in its
own module under :mod:`ansafe_rules.kinds`; outputs in :mod:`ansafe_rules.outputs`.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .bindings import bindings, compared_rules
from .calendar import WorkCalendar, default_calendar
from .conditions import all_hold
from .context import Acc, CaseView, Ctx, Scope, missing_msg
from .i18n import Lang, Message, normalise_lang
from .inputs import ParsedCase, parse_case
from .kinds import KINDS
from .model import PolicyCase
from .outputs import Binding, Finding, Obligation, Report, Status, Trace, Window
from .results import AnyFinding, Counted, Evaluation, ObligationRef, _InputFinding
from .rulesets import (
    DutyHolder,
    ResolvedRule,
    ResolvedRuleset,
    ScopeDate,
    Severity,
)

__all__ = [
    "Binding",
    "Evaluation",
    "Finding",
    "Obligation",
    "Report",
    "Status",
    "Trace",
    "Window",
    "bindings",
    "check",
    "evaluate",
    "evaluate_batch",
    "evaluate_rows",
    "obligations",
]


class _LayerScope:
    """What a layer means for one case: in-force limits by policy and by event date, and
    whether its findings bind (``advisory_unless``)."""

    __slots__ = ("by_event", "by_policy", "events", "note", "severity")

    def __init__(self, rs: ResolvedRuleset, layer_id: str, case: PolicyCase) -> None:
        li = rs.layer(layer_id)
        eff = li.effective
        pol = case.policy
        issued = pol.issued_on or pol.term_start
        self.by_policy: Message | None = None
        if eff.in_force is not None and issued < eff.in_force:
            self.by_policy = (
                "scope.policy_before",
                {"issued": issued, "layer": layer_id, "in_force": eff.in_force},
            )
        elif eff.expires is not None and issued > eff.expires:
            self.by_policy = (
                "scope.policy_after",
                {"issued": issued, "layer": layer_id, "expires": eff.expires},
            )
        # event-dated rules: the policy must be in force during the layer's period
        self.events = (eff.in_force, eff.expires) if eff.in_force or eff.expires else None
        self.by_event: Message | None = None
        if eff.in_force is not None and pol.term_end < eff.in_force:
            self.by_event = (
                "scope.term_before",
                {"term_end": pol.term_end, "layer": layer_id, "in_force": eff.in_force},
            )
        elif eff.expires is not None and pol.term_start > eff.expires:
            self.by_event = (
                "scope.term_after",
                {"term_start": pol.term_start, "layer": layer_id, "expires": eff.expires},
            )
        self.severity: Severity | None = None
        self.note: Message | None = None
        au = li.advisory_unless
        if au is not None:
            ok, _ = all_hold(au.conditions, case, case)
            binds = ok is True or (ok is None and au.unknown_binds)
            args = {"layer": layer_id, "conds": au.conditions, "clause": au.citation.clause}
            if not binds:
                self.severity = Severity.advisory
                self.note = ("note.advisory", args)
            elif ok is None:
                self.note = ("note.assumed_binding", args)


def _service_liable(rs: ResolvedRuleset, case: PolicyCase) -> DutyHolder | None:
    """Who bears liability for the service duties of ``case`` (AQ 9010-2019 5.3): the
    insurer, unless a broker or third party both organises the services and manages their
    fees; None when no layer states a service-liability clause. Worked out once per case."""
    sl = rs.service_liability
    if sl is None:
        return None
    pol = case.policy
    org, fees = pol.service_organised_by, pol.service_fees_managed_by
    if org is not None and org == fees and DutyHolder(org.value) in sl.transfers_to:
        return DutyHolder(org.value)
    return sl.default


def _liable(rr: ResolvedRule, service_party: DutyHolder | None) -> DutyHolder | None:
    """Who bears liability for ``rr``'s duty where it differs from the duty holder: the
    case's service party (:func:`_service_liable`) for a service duty, else nobody."""
    if service_party is None or not rr.rule.service_duty:
        return None
    return service_party if service_party is not rr.rule.duty_holder else None


class _Scopes:
    """The :class:`Scope` of each (layer, event-dated, liable party) of one case, made once
    and shared by the rules alike (a Scope is never changed)."""

    __slots__ = ("_made", "layers")

    def __init__(self, layers: dict[str, _LayerScope]) -> None:
        self.layers = layers
        self._made: dict[tuple[str, bool, DutyHolder | None], Scope] = {}

    def of(self, layer: str, by_event: bool, liable: DutyHolder | None) -> Scope:
        key = (layer, by_event, liable)
        got = self._made.get(key)
        if got is None:
            ls = self.layers[layer]
            got = self._made[key] = Scope(
                severity=ls.severity, liable=liable, events=ls.events if by_event else None
            )
        return got


def _run_rule(
    rr: ResolvedRule,
    rs: ResolvedRuleset,
    case: PolicyCase,
    as_of: dt.date,
    cal: WorkCalendar,
    scopes: _Scopes,
    view: CaseView,
    acc: Acc,
    liable: DutyHolder | None,
) -> Acc:
    """Run one rule into ``acc``; ``liable`` is who bears its liability (:func:`_liable`)."""
    rule = rr.rule
    by_event = rule.scope_date is ScopeDate.event
    layer_scope = scopes.layers[rr.layer]
    out_of_scope = layer_scope.by_event if by_event else layer_scope.by_policy
    ctx = Ctx(rr, case, as_of, cal, rs, scopes.of(rr.layer, by_event, liable), view)
    if out_of_scope:
        msg: Message = ("na.out_of_scope", {"why": out_of_scope})
        acc.add(None, ctx.finding(Status.not_applicable, "policy", msg))
        return acc
    ok, failed = all_hold(rule.applies_if, case, case) if rule.applies_if else (True, [])
    if ok is False:
        msg = ("na.applies_if", {"conds": rule.applies_if})
        acc.add(None, ctx.finding(Status.not_applicable, "policy", msg))
    elif ok is None:
        msg = ("applies.unknown", {"missing": missing_msg(failed, case, case)})
        acc.add(None, ctx.finding(Status.insufficient_data, "policy", msg))
    else:
        KINDS[rule.kind](ctx, acc)
    return acc


def _sort(items: list[Any], key: Callable[[Any], tuple], text: Callable[[Any], str]) -> None:
    """Sort ``items`` by ``key``, then by their English sentence (``text``) among equals: the
    order of a sort on (key, text), rendering only the sentences of the few equal keys."""
    if len(items) < 2:
        return
    keys = list(map(key, items))
    # the usual case, rows made in label order with one row per subject: already in order and
    # no two keys equal; checked in C (a set, a comparison of lists) instead of re-sorted
    if len(set(keys)) == len(keys) and keys == sorted(keys):
        return
    # the index keeps the sort stable
    keyed = sorted(zip(keys, range(len(items)), strict=True))
    out = [items[i] for _, i in keyed]
    i, n = 0, len(keyed)
    while i < n:
        k, j = keyed[i][0], i + 1
        while j < n and keyed[j][0] == k:
            j += 1
        if j - i > 1:
            out[i:j] = sorted(out[i:j], key=text)
        i = j
    items[:] = out


# Within a rule, rows are sorted independently of record order: by subject and status (a
# StrEnum: its value), then by the English sentence; the rules themselves run in their order.
_BY_SUBJECT_STATUS = operator.attrgetter("subject", "status")
_BY_SUBJECT = operator.attrgetter("subject")
_REASON = operator.attrgetter("reason")
_REQUIREMENT = operator.attrgetter("requirement")


def _notes(
    rs: ResolvedRuleset, layers: Sequence[str], scope: Mapping[str, _LayerScope]
) -> tuple[Message, ...]:
    notes: list[Message] = []
    for li in rs.layers:
        if li.id not in layers:
            continue
        if li.effective.in_force is None and li.effective.trial is not None:
            notes.append(("note.trial_undated", {"layer": li.id, "trial": li.effective.trial}))
        note = scope[li.id].note
        if note is not None:
            notes.append(note)
    return tuple(notes)


class _CaseRun:
    """One case of a batch being evaluated: what its rules read (scopes, liable party, the
    view of its records) and what they produced so far."""

    __slots__ = ("counted", "findings", "obligations", "parsed", "party", "scope", "scopes", "view")

    def __init__(self, rs: ResolvedRuleset, parsed: ParsedCase) -> None:
        case = parsed.case
        self.parsed = parsed
        self.scope = {li.id: _LayerScope(rs, li.id, case) for li in rs.layers}
        self.scopes = _Scopes(self.scope)
        self.party = _service_liable(rs, case)
        self.view = CaseView(case)
        self.obligations: list[ObligationRef] = []
        self.findings: list[AnyFinding] = []
        self.counted: list[Counted] = []


def evaluate_rows(
    ruleset: ResolvedRuleset,
    case: PolicyCase | ParsedCase | Mapping[str, Any],
    *,
    as_of: dt.date,
    calendar: WorkCalendar | None = None,
    layer: str | None = None,
    source: str = "<input>",
    duty_holder: DutyHolder | str | None = None,
    lang: Lang = "en",
    lean: bool = False,
) -> Evaluation:
    """Judge ``case`` as :func:`evaluate` does, returning compact rows: the explanation of a
    finding (its :class:`Trace`) is built only when asked for (:meth:`Evaluation.report`,
    :meth:`Evaluation.summary`), its sentences in ``lang`` (``"en"`` or ``"zh"``) unless
    those ask for another. The fast path for portfolios.

    ``lean=True`` is faster still when only the findings needing attention are wanted:
    compliant findings are counted, not built, and only the obligations a binding compares
    are built. :meth:`Evaluation.summary`, :meth:`Evaluation.rows` and
    :meth:`Evaluation.select` of other statuses, ``counts``, ``bindings`` and
    :func:`ansafe_rules.breaches` work from the lean rows; anything else (``findings``,
    ``obligations``, :meth:`Evaluation.report`) evaluates the case again in full, once.

    A batch of one (:func:`evaluate_batch`)."""
    (ev,) = evaluate_batch(
        ruleset,
        [case],
        as_of=as_of,
        calendar=calendar,
        layer=layer,
        sources=[source],
        duty_holder=duty_holder,
        lang=lang,
        lean=lean,
    )
    return ev


def evaluate_batch(
    ruleset: ResolvedRuleset,
    cases: Iterable[PolicyCase | ParsedCase | Mapping[str, Any]],
    *,
    as_of: dt.date,
    calendar: WorkCalendar | None = None,
    layer: str | None = None,
    sources: Sequence[str] | None = None,
    duty_holder: DutyHolder | str | None = None,
    lang: Lang = "en",
    lean: bool = False,
) -> list[Evaluation]:
    """:func:`evaluate_rows` of each of ``cases`` (``sources`` name them, as ``source``
    does), in their order: the same evaluations, made a rule at a time over the batch (each
    rule runs over every case before the next rule; its code and what it sets up stay warm,
    see ``benchmarks/batches.py``). No case's result depends on the others, and a rule that
    fails on one case becomes a finding of that case alone; but a case that cannot be read
    or judged at all (outside its rules) raises for the batch, as :func:`evaluate_rows`
    raises for it: evaluate such a batch again a case at a time to find which (as
    :func:`ansafe_rules.portfolio.iter_outcomes` does). Small batches (a few policies) are
    the fastest; larger ones gain nothing."""
    lang = normalise_lang(lang)  # a language it cannot write is said before a case is read
    batch = list(cases)
    if isinstance(sources, str):
        raise TypeError("sources: one name per case (a list), not a single text")
    names = list(sources) if sources is not None else ["<input>"] * len(batch)
    if len(names) != len(batch):
        raise ValueError(f"{len(batch)} cases but {len(names)} sources")
    parsed_cases = [parse_case(c, name) for c, name in zip(batch, names, strict=True)]
    cal = calendar or default_calendar()
    if layer is not None and layer not in {li.id for li in ruleset.layers}:
        raise ValueError(f"layer {layer!r} is not in ruleset {ruleset.id!r}")
    runs = [_CaseRun(ruleset, parsed) for parsed in parsed_cases]
    compared = compared_rules(ruleset) if lean else None
    for rr in ruleset.rules:
        if layer is not None and rr.layer != layer:
            continue
        oblige = compared is None or rr.rule.id in compared
        for run in runs:
            case = run.parsed.case
            try:
                acc = Acc(lean, oblige)
                liable = _liable(rr, run.party)
                _run_rule(rr, ruleset, case, as_of, cal, run.scopes, run.view, acc, liable)
                if acc.counted:
                    run.counted.append(Counted(rr, liable, acc.counted))
            except Exception as exc:  # a rule never costs the report: its error becomes a finding
                acc = Acc()
                why: Message = (
                    "rule.error",
                    {"rule_id": rr.rule.id, "error": f"{type(exc).__name__}: {exc}"},
                )
                ctx = Ctx(rr, case, as_of, cal, ruleset)
                acc.add(None, ctx.finding(Status.data_error, "policy", why))
            # rules run in their order: sorting each rule's rows sorts them all (rule,
            # subject...)
            _sort(acc.obligations, _BY_SUBJECT, _REQUIREMENT)
            _sort(acc.findings, _BY_SUBJECT_STATUS, _REASON)
            run.obligations += acc.obligations
            run.findings += acc.findings
    layer_ids = tuple(li.id for li in ruleset.layers if layer is None or li.id == layer)
    return [
        _evaluation(ruleset, run, as_of, calendar, layer, layer_ids, lang, lean, duty_holder)
        for run in runs
    ]


def _evaluation(
    ruleset: ResolvedRuleset,
    run: _CaseRun,
    as_of: dt.date,
    calendar: WorkCalendar | None,
    layer: str | None,
    layer_ids: tuple[str, ...],
    lang: Lang,
    lean: bool,
    duty_holder: DutyHolder | str | None,
) -> Evaluation:
    """The :class:`Evaluation` of one case of a batch, from what its rules produced."""
    parsed, findings = run.parsed, run.findings
    full = None
    if lean:  # the same evaluation with every row, for when one is asked for
        full = functools.partial(
            evaluate_rows, ruleset, parsed, as_of=as_of, calendar=calendar, layer=layer, lang=lang
        )
    if parsed.issues:  # input errors come first (rule index -1)
        issues: list[AnyFinding] = [_InputFinding(i) for i in parsed.issues]
        _sort(issues, _BY_SUBJECT_STATUS, _REASON)
        findings[:0] = issues
    ev = Evaluation(
        ruleset=ruleset,
        policy_id=parsed.case.policy.policy_id,
        jurisdiction=ruleset.id,
        layers=layer_ids,
        as_of=as_of,
        findings=findings,
        obligations=run.obligations,
        input_issues=parsed.issues,
        notes=_notes(ruleset, layer_ids, run.scope),
        lang=lang,
        counted=run.counted,
        full=full,
    )
    return ev if duty_holder is None else ev.for_party(duty_holder)


def evaluate(
    ruleset: ResolvedRuleset,
    case: PolicyCase | ParsedCase | Mapping[str, Any],
    *,
    as_of: dt.date,
    calendar: WorkCalendar | None = None,
    layer: str | None = None,
    source: str = "<input>",
    duty_holder: DutyHolder | str | None = None,
    lang: Lang = "en",
) -> Report:
    """Judge ``case`` against every rule of ``ruleset`` as of ``as_of``.

    ``case`` may be raw data (or a :class:`ParsedCase` from :func:`load_case_file`): each record
    is then validated on its own, and a bad record becomes a ``data_error`` finding while the
    others are evaluated. ``layer`` restricts the evaluation to the rules one layer defines
    (e.g. only ``"national"``). Where several rules regulate one obligation, ``bindings`` says
    which binds. ``duty_holder`` keeps only that party's duties: those it owes, and those whose
    liability it bears (:meth:`Report.for_party`). Every finding carries its full trace; for
    compact rows use :func:`evaluate_rows`. Reasons, requirements and notes are in ``lang``
    (``"en"``, the default, or ``"zh"``); each finding also carries its ``message_id`` and
    ``message_args`` to render it in the other (:func:`ansafe_rules.render_message`).
    """
    return evaluate_rows(
        ruleset,
        case,
        as_of=as_of,
        calendar=calendar,
        layer=layer,
        source=source,
        duty_holder=duty_holder,
        lang=lang,
    ).report()


def check(
    ruleset: ResolvedRuleset,
    case: PolicyCase | ParsedCase | Mapping[str, Any],
    *,
    as_of: dt.date,
    calendar: WorkCalendar | None = None,
    layer: str | None = None,
    duty_holder: DutyHolder | str | None = None,
    lang: Lang = "en",
) -> tuple[Finding, ...]:
    """The findings of :func:`evaluate` alone (reasons in ``lang``)."""
    return evaluate(
        ruleset,
        case,
        as_of=as_of,
        calendar=calendar,
        layer=layer,
        duty_holder=duty_holder,
        lang=lang,
    ).findings


def obligations(
    ruleset: ResolvedRuleset,
    case: PolicyCase | ParsedCase | Mapping[str, Any],
    *,
    calendar: WorkCalendar | None = None,
    layer: str | None = None,
    duty_holder: DutyHolder | str | None = None,
    lang: Lang = "en",
) -> tuple[Obligation, ...]:
    """Every obligation that applies to the policy: due dates, counting windows with their
    minimum counts, retention ends, standing requirements, each requirement in ``lang``.
    Independent of any ``as_of``."""
    parsed = parse_case(case)
    ev = evaluate_rows(
        ruleset,
        parsed,
        as_of=parsed.case.policy.term_end,
        calendar=calendar,
        layer=layer,
        duty_holder=duty_holder,
    )
    return tuple(o.model(lang) for o in ev.obligations)


# ------------------------------------------------------------------------------------------
# bindings: which of several rules on one obligation binds

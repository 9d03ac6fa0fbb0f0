"""Breaches: a case's violations counted as a person counts them.

Why: a stacked regime (national + local) judges one duty at every layer that regulates it, so one
late callback breached at both layers gives two violation findings. A summary counting rows says
"two violations" where there is one breach of one duty, citing two clauses. And advisory
findings (宜 provisions, 参照执行) and assessment items (考核项) are violations of no duty at all.

A :class:`Breach` is the findings of one *obligation* for one *subject* — the key
:mod:`ansafe_rules.bindings` pairs rules across layers by (``Rule.obligation``, the subject),
e.g. ``national.service.callback`` and ``guangdong.service.callback`` on ``service_records/T-02``
are ``service.callback`` — that are violations: one breach, each layer's clause, quote and due
date kept. Advisory and assessment violations are grouped the same way but never counted as
breaches (:class:`BreachKind`). Pure: everything comes from the evaluation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .i18n import Lang, render_message
from .i18n import text as _t
from .outputs import Finding, Report, Status
from .results import Evaluation
from .rulesets import DutyHolder, Severity

__all__ = [
    "Breach",
    "BreachCitation",
    "BreachCounts",
    "BreachKind",
    "breach_counts",
    "breach_groups",
    "breaches",
    "summary_text",
]


class BreachKind(StrEnum):
    """What a group of violation findings is."""

    breach = "breach"  # 违反义务: a breach of a duty
    advisory = "advisory"  # 建议性: a 宜 provision or a layer applied for reference only
    assessment = "assessment"  # 考核项: an assessment item, not a duty


_KIND_OF = {Severity.advisory: BreachKind.advisory, Severity.assessment: BreachKind.assessment}
_RANK = {Severity.critical: 0, Severity.major: 1, Severity.minor: 2}


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BreachCitation(_Out):
    """One layer's finding of a breach: its rule, clause, verbatim quote, due date and reason."""

    rule_id: str = Field(description="规则 — rule id")
    layer: str = Field(description="层级 — ruleset layer")
    clause: str = Field(description="条款 — clause of the source text")
    quote: str = Field(description="原文 — the clause, verbatim")
    title: str = Field(description="事项 — the rule's Chinese title")
    severity: Severity = Field(description="严重程度 — this finding's severity")
    duty_holder: DutyHolder = Field(description="义务主体 — who owes the duty at this layer")
    liable_party: DutyHolder | None = Field(
        default=None, description="责任承担方 — who bears liability, where it differs"
    )
    due_date: dt.date | None = Field(default=None, description="截止日期 — this layer's due date")
    due_at: dt.datetime | None = Field(
        default=None, description="截止时刻 — this layer's exact deadline (hour periods)"
    )
    provisional: bool = Field(
        default=False, description="暂定 — the date depends on an unofficial holiday schedule"
    )
    message_id: str | None = Field(default=None, description="the reason's message id")
    message_args: dict[str, Any] = Field(
        default_factory=dict, description="the reason's arguments, JSON values"
    )
    reason_zh: str = Field(description="说明 — the judgement in Chinese")
    reason_en: str = Field(description="the judgement in English")


class Breach(_Out):
    """One duty breached for one subject, citing every layer's clause that it breaches. With
    ``kind`` advisory or assessment: a violation that is not a breach of a duty."""

    kind: BreachKind = Field(description="breach, advisory or assessment")
    status: Status = Field(
        default=Status.violation, description="结论 — always violation: the findings' status"
    )
    obligation: str = Field(
        description="the obligation key the layers share, e.g. service.callback"
    )
    subject: str = Field(description="对象 — what was judged, e.g. service_records/T-02")
    title: str = Field(description="事项 — the binding rule's Chinese title")
    severity: Severity = Field(description="严重程度 — the gravest of its findings")
    duty_holder: DutyHolder = Field(description="义务主体 — who owes the binding rule's duty")
    liable_party: DutyHolder | None = Field(
        default=None, description="责任承担方 — who bears liability, where it differs"
    )
    binding_rule_id: str = Field(
        description="the strictest rule: the earliest due date, else the first in stack order "
        "(as Report.bindings decides)"
    )
    due_date: dt.date | None = Field(default=None, description="截止日期 — the binding due date")
    due_at: dt.datetime | None = Field(
        default=None, description="截止时刻 — the binding exact deadline (hour periods)"
    )
    layers: tuple[str, ...] = Field(description="the layers breached, stack order")
    citations: tuple[BreachCitation, ...] = Field(
        description="one per finding, stack order (national first)"
    )
    message_zh: str = Field(description="说明 — the binding finding's judgement in Chinese")
    message_en: str = Field(description="the binding finding's judgement in English")

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The rules breached, stack order."""
        return tuple(c.rule_id for c in self.citations)

    def message(self, lang: str = "zh") -> str:
        """The binding finding's judgement in ``lang``."""
        return self.message_en if lang == "en" else self.message_zh


class BreachCounts(_Out):
    """How many breaches a case has, and what is counted apart."""

    breaches: int = Field(description="违反义务 — breaches of a duty (one per duty and subject)")
    advisory: int = Field(description="建议性 — advisory violations, grouped the same way")
    assessment: int = Field(description="考核项 — assessment items failed, grouped the same way")
    violation_findings: int = Field(
        description="违规结论 — violation findings (rows), every layer counted"
    )


def _kind(severity: Severity) -> BreachKind:
    return _KIND_OF.get(severity, BreachKind.breach)


def _due_key(due_date: dt.date | None, due_at: dt.datetime | None) -> tuple[Any, ...]:
    """Orders due dates as bindings do: an hour deadline and a day deadline by their last
    instant (China time); no date last."""
    if due_at is not None:
        at = due_at.astimezone(_CHINA) if due_at.tzinfo else due_at
        return (0, at.date(), 0, at.time())
    if due_date is not None:
        return (0, due_date, 1, dt.time.max)
    return (1,)


_CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def breach_groups(
    findings: Iterable[Any], layers: Sequence[str]
) -> list[tuple[BreachKind, list[Any]]]:
    """The violation findings of ``findings`` grouped into breaches, in order of first
    appearance, each group's findings in stack order (``layers``, national first) with the
    binding one first. Works on anything with the attributes ``status``, ``severity``,
    ``obligation``, ``subject``, ``layer``, ``due_date``, ``due_at`` (rows of an
    :class:`Evaluation`, or :func:`_Row` views of :class:`Finding`)."""
    order = {layer: i for i, layer in enumerate(layers)}
    groups: dict[tuple[BreachKind, str, str], list[Any]] = {}
    for f in findings:
        if f.status is not Status.violation:
            continue
        kind = _kind(f.severity)
        groups.setdefault((kind, f.obligation, f.subject), []).append(f)
    out = []
    for (kind, _, _), members in groups.items():
        if len(members) == 1:  # most breaches: one layer's finding, nothing to order
            out.append((kind, members))
            continue
        members.sort(key=lambda f: order.get(f.layer, len(order)))
        binding = min(members, key=lambda f: _due_key(f.due_date, f.due_at))
        rest = [f for f in members if f is not binding]
        out.append((kind, [binding, *rest]))
    return out


class _Row:
    """A :class:`Finding` seen with the attributes :func:`breach_groups` reads."""

    __slots__ = ("finding",)

    def __init__(self, finding: Finding) -> None:
        self.finding = finding

    def __getattr__(self, name: str) -> Any:
        f = object.__getattribute__(self, "finding")
        if name in ("due_date", "due_at"):
            due = f.trace.due if f.trace else None
            return getattr(due, name) if due is not None else None
        return getattr(f, name)


def _findings(source: Evaluation | Report) -> tuple[list[Finding], tuple[str, ...]]:
    """The violation findings of ``source`` as full findings (trace and citation included)."""
    if isinstance(source, Report):
        return [f for f in source.findings if f.status is Status.violation], source.layers
    rows = source.select([Status.violation])
    return [f.finding(source.as_of) for f in rows], source.layers


def _citation(f: Finding) -> BreachCitation:
    assert f.trace is not None and f.duty_holder is not None  # violations come from rules
    due = f.trace.due
    mid, args = f.message_id, f.message_args
    zh = render_message(mid, args, "zh") if mid else f.reason
    en = render_message(mid, args, "en") if mid else f.reason
    return BreachCitation(
        rule_id=f.rule_id,
        layer=f.layer,
        clause=f.trace.citation.clause,
        quote=f.trace.citation.quote,
        title=f.title,
        severity=f.severity,
        duty_holder=f.duty_holder,
        liable_party=f.liable_party,
        due_date=due.due_date if due else None,
        due_at=due.due_at if due else None,
        provisional=f.provisional,
        message_id=mid,
        message_args=args,
        reason_zh=zh,
        reason_en=en,
    )


def _all(source: Evaluation | Report) -> list[Breach]:
    findings, layers = _findings(source)
    out = []
    for kind, members in breach_groups(map(_Row, findings), layers):
        cites = [_citation(m.finding) for m in members]
        binding = cites[0]
        by_stack = sorted(cites, key=lambda c: layers.index(c.layer) if c.layer in layers else 99)
        severity = min((c.severity for c in cites), key=lambda s: _RANK.get(s, 9))
        out.append(
            Breach(
                kind=kind,
                obligation=members[0].finding.obligation,
                subject=members[0].finding.subject,
                title=binding.title,
                severity=severity,
                duty_holder=binding.duty_holder,
                liable_party=binding.liable_party,
                binding_rule_id=binding.rule_id,
                due_date=binding.due_date,
                due_at=binding.due_at,
                layers=tuple(dict.fromkeys(c.layer for c in by_stack)),
                citations=tuple(by_stack),
                message_zh=binding.reason_zh,
                message_en=binding.reason_en,
            )
        )
    return out


def breaches(
    source: Evaluation | Report, *, include: Iterable[BreachKind] = (BreachKind.breach,)
) -> list[Breach]:
    """The breaches of an evaluation (:func:`ansafe_rules.evaluate_rows`) or a report
    (:func:`ansafe_rules.evaluate`): violation findings of the same obligation and subject at
    several layers are one breach citing each clause. Advisory and assessment violations are
    left out unless ``include`` names their :class:`BreachKind`. In order of first appearance."""
    wanted = frozenset(BreachKind(k) for k in include)
    return [b for b in _all(source) if b.kind in wanted]


def breach_counts(source: Evaluation | Report) -> BreachCounts:
    """Breaches, and advisory and assessment groups counted apart (cheap: no trace is built
    for an :class:`Evaluation`)."""
    layers = source.layers
    if isinstance(source, Report):
        groups = breach_groups(map(_Row, source.findings), layers)
    else:
        groups = breach_groups(source.select([Status.violation]), layers)
    n = dict.fromkeys(BreachKind, 0)
    for kind, _ in groups:
        n[kind] += 1
    return BreachCounts(
        breaches=n[BreachKind.breach],
        advisory=n[BreachKind.advisory],
        assessment=n[BreachKind.assessment],
        violation_findings=source.counts.get(Status.violation, 0),
    )


def summary_text(b: BreachCounts, counts: dict[Status, int], lang: Lang = "en") -> str:
    """One policy's summary: breaches of a duty, advisory and assessment groups counted apart,
    then the findings by rule (``违反义务 11 项（另有建议性条款 1 项）；按规则结论计：合规
    173 项、违规 14 项…``; ``11 breaches of a duty (plus 1 advisory finding); findings by
    rule: 173 compliant, 14 violations…``)."""
    sep = "、" if lang == "zh" else ", "
    line = _counted("sum.breaches", b.breaches, lang)
    apart = [
        _counted(f"sum.{kind}", n, lang)
        for kind, n in (("advisory", b.advisory), ("assessment", b.assessment))
        if n
    ]
    if apart:
        line += _t("sum.apart", lang).format(items=sep.join(apart))
    rows = sep.join(_counted(f"count.{s.value}", n, lang) for s, n in counts.items() if n)
    return line + ("；" if lang == "zh" else "; ") + _t("sum.rows", lang).format(counts=rows)


def _counted(msg: str, n: int, lang: str) -> str:
    """``n`` things: the message ``msg.one`` for 1 (English singular), ``msg.many`` else."""
    return _t(f"{msg}.{'one' if n == 1 else 'many'}", lang).format(n=n)

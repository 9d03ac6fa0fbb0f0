"""What an evaluation returns: findings, obligations, bindings and the report, each with
its trace. Frozen pydantic models with a JSON Schema (``ansafe-rules schema``)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .inputs import InputIssue
from .periods import DueDate
from .rulesets import (
    NOT_A_BREACH,
    Citation,
    DutyHolder,
    Kind,
    Severity,
)

__all__ = [
    "Binding",
    "Finding",
    "FindingRow",
    "Obligation",
    "ObligationRow",
    "Report",
    "ReportSummary",
    "RulesetStamp",
    "Status",
    "Trace",
    "Window",
    "summarize",
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Status(StrEnum):
    compliant = "compliant"  # 合规
    violation = "violation"  # 违规: late, missing or wrong
    pending = "pending"  # 未到期: not yet due as of as_of
    not_applicable = "not_applicable"  # 不适用
    insufficient_data = "insufficient_data"  # 数据不足: the input lacks a fact the rule needs
    data_error = "data_error"  # 数据错误: inconsistent or unreadable input


class Window(_Out):
    """A counting period (频次周期) or a named calendar window, inclusive of both ends."""

    start: dt.date
    end: dt.date
    partial: bool = Field(description="shorter than a full period (clipped by the policy term)")
    label: str | None = Field(default=None, description="stage id or window name")


class Trace(_Out):
    """Everything needed to audit one finding."""

    rule_id: str
    layer: str
    kind: Kind
    source_file: str
    overridden_by: tuple[str, ...] = ()
    param_sources: dict[str, str] = Field(
        default_factory=dict, description="parameter -> file its value came from"
    )
    params: dict[str, Any] = Field(description="parameters used, after all overrides")
    interpretive: dict[str, str] = Field(description="parameters that are readings, not text")
    as_of: dt.date
    trigger: dt.date | dt.datetime | None = None
    due: DueDate | None = None
    window: Window | None = None
    required_count: int | None = None
    counted: float | None = Field(default=None, description="events counted (or summed weight)")
    records: tuple[str, ...] = Field(default=(), description="ids of the records judged")
    citation: Citation


class Finding(_Out):
    rule_id: str
    obligation: str
    layer: str
    title: str
    severity: Severity
    duty_holder: DutyHolder | None = Field(
        default=None, description="义务主体 — who owes the duty (None only for input errors)"
    )
    liable_party: DutyHolder | None = Field(
        default=None,
        description="who bears liability for it, where that differs from the duty holder "
        "(AQ 9010-2019 5.3 for service duties)",
    )
    status: Status
    subject: str = Field(description="what was judged, e.g. 'service_records/S-01' or 'policy'")
    reason: str = Field(description="the judgement in one sentence")
    message_id: str | None = Field(
        default=None,
        description="the sentence's message id (ansafe_rules.render_message: zh or en)",
    )
    message_args: dict[str, Any] = Field(
        default_factory=dict, description="the message's arguments, JSON values"
    )
    provisional: bool = False
    provisional_reason: str | None = None
    trace: Trace | None = Field(default=None, description="absent only for input errors")


class Obligation(_Out):
    """Something that must be done (or kept), when, and why."""

    rule_id: str
    obligation: str
    layer: str
    kind: Kind
    title: str
    duty_holder: DutyHolder = Field(description="义务主体 — who owes the duty")
    liable_party: DutyHolder | None = Field(
        default=None, description="who bears liability, where it differs from the duty holder"
    )
    subject: str
    requirement: str = Field(description="what must be done, in one sentence")
    message_id: str | None = Field(
        default=None,
        description="the sentence's message id (ansafe_rules.render_message: zh or en)",
    )
    message_args: dict[str, Any] = Field(
        default_factory=dict, description="the message's arguments, JSON values"
    )
    due_date: dt.date | None = None
    due_at: dt.datetime | None = None
    window: Window | None = None
    min_count: int | None = None
    retain_until: dt.date | None = None
    provisional: bool = False
    provisional_reason: str | None = None
    interpretive: dict[str, str] = Field(default_factory=dict)
    citation: Citation


class Binding(_Out):
    """Where several rules (usually of different layers) regulate one obligation: which binds."""

    obligation: str
    subject: str
    rules: tuple[str, ...] = Field(description="the rules regulating it, stack order")
    layers: tuple[str, ...]
    binding_rule_id: str = Field(description="the strictest rule")
    binding_layer: str
    duty_holder: DutyHolder = Field(description="who owes the binding rule's duty")
    liable_party: DutyHolder | None = None
    due_date: dt.date | None = Field(default=None, description="binding due date (deadlines)")
    retain_until: dt.date | None = Field(default=None, description="binding end (retention)")
    annual_rate: float | None = Field(default=None, description="binding events per year")
    conflict: bool = Field(description="the rules' requirements differ")
    note: str = Field(
        description="the comparison, citing every clause, in the report's language (English "
        "unless lang says otherwise)"
    )
    message_id: str | None = Field(
        default=None, description="the note's message id (ansafe_rules.render_message)"
    )
    message_args: dict[str, Any] | None = Field(
        default=None, description="the note's message arguments, JSON values"
    )


class Report(_Out):
    policy_id: str
    jurisdiction: str = Field(description="the ruleset evaluated (top layer)")
    layers: tuple[str, ...]
    as_of: dt.date
    findings: tuple[Finding, ...]
    obligations: tuple[Obligation, ...]
    bindings: tuple[Binding, ...] = ()
    input_issues: tuple[InputIssue, ...] = ()
    notes: tuple[str, ...] = Field(default=(), description="caveats of this evaluation")
    counts: dict[Status, int]

    @property
    def violations(self) -> tuple[Finding, ...]:
        """Breaches of a duty: violations except advisory ones (宜 provisions, 参照执行) and
        assessment items (考核项)."""
        return tuple(
            f
            for f in self.findings
            if f.status is Status.violation and f.severity not in NOT_A_BREACH
        )

    def for_party(self, party: DutyHolder | str) -> Report:
        """This report reduced to one party's duties: findings, obligations and bindings whose
        duty holder or liable party is ``party`` (input errors are kept)."""
        return _for_party(self, DutyHolder(party))


def _for_party(report: Report, party: DutyHolder) -> Report:
    def mine(x: Finding | Obligation | Binding) -> bool:
        return party in (x.duty_holder, x.liable_party)

    findings = tuple(f for f in report.findings if f.duty_holder is None or mine(f))
    counts = {s: 0 for s in Status}
    for f in findings:
        counts[f.status] += 1
    return report.model_copy(
        update={
            "findings": findings,
            "obligations": tuple(o for o in report.obligations if mine(o)),
            "bindings": tuple(b for b in report.bindings if mine(b)),
            "counts": counts,
        }
    )


# ------------------------------------------------------------------------------------------
# compact output: what a report says, without what every finding of a rule repeats
class RulesetStamp(_Out):
    """Which rules produced a report: stated once per report, so it can be audited later."""

    id: str = Field(description="the ruleset evaluated (top layer)")
    layers: tuple[str, ...]
    digest: str = Field(
        description="SHA-256 of the resolved ruleset's content (ResolvedRuleset.digest)"
    )
    engine_version: str = Field(description="ansafe_rules version")


class FindingRow(_Out):
    """A finding without its trace: the rule's clause, the judgement and its dates and counts.
    The full trace is ``--detail full`` (:class:`Finding`)."""

    rule_id: str
    layer: str
    clause: str | None = None
    severity: Severity
    duty_holder: DutyHolder | None = None
    liable_party: DutyHolder | None = None
    status: Status
    subject: str
    reason: str
    message_id: str | None = Field(
        default=None,
        description="the sentence's message id (ansafe_rules.render_message: zh or en)",
    )
    message_args: dict[str, Any] = Field(
        default_factory=dict, description="the message's arguments, JSON values"
    )
    due_date: dt.date | None = None
    due_at: dt.datetime | None = None
    window: Window | None = None
    required_count: int | None = None
    counted: float | None = None
    records: tuple[str, ...] = ()
    provisional: bool = False


class ObligationRow(_Out):
    """An obligation without its quote and readings (``--detail full`` has them)."""

    rule_id: str
    layer: str
    clause: str
    duty_holder: DutyHolder
    liable_party: DutyHolder | None = None
    subject: str
    requirement: str
    message_id: str | None = Field(
        default=None,
        description="the sentence's message id (ansafe_rules.render_message: zh or en)",
    )
    message_args: dict[str, Any] = Field(
        default_factory=dict, description="the message's arguments, JSON values"
    )
    due_date: dt.date | None = None
    due_at: dt.datetime | None = None
    window: Window | None = None
    min_count: int | None = None
    retain_until: dt.date | None = None
    provisional: bool = False


class ReportSummary(_Out):
    """A report in compact form (the CLI's default JSON): findings and obligations as rows, the
    ruleset stamped once."""

    policy_id: str
    jurisdiction: str
    layers: tuple[str, ...]
    as_of: dt.date
    ruleset: RulesetStamp
    findings: tuple[FindingRow, ...] = Field(
        description="the CLI lists only findings needing attention unless --all; `counts` "
        "counts every finding"
    )
    obligations: tuple[ObligationRow, ...] = Field(
        default=(), description="left out of the CLI's summary (see `ansafe-rules obligations`)"
    )
    bindings: tuple[Binding, ...] = ()
    input_issues: tuple[InputIssue, ...] = ()
    notes: tuple[str, ...] = ()
    counts: dict[Status, int]


def summarize(report: Report, stamp: RulesetStamp) -> ReportSummary:
    """The compact form of ``report``."""
    rows = []
    for f in report.findings:
        t = f.trace
        due = t.due if t else None
        rows.append(
            FindingRow(
                rule_id=f.rule_id,
                layer=f.layer,
                clause=t.citation.clause if t else None,
                severity=f.severity,
                duty_holder=f.duty_holder,
                liable_party=f.liable_party,
                status=f.status,
                subject=f.subject,
                reason=f.reason,
                message_id=f.message_id,
                message_args=f.message_args,
                due_date=due.due_date if due else None,
                due_at=due.due_at if due else None,
                window=t.window if t else None,
                required_count=t.required_count if t else None,
                counted=t.counted if t else None,
                records=t.records if t else (),
                provisional=f.provisional,
            )
        )
    obs = [
        ObligationRow(
            **o.model_dump(include=set(ObligationRow.model_fields) - {"clause"}),
            clause=o.citation.clause,
        )
        for o in report.obligations
    ]
    return ReportSummary(
        policy_id=report.policy_id,
        jurisdiction=report.jurisdiction,
        layers=report.layers,
        as_of=report.as_of,
        ruleset=stamp,
        findings=tuple(rows),
        obligations=tuple(obs),
        bindings=report.bindings,
        input_issues=report.input_issues,
        notes=report.notes,
        counts=report.counts,
    )

"""Checklists (e.g. 绍兴's 安责险第三方风控服务机构检查表) evaluated from a report.

A checklist lives in its ruleset's YAML: each row quotes its check point verbatim and names the
rules whose findings answer it, or says why the data cannot. A row's status is the worst status
among those findings, so a row is ``compliant`` only when every finding behind it is.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .evaluate import Report, Status
from .rulesets import NOT_A_BREACH, ResolvedRuleset

__all__ = ["ChecklistReport", "ChecklistRowResult", "checklist"]

# worst first
_RANK = [
    Status.violation,
    Status.data_error,
    Status.insufficient_data,
    Status.pending,
    Status.compliant,
    Status.not_applicable,
]


class ChecklistRowResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    item: str = Field(description="序号")
    quote: str = Field(description="检查要点 (verbatim)")
    status: Status | None = Field(description="None when the data cannot answer the row")
    advisory_only: bool = Field(
        default=False,
        description="every violation behind the row is advisory or an assessment item (not a "
        "breach of a duty)",
    )
    rules: tuple[str, ...]
    findings: dict[Status, int] = Field(description="how many findings of each status")
    reasons: tuple[str, ...] = Field(description="the reasons of the worst findings")
    not_answerable: str | None = None


class ChecklistReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    checklist_id: str
    title: str
    layer: str
    policy_id: str
    as_of: str
    rows: tuple[ChecklistRowResult, ...]


def checklist(
    report: Report, ruleset: ResolvedRuleset, checklist_id: str | None = None
) -> ChecklistReport:
    """Answer a checklist of ``ruleset`` from ``report`` (evaluated with that ruleset)."""
    if not ruleset.checklists:
        raise ValueError(f"ruleset {ruleset.id!r} has no checklist")
    found = [
        c for c in ruleset.checklists if checklist_id is None or c.checklist.id == checklist_id
    ]
    if not found:
        ids = ", ".join(c.checklist.id for c in ruleset.checklists)
        raise ValueError(f"no checklist {checklist_id!r} in {ruleset.id!r}; available: {ids}")
    rc = found[0]
    rows = []
    for row in rc.checklist.rows:
        fs = [f for f in report.findings if f.rule_id in row.rules]
        counts = {s: sum(1 for f in fs if f.status is s) for s in Status}
        counts = {s: n for s, n in counts.items() if n}
        status = next((s for s in _RANK if counts.get(s)), None) if row.rules else None
        if row.rules and status is None:
            status = Status.not_applicable  # the rules were not evaluated (e.g. layer filter)
        worst = [f for f in fs if f.status is status]
        advisory = status is Status.violation and all(f.severity in NOT_A_BREACH for f in worst)
        rows.append(
            ChecklistRowResult(
                item=row.item,
                quote=row.quote,
                status=status,
                advisory_only=advisory,
                rules=row.rules,
                findings=counts,
                reasons=tuple(dict.fromkeys(f"{f.subject}: {f.reason}" for f in worst))[:10],
                not_answerable=row.not_answerable,
            )
        )
    return ChecklistReport(
        checklist_id=rc.checklist.id,
        title=rc.checklist.title,
        layer=rc.layer,
        policy_id=report.policy_id,
        as_of=report.as_of.isoformat(),
        rows=tuple(rows),
    )

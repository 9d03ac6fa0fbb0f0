"""Compare two resolved rulesets (two jurisdictions, or two versions of one), per obligation.

For each obligation key: the rules each side has, the parameters that differ between each side's
strictest rule, and which side is stricter where the kinds make that comparable (deadlines by
length, frequencies by events per year, retention by length, required fields by inclusion).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .bindings import annual_rate
from .model import Per
from .periods import Period, PeriodUnit
from .rulesets import (
    DeadlineParams,
    FrequencyParams,
    PreferredWindowParams,
    ProhibitionParams,
    QualificationParams,
    RequiredFieldsParams,
    ResolvedRule,
    ResolvedRuleset,
    RetentionParams,
)

__all__ = [
    "DiffStatus",
    "ObligationDiff",
    "RuleRef",
    "RulesetDiff",
    "describe_rule",
    "diff",
    "format_diff",
]


class _M(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DiffStatus(StrEnum):
    same = "same"
    different = "different"
    only_a = "only_a"
    only_b = "only_b"


class RuleRef(_M):
    id: str
    layer: str
    clause: str
    title: str
    requirement: str = Field(description="the rule's parameters in one line")


class ParamDifference(_M):
    name: str
    a: Any
    b: Any


class ObligationDiff(_M):
    obligation: str
    title: str = Field(description="中文 label (title of the first rule)")
    summary: str = Field(description="English label")
    status: DiffStatus
    rules_a: tuple[RuleRef, ...]
    rules_b: tuple[RuleRef, ...]
    differences: tuple[ParamDifference, ...] = Field(
        description="parameters that differ between the strictest rule of each side"
    )
    stricter: str | None = Field(
        description="'a', 'b', 'equal', or None when the kinds are not comparable"
    )
    note: str


class RulesetDiff(_M):
    a: str
    b: str
    obligations: tuple[ObligationDiff, ...]

    def changed(self) -> tuple[ObligationDiff, ...]:
        return tuple(o for o in self.obligations if o.status is not DiffStatus.same)


_DAYS = {
    PeriodUnit.same_day: 0.0,
    PeriodUnit.hours: 1 / 24,
    PeriodUnit.days: 1.0,
    PeriodUnit.workdays: 7 / 5,
    PeriodUnit.months: 30.44,
    PeriodUnit.years: 365.25,
}


def _period_days(p: Period) -> float:
    return p.amount * _DAYS[p.unit]


def describe_rule(rr: ResolvedRule) -> str:
    """A rule's requirement in one line (used by the diff and the generated docs)."""
    p = rr.rule.params
    what = p.subject.value + (
        f" where {'; '.join(c.describe() for c in p.where)}" if p.where else ""
    )
    if isinstance(p, DeadlineParams):
        act = p.action or f"first {p.first_event.subject.value}"  # type: ignore[union-attr]
        ext = f", +{p.extension.max_days} days if approved" if p.extension else ""
        return f"{act} within {p.period.label()} of {p.trigger}{ext} ({what})"
    if isinstance(p, RetentionParams):
        return f"keep {p.period.label()} from {p.anchor} ({what})"
    if isinstance(p, FrequencyParams):
        if p.from_contract:
            return f"{p.subject.value}: as often as the contract states"
        unit = f" {p.weight}" if p.weight else ""
        per = "stage" if p.per is Per.stage else p.per.value  # type: ignore[union-attr]
        return f"at least {p.min_count}{unit} per {per} ({what})"
    if isinstance(p, RequiredFieldsParams):
        items = [*p.fields, *(v for c in p.contains for v in c.values)]
        return f"{what}: requires " + ", ".join(items)
    if isinstance(p, QualificationParams):
        parts = [c.describe() for c in p.require]
        parts += [f"at least {rc.min} {rc.label}" for rc in p.require_counts]
        return f"{what}: must " + "; ".join(parts)
    if isinstance(p, ProhibitionParams):
        return f"{what}: must not " + "; ".join(c.describe() for c in p.forbid)
    if isinstance(p, PreferredWindowParams):
        return f"{what}: preferably in " + ", ".join(p.windows)
    return rr.rule.summary


def _strength(rr: ResolvedRule) -> tuple[str, float] | None:
    """(dimension, value) where a larger value is stricter; None when not comparable."""
    p = rr.rule.params
    if isinstance(p, DeadlineParams):
        return ("deadline", -_period_days(p.period))
    if isinstance(p, RetentionParams):
        return ("retention", _period_days(p.period))
    rate = annual_rate(p)
    if rate is not None:
        return ("frequency", rate)
    return None


def _strictest(rules: list[ResolvedRule]) -> ResolvedRule:
    scored = [(s, r) for r in rules if (s := _strength(r)) is not None]
    if scored:
        return max(scored, key=lambda t: t[0][1])[1]
    return rules[0]


def _ref(rr: ResolvedRule) -> RuleRef:
    return RuleRef(
        id=rr.rule.id,
        layer=rr.layer,
        clause=rr.rule.citation.clause,
        title=rr.rule.title,
        requirement=describe_rule(rr),
    )


def _fingerprint(rules: list[ResolvedRule]) -> set[tuple[str, str]]:
    return {(r.rule.id, r.rule.params.model_dump_json()) for r in rules}


def _required_items(rules: list[ResolvedRule]) -> set[str]:
    """Every field or listed value the required_fields rules of one side ask for."""
    out: set[str] = set()
    for r in rules:
        p = r.rule.params
        if isinstance(p, RequiredFieldsParams):
            out |= {*p.fields, *(v for c in p.contains for v in c.values)}
    return out


def _compare(a: list[ResolvedRule], b: list[ResolvedRule]) -> tuple[str | None, str]:
    sa, sb = _strictest(a), _strictest(b)
    ka, kb = _strength(sa), _strength(sb)
    pa, pb = sa.rule.params, sb.rule.params
    if ka and kb and ka[0] == kb[0]:
        if abs(ka[1] - kb[1]) < 1e-9:
            return "equal", "the strictest requirements are equal"
        side = "a" if ka[1] > kb[1] else "b"
        return side, f"{side} is stricter: {describe_rule(sa)} vs {describe_rule(sb)}"
    if isinstance(pa, RequiredFieldsParams) and isinstance(pb, RequiredFieldsParams):
        union_a, union_b = _required_items(a), _required_items(b)
        if union_a == union_b:
            return "equal", "the same items are required"
        if union_a > union_b:
            return "a", "a requires more: " + ", ".join(sorted(union_a - union_b))
        if union_b > union_a:
            return "b", "b requires more: " + ", ".join(sorted(union_b - union_a))
        only_a = ", ".join(sorted(union_a - union_b))
        only_b = ", ".join(sorted(union_b - union_a))
        return None, f"each requires items the other does not: a {only_a}; b {only_b}"
    return None, "not comparable by kind"


def _param_diffs(a: ResolvedRule, b: ResolvedRule) -> tuple[ParamDifference, ...]:
    da = a.rule.params.model_dump(mode="json")
    db = b.rule.params.model_dump(mode="json")
    return tuple(
        ParamDifference(name=k, a=da.get(k), b=db.get(k))
        for k in sorted(set(da) | set(db))
        if da.get(k) != db.get(k)
    )


def diff(a: ResolvedRuleset, b: ResolvedRuleset) -> RulesetDiff:
    """Compare ``a`` and ``b`` obligation by obligation (each with all its layers)."""
    by_a: dict[str, list[ResolvedRule]] = {}
    by_b: dict[str, list[ResolvedRule]] = {}
    for rr in a.rules:
        by_a.setdefault(rr.rule.obligation, []).append(rr)
    for rr in b.rules:
        by_b.setdefault(rr.rule.obligation, []).append(rr)
    out = []
    for key in sorted(set(by_a) | set(by_b)):
        ra, rb = by_a.get(key, []), by_b.get(key, [])
        first = (ra or rb)[0].rule
        if not rb:
            status, stricter, note, diffs = DiffStatus.only_a, "a", f"only {a.id} regulates it", ()
        elif not ra:
            status, stricter, note, diffs = DiffStatus.only_b, "b", f"only {b.id} regulates it", ()
        elif _fingerprint(ra) == _fingerprint(rb):
            status, stricter, note, diffs = DiffStatus.same, "equal", "identical rules", ()
        else:
            status = DiffStatus.different
            stricter, note = _compare(ra, rb)
            diffs = _param_diffs(_strictest(ra), _strictest(rb))
            extra_a = sorted({r.rule.id for r in ra} - {r.rule.id for r in rb})
            extra_b = sorted({r.rule.id for r in rb} - {r.rule.id for r in ra})
            if extra_a:
                note += f"; only in {a.id}: " + ", ".join(extra_a)
            if extra_b:
                note += f"; only in {b.id}: " + ", ".join(extra_b)
        out.append(
            ObligationDiff(
                obligation=key,
                title=first.title,
                summary=first.summary,
                status=status,
                rules_a=tuple(map(_ref, ra)),
                rules_b=tuple(map(_ref, rb)),
                differences=diffs,
                stricter=stricter,
                note=note,
            )
        )
    return RulesetDiff(a=a.id, b=b.id, obligations=tuple(out))


_STATUS_ZH = {
    DiffStatus.same: "相同 same",
    DiffStatus.different: "不同 different",
    DiffStatus.only_a: "仅A only A",
    DiffStatus.only_b: "仅B only B",
}
_STRICT_ZH = {
    "a": "A更严 A stricter",
    "b": "B更严 B stricter",
    "equal": "相当 equal",
    None: "不可比 n/a",
}


def _cell(refs: tuple[RuleRef, ...]) -> str:
    return "<br>".join(f"{r.layer} {r.clause}: {r.requirement}" for r in refs) or "—"


def format_diff(d: RulesetDiff, *, include_same: bool = False) -> str:
    """The diff as a Markdown table with Chinese and English labels."""
    lines = [
        f"# {d.a} (A) vs {d.b} (B)",
        "",
        "| 义务 obligation | 名称 | 状态 status | A | B | 宽严 strictness |",
        "|---|---|---|---|---|---|",
    ]
    for o in d.obligations:
        if o.status is DiffStatus.same and not include_same:
            continue
        cells = [
            f"`{o.obligation}`",
            o.title,
            _STATUS_ZH[o.status],
            _cell(o.rules_a),
            _cell(o.rules_b),
            _STRICT_ZH[o.stricter],
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"

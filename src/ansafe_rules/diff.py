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
from .i18n import Message, bilingual, jsonable, render, text
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
    "rule_message",
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
    message_id: str | None = Field(
        default=None, description="the requirement's message id (render_message: zh or en)"
    )
    message_args: dict[str, Any] = Field(
        default_factory=dict, description="the message's arguments, JSON values"
    )

    def requirement_in(self, lang: str = "en") -> str:
        """The requirement in ``lang``."""
        if lang == "en" or self.message_id is None:
            return self.requirement
        return render(self.message_id, self.message_args, lang)


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
    names: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="layer id -> its short name by language ({'zh': '广东', 'en': 'Guangdong'})",
    )

    def name(self, layer: str, lang: str = "en") -> str:
        """A layer's short name in ``lang`` (its id when unknown; in English, the id)."""
        if lang == "en":
            return layer
        return self.names.get(layer, {}).get(lang, layer)

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


def rule_message(rr: ResolvedRule) -> Message:
    """A rule's requirement as a message (id, arguments), to be rendered in either language."""
    p = rr.rule.params
    # a nested message, or the collection's name (rendered through its label)
    what: Any = (
        ("desc.what_where", {"collection": p.subject.value, "where": p.where})
        if p.where
        else p.subject.value
    )
    if isinstance(p, DeadlineParams):
        action: Any = p.action or (
            "desc.first",
            {"collection": p.first_event.subject.value},  # type: ignore[union-attr]
        )
        ext = ("desc.ext", {"days": p.extension.max_days}) if p.extension else None
        args = {"action": action, "period": p.period, "trigger": p.trigger, "ext": ext}
        return ("desc.deadline", {**args, "what": what})
    if isinstance(p, RetentionParams):
        return ("desc.retention", {"period": p.period, "anchor": p.anchor, "what": what})
    if isinstance(p, FrequencyParams):
        if p.from_contract:
            return ("desc.contract", {"collection": p.subject.value})
        args = {
            "min_count": p.min_count,
            "unit": f" {p.weight}" if p.weight else "",  # the English: the field's name
            "measure": None if p.weight else ("freq.times", {}),
            "weight": p.weight,  # the Chinese: the field's label
            "per": p.per,
        }
        return ("desc.frequency", {**args, "what": what})
    if isinstance(p, RequiredFieldsParams):
        items = [*p.fields, *(v for c in p.contains for v in c.values)]
        return ("desc.required", {"what": what, "items": items})
    if isinstance(p, QualificationParams):
        parts: list[Any] = list(p.require)
        parts += [
            (
                "qual.at_least",
                {"min": rc.min, "label": rc.label, "label_zh": rc.label_zh or rc.label},
            )
            for rc in p.require_counts
        ]
        return ("desc.qualification", {"what": what, "requirements": parts})
    if isinstance(p, ProhibitionParams):
        return ("desc.prohibition", {"what": what, "forbid": p.forbid})
    if isinstance(p, PreferredWindowParams):
        return ("desc.window", {"what": what, "window_ids": list(p.windows)})
    raise TypeError(f"rule {rr.rule.id}: no description for {type(p).__name__}")


def describe_rule(rr: ResolvedRule, lang: str = "en") -> str:
    """A rule's requirement in one line, in ``lang`` (used by the diff, ``rules`` and the
    generated docs); the English reads as the rule syntax does, the Chinese as a sentence."""
    mid, args = rule_message(rr)
    return render(mid, args, lang, root=rr.rule.params.subject.value)


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
    mid, args = rule_message(rr)
    return RuleRef(
        id=rr.rule.id,
        layer=rr.layer,
        clause=rr.rule.citation.clause,
        title=rr.rule.title,
        requirement=describe_rule(rr),
        message_id=mid,
        message_args={**jsonable(args), "subject": rr.rule.params.subject.value},
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
    names = {
        li.id: {"zh": li.display_name("zh"), "en": li.display_name("en")}
        for li in (*a.layers, *b.layers)
    }
    return RulesetDiff(a=a.id, b=b.id, names=names, obligations=tuple(out))


def _cell(d: RulesetDiff, refs: tuple[RuleRef, ...], lang: str) -> str:
    return (
        "<br>".join(
            render(
                "diff.cell",
                {
                    "layer": d.name(r.layer, lang),
                    "clause": r.clause,
                    "requirement": r.requirement_in(lang),
                },
                lang,
            )
            for r in refs
        )
        or "—"
    )


def format_diff(d: RulesetDiff, *, include_same: bool = False, lang: str = "en") -> str:
    """The diff as a Markdown table: labels Chinese first with the English alongside, the
    jurisdictions and requirements in ``lang``."""
    title = render("diff.title", {"a": d.name(d.a, lang), "b": d.name(d.b, lang)}, lang)
    cols = [bilingual("diff.col.obligation"), text("diff.col.title", "zh")]
    cols += [bilingual("diff.col.status"), "A", "B", bilingual("diff.col.strictness")]
    lines = [f"# {title}", "", "| " + " | ".join(cols) + " |", "|---|---|---|---|---|---|"]
    for o in d.obligations:
        if o.status is DiffStatus.same and not include_same:
            continue
        cells = [
            f"`{o.obligation}`",
            o.title,
            bilingual(f"diff.status.{o.status.value}"),
            _cell(d, o.rules_a, lang),
            _cell(d, o.rules_b, lang),
            bilingual(f"diff.stricter.{o.stricter or 'none'}"),
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"

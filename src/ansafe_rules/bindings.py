"""Bindings: where several rules (usually of different layers) regulate one obligation, which
binds — the earliest deadline, the longest retention, the most frequent count.

Each binding also carries its note as a message (``message_id``, ``message_args``, as findings
do), so the check table and JSON say it in Chinese (从严适用：…) or English without re-evaluating;
:attr:`Binding.note` is the English text unless a report in another language renders it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from .conditions import CHINA_TZ, china_time
from .i18n import Memo, normalise_lang, render
from .kinds.frequency import PER_YEAR
from .outputs import Binding, Obligation
from .results import ObligationRef
from .rulesets import (
    FrequencyParams,
    Kind,
    ResolvedRule,
    ResolvedRuleset,
)

__all__ = [
    "MessageBinding",
    "RulesPlan",
    "annual_rate",
    "binding_note",
    "bindings",
    "in_language",
    "plan_of",
]


class MessageBinding(Binding):
    """A :class:`Binding` as :func:`bindings` makes it: its note is a message, rendered in
    either language by :meth:`note_in`."""

    def note_in(self, lang: str = "en") -> str:
        """The note in ``lang`` (``"zh"`` or ``"en"``)."""
        return render(self.message_id or "", self.message_args or {}, lang)


def binding_note(b: Binding, lang: str = "en") -> str:
    """A binding's note in ``lang``: through its message when it has one, else as it is."""
    if b.message_id is not None:
        return render(b.message_id, b.message_args or {}, lang)
    return b.note


def in_language(b: Binding, lang: str) -> Binding:
    """``b`` with its note in ``lang`` (itself when the note is already in it)."""
    if lang == "en" or b.message_id is None:
        return b
    return b.model_copy(update={"note": binding_note(b, lang)})


def annual_rate(params: Any) -> float | None:
    """Events per year a frequency rule requires (None when not comparable)."""
    if not isinstance(params, FrequencyParams) or params.from_contract or params.per is None:
        return None
    if params.per in PER_YEAR:
        return float(params.min_count or 0) * PER_YEAR[params.per]
    return None


def _last_instant(v: dt.date | dt.datetime) -> dt.datetime:
    """When a due date or time runs out: a timestamp in China time, a day at its end (24:00)."""
    if isinstance(v, dt.datetime):
        return china_time(v)
    return dt.datetime(v.year, v.month, v.day, tzinfo=CHINA_TZ) + dt.timedelta(days=1)


def _cite(rs: ResolvedRuleset, rules: dict[str, ResolvedRule], rule_id: str) -> dict[str, Any]:
    """A rule as a binding names it: ``guangdong 6.4.2 (rule id)``, in Chinese 广东 6.4.2 (a
    message in its JSON form, as :func:`ansafe_rules.i18n.jsonable` would make it)."""
    rr = rules[rule_id]
    try:
        name = rs.layer(rr.layer).display_name("zh")
    except KeyError:
        name = rr.layer
    args = {"layer": rr.layer, "layer_name": name, "clause": rr.rule.citation.clause}
    return {"id": "binding.cite", "args": {**args, "rule_id": rule_id}}


def _msg(msg_id: str, **args: Any) -> dict[str, Any]:
    """A nested message in its JSON form."""
    return {"id": msg_id, "args": args}


class RulesPlan:
    """What :func:`bindings` and a lean evaluation read of a ruleset's rules alone, worked
    out once per ruleset (:attr:`ResolvedRuleset.rules_plan`) instead of once per policy:
    each rule's position and the rule by id, the rules whose obligations a binding compares,
    and the counted duties with an annual rate, grouped by obligation."""

    __slots__ = ("by_id", "compared", "order", "rated", "rates", "rules")

    def __init__(self, rules: tuple[ResolvedRule, ...]) -> None:
        self.rules = rules  # which rules this plan is of (see plan_of)
        self.order = {r.rule.id: i for i, r in enumerate(rules)}
        self.by_id = {r.rule.id: r for r in rules}
        dated: dict[str, set[str]] = {}
        rated: dict[str, list[ResolvedRule]] = {}
        self.rates: dict[str, float] = {}
        for rr in rules:
            rate = annual_rate(rr.rule.params)
            if rr.rule.kind in (Kind.deadline, Kind.retention):
                dated.setdefault(rr.rule.obligation, set()).add(rr.rule.id)
            elif rate is not None:
                rated.setdefault(rr.rule.obligation, []).append(rr)
            if rate is not None:
                self.rates[rr.rule.id] = rate
        self.rated = sorted(rated.items())
        groups = (*dated.values(), *({r.rule.id for r in rrs} for rrs in rated.values()))
        self.compared = frozenset(r for ids in groups if len(ids) > 1 for r in ids)


def plan_of(rs: ResolvedRuleset) -> RulesPlan:
    """``rs``'s :class:`RulesPlan`, made once per ruleset (a copy with other rules makes its
    own, see :meth:`ResolvedRuleset.model_copy`). The plan names the rules it is of: one of
    other rules, however the ruleset came by it, is not used."""
    got: RulesPlan = rs.rules_plan
    return got if got.rules is rs.rules else RulesPlan(rs.rules)


def compared_rules(rs: ResolvedRuleset) -> frozenset[str]:
    """The rules whose obligations :func:`bindings` reads: deadlines and retentions sharing
    their obligation key with another of them, and counted duties with an annual rate sharing
    theirs (a lean evaluation builds the obligations of these rules only)."""
    return plan_of(rs).compared


def bindings(
    rs: ResolvedRuleset,
    obligations: Sequence[Obligation] | Sequence[ObligationRef],
    keys: Collection[tuple[str, str]] | None = None,
    lang: str = "en",
) -> tuple[Binding, ...]:
    """For each obligation key regulated by several rules: the strictest, with a note in
    ``lang`` (what :func:`in_language` would make of the English one). With ``keys``, only the
    bindings of those (obligation, subject) pairs."""
    lang = normalise_lang(lang)  # "zh-CN", "zh_CN" -> "zh"
    plan = plan_of(rs)
    order, by_id = plan.order, plan.by_id
    cites: dict[str, dict[str, Any]] = {}  # one JSON message per rule, shared by the notes

    def cite(rule_id: str) -> dict[str, Any]:
        got = cites.get(rule_id)
        if got is None:
            got = cites[rule_id] = _cite(rs, by_id, rule_id)
        return got

    memo: Memo = {}  # the notes' renderings of the citations they share
    out: list[Binding] = []
    groups: dict[tuple[str, str], list[Obligation]] = {}
    for o in obligations:
        if o.kind in (Kind.deadline, Kind.retention):
            pair = (o.obligation, o.subject)
            if keys is None or pair in keys:
                groups.setdefault(pair, []).append(o)
    for (key, subject), obs in sorted(groups.items()):
        if len({o.rule_id for o in obs}) < 2:
            continue
        obs = sorted(obs, key=lambda o: order[o.rule_id])
        is_deadline = obs[0].kind is Kind.deadline
        # each obligation's value (the due day or instant, or the day kept until), read once
        vals = [(o.due_at or o.due_date) if is_deadline else o.retain_until for o in obs]
        if is_deadline:
            # an hour deadline and a day deadline compare by their last instant
            ranks = [_last_instant(v) for v in vals]
            i = min(range(len(obs)), key=lambda i: (ranks[i], order[obs[i].rule_id]))
            what = "binding.due"
            values = set(ranks)
        else:
            i = max(range(len(obs)), key=lambda i: (vals[i], -order[obs[i].rule_id]))
            what = "binding.keep"
            values = set(vals)
        best = obs[i]
        # the note's arguments built in their JSON form (dates as str(), as jsonable writes
        # them), so that they are the binding's message_args as they are
        parts = [
            _msg(what, rule=cite(o.rule_id), value=str(v)) for o, v in zip(obs, vals, strict=True)
        ]
        conflict = len(values) > 1
        verdict = (
            _msg("binding.strictest", rule=cite(best.rule_id))
            if conflict
            else _msg("binding.agree")
        )
        args = {
            "obligation": key,
            "title": by_id[best.rule_id].rule.title,
            "subject": subject,
            "parts": parts,
            "verdict": verdict,
        }
        out.append(
            MessageBinding(
                obligation=key,
                subject=subject,
                rules=tuple(o.rule_id for o in obs),
                layers=tuple(dict.fromkeys(o.layer for o in obs)),
                binding_rule_id=best.rule_id,
                binding_layer=best.layer,
                duty_holder=best.duty_holder,
                liable_party=best.liable_party,
                due_date=best.due_date if is_deadline else None,
                retain_until=None if is_deadline else best.retain_until,
                conflict=conflict,
                note=render("binding.note", args, lang, memo=memo),
                message_id="binding.note",
                message_args=args,
            )
        )
    if not plan.rated:
        return tuple(out)
    applied = {o.rule_id for o in obligations}
    for key, rrs in plan.rated:
        if keys is not None and (key, "policy") not in keys:
            continue
        rrs = [r for r in rrs if r.rule.id in applied]
        if len(rrs) < 2:
            continue
        rates = {r.rule.id: plan.rates[r.rule.id] for r in rrs}
        best_rr = max(rrs, key=lambda r: (rates[r.rule.id], -order[r.rule.id]))
        conflict = len(set(rates.values())) > 1
        rate_parts = [
            _msg(
                "binding.rate",
                rule=cite(r.rule.id),
                min_count=r.rule.params.min_count,  # type: ignore[union-attr]
                per=r.rule.params.per.value,  # type: ignore[union-attr]
            )
            for r in rrs
        ]
        rate_verdict = (
            _msg("binding.most_frequent", rule=cite(best_rr.rule.id))
            if conflict
            else _msg("binding.agree")
        )
        fargs = {
            "obligation": key,
            "title": best_rr.rule.title,
            "parts": rate_parts,
            "verdict": rate_verdict,
        }
        out.append(
            MessageBinding(
                obligation=key,
                subject="policy",
                rules=tuple(r.rule.id for r in rrs),
                layers=tuple(dict.fromkeys(r.layer for r in rrs)),
                binding_rule_id=best_rr.rule.id,
                binding_layer=best_rr.layer,
                duty_holder=best_rr.rule.duty_holder,
                liable_party=next(
                    (o.liable_party for o in obligations if o.rule_id == best_rr.rule.id), None
                ),
                annual_rate=rates[best_rr.rule.id],
                conflict=conflict,
                note=render("binding.note_policy", fargs, lang, memo=memo),
                message_id="binding.note_policy",
                message_args=fargs,
            )
        )
    return tuple(out)

"""Bindings: where several rules (usually of different layers) regulate one obligation, which
binds — the earliest deadline, the longest retention, the most frequent count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from .conditions import CHINA_TZ, china_time
from .kinds.frequency import PER_YEAR
from .outputs import Binding, Obligation
from .results import ObligationRef
from .rulesets import (
    FrequencyParams,
    Kind,
    ResolvedRule,
    ResolvedRuleset,
)

__all__ = ["annual_rate", "bindings"]


def annual_rate(params: Any) -> float | None:
    """Events per year a frequency rule requires (None when not comparable)."""
    if not isinstance(params, FrequencyParams) or params.from_contract or params.per is None:
        return None
    if params.per in PER_YEAR:
        return float(params.min_count or 0) * PER_YEAR[params.per]
    return None


def _cite(rules: dict[str, ResolvedRule], rule_id: str) -> str:
    rr = rules[rule_id]
    return f"{rr.layer} {rr.rule.citation.clause} ({rule_id})"


def bindings(
    rs: ResolvedRuleset,
    obligations: Sequence[Obligation] | Sequence[ObligationRef],
    keys: Collection[tuple[str, str]] | None = None,
) -> tuple[Binding, ...]:
    """For each obligation key regulated by several rules: the strictest, with a note. With
    ``keys``, only the bindings of those (obligation, subject) pairs."""
    order = {r.rule.id: i for i, r in enumerate(rs.rules)}
    by_id = {r.rule.id: r for r in rs.rules}
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

        def value(o: Obligation, is_deadline: bool = is_deadline) -> Any:
            return (o.due_at or o.due_date) if is_deadline else o.retain_until

        def rank(o: Obligation) -> Any:
            v = value(o)
            # an hour deadline and a day deadline compare by their last instant
            if isinstance(v, dt.datetime):
                return china_time(v)
            return dt.datetime(v.year, v.month, v.day, tzinfo=CHINA_TZ) + dt.timedelta(days=1)

        if is_deadline:
            best = min(obs, key=lambda o: (rank(o), order[o.rule_id]))
            what = "due"
        else:
            best = max(obs, key=lambda o: (value(o), -order[o.rule_id]))
            what = "keep until"
        values = {rank(o) if is_deadline else value(o) for o in obs}
        parts = [f"{_cite(by_id, o.rule_id)}: {what} {value(o)}" for o in obs]
        conflict = len(values) > 1
        verdict = (
            f"the strictest, {_cite(by_id, best.rule_id)}, binds" if conflict else "they agree"
        )
        out.append(
            Binding(
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
                note=f"{key} for {subject}: " + "; ".join(parts) + f" — {verdict}.",
            )
        )
    freq: dict[str, list[ResolvedRule]] = {}
    for rr in rs.rules:
        if annual_rate(rr.rule.params) is not None:
            freq.setdefault(rr.rule.obligation, []).append(rr)
    applied = {o.rule_id for o in obligations}
    for key, rrs in sorted(freq.items()):
        if keys is not None and (key, "policy") not in keys:
            continue
        rrs = [r for r in rrs if r.rule.id in applied]
        if len(rrs) < 2:
            continue
        rates = {r.rule.id: annual_rate(r.rule.params) or 0.0 for r in rrs}
        best_rr = max(rrs, key=lambda r: (rates[r.rule.id], -order[r.rule.id]))
        conflict = len(set(rates.values())) > 1
        parts = [
            f"{_cite(by_id, r.rule.id)}: at least {r.rule.params.min_count} per "  # type: ignore[union-attr]
            f"{r.rule.params.per.value}"  # type: ignore[union-attr]
            for r in rrs
        ]
        verdict = (
            f"the most frequent, {_cite(by_id, best_rr.rule.id)}, binds"
            if conflict
            else "they agree"
        )
        out.append(
            Binding(
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
                note=f"{key}: " + "; ".join(parts) + f" — {verdict}.",
            )
        )
    return tuple(out)

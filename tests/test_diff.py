"""The jurisdiction diff: per obligation, differing parameters, one-sided rules, strictness."""

from __future__ import annotations

import ansafe_rules as ar
from ansafe_rules.diff import DiffStatus, ObligationDiff

NATIONAL = ar.load_ruleset("national")
GD = ar.load_ruleset("guangdong")
XZ = ar.load_ruleset("xinzhou")


def _ob(d: ar.RulesetDiff, key: str) -> ObligationDiff:
    (o,) = [o for o in d.obligations if o.obligation == key]
    return o


def test_guangdong_vs_national() -> None:
    d = ar.diff(NATIONAL, GD)
    cb = _ob(d, "service.callback")
    assert cb.status is DiffStatus.different
    assert cb.stricter == "equal"  # the stack's strictest callback is national's in both
    assert "only in guangdong: guangdong.service.callback" in cb.note
    training = _ob(d, "service.training_frequency")
    assert training.status is DiffStatus.only_b and training.stricter == "b"
    assert [r.id for r in training.rules_b] == ["guangdong.service.training"]


def test_local_layers_compared_alone() -> None:
    gd_only = ar.load_ruleset("guangdong").model_copy(
        update={"rules": tuple(r for r in GD.rules if r.layer == "guangdong")}
    )
    nat = NATIONAL
    d = ar.diff(nat, gd_only)
    cb = _ob(d, "service.callback")
    assert cb.stricter == "a"  # 5 working days (national) vs 10 (Guangdong)
    assert {p.name for p in cb.differences} == {"period"}
    reply = _ob(d, "complaint.reply_after_verification")
    assert reply.stricter == "a"


def test_two_versions_of_one_ruleset() -> None:
    v2 = NATIONAL.with_overrides(
        {"national.service.annual_risk_service": {"min_count": 2}}, source="v2"
    )
    d = ar.diff(NATIONAL, v2)
    changed = d.changed()
    assert [o.obligation for o in changed] == ["service.annual_risk_service"]
    assert changed[0].stricter == "b"
    assert changed[0].differences[0].model_dump() == {"name": "min_count", "a": 1, "b": 2}


def test_required_fields_compared_by_inclusion() -> None:
    d = ar.diff(NATIONAL, GD)
    assert _ob(d, "evaluation.report_contents").stricter == "b"  # Guangdong adds service_effect


def test_table_and_json() -> None:
    d = ar.diff(GD, XZ)
    table = ar.format_diff(d)
    assert table.startswith("# guangdong (A) vs xinzhou (B)")
    assert "| 义务 obligation | 名称 | 状态 status | A | B | 宽严 strictness |" in table
    assert "`incident.report` | 出险后24小时内报案 | 仅B only B" in table
    assert "相同 same" not in table
    assert "相同 same" in ar.format_diff(d, include_same=True)
    assert ar.RulesetDiff.model_validate_json(d.model_dump_json()) == d

"""Layering: both layers apply, bindings say which binds, one layer alone, deeper stacks,
in-force periods."""

from __future__ import annotations

import datetime as dt

import pytest

import ansafe_rules as ar

from .conftest import FIXTURES, case, findings

D = dt.date
S = ar.Status
GD = ar.load_ruleset("guangdong")


def _callback_case(callback: str) -> dict:
    return case(
        policy={"jurisdiction": "guangdong"},
        service_records=[
            {"id": "S1", "kind": "training", "completed_on": "2025-09-26", "callback_on": callback}
        ],
    )


def test_both_layers_report_and_the_stricter_binds() -> None:
    # Fri 2025-09-26: 5 workdays -> 10-10 (national), 10 workdays -> 10-16 (Guangdong 6.3)
    rep = ar.evaluate(GD, _callback_case("2025-10-13"), as_of=D(2026, 7, 31))
    got = {f.layer: f.status for f in rep.findings if f.obligation == "service.callback"}
    assert got == {"national": S.violation, "guangdong": S.compliant}
    (b,) = [b for b in rep.bindings if b.obligation == "service.callback"]
    assert b.binding_rule_id == "national.service.callback"
    assert b.due_date == D(2025, 10, 10)
    assert b.conflict
    assert b.rules == ("national.service.callback", "guangdong.service.callback")
    assert "national 6.3 (national.service.callback): due 2025-10-10" in b.note
    assert "guangdong 6.3 (guangdong.service.callback): due 2025-10-16" in b.note


def test_frequency_binding_by_events_per_year() -> None:
    # 广东 4.3 applies to 大中型 insureds (insured_size), not to 规模以上 ones
    pol = {"jurisdiction": "guangdong", "insured_size": "large"}
    rep = ar.evaluate(GD, case(policy=pol), as_of=D(2026, 7, 31))
    (b,) = [b for b in rep.bindings if b.obligation == "service.annual_risk_service"]
    assert not b.conflict and "they agree" in b.note
    sx = ar.load_ruleset("shaoxing")
    rep = ar.evaluate(sx, case(policy={"jurisdiction": "shaoxing"}), as_of=D(2026, 7, 31))
    assert not [b for b in rep.bindings if b.obligation == "service.training_frequency"]


def test_retention_binding_takes_the_longest() -> None:
    xz = ar.load_ruleset("xinzhou")
    data = case(
        policy={"jurisdiction": "xinzhou", "project_completion_on": "2030-03-01"},
        archives=[{"id": "AR", "closed_on": "2026-07-10"}],
    )
    rep = ar.evaluate(xz, data, as_of=D(2026, 7, 31))
    (b,) = [b for b in rep.bindings if b.obligation == "archive.retention"]
    # national and xinzhou: 5 years from closing (2031-07-10); xinzhou: 2 years after completion
    # (2032-03-01) -> the latter binds
    assert b.retain_until == D(2032, 3, 1)
    assert b.binding_rule_id == "xinzhou.archive.retention_after_completion"


def test_one_layer_alone() -> None:
    rep = ar.evaluate(GD, _callback_case("2025-10-13"), as_of=D(2026, 7, 31), layer="guangdong")
    assert {f.layer for f in rep.findings} == {"guangdong"}
    assert rep.layers == ("guangdong",)
    assert not [b for b in rep.bindings if b.obligation == "service.callback"]


def test_three_layer_stack_with_override_and_provenance() -> None:
    city = ar.load_ruleset(FIXTURES / "layers" / "atlantis_city.yaml")
    assert [li.id for li in city.layers] == ["national", "atlantis_province", "atlantis_city"]
    rr = city.rule("atlantis_province.service.callback")
    assert rr.layer == "atlantis_province"
    assert rr.rule.params.period.amount == 6
    assert rr.overridden_by[0].endswith("atlantis_city.yaml")
    data = case(
        policy={
            "jurisdiction": "atlantis_city",
            "issued_on": "2026-02-01",
            "term_start": "2026-02-01",
            "term_end": "2027-01-31",
        },
        service_records=[
            # Thu 2026-02-12 + 6 workdays: 13, Sat 14, 24, 25, 26, 27
            {
                "id": "S1",
                "kind": "training",
                "completed_on": "2026-02-12",
                "callback_on": "2026-02-27",
            }
        ],
    )
    rep = ar.evaluate(city, data, as_of=D(2026, 7, 31))
    by_layer = {f.layer: f for f in rep.findings if f.obligation == "service.callback"}
    assert by_layer["atlantis_province"].trace.due.due_date == D(2026, 2, 27)
    assert by_layer["atlantis_province"].status is S.compliant
    assert by_layer["national"].status is S.violation  # national: 5 workdays -> 02-26


def test_in_force_period_limits_a_layer() -> None:
    city = ar.load_ruleset(FIXTURES / "layers" / "atlantis_city.yaml")
    early = case(
        policy={"jurisdiction": "atlantis_city", "issued_on": "2025-06-20"},
        archives=[{"id": "AR", "closed_on": "2026-07-10"}],
    )
    rep = ar.evaluate(city, early, as_of=D(2026, 7, 31))
    (f,) = findings(rep, "atlantis_city.archive.retention")
    assert f.status is S.not_applicable
    assert "before atlantis_city took effect on 2026-01-01" in f.reason
    late = case(
        policy={
            "jurisdiction": "atlantis_city",
            "issued_on": "2027-01-02",
            "term_start": "2027-01-02",
            "term_end": "2027-12-31",
        }
    )
    rep = ar.evaluate(city, late, as_of=D(2026, 7, 31))
    (f,) = findings(rep, "atlantis_city.archive.retention")
    assert "after atlantis_city's trial period ended 2026-12-31" in f.reason


def test_xinzhou_without_in_force_date_is_noted() -> None:
    xz = ar.load_ruleset("xinzhou")
    rep = ar.evaluate(xz, case(policy={"jurisdiction": "xinzhou"}), as_of=D(2026, 7, 31))
    assert len(rep.notes) == 1 and rep.notes[0].startswith("xinzhou: in force from issuance")
    dated = ar.load_ruleset("xinzhou", in_force={"xinzhou": D(2025, 1, 1)})
    assert dated.layer("xinzhou").effective.expires == D(2025, 12, 31)
    rep = ar.evaluate(
        dated,
        case(policy={"jurisdiction": "xinzhou", "issued_on": "2025-06-30"}),
        as_of=D(2026, 7, 31),
    )
    assert not rep.notes
    rep = ar.evaluate(
        dated,
        case(
            policy={
                "jurisdiction": "xinzhou",
                "issued_on": "2026-06-30",
                "term_start": "2026-07-01",
                "term_end": "2027-06-30",
            }
        ),
        as_of=D(2026, 7, 31),
    )
    assert {f.status for f in rep.findings if f.layer == "xinzhou"} == {S.not_applicable}
    with pytest.raises(ar.RulesetError, match="no layer 'mars'"):
        xz.with_effective("mars", D(2025, 1, 1))

"""Who owes each duty (义务主体) and who bears its liability (AQ 9010-2019 5.3); filtering a
report to one party; China time for timestamps with and without an offset."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import ansafe_rules as ar
from ansafe_rules.cli import main
from ansafe_rules.rulesets import DUTY_HOLDER_ZH

from .conftest import FIXTURES, case, findings, only

D = dt.date
S = ar.Status
H = ar.DutyHolder
NATIONAL = ar.load_ruleset("national")
LEMURIA = ar.load_ruleset(FIXTURES / "features" / "lemuria.yaml")
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize("name", ar.jurisdictions())
def test_every_rule_finding_obligation_and_binding_names_its_duty_holder(name) -> None:
    rs = ar.load_ruleset(name)
    assert all(isinstance(rr.rule.duty_holder, H) for rr in rs.rules)
    assert set(DUTY_HOLDER_ZH) == set(H)
    rep = ar.evaluate(rs, ar.load_case_file(_example_path(name)), as_of=D(2026, 7, 31))
    assert all(f.duty_holder is not None for f in rep.findings if f.rule_id != "input.validation")
    assert all(o.duty_holder is not None for o in rep.obligations)
    by_rule = {rr.rule.id: rr.rule.duty_holder for rr in rs.rules}
    for f in rep.findings:
        if f.rule_id in by_rule:
            assert f.duty_holder is by_rule[f.rule_id]
    for b in rep.bindings:
        assert b.duty_holder is by_rule[b.binding_rule_id]


def _example(name: str) -> str:
    return {
        "national": "national-construction.yaml",
        "guangdong": "guangdong-housing.yaml",
        "xinzhou": "xinzhou-municipal.yaml",
        "shaoxing": "shaoxing-school.yaml",
        "xuancheng": "xuancheng-hospital.yaml",
    }[name]


def _example_path(name: str) -> Path:
    return Path(__file__).parents[1] / "examples" / _example(name)


# ---- 5.3: liability for the service duties -------------------------------------------------
SERVICE = [
    {"id": "S1", "kind": "training", "completed_on": "2025-09-26", "callback_on": "2025-10-11"}
]


@pytest.mark.parametrize(
    "organised,fees,liable",
    [
        (None, None, None),  # the insurer owes and bears it
        ("insurer", "insurer", None),
        ("broker", "broker", H.broker),  # 保险经纪公司…统一组织…统一管理使用服务费用
        ("third_party", "third_party", H.third_party),
        ("broker", "insurer", None),  # organising alone does not shift liability
        ("insurer", "broker", None),  # nor does managing the fees alone
        ("broker", "third_party", None),
    ],
)
def test_service_liability_follows_who_organises_and_manages_fees(organised, fees, liable) -> None:
    pol = {"service_organised_by": organised, "service_fees_managed_by": fees}
    rep = ar.evaluate(NATIONAL, case(policy=pol, service_records=SERVICE), as_of=D(2026, 7, 31))
    cb = only(rep, "national.service.callback")
    assert cb.duty_holder is H.insurer and cb.liable_party is liable
    # a duty that is not a service duty (7.4 retention of the archive) never shifts
    rep = ar.evaluate(
        NATIONAL,
        case(policy=pol, archives=[{"id": "A", "closed_on": "2026-06-30"}]),
        as_of=D(2026, 7, 31),
    )
    assert only(rep, "national.archive.retention").liable_party is None


def test_a_third_partys_service_duty_is_borne_by_the_insurer_unless_it_runs_the_service() -> None:
    pol = {
        "jurisdiction": "lemuria",
        "issued_on": "2026-01-05",
        "term_start": "2026-01-05",
        "term_end": "2027-01-04",
        "coinsurance_pool_member": True,
    }
    svc = [
        {"id": "B", "kind": "training", "completed_on": "2026-01-05", "uploaded_on": "2026-01-07"}
    ]
    rep = ar.evaluate(LEMURIA, case(policy=pol, service_records=svc), as_of=D(2026, 7, 31))
    up = only(rep, "lemuria.service.upload")
    assert up.duty_holder is H.third_party and up.liable_party is H.insurer
    pol = {**pol, "service_organised_by": "third_party", "service_fees_managed_by": "third_party"}
    rep = ar.evaluate(LEMURIA, case(policy=pol, service_records=svc), as_of=D(2026, 7, 31))
    assert only(rep, "lemuria.service.upload").liable_party is None


# ---- one party's duties --------------------------------------------------------------------
def test_report_for_one_party() -> None:
    pol = {"service_organised_by": "broker", "service_fees_managed_by": "broker"}
    data = case(policy=pol, service_records=[*SERVICE, {"id": "BAD", "kind": "nope"}])
    full = ar.evaluate(NATIONAL, data, as_of=D(2026, 7, 31))
    broker = ar.evaluate(NATIONAL, data, as_of=D(2026, 7, 31), duty_holder="broker")
    assert broker.findings and all(
        f.liable_party is H.broker or f.rule_id == "input.validation" for f in broker.findings
    )
    assert any(f.rule_id == "input.validation" for f in broker.findings)  # input errors kept
    assert sum(broker.counts.values()) == len(broker.findings)
    assert broker == full.for_party(H.broker)
    assert all(o.liable_party is H.broker for o in broker.obligations)
    insurer = full.for_party("insurer")
    assert {f.rule_id for f in insurer.findings} == {f.rule_id for f in full.findings}
    assert not full.for_party("contractor").obligations


def test_cli_duty_holder_filter(tmp_path: Path, capsys) -> None:
    xz = Path(__file__).parents[1] / "examples" / "xinzhou-municipal.yaml"
    code = main(
        [
            "check",
            str(xz),
            "--as-of",
            "2026-07-31",
            "--duty-holder",
            "contractor",
            "--format",
            "json",
        ]
    )
    (result,) = json.loads(capsys.readouterr().out)
    holders = {f["duty_holder"] for f in result["report"]["findings"]}
    assert holders == {"contractor"}
    assert code == 1  # the contractor's major hazard was rectified late (八(八))
    main(["check", str(xz), "--as-of", "2026-07-31", "--duty-holder", "contractor"])
    out = capsys.readouterr().out
    assert "contractor" in out and "xinzhou.hazard.major_rectified" in out
    assert "xinzhou.quote_letter.fields" not in out


# ---- timestamps with and without an offset -----------------------------------------------------
XZ = ar.load_ruleset("xinzhou")


@pytest.mark.parametrize(
    "reported,status",
    [
        ("2025-10-01T09:59:59Z", S.compliant),  # 17:59:59 China time
        ("2025-10-01T10:00:00+00:00", S.compliant),  # 18:00:00: the last instant
        ("2025-10-01T10:00:01Z", S.violation),
        ("2025-10-01T18:00:01", S.violation),  # naive: China time
        ("2025-10-01T19:00:00+09:00", S.compliant),  # 18:00 China time
    ],
)
def test_mixed_offsets_never_crash_and_compare_in_china_time(reported, status) -> None:
    data = case(
        policy={"jurisdiction": "xinzhou"},
        incidents=[{"id": "I1", "occurred_at": "2025-09-30T18:00:00", "reported_at": reported}],
    )
    rep = ar.evaluate(XZ, data, as_of=D(2026, 7, 31))
    f = only(rep, "xinzhou.incident.report")
    assert f.status is status
    assert f.trace.due.due_at == dt.datetime(2025, 10, 1, 18, 0, tzinfo=CST)
    assert f.trace.due.due_at.utcoffset() == dt.timedelta(hours=8)


def test_an_offset_trigger_is_converted_to_china_time() -> None:
    # 23:30 UTC on 09-29 is 07:30 on 09-30 in China
    data = case(
        policy={"jurisdiction": "xinzhou"},
        incidents=[
            {
                "id": "I1",
                "occurred_at": "2025-09-29T23:30:00Z",
                "reported_at": "2025-10-01T07:00:00",
            }
        ],
    )
    f = only(ar.evaluate(XZ, data, as_of=D(2026, 7, 31)), "xinzhou.incident.report")
    assert f.trace.due.due_at == dt.datetime(2025, 10, 1, 7, 30, tzinfo=CST)
    assert f.status is S.compliant
    assert json.loads(f.model_dump_json())["trace"]["due"]["due_at"] == "2025-10-01T07:30:00+08:00"


# ---- messages name only what is missing ----------------------------------------------------------
def test_missing_names_only_absent_fields() -> None:
    svc = [{"id": "S1", "kind": "training", "confirmed_with_insured_on": "2025-09-01"}]
    rep = ar.evaluate(NATIONAL, case(service_records=svc), as_of=D(2026, 7, 31))
    f = only(rep, "national.service.prior_confirmation")
    assert f.status is S.insufficient_data
    assert f.reason == "cannot judge: missing started_on"


def test_every_finding_of_a_filtered_report_is_in_the_full_one() -> None:
    rep = ar.evaluate(NATIONAL, case(service_records=SERVICE), as_of=D(2026, 7, 31))
    for party in H:
        part = rep.for_party(party)
        assert all(f in rep.findings for f in part.findings)
        assert len(findings(part, "national.service.callback")) in (0, 1)

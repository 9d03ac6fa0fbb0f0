"""The shipped examples evaluate, and each shows exactly the lapses its header announces."""

from __future__ import annotations

import datetime as dt

import pytest

import ansafe_rules as ar

from .conftest import ROOT

AS_OF = dt.date(2026, 7, 31)  # the date the README's command uses

EXPECTED = {
    "national-construction.yaml": {
        "national.contract.service_frequency",
        "national.contract.no_extra_fee",
        "national.hazard.major_notice",
        "national.service.callback",
        "national.complaint.reply_after_verification",
        "national.complaint.reply_contents",
        "national.archive.contents",
        "national.evaluation.reported",
    },
    "guangdong-housing.yaml": {
        "national.service.callback",
        "guangdong.service.callback",
        "national.service.record_compilation",
        "guangdong.service.record_compilation",
        "guangdong.service.dissatisfaction_reason",
        "guangdong.hazard.notice_in_writing",
        "guangdong.hazard.escalate_major_unrectified",
        "national.complaint.reply_after_verification",
        "guangdong.hazard.inspection_windows",
        "guangdong.evaluation.reported",
        "guangdong.evaluation.report_contents",
    },
    "xinzhou-municipal.yaml": {
        "xinzhou.registration.service_team",
        "xinzhou.quote_letter.fields",
        "xinzhou.third_party.staffing",
        "xinzhou.visit.staffing",
        "xinzhou.service.upload",
        "xinzhou.hazard.major_rectified",
        "xinzhou.incident.report",
    },
    "shaoxing-school.yaml": {
        "shaoxing.inspection.quarterly_full",
        "shaoxing.stages.each_inspected",
        "shaoxing.hazard.level1_report_authority",
        "shaoxing.risk_sources.level12_checked",
        "shaoxing.reports.monthly",
        "shaoxing.reports.timely",
        "shaoxing.checklist.no_complaints",
    },
    "xuancheng-hospital.yaml": {
        "national.contract.service_frequency",
        "xuancheng.training.quarterly_comprehensive",
        "xuancheng.training.citywide_quarterly",
        "xuancheng.training.tailored_high_risk",
        "xuancheng.staff.online_learning",
        "xuancheng.staff.expert_pool",
        "xuancheng.hazard.notice",
        "xuancheng.archive.images",
    },
}


def test_every_example_is_covered() -> None:
    assert sorted(p.name for p in (ROOT / "examples").glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_shows_its_announced_lapses(name: str) -> None:
    parsed = ar.load_case_file(ROOT / "examples" / name)
    assert not parsed.issues
    rs = ar.load_ruleset(parsed.case.policy.jurisdiction)
    rep = ar.evaluate(rs, parsed, as_of=AS_OF)
    violated = {f.rule_id for f in rep.findings if f.status is ar.Status.violation}
    assert violated == EXPECTED[name]
    assert not [f for f in rep.findings if f.status is ar.Status.data_error]

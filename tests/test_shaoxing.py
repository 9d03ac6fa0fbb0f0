"""Shaoxing (绍兴) on top of the national layer, and its annexed checklist."""

from __future__ import annotations

import datetime as dt

import pytest

import ansafe_rules as ar

from .conftest import findings, only, run_case

D = dt.date
S = ar.Status
SX = ar.load_ruleset("shaoxing")


def run(as_of: dt.date | None = None, **parts) -> ar.Report:
    return run_case(SX, as_of or D(2026, 7, 31), **parts)


@pytest.mark.parametrize(
    ("first", "status"),
    [("2025-10-16", S.compliant), ("2025-10-17", S.violation), (None, S.violation)],
)
def test_first_inspection_within_10_workdays(first, status):
    # issued Fri 2025-09-26: Sun 28, 29, 30, 10-09, 10, Sat 11, 13, 14, 15, 16
    recs = [{"id": "S0", "kind": "hazard_inspection", "completed_on": "2025-09-20"}]
    if first:
        recs.append({"id": "S1", "kind": "risk_assessment", "completed_on": first})
    rep = run(
        policy={"issued_on": "2025-09-26", "term_start": "2025-09-27", "term_end": "2026-09-26"},
        service_records=recs,
    )
    f = only(rep, "shaoxing.inspection.first")
    assert (f.trace.due.due_date, f.status) == (D(2025, 10, 16), status)
    # the inspection before the contract (S0) never answers it
    assert f.trace.records == (("S1",) if first else ())


def test_quarterly_full_coverage_by_calendar_quarter():
    rep = run(
        as_of=D(2026, 4, 1),
        policy={"term_start": "2025-08-15", "term_end": "2026-03-31"},
        service_records=[
            {
                "id": "A",
                "kind": "hazard_inspection",
                "full_coverage": True,
                "completed_on": "2025-09-30",
            },
            {
                "id": "B",
                "kind": "hazard_inspection",
                "full_coverage": False,
                "completed_on": "2025-11-03",
            },
            {
                "id": "C",
                "kind": "hazard_inspection",
                "full_coverage": True,
                "completed_on": "2026-02-14",
            },
        ],
    )
    got = [
        (f.trace.window.start, f.trace.window.end, f.trace.window.partial, f.status)
        for f in findings(rep, "shaoxing.inspection.quarterly_full")
    ]
    assert got == [
        (D(2025, 8, 15), D(2025, 9, 30), True, S.compliant),
        (D(2025, 10, 1), D(2025, 12, 31), False, S.violation),
        (D(2026, 1, 1), D(2026, 3, 31), False, S.compliant),
    ]


STAGES = [
    {
        "id": "ST1",
        "kind": "project",
        "name": "基础阶段",
        "start": "2025-07-01",
        "end": "2025-12-31",
    },
    {
        "id": "ST2",
        "kind": "project",
        "name": "主体阶段",
        "start": "2026-01-01",
        "end": "2026-06-30",
    },
    {
        "id": "HW1",
        "kind": "hazardous_work",
        "name": "深基坑-准备阶段",
        "phase": "preparation",
        "start": "2025-07-01",
        "end": "2025-07-31",
    },
    {
        "id": "HW2",
        "kind": "hazardous_work",
        "name": "深基坑-施工阶段",
        "phase": "construction",
        "start": "2025-08-01",
        "end": "2025-10-31",
    },
]


def test_each_stage_and_each_hazardous_work_stage():
    rep = run(
        stages=STAGES,
        service_records=[
            {
                "id": "S1",
                "kind": "hazard_inspection",
                "completed_on": "2025-07-20",
                "stage_id": "HW1",
            },
            # in HW2's dates but linked to no hazardous work: counts for ST1, not for HW2
            {"id": "S2", "kind": "hazard_inspection", "completed_on": "2025-08-20"},
        ],
    )
    stage = {
        f.trace.window.label: f.status for f in findings(rep, "shaoxing.stages.each_inspected")
    }
    assert stage == {"ST1": S.compliant, "ST2": S.violation}
    hw = {
        f.trace.window.label: f.status for f in findings(rep, "shaoxing.hazardous_works.targeted")
    }
    assert hw == {"HW1": S.compliant, "HW2": S.violation}
    none = run(service_records=[])
    assert only(none, "shaoxing.stages.each_inspected").status is S.insufficient_data


def test_hazard_handling_by_grade():
    rep = run(
        hazards=[
            # grade 1 found Fri 2026-02-13: stop-work the same day; insurer the next day (late)
            {
                "id": "H1",
                "level": 1,
                "found_on": "2026-02-13",
                "stop_work_opinion_on": "2026-02-13",
                "reported_to_insurer_on": "2026-02-14",
                "reported_to_authority_on": "2026-02-13",
            },
            {
                "id": "H2",
                "level": 2,
                "serious": True,
                "found_on": "2026-03-02",
                "rectification_opinion_on": "2026-03-02",
                "reported_to_insurer_on": "2026-03-02",
            },
            {
                "id": "H3",
                "level": 3,
                "found_on": "2026-03-02",
                "rectification_opinion_on": "2026-03-02",
                "opinion_delivered_on": "2026-03-03",
                "supervisor_closed_on": "2026-03-10",
                "closure_submitted_on": "2026-03-11",
            },
        ]
    )
    assert only(rep, "shaoxing.hazard.level1_stop_work").status is S.compliant
    insurer = only(rep, "shaoxing.hazard.level1_report_insurer")
    assert insurer.status is S.violation and insurer.trace.due.due_date == D(2026, 2, 13)
    assert only(rep, "shaoxing.hazard.level1_report_authority").status is S.compliant
    serious = only(rep, "shaoxing.hazard.level2_serious_report")
    assert serious.reason == "missing reported_to_authority_on"
    assert only(rep, "shaoxing.hazard.level34_closure").status is S.compliant
    opinions = {f.subject: f.status for f in findings(rep, "shaoxing.hazard.level34_opinion")}
    assert opinions == {"hazards/H3": S.compliant}


def test_periodic_reports():
    rep = run(
        as_of=D(2025, 10, 31),
        policy={"term_start": "2025-07-01", "term_end": "2026-06-30"},
        periodic_reports=[
            # September ends Tue 09-30; 10 workdays -> 10-21 (10-09, 10, Sat 11, 13..17, 20, 21)
            {
                "id": "M9",
                "period": "month",
                "period_end": "2025-09-30",
                "issued_on": "2025-10-22",
                "submitted_to_insurer_on": "2025-10-22",
            },
            {
                "id": "M7",
                "period": "month",
                "period_end": "2025-07-31",
                "issued_on": "2025-08-05",
                "submitted_to_insurer_on": "2025-08-05",
                "submitted_to_authority_on": "2025-08-05",
            },
        ],
    )
    months = {
        f.trace.window.start.month: f.status for f in findings(rep, "shaoxing.reports.monthly")
    }
    assert months[7] is S.compliant and months[8] is S.violation and months[9] is S.compliant
    assert months[10] is S.pending
    timely = {f.subject: f for f in findings(rep, "shaoxing.reports.timely")}
    assert timely["periodic_reports/M9"].trace.due.due_date == D(2025, 10, 21)
    assert timely["periodic_reports/M9"].status is S.violation
    submitted = {f.subject: f.status for f in findings(rep, "shaoxing.reports.submitted")}
    assert submitted == {"periodic_reports/M7": S.compliant, "periodic_reports/M9": S.violation}


def test_paper_archive_five_years_after_completion_and_destruction_approval():
    rep = run(
        as_of=D(2031, 6, 1),
        policy={"project_completion_on": "2026-05-20"},
        archives=[
            {
                "id": "P",
                "medium": "paper",
                "closed_on": "2026-06-30",
                "destroyed_on": "2031-05-20",
                "destruction_register": {"insurer_approved_on": "2031-05-10"},
            },
        ],
    )
    f = only(rep, "shaoxing.archive.paper_retention")
    assert f.status is S.violation and f.trace.due.due_date == D(2031, 5, 20)
    assert only(rep, "shaoxing.archive.destruction_approval").status is S.compliant


def test_risk_grade_and_dedicated_scheme():
    rep = run(
        policy={"risk_grade": "high"}, scheme={"scheme_id": "F", "dedicated_for_risk_grade": False}
    )
    assert only(rep, "shaoxing.risk.project_grade").status is S.compliant
    assert only(rep, "shaoxing.risk.dedicated_scheme").status is S.violation
    low = run(policy={"risk_grade": "low"})
    assert only(low, "shaoxing.risk.dedicated_scheme").status is S.not_applicable


def test_checklist_report():
    rep = run(
        policy={"risk_grade": "medium"},
        scheme={"scheme_id": "F", "dedicated_for_risk_grade": True},
        complaints=[
            {
                "id": "C1",
                "received_on": "2026-03-02",
                "needs_verification": False,
                "replied_on": "2026-03-03",
            }
        ],
        organisations=[
            {
                "id": "TP",
                "role": "third_party",
                "staff": [
                    {"id": "D", "role": "technical_director"},
                    {"id": "L", "role": "project_lead"},
                ],
            }
        ],
    )
    cl = ar.checklist(rep, SX)
    assert cl.checklist_id == "third_party_checklist" and cl.layer == "shaoxing"
    assert len(cl.rows) == 27
    rows = {r.quote: r for r in cl.rows}
    assert rows["是否按规定配备专职技术负责人和项目负责人。"].status is S.compliant
    assert rows["是否针对高度、中度风险服务项目制定专门服务方案。"].status is S.compliant
    complaint_row = rows["服务期间是否出现投诉情形。"]
    assert complaint_row.status is S.violation and complaint_row.advisory_only
    unanswerable = [r for r in cl.rows if r.status is None]
    assert len(unanswerable) == 6  # items 1, 4 (two), 7 (two), 8
    assert all(r.not_answerable for r in unanswerable)
    with pytest.raises(ValueError, match="has no checklist"):
        ar.checklist(rep, ar.load_ruleset("national"))

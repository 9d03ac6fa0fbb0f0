"""Xuancheng (宣城) on top of the national layer: hand-computed cases."""

from __future__ import annotations

import datetime as dt

import ansafe_rules as ar

from .conftest import case, findings, only, run_case

D = dt.date
S = ar.Status
XC = ar.load_ruleset("xuancheng")


def run(as_of: dt.date | None = None, **parts) -> ar.Report:
    return run_case(XC, as_of or D(2026, 7, 31), **parts)


def test_written_hazard_notice_across_may_day():
    rep = run(
        hazards=[
            # found Thu 2026-04-30; 05-01..05-05 off: the next working day is Wed 05-06
            {
                "id": "H1",
                "grade": "general",
                "found_on": "2026-04-30",
                "insured_informed_on": "2026-05-06",
                "notice_in_writing": True,
            },
            {
                "id": "H2",
                "grade": "general",
                "found_on": "2026-04-30",
                "insured_informed_on": "2026-05-07",
                "notice_in_writing": True,
            },
        ]
    )
    got = {f.subject: f for f in findings(rep, "xuancheng.hazard.notice")}
    assert got["hazards/H1"].trace.due.due_date == D(2026, 5, 6)
    assert got["hazards/H1"].status is S.compliant
    assert got["hazards/H2"].status is S.violation


def test_quarterly_comprehensive_training():
    rep = run(
        service_records=[
            {"id": "T1", "kind": "training", "completed_on": "2025-09-28"},  # make-up Sunday
            {"id": "T2", "kind": "training", "completed_on": "2026-01-04"},  # make-up Sunday
            {"id": "T3", "kind": "training", "completed_on": "2026-05-09"},  # make-up Saturday
        ]
    )
    got = [
        (f.trace.window.start, f.status)
        for f in findings(rep, "xuancheng.training.quarterly_comprehensive")
    ]
    assert got == [
        (D(2025, 7, 1), S.compliant),
        (D(2025, 10, 1), S.violation),
        (D(2026, 1, 1), S.compliant),
        (D(2026, 4, 1), S.compliant),
    ]


def test_online_learning_counts_the_whole_calendar_year():
    insured = {
        "id": "INSD",
        "role": "insured",
        "staff": [
            {
                "id": "PM1",
                "role": "manager",
                "online_learning": [
                    {"date": "2025-03-01", "hours": 20},  # before the term, same calendar year
                    {"date": "2025-09-01", "hours": 10.5},
                    {"date": "2026-02-01", "hours": 12},
                ],
            },
        ],
    }
    rep = ar.evaluate(
        XC, case(policy={"jurisdiction": "xuancheng"}, organisations=[insured]), as_of=D(2027, 1, 1)
    )
    got = {
        f.trace.window.start.year: (f.status, f.trace.counted)
        for f in findings(rep, "xuancheng.staff.online_learning")
    }
    assert got == {2025: (S.compliant, 30.5), 2026: (S.violation, 12.0)}
    (f2026,) = [
        f
        for f in findings(rep, "xuancheng.staff.online_learning")
        if f.trace.window.start.year == 2026
    ]
    assert f2026.trace.window == ar.Window(start=D(2026, 1, 1), end=D(2026, 12, 31), partial=False)
    assert "12 of at least 30 hours" in f2026.reason


def test_smart_site_only_for_special_and_first_grade():
    top = run(policy={"project_grade": "first", "smart_site_platform": False})
    assert only(top, "xuancheng.site.smart_platform").status is S.violation
    small = run(policy={"project_grade": "second", "smart_site_platform": False})
    assert only(small, "xuancheng.site.smart_platform").status is S.not_applicable


def test_expert_pool_lec_themed_activities_and_images():
    rep = run(
        organisations=[
            {
                "id": "TP",
                "role": "third_party",
                "staff": [
                    {"id": "E1", "role": "technical", "in_city_expert_pool": True},
                    {"id": "E2", "role": "technical", "in_city_expert_pool": False},
                ],
            }
        ],
        service_records=[
            {"id": "R1", "kind": "risk_assessment", "method": "LEC", "completed_on": "2025-08-01"},
            {"id": "A1", "kind": "themed_activity", "completed_on": "2025-06-10"},
            {"id": "A2", "kind": "themed_activity", "completed_on": "2026-06-10"},
        ],
        archives=[
            {"id": "AR", "closed_on": "2026-07-10", "documents": [{"kind": "insurance_contract"}]}
        ],
    )
    pool = {f.subject: f.status for f in findings(rep, "xuancheng.staff.expert_pool")}
    assert pool == {"staff/TP/E1": S.compliant, "staff/TP/E2": S.violation}
    assert only(rep, "xuancheng.risk.annual_lec").status is S.compliant
    themed = only(rep, "xuancheng.activities.themed")  # A1 is before the term
    assert themed.status is S.violation and themed.trace.counted == 1
    assert only(rep, "xuancheng.archive.images").reason == "missing documents: images"


def test_tailored_training_for_high_risk_projects():
    rep = run(
        policy={"risk_grade": "high"},
        service_records=[
            {"id": "T1", "kind": "training", "tailored": True, "completed_on": "2025-08-01"},
            {"id": "T2", "kind": "training", "tailored": True, "completed_on": "2026-05-09"},
        ],
    )
    assert only(rep, "xuancheng.training.tailored_high_risk").status is S.compliant
    low = run(policy={"risk_grade": "low"})
    assert only(low, "xuancheng.training.tailored_high_risk").status is S.not_applicable

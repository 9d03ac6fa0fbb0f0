"""Xinzhou (忻州) on top of the national layer: hand-computed cases."""

from __future__ import annotations

import datetime as dt

import pytest

import ansafe_rules as ar

from .conftest import findings, only, run_case

CST = dt.timezone(dt.timedelta(hours=8))  # China time: naive timestamps are read in it

D = dt.date
S = ar.Status
XZ = ar.load_ruleset("xinzhou")


def run(as_of: dt.date | None = None, **parts) -> ar.Report:
    return run_case(XZ, as_of or D(2026, 7, 31), **parts)


@pytest.mark.parametrize(
    ("reported", "status"),
    [
        ("2025-10-01T17:59:59", S.compliant),
        ("2025-10-01T18:00:00", S.compliant),
        ("2025-10-01T18:00:01", S.violation),
    ],
)
def test_incident_reported_within_24_hours_not_rolled_over_national_day(reported, status):
    rep = run(
        incidents=[{"id": "I1", "occurred_at": "2025-09-30T18:00:00", "reported_at": reported}]
    )
    f = only(rep, "xinzhou.incident.report")
    assert f.status is status
    assert f.trace.due.due_at == dt.datetime(
        2025, 10, 1, 18, 0, tzinfo=CST
    )  # a holiday: not rolled


@pytest.mark.parametrize(
    ("issued", "due"),
    [
        ("2025-08-31", D(2025, 9, 30)),  # corresponding day missing -> month end, a Tuesday
        ("2026-01-31", D(2026, 2, 28)),  # Feb 28 2026 is a make-up Saturday: a workday
        ("2025-12-31", D(2026, 2, 2)),  # 2026-01-31 is a Saturday -> Mon 02-02 (art. 203)
        ("2025-09-01", D(2025, 10, 9)),  # 10-01 falls in National Day -> 10-09
    ],
)
def test_service_team_registered_within_one_month(issued, due):
    rep = run(
        policy={
            "issued_on": issued,
            "term_start": issued,
            "service_team_registered_on": due.isoformat(),
        }
    )
    f = only(rep, "xinzhou.registration.service_team")
    assert (f.trace.due.due_date, f.status) == (due, S.compliant)


def test_before_permit_and_premium():
    rep = run(
        policy={
            "issued_on": "2025-03-02",
            "construction_permit_on": "2025-03-01",
            "premium_installments": 2,
            "split_policy": False,
            "premium_paid_on": "2025-02-24",
        }
    )
    f = only(rep, "xinzhou.policy.before_permit")
    assert f.status is S.violation and "issued_on le construction_permit_on" in f.reason
    assert only(rep, "xinzhou.premium.single_payment").status is S.violation
    assert only(rep, "xinzhou.premium.no_split_policy").status is S.compliant
    # Mon 02-24 + 5 workdays -> Mon 03-03
    paid = only(rep, "xinzhou.policy.issued_after_payment")
    assert (paid.trace.due.due_date, paid.status) == (D(2025, 3, 3), S.compliant)
    ok = run(policy={"issued_on": "2025-03-01", "construction_permit_on": "2025-03-01"})
    assert only(ok, "xinzhou.policy.before_permit").status is S.compliant


def _tp(staff, **kw):
    return {"id": "TP", "role": "third_party", "staff": staff, **kw}


def _person(i, years, cert=True, senior=False):
    return {
        "id": f"P{i}",
        "role": "technical",
        "years_experience": years,
        "senior_title": senior,
        "certificates": ["registered_safety_engineer"] if cert else [],
    }


def test_third_party_staffing_thresholds():
    enough = [
        _person(0, 16, senior=True),
        _person(1, 11),
        _person(2, 10),
        _person(3, 6, cert=False),
        _person(4, 5, cert=False),
    ]
    rep = run(organisations=[_tp(enough)])
    assert only(rep, "xinzhou.third_party.staffing").status is S.compliant
    short = [_person(0, 14, senior=True), _person(1, 11), _person(2, 9), _person(3, 6, cert=False)]
    f = only(run(organisations=[_tp(short)]), "xinzhou.third_party.staffing")
    assert f.status is S.violation
    assert f.reason == (
        "fails 0 senior-titled certificate holders with 15+ years (at least 1); "
        "2 certificate holders with 10+ years (at least 3); 4 professionals with 5+ years "
        "(at least 5)"
    )


@pytest.mark.parametrize(
    ("org", "status"),
    [
        ({"supervision_grade": "B"}, S.compliant),
        ({"supervision_grade": "C", "risk_service_years": 2}, S.compliant),
        ({"supervision_grade": "C", "risk_service_years": 1}, S.violation),
        ({"supervision_grade": "C"}, S.insufficient_data),  # experience unknown
    ],
)
def test_third_party_grade_or_experience(org, status):
    rep = run(organisations=[_tp([], **org)])
    assert only(rep, "xinzhou.third_party.grade_or_experience").status is status


def test_third_party_prohibitions_and_insurer():
    rep = run(
        organisations=[
            _tp([], conflict_of_interest=True, subcontracted=False, bad_record_last_3_years=False),
            {
                "id": "INS",
                "role": "insurer",
                "business_licence": True,
                "insurance_licence": True,
                "on_dishonesty_list": False,
                "staff": [{"id": "L", "role": "project_lead", "years_experience": 4}],
            },
        ]
    )
    assert only(rep, "xinzhou.third_party.no_conflict").status is S.violation
    assert only(rep, "xinzhou.third_party.no_subcontracting").status is S.compliant
    assert only(rep, "xinzhou.insurer.insurance_licence").status is S.compliant
    assert only(rep, "xinzhou.insurer.credit").status is S.compliant
    assert only(rep, "xinzhou.insurer.project_lead_experience").status is S.violation


def test_visit_staffing_and_upload():
    rep = run(
        service_records=[
            # Tue 2025-09-30: the next working day is Thu 10-09
            {
                "id": "S1",
                "kind": "hazard_inspection",
                "completed_on": "2025-09-30",
                "uploaded_on": "2025-10-09",
                "project_lead_present": True,
                "technical_staff_count": 1,
            },
            {
                "id": "S2",
                "kind": "hazard_inspection",
                "completed_on": "2025-09-30",
                "uploaded_on": "2025-10-10",
                "project_lead_present": False,
                "technical_staff_count": 2,
            },
        ]
    )
    up = {f.subject: f for f in findings(rep, "xinzhou.service.upload")}
    assert up["service_records/S1"].status is S.compliant
    assert up["service_records/S1"].trace.due.due_date == D(2025, 10, 9)
    assert up["service_records/S2"].status is S.violation
    staffing = {f.subject: f.status for f in findings(rep, "xinzhou.visit.staffing")}
    assert staffing == {"service_records/S1": S.compliant, "service_records/S2": S.violation}


def test_hazard_rectification_immediately_and_in_time():
    rep = run(
        hazards=[
            {
                "id": "M1",
                "grade": "major",
                "found_on": "2026-02-13",
                "rectified_on": "2026-02-13",
                "rectification_uploaded_on": "2026-02-14",
            },
            {"id": "M2", "grade": "major", "found_on": "2026-02-13", "rectified_on": "2026-02-14"},
            {
                "id": "G1",
                "grade": "general",
                "found_on": "2026-03-02",
                "rectification_due_on": "2026-03-10",
                "rectified_on": "2026-03-05",
                "rectification_uploaded_on": "2026-03-05",
            },
            {
                "id": "G2",
                "grade": "general",
                "found_on": "2026-03-02",
                "rectification_due_on": "2026-03-10",
                "rectified_on": "2026-03-11",
            },
        ]
    )
    major = {f.subject: f.status for f in findings(rep, "xinzhou.hazard.major_rectified")}
    assert major == {"hazards/M1": S.compliant, "hazards/M2": S.violation}
    upload = {
        f.subject: f.status for f in findings(rep, "xinzhou.hazard.major_rectification_upload")
    }
    assert upload["hazards/M1"] is S.violation  # uploaded the next day, not 立即
    general = {f.subject: f.status for f in findings(rep, "xinzhou.hazard.general_rectified")}
    assert general == {"hazards/G1": S.compliant, "hazards/G2": S.violation}
    gup = {
        f.subject: f.status for f in findings(rep, "xinzhou.hazard.general_rectification_upload")
    }
    assert gup == {"hazards/G1": S.compliant, "hazards/G2": S.violation}


def test_archive_retention_five_years_and_two_after_completion():
    rep = run(
        as_of=D(2031, 8, 1),
        policy={"project_completion_on": "2030-05-01"},
        archives=[{"id": "AR", "closed_on": "2026-07-10", "destroyed_on": "2031-07-20"}],
    )
    five = only(rep, "xinzhou.archive.retention")
    two = only(rep, "xinzhou.archive.retention_after_completion")
    assert five.status is S.compliant  # after 2031-07-10
    assert two.status is S.violation  # before 2032-05-01
    assert two.trace.due.due_date == D(2032, 5, 1)


def test_quote_letter_and_policy_fields():
    rep = run(
        quote_letter={
            "project_name": "某项目",
            "project_address": "某路",
            "project_category": "房建",
            "works_contract_period": "24个月",
            "works_contract_amount": "1",
            "insurance_plan": "一",
            "premium_rate": "0.1",
            "coverage_limit": "1",
            "prevention_scheme": "FA",
        }
    )
    f = only(rep, "xinzhou.quote_letter.fields")
    assert f.status is S.violation and f.reason == "missing prevention_fee_ratio"
    assert only(rep, "xinzhou.policy.fields").status is S.violation
    assert only(rep, "xinzhou.third_party.engaged").status is S.violation

"""Guangdong (广东 共保体 guideline) on top of the national layer: hand-computed cases."""

from __future__ import annotations

import datetime as dt

import pytest

import ansafe_rules as ar

from .conftest import findings, only, run_case

D = dt.date
S = ar.Status
GD = ar.load_ruleset("guangdong")


def run(as_of: dt.date | None = None, **parts) -> ar.Report:
    policy = {"term_start": "2025-07-01", "term_end": "2026-12-31", **parts.pop("policy", {})}
    return run_case(GD, as_of or D(2026, 12, 31), policy=policy, **parts)


@pytest.mark.parametrize(
    ("callback", "status"),
    [("2025-10-16", S.compliant), ("2025-10-17", S.violation)],
)
def test_callback_10_workdays_across_national_day(callback, status) -> None:
    # Fri 2025-09-26: Sun 28, 29, 30, 10-09, 10, Sat 11, 13, 14, 15, 16
    rep = run(
        service_records=[
            {"id": "S1", "kind": "training", "completed_on": "2025-09-26", "callback_on": callback}
        ]
    )
    f = only(rep, "guangdong.service.callback")
    assert (f.status, f.trace.due.due_date) == (status, D(2025, 10, 16))
    assert f.trace.citation.clause == "6.3"


def test_record_compiled_within_20_workdays_across_spring_festival() -> None:
    # Fri 2026-02-06: 9-13 (5), Sat 14 (6), 24-27 (10), Sat 28 (11), 3-2..6 (16), 9-12 (20)
    rep = run(
        service_records=[
            {
                "id": "S1",
                "kind": "training",
                "completed_on": "2026-02-06",
                "record_compiled_on": "2026-03-13",
            }
        ]
    )
    f = only(rep, "guangdong.service.record_compilation")
    assert f.trace.due.due_date == D(2026, 3, 12)
    assert f.status is S.violation and "1 working day(s) late" in f.reason


@pytest.mark.parametrize(
    ("extension", "replied", "due", "status"),
    [
        # Mon 2026-01-05 + 30 workdays -> Sat 2026-02-14 (make-up workday)
        ({}, "2026-02-14", D(2026, 2, 14), S.compliant),
        ({}, "2026-02-24", D(2026, 2, 14), S.violation),
        # approved 10 days: 02-14 + 10 = 02-24 (Tue, a workday)
        (
            {"extension_days": 10, "extension_approved_on": "2026-02-10"},
            "2026-02-24",
            D(2026, 2, 24),
            S.compliant,
        ),
        # unapproved: not counted
        ({"extension_days": 10}, "2026-02-24", D(2026, 2, 14), S.violation),
        # 40 asked, 30 allowed: 02-14 + 30 = 03-16 (Mon)
        (
            {"extension_days": 40, "extension_approved_on": "2026-02-10"},
            "2026-03-16",
            D(2026, 3, 16),
            S.compliant,
        ),
    ],
)
def test_complaint_30_workdays_and_extension(extension, replied, due, status) -> None:
    rep = run(
        complaints=[
            {
                "id": "C1",
                "received_on": "2026-01-05",
                "needs_verification": True,
                "replied_on": replied,
                **extension,
            }
        ]
    )
    f = only(rep, "guangdong.complaint.reply_after_verification")
    assert (f.trace.due.due_date, f.status) == (due, status), f.reason


def test_extension_limits_and_reason() -> None:
    rep = run(
        complaints=[
            {
                "id": "C1",
                "received_on": "2026-01-05",
                "needs_verification": True,
                "extension_days": 40,
                "extension_approved_on": "2026-02-10",
            }
        ]
    )
    f = only(rep, "guangdong.complaint.extension")
    assert f.status is S.violation
    assert "extension_days le 30" in f.reason
    assert "extension_reason_told_on" in f.reason


def test_preferred_inspection_windows_are_advisory() -> None:
    rep = run(
        service_records=[
            {"id": "A", "kind": "hazard_inspection", "completed_on": "2026-02-26"},  # 节后复工
            {"id": "B", "kind": "hazard_inspection", "completed_on": "2026-04-15"},  # none
            {"id": "C", "kind": "hazard_inspection", "completed_on": "2026-06-10"},  # 安全生产月
            {"id": "E", "kind": "hazard_inspection", "completed_on": "2026-11-03"},  # special
        ],
        special_periods=[
            {"id": "SP1", "name": "进博会", "start": "2026-11-01", "end": "2026-11-10"}
        ],
    )
    got = {f.subject: f for f in findings(rep, "guangdong.hazard.inspection_windows")}
    assert got["service_records/A"].status is S.compliant
    assert "节后复工 2026-02-24..2026-03-10" in got["service_records/A"].reason
    assert got["service_records/B"].status is S.violation
    assert got["service_records/B"].severity.value == "advisory"
    assert got["service_records/C"].trace.window.label == "安全生产月"
    assert got["service_records/E"].status is S.compliant
    assert got["service_records/B"] not in rep.violations
    windows = [o for o in rep.obligations if o.rule_id == "guangdong.hazard.inspection_windows"]
    labels = {(o.window.label, o.window.start) for o in windows}
    assert ("节后复工", D(2026, 2, 24)) in labels and ("台风季", D(2025, 7, 1)) in labels
    assert ("特别防护期", D(2026, 11, 1)) in labels


def test_resumption_window_in_an_unofficial_year_is_provisional() -> None:
    rep = run(
        policy={"term_start": "2026-07-01", "term_end": "2027-06-30"},
        service_records=[{"id": "A", "kind": "hazard_inspection", "completed_on": "2027-02-20"}],
    )
    (ob,) = [
        o
        for o in rep.obligations
        if o.rule_id == "guangdong.hazard.inspection_windows" and o.window.label == "节后复工"
    ]
    assert ob.provisional and "2027" in ob.provisional_reason


def test_hazard_notice_written_and_escalation() -> None:
    rep = run(
        hazards=[
            # found Thu 2026-02-12; next workday Fri 02-13
            {
                "id": "H1",
                "grade": "general",
                "found_on": "2026-02-12",
                "insured_informed_on": "2026-02-13",
                "notice_in_writing": False,
            },
            # major, rectification due Fri 02-13, never rectified; 1 workday -> Sat 02-14 (make-up)
            {
                "id": "H2",
                "grade": "major",
                "found_on": "2026-02-10",
                "insured_informed_on": "2026-02-10",
                "rectification_due_on": "2026-02-13",
                "reported_to_authority_on": "2026-02-24",
            },
            # refused on 2026-03-02 (Mon), reported the next day
            {
                "id": "H3",
                "grade": "general",
                "found_on": "2026-02-27",
                "rectification_refused_on": "2026-03-02",
                "reported_to_authority_on": "2026-03-03",
            },
        ]
    )
    notice = {f.subject: f.status for f in findings(rep, "guangdong.hazard.notice")}
    assert notice["hazards/H1"] is S.compliant
    assert only(rep, "guangdong.hazard.escalate_refusal").status is S.compliant
    esc = only(rep, "guangdong.hazard.escalate_major_unrectified")
    assert (esc.status, esc.trace.due.due_date) == (S.violation, D(2026, 2, 14))
    writing = {f.subject: f.status for f in findings(rep, "guangdong.hazard.notice_in_writing")}
    assert writing["hazards/H1"] is S.violation


def test_destruction_register_cover_and_appraisal() -> None:
    rep = run(
        as_of=D(2032, 1, 1),
        archives=[
            {
                "id": "AR1",
                "medium": "electronic",
                "closed_on": "2026-12-31",
                "destroyed_on": "2032-01-01",
                "destruction_register": {
                    "compiled_on": "2031-12-20",
                    "file_number": "JZ-9",
                    "item_count": 12,
                    "reason": "保存期满",
                    "approver": "李四",
                    "appraised_by_provider_head": True,
                },
            }
        ],
    )
    reg = only(rep, "guangdong.archive.destruction_register")
    assert reg.status is S.violation
    assert reg.reason == (
        "missing destruction_register.appraisal_lead; "
        "destruction_register.destroyer; destruction_register.signed_on"
    )
    appr = only(rep, "guangdong.archive.destruction_appraisal")
    # the insured's head's appraisal is not recorded: unknown, never guessed
    assert appr.status is S.insufficient_data
    assert "destruction_register.appraised_by_insured_head" in appr.reason
    assert only(rep, "guangdong.archive.retention").status is S.compliant  # after 2031-12-31
    refused = run(
        as_of=D(2032, 1, 1),
        archives=[
            {
                "id": "AR1",
                "closed_on": "2026-12-31",
                "destroyed_on": "2032-01-01",
                "destruction_register": {
                    "compiled_on": "2031-12-20",
                    "appraised_by_provider_head": True,
                    "appraised_by_insured_head": False,
                },
            }
        ],
    )
    f = only(refused, "guangdong.archive.destruction_appraisal")
    assert f.status is S.violation
    assert f.reason == "fails destruction_register.appraised_by_insured_head eq True"


def test_policy_per_project_and_term_to_completion() -> None:
    rep = run(policy={"per_project": True, "project_completion_on": "2027-03-01"})
    assert only(rep, "guangdong.policy.per_project").status is S.compliant
    f = only(rep, "guangdong.policy.term_to_completion")
    assert f.status is S.violation and "term_end ge project_completion_on" in f.reason


def test_training_twice_a_year_and_dissatisfaction_reason() -> None:
    rep = run(
        policy={"term_end": "2026-06-30"},
        service_records=[
            {
                "id": "T1",
                "kind": "training",
                "completed_on": "2025-08-01",
                "callback_on": "2025-08-04",
                "satisfaction": "dissatisfied",
            },
        ],
    )
    assert only(rep, "guangdong.service.training").status is S.violation
    f = only(rep, "guangdong.service.dissatisfaction_reason")
    assert f.status is S.violation and f.reason == "missing dissatisfaction_reason"

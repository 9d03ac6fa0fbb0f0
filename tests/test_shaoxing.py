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
    # an assessment item (考核项): the row shows it, but it is no breach of a duty
    assert complaint_row.status is S.violation
    (mark,) = findings(rep, "shaoxing.checklist.no_complaints")
    assert mark.severity is ar.Severity.assessment and mark not in rep.violations
    unanswerable = [r for r in cl.rows if r.status is None]
    assert len(unanswerable) == 6  # items 1, 4 (two), 7 (two), 8
    assert all(r.not_answerable for r in unanswerable)
    with pytest.raises(ValueError, match="has no checklist"):
        ar.checklist(rep, ar.load_ruleset("national"))


# ------------------------------------------------------------------------------------------
# issue 7: duty holders, readings and provisions (each test says what the text reads)
DH = ar.DutyHolder
THIRD_PARTY_SERVICE = {
    "shaoxing.scheme.one_per_project",
    "shaoxing.inspection.first",
    "shaoxing.inspection.quarterly_full",
    "shaoxing.risk_sources.level12_checked",
    "shaoxing.hazardous_works.targeted",
    "shaoxing.stages.each_inspected",
    "shaoxing.hazard.level1_stop_work",
    "shaoxing.hazard.level1_report_insurer",
    "shaoxing.hazard.level1_report_authority",
    "shaoxing.hazard.level2_opinion",
    "shaoxing.hazard.level2_serious_report",
    "shaoxing.hazard.level34_opinion",
    "shaoxing.hazard.level34_delivery",
    "shaoxing.reports.monthly",
    "shaoxing.reports.quarterly",
    "shaoxing.reports.annual",
    "shaoxing.reports.timely",
    "shaoxing.reports.submitted",
    "shaoxing.risk.project_grade",
    "shaoxing.risk.dedicated_scheme",
    "shaoxing.training.half_yearly",
    "shaoxing.hazard.list_items",
    "shaoxing.hazard.refusal_feedback_insurer",
    "shaoxing.hazard.refusal_feedback_authority",
    "shaoxing.hazard.delay_feedback_insurer",
    "shaoxing.hazard.delay_feedback_authority",
    "shaoxing.drill.effect_evaluated",
}
EXPECTED_HOLDERS = {
    **{r: (DH.third_party, True) for r in THIRD_PARTY_SERVICE},
    # the firm's own staffing and archive, and the checklist marks: the firm, not service duties
    "shaoxing.third_party.key_staff": (DH.third_party, False),
    "shaoxing.archive.paper_retention": (DH.third_party, False),
    "shaoxing.archive.destruction_approval": (DH.third_party, False),
    "shaoxing.checklist.no_complaints": (DH.third_party, False),
    "shaoxing.checklist.no_general_incident": (DH.third_party, False),
    "shaoxing.checklist.no_larger_incident": (DH.third_party, False),
    # 二(二) 由监理单位负责整改落实，闭合后提交风控机构
    "shaoxing.hazard.level34_closure": (DH.supervisor, False),
    # 一 承保机构应…委托第三方风控服务机构; the content of the service (contract or scheme)
    "shaoxing.insurer.engages_firm": (DH.insurer, False),
    "shaoxing.service.five_kinds": (DH.insurer, True),
}


def test_every_shaoxing_rule_names_its_duty_holder():
    own = {
        r.rule.id: (r.rule.duty_holder, r.rule.service_duty)
        for r in SX.rules
        if r.layer == "shaoxing"
    }
    assert own == EXPECTED_HOLDERS


def test_service_duties_of_the_firm_are_the_insurers_liability_unless_5_3_transfers_it():
    """风控机构 owes 二(一) 首次风险识别; AQ 9010 5.3 makes the insurer liable unless the third
    party both organises the services and manages their fees."""
    pol = {"issued_on": "2025-09-26", "term_start": "2025-09-27", "term_end": "2026-09-26"}
    f = only(run(policy=pol), "shaoxing.inspection.first")
    assert (f.duty_holder, f.liable_party) == (DH.third_party, DH.insurer)
    both = {**pol, "service_organised_by": "third_party", "service_fees_managed_by": "third_party"}
    f = only(run(policy=both), "shaoxing.inspection.first")
    assert (f.duty_holder, f.liable_party) == (DH.third_party, None)
    closure = run(
        hazards=[
            {
                "id": "H",
                "level": 3,
                "found_on": "2026-03-02",
                "supervisor_closed_on": "2026-03-10",
                "closure_submitted_on": "2026-03-09",
            }
        ]
    )
    f = only(closure, "shaoxing.hazard.level34_closure")
    assert (f.status, f.duty_holder, f.liable_party) == (S.violation, DH.supervisor, None)


TRAINING_TERM = {"term_start": "2025-07-01", "term_end": "2026-06-30"}
ONE_TRAINING = [{"id": "T1", "kind": "training", "completed_on": "2025-08-20"}]


def test_training_by_contract_or_half_yearly_contract_branch():
    """附件 4 按照合同约定开展宣传教育培训或每半年开展一次: where the contract states training, its
    frequency satisfies the check point. Before: the half-yearly count was a standalone duty and
    the first half of 2026 was a violation although the contract's yearly training was done."""
    contract = [{"service_kind": "training", "min_count": 1, "per": "year"}]
    rep = run(policy={**TRAINING_TERM, "contract_services": contract}, service_records=ONE_TRAINING)
    f = only(rep, "shaoxing.training.half_yearly")
    assert f.status is S.not_applicable
    assert "policy.contract_services.service_kind none_in ['training']" in f.reason
    (nat,) = [
        f
        for f in findings(rep, "national.contract.service_frequency")
        if f.subject.startswith("service_records training")
    ]
    assert nat.status is S.compliant
    cl = {r.quote: r for r in ar.checklist(rep, SX).rows}
    row = cl["是否按照合同约定开展宣传教育培训或每半年开展一次集中安全教育培训。"]
    assert row.status is S.compliant


def test_training_by_contract_or_half_yearly_half_year_branch():
    """附件 4: where the contract states no training item, one centralised training each
    calendar half-year is owed."""
    contract = [{"service_kind": "hazard_inspection", "min_count": 1, "per": "quarter"}]
    rep = run(policy={**TRAINING_TERM, "contract_services": contract}, service_records=ONE_TRAINING)
    got = [
        (f.trace.window.start, f.trace.window.end, f.status)
        for f in findings(rep, "shaoxing.training.half_yearly")
    ]
    assert got == [
        (D(2025, 7, 1), D(2025, 12, 31), S.compliant),
        (D(2026, 1, 1), D(2026, 6, 30), S.violation),
    ]


ASSESSMENT_CASE = {
    "policy": {
        "policy_id": "P-SX-A",
        "jurisdiction": "shaoxing",
        "insurer": "测试保险公司",
        "insured": "测试建设集团",
        "industry": "construction",
        "term_start": "2025-07-01",
        "term_end": "2026-06-30",
        "third_party_engaged": True,
        "risk_grade": "low",
        "contract_services": [
            {"service_kind": k, "min_count": 1, "per": "term"}
            for k in (
                "hazard_inspection",
                "risk_assessment",
                "training",
                "standardisation",
                "emergency_plan",
                "emergency_drill",
            )
        ],
    },
    "complaints": [{"id": "C1", "received_on": "2025-07-08"}],
    "incidents": [
        {"id": "I1", "occurred_at": "2025-07-09T10:00:00", "grade": "general"},
        {"id": "I2", "occurred_at": "2025-07-10T10:00:00", "grade": "larger"},
    ],
}


def test_annex_8_rows_are_assessment_items_not_breaches():
    """附件 8 其他情况 (服务期间出现一般事故的 / 较大及以上事故的) and 附件 7
    服务期间是否出现投诉情形 are rows of the checklist by which the firm is assessed (考核项),
    not duties. Before: the larger-accident row was a major violation and drove exit code 1."""
    rep = ar.evaluate(SX, ASSESSMENT_CASE, as_of=D(2025, 7, 15), layer="shaoxing")
    marks = {
        (f.rule_id, f.subject): (f.status, f.severity)
        for f in rep.findings
        if f.rule_id.startswith("shaoxing.checklist.")
    }
    A = ar.Severity.assessment
    assert marks == {
        ("shaoxing.checklist.no_complaints", "policy"): (S.violation, A),
        ("shaoxing.checklist.no_general_incident", "incidents/I1"): (S.violation, A),
        ("shaoxing.checklist.no_general_incident", "incidents/I2"): (S.compliant, A),
        ("shaoxing.checklist.no_larger_incident", "incidents/I1"): (S.compliant, A),
        ("shaoxing.checklist.no_larger_incident", "incidents/I2"): (S.violation, A),
    }
    assert rep.violations == ()


def test_annex_8_rows_do_not_drive_the_exit_code(tmp_path, capsys):
    import json

    from ansafe_rules.cli import main

    path = tmp_path / "case.json"
    path.write_text(json.dumps(ASSESSMENT_CASE), encoding="utf-8")
    argv = ["check", str(path), "--as-of", "2025-07-15", "--layer", "shaoxing"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "shaoxing.checklist.no_larger_incident" in out
    # the same case with the insurer's duty of 一 breached does exit 1 (control)
    bad = json.loads(json.dumps(ASSESSMENT_CASE))
    bad["policy"]["third_party_engaged"] = False
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert main(argv) == 1


def test_monthly_and_quarterly_reports_owed_10_workdays_after_the_period():
    """三(一) 及时出具月度、季度…报告: the September 2025 report is owed by the 10th working day
    after Tue 09-30 (National Day 10-01..10-08 off; Sat 10-11 a working day): 10-09, 10, 11, 13,
    14, 15, 16, 17, 20, 21 -> 2025-10-21, as reports.timely reads 及时. Before: the missing
    September report was a violation from 10-01."""
    pol = {"term_start": "2025-07-01", "term_end": "2026-06-30"}

    def sept(as_of):
        rep = run(as_of=as_of, policy=pol, periodic_reports=[])
        (m,) = [
            f
            for f in findings(rep, "shaoxing.reports.monthly")
            if f.trace.window.start == D(2025, 9, 1)
        ]
        (q,) = [
            f
            for f in findings(rep, "shaoxing.reports.quarterly")
            if f.trace.window.start == D(2025, 7, 1)
        ]
        return m, q

    for f in sept(D(2025, 10, 21)):
        assert f.status is S.pending and f.trace.due.due_date == D(2025, 10, 21)
    for f in sept(D(2025, 10, 22)):
        assert f.status is S.violation and f.trace.due.due_date == D(2025, 10, 21)
    # a report for September issued late counts for September (period_end decides); only
    # its lateness is a violation, of reports.timely
    late = [{"id": "M9", "period": "month", "period_end": "2025-09-30", "issued_on": "2025-10-22"}]
    rep = run(as_of=D(2025, 10, 31), policy=pol, periodic_reports=late)
    (m,) = [
        f
        for f in findings(rep, "shaoxing.reports.monthly")
        if f.trace.window.start == D(2025, 9, 1)
    ]
    assert m.status is S.compliant and m.trace.records == ("M9",)
    t = only(rep, "shaoxing.reports.timely")
    assert t.status is S.violation and t.trace.due.due_date == m.trace.due.due_date
    # the monthly obligation carries the same due date
    (ob,) = [
        o
        for o in rep.obligations
        if o.rule_id == "shaoxing.reports.monthly" and o.window.start == D(2025, 9, 1)
    ]
    assert ob.due_date == D(2025, 10, 21)


def test_annual_report_owed_10_workdays_after_the_policy_year():
    """三(一) 年度…报告: the policy year 2025-07-01..2026-06-30 ends Tue 2026-06-30; its report is
    owed by 2026-07-14 (07-01, 02, 03, 06, 07, 08, 09, 10, 13, 14)."""
    pol = {"term_start": "2025-07-01", "term_end": "2026-06-30"}
    f = only(run(as_of=D(2026, 7, 14), policy=pol), "shaoxing.reports.annual")
    assert (f.status, f.trace.due.due_date) == (S.pending, D(2026, 7, 14))
    f = only(run(as_of=D(2026, 7, 15), policy=pol), "shaoxing.reports.annual")
    assert f.status is S.violation


GRADE1 = {"id": "H1", "level": 1, "found_on": "2025-09-26"}


@pytest.mark.parametrize(
    ("informed", "status"), [("2025-09-28", S.compliant), ("2025-09-29", S.violation)]
)
def test_grade_1_hazard_is_a_major_hazard_for_national_6_2(informed, status):
    """AQ 9010 6.2 发现重大事故隐患的，应及时告知投保单位, read with 绍兴's grading: a 一级 hazard
    carrying only its level is a 重大事故隐患 (the shaoxing override). Found Fri 2025-09-26, the
    first working day after is Sun 09-28 (调休). Before: insufficient_data (no grade)."""
    rep = run(hazards=[{**GRADE1, "insured_informed_on": informed}])
    f = only(rep, "national.hazard.major_notice")
    assert (f.status, f.trace.due.due_date) == (status, D(2025, 9, 28))
    assert "where" in f.trace.interpretive
    assert f.trace.param_sources["where"].endswith("shaoxing.yaml")


def test_grade_mapping_leaves_lower_grades_out_and_can_be_overridden():
    rep = run(hazards=[{"id": "H2", "level": 2, "grade": "general", "found_on": "2025-09-26"}])
    f = only(rep, "national.hazard.major_notice")
    assert f.status is S.not_applicable  # no hazard matches
    # a hazard graded general is not major whatever its (missing) level: the national grade
    # decides where it is given (was insufficient_data before all_of existed)
    rep = run(hazards=[{"id": "HG", "grade": "general", "found_on": "2025-09-26"}])
    assert only(rep, "national.hazard.major_notice").status is S.not_applicable
    # ...and a general-graded 一级 hazard is not taken for a major one
    rep = run(hazards=[{"id": "HG", "grade": "general", "level": 1, "found_on": "2025-09-26"}])
    assert only(rep, "national.hazard.major_notice").status is S.not_applicable
    literal = SX.with_overrides(
        {
            "national.hazard.major_notice": {
                "where": [{"field": "grade", "op": "eq", "value": "major"}]
            }
        }
    )
    rep = run_case(literal, D(2026, 7, 31), hazards=[GRADE1])
    f = only(rep, "national.hazard.major_notice")
    assert f.status is S.insufficient_data and f.reason.endswith("missing grade")


@pytest.mark.parametrize(
    ("roll", "status", "end"),
    [(None, S.compliant, D(2031, 5, 17)), (True, S.violation, D(2031, 5, 19))],
)
def test_paper_retention_end_on_a_rest_day(roll, status, end):
    """附件 7 纸质版档案在项目竣工后应至少保留五年: completed Sun 2026-05-17, five years end Sat
    2031-05-17; destroyed Mon 05-19. The default (roll false) does not move the end; the
    民法典 art. 203 reading (roll true) moves it to Mon 05-19, so that destruction is early."""
    rs = (
        SX
        if roll is None
        else SX.with_overrides({"shaoxing.archive.paper_retention": {"roll": roll}})
    )
    rep = run_case(
        rs,
        D(2031, 6, 1),
        policy={"project_completion_on": "2026-05-17"},
        archives=[{"id": "P", "medium": "paper", "destroyed_on": "2031-05-19"}],
    )
    f = only(rep, "shaoxing.archive.paper_retention")
    assert (f.status, f.trace.due.due_date) == (status, end)
    assert "roll" in f.trace.interpretive


@pytest.mark.parametrize(
    ("start", "first"),
    # 08-16..09-30 is 46 of Q3's 92 days (half: one inspection owed); 08-17.. is 45 (none)
    [
        ("2025-08-16", S.violation),
        ("2025-08-17", S.not_applicable),
        ("2025-09-30", S.not_applicable),
    ],
)
def test_quarterly_full_coverage_first_and_last_partial_quarters(start, first):
    """二(一) 每季度开展不少于1次全覆盖检查, calendar quarters: a first or last quarter covering
    less than half a quarter needs no inspection of its own. Term to Sat 2026-01-10 (10 days of
    Q1 2026: none owed). Pins the engine's partial_min_share 0.5, now explicit in the rule
    (already the engine default at the branch point, so this test passed there too)."""
    rep = run(
        as_of=D(2026, 3, 31),
        policy={"term_start": start, "term_end": "2026-01-10"},
        service_records=[
            {
                "id": "F",
                "kind": "hazard_inspection",
                "full_coverage": True,
                "completed_on": "2025-11-05",
            }
        ],
    )
    got = [
        (f.trace.window.start, f.status)
        for f in findings(rep, "shaoxing.inspection.quarterly_full")
    ]
    assert got == [
        (D.fromisoformat(start), first),
        (D(2025, 10, 1), S.compliant),
        (D(2026, 1, 1), S.not_applicable),
    ]


@pytest.mark.parametrize(
    ("engaged", "orgs", "status"),
    [
        (True, [], S.compliant),
        (None, [{"id": "TP", "role": "third_party"}], S.compliant),
        (False, [], S.violation),
        (None, [{"id": "INS", "role": "insurer"}], S.insufficient_data),
    ],
)
def test_insurer_engages_a_risk_control_firm(engaged, orgs, status):
    """一 承保机构应…委托第三方风控服务机构（风控机构）提供事故预防服务."""
    rep = run(policy={"third_party_engaged": engaged}, organisations=orgs)
    f = only(rep, "shaoxing.insurer.engages_firm")
    assert (f.status, f.duty_holder) == (status, DH.insurer)


FIVE = ["hazard_inspection", "risk_assessment", "training", "standardisation", "emergency_plan"]


def _items(kinds):
    return [{"service_kind": k, "min_count": 1, "per": "term"} for k in kinds]


def test_service_comprises_the_five_kinds_in_contract_or_scheme():
    """一 事故预防服务内容包括但不限于…隐患排查、…风险辨识和评估、…教育培训、…标准化建设、
    …应急预案编制和演练: each kind in the contract or in the scheme."""
    ok = run(
        policy={"contract_services": _items(FIVE[:2])},
        scheme={"scheme_id": "F", "service_items": _items([*FIVE[2:], "emergency_drill"])},
    )
    assert only(ok, "shaoxing.service.five_kinds").status is S.compliant
    short = run(policy={"contract_services": _items(FIVE)}, scheme={"scheme_id": "F"})
    f = only(short, "shaoxing.service.five_kinds")
    assert f.status is S.violation and "emergency_drill" in f.reason
    assert "emergency_plan" not in f.reason
    unknown = run(policy={"contract_services": _items(FIVE)})
    assert only(unknown, "shaoxing.service.five_kinds").status is S.insufficient_data


def test_hazard_list_states_responsibility_measures_time_limit_and_plan():
    """附件 6 及时建立风险隐患清单，明确隐患整改责任、措施、时限、预案."""
    full = {
        "rectification_responsible": "项目经理",
        "rectification_measures": "加固",
        "rectification_due_on": "2026-03-10",
        "contingency_plan": "坍塌应急预案",
    }
    rep = run(
        hazards=[
            {"id": "A", "level": 3, "found_on": "2026-03-02", **full},
            {"id": "B", "level": 3, "found_on": "2026-03-02", **{**full, "contingency_plan": None}},
        ]
    )
    got = {f.subject: (f.status, f.reason) for f in findings(rep, "shaoxing.hazard.list_items")}
    assert got == {
        "hazards/A": (S.compliant, "all required items present"),
        "hazards/B": (S.violation, "missing contingency_plan"),
    }


def test_refused_rectification_fed_back_promptly():
    """附件 6 对拒绝整改…的投保项目，及时反馈承保机构和属地建设主管部门: refused Fri
    2025-09-26; 及时 = the first working day after, Sun 09-28 (调休)."""
    rep = run(
        hazards=[
            {
                "id": "R",
                "level": 2,
                "found_on": "2025-09-20",
                "rectification_refused_on": "2025-09-26",
                "rectification_feedback_to_insurer_on": "2025-09-28",
                "rectification_feedback_to_authority_on": "2025-09-29",
            }
        ]
    )
    ins = only(rep, "shaoxing.hazard.refusal_feedback_insurer")
    auth = only(rep, "shaoxing.hazard.refusal_feedback_authority")
    assert (ins.status, ins.trace.due.due_date) == (S.compliant, D(2025, 9, 28))
    assert (auth.status, auth.trace.due.due_date) == (S.violation, D(2025, 9, 28))
    assert ins.duty_holder is DH.third_party


def test_delayed_rectification_fed_back_promptly():
    """附件 6 对…拖延整改的投保项目，及时反馈: time limit Tue 2025-09-30, rectified 10-10 (late);
    the first working day after the limit is Thu 10-09 (National Day 10-01..10-08 off).
    A hazard rectified within its limit is not judged."""
    rep = run(
        hazards=[
            {
                "id": "L",
                "level": 3,
                "found_on": "2025-09-20",
                "rectification_due_on": "2025-09-30",
                "rectified_on": "2025-10-10",
                "rectification_feedback_to_insurer_on": "2025-10-09",
                "rectification_feedback_to_authority_on": "2025-10-10",
            },
            {
                "id": "OK",
                "level": 3,
                "found_on": "2025-09-20",
                "rectification_due_on": "2025-09-30",
                "rectified_on": "2025-09-30",
            },
        ]
    )
    ins = only(rep, "shaoxing.hazard.delay_feedback_insurer")
    auth = only(rep, "shaoxing.hazard.delay_feedback_authority")
    assert ins.subject == auth.subject == "hazards/L"
    assert (ins.status, ins.trace.due.due_date) == (S.compliant, D(2025, 10, 9))
    assert (auth.status, auth.trace.due.due_date) == (S.violation, D(2025, 10, 9))


def test_drill_effect_is_evaluated():
    """附件 5 协助组织应急救援演练，并对演练成效开展总结评估."""
    rep = run(
        service_records=[
            {
                "id": "DR1",
                "kind": "emergency_drill",
                "completed_on": "2026-03-02",
                "effect_evaluated_on": "2026-03-05",
            },
            {"id": "DR2", "kind": "emergency_drill", "completed_on": "2026-04-02"},
        ]
    )
    got = {f.subject: f.status for f in findings(rep, "shaoxing.drill.effect_evaluated")}
    assert got == {"service_records/DR1": S.compliant, "service_records/DR2": S.violation}


# ---- pins for the numeric parameters (mutation check) ---------------------------------------
def test_grade_1_and_2_risk_sources_checked_not_grade_3():
    """二(一) 一、二级风险源，应做到 100%核查: levels 1 and 2 exactly."""
    rep = run(
        risk_sources=[
            {"id": "R1", "level": 1},
            {"id": "R2", "level": 2},
            {"id": "R3", "level": 3},
            {"id": "R4", "level": 4},
            {"id": "R1C", "level": 1, "checked_on": "2026-01-05"},
        ]
    )
    got = {f.subject: f.status for f in findings(rep, "shaoxing.risk_sources.level12_checked")}
    assert got == {
        "risk_sources/R1": S.violation,
        "risk_sources/R1C": S.compliant,
        "risk_sources/R2": S.violation,
    }


def test_one_inspection_per_stage_is_enough():
    """附件 2 项目各施工阶段是否均实施不少于1次风险识别和隐患排查: one per stage suffices."""
    rep = run(
        stages=STAGES[:2],
        service_records=[
            {"id": "A", "kind": "risk_assessment", "completed_on": "2025-09-01"},
            {"id": "B", "kind": "hazard_inspection", "completed_on": "2026-02-01"},
        ],
    )
    got = {f.trace.window.label: f.status for f in findings(rep, "shaoxing.stages.each_inspected")}
    assert got == {"ST1": S.compliant, "ST2": S.compliant}
    hw = run(
        stages=STAGES[2:],
        service_records=[
            {"id": "A", "kind": "risk_assessment", "completed_on": "2025-07-10", "stage_id": "HW1"},
            {
                "id": "B",
                "kind": "hazard_inspection",
                "completed_on": "2025-09-01",
                "stage_id": "HW2",
            },
        ],
    )
    got = {
        f.trace.window.label: f.status for f in findings(hw, "shaoxing.hazardous_works.targeted")
    }
    assert got == {"HW1": S.compliant, "HW2": S.compliant}


LEVELS = [
    {
        "id": f"L{n}",
        "level": n,
        "found_on": "2026-03-02",
        "serious": True,
        "rectification_opinion_on": "2026-03-03",
        "stop_work_opinion_on": "2026-03-03",
        "reported_to_insurer_on": "2026-03-03",
        "supervisor_closed_on": "2026-03-10",
        "closure_submitted_on": "2026-03-09",
    }
    for n in (1, 2, 3, 4)
]


@pytest.mark.parametrize(
    ("rule", "levels"),
    [
        ("shaoxing.hazard.level1_stop_work", {1}),
        ("shaoxing.hazard.level1_report_insurer", {1}),
        ("shaoxing.hazard.level1_report_authority", {1}),
        ("shaoxing.hazard.level2_opinion", {2}),
        ("shaoxing.hazard.level2_serious_report", {2}),
        ("shaoxing.hazard.level34_opinion", {3, 4}),
        ("shaoxing.hazard.level34_delivery", {3, 4}),
        ("shaoxing.hazard.level34_closure", {3, 4}),
    ],
)
def test_each_hazard_rule_judges_its_own_grades(rule, levels):
    """二(二): 一级 stop work and same-day reports; 二级 opinion and serious report; 三、四级
    opinion, delivery and closure. Each rule judges exactly its grades (all late or missing
    here)."""
    rep = run(hazards=LEVELS)
    got = {f.subject: f.status for f in findings(rep, rule)}
    assert got == {f"hazards/L{n}": S.violation for n in levels}


def test_key_staff_one_of_each_is_enough():
    """附件 1 配备专职技术负责人和项目负责人."""
    org = {"id": "TP", "role": "third_party", "staff": [{"id": "D", "role": "technical_director"}]}
    f = only(run(organisations=[org]), "shaoxing.third_party.key_staff")
    assert f.status is S.violation and "0 project leads (at least 1)" in f.reason
    org["staff"].append({"id": "L", "role": "project_lead"})
    assert only(run(organisations=[org]), "shaoxing.third_party.key_staff").status is S.compliant


def test_destruction_without_the_insurers_approval_is_a_violation():
    """附件 7 档案销毁前应报保险机构核准: a destroyed archive with no approval recorded is the
    breach itself (was insufficient_data)."""
    arch = {"id": "P", "medium": "paper", "destroyed_on": "2026-03-01"}
    f = only(run(archives=[arch]), "shaoxing.archive.destruction_approval")
    assert f.status is S.violation
    ok = {**arch, "destruction_register": {"insurer_approved_on": "2026-02-20"}}
    assert only(run(archives=[ok]), "shaoxing.archive.destruction_approval").status is S.compliant

"""Xuancheng (宣城) on top of the national layer: hand-computed cases.

Dates are checked against the official 2025/2026 holiday schedules (May Day 2026: 05-01..05-05
off; National Day 2026: 10-01..10-07 off, Sat 10-10 a working day). Tests marked "issue 7" fail
on the ruleset as it was before issue 7 (branch point 66a1567).
"""

from __future__ import annotations

import datetime as dt

import pytest

import ansafe_rules as ar

from .conftest import case, findings, only, run_case

D = dt.date
S = ar.Status
DH = ar.rulesets.DutyHolder
XC = ar.load_ruleset("xuancheng")


def run(as_of: dt.date | None = None, rs: ar.ResolvedRuleset = XC, **parts) -> ar.Report:
    return run_case(rs, as_of or D(2026, 7, 31), **parts)


def statuses(rep: ar.Report, rule_id: str) -> dict[str, ar.Status]:
    return {f.subject: f.status for f in findings(rep, rule_id)}


def by_window(rep: ar.Report, rule_id: str) -> list[tuple[dt.date, dt.date, ar.Status]]:
    return [
        (f.trace.window.start, f.trace.window.end, f.status)
        for f in findings(rep, rule_id)
        if f.trace.window is not None
    ]


def _insured(*sessions: dict) -> dict:
    return {
        "id": "INSD",
        "role": "insured",
        "staff": [{"id": "PM1", "role": "manager", "online_learning": list(sessions)}],
    }


# ---- 第十五条 hazard notice -----------------------------------
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
                "notice_in_writing": False,
            },
        ]
    )
    got = {f.subject: f for f in findings(rep, "xuancheng.hazard.notice")}
    assert got["hazards/H1"].trace.due.due_date == D(2026, 5, 6)
    # 1 working day and 1 day rolled (民法典 203) always agree; the unit is pinned by the trace
    assert "1th working day strictly after 2026-04-30" in got["hazards/H1"].trace.due.explanation
    assert got["hazards/H1"].status is S.compliant
    assert got["hazards/H2"].status is S.violation
    assert "1 working day(s) late" in got["hazards/H2"].reason
    assert statuses(rep, "xuancheng.hazard.notice_in_writing") == {
        "hazards/H1": S.compliant,
        "hazards/H2": S.violation,
    }


# ---- 第八条 / 第十四条 frequencies -------------------------------
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


def test_one_citywide_training_a_quarter_is_enough():
    """第十四条(二)3 每季度组织1次: one citywide training per calendar quarter (a tailored or
    non-citywide training does not count)."""
    rep = run(
        service_records=[
            {"id": "C1", "kind": "training", "citywide": True, "completed_on": "2025-09-26"},
            {"id": "C2", "kind": "training", "citywide": False, "completed_on": "2025-11-20"},
            {"id": "C3", "kind": "training", "citywide": True, "completed_on": "2026-01-22"},
            {"id": "C4", "kind": "training", "citywide": True, "completed_on": "2026-04-28"},
        ]
    )
    assert [s for _, _, s in by_window(rep, "xuancheng.training.citywide_quarterly")] == [
        S.compliant,
        S.violation,
        S.compliant,
        S.compliant,
    ]


def test_quarterly_risk_list_update_and_half_yearly_campaign():
    rep = run(
        service_records=[
            {"id": "U1", "kind": "risk_list_update", "completed_on": "2025-09-15"},
            {"id": "U2", "kind": "risk_list_update", "completed_on": "2025-12-15"},
            {"id": "U4", "kind": "risk_list_update", "completed_on": "2026-06-18"},
            {"id": "P1", "kind": "special_campaign", "completed_on": "2025-12-10"},
        ]
    )
    assert [s for _, _, s in by_window(rep, "xuancheng.risk.quarterly_update")] == [
        S.compliant,
        S.compliant,
        S.violation,  # nothing in Jan-Mar 2026
        S.compliant,
    ]
    assert by_window(rep, "xuancheng.inspection.half_year_campaign") == [
        (D(2025, 7, 1), D(2025, 12, 31), S.compliant),
        (D(2026, 1, 1), D(2026, 6, 30), S.violation),
    ]


def test_annual_lec_deep_inspection_and_drill_one_per_policy_year():
    rep = run(
        service_records=[
            {"id": "R1", "kind": "risk_assessment", "method": "LEC", "completed_on": "2025-08-01"},
            {"id": "R2", "kind": "risk_assessment", "method": "其他", "completed_on": "2025-09-01"},
            {
                "id": "I1",
                "kind": "hazard_inspection",
                "full_coverage": True,
                "completed_on": "2025-10-22",
                "content": "全覆盖排查",
                "report_id": "RP-1",
                "rectification_advice": "限期整改",
            },
            {
                "id": "I2",
                "kind": "hazard_inspection",
                "full_coverage": False,
                "completed_on": "2026-04-30",
                "content": "节前排查",
            },
        ]
    )
    assert only(rep, "xuancheng.risk.annual_lec").status is S.compliant
    assert only(rep, "xuancheng.inspection.annual_deep").status is S.compliant
    drill = only(rep, "xuancheng.emergency.annual_drill")
    assert (drill.status, drill.trace.required_count) == (S.violation, 1)
    # 第十条: written record, report, advice
    rec = statuses(rep, "xuancheng.inspection.record")
    assert rec == {"service_records/I1": S.compliant, "service_records/I2": S.violation}
    assert only_subject(rep, "xuancheng.inspection.record", "service_records/I2").reason == (
        "missing report_id; rectification_advice"
    )
    # 第十五条: every service has a report on file
    assert statuses(rep, "xuancheng.service.report") == {
        "service_records/I1": S.compliant,
        "service_records/I2": S.violation,
        "service_records/R1": S.violation,
        "service_records/R2": S.violation,
    }


def only_subject(rep: ar.Report, rule_id: str, subject: str) -> ar.Finding:
    (f,) = [f for f in findings(rep, rule_id) if f.subject == subject]
    return f


@pytest.mark.parametrize(("count", "status"), [(1, S.violation), (2, S.compliant)])
def test_two_themed_activities_and_two_tailored_trainings_a_year(count, status):
    dates = ["2025-09-10", "2026-06-10"][:count]
    rep = run(
        policy={"risk_grade": "high"},
        service_records=[
            *(
                {"id": f"A{i}", "kind": "themed_activity", "completed_on": d}
                for i, d in enumerate(dates)
            ),
            *(
                {"id": f"T{i}", "kind": "training", "tailored": True, "completed_on": d}
                for i, d in enumerate(dates)
            ),
        ],
    )
    for rule in ("xuancheng.activities.themed", "xuancheng.training.tailored_high_risk"):
        f = only(rep, rule)
        assert (f.status, f.trace.counted, f.trace.required_count) == (status, count, 2)


# ---- partial periods (issue 7: full_count with calendar alignment) ---
def test_one_day_partial_quarter_needs_no_training():
    """A term from 2025-06-30 touches Q2 2025 for one day (1/91 of a quarter): under
    partial_min_share 0.5 it needs no training; the last quarter, 2026-04-01..06-29 (90/91),
    needs the full one."""
    rep = run(
        policy={"term_start": "2025-06-30", "term_end": "2026-06-29"},
        service_records=[
            {"id": "T1", "kind": "training", "completed_on": "2025-08-01"},
            {"id": "T2", "kind": "training", "completed_on": "2025-11-01"},
            {"id": "T3", "kind": "training", "completed_on": "2026-02-01"},
        ],
    )
    got = by_window(rep, "xuancheng.training.quarterly_comprehensive")
    assert got[0] == (D(2025, 6, 30), D(2025, 6, 30), S.not_applicable)
    assert got[-1] == (D(2026, 4, 1), D(2026, 6, 29), S.violation)
    first = findings(rep, "xuancheng.training.quarterly_comprehensive")[0]
    assert "covers 1% of a full quarter" in first.reason
    # the same for the other calendar-quarter and half-year rules
    for rule in (
        "xuancheng.risk.quarterly_update",
        "xuancheng.training.citywide_quarterly",
        "xuancheng.inspection.half_year_campaign",
    ):
        assert by_window(rep, rule)[0][2] is S.not_applicable, rule


@pytest.mark.parametrize(
    ("term_start", "status"),
    [
        ("2025-08-16", S.violation),  # 08-16..09-30 = 46 of 92 days: exactly half, needs one
        ("2025-08-17", S.not_applicable),  # 45 of 92 days: under half, needs none
    ],
)
def test_partial_quarter_threshold_is_half_a_quarter(term_start, status):
    rep = run(policy={"term_start": term_start, "term_end": "2026-06-30"})
    for rule in (
        "xuancheng.training.quarterly_comprehensive",
        "xuancheng.risk.quarterly_update",
        "xuancheng.training.citywide_quarterly",
    ):
        assert by_window(rep, rule)[0][2] is status, rule


@pytest.mark.parametrize(
    ("term_end", "status"),
    [
        # policy year 2 runs 2026-07-01..2027-06-30 (365 days); the term cuts it short
        ("2026-12-30", S.violation),  # 183/365 >= 0.5: the full annual count is due
        ("2026-12-29", S.not_applicable),  # 182/365 < 0.5: none
    ],
)
def test_short_last_policy_year(term_end, status):
    rep = run(as_of=D(2027, 3, 1), policy={"term_start": "2025-07-01", "term_end": term_end})
    for rule in (
        "xuancheng.risk.annual_lec",
        "xuancheng.inspection.annual_deep",
        "xuancheng.emergency.annual_drill",
        "xuancheng.activities.themed",
    ):
        assert by_window(rep, rule)[1][2] is status, rule
    tail = by_window(
        run(
            as_of=D(2027, 3, 1),
            policy={"term_start": "2025-07-01", "term_end": term_end, "risk_grade": "high"},
        ),
        "xuancheng.training.tailored_high_risk",
    )
    assert tail[1][2] is status


def test_half_year_partial_threshold():
    # 2025-10-02..12-31 = 91 of 184 days (< half): none; from 10-01, 92 of 184: one is due
    later = run(policy={"term_start": "2025-10-02", "term_end": "2026-06-30"})
    assert by_window(later, "xuancheng.inspection.half_year_campaign")[0][2] is S.not_applicable
    half = run(policy={"term_start": "2025-10-01", "term_end": "2026-06-30"})
    assert by_window(half, "xuancheng.inspection.half_year_campaign")[0][2] is S.violation


# ---- 第十四条(二)3 学时 (issue 7) --------------------------------
def test_online_learning_counts_the_whole_calendar_year():
    insured = _insured(
        {"date": "2025-03-01", "class_hours": 20},  # before the term, same calendar year
        {"date": "2025-09-01", "class_hours": 10.5},
        {"date": "2026-02-01", "class_hours": 12},
    )
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
    assert "12 of at least 30 class_hours" in f2026.reason


@pytest.mark.parametrize(
    ("sessions", "status", "counted"),
    [
        # 30 学时 credited for 22.5 clock hours (45-minute class hours): compliant (issue 7)
        ([{"date": "2025-05-10", "class_hours": 30, "hours": 22.5}], S.compliant, 30.0),
        # 40 clock hours with no 学时 credited: nothing counts (issue 7)
        ([{"date": "2025-05-10", "hours": 40}], S.violation, 0.0),
        ([{"date": "2025-05-10", "class_hours": 29.5}], S.violation, 29.5),
    ],
)
def test_online_learning_counts_class_hours_not_clock_hours(sessions, status, counted):
    """第十四条(二)3 年度在线学习时长不低于30学时: 学时 are class hours
    (LearningSession.class_hours), not clock hours (hours)."""
    rep = run(as_of=D(2027, 1, 1), organisations=[_insured(*sessions)])
    (f,) = [
        f
        for f in findings(rep, "xuancheng.staff.online_learning")
        if f.trace.window.start.year == 2025
    ]
    assert (f.status, f.trace.counted, f.trace.required_count) == (status, counted, 30)
    assert f.duty_holder is DH.insured and f.liable_party is None


# ---- 特级/一级 and 高风险 (issue 7) ------------------------------
def test_smart_site_only_for_special_and_first_grade():
    top = run(policy={"project_grade": "first", "smart_site_platform": False})
    assert only(top, "xuancheng.site.smart_platform").status is S.violation
    special = run(policy={"project_grade": "special", "smart_site_platform": True})
    assert only(special, "xuancheng.site.smart_platform").status is S.compliant
    small = run(policy={"project_grade": "second", "smart_site_platform": False})
    assert only(small, "xuancheng.site.smart_platform").status is S.not_applicable


def test_unknown_grades_are_insufficient_data_not_not_applicable():
    rep = run(policy={"smart_site_platform": False})  # neither grade given
    smart = only(rep, "xuancheng.site.smart_platform")
    assert smart.status is S.insufficient_data
    assert smart.reason == "cannot tell whether the rule applies: missing policy.project_grade"
    tailored = only(rep, "xuancheng.training.tailored_high_risk")
    assert tailored.status is S.insufficient_data
    assert "policy.risk_grade" in tailored.reason


def test_tailored_training_for_high_risk_projects_only():
    rep = run(
        policy={"risk_grade": "high"},
        service_records=[
            {"id": "T1", "kind": "training", "tailored": True, "completed_on": "2025-08-01"},
            {"id": "T2", "kind": "training", "tailored": True, "completed_on": "2026-05-09"},
        ],
    )
    assert only(rep, "xuancheng.training.tailored_high_risk").status is S.compliant
    for grade in ("low", "medium"):
        low = run(policy={"risk_grade": grade})
        assert only(low, "xuancheng.training.tailored_high_risk").status is S.not_applicable


# ---- 第三条 (issue 7: a definition is not a duty) ------------
def test_expert_pool_is_advisory_only():
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
    )
    got = {f.subject: f for f in findings(rep, "xuancheng.staff.expert_pool")}
    assert got["staff/TP/E1"].status is S.compliant
    e2 = got["staff/TP/E2"]
    assert (e2.status, e2.severity) == (S.violation, ar.Severity.advisory)
    assert e2 not in rep.violations  # not a breach: 第三条 defines, it does not oblige


def test_themed_activities_before_the_term_and_images():
    rep = run(
        service_records=[
            {"id": "A1", "kind": "themed_activity", "completed_on": "2025-06-10"},
            {"id": "A2", "kind": "themed_activity", "completed_on": "2026-06-10"},
        ],
        archives=[
            {"id": "AR", "closed_on": "2026-07-10", "documents": [{"kind": "insurance_contract"}]}
        ],
    )
    themed = only(rep, "xuancheng.activities.themed")  # A1 is before the term
    assert themed.status is S.violation and themed.trace.counted == 1
    assert only(rep, "xuancheng.archive.images").reason == "missing documents: images"


# ---- 第十三条 (issue 7) ---------------------------------------
SERVICES = [
    {"id": "S1", "kind": "training", "started_on": "2025-07-09", "completed_on": "2025-07-09"},
    {"id": "S2", "kind": "risk_assessment", "started_on": "2025-08-01"},
]


@pytest.mark.parametrize(
    ("consulted", "status"),
    [
        ("2025-07-01", S.compliant),
        ("2025-07-09", S.compliant),  # the day the first service starts: read as before it
        ("2025-07-10", S.violation),  # after the first service started (issue 7)
        (None, S.violation),
    ],
)
def test_insured_consulted_before_the_first_service(consulted, status):
    """第十三条 在开展事故预防技术服务前，应与被保险人沟通协商: the consultation (consulted_on)
    is due by the day the first service starts; before issue 7 only agreed_on was checked."""
    scheme = {"scheme_id": "FA", "agreed_on": "2025-07-01"}
    if consulted:
        scheme["consulted_on"] = consulted
    f = only(run(scheme=scheme, service_records=SERVICES), "xuancheng.scheme.consulted")
    assert (f.status, f.trace.due.due_date) == (status, D(2025, 7, 9))
    assert (f.duty_holder, f.liable_party) == (DH.third_party, DH.insurer)


def test_consultation_needs_a_started_service():
    scheme = {"scheme_id": "FA", "consulted_on": "2025-07-01"}
    none = only(run(scheme=scheme), "xuancheng.scheme.consulted")
    assert none.status is S.not_applicable
    one = only(run(scheme=scheme, service_records=SERVICES[:1]), "xuancheng.scheme.consulted")
    assert one.status is S.compliant


def test_scheme_contents_are_the_five_items():
    """第十三条 (一)…(五), quoted verbatim; each maps to scheme fields."""
    rule = XC.rule("xuancheng.scheme.contents").rule
    for item in ("（一）工程概况", "（三）事故预防技术服务频次", "（五）事故预防技术服务预期目标"):
        assert item in rule.citation.quote
    scheme = {
        "scheme_id": "FA",
        "project_overview": "医院综合楼",
        "measures": "排查",
        "service_items": [{"service_kind": "training", "min_count": 1, "per": "quarter"}],
        "providers": "某公司",
        "expected_effects": "不发生较大事故",
    }
    f = only(run(scheme=scheme), "xuancheng.scheme.contents")
    assert (f.status, f.reason) == (S.violation, "missing measures_basis; safeguards")


# ---- 第十二条, 第十六条 (issue 7: newly encoded) ------------------
def test_drill_effect_is_evaluated():
    """第十二条 开展应急演练进行指导，并对演练效果进行评估."""
    rep = run(
        service_records=[
            {
                "id": "D1",
                "kind": "emergency_drill",
                "completed_on": "2026-04-16",
                "effect_evaluated_on": "2026-04-17",
            },
            {"id": "D2", "kind": "emergency_drill", "completed_on": "2026-05-20"},
        ]
    )
    assert statuses(rep, "xuancheng.emergency.drill_evaluation") == {
        "service_records/D1": S.compliant,
        "service_records/D2": S.violation,
    }
    assert only(rep, "xuancheng.emergency.annual_drill").status is S.compliant


def test_insured_rectifies_by_the_time_limit_set():
    """第十六条 被保险人…对服务机构发现的安全事故隐患应及时整改: 及时 read as by the time limit
    set in the notice (rectification_due_on), not rolled: a limit on Tue 2026-05-05 (May Day
    holiday) is not moved to 05-06."""
    base = {"grade": "general", "found_on": "2026-04-28", "insured_informed_on": "2026-04-28"}
    hazards = [
        {"id": "H1", **base, "rectification_due_on": "2026-05-05", "rectified_on": "2026-05-06"},
        {"id": "H2", **base, "rectification_due_on": "2026-05-12", "rectified_on": "2026-05-12"},
        {"id": "H3", **base, "rectification_due_on": "2026-05-12", "rectified_on": "2026-04-29"},
        {"id": "H4", **base, "rectification_due_on": "2026-07-30"},
        {"id": "H5", **base},
    ]
    rep = run(as_of=D(2026, 7, 31), hazards=hazards)
    assert statuses(rep, "xuancheng.hazard.insured_rectification") == {
        "hazards/H1": S.violation,
        "hazards/H2": S.compliant,
        "hazards/H3": S.compliant,  # rectified before the limit
        "hazards/H4": S.violation,
        "hazards/H5": S.insufficient_data,  # no time limit set: 及时 cannot be judged
    }
    h1 = only_subject(rep, "xuancheng.hazard.insured_rectification", "hazards/H1")
    assert h1.trace.due.due_date == D(2026, 5, 5)
    assert (h1.duty_holder, h1.liable_party) == (DH.insured, None)
    early = run(as_of=D(2026, 7, 30), hazards=hazards)
    h4 = only_subject(early, "xuancheng.hazard.insured_rectification", "hazards/H4")
    assert h4.status is S.pending


# ---- who owes the duty (issue 7) --------------------------
EXPECTED_HOLDERS = {
    "xuancheng.staff.expert_pool": (DH.third_party, True),
    "xuancheng.training.quarterly_comprehensive": (DH.third_party, True),
    "xuancheng.inspection.record": (DH.third_party, True),
    "xuancheng.emergency.drill_evaluation": (DH.third_party, True),
    "xuancheng.scheme.contents": (DH.third_party, True),
    "xuancheng.scheme.consulted": (DH.third_party, True),
    "xuancheng.risk.annual_lec": (DH.third_party, True),
    "xuancheng.risk.quarterly_update": (DH.third_party, True),
    "xuancheng.inspection.annual_deep": (DH.third_party, True),
    "xuancheng.inspection.half_year_campaign": (DH.third_party, True),
    "xuancheng.training.citywide_quarterly": (DH.third_party, True),
    "xuancheng.training.tailored_high_risk": (DH.third_party, True),
    "xuancheng.staff.online_learning": (DH.insured, False),
    "xuancheng.site.smart_platform": (DH.insured, False),
    "xuancheng.emergency.annual_drill": (DH.third_party, True),
    "xuancheng.activities.themed": (DH.third_party, True),
    "xuancheng.hazard.notice": (DH.third_party, True),
    "xuancheng.hazard.notice_in_writing": (DH.third_party, True),
    "xuancheng.service.report": (DH.third_party, True),
    "xuancheng.hazard.insured_rectification": (DH.insured, False),
    "xuancheng.archive.images": (DH.third_party, True),
    "xuancheng.archive.retention": (DH.third_party, True),
}


def test_every_rule_names_its_duty_holder():
    own = {r.rule.id: r.rule for r in XC.rules if r.layer == "xuancheng"}
    assert {k: (r.duty_holder, r.service_duty) for k, r in own.items()} == EXPECTED_HOLDERS


@pytest.mark.parametrize(
    ("organised", "fees", "liable"),
    [
        (None, None, DH.insurer),  # AQ 9010 5.3: the insurer that engaged the third party
        ("third_party", "insurer", DH.insurer),  # organising alone does not shift it
        ("third_party", "third_party", None),  # both: the third party itself is liable
    ],
)
def test_third_party_service_duties_follow_aq9010_5_3(organised, fees, liable):
    pol = {"project_grade": "first", "smart_site_platform": False}
    if organised:
        pol |= {"service_organised_by": organised, "service_fees_managed_by": fees}
    rep = run(policy=pol, service_records=[{"id": "T1", "kind": "training"}])
    training = findings(rep, "xuancheng.training.quarterly_comprehensive")[0]
    assert (training.duty_holder, training.liable_party) == (DH.third_party, liable)
    smart = only(rep, "xuancheng.site.smart_platform")  # the insured's own: never shifted
    assert (smart.duty_holder, smart.liable_party) == (DH.insured, None)
    insured_view = {f.rule_id for f in rep.for_party("insured").findings}
    assert "xuancheng.site.smart_platform" in insured_view
    assert "xuancheng.training.quarterly_comprehensive" not in insured_view


# ---- 第十八条 retention ---------------------------------------
@pytest.mark.parametrize(
    ("destroyed", "roll", "status"),
    [
        ("2026-10-03", False, S.violation),  # the last day of the 5 years: still 其间
        ("2026-10-04", False, S.compliant),  # not rolled: the day after is lawful
        ("2026-10-04", True, S.violation),  # rolled past National Day to Thu 10-08
        ("2026-10-09", True, S.compliant),
    ],
)
def test_archive_kept_five_years_end_on_a_holiday(destroyed, roll, status):
    """第十八条 留存期不少于5年: closed Sun 2021-10-03, the 5 years end Sat 2026-10-03 (National
    Day holiday, 10-01..10-07). Not rolled by default (interpretive `roll`)."""
    rs = XC.with_overrides({"xuancheng.archive.retention": {"roll": True}}) if roll else XC
    rep = run(
        as_of=D(2026, 12, 31),
        rs=rs,
        archives=[{"id": "AR", "closed_on": "2021-10-03", "destroyed_on": destroyed}],
    )
    f = only(rep, "xuancheng.archive.retention")
    assert f.status is status
    assert f.trace.due.due_date == (D(2026, 10, 8) if roll else D(2026, 10, 3))


def test_archive_retention_obligation_runs_five_years_from_closing():
    obs = [
        o
        for o in ar.obligations(
            XC,
            case(
                policy={"jurisdiction": "xuancheng"},
                archives=[{"id": "AR", "closed_on": "2026-07-06"}],
            ),
        )
        if o.rule_id == "xuancheng.archive.retention"
    ]
    assert [o.retain_until for o in obs] == [D(2031, 7, 6)]  # a Sunday: not rolled

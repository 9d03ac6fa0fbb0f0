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


def _person(i, years, cert=True, senior=False, **kw):
    """A technical staff member with ``years`` of construction safety management (and of work)."""
    return {
        "id": f"P{i}",
        "role": "technical",
        "years_experience": years,
        "years_safety_management": years,
        "senior_title": senior,
        "certificates": ["registered_safety_engineer"] if cert else [],
        **kw,
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
        "fails 0 senior-titled registered holders with 15+ years of safety management "
        "(at least 1); 2 registered holders with 10+ years of safety management (at least 3); "
        "4 professionals with 5+ years of safety management (at least 5)"
    )


@pytest.mark.parametrize(
    ("org", "status"),
    [
        ({"supervision_grade": "B"}, S.compliant),
        # 七(二) 乙级及以上: 甲级 and 综合资质 are above 乙级 (综合资质 failed before the fix)
        ({"supervision_grade": "A"}, S.compliant),
        ({"supervision_grade": "comprehensive"}, S.compliant),
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
        policy={"works_completed_on": "2030-05-01", "project_completion_on": "2030-06-20"},
        archives=[{"id": "AR", "closed_on": "2026-07-10", "destroyed_on": "2031-07-20"}],
    )
    five = only(rep, "xinzhou.archive.retention")
    two = only(rep, "xinzhou.archive.retention_after_works_completed")
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


# ------------------------------------------------------------------------------------------
# issue 7: duty holders, scope, and the readings a careful lawyer would dispute

DUTIES = {
    # rule: (duty holder, service duty, scope date) — the grammatical subject of each duty
    "xinzhou.policy.per_project": ("contractor", False, "policy"),  # 一: 施工单位投保
    "xinzhou.policy.before_permit": ("contractor", False, "event"),
    "xinzhou.contract.reported_to_authority": ("insured", False, "policy"),  # 二 投保单位
    "xinzhou.premium.single_payment": ("insurer", False, "policy"),  # 四 保险机构
    "xinzhou.premium.no_split_policy": ("insurer", False, "policy"),
    "xinzhou.policy.issued_after_payment": ("insurer", False, "policy"),
    "xinzhou.quote_letter.fields": ("insurer", False, "policy"),
    "xinzhou.policy.fields": ("insurer", False, "policy"),
    "xinzhou.contract.no_extra_fee": ("insurer", True, "event"),  # 四(六) the service's fee
    "xinzhou.insurer.business_licence": ("insurer", False, "policy"),  # 三 承保机构条件
    "xinzhou.insurer.insurance_licence": ("insurer", False, "policy"),
    "xinzhou.insurer.project_lead_experience": ("insurer", False, "policy"),
    "xinzhou.insurer.credit": ("insurer", False, "policy"),
    "xinzhou.third_party.engaged": ("insurer", False, "event"),  # 六 保险机构…应委托
    "xinzhou.registration.service_team": ("insurer", False, "policy"),  # 六 保险机构应…登记
    "xinzhou.archive.retention": ("insurer", False, "event"),  # 六 保险机构应…建立服务档案
    "xinzhou.archive.retention_after_works_completed": ("insurer", False, "event"),
    "xinzhou.archive.retention_after_completion": ("insurer", False, "event"),
    "xinzhou.incident.report": ("insured", False, "event"),  # 六 投保单位出险后
    "xinzhou.third_party.grade_or_experience": ("third_party", False, "event"),  # 七
    "xinzhou.third_party.no_bad_record": ("third_party", False, "event"),
    "xinzhou.third_party.staffing": ("third_party", False, "event"),
    "xinzhou.visit.staffing": ("third_party", True, "event"),  # 八
    "xinzhou.third_party.no_conflict": ("third_party", False, "event"),
    "xinzhou.third_party.no_subcontracting": ("third_party", False, "event"),
    "xinzhou.service.upload": ("third_party", True, "event"),
    "xinzhou.service.report_to_insurer": ("third_party", True, "event"),
    "xinzhou.service.report_to_insured": ("third_party", True, "event"),
    "xinzhou.reports.to_authority": ("third_party", True, "event"),
    "xinzhou.hazard.major_rectified": ("contractor", False, "event"),  # 八(八) 施工单位应…整改
    "xinzhou.hazard.major_rectification_upload": ("contractor", False, "event"),
    "xinzhou.hazard.general_rectified": ("contractor", False, "event"),
    "xinzhou.hazard.general_rectification_upload": ("contractor", False, "event"),
    "xinzhou.claim.prevention_advice": ("insurer", False, "event"),
    "xinzhou.third_party.fixed_team": ("third_party", True, "event"),
    "xinzhou.service.blocked_reported_to_insurer": ("third_party", True, "event"),
    "xinzhou.service.blocked_reported_to_authority": ("third_party", True, "event"),
}


def test_every_rule_names_its_duty_holder_from_the_text():
    """Issue 7 §1: 六 "保险机构承保后，应委托第三方技术服务机构" and "保险机构应在承保出单一个月内…
    登记" are the insurer's duties (both said third_party before the fix)."""
    got = {
        rr.rule.id: (rr.rule.duty_holder.value, rr.rule.service_duty, rr.rule.scope_date.value)
        for rr in XZ.rules
        if rr.layer == "xinzhou"
    }
    assert got == DUTIES


def test_third_party_service_duty_is_the_insurers_liability_unless_transferred():
    """AQ 9010 5.3 on 八(八): the third party uploads, the insurer answers for it by default."""
    rec = {"id": "S1", "kind": "hazard_inspection", "completed_on": "2025-09-30"}
    f = only(run(service_records=[rec]), "xinzhou.service.upload")
    assert (f.duty_holder.value, f.liable_party.value) == ("third_party", "insurer")
    moved = {"service_organised_by": "third_party", "service_fees_managed_by": "third_party"}
    f = only(run(policy=moved, service_records=[rec]), "xinzhou.service.upload")
    assert (f.duty_holder.value, f.liable_party) == ("third_party", None)
    ours = only(run(policy={"premium_installments": 2}), "xinzhou.premium.single_payment")
    assert (ours.duty_holder.value, ours.liable_party) == ("insurer", None)


# 一 ¶2 "已购买安责险的在建项目应满足本通知中关于事故预防技术服务和理赔的相关要求": a policy issued
# before the notice takes effect owes the service and claims duties for later events. The
# in-force date below is hypothetical (the text gives none).
IN_FORCE = D(2025, 9, 1)
XZ_DATED = ar.load_ruleset("xinzhou", in_force={"xinzhou": IN_FORCE})


def test_policy_in_force_before_the_notice_owes_service_and_claims_duties_for_later_events():
    """Before the fix every Xinzhou rule said not_applicable for a policy issued before the
    in-force date."""
    rep = run_case(
        XZ_DATED,
        D(2026, 7, 31),
        policy={
            "issued_on": "2025-06-25",
            "term_start": "2025-07-01",
            "construction_permit_on": "2025-06-20",  # issued after the permit
            "premium_installments": 2,
        },
        service_records=[
            {"id": "S-before", "kind": "hazard_inspection", "completed_on": "2025-08-29"},
            # Tue 09-30: the next working day is Thu 10-09 (National Day)
            {
                "id": "S-after",
                "kind": "hazard_inspection",
                "completed_on": "2025-09-30",
                "uploaded_on": "2025-10-10",
            },
        ],
        hazards=[
            {"id": "M-before", "grade": "major", "found_on": "2025-08-31"},
            {
                "id": "M-after",
                "grade": "major",
                "found_on": "2025-09-01",
                "rectified_on": "2025-09-02",
            },
        ],
        incidents=[
            {"id": "I-before", "occurred_at": "2025-08-31T09:00:00"},
            {
                "id": "I-after",
                "occurred_at": "2025-09-01T09:00:00",
                "reported_at": "2025-09-02T09:00:01",
            },
        ],
    )
    # underwriting duties: the policy's issue date decides
    f = only(rep, "xinzhou.premium.single_payment")
    assert f.status is S.not_applicable
    assert f.reason == (
        "does not apply: policy issued 2025-06-25, before xinzhou took effect on 2025-09-01"
    )
    # insuring before the permit: the permit's date decides (一 ¶1: a project permitted before
    # the notice insures afterwards)
    f = only(rep, "xinzhou.policy.before_permit")
    assert f.status is S.not_applicable
    assert f.reason == (
        "does not apply: construction_permit_on 2025-06-20 is before xinzhou took effect on "
        "2025-09-01"
    )
    # service and claims duties: each event's date decides
    up = {f.subject: f for f in findings(rep, "xinzhou.service.upload")}
    assert up["service_records/S-before"].status is S.not_applicable
    assert up["service_records/S-before"].reason == (
        "does not apply: completed_on 2025-08-29 is before xinzhou took effect on 2025-09-01"
    )
    assert up["service_records/S-after"].status is S.violation
    assert up["service_records/S-after"].trace.due.due_date == D(2025, 10, 9)
    major = {f.subject: f.status for f in findings(rep, "xinzhou.hazard.major_rectified")}
    assert major == {"hazards/M-before": S.not_applicable, "hazards/M-after": S.violation}
    inc = {f.subject: f.status for f in findings(rep, "xinzhou.incident.report")}
    assert inc == {"incidents/I-before": S.not_applicable, "incidents/I-after": S.violation}


def test_policy_whose_term_ended_before_the_notice_owes_nothing():
    rep = run_case(
        XZ_DATED,
        D(2026, 7, 31),
        policy={"issued_on": "2024-06-25", "term_start": "2024-07-01", "term_end": "2025-08-31"},
        service_records=[{"id": "S1", "kind": "hazard_inspection", "completed_on": "2025-08-29"}],
    )
    f = only(rep, "xinzhou.service.upload")
    assert (f.status, f.reason) == (
        S.not_applicable,
        "does not apply: the policy's term ended 2025-08-31, before xinzhou took effect on "
        "2025-09-01",
    )


def test_trial_counts_the_issue_day_and_ends_a_year_less_a_day_later():
    """九 "本通知自印发之日起实施，试行期为1年": from 2025-03-01 the trial's last day is
    2026-02-28. (The in-force date is hypothetical.)"""
    rs = ar.load_ruleset("xinzhou", in_force={"xinzhou": D(2025, 3, 1)})
    assert rs.layer("xinzhou").effective.expires == D(2026, 2, 28)

    def judged(issued: str, done: str) -> tuple[S, S]:
        rep = run_case(
            rs,
            D(2026, 7, 31),
            policy={"issued_on": issued, "term_start": issued, "term_end": "2026-12-31"},
            service_records=[
                {"id": "S", "kind": "hazard_inspection", "completed_on": done, "uploaded_on": done}
            ],
        )
        return (
            only(rep, "xinzhou.premium.single_payment").status,
            only(rep, "xinzhou.service.upload").status,
        )

    assert judged("2026-02-28", "2026-02-28") == (S.insufficient_data, S.compliant)
    assert judged("2026-03-01", "2026-03-01") == (S.not_applicable, S.not_applicable)


REGISTERED = "registered_safety_engineer"


def test_only_the_seven_listed_certificates_count_and_others_are_accepted():
    """七 注 lists seven 注册执业证书. A 二级建造师 is accepted as input but does not count
    toward 七(五) (before the fix any certificate counted)."""
    staff = [
        _person(0, 16, senior=True),
        _person(1, 11),
        _person(2, 10, certificates=["二级建造师"]),
        _person(3, 6, cert=False),
        _person(4, 5, cert=False),
    ]
    rep = run(organisations=[_tp(staff)])
    assert not rep.input_issues
    f = only(rep, "xinzhou.third_party.staffing")
    assert f.status is S.violation
    assert f.reason == "fails 2 registered holders with 10+ years of safety management (at least 3)"
    staff[2] = _person(2, 10, certificates=["二级建造师", "civil_engineer"])
    ok = only(run(organisations=[_tp(staff)]), "xinzhou.third_party.staffing")
    assert ok.status is S.compliant


@pytest.mark.parametrize(
    "cert",
    [
        "registered_safety_engineer",
        "constructor_first_class",
        "architect_first_class",
        "structural_engineer_first_class",
        "supervising_engineer",
        "fire_engineer",
        "civil_engineer",
    ],
)
def test_each_listed_certificate_counts(cert):
    staff = [_person(i, 15, senior=True, certificates=[cert]) for i in range(3)]
    staff += [_person(3, 5, cert=False), _person(4, 5, cert=False)]
    f = only(run(organisations=[_tp(staff)]), "xinzhou.third_party.staffing")
    assert f.status is S.compliant


def test_staffing_counts_years_of_construction_safety_management_not_any_work():
    """七(五) "具有5年以上从事建筑行业领域安全管理工作经验": 20 years of work of which 4 in safety
    management do not count (before the fix years_experience counted)."""
    staff = [
        _person(0, 16, senior=True),
        _person(1, 11),
        _person(2, 10),
        _person(3, 6, cert=False),
        {**_person(4, 4, cert=False), "years_experience": 20},
    ]
    f = only(run(organisations=[_tp(staff)]), "xinzhou.third_party.staffing")
    assert f.status is S.violation
    assert f.reason == "fails 4 professionals with 5+ years of safety management (at least 5)"


@pytest.mark.parametrize(
    ("who", "years", "status"),
    [
        # group 1: senior title, registered, 15 years (exactly 15 counts; 14 does not)
        (0, 15, S.compliant),
        (0, 14, S.violation),
        # group 2: registered, 10 years (three people needed: P0, P1, P2)
        (2, 10, S.compliant),
        (2, 9, S.violation),
        # group 3: 5 years (five people needed)
        (4, 5, S.compliant),
        (4, 4, S.violation),
    ],
)
def test_staffing_year_thresholds_are_inclusive(who, years, status):
    base = [(16, True, True), (11, True, False), (10, True, False), (6, False, False)]
    base.append((5, False, False))
    staff = [_person(i, y, cert=c, senior=s) for i, (y, c, s) in enumerate(base)]
    staff[who] = _person(who, years, cert=base[who][1], senior=base[who][2])
    f = only(run(organisations=[_tp(staff)]), "xinzhou.third_party.staffing")
    assert f.status is status


def test_staffing_head_counts_are_exact():
    """1, 3 and 5 people: one fewer fails; the minimum passes (pins the min counts)."""
    one_senior = [_person(0, 15, senior=True), _person(1, 10), _person(2, 10)]
    one_senior += [_person(3, 5, cert=False), _person(4, 5, cert=False)]
    assert only(run(organisations=[_tp(one_senior)]), "xinzhou.third_party.staffing").status is (
        S.compliant
    )
    no_senior = [{**p, "senior_title": False} for p in one_senior]
    f = only(run(organisations=[_tp(no_senior)]), "xinzhou.third_party.staffing")
    assert f.reason.startswith("fails 0 senior-titled registered holders")
    four = one_senior[:4]
    f = only(run(organisations=[_tp(four)]), "xinzhou.third_party.staffing")
    assert f.reason == "fails 4 professionals with 5+ years of safety management (at least 5)"
    two_registered = [one_senior[0], one_senior[1], _person(2, 10, cert=False)]
    two_registered += one_senior[3:]
    f = only(run(organisations=[_tp(two_registered)]), "xinzhou.third_party.staffing")
    assert f.reason == "fails 2 registered holders with 10+ years of safety management (at least 3)"


def test_insurer_project_lead_needs_five_years_of_work():
    """三(四) 项目负责人工作年限不少于5年: any work counts (years_experience); exactly 5 passes."""

    def status(years: float) -> S:
        ins = {
            "id": "INS",
            "role": "insurer",
            "staff": [
                {
                    "id": "L",
                    "role": "project_lead",
                    "years_experience": years,
                    "years_safety_management": 0,
                }
            ],
        }
        return only(run(organisations=[ins]), "xinzhou.insurer.project_lead_experience").status

    assert (status(5), status(4)) == (S.compliant, S.violation)


THIRD_PARTY_RULES = (
    "xinzhou.third_party.grade_or_experience",
    "xinzhou.third_party.no_bad_record",
    "xinzhou.third_party.staffing",
    "xinzhou.third_party.no_conflict",
    "xinzhou.third_party.no_subcontracting",
)


def test_missing_third_party_is_insufficient_data_and_not_engaging_one_breaches_six():
    """六 "保险机构承保后，应委托第三方技术服务机构": with no third party in the input its
    qualifications cannot be judged (before the fix: not_applicable)."""
    rep = run(policy={"third_party_engaged": True})
    for rid in THIRD_PARTY_RULES:
        f = only(rep, rid)
        assert (f.status, f.reason) == (
            S.insufficient_data,
            "the input has no organisations matching role eq third_party; the rule needs one",
        ), rid
    assert only(rep, "xinzhou.third_party.engaged").status is S.compliant
    rep = run(policy={"third_party_engaged": False})
    assert only(rep, "xinzhou.third_party.engaged").status is S.violation
    assert only(rep, "xinzhou.insurer.credit").status is S.insufficient_data


def test_policy_issued_before_full_payment_is_a_violation():
    """四(三) "保险机构应在一次性收取全额保费后及时出具保险单": issuing first is a breach (before
    the fix: data_error)."""
    rep = run(policy={"premium_paid_on": "2025-03-05", "issued_on": "2025-03-04"})
    f = only(rep, "xinzhou.policy.issued_after_payment")
    assert (f.status, f.reason) == (
        S.violation,
        "issued_on 2025-03-04 is before premium_paid_on 2025-03-05",
    )


@pytest.mark.parametrize(
    ("reported", "status"),
    [("2025-10-10", S.compliant), ("2025-10-11", S.violation)],
)
def test_contract_reported_to_the_authority_promptly(reported, status):
    """二 "保险合同签订后，投保单位要及时报告" (及时 read as 5 working days): Fri 2025-09-26 +
    5 working days = 10-10 (Sun 09-28 is a make-up working day; 10-01..10-08 are off)."""
    rep = run(policy={"issued_on": "2025-09-26", "contract_reported_to_authority_on": reported})
    f = only(rep, "xinzhou.contract.reported_to_authority")
    assert (f.status, f.trace.due.due_date) == (status, D(2025, 10, 10))
    assert f.duty_holder.value == "insured"


def test_service_reports_to_insurer_and_insured():
    """八(四) "并向保险机构和投保单位出具相关服务报告", read as due with the upload (first
    working day after the service): Tue 2025-09-30 -> Thu 10-09."""
    rep = run(
        service_records=[
            {
                "id": "S1",
                "kind": "hazard_inspection",
                "completed_on": "2025-09-30",
                "report_to_insurer_on": "2025-10-09",
                "report_to_insured_on": "2025-10-10",
            }
        ]
    )
    ins = only(rep, "xinzhou.service.report_to_insurer")
    assert (ins.status, ins.trace.due.due_date) == (S.compliant, D(2025, 10, 9))
    assert only(rep, "xinzhou.service.report_to_insured").status is S.violation


def _report(i: int, day: str) -> dict:
    return {"id": f"R{i}", "period": "quarter", "submitted_to_authority_on": day}


def test_periodic_reports_to_the_authority_each_quarter():
    """八(五) 定期报送 read as once a calendar quarter; the policy term 2025-07-01..2026-06-30."""
    days = ["2025-09-30", "2025-10-01", "2026-03-31"]
    rep = run(periodic_reports=[_report(i, d) for i, d in enumerate(days)])
    got = {f.trace.window.start: f.status for f in findings(rep, "xinzhou.reports.to_authority")}
    assert got == {
        D(2025, 7, 1): S.compliant,
        D(2025, 10, 1): S.compliant,
        D(2026, 1, 1): S.compliant,
        D(2026, 4, 1): S.violation,
    }


def test_major_hazard_immediately_alternative_reading_is_the_inspections_time_limit():
    """八(八) 立即: the default is the same day; the documented alternative (the time limit set at
    the inspection) is an override of the same rule."""
    hz = {
        "id": "M",
        "grade": "major",
        "found_on": "2026-02-13",
        "rectification_due_on": "2026-02-26",
        "rectified_on": "2026-02-25",
    }
    assert only(run(hazards=[hz]), "xinzhou.hazard.major_rectified").status is S.violation
    alt = ar.load_ruleset(
        "xinzhou",
        overrides={
            "xinzhou.hazard.major_rectified": {
                "trigger": "rectification_due_on",
                "early_action": "on_time",
            }
        },
    )
    f = only(run_case(alt, D(2026, 7, 31), hazards=[hz]), "xinzhou.hazard.major_rectified")
    assert (f.status, f.trace.due.due_date) == (S.compliant, D(2026, 2, 26))


def test_general_hazard_without_a_set_time_limit_cannot_be_judged():
    """八(八) 规定时间: read as the time limit set for the hazard; none recorded -> no verdict."""
    hz = {"id": "G", "grade": "general", "found_on": "2026-03-02", "rectified_on": "2026-03-05"}
    f = only(run(hazards=[hz]), "xinzhou.hazard.general_rectified")
    assert (f.status, f.reason) == (
        S.insufficient_data,
        "no rectification_due_on: cannot start the period",
    )


def test_two_years_run_from_completion_of_the_works_not_acceptance():
    """六 "工程完工后保留不少于2年": 完工 (works_completed_on), not 竣工验收. Works completed
    2030-03-01, accepted 2030-05-01: destroying on 2032-04-01 is after the 2 years (before the
    fix the acceptance date counted and this was a violation)."""
    rep = run(
        as_of=D(2032, 8, 1),
        policy={"works_completed_on": "2030-03-01", "project_completion_on": "2030-05-01"},
        archives=[{"id": "AR", "closed_on": "2026-07-10", "destroyed_on": "2032-04-01"}],
    )
    f = only(rep, "xinzhou.archive.retention_after_works_completed")
    assert (f.status, f.trace.due.due_date) == (S.compliant, D(2032, 3, 1))
    fallback = only(rep, "xinzhou.archive.retention_after_completion")
    assert (fallback.status, fallback.reason) == (
        S.not_applicable,
        "does not apply: policy.works_completed_on absent",
    )


def test_without_a_completion_date_acceptance_stands_in():
    """The documented fallback: only 竣工验收 known (2030-05-01) -> kept to 2032-05-01."""
    rep = run(
        as_of=D(2032, 8, 1),
        policy={"project_completion_on": "2030-05-01"},
        archives=[{"id": "AR", "closed_on": "2026-07-10", "destroyed_on": "2032-04-01"}],
    )
    f = only(rep, "xinzhou.archive.retention_after_completion")
    assert (f.status, f.trace.due.due_date) == (S.violation, D(2032, 5, 1))
    assert only(rep, "xinzhou.archive.retention_after_works_completed").status is (S.not_applicable)


def test_five_year_retention_boundary():
    """Closed 2026-07-10: kept to 2031-07-10 inclusive; destroyed that day is too early."""

    def status(gone: str) -> S:
        rep = run(
            as_of=D(2031, 8, 1),
            archives=[{"id": "AR", "closed_on": "2026-07-10", "destroyed_on": gone}],
        )
        return only(rep, "xinzhou.archive.retention").status

    assert (status("2030-07-11"), status("2031-07-10"), status("2031-07-11")) == (
        S.violation,
        S.violation,
        S.compliant,
    )


def test_retention_end_on_a_rest_day_is_not_rolled_unless_overridden():
    """Closed / works completed on 2021-02-17 and 2024-02-17: 5 and 2 years end on 2026-02-17,
    in the Spring Festival holiday (02-15..02-23). Not rolled by default: destroying on 02-18 is
    after the end; with roll: true the end moves to Tue 02-24 and 02-18 is too early."""
    parts = {
        "as_of": D(2026, 7, 31),
        "policy": {"works_completed_on": "2024-02-17"},
        "archives": [{"id": "AR", "closed_on": "2021-02-17", "destroyed_on": "2026-02-18"}],
    }
    rep = run(**parts)
    for rid in ("xinzhou.archive.retention", "xinzhou.archive.retention_after_works_completed"):
        f = only(rep, rid)
        assert (f.status, f.trace.due.due_date) == (S.compliant, D(2026, 2, 17)), rid
    rolled = ar.load_ruleset(
        "xinzhou",
        overrides={
            "xinzhou.archive.retention": {"roll": True},
            "xinzhou.archive.retention_after_works_completed": {"roll": True},
        },
    )
    rep = run_case(rolled, **parts)
    for rid in ("xinzhou.archive.retention", "xinzhou.archive.retention_after_works_completed"):
        f = only(rep, rid)
        assert (f.status, f.trace.due.due_date) == (S.violation, D(2026, 2, 24)), rid


@pytest.mark.parametrize(
    ("issued", "status"), [("2025-10-10", S.compliant), ("2025-10-11", S.violation)]
)
def test_policy_issued_within_five_working_days_across_national_day(issued, status):
    """四(三) 及时 read as 5 working days: paid Fri 2025-09-26 -> due 10-10 (Sun 09-28 is a
    make-up working day, 10-01..10-08 off); 5 calendar days would end 10-01 -> 10-09."""
    rep = run(policy={"premium_paid_on": "2025-09-26", "issued_on": issued})
    f = only(rep, "xinzhou.policy.issued_after_payment")
    assert (f.status, f.trace.due.due_date) == (status, D(2025, 10, 10))


@pytest.mark.parametrize(("fee", "status"), [(0, S.compliant), (1, S.violation)])
def test_no_fee_on_top_of_the_premium(fee, status):
    """四(六) 不应另外收取费用: any fee, even 1 元, is prohibited."""
    rec = {"id": "S1", "kind": "training", "completed_on": "2025-09-30", "extra_fee": fee}
    assert only(run(service_records=[rec]), "xinzhou.contract.no_extra_fee").status is status


@pytest.mark.parametrize(("count", "status"), [(0, S.violation), (1, S.compliant)])
def test_visit_needs_one_technical_staff_member_besides_the_lead(count, status):
    """八(二) 项目负责人必须到场，且技术服务人员不少于1名."""
    rec = {
        "id": "S1",
        "kind": "hazard_inspection",
        "completed_on": "2025-09-30",
        "project_lead_present": True,
        "technical_staff_count": count,
    }
    assert only(run(service_records=[rec]), "xinzhou.visit.staffing").status is status


@pytest.mark.parametrize(("per_project", "status"), [(True, S.compliant), (False, S.violation)])
def test_insured_project_by_project(per_project, status):
    """一 "均须以项目为单位…投保安责险"."""
    f = only(run(policy={"per_project": per_project}), "xinzhou.policy.per_project")
    assert (f.status, f.duty_holder.value) == (status, "contractor")


@pytest.mark.parametrize(("licence", "status"), [(True, S.compliant), (False, S.violation)])
def test_insurer_business_licence(licence, status):
    """三(一) "承保机构须具备有效的营业执照"; no insurer in the input is insufficient data."""
    ins = {"id": "INS", "role": "insurer", "business_licence": licence}
    assert only(run(organisations=[ins]), "xinzhou.insurer.business_licence").status is status
    assert only(run(), "xinzhou.insurer.business_licence").status is S.insufficient_data


# ---- 六 ¶8, 八(二), 八(五) ¶2: encoded once the test kit generated their fields ---------------
@pytest.mark.parametrize(
    ("advice", "status"),
    [("2025-10-16", S.compliant), ("2025-10-17", S.violation), (None, S.violation)],
)
def test_prevention_advice_within_ten_working_days_after_the_claim(advice, status):
    """六: 理赔结束后…提出…建议 (10 working days, a reading). Claim closed Fri 2025-09-26: Sun
    09-28 (make-up) 1, 09-29 2, 09-30 3, National Day 10-01..10-08 off, 10-09 4, 10-10 5,
    Sat 10-11 (make-up) 6, 10-13 7, 10-14 8, 10-15 9, Thu 10-16 10."""
    inc = {"id": "I1", "occurred_at": "2025-09-01T09:00:00", "claim_closed_on": "2025-09-26"}
    if advice:
        inc["prevention_advice_on"] = advice
    f = only(run(incidents=[inc]), "xinzhou.claim.prevention_advice")
    assert f.trace.due.due_date == D(2025, 10, 16)
    assert f.status is status
    open_claim = {"id": "I2", "occurred_at": "2025-09-01T09:00:00"}
    f = only(run(incidents=[open_claim]), "xinzhou.claim.prevention_advice")
    assert f.status is S.not_applicable  # no claim closed yet


@pytest.mark.parametrize(
    ("fixed", "status"),
    [(True, S.compliant), (False, S.violation), (None, S.insufficient_data)],
)
def test_third_party_keeps_a_fixed_project_team(fixed, status):
    """八(二) 每个施工项目须设置固定的项目服务团队."""
    org = {"id": "TP", "role": "third_party", "fixed_project_team": fixed}
    assert only(run(organisations=[org]), "xinzhou.third_party.fixed_team").status is status
    f = only(run(organisations=[]), "xinzhou.third_party.fixed_team")
    assert f.status is S.insufficient_data  # 六: a third party is required


@pytest.mark.parametrize(
    ("insurer", "authority", "statuses"),
    [
        # the service was to start Tue 2025-09-30; the next working day is Thu 10-09
        ("2025-10-09", "2025-10-09", (S.compliant, S.compliant)),
        ("2025-10-09", "2025-10-10", (S.compliant, S.violation)),
        (None, "2025-09-30", (S.violation, S.compliant)),
    ],
)
def test_a_service_the_project_prevents_is_reported_promptly(insurer, authority, statuses):
    """八(五) ¶2 由于项目方原因无法提供事故预防技术服务的，应及时报告保险机构和相关建设
    行政管理部门 (及时: the first working day after the day the service was to be performed)."""
    rec = {
        "id": "B1",
        "kind": "hazard_inspection",
        "started_on": "2025-09-30",
        "blocked_by_project": True,
        "blocked_reported_to_insurer_on": insurer,
        "blocked_reported_to_authority_on": authority,
    }
    rep = run(service_records=[rec])
    got = (
        only(rep, "xinzhou.service.blocked_reported_to_insurer").status,
        only(rep, "xinzhou.service.blocked_reported_to_authority").status,
    )
    assert got == statuses
    due = only(rep, "xinzhou.service.blocked_reported_to_insurer").trace.due.due_date
    assert due == D(2025, 10, 9)
    ok = {**rec, "blocked_by_project": False}
    rep = run(service_records=[ok])
    assert only(rep, "xinzhou.service.blocked_reported_to_insurer").status is S.not_applicable
    # a record without the flag is a service that went ahead: nothing owed, nothing unknown
    plain = {"id": "V1", "kind": "hazard_inspection", "started_on": "2025-09-30"}
    rep = run(service_records=[plain])
    assert only(rep, "xinzhou.service.blocked_reported_to_insurer").status is S.not_applicable


# ---- audit follow-ups --------------------------------------------------------------------------
def test_project_permitted_before_the_notice_is_not_judged_on_insuring_before_its_permit():
    """一 ¶1 本通知印发前，已取得施工许可证的项目…应当增加或将其调整为安责险: such a project can
    only insure after its permit. Before the fix: a violation (issued 2025-07-01 > permit 03-01)."""
    pol = {
        "issued_on": "2025-07-01",
        "term_start": "2025-07-01",
        "construction_permit_on": "2025-03-01",
    }
    rep = run_case(XZ_DATED, D(2026, 7, 31), policy=pol)
    assert only(rep, "xinzhou.policy.before_permit").status is S.not_applicable
    later = {**pol, "construction_permit_on": "2025-09-10"}  # permitted under the notice
    rep = run_case(XZ_DATED, D(2026, 7, 31), policy=later)
    assert only(rep, "xinzhou.policy.before_permit").status is S.compliant
    rep = run_case(
        XZ_DATED,
        D(2026, 7, 31),
        policy={**later, "issued_on": "2025-09-11", "term_start": "2025-09-11"},
    )
    assert only(rep, "xinzhou.policy.before_permit").status is S.violation


def test_a_listed_third_party_shows_it_was_engaged():
    """六 应委托第三方技术服务机构: the organisation in the case is proof enough (was
    insufficient_data without the flag)."""
    org = {"id": "TP", "role": "third_party"}
    rep = run(policy={"third_party_engaged": None}, organisations=[org])
    assert only(rep, "xinzhou.third_party.engaged").status is S.compliant
    rep = run(policy={"third_party_engaged": None}, organisations=[])
    assert only(rep, "xinzhou.third_party.engaged").status is S.insufficient_data


@pytest.mark.parametrize(
    ("uploaded", "as_of", "status"),
    [
        (None, D(2025, 10, 10), S.pending),  # rectified 10-09, due 10-10: not yet late
        (None, D(2025, 10, 11), S.violation),
        ("2025-10-10", D(2026, 7, 31), S.compliant),
        ("2025-10-11", D(2026, 7, 31), S.violation),
    ],
)
def test_general_hazard_upload_is_owed_by_the_rectification_time(uploaded, as_of, status):
    """八(八) 应在规定时间内完成整改，并…上传整改情况: the upload is owed within the same time.
    Before the fix a general hazard rectified today was a violation at once, stricter than the
    major hazard's 立即 (same day)."""
    hz = {
        "id": "H",
        "grade": "general",
        "found_on": "2025-09-26",
        "rectified_on": "2025-10-09",
        "rectification_due_on": "2025-10-10",
        "rectification_uploaded_on": uploaded,
    }
    f = only(run(as_of, hazards=[hz]), "xinzhou.hazard.general_rectification_upload")
    assert f.status is status

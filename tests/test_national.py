"""AQ 9010-2019 (national): hand-computed cases for every rule, across real holidays."""

from __future__ import annotations

import datetime as dt

import pytest

import ansafe_rules as ar

from .conftest import case, findings, only

D = dt.date
S = ar.Status
AS_OF = D(2026, 7, 31)


def run(rs: ar.ResolvedRuleset, as_of: dt.date = AS_OF, **parts) -> ar.Report:
    return ar.evaluate(rs, case(**parts), as_of=as_of)


def svc(i: str, **kw) -> dict:
    return {"id": i, "kind": kw.pop("kind", "hazard_inspection"), **kw}


# ---- 6.3 callback within 5 working days ------------------------------------------------------
@pytest.mark.parametrize(
    ("completed", "callback", "status", "due"),
    [
        ("2025-09-26", "2025-10-10", S.compliant, D(2025, 10, 10)),  # across National Day
        ("2025-09-26", "2025-10-11", S.violation, D(2025, 10, 10)),  # the make-up Saturday
        ("2025-09-28", "2025-10-11", S.compliant, D(2025, 10, 11)),  # from the make-up Sunday
        ("2026-02-12", "2026-02-26", S.compliant, D(2026, 2, 26)),  # across Spring Festival
        ("2026-02-12", "2026-02-27", S.violation, D(2026, 2, 26)),
        ("2026-04-30", "2026-05-11", S.compliant, D(2026, 5, 11)),  # May Day; Sat 05-09 worked
        ("2026-04-30", "2026-05-12", S.violation, D(2026, 5, 11)),
        ("2026-03-10", "2026-03-09", S.data_error, D(2026, 3, 17)),  # callback before service
    ],
)
def test_callback(national, completed, callback, status, due) -> None:
    rep = run(national, service_records=[svc("S1", completed_on=completed, callback_on=callback)])
    f = only(rep, "national.service.callback")
    assert f.status is status, f.reason
    assert f.trace.due.due_date == due
    assert f.trace.citation.clause == "6.3"
    assert f.layer == "national"


def test_callback_missing_is_pending_then_violation(national) -> None:
    recs = [svc("S1", completed_on="2026-02-12")]
    assert (
        only(
            run(national, D(2026, 2, 26), service_records=recs), "national.service.callback"
        ).status
        is S.pending
    )
    late = only(run(national, D(2026, 2, 27), service_records=recs), "national.service.callback")
    assert late.status is S.violation
    assert "due by 2026-02-26" in late.reason


def test_callback_late_reports_working_days_late(national) -> None:
    rep = run(
        national, service_records=[svc("S1", completed_on="2025-09-26", callback_on="2025-10-13")]
    )
    assert "2 working day(s) late" in only(rep, "national.service.callback").reason


def test_callback_without_completion_date_is_insufficient(national) -> None:
    rep = run(national, service_records=[svc("S1", callback_on="2025-10-13")])
    assert only(rep, "national.service.callback").status is S.insufficient_data


# ---- 6.3 record compilation, fields, confirmation ----------------------------------------------
def test_record_compiled_within_10_working_days(national) -> None:
    # Tue 2025-09-30 + 10 workdays: 10-09, 10, 11(Sat), 13..17, 20, 21
    ok = run(
        national,
        service_records=[svc("S1", completed_on="2025-09-30", record_compiled_on="2025-10-21")],
    )
    assert only(ok, "national.service.record_compilation").status is S.compliant
    late = run(
        national,
        service_records=[svc("S1", completed_on="2025-09-30", record_compiled_on="2025-10-22")],
    )
    assert only(late, "national.service.record_compilation").status is S.violation


def test_record_fields(national) -> None:
    full = svc(
        "S1",
        completed_on="2026-03-02",
        place="工地",
        organisation="第三方",
        staff=["张三"],
        content="隐患排查",
        process="现场检查",
        callback_on="2026-03-03",
    )
    assert (
        only(run(national, service_records=[full]), "national.service.record_fields").status
        is S.compliant
    )
    part = {k: v for k, v in full.items() if k not in ("place", "staff")}
    f = only(run(national, service_records=[part]), "national.service.record_fields")
    assert f.status is S.violation and f.reason == "missing place; staff"


def test_callback_record_contents_only_when_called_back(national) -> None:
    rep = run(
        national,
        service_records=[
            svc(
                "S1",
                completed_on="2026-03-02",
                callback_on="2026-03-03",
                callback_method="电话",
                satisfaction="satisfied",
                callback_opinion="无",
            ),
            svc(
                "S2", completed_on="2026-03-02", callback_on="2026-03-03", satisfaction="satisfied"
            ),
            svc("S3", completed_on="2026-03-02"),
        ],
    )
    got = {f.subject: f.status for f in findings(rep, "national.service.callback_record")}
    assert got == {"service_records/S1": S.compliant, "service_records/S2": S.violation}


def test_archive_after_confirmation(national) -> None:
    rep = run(
        national,
        service_records=[
            svc(
                "A",
                completed_on="2026-03-02",
                insured_confirmed_on="2026-03-05",
                archived_on="2026-03-06",
            ),
            svc(
                "B",
                completed_on="2026-03-02",
                insured_confirmed_on="2026-03-07",
                archived_on="2026-03-06",
            ),
            svc("C", completed_on="2026-03-02", archived_on="2026-03-06"),
        ],
    )
    got = {
        f.subject: f.status for f in findings(rep, "national.service.archive_after_confirmation")
    }
    assert got == {
        "service_records/A": S.compliant,
        "service_records/B": S.violation,
        "service_records/C": S.violation,
    }


def test_prior_confirmation(national) -> None:
    rep = run(
        national,
        service_records=[
            svc("A", started_on="2026-03-02", confirmed_with_insured_on="2026-02-27"),
            svc("B", started_on="2026-03-02", confirmed_with_insured_on="2026-03-03"),
            svc("C", confirmed_with_insured_on="2026-03-03"),
        ],
    )
    got = {f.subject: f.status for f in findings(rep, "national.service.prior_confirmation")}
    assert got == {
        "service_records/A": S.compliant,
        "service_records/B": S.violation,
        "service_records/C": S.insufficient_data,
    }


# ---- 6.4 complaints ---------------------------------------------------------------------------
def test_complaint_reply_5_and_10_working_days(national) -> None:
    rep = run(
        national,
        complaints=[
            # received Fri 2025-09-26: 5 workdays -> 10-10; 10 workdays -> 10-16
            # (Sun 09-28, 29, 30, 10-09, 10, Sat 10-11, 13, 14, 15, 16)
            {
                "id": "C1",
                "received_on": "2025-09-26",
                "needs_verification": False,
                "replied_on": "2025-10-10",
            },
            {
                "id": "C2",
                "received_on": "2025-09-26",
                "needs_verification": False,
                "replied_on": "2025-10-13",
            },
            {
                "id": "C3",
                "received_on": "2025-09-26",
                "needs_verification": True,
                "replied_on": "2025-10-16",
            },
            {
                "id": "C4",
                "received_on": "2025-09-26",
                "needs_verification": True,
                "replied_on": "2025-10-17",
            },
            {"id": "C5", "received_on": "2025-09-26", "replied_on": "2025-10-20"},
            # the 6th working day is the make-up Saturday 10-11: one day late
            {
                "id": "C6",
                "received_on": "2025-09-26",
                "needs_verification": False,
                "replied_on": "2025-10-11",
            },
        ],
    )
    five = {f.subject: f.status for f in findings(rep, "national.complaint.reply")}
    ten = {f.subject: f for f in findings(rep, "national.complaint.reply_after_verification")}
    assert five["complaints/C1"] is S.compliant and five["complaints/C2"] is S.violation
    assert five["complaints/C6"] is S.violation
    c1 = next(f for f in findings(rep, "national.complaint.reply") if f.subject == "complaints/C1")
    assert c1.trace.due.due_date == D(2025, 10, 10)
    assert ten["complaints/C3"].status is S.compliant
    assert ten["complaints/C3"].trace.due.due_date == D(2025, 10, 16)
    assert ten["complaints/C4"].status is S.violation
    # C5 does not say whether verification was needed: both rules say so, neither guesses
    assert five["complaints/C5"] is S.insufficient_data
    assert ten["complaints/C5"].status is S.insufficient_data


def test_complaint_reply_contents(national) -> None:
    rep = run(
        national,
        complaints=[
            {
                "id": "C1",
                "received_on": "2026-03-02",
                "needs_verification": False,
                "replied_on": "2026-03-03",
                "reply_contents": ["complainant_request", "facts_and_basis"],
            },
        ],
    )
    f = only(rep, "national.complaint.reply_contents")
    assert f.status is S.violation and f.reason == "missing reply_contents: handling_measures"


# ---- 6.2 major hazards ------------------------------------------------------------------------
def test_major_hazard_notice_next_working_day(national) -> None:
    rep = run(
        national,
        hazards=[
            # found on the last working day before National Day: next working day is 10-09
            {
                "id": "H1",
                "grade": "major",
                "found_on": "2025-09-30",
                "insured_informed_on": "2025-10-09",
            },
            {
                "id": "H2",
                "grade": "major",
                "found_on": "2026-02-13",
                "insured_informed_on": "2026-02-24",
            },  # 02-14 (make-up Saturday) was the day
            {"id": "H3", "grade": "general", "found_on": "2026-02-13"},
        ],
    )
    got = {f.subject: f for f in findings(rep, "national.hazard.major_notice")}
    assert set(got) == {"hazards/H1", "hazards/H2"}
    assert got["hazards/H1"].status is S.compliant
    assert got["hazards/H2"].status is S.violation
    assert got["hazards/H2"].trace.due.due_date == D(2026, 2, 14)
    assert got["hazards/H1"].trace.interpretive["period"].startswith("及时")
    assert got["hazards/H1"].severity.value == "critical"


# ---- 4.1 contract ------------------------------------------------------------------------------
def test_contract_frequency_per_policy_quarter(national) -> None:
    rep = run(
        national,
        as_of=D(2026, 2, 1),
        policy={
            "contract_services": [
                {"service_kind": "hazard_inspection", "min_count": 1, "per": "quarter"}
            ]
        },
        service_records=[
            svc("S1", completed_on="2025-09-30"),
            svc("S2", kind="training", completed_on="2025-11-03"),
        ],
    )
    got = [
        (f.trace.window.start, f.status)
        for f in findings(rep, "national.contract.service_frequency")
    ]
    assert got == [
        (D(2025, 7, 1), S.compliant),
        (D(2025, 10, 1), S.violation),
        (D(2026, 1, 1), S.pending),
        (D(2026, 4, 1), S.pending),
    ]


def test_contract_must_state_services_and_no_extra_fee(national) -> None:
    # 4.1 不应另行收取费用: any fee, however small (S3: 1 yuan), is a violation
    rep = run(
        national, service_records=[svc("S1", extra_fee=500), svc("S2"), svc("S3", extra_fee=1)]
    )
    assert only(rep, "national.contract.service_items").status is S.violation
    fee = {f.subject: f.status for f in findings(rep, "national.contract.no_extra_fee")}
    assert fee == {
        "service_records/S1": S.violation,
        "service_records/S2": S.compliant,
        "service_records/S3": S.violation,
    }
    assert only(rep, "national.contract.service_frequency").status is S.not_applicable


# ---- 5.1 annual risk service -------------------------------------------------------------------
def test_annual_risk_service_applicability(national) -> None:
    small = run(national, policy={"above_designated_size": False})
    assert only(small, "national.service.annual_risk_service").status is S.not_applicable
    unknown = run(national, policy={"above_designated_size": None})
    f = only(unknown, "national.service.annual_risk_service")
    assert f.status is S.insufficient_data and "policy.above_designated_size" in f.reason
    # 5.1 names nine industries and ends in 等: the list is open, so an unnamed industry is
    # judged by whether it is high-risk, and unknown when the input does not say
    other = run(national, policy={"industry": "other"})
    f = only(other, "national.service.annual_risk_service")
    assert f.status is S.insufficient_data
    assert f.reason.endswith("missing policy.high_risk_industry")
    low = run(national, policy={"industry": "other", "high_risk_industry": False})
    assert only(low, "national.service.annual_risk_service").status is S.not_applicable
    high = run(national, policy={"industry": "other", "high_risk_industry": True})
    assert only(high, "national.service.annual_risk_service").status is S.violation


def test_annual_risk_service_seven_month_policy_needs_one(national) -> None:
    pol = {"term_start": "2025-09-01", "term_end": "2026-03-31"}
    none = run(
        national,
        as_of=D(2026, 4, 1),
        policy=pol,
        service_records=[svc("S1", kind="training", completed_on="2025-10-09")],
    )
    f = only(none, "national.service.annual_risk_service")
    assert f.status is S.violation
    assert f.trace.window == ar.Window(start=D(2025, 9, 1), end=D(2026, 3, 31), partial=True)
    one = run(
        national,
        as_of=D(2026, 4, 1),
        policy=pol,
        service_records=[svc("S1", kind="risk_assessment", completed_on="2025-10-09")],
    )
    assert only(one, "national.service.annual_risk_service").status is S.compliant
    # the documented alternative reading: prorate down -> a 7-month policy needs none
    lenient = national.with_overrides(
        {"national.service.annual_risk_service": {"partial_periods": "prorate_down"}}
    )
    rep = ar.evaluate(lenient, case(policy=pol), as_of=D(2026, 4, 1))
    g = only(rep, "national.service.annual_risk_service")
    assert g.status is S.compliant and g.trace.required_count == 0


def test_thirteen_month_policy_has_two_policy_years(national) -> None:
    pol = {"term_start": "2025-07-01", "term_end": "2026-07-31"}
    rep = run(
        national,
        as_of=D(2026, 8, 1),
        policy=pol,
        service_records=[svc("S1", completed_on="2025-08-01")],
    )
    got = [
        (f.trace.window.end, f.status)
        for f in findings(rep, "national.service.annual_risk_service")
    ]
    # the one-month tail year covers 8% of a year, under partial_min_share (0.5): exempt
    assert got == [(D(2026, 6, 30), S.compliant), (D(2026, 7, 31), S.not_applicable)]
    # the strict reading (every partial year needs its count) is one parameter away
    strict = national.with_overrides(
        {"national.service.annual_risk_service": {"partial_min_share": 0}}
    )
    rep = run(
        strict,
        as_of=D(2026, 8, 1),
        policy=pol,
        service_records=[svc("S1", completed_on="2025-08-01")],
    )
    got = [
        (f.trace.window.end, f.status)
        for f in findings(rep, "national.service.annual_risk_service")
    ]
    assert got == [(D(2026, 6, 30), S.compliant), (D(2026, 7, 31), S.violation)]


def test_seven_month_policy_still_needs_its_annual_service(national) -> None:
    """A short policy (7 of 12 months, over the 0.5 share) needs the full count of 1."""
    pol = {"term_start": "2025-07-01", "term_end": "2026-01-31"}
    rep = run(national, as_of=D(2026, 2, 1), policy=pol, service_records=[])
    f = only(rep, "national.service.annual_risk_service")
    assert f.status is S.violation and f.trace.required_count == 1


# ---- 6.1 scheme ------------------------------------------------------------------------------
def test_scheme_contents(national) -> None:
    scheme = {
        "scheme_id": "F1",
        "agreed_on": "2025-06-20",
        "service_items": [{"service_kind": "training", "min_count": 2, "per": "year"}],
        "time_limits": "见合同",
        "providers": "第三方",
        "budget": "12000",
        "expected_effects": "降低风险",
        "safeguards": "专人",
        "liability_terms": "见合同",
    }
    rep = run(national, scheme=scheme)
    f = only(rep, "national.scheme.contents")
    assert f.status is S.violation and f.reason == "missing complaint_arbitration"
    assert only(rep, "national.scheme.agreed").status is S.compliant
    missing = run(national)
    assert only(missing, "national.scheme.contents").status is S.insufficient_data


# ---- 7.1 manager training ---------------------------------------------------------------------
def test_manager_training_per_calendar_year(national) -> None:
    orgs = [
        {
            "id": "INS",
            "role": "insurer",
            "staff": [
                {"id": "M1", "role": "manager", "trainings": ["2025-11-05", "2026-03-01"]},
                {"id": "M2", "role": "manager", "trainings": ["2025-08-01"]},
                {"id": "T1", "role": "technical"},
            ],
        },
        {"id": "TP", "role": "third_party", "staff": [{"id": "M9", "role": "manager"}]},
    ]
    rep = run(national, organisations=orgs)
    got = {
        (f.subject.split()[0], f.trace.window.start.year): f.status
        for f in findings(rep, "national.staff.manager_training")
    }
    assert got == {
        ("staff/INS/M1", 2025): S.compliant,
        ("staff/INS/M1", 2026): S.compliant,
        ("staff/INS/M2", 2025): S.compliant,
        ("staff/INS/M2", 2026): S.pending,  # whole calendar year: still running on 07-31
    }
    late = ar.evaluate(national, case(organisations=orgs), as_of=D(2027, 1, 1))
    m2 = [
        f
        for f in findings(late, "national.staff.manager_training")
        if f.subject.startswith("staff/INS/M2") and f.trace.window.start.year == 2026
    ]
    assert m2[0].status is S.violation
    assert m2[0].trace.window == ar.Window(start=D(2026, 1, 1), end=D(2026, 12, 31), partial=False)


# ---- 7.4 archives -------------------------------------------------------------------------------
def test_archive_contents_and_conditional_documents(national) -> None:
    docs = [{"kind": k} for k in ("insurance_contract", "service_scheme", "service_materials")]
    rep = run(
        national,
        policy={"third_party_engaged": True},
        archives=[{"id": "AR1", "closed_on": "2026-07-15", "documents": docs}],
        complaints=[{"id": "C1", "received_on": "2026-03-02"}],
    )
    assert only(rep, "national.archive.contents").reason == "missing documents: fee_ledger"
    assert only(rep, "national.archive.third_party_contracts").status is S.violation
    assert only(rep, "national.archive.complaint_records").status is S.violation
    assert only(rep, "national.archive.evaluation_report").status is S.not_applicable


@pytest.mark.parametrize(
    ("destroyed", "as_of", "status"),
    [
        (None, D(2026, 7, 31), S.pending),
        ("2031-07-15", D(2031, 8, 1), S.violation),  # the last day of retention
        ("2031-07-16", D(2031, 8, 1), S.compliant),
        (None, D(2031, 7, 16), S.compliant),
    ],
)
def test_archive_retention_five_years(national, destroyed, as_of, status) -> None:
    rep = run(
        national,
        as_of=as_of,
        archives=[{"id": "AR1", "closed_on": "2026-07-15", "destroyed_on": destroyed}],
    )
    f = only(rep, "national.archive.retention")
    assert f.status is status, f.reason
    assert f.trace.due.due_date == D(2031, 7, 15)


# ---- 8.1 / 8.2 evaluation ---------------------------------------------------------------------
def test_annual_evaluation_and_report(national) -> None:
    report = {
        "id": "E1",
        "completed_on": "2026-06-15",
        "evaluator": "self",
        "contents": [
            "scheme_implementation",
            "insured_satisfaction",
            "fee_expenditure",
            "provider_competence",
            "complaints",
            "problems_and_improvements",
        ],
        "reported_to_emergency_management_on": "2026-06-20",
    }
    rep = run(national, evaluation_reports=[report])
    # 8.1 is the insurer's organisation-wide duty: one evaluation per calendar year, for each
    # year the term (2025-07-01..2026-06-30) touches; a report outside the term counts too
    annual = {f.trace.window.start.year: f for f in findings(rep, "national.evaluation.annual")}
    assert annual[2026].status is S.compliant and annual[2026].trace.records == ("E1",)
    assert annual[2025].status is S.violation
    assert annual[2025].trace.window == ar.Window(
        start=D(2025, 1, 1), end=D(2025, 12, 31), partial=False
    )
    earlier = {**report, "id": "E0", "completed_on": "2025-03-10"}
    both = run(national, evaluation_reports=[report, earlier])
    assert all(f.status is S.compliant for f in findings(both, "national.evaluation.annual"))
    assert only(rep, "national.evaluation.report_contents").status is S.compliant
    f = only(rep, "national.evaluation.reported")
    assert f.status is S.violation and f.reason == "missing published_on"
    none = run(national)
    annual = {
        f.trace.window.start.year: f.status for f in findings(none, "national.evaluation.annual")
    }
    assert annual == {2025: S.violation, 2026: S.pending}  # as of 2026-07-31


def test_complaint_procedure_told(national) -> None:
    """6.4 ¶1: channels, the procedure and 纠纷调处方式 are told to the insured."""
    f = only(run(national), "national.complaint.procedure_told")
    assert f.status is S.violation and f.reason == "missing complaint_procedure_told_on"
    told = run(national, policy={"complaint_procedure_told_on": "2025-07-02"})
    assert only(told, "national.complaint.procedure_told").status is S.compliant


def test_expert_contracts_archived_when_experts_engaged(national) -> None:
    """7.4: 聘请安全生产专业技术人员 ... 的合同及服务记录 — individual experts, not only firms."""
    archive = {"id": "A1", "documents": [{"kind": "third_party_contracts"}]}
    rep = run(national, policy={"experts_engaged": True}, archives=[archive])
    f = only(rep, "national.archive.expert_contracts")
    assert f.status is S.violation and "expert_contracts" in f.reason
    archive["documents"].append({"kind": "expert_contracts"})
    rep = run(national, policy={"experts_engaged": True}, archives=[archive])
    assert only(rep, "national.archive.expert_contracts").status is S.compliant
    no = run(national, policy={"experts_engaged": False}, archives=[archive])
    assert only(no, "national.archive.expert_contracts").status is S.not_applicable


def test_every_national_rule_is_exercised_by_this_module() -> None:
    import pathlib
    import re

    text = pathlib.Path(__file__).read_text(encoding="utf-8")
    used = set(re.findall(r"national\.[a-z_]+\.[a-z_]+", text))
    defined = {r.rule.id for r in ar.load_ruleset("national").rules}
    assert defined <= used, sorted(defined - used)

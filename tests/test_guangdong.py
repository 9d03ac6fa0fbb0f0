"""Guangdong (广东 共保体 guideline) on top of the national layer: hand-computed cases."""

from __future__ import annotations

import datetime as dt

import pytest

import ansafe_rules as ar

from .conftest import ROOT, findings, only, run_case

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
    if extension.get("extension_days") == 40:
        assert "extended by 30 days (40 asked, at most 30 allowed)" in f.reason


@pytest.mark.parametrize(
    ("extra", "status", "reason"),
    [
        ({"extension_days": 30, "extension_approver": "王主任"}, S.compliant, None),
        # more than 30 days (不得超过30日)
        (
            {"extension_days": 31, "extension_approver": "王主任"},
            S.violation,
            "extension_days le 30",
        ),
        # 6.4.2: approved by 本单位…投诉处理工作责任人 -- no approver recorded.
        # Before the fix only the approval date was asked for (this case was compliant).
        ({"extension_days": 10}, S.violation, "fails extension_approver present"),
    ],
)
def test_extension_limit_and_approver(extra, status, reason) -> None:
    rep = run(
        complaints=[
            {
                "id": "C1",
                "received_on": "2026-01-05",
                "needs_verification": True,
                "extension_approved_on": "2026-02-10",
                "extension_reason_told_on": "2026-02-10",
                **extra,
            }
        ]
    )
    f = only(rep, "guangdong.complaint.extension")
    assert f.status is status, f.reason
    if reason:
        assert reason in f.reason


@pytest.mark.parametrize(
    ("approved", "status"),
    [("2026-02-14", S.compliant), ("2026-02-24", S.violation)],
)
def test_extension_approved_before_the_original_limit(approved, status) -> None:
    """6.4.2 经…批准，可以延长处理期限: an extension extends a limit still running. Received Mon
    2026-01-05, the 30 working days end Sat 2026-02-14 (a make-up working day); an approval
    after the Spring Festival holiday (02-24) comes after the limit. Fails before the fix (no
    such rule)."""
    rep = run(
        complaints=[
            {
                "id": "C1",
                "received_on": "2026-01-05",
                "needs_verification": True,
                "extension_days": 10,
                "extension_approved_on": approved,
                "extension_approver": "王主任",
            }
        ]
    )
    f = only(rep, "guangdong.complaint.extension_approved_in_time")
    assert (f.status, f.trace.due.due_date) == (status, D(2026, 2, 14)), f.reason
    assert f.duty_holder is ar.DutyHolder.service_provider


@pytest.mark.parametrize(
    ("told", "status"),
    [("2026-02-14", S.compliant), ("2026-02-24", S.violation), (None, S.violation)],
)
def test_extension_reason_told_promptly(told, status) -> None:
    """6.4.2 并及时告知投诉人延长期限的理由: approved Fri 2026-02-13, 及时 read as the next
    working day, Sat 2026-02-14 (make-up working day). Before the fix only the presence of a
    date was checked (02-24 was compliant)."""
    c = {
        "id": "C1",
        "received_on": "2026-01-05",
        "needs_verification": True,
        "extension_days": 10,
        "extension_approved_on": "2026-02-13",
        "extension_approver": "王主任",
    }
    if told:
        c["extension_reason_told_on"] = told
    rep = run(complaints=[c])
    f = only(rep, "guangdong.complaint.extension_reason_told")
    assert (f.status, f.trace.due.due_date) == (status, D(2026, 2, 14)), f.reason
    if told is None:
        assert f.reason == ("no extension_reason_told_on recorded; it was due by 2026-02-14")


def test_complaint_reply_10_workdays() -> None:
    # received Mon 2026-01-05: 6, 7, 8, 9, 12..16, 19 -> Mon 2026-01-19
    rep = run(
        complaints=[
            {
                "id": "C1",
                "received_on": "2026-01-05",
                "needs_verification": False,
                "replied_on": "2026-01-20",
            }
        ]
    )
    f = only(rep, "guangdong.complaint.reply")
    assert (f.status, f.trace.due.due_date) == (S.violation, D(2026, 1, 19))
    assert "1 working day(s) late" in f.reason


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
    notice = {f.subject: f for f in findings(rep, "guangdong.hazard.notice")}
    assert notice["hazards/H1"].status is S.compliant
    assert notice["hazards/H1"].trace.due.due_date == D(2026, 2, 13)
    refusal = only(rep, "guangdong.hazard.escalate_refusal")
    assert (refusal.status, refusal.trace.due.due_date) == (S.compliant, D(2026, 3, 3))
    esc = only(rep, "guangdong.hazard.escalate_major_unrectified")
    assert (esc.status, esc.trace.due.due_date) == (S.violation, D(2026, 2, 14))
    writing = {f.subject: f.status for f in findings(rep, "guangdong.hazard.notice_in_writing")}
    assert writing["hazards/H1"] is S.violation


SIGNED = [
    {"role": "appraisal_lead", "name": "张三", "signed_on": "2031-12-20"},
    {"role": "approver", "name": "李四", "signed_on": "2031-12-22"},
    {"role": "destroyer", "name": "王五", "signed_on": "2032-01-01"},
]


def _destroyed(register: dict) -> ar.Report:
    return run(
        as_of=D(2032, 1, 1),
        archives=[
            {
                "id": "AR1",
                "medium": "electronic",
                "closed_on": "2026-12-31",
                "destroyed_on": "2032-01-01",
                "destruction_register": {"compiled_on": "2031-12-20", **register},
            }
        ],
    )


def test_destruction_register_cover_and_signatures() -> None:
    """3.4 封面应设置…鉴定小组负责人、批准人、销毁人的签字及时间: a dated signature per
    signatory. Before the fix the cover needed the three names and one signing date
    (flat fields), so this register, signed and dated by each of the three, was a violation."""
    rep = _destroyed(
        {
            "file_number": "JZ-9",
            "item_count": 12,
            "reason": "保存期满",
            "signatures": SIGNED,
            "appraised_by_provider_head": True,
            "appraised_by_insured_head": True,
        }
    )
    assert only(rep, "guangdong.archive.destruction_register").status is S.compliant
    sig = only(rep, "guangdong.archive.destruction_signatures")
    assert sig.status is S.compliant, sig.reason
    assert only(rep, "guangdong.archive.destruction_appraisal").status is S.compliant
    assert only(rep, "guangdong.archive.retention").status is S.compliant  # after 2031-12-31


def test_destruction_signature_without_its_time_or_missing() -> None:
    undated = [*SIGNED[:2], {"role": "destroyer", "name": "王五"}]
    rep = _destroyed({"file_number": "JZ-9", "signatures": undated})
    sig = only(rep, "guangdong.archive.destruction_signatures")
    assert sig.status is S.violation
    assert sig.reason == "fails 0 dated signature(s) of the destroyer (销毁人) (at least 1)"
    reg = only(rep, "guangdong.archive.destruction_register")
    assert reg.reason == ("missing destruction_register.item_count; destruction_register.reason")
    # the insured's head's appraisal is not recorded: unknown, never guessed
    appr = only(rep, "guangdong.archive.destruction_appraisal")
    assert appr.status is S.insufficient_data
    assert appr.reason == (
        "cannot judge: missing destruction_register.appraised_by_provider_head, "
        "destruction_register.appraised_by_insured_head"
    )
    refused = _destroyed({"appraised_by_provider_head": True, "appraised_by_insured_head": False})
    f = only(refused, "guangdong.archive.destruction_appraisal")
    assert f.status is S.violation
    assert f.reason == "fails destruction_register.appraised_by_insured_head eq True"
    none = only(refused, "guangdong.archive.destruction_signatures")
    assert none.reason == (
        "fails 0 dated signature(s) of the appraisal group lead (鉴定小组负责人) (at least 1); "
        "0 dated signature(s) of the approver (批准人) (at least 1); "
        "0 dated signature(s) of the destroyer (销毁人) (at least 1)"
    )


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


# ---- issue 7: duty holders, scope, readings -------------------------------------------------
DH = ar.DutyHolder
HOLDERS = {
    # rule: (duty holder, service duty) -- the grammatical subject of each sentence
    "guangdong.policy.per_project": (DH.insured, False),  # 1.4 工程…以项目为单位参保 (2.4)
    "guangdong.policy.term_to_completion": (DH.insurer, False),  # 1.6 the policy's term
    "guangdong.contract.service_items": (DH.insurer, False),  # 4.3 共保体保险机构应…在合同中约定
    "guangdong.service.training": (DH.insurer, True),  # 4.1 共保体保险机构应…协助行业开展
    "guangdong.service.emergency_drill": (DH.insurer, True),  # 4.1
    "guangdong.hazard.inspection_windows": (DH.insurer, True),  # 4.2 共保体保险机构应…
    "guangdong.service.large_medium_annual": (DH.insurer, True),  # 4.3 共保体保险机构应…
    "guangdong.scheme.contents": (DH.insurer, True),  # 6.1.2 共保体保险机构应…制定
    "guangdong.scheme.presented": (DH.insurer, True),  # 6.1.2 共保体保险机构应…介绍
    "guangdong.service.prior_confirmation": (DH.service_provider, True),  # 6.1.3
    "guangdong.hazard.notice": (DH.service_provider, True),  # 6.2 事故预防技术服务机构人员
    "guangdong.hazard.notice_in_writing": (DH.service_provider, True),
    "guangdong.hazard.insured_refused_rectification": (DH.insured, False),  # 6.2 投保单位应…
    "guangdong.hazard.insured_delayed_rectification": (DH.insured, False),
    "guangdong.hazard.escalate_refusal": (DH.service_provider, True),
    "guangdong.hazard.escalate_major_unrectified": (DH.service_provider, True),
    "guangdong.service.callback": (DH.service_provider, True),  # 6.3 事故预防技术服务机构
    "guangdong.service.callback_record": (DH.service_provider, True),
    "guangdong.service.dissatisfaction_reason": (DH.service_provider, True),
    "guangdong.service.record_fields": (DH.service_provider, True),
    "guangdong.service.record_compilation": (DH.service_provider, True),
    "guangdong.service.archive_confirmation": (DH.service_provider, True),
    "guangdong.service.system_record": (DH.service_provider, True),
    "guangdong.complaint.reply": (DH.service_provider, True),  # 6.4.2 事故预防技术服务机构
    "guangdong.complaint.reply_after_verification": (DH.service_provider, True),
    "guangdong.complaint.extension": (DH.service_provider, True),
    "guangdong.complaint.extension_approved_in_time": (DH.service_provider, True),
    "guangdong.complaint.extension_reason_told": (DH.service_provider, True),
    "guangdong.complaint.reply_contents": (DH.service_provider, True),
    "guangdong.archive.electronic": (DH.service_provider, True),  # 3.4 事故预防技术服务机构
    "guangdong.archive.contents": (DH.service_provider, True),
    "guangdong.archive.third_party_contracts": (DH.service_provider, True),
    "guangdong.archive.complaint_records": (DH.service_provider, True),
    "guangdong.archive.evaluation_report": (DH.service_provider, True),
    "guangdong.archive.retention": (DH.service_provider, True),
    "guangdong.archive.destruction_appraisal": (DH.service_provider, True),
    "guangdong.archive.destruction_register": (DH.service_provider, True),
    "guangdong.archive.destruction_signatures": (DH.service_provider, True),
    "guangdong.evaluation.annual": (DH.service_provider, False),  # 7.1 of 本机构 as a whole
    "guangdong.evaluation.reported": (DH.service_provider, False),
    "guangdong.evaluation.report_contents": (DH.service_provider, False),
}


def test_every_rule_names_the_duty_holder_of_the_text() -> None:
    """Issue 7 item 1. Before the fix 1.4 (the insured's 参保), 1.6, 4.1-4.3 and 6.1.2 (the
    共保体保险机构's duties) were all read as the service organisation's, and no rule was
    marked as a service duty."""
    got = {
        r.rule.id: (r.rule.duty_holder, r.rule.service_duty)
        for r in GD.rules
        if r.layer == "guangdong"
    }
    assert got == HOLDERS


@pytest.mark.parametrize(
    ("facts", "ruleset", "liable"),
    [
        # no transfer facts: the insurer bears the service organisation's duties (6.2)
        ({}, GD, DH.insurer),
        # a broker organises the services and manages the fees: AQ 9010 5.3 would move
        # liability to it, but 广东 6.2 keeps the 共保体 insurer the 责任主体
        ({"service_organised_by": "broker", "service_fees_managed_by": "broker"}, GD, DH.insurer),
        (
            {"service_organised_by": "broker", "service_fees_managed_by": "broker"},
            ar.load_ruleset("national"),
            DH.broker,
        ),
    ],
)
def test_liable_party_for_service_duties(facts, ruleset, liable) -> None:
    data = {"id": "S1", "kind": "training", "completed_on": "2025-09-26"}
    rep = run_case(
        ruleset,
        D(2026, 12, 31),
        policy={"term_end": "2026-06-30", **facts},
        service_records=[data],
    )
    f = only(rep, f"{ruleset.id}.service.callback")
    assert f.liable_party is liable
    if ruleset is GD:
        assert f.duty_holder is DH.service_provider
        assert f in rep.for_party("insurer").findings


@pytest.mark.parametrize(
    ("size", "designated", "status", "reason"),
    [
        ("large", False, S.compliant, "1 of at least 1 in the period"),
        ("medium", None, S.compliant, "1 of at least 1 in the period"),
        # 规模以上 but small: 4.3 speaks of 大中型; before the fix this case applied
        ("small", True, S.not_applicable, "does not apply: policy.insured_size in"),
        ("micro", True, S.not_applicable, "does not apply: policy.insured_size in"),
        (
            None,
            True,
            S.insufficient_data,
            "cannot tell whether the rule applies: missing policy.insured_size",
        ),
    ],
)
def test_large_and_medium_insureds_by_size_class(size, designated, status, reason) -> None:
    """4.3 其中大中型投保单位每年至少开展1 次上述第4.2项的工作."""
    rep = run(
        policy={
            "term_end": "2026-06-30",
            "insured_size": size,
            "above_designated_size": designated,
        },
        service_records=[{"id": "R1", "kind": "risk_assessment", "completed_on": "2026-03-02"}],
    )
    f = only(rep, "guangdong.service.large_medium_annual")
    assert f.status is status and f.reason.startswith(reason), f.reason
    if status is S.compliant:
        assert f.trace.required_count == 1


def _late_callback(member: bool | None, ruleset: ar.ResolvedRuleset = GD) -> ar.Report:
    # completed Fri 2025-09-26, due 2025-10-16; called back 10-17
    return run_case(
        ruleset,
        D(2026, 12, 31),
        policy={"term_end": "2026-06-30", "coinsurance_pool_member": member},
        service_records=[
            {
                "id": "S1",
                "kind": "training",
                "completed_on": "2025-09-26",
                "callback_on": "2025-10-17",
            }
        ],
    )


def test_guideline_binds_the_pool_and_is_advisory_for_other_insurers() -> None:
    """1.2 本指引适用于共保体保险机构…; 1.9 非共保体保险机构参照此指引执行. Before the fix every
    Guangdong finding bound every insurer."""
    pool = _late_callback(True)
    f = only(pool, "guangdong.service.callback")
    assert (f.status, f.severity) == (S.violation, ar.Severity.major)
    assert f in pool.violations and not pool.notes

    other = _late_callback(False)
    f = only(other, "guangdong.service.callback")
    assert (f.status, f.severity) == (S.violation, ar.Severity.advisory)
    assert f not in other.violations
    assert any("advisory (参照执行)" in n for n in other.notes)
    # the national layer binds every insurer
    nat = only(other, "national.service.callback")
    assert nat.severity is ar.Severity.major and nat in other.violations

    unknown = _late_callback(None)
    f = only(unknown, "guangdong.service.callback")
    assert f.severity is ar.Severity.major and f in unknown.violations
    assert unknown.notes == (
        "guangdong: binding only where policy.coinsurance_pool_member eq True (1.9); the input "
        "does not say, so its findings are treated as binding.",
    )


def test_pool_condition_is_overridable() -> None:
    binding = GD.with_advisory_unless("guangdong", None)
    f = only(_late_callback(False, binding), "guangdong.service.callback")
    assert f.severity is ar.Severity.major
    au = GD.layer("guangdong").advisory_unless
    strict = GD.with_advisory_unless("guangdong", au.model_copy(update={"unknown_binds": False}))
    f = only(_late_callback(None, strict), "guangdong.service.callback")
    assert f.severity is ar.Severity.advisory


def test_4_1_figures_are_advisory_benchmarks_prorated_in_a_short_year() -> None:
    """4.1 事故预防费可以统筹行业和地区…参照以下内容确定具体服务项目，协助行业开展: before the fix
    4.1.1 and 4.1.3 were per-project major duties with the full count in every short year.
    Term 2025-07-01..2027-01-31: policy year 2 is 2026-07-01..2027-01-31 (215 of 365 days)."""
    rep = run(
        as_of=D(2027, 3, 1),
        policy={"term_end": "2027-01-31"},
        service_records=[
            {"id": "T1", "kind": "training", "completed_on": "2025-08-01"},
            {"id": "T2", "kind": "training", "completed_on": "2026-09-01"},
        ],
    )
    got = {f.subject: f for f in findings(rep, "guangdong.service.training")}
    y1 = got["service_records 2025-07-01..2026-06-30"]
    y2 = got["service_records 2026-07-01..2027-01-31"]
    assert (y1.status, y1.trace.required_count, y1.severity) == (
        S.violation,
        2,
        ar.Severity.advisory,
    )
    assert (y2.status, y2.trace.required_count) == (S.compliant, 1)  # floor(2 x 215/365)
    assert y1 not in rep.violations
    drills = {f.subject: f for f in findings(rep, "guangdong.service.emergency_drill")}
    d1 = drills["service_records 2025-07-01..2026-06-30"]
    assert (d1.status, d1.trace.required_count, d1.severity) == (
        S.violation,
        1,
        ar.Severity.advisory,
    )
    assert d1 not in rep.violations
    # a one-month tail year needs nothing
    tail = run(as_of=D(2026, 9, 1), policy={"term_end": "2026-07-31"})
    t = {f.subject: f for f in findings(tail, "guangdong.service.emergency_drill")}
    assert t["service_records 2026-07-01..2026-07-31"].status is S.not_applicable


@pytest.mark.parametrize(
    ("presented", "agreed", "status", "reason"),
    [
        ("2025-07-10", "2025-07-18", S.compliant, "meets"),
        # presented after the first service started (07-18): before the fix, compliant
        (
            "2025-07-20",
            "2025-07-20",
            S.violation,
            "fails presented_on le $case.service_records.started_on|min, "
            "agreed_on le $case.service_records.started_on|min",
        ),
        (
            "2025-07-10",
            "2025-07-19",
            S.violation,
            "fails agreed_on le $case.service_records.started_on|min",
        ),
        (None, "2025-07-10", S.violation, "fails presented_on present"),
    ],
)
def test_scheme_presented_and_agreed_before_the_services(presented, agreed, status, reason):
    """6.1.2 共保体保险机构应在事故预防技术服务实施前…介绍…方案，并协商一致."""
    scheme = {"scheme_id": "FA", "presented_on": presented, "agreed_on": agreed}
    rep = run(
        scheme=scheme,
        service_records=[
            {"id": "S2", "kind": "training", "started_on": "2025-08-01"},
            {"id": "S1", "kind": "training", "started_on": "2025-07-18"},
        ],
    )
    f = only(rep, "guangdong.scheme.presented")
    assert f.status is status and f.reason.startswith(reason), f.reason


def test_scheme_presentation_not_due_before_any_service() -> None:
    rep = run(scheme={"scheme_id": "FA"})
    f = only(rep, "guangdong.scheme.presented")
    assert f.status is S.not_applicable


@pytest.mark.parametrize(
    ("media", "status"),
    [
        # paper beside electronic: before the fix the paper archive was a violation
        (["paper", "electronic"], S.compliant),
        (["electronic"], S.compliant),
        (["paper"], S.violation),
        ([None], S.violation),
        ([], S.not_applicable),
    ],
)
def test_an_electronic_archive_exists(media, status) -> None:
    """3.4 应按要求为每个投保单位建立事故预防技术服务电子档案."""
    archives = [{"id": f"A{i}", "medium": m} for i, m in enumerate(media)]
    f = only(run(archives=archives), "guangdong.archive.electronic")
    assert f.status is status, f.reason
    if status is S.violation:
        assert f.reason == "fails $case.archives.medium any_in ['electronic']"


@pytest.mark.parametrize(
    ("objection", "status"),
    [(None, S.violation), ("无", S.compliant), ("对期限有异议", S.compliant)],
)
def test_callback_records_objection_or_complaint(objection, status) -> None:
    """6.3 记录投保单位的满意度、具体意见、不满意原因、异议或投诉等: before the fix the
    objection or complaint was not asked for."""
    rec = {
        "id": "S1",
        "kind": "training",
        "completed_on": "2025-09-26",
        "callback_on": "2025-09-29",
        "callback_method": "电话",
        "satisfaction": "satisfied",
        "callback_opinion": "无",
        "objection_or_complaint": objection,
    }
    f = only(run(service_records=[rec]), "guangdong.service.callback_record")
    assert f.status is status
    if status is S.violation:
        assert f.reason == "missing objection_or_complaint"


@pytest.mark.parametrize(
    ("recorded", "status"), [("2026-03-12", S.compliant), ("2026-03-13", S.violation)]
)
def test_service_recorded_in_the_information_system(recorded, status) -> None:
    """6.3 ¶2 在…信息管理系统中，及时记录、归档: 及时 read as within the paragraph's 20 working
    days. Fri 2026-02-06 + 20 working days across the Spring Festival = Thu 2026-03-12."""
    rec = {
        "id": "S1",
        "kind": "training",
        "completed_on": "2026-02-06",
        "system_recorded_on": recorded,
    }
    f = only(run(service_records=[rec]), "guangdong.service.system_record")
    assert (f.status, f.trace.due.due_date) == (status, D(2026, 3, 12))


def test_insured_cooperates_with_rectification() -> None:
    """6.2 投保单位应及时配合整改: a duty of the insured (not of the insurer). Fails before
    the fix (not encoded)."""
    base = {"grade": "general", "found_on": "2026-02-02", "rectification_due_on": "2026-02-13"}
    rep = run(
        hazards=[
            {"id": "H1", **base, "rectification_refused_on": "2026-02-05"},
            {"id": "H2", **base, "rectified_on": "2026-02-27", "rectification_delayed": True},
            {"id": "H3", **base, "rectified_on": "2026-02-27", "rectification_delayed": False},
            {"id": "H4", **base, "rectified_on": "2026-02-13"},
            {"id": "H5", **base, "rectified_on": "2026-02-27"},
        ]
    )
    refused = {
        f.subject: f for f in findings(rep, "guangdong.hazard.insured_refused_rectification")
    }
    assert refused["hazards/H1"].status is S.violation
    assert refused["hazards/H1"].duty_holder is DH.insured
    assert refused["hazards/H2"].status is S.compliant
    delayed = {
        f.subject: f for f in findings(rep, "guangdong.hazard.insured_delayed_rectification")
    }
    assert delayed["hazards/H2"].status is S.violation
    assert delayed["hazards/H3"].status is S.compliant
    assert delayed["hazards/H4"].status is S.compliant
    assert delayed["hazards/H5"].status is S.insufficient_data
    assert delayed["hazards/H5"].reason == "cannot judge: missing rectification_delayed"
    insured = rep.for_party("insured")
    assert refused["hazards/H1"] in insured.findings
    assert refused["hazards/H1"] not in rep.for_party("insurer").findings


@pytest.mark.parametrize(
    ("roll", "due", "status"),
    [(None, D(2026, 2, 15), S.compliant), (True, D(2026, 2, 24), S.violation)],
)
def test_retention_end_on_a_rest_day(roll, due, status) -> None:
    """3.4 至少保留5年: closed 2021-02-15, 5 years end Sun 2026-02-15, inside the Spring Festival
    holiday (02-15..02-23). By default the end is not rolled (a destruction on 02-16 is after
    it); read with 民法典 art. 203 (roll true) the keeping runs to 02-24."""
    rs = GD if roll is None else GD.with_overrides({"guangdong.archive.retention": {"roll": roll}})
    rep = run_case(
        rs,
        D(2026, 3, 1),
        archives=[{"id": "A1", "closed_on": "2021-02-15", "destroyed_on": "2026-02-16"}],
    )
    f = only(rep, "guangdong.archive.retention")
    assert (f.trace.due.due_date, f.status) == (due, status)


def test_annual_evaluation_is_per_calendar_year_of_the_organisation() -> None:
    """7.1 应每年对本机构（人员）的…质量和效果进行1次自评或第三方评估: organisation-wide. Term
    2025-07-01..2026-06-30: calendar 2025 is covered by a report of March 2025 (before the
    term); calendar 2026 has none. Before the fix the one policy year 2025-07..2026-06 was
    judged instead."""
    rep = run(
        as_of=D(2027, 1, 5),
        policy={"term_end": "2026-06-30"},
        evaluation_reports=[{"id": "E1", "completed_on": "2025-03-25"}],
    )
    got = {
        f.subject: (f.status, f.trace.required_count)
        for f in findings(rep, "guangdong.evaluation.annual")
    }
    assert got == {
        "evaluation_reports 2025-01-01..2025-12-31": (S.compliant, 1),
        "evaluation_reports 2026-01-01..2026-12-31": (S.violation, 1),
    }


def test_contract_and_scheme_contents() -> None:
    rep = run(scheme={"scheme_id": "FA", "measures": "现场检查"})
    assert only(rep, "guangdong.contract.service_items").reason == "missing contract_services"
    f = only(rep, "guangdong.scheme.contents")
    assert f.reason == "missing service_items; providers; staff; expected_effects; safeguards"


def test_example_status_of_every_guangdong_rule() -> None:
    """The shipped example judged rule by rule (as of 2026-07-31): each rule of the layer is
    exercised, and dropping any of them changes this table."""
    parsed = ar.load_case_file(ROOT / "examples" / "guangdong-housing.yaml")
    rep = ar.evaluate(GD, parsed, as_of=D(2026, 7, 31))
    got: dict[str, dict[str, int]] = {}
    for f in rep.findings:
        if f.layer == "guangdong":
            row = got.setdefault(f.rule_id, {})
            row[f.status.value] = row.get(f.status.value, 0) + 1
    assert got == {
        "guangdong.policy.per_project": {"compliant": 1},
        "guangdong.policy.term_to_completion": {"compliant": 1},
        "guangdong.contract.service_items": {"compliant": 1},
        "guangdong.service.training": {"compliant": 1},
        "guangdong.service.emergency_drill": {"compliant": 1},
        "guangdong.hazard.inspection_windows": {"compliant": 4, "violation": 1},
        "guangdong.service.large_medium_annual": {"compliant": 1},
        "guangdong.scheme.contents": {"compliant": 1},
        "guangdong.scheme.presented": {"compliant": 1},
        "guangdong.service.prior_confirmation": {"compliant": 9},
        "guangdong.hazard.notice": {"compliant": 2},
        "guangdong.hazard.notice_in_writing": {"compliant": 1, "violation": 1},
        "guangdong.hazard.insured_refused_rectification": {"compliant": 2},
        "guangdong.hazard.insured_delayed_rectification": {"compliant": 1, "insufficient_data": 1},
        "guangdong.hazard.escalate_refusal": {"not_applicable": 1},
        "guangdong.hazard.escalate_major_unrectified": {"violation": 1},
        "guangdong.service.callback": {"compliant": 8, "violation": 1},
        "guangdong.service.callback_record": {"compliant": 9},
        "guangdong.service.dissatisfaction_reason": {"violation": 1},
        "guangdong.service.record_fields": {"compliant": 9},
        "guangdong.service.record_compilation": {"compliant": 8, "violation": 1},
        "guangdong.service.archive_confirmation": {"compliant": 9},
        "guangdong.service.system_record": {"compliant": 9},
        "guangdong.complaint.reply": {"not_applicable": 1},
        "guangdong.complaint.reply_after_verification": {"compliant": 1},
        "guangdong.complaint.extension": {"not_applicable": 1},
        "guangdong.complaint.extension_approved_in_time": {"not_applicable": 1},
        "guangdong.complaint.extension_reason_told": {"not_applicable": 1},
        "guangdong.complaint.reply_contents": {"compliant": 1},
        "guangdong.archive.electronic": {"compliant": 1},
        "guangdong.archive.contents": {"compliant": 1},
        "guangdong.archive.third_party_contracts": {"compliant": 1},
        "guangdong.archive.complaint_records": {"compliant": 1},
        "guangdong.archive.evaluation_report": {"compliant": 1},
        "guangdong.archive.retention": {"pending": 1},
        "guangdong.archive.destruction_appraisal": {"not_applicable": 1},
        "guangdong.archive.destruction_register": {"not_applicable": 1},
        "guangdong.archive.destruction_signatures": {"not_applicable": 1},
        "guangdong.evaluation.annual": {"compliant": 2},
        "guangdong.evaluation.reported": {"violation": 2},
        "guangdong.evaluation.report_contents": {"violation": 2},
    }


def test_archiving_without_both_confirmations_is_a_violation():
    """6.3 由双方确认后归档: archived with no confirmation recorded is a violation (was
    insufficient_data, while the national rule said violation for the same record)."""
    rec = {
        "id": "S1",
        "kind": "training",
        "completed_on": "2025-09-01",
        "archived_on": "2025-09-10",
    }
    f = only(
        run_case(GD, D(2026, 7, 31), service_records=[rec]),
        "guangdong.service.archive_confirmation",
    )
    assert f.status is S.violation
    both = {**rec, "insured_confirmed_on": "2025-09-05", "provider_confirmed_on": "2025-09-05"}
    f = only(
        run_case(GD, D(2026, 7, 31), service_records=[both]),
        "guangdong.service.archive_confirmation",
    )
    assert f.status is S.compliant


def test_a_fresh_record_is_not_incomplete_before_its_callback_is_due():
    """6.3: completed 2026-12-29 and checked the next day, the record is not a violation for
    lacking a callback (due 2027-01-13 here, 2027-01-06 nationally); nor is the callback's
    method an item to record (电话、网络、现场验证等方式 is how the callback is made)."""
    rec = {
        "id": "S1",
        "kind": "training",
        "completed_on": "2026-12-29",
        "place": "现场",
        "organisation": "某公司",
        "staff": ["王工"],
        "measures": "检查",
        "process": "检查",
        "content": "检查",
    }
    rep = run_case(GD, D(2026, 12, 30), service_records=[rec])
    for rid in ("guangdong.service.record_fields", "national.service.record_fields"):
        assert only(rep, rid).status is S.compliant, rid
    called = {
        **rec,
        "callback_on": "2027-01-04",
        "satisfaction": "satisfied",
        "callback_opinion": "无",
        "objection_or_complaint": "无",
    }
    rep = run_case(GD, D(2027, 1, 5), service_records=[called])
    for rid in ("guangdong.service.callback_record", "national.service.callback_record"):
        assert only(rep, rid).status is S.compliant, rid

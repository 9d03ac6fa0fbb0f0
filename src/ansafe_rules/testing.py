"""Hypothesis strategies for embedders: valid policies and record sets for any jurisdiction.

Use them to property-test your own system against ansafe_rules::

    from hypothesis import given
    from ansafe_rules.testing import cases

    @given(cases(jurisdiction="guangdong"))
    def test_my_system_agrees(case):
        report = ar.evaluate(ar.load_ruleset("guangdong"), case, as_of=...)
        ...

Every strategy yields validated models (``PolicyCase``, ``ServiceRecord``...); use
``.map(lambda c: c.model_dump(mode="json"))`` for plain JSON data. The generated cases fill every
field some rule reads, sometimes leave it empty, and place dates around the policy term, so that
every rule of every shipped jurisdiction is judged both ways across a few hundred examples.

Requires ``hypothesis`` (installed with the ``test`` extra).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "ansafe_rules.testing needs hypothesis: pip install 'ansafe-rules[test]'"
    ) from exc

from . import model as m

__all__ = [
    "archives",
    "cases",
    "complaints",
    "hazards",
    "incidents",
    "organisations",
    "policies",
    "service_records",
    "terms",
]

T = TypeVar("T")
D = dt.date
_EARLIEST, _LATEST = D(2020, 2, 1), D(2025, 12, 31)
"""Default term starts: from AQ 9010-2019's entry into force to the last fully official year."""


def _maybe(strategy: st.SearchStrategy[T], p_none: float = 0.25) -> st.SearchStrategy[T | None]:
    """``strategy`` or None (about ``p_none`` of the time; hypothesis' ``one_of`` would favour
    None, its first branch, far more often)."""
    n = max(1, round(1 / p_none) - 1)
    return st.sampled_from([True] * n + [False]).flatmap(
        lambda keep: strategy if keep else st.none()
    )


def _near(day: D, before: int, after: int) -> st.SearchStrategy[D]:
    return st.integers(-before, after).map(lambda k: day + dt.timedelta(days=k))


def terms(
    earliest: D = _EARLIEST, latest: D = _LATEST, min_months: int = 2, max_months: int = 26
) -> st.SearchStrategy[tuple[D, D]]:
    """(term_start, term_end) pairs with a term of ``min_months``..``max_months`` months."""
    return st.tuples(st.dates(earliest, latest), st.integers(min_months * 30, max_months * 30)).map(
        lambda t: (t[0], t[0] + dt.timedelta(days=t[1]))
    )


def policies(
    jurisdiction: str = "national", term: tuple[D, D] | None = None
) -> st.SearchStrategy[m.Policy]:
    """Valid policies for ``jurisdiction`` (construction mostly, all facts sometimes missing)."""

    @st.composite
    def build(draw: st.DrawFn) -> m.Policy:
        start, end = term or draw(terms())
        services = draw(
            st.lists(
                st.builds(
                    m.ContractService,
                    service_kind=st.sampled_from(list(m.ServiceKind)),
                    min_count=st.integers(1, 3),
                    per=st.sampled_from([p for p in m.Per if p is not m.Per.stage]),
                ),
                max_size=3,
                unique_by=lambda s: s.service_kind,  # one frequency per kind (Policy rejects two)
            )
        )
        return m.Policy(
            policy_id=f"P-{draw(st.integers(1, 10**6))}",
            jurisdiction=jurisdiction,
            insurer="某保险公司",
            insured="某建设集团",
            project=draw(_maybe(st.just("某项目"))),
            industry=draw(st.sampled_from([m.Industry.construction] * 4 + list(m.Industry))),
            above_designated_size=draw(_maybe(st.booleans())),
            issued_on=draw(_maybe(_near(start, 20, 3))),
            term_start=start,
            term_end=end,
            project_completion_on=draw(_maybe(_near(end, 60, 30))),
            contract_services=tuple(services),
            third_party_engaged=draw(_maybe(st.booleans(), 0.1)),
            experts_engaged=draw(_maybe(st.booleans(), 0.3)),
            complaint_procedure_told_on=draw(_maybe(st.just(start), 0.3)),
            high_risk_industry=draw(_maybe(st.booleans(), 0.5)),
            insured_size=draw(_maybe(st.sampled_from(list(m.InsuredSize)))),
            coinsurance_pool_member=draw(_maybe(st.booleans(), 0.3)),
            service_organised_by=draw(_maybe(st.sampled_from(list(m.Party)), 0.5)),
            service_fees_managed_by=draw(_maybe(st.sampled_from(list(m.Party)), 0.5)),
            works_completed_on=draw(_maybe(_near(end, 60, 30), 0.5)),
            contract_reported_to_authority_on=draw(_maybe(_near(start, 5, 10))),
            per_project=draw(_maybe(st.booleans(), 0.1)),
            project_address=draw(_maybe(st.just("某市某路1号"))),
            project_category=draw(_maybe(st.just("房屋建筑"))),
            project_grade=draw(_maybe(st.sampled_from(list(m.ProjectGrade)))),
            risk_grade=draw(_maybe(st.sampled_from(list(m.RiskGrade)))),
            works_contract_start=draw(_maybe(st.just(start))),
            works_contract_end=draw(_maybe(st.just(end))),
            works_contract_amount=draw(_maybe(st.just(10_000_000))),
            insurance_plan=draw(_maybe(st.just("方案一"))),
            premium_rate=draw(_maybe(st.just("0.001"))),
            coverage_limit=draw(_maybe(st.just(1_000_000))),
            prevention_scheme=draw(_maybe(st.just("FA-1"))),
            construction_permit_on=draw(_maybe(_near(start, 10, 20))),
            premium_paid_on=draw(_maybe(_near(start, 30, 0))),
            premium_installments=draw(_maybe(st.sampled_from([1, 1, 1, 2, 3]))),
            split_policy=draw(_maybe(st.sampled_from([False, False, True]))),
            service_team_registered_on=draw(_maybe(_near(start, 0, 50))),
            smart_site_platform=draw(_maybe(st.booleans())),
        )

    return build()


def _within(start: D, end: D) -> st.SearchStrategy[D]:
    return st.dates(start, max(start, end))


def service_records(
    term: tuple[D, D], stage_ids: tuple[str, ...] = (), max_size: int = 14
) -> st.SearchStrategy[list[m.ServiceRecord]]:
    """Service records dated in and around ``term``, ids unique."""

    @st.composite
    def one(draw: st.DrawFn, i: int) -> m.ServiceRecord:
        done = draw(_within(term[0], term[1] + dt.timedelta(days=20)))

        def after(lo: int, hi: int, p_none: float = 0.2) -> D | None:
            return draw(
                _maybe(st.integers(lo, hi).map(lambda k: done + dt.timedelta(days=k)), p_none)
            )

        return m.ServiceRecord(
            id=f"S{i:03d}",
            kind=draw(st.sampled_from(list(m.ServiceKind))),
            confirmed_with_insured_on=after(-7, 1),
            started_on=draw(_maybe(st.just(done - dt.timedelta(days=draw(st.integers(0, 2)))))),
            completed_on=done if draw(st.integers(0, 19)) else None,
            place=draw(_maybe(st.just("施工现场"), 0.1)),
            organisation=draw(_maybe(st.just("某安全技术公司"), 0.1)),
            staff=tuple(draw(st.lists(st.sampled_from(["王工", "李工"]), max_size=2))),
            content=draw(_maybe(st.just("隐患排查"), 0.1)),
            process=draw(_maybe(st.just("现场检查"), 0.1)),
            callback_on=after(0, 25),
            callback_method=draw(_maybe(st.sampled_from(["电话", "网络", "现场验证"]))),
            satisfaction=draw(_maybe(st.sampled_from(list(m.Satisfaction)))),
            callback_opinion=draw(_maybe(st.just("无"))),
            dissatisfaction_reason=draw(_maybe(st.just("整改期限偏紧"))),
            measures=draw(_maybe(st.just("现场检查"), 0.1)),
            record_compiled_on=after(0, 40),
            insured_confirmed_on=after(0, 45),
            provider_confirmed_on=after(0, 45),
            archived_on=after(0, 50),
            extra_fee=draw(st.sampled_from([0, 0, 0, 500])),
            uploaded_on=after(0, 4),
            report_id=draw(_maybe(st.just(f"R{i}"))),
            rectification_advice=draw(_maybe(st.just("限期整改"))),
            full_coverage=draw(_maybe(st.booleans())),
            method=draw(_maybe(st.sampled_from(["LEC", "LEC", "其他"]))),
            citywide=draw(_maybe(st.booleans())),
            tailored=draw(_maybe(st.booleans())),
            stage_id=draw(_maybe(st.sampled_from(stage_ids))) if stage_ids else None,
            project_lead_present=draw(_maybe(st.sampled_from([True, True, False]))),
            technical_staff_count=draw(_maybe(st.integers(0, 3))),
            objection_or_complaint=draw(_maybe(st.sampled_from(["无", "对整改期限有异议"]))),
            system_recorded_on=after(0, 25),
            report_to_insurer_on=after(0, 10),
            report_to_insured_on=after(0, 10),
            blocked_by_project=draw(_maybe(st.sampled_from([False, False, True]), 0.5)),
            blocked_reported_to_insurer_on=after(0, 4, 0.4),
            blocked_reported_to_authority_on=after(0, 4, 0.4),
            effect_evaluated_on=after(0, 20, 0.3),
        )

    return st.integers(0, max_size).flatmap(
        lambda n: st.tuples(*[one(i) for i in range(n)]).map(list)
    )


def hazards(term: tuple[D, D], max_size: int = 5) -> st.SearchStrategy[list[m.Hazard]]:
    """Hazards of both grades and levels 1-4, with notice, rectification and report dates."""

    @st.composite
    def one(draw: st.DrawFn, i: int) -> m.Hazard:
        found = draw(_within(*term))

        def after(lo: int, hi: int) -> D | None:
            return draw(_maybe(st.integers(lo, hi).map(lambda k: found + dt.timedelta(days=k))))

        due = after(1, 20)
        return m.Hazard(
            id=f"H{i:03d}",
            found_on=found,
            grade=draw(_maybe(st.sampled_from(list(m.HazardGrade)), 0.1)),
            level=draw(_maybe(st.integers(1, 4), 0.1)),
            serious=draw(_maybe(st.booleans())),
            insured_informed_on=after(0, 4),
            notice_in_writing=draw(_maybe(st.booleans())),
            stop_work_opinion_on=after(0, 2),
            rectification_opinion_on=after(0, 2),
            opinion_delivered_on=after(0, 3),
            rectification_due_on=due,
            rectified_on=after(0, 30),
            rectification_uploaded_on=after(0, 31),
            rectification_refused_on=draw(
                _maybe(st.integers(1, 10).map(lambda k: found + dt.timedelta(days=k)), 0.7)
            ),
            reported_to_insurer_on=after(0, 3),
            reported_to_authority_on=after(0, 30),
            supervisor_closed_on=after(3, 20),
            closure_submitted_on=after(3, 25),
            rectification_responsible=draw(_maybe(st.just("施工单位项目部"))),
            rectification_measures=draw(_maybe(st.just("加固支撑"))),
            contingency_plan=draw(_maybe(st.just("坍塌应急预案"))),
            rectification_delayed=draw(_maybe(st.booleans(), 0.5)),
            rectification_feedback_to_insurer_on=after(0, 30),
            rectification_feedback_to_authority_on=after(0, 30),
        )

    return st.integers(0, max_size).flatmap(
        lambda n: st.tuples(*[one(i) for i in range(n)]).map(list)
    )


def complaints(term: tuple[D, D], max_size: int = 3) -> st.SearchStrategy[list[m.Complaint]]:
    """Complaints with and without verification, replies, contents and extensions."""

    @st.composite
    def one(draw: st.DrawFn, i: int) -> m.Complaint:
        got = draw(_within(*term))
        ext = draw(_maybe(st.integers(1, 40), 0.6))
        return m.Complaint(
            id=f"C{i:03d}",
            received_on=got,
            needs_verification=draw(_maybe(st.booleans(), 0.1)),
            replied_on=draw(_maybe(st.integers(0, 60).map(lambda k: got + dt.timedelta(days=k)))),
            reply_contents=tuple(
                draw(st.lists(st.sampled_from(list(m.ComplaintReplyItem)), unique=True))
            ),
            extension_days=ext,
            extension_approved_on=draw(_maybe(st.just(got + dt.timedelta(days=20))))
            if ext
            else None,
            extension_reason_told_on=draw(_maybe(st.just(got + dt.timedelta(days=21))))
            if ext
            else None,
            extension_approver=draw(_maybe(st.just("投诉处理工作责任人"))) if ext else None,
        )

    return st.integers(0, max_size).flatmap(
        lambda n: st.tuples(*[one(i) for i in range(n)]).map(list)
    )


def incidents(term: tuple[D, D], max_size: int = 2) -> st.SearchStrategy[list[m.Incident]]:
    """Incidents with timestamps; reports 0-40 hours later, or none."""

    @st.composite
    def one(draw: st.DrawFn, i: int) -> m.Incident:
        at = dt.datetime.combine(draw(_within(*term)), dt.time(draw(st.integers(0, 23))))
        hours = draw(_maybe(st.integers(0, 40)))
        closed = draw(_maybe(st.integers(10, 90).map(lambda k: at.date() + dt.timedelta(days=k))))
        return m.Incident(
            id=f"I{i:03d}",
            occurred_at=at,
            reported_at=at + dt.timedelta(hours=hours) if hours is not None else None,
            grade=draw(_maybe(st.sampled_from(list(m.IncidentGrade)))),
            claim_closed_on=closed,
            prevention_advice_on=draw(
                _maybe(st.integers(0, 30).map(lambda k: closed + dt.timedelta(days=k)))
            )
            if closed
            else None,
        )

    return st.integers(0, max_size).flatmap(
        lambda n: st.tuples(*[one(i) for i in range(n)]).map(list)
    )


def _staff(role: m.StaffRole, i: int, term: tuple[D, D]) -> st.SearchStrategy[m.StaffMember]:
    return st.builds(
        m.StaffMember,
        id=st.just(f"{role.value[:3].upper()}{i}"),
        role=st.just(role),
        trainings=st.lists(_within(term[0] - dt.timedelta(days=200), term[1]), max_size=3).map(
            tuple
        ),
        years_experience=_maybe(st.integers(0, 25).map(float)),
        senior_title=_maybe(st.booleans()),
        certificates=st.lists(
            st.sampled_from([*(c.value for c in m.Certificate), "二级建造师"]),
            max_size=2,
            unique=True,
        ).map(tuple),
        years_safety_management=_maybe(st.integers(0, 25).map(float)),
        in_city_expert_pool=_maybe(st.booleans()),
        online_learning=st.lists(
            st.builds(
                m.LearningSession,
                date=_within(*term),
                hours=_maybe(st.integers(1, 20).map(float)),
                class_hours=_maybe(st.integers(1, 20).map(float), 0.1),
            ),
            max_size=4,
        ).map(tuple),
    )


def organisations(term: tuple[D, D]) -> st.SearchStrategy[list[m.Organisation]]:
    """An insurer, usually a third-party organisation, and the insured, with their staff."""

    def org(
        role: m.OrganisationRole, roles: list[m.StaffRole]
    ) -> st.SearchStrategy[m.Organisation]:
        staff = st.lists(st.sampled_from(roles), max_size=8).flatmap(
            lambda rs: st.tuples(*[_staff(r, i, term) for i, r in enumerate(rs)]).map(tuple)
        )
        return st.builds(
            m.Organisation,
            id=st.just(role.value.upper()),
            role=st.just(role),
            staff=staff,
            business_licence=_maybe(st.sampled_from([True, True, False])),
            insurance_licence=_maybe(st.sampled_from([True, True, False])),
            on_dishonesty_list=_maybe(st.sampled_from([False, False, True])),
            supervision_grade=_maybe(st.sampled_from(["comprehensive", "A", "B", "C", "none"])),
            fixed_project_team=_maybe(st.sampled_from([True, True, False])),
            risk_service_years=_maybe(st.integers(0, 6).map(float)),
            bad_record_last_3_years=_maybe(st.sampled_from([False, False, True])),
            conflict_of_interest=_maybe(st.sampled_from([False, False, True])),
            subcontracted=_maybe(st.sampled_from([False, False, True])),
        )

    r = m.StaffRole
    return st.tuples(
        org(m.OrganisationRole.insurer, [r.manager, r.project_lead, r.other]),
        _maybe(
            org(
                m.OrganisationRole.third_party, [r.technical, r.technical_director, r.project_lead]
            ),
            0.2,
        ),
        _maybe(org(m.OrganisationRole.insured, [r.manager, r.other]), 0.3),
    ).map(lambda t: [o for o in t if o is not None])


def archives(term: tuple[D, D], max_size: int = 2) -> st.SearchStrategy[list[m.Archive]]:
    """Paper and electronic archives, some destroyed (early or late), with registers."""

    @st.composite
    def one(draw: st.DrawFn, i: int) -> m.Archive:
        closed = draw(_maybe(_near(term[1], 0, 60), 0.1))
        gone = draw(
            _maybe(st.integers(365, 365 * 8).map(lambda k: term[1] + dt.timedelta(days=k)), 0.6)
        )
        register = None
        if gone is not None and draw(st.booleans()):
            register = m.DestructionRegister(
                compiled_on=draw(_maybe(_near(gone, 30, 3))),
                file_number=draw(_maybe(st.just("JZ-1"))),
                item_count=draw(_maybe(st.integers(1, 50))),
                reason=draw(_maybe(st.just("保存期满"))),
                appraisal_lead=draw(_maybe(st.just("张三"))),
                approver=draw(_maybe(st.just("李四"))),
                destroyer=draw(_maybe(st.just("王五"))),
                signed_on=draw(_maybe(st.just(gone))),
                appraised_by_provider_head=draw(_maybe(st.booleans())),
                appraised_by_insured_head=draw(_maybe(st.booleans())),
                insurer_approved_on=draw(_maybe(_near(gone, 30, 3))),
                signatures=tuple(
                    m.Signature(role=role, name=name, signed_on=draw(_maybe(st.just(gone))))
                    for role, name in draw(
                        st.lists(
                            st.sampled_from(
                                [
                                    (m.SignatoryRole.appraisal_lead, "张三"),
                                    (m.SignatoryRole.approver, "李四"),
                                    (m.SignatoryRole.destroyer, "王五"),
                                ]
                            ),
                            unique=True,
                        )
                    )
                ),
            )
        kinds = draw(st.lists(st.sampled_from(list(m.ArchiveDocumentKind)), unique=True))
        return m.Archive(
            id=f"AR{i}",
            medium=draw(_maybe(st.sampled_from(list(m.ArchiveMedium)))),
            opened_on=term[0],
            closed_on=closed,
            documents=tuple(m.ArchiveDocument(kind=k) for k in kinds),
            destroyed_on=gone,
            destruction_register=register,
        )

    return st.integers(0, max_size).flatmap(
        lambda n: st.tuples(*[one(i) for i in range(n)]).map(list)
    )


def _stages(term: tuple[D, D]) -> st.SearchStrategy[list[m.Stage]]:
    start, end = term
    mid = start + (end - start) / 2
    project = [
        m.Stage(
            id="ST-foundation", kind=m.StageKind.project, name="基础阶段", start=start, end=mid
        ),
        m.Stage(
            id="ST-structure",
            kind=m.StageKind.project,
            name="主体阶段",
            start=mid + dt.timedelta(days=1),
            end=end,
        ),
    ]
    prep_end = start + (mid - start) / 3
    works = [
        m.Stage(
            id="HW-pit-prep",
            kind=m.StageKind.hazardous_work,
            name="深基坑-准备阶段",
            phase="preparation",
            start=start,
            end=prep_end,
        ),
        m.Stage(
            id="HW-pit-build",
            kind=m.StageKind.hazardous_work,
            name="深基坑-施工阶段",
            phase="construction",
            start=prep_end + dt.timedelta(days=1),
            end=mid,
        ),
    ]
    return st.sampled_from([[], project, project + works])


@st.composite
def cases(draw: st.DrawFn, jurisdiction: str = "national") -> m.PolicyCase:
    """A policy with a generated set of every kind of record, for ``jurisdiction``."""
    pol = draw(policies(jurisdiction))
    term = (pol.term_start, pol.term_end)
    stages = draw(_stages(term))
    stage_ids = tuple(s.id for s in stages)
    periods = [
        m.PeriodicReportPeriod.month,
        m.PeriodicReportPeriod.quarter,
        m.PeriodicReportPeriod.year,
    ]
    reports = draw(
        st.lists(
            st.tuples(st.sampled_from(periods), _within(*term), st.integers(0, 25)),
            max_size=6,
        )
    )
    data: dict[str, Any] = {
        "policy": pol,
        "scheme": draw(
            _maybe(
                st.builds(
                    m.Scheme,
                    scheme_id=st.just("FA-1"),
                    agreed_on=_maybe(st.just(pol.term_start)),
                    service_items=st.just(pol.contract_services),
                    time_limits=_maybe(st.just("见合同"), 0.1),
                    providers=_maybe(st.just("某安全技术公司"), 0.1),
                    budget=_maybe(st.just(10000), 0.1),
                    expected_effects=_maybe(st.just("降低风险"), 0.1),
                    safeguards=_maybe(st.just("专人对接"), 0.1),
                    liability_terms=_maybe(st.just("见合同"), 0.1),
                    complaint_arbitration=_maybe(st.just("仲裁"), 0.1),
                    measures=_maybe(st.just("现场检查"), 0.1),
                    measures_basis=_maybe(st.just("JGJ 59"), 0.1),
                    staff=st.just(("王工",)),
                    project_overview=_maybe(st.just("门诊楼"), 0.1),
                    presented_on=_maybe(st.just(pol.term_start)),
                    consulted_on=_maybe(
                        st.integers(-10, 30).map(lambda k: pol.term_start + dt.timedelta(days=k))
                    ),
                    dedicated_for_risk_grade=_maybe(st.booleans()),
                ),
                0.15,
            )
        ),
        "service_records": draw(service_records(term, stage_ids)),
        "hazards": draw(hazards(term)),
        "complaints": draw(complaints(term)),
        "incidents": draw(incidents(term)),
        "organisations": draw(organisations(term)),
        "archives": draw(archives(term)),
        "evaluation_reports": draw(
            st.lists(
                st.builds(
                    m.EvaluationReport,
                    id=st.sampled_from(["E1", "E2"]),
                    completed_on=_maybe(_within(*term), 0.1),
                    evaluator=_maybe(st.sampled_from(["self", "third_party"]), 0.1),
                    contents=st.lists(
                        st.sampled_from(list(m.EvaluationReportItem)), unique=True
                    ).map(tuple),
                    reported_to_emergency_management_on=_maybe(st.just(pol.term_end)),
                    reported_to_construction_authority_on=_maybe(st.just(pol.term_end)),
                    published_on=_maybe(st.just(pol.term_end)),
                ),
                max_size=2,
                unique_by=lambda e: e.id,
            )
        ),
        "quote_letter": draw(
            _maybe(
                st.builds(
                    m.QuoteLetter,
                    **{
                        f: _maybe(st.just(v), 0.1)
                        for f, v in {
                            "project_name": "某项目",
                            "project_address": "某路1号",
                            "project_category": "房建",
                            "works_contract_period": "24个月",
                            "works_contract_amount": 1,
                            "insurance_plan": "方案一",
                            "premium_rate": 1,
                            "coverage_limit": 1,
                            "prevention_scheme": "FA-1",
                            "prevention_fee_ratio": 1,
                        }.items()
                    },
                ),
                0.3,
            )
        ),
        "stages": stages,
        "risk_sources": draw(
            st.lists(
                st.builds(
                    m.RiskSource,
                    id=st.sampled_from(["RS1", "RS2", "RS3"]),
                    level=_maybe(st.integers(1, 4), 0.1),
                    checked_on=_maybe(_within(*term)),
                ),
                max_size=3,
                unique_by=lambda r: r.id,
            )
        ),
        "periodic_reports": [
            m.PeriodicReport(
                id=f"PR{i}",
                period=period,
                period_end=end,
                issued_on=end + dt.timedelta(days=lag),
                submitted_to_insurer_on=end + dt.timedelta(days=lag + 1) if lag % 3 else None,
                submitted_to_authority_on=end + dt.timedelta(days=lag + 1) if lag % 4 else None,
            )
            for i, (period, end, lag) in enumerate(reports)
        ],
        "special_periods": draw(
            st.lists(
                _within(*term).map(
                    lambda d: m.SpecialPeriod(
                        id=f"SP{d:%j}", name="特别防护期", start=d, end=d + dt.timedelta(days=10)
                    )
                ),
                max_size=2,
                unique_by=lambda s: s.id,
            )
        ),
    }
    return m.PolicyCase(**data)

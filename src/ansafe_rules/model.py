"""Domain model: a policy (保单) with its service records, hazards, complaints, incidents,
organisations, archives and evaluation reports.

Every model is frozen and forbids unknown fields; each field's description carries the Chinese
term. Fields exist because a rule reads them (see ``rulesets/*.yaml``), not the other way round.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ._errors import said

__all__ = [
    "Archive",
    "ArchiveDocument",
    "ArchiveDocumentKind",
    "ArchiveMedium",
    "Certificate",
    "Complaint",
    "ComplaintReplyItem",
    "ContractService",
    "DestructionRegister",
    "EvaluationReport",
    "EvaluationReportItem",
    "Hazard",
    "HazardGrade",
    "Incident",
    "IncidentGrade",
    "Industry",
    "InsuredSize",
    "LearningSession",
    "Organisation",
    "OrganisationRole",
    "Party",
    "Per",
    "PeriodicReport",
    "PeriodicReportPeriod",
    "Policy",
    "PolicyCase",
    "ProjectGrade",
    "QuoteLetter",
    "RiskGrade",
    "RiskSource",
    "Satisfaction",
    "Scheme",
    "ServiceKind",
    "ServiceRecord",
    "SignatoryRole",
    "Signature",
    "SpecialPeriod",
    "StaffMember",
    "StaffRole",
    "Stage",
    "StageKind",
]


MAX_COUNT = 1_000_000_000
"""The largest count or number of days a case may state (a sanity bound, far above any real
one): an integer has to be something a message can write out (Python refuses more than
4,300 digits), and one beyond this is a data error for its record, naming the field."""


class _Model(BaseModel):
    # numbers must be finite: an infinite or NaN amount, count or length is a data error for
    # its record (JSON has no such values; YAML's .inf and JSON's Infinity would otherwise be
    # read, judged and written back as text that is not JSON)
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, allow_inf_nan=False
    )


class Industry(StrEnum):
    """行业领域. The high-risk ones are those listed in AQ 9010-2019 5.1."""

    coal_mining = "coal_mining"  # 煤矿
    non_coal_mining = "non_coal_mining"  # 非煤矿山
    hazardous_chemicals = "hazardous_chemicals"  # 危险化学品
    fireworks = "fireworks"  # 烟花爆竹
    transport = "transport"  # 交通运输
    construction = "construction"  # 建筑施工
    civil_explosives = "civil_explosives"  # 民用爆炸物品
    metal_smelting = "metal_smelting"  # 金属冶炼
    fishery = "fishery"  # 渔业生产
    other = "other"


class ServiceKind(StrEnum):
    """事故预防技术服务项目 (AQ 9010-2019 5.1 a-f, split where rules count them apart)."""

    training = "training"  # 安全生产宣传教育培训
    risk_assessment = "risk_assessment"  # 安全风险辨识、评估和安全评价
    standardisation = "standardisation"  # 安全生产标准化建设
    hazard_inspection = "hazard_inspection"  # 生产安全事故隐患排查
    emergency_plan = "emergency_plan"  # 应急预案编制
    emergency_drill = "emergency_drill"  # 应急预案演练
    technology_promotion = "technology_promotion"  # 安全生产科技推广应用
    risk_list_update = "risk_list_update"  # 风险清单更新
    special_campaign = "special_campaign"  # 专项隐患治理行动
    themed_activity = "themed_activity"  # 主题活动 (安全生产月、安全知识竞赛等)
    other = "other"


class Satisfaction(StrEnum):
    """满意度."""

    satisfied = "satisfied"  # 满意
    basically_satisfied = "basically_satisfied"  # 基本满意
    dissatisfied = "dissatisfied"  # 不满意


class RiskGrade(StrEnum):
    """项目风险等级 (高度/中度/低度风险)."""

    high = "high"
    medium = "medium"
    low = "low"


class ProjectGrade(StrEnum):
    """工程项目等级 (特级、一级…), as used for smart-site coverage."""

    special = "special"  # 特级
    first = "first"  # 一级
    second = "second"  # 二级
    third = "third"  # 三级
    other = "other"


class Per(StrEnum):
    """Period a frequency counts over (频次的计算周期)."""

    year = "year"  # 每年
    half_year = "half_year"  # 每半年
    quarter = "quarter"  # 每季度
    month = "month"  # 每月
    term = "term"  # 保险期间内
    stage = "stage"  # 每个施工阶段 (from the case's stages)


class InsuredSize(StrEnum):
    """企业规模 (大型/中型/小型/微型), as the statistical size classes define it.

    广东 4.3 speaks of 大中型投保单位 (large and medium enterprises): a different category from
    规模以上 (above designated size, :attr:`Policy.above_designated_size`) used by AQ 9010 5.1."""

    large = "large"  # 大型
    medium = "medium"  # 中型
    small = "small"  # 小型
    micro = "micro"  # 微型


class Party(StrEnum):
    """Who may organise the services and manage their fees (AQ 9010-2019 5.3)."""

    insurer = "insurer"  # 保险机构
    broker = "broker"  # 保险经纪公司
    third_party = "third_party"  # 第三方机构


class ContractService(_Model):
    """合同约定的服务项目及频次 — one service item and its frequency as the contract states it."""

    service_kind: ServiceKind = Field(description="服务项目")
    min_count: int = Field(ge=1, le=MAX_COUNT, description="频次 — at least this many")
    per: Per = Field(description="频次周期 — per year, half-year, quarter, month or term")


class Policy(_Model):
    """保单 / 保险合同."""

    policy_id: str = Field(min_length=1, description="保单号")
    jurisdiction: str = Field(
        min_length=1, description="适用地区 — ruleset id, e.g. national, guangdong"
    )
    insurer: str = Field(min_length=1, description="保险机构")
    insured: str = Field(min_length=1, description="投保单位")
    project: str | None = Field(default=None, description="工程项目名称")
    industry: Industry = Field(description="行业领域")
    high_risk_industry: bool | None = Field(
        default=None,
        description="高危行业领域 — for an industry not named in AQ 9010 5.1's open list (等)",
    )
    above_designated_size: bool | None = Field(
        default=None, description="规模以上投保单位 (AQ 9010 5.1) — None when unknown"
    )
    insured_size: InsuredSize | None = Field(
        default=None, description="投保单位企业规模 (大型/中型/小型/微型; 广东 4.3 大中型)"
    )
    coinsurance_pool_member: bool | None = Field(
        default=None, description="保险机构是否为共保体成员 (广东 1.2, 1.9) — None when unknown"
    )
    service_organised_by: Party | None = Field(
        default=None, description="统一组织开展事故预防技术服务的机构 (AQ 9010 5.3)"
    )
    service_fees_managed_by: Party | None = Field(
        default=None, description="统一管理使用服务费用的机构 (AQ 9010 5.3)"
    )
    complaint_procedure_told_on: dt.date | None = Field(
        default=None, description="告知投保单位投诉渠道、处理程序和纠纷调处方式的日期"
    )
    contract_reported_to_authority_on: dt.date | None = Field(
        default=None, description="投保单位向所在地住房城乡建设行政主管部门报告保险合同的日期"
    )
    experts_engaged: bool | None = Field(
        default=None, description="是否聘请安全生产专业技术人员 (个人)"
    )
    issued_on: dt.date | None = Field(default=None, description="签单日期 / 出单日期")
    term_start: dt.date = Field(description="保险期间起期")
    term_end: dt.date = Field(description="保险期间止期 (inclusive)")
    project_completion_on: dt.date | None = Field(default=None, description="竣工验收日期")
    works_completed_on: dt.date | None = Field(
        default=None, description="工程完工日期 (may precede 竣工验收)"
    )
    contract_services: tuple[ContractService, ...] = Field(
        default=(), description="保险合同明确的事故预防技术服务项目及频次"
    )
    third_party_engaged: bool | None = Field(
        default=None, description="是否委托安全生产技术服务机构 (第三方)"
    )
    per_project: bool | None = Field(default=None, description="以项目为单位参保")
    project_address: str | None = Field(default=None, description="工程地址")
    project_category: str | None = Field(default=None, description="工程类别")
    project_grade: ProjectGrade | None = Field(default=None, description="工程项目等级")
    risk_grade: RiskGrade | None = Field(default=None, description="项目风险等级 (高度/中度/低度)")
    works_contract_start: dt.date | None = Field(default=None, description="工程合同期限起")
    works_contract_end: dt.date | None = Field(default=None, description="工程合同期限止")
    works_contract_amount: Decimal | None = Field(default=None, description="工程合同金额 (元)")
    insurance_plan: str | None = Field(default=None, description="保险方案")
    premium_rate: Decimal | None = Field(default=None, description="保险费率")
    coverage_limit: Decimal | None = Field(default=None, description="保障额度 (元)")
    prevention_scheme: str | None = Field(
        default=None, description="事故预防技术服务方案 (名称或编号)"
    )
    construction_permit_on: dt.date | None = Field(default=None, description="施工许可证办理日期")
    premium_paid_on: dt.date | None = Field(default=None, description="全额保费收取日期")
    premium_installments: int | None = Field(
        default=None, ge=1, le=MAX_COUNT, description="保费缴费期数"
    )
    split_policy: bool | None = Field(default=None, description="是否拆分保单")
    service_team_registered_on: dt.date | None = Field(
        default=None,
        description="确定和登记保险服务团队、第三方技术服务机构和项目服务团队的日期",
    )
    smart_site_platform: bool | None = Field(default=None, description="是否应用智慧工地管理平台")

    @field_validator("jurisdiction")
    @classmethod
    def _jurisdiction_is_an_id(cls, v: str) -> str:
        # data names a registered ruleset; it never chooses a file to read
        if any(c in v for c in "/\\\0:") or v.lower().endswith((".yaml", ".yml")) or v[:1] == ".":
            raise said("input.jurisdiction_not_id", value=repr(v))
        return v

    @field_validator("contract_services")
    @classmethod
    def _one_frequency_per_kind(cls, v: tuple[ContractService, ...]) -> tuple[ContractService, ...]:
        first: dict[ServiceKind, int] = {}
        for i, s in enumerate(v):
            if s.service_kind in first:
                j = first[s.service_kind]
                kind = repr(s.service_kind.value)
                raise said(
                    "input.service_kind_twice",
                    kind=kind,
                    first=j,
                    second=i,
                    first_n=j + 1,
                    second_n=i + 1,
                )
            first[s.service_kind] = i
        return v

    @model_validator(mode="after")
    def _term_order(self) -> Policy:
        if self.term_end < self.term_start:
            raise said("input.term_order", term_end=self.term_end, term_start=self.term_start)
        return self


class Scheme(_Model):
    """事故预防技术服务方案 (AQ 9010-2019 3.4, 6.1)."""

    scheme_id: str = Field(min_length=1, description="方案编号")
    agreed_on: dt.date | None = Field(default=None, description="与投保单位协商一致日期")
    service_items: tuple[ContractService, ...] = Field(default=(), description="服务内容和频次")
    time_limits: str | None = Field(default=None, description="服务时限")
    providers: str | None = Field(default=None, description="服务机构及人员")
    budget: Decimal | None = Field(default=None, description="费用预算 (元)")
    expected_effects: str | None = Field(default=None, description="预期效果")
    safeguards: str | None = Field(default=None, description="服务保障")
    liability_terms: str | None = Field(default=None, description="责任条款")
    complaint_arbitration: str | None = Field(default=None, description="投诉仲裁")
    measures: str | None = Field(default=None, description="服务措施")
    measures_basis: str | None = Field(default=None, description="服务措施的依据")
    staff: tuple[str, ...] = Field(default=(), description="服务人员")
    project_overview: str | None = Field(default=None, description="工程概况")
    presented_on: dt.date | None = Field(
        default=None, description="向投保单位系统性介绍服务方案的日期"
    )
    consulted_on: dt.date | None = Field(
        default=None, description="制定方案前与投保单位 (被保险人) 沟通协商的日期"
    )
    dedicated_for_risk_grade: bool | None = Field(
        default=None, description="针对高度、中度风险项目制定的专门服务方案"
    )


class ServiceRecord(_Model):
    """服务记录 — one accident-prevention service performed (AQ 9010-2019 6.2, 6.3)."""

    id: str = Field(min_length=1, description="记录编号")
    kind: ServiceKind = Field(description="服务项目")
    confirmed_with_insured_on: dt.date | None = Field(
        default=None, description="服务前与投保单位沟通确认日期"
    )
    started_on: dt.date | None = Field(default=None, description="服务开始日期")
    completed_on: dt.date | None = Field(default=None, description="服务完成日期")
    place: str | None = Field(default=None, description="地点")
    organisation: str | None = Field(default=None, description="服务机构")
    staff: tuple[str, ...] = Field(default=(), description="服务人员")
    content: str | None = Field(default=None, description="服务内容")
    process: str | None = Field(default=None, description="服务过程")
    callback_on: dt.date | None = Field(default=None, description="回访日期")
    callback_method: str | None = Field(
        default=None, description="回访方式 (电话、网络、现场验证等)"
    )
    satisfaction: Satisfaction | None = Field(default=None, description="投保单位满意度")
    callback_opinion: str | None = Field(default=None, description="投保单位具体意见")
    dissatisfaction_reason: str | None = Field(default=None, description="不满意原因")
    objection_or_complaint: str | None = Field(
        default=None, description="回访记录的异议或投诉 ('无' when none was raised)"
    )
    system_recorded_on: dt.date | None = Field(
        default=None, description="在事故预防技术服务信息管理系统中记录、归档的日期"
    )
    report_to_insurer_on: dt.date | None = Field(
        default=None, description="向保险机构出具服务报告的日期"
    )
    report_to_insured_on: dt.date | None = Field(
        default=None, description="向投保单位出具服务报告的日期"
    )
    blocked_by_project: bool | None = Field(
        default=None, description="由于项目方原因无法提供事故预防技术服务"
    )
    blocked_reported_to_insurer_on: dt.date | None = Field(
        default=None, description="无法提供服务的情况报告保险机构的日期"
    )
    blocked_reported_to_authority_on: dt.date | None = Field(
        default=None, description="无法提供服务的情况报告建设行政管理部门的日期"
    )
    effect_evaluated_on: dt.date | None = Field(
        default=None, description="对演练效果 (成效) 进行评估 (总结评估) 的日期"
    )
    measures: str | None = Field(default=None, description="服务措施")
    provider_confirmed_on: dt.date | None = Field(default=None, description="服务机构确认日期")
    uploaded_on: dt.date | None = Field(
        default=None, description="隐患问题和服务报告上传安责险信息化系统日期"
    )
    report_id: str | None = Field(default=None, description="服务报告 / 隐患排查报告编号")
    rectification_advice: str | None = Field(default=None, description="整改建议")
    full_coverage: bool | None = Field(default=None, description="全覆盖检查")
    method: str | None = Field(default=None, description="评估方法, e.g. LEC")
    citywide: bool | None = Field(default=None, description="全市性专题培训")
    tailored: bool | None = Field(default=None, description="项目定制培训")
    stage_id: str | None = Field(default=None, description="所属施工阶段或危大工程阶段")
    project_lead_present: bool | None = Field(default=None, description="项目负责人到场")
    technical_staff_count: int | None = Field(
        default=None, ge=0, le=MAX_COUNT, description="到场技术服务人员数"
    )
    record_compiled_on: dt.date | None = Field(default=None, description="记录整理完毕日期")
    insured_confirmed_on: dt.date | None = Field(default=None, description="投保单位确认日期")
    archived_on: dt.date | None = Field(default=None, description="归档日期")
    extra_fee: Decimal = Field(
        default=Decimal(0), ge=0, description="另行收取的费用 (元) — 0 when none was charged"
    )


class HazardGrade(StrEnum):
    """隐患等级 (重大/一般)."""

    major = "major"  # 重大事故隐患
    general = "general"  # 一般事故隐患


class Hazard(_Model):
    """事故隐患 found during a service."""

    id: str = Field(min_length=1, description="隐患编号")
    service_record_id: str | None = Field(default=None, description="发现该隐患的服务记录")
    found_on: dt.date | None = Field(default=None, description="发现日期")
    grade: HazardGrade | None = Field(default=None, description="隐患等级 (重大/一般)")
    description: str | None = Field(default=None, description="隐患描述")
    level: int | None = Field(default=None, ge=1, le=4, description="风险隐患等级 (一级…四级)")
    serious: bool | None = Field(default=None, description="可能引发安全事故的严重隐患")
    insured_informed_on: dt.date | None = Field(default=None, description="告知投保单位日期")
    notice_in_writing: bool | None = Field(default=None, description="书面告知")
    stop_work_opinion_on: dt.date | None = Field(
        default=None, description="提出停工或局部停工意见日期"
    )
    rectification_opinion_on: dt.date | None = Field(default=None, description="提出整改意见日期")
    opinion_delivered_on: dt.date | None = Field(
        default=None, description="整改意见送达相关责任单位日期"
    )
    rectification_due_on: dt.date | None = Field(default=None, description="规定的整改期限")
    rectification_responsible: str | None = Field(
        default=None, description="整改责任 (责任单位/人)"
    )
    rectification_measures: str | None = Field(default=None, description="整改措施")
    contingency_plan: str | None = Field(default=None, description="预案")
    rectification_delayed: bool | None = Field(
        default=None, description="投保项目拒绝整改或拖延整改"
    )
    rectified_on: dt.date | None = Field(default=None, description="整改完成日期")
    rectification_uploaded_on: dt.date | None = Field(default=None, description="上传整改情况日期")
    rectification_refused_on: dt.date | None = Field(
        default=None, description="投保单位拒不整改日期"
    )
    reported_to_insurer_on: dt.date | None = Field(default=None, description="上报承保机构日期")
    reported_to_authority_on: dt.date | None = Field(
        default=None, description="上报属地建设主管部门 / 监管部门日期"
    )
    supervisor_closed_on: dt.date | None = Field(default=None, description="监理单位整改闭合日期")
    closure_submitted_on: dt.date | None = Field(default=None, description="闭合后提交风控机构日期")
    # shaoxing: 附件 6 对拒绝整改或拖延整改的投保项目，及时反馈承保机构和属地建设主管部门 (a
    # feedback distinct from the hazard's own report, reported_to_*_on, which may precede it)
    rectification_feedback_to_insurer_on: dt.date | None = Field(
        default=None, description="拒绝整改或拖延整改反馈承保机构日期"
    )  # shaoxing
    rectification_feedback_to_authority_on: dt.date | None = Field(
        default=None, description="拒绝整改或拖延整改反馈属地建设主管部门日期"
    )  # shaoxing


class ComplaintReplyItem(StrEnum):
    """投诉事项答复意见的内容 (AQ 9010-2019 6.4)."""

    complainant_request = "complainant_request"  # 投诉人的投诉请求
    facts_and_basis = "facts_and_basis"  # 对基本事实的认定及依据
    handling_measures = "handling_measures"  # 对投诉事项的处理措施


class Complaint(_Model):
    """投诉 / 异议 from the insured."""

    id: str = Field(min_length=1, description="投诉编号")
    received_on: dt.date | None = Field(default=None, description="收到投诉日期")
    needs_verification: bool | None = Field(default=None, description="需要进一步核实与处理")
    replied_on: dt.date | None = Field(default=None, description="答复意见反馈日期")
    reply_contents: tuple[ComplaintReplyItem, ...] = Field(
        default=(), description="答复意见包括的内容"
    )
    extension_days: int | None = Field(
        default=None, ge=1, le=MAX_COUNT, description="延长处理期限 (日)"
    )
    extension_approved_on: dt.date | None = Field(default=None, description="延期批准日期")
    extension_approver: str | None = Field(default=None, description="批准延期的投诉处理工作责任人")
    extension_reason_told_on: dt.date | None = Field(
        default=None, description="告知投诉人延长期限理由的日期"
    )


class IncidentGrade(StrEnum):
    """生产安全事故等级 (《生产安全事故报告和调查处理条例》)."""

    general = "general"  # 一般事故
    larger = "larger"  # 较大事故
    major = "major"  # 重大事故
    especially_major = "especially_major"  # 特别重大事故


class Incident(_Model):
    """出险 / 生产安全事故."""

    id: str = Field(min_length=1, description="事故编号")
    occurred_at: dt.datetime | None = Field(default=None, description="出险时间")
    reported_at: dt.datetime | None = Field(default=None, description="报案时间")
    reported_to: str | None = Field(default=None, description="报告对象")
    grade: IncidentGrade | None = Field(default=None, description="事故等级")
    claim_closed_on: dt.date | None = Field(default=None, description="理赔结束日期")
    prevention_advice_on: dt.date | None = Field(
        default=None, description="理赔后向施工单位提出加强风险管控及整改建议的日期"
    )


class OrganisationRole(StrEnum):
    insurer = "insurer"  # 保险机构
    third_party = "third_party"  # 安全生产技术服务机构 (第三方)
    broker = "broker"  # 保险经纪公司
    insured = "insured"  # 投保单位


class StaffRole(StrEnum):
    manager = "manager"  # 专职管理人员 / 项目管理人员
    technical = "technical"  # 专业技术人员
    project_lead = "project_lead"  # 项目负责人
    technical_director = "technical_director"  # 机构技术负责人
    other = "other"


class Certificate(StrEnum):
    """The seven 工程建设类相关专业注册执业证书 of 忻州 七(五) 注 (a closed list that decides who
    *counts* toward 七(五)). A staff member may hold any other certificate too
    (:attr:`StaffMember.certificates` accepts any name)."""

    registered_safety_engineer = "registered_safety_engineer"  # 国家注册安全工程师
    constructor_first_class = "constructor_first_class"  # 国家注册一级建造师
    architect_first_class = "architect_first_class"  # 国家注册一级建筑师
    structural_engineer_first_class = "structural_engineer_first_class"  # 一级结构师
    supervising_engineer = "supervising_engineer"  # 国家注册监理工程师
    fire_engineer = "fire_engineer"  # 国家注册消防工程师
    civil_engineer = "civil_engineer"  # 国家注册土木工程师


class LearningSession(_Model):
    """一次在线学习."""

    date: dt.date = Field(description="学习日期")
    hours: float | None = Field(default=None, ge=0, description="学习时长 (clock hours)")
    class_hours: float | None = Field(default=None, ge=0, description="学时 (class hours)")


class StaffMember(_Model):
    """人员."""

    id: str = Field(min_length=1, description="人员编号")
    name: str | None = Field(default=None, description="姓名")
    role: StaffRole = Field(description="岗位")
    trainings: tuple[dt.date, ...] = Field(default=(), description="接受专业技能培训的日期")
    years_experience: float | None = Field(
        default=None, ge=0, description="工作年限 (any work; 忻州 三(四))"
    )
    senior_title: bool | None = Field(default=None, description="建设工程领域高级及以上职称")
    certificates: tuple[str, ...] = Field(
        default=(),
        description="注册执业证书 — any name; the ids of :class:`Certificate` are the seven "
        "listed by 忻州 七(五) 注",
    )
    years_safety_management: float | None = Field(
        default=None, ge=0, description="从事建筑行业领域安全管理工作年限"
    )
    in_city_expert_pool: bool | None = Field(
        default=None, description="宣城市建设工程安全专家库人员"
    )
    online_learning: tuple[LearningSession, ...] = Field(default=(), description="在线学习记录")


class Organisation(_Model):
    """机构 (insurer branch, third-party organisation, broker)."""

    id: str = Field(min_length=1, description="机构编号")
    name: str | None = Field(default=None, description="名称")
    role: OrganisationRole = Field(description="角色")
    staff: tuple[StaffMember, ...] = Field(default=(), description="人员")
    business_licence: bool | None = Field(default=None, description="有效的营业执照")
    insurance_licence: bool | None = Field(default=None, description="《保险许可证》")
    on_dishonesty_list: bool | None = Field(
        default=None, description="列入严重违法失信企业名单或失信被执行人名单"
    )
    supervision_grade: str | None = Field(
        default=None,
        description="工程监理资质等级 — comprehensive (综合资质) / A (甲级) / B (乙级) / "
        "C (丙级) / none (无)",
    )
    fixed_project_team: bool | None = Field(
        default=None, description="设置固定的 (安责险) 项目服务团队"
    )
    risk_service_years: float | None = Field(default=None, ge=0, description="风险管理服务经验年限")
    bad_record_last_3_years: bool | None = Field(
        default=None, description="近三年被执行或不良行为记录"
    )
    conflict_of_interest: bool | None = Field(default=None, description="与参建单位存在利害关系")
    subcontracted: bool | None = Field(default=None, description="拆包、分包、转包给第三人")


class ArchiveDocumentKind(StrEnum):
    """应归档的文档资料 (AQ 9010-2019 7.4)."""

    insurance_contract = "insurance_contract"  # 保险合同
    service_scheme = "service_scheme"  # 服务方案
    service_materials = "service_materials"  # 每次开展服务的相关材料
    third_party_contracts = "third_party_contracts"  # 委托安全生产技术服务机构的合同及服务记录
    expert_contracts = "expert_contracts"  # 聘请安全生产专业技术人员的合同及服务记录
    fee_ledger = "fee_ledger"  # 服务费用台账
    complaint_records = "complaint_records"  # 投诉及处理记录
    evaluation_report = "evaluation_report"  # 年度评估报告
    images = "images"  # 影像资料
    other = "other"


class ArchiveDocument(_Model):
    kind: ArchiveDocumentKind = Field(description="文档类别")
    title: str | None = Field(default=None, description="标题")
    filed_on: dt.date | None = Field(default=None, description="归档日期")


class SignatoryRole(StrEnum):
    appraisal_lead = "appraisal_lead"  # 鉴定小组负责人
    approver = "approver"  # 批准人
    destroyer = "destroyer"  # 销毁人


class Signature(_Model):
    """一个签字及其时间 (广东 3.4: 鉴定小组负责人、批准人、销毁人的签字及时间)."""

    role: SignatoryRole = Field(description="签字人身份")
    name: str = Field(min_length=1, description="签字人")
    signed_on: dt.date | None = Field(default=None, description="签字时间")


class DestructionRegister(_Model):
    """销毁清册 and its cover (广东 3.4; 绍兴 附件 7)."""

    compiled_on: dt.date | None = Field(default=None, description="编制日期")
    file_number: str | None = Field(default=None, description="卷宗号")
    item_count: int | None = Field(default=None, ge=0, le=MAX_COUNT, description="销毁档案的数目")
    reason: str | None = Field(default=None, description="销毁原因")
    appraisal_lead: str | None = Field(default=None, description="鉴定小组负责人")
    approver: str | None = Field(default=None, description="批准人")
    destroyer: str | None = Field(default=None, description="销毁人")
    signed_on: dt.date | None = Field(default=None, description="签字时间")
    signatures: tuple[Signature, ...] = Field(
        default=(), description="鉴定小组负责人、批准人、销毁人的签字及时间"
    )
    appraised_by_provider_head: bool | None = Field(
        default=None, description="经服务机构主要负责人研讨、鉴定"
    )
    appraised_by_insured_head: bool | None = Field(
        default=None, description="经投保单位主要负责人研讨、鉴定"
    )
    insurer_approved_on: dt.date | None = Field(default=None, description="报保险机构核准日期")


class ArchiveMedium(StrEnum):
    paper = "paper"  # 纸质版
    electronic = "electronic"  # 电子档案


class Archive(_Model):
    """服务档案 kept for one insured."""

    id: str = Field(min_length=1, description="档案编号")
    medium: ArchiveMedium | None = Field(default=None, description="档案形式 — 纸质 / 电子")
    opened_on: dt.date | None = Field(default=None, description="建档日期")
    closed_on: dt.date | None = Field(default=None, description="结档日期")
    documents: tuple[ArchiveDocument, ...] = Field(default=(), description="档案资料")
    destroyed_on: dt.date | None = Field(default=None, description="销毁日期")
    destruction_register: DestructionRegister | None = Field(default=None, description="销毁清册")


class EvaluationReportItem(StrEnum):
    """年度评估书面报告的内容 (AQ 9010-2019 8.1)."""

    scheme_implementation = "scheme_implementation"  # 服务方案实施情况 (及效果)
    service_effect = "service_effect"  # 服务效果
    insured_satisfaction = "insured_satisfaction"  # 投保单位满意度
    fee_expenditure = "fee_expenditure"  # 服务费用支出情况
    provider_competence = "provider_competence"  # 机构和人员的专业能力
    complaints = "complaints"  # 投保单位投诉及处理情况
    problems_and_improvements = "problems_and_improvements"  # 存在的问题和改进措施


class EvaluationReport(_Model):
    """年度评估报告."""

    id: str = Field(min_length=1, description="报告编号")
    period_end: dt.date | None = Field(default=None, description="评估期间截止日")
    completed_on: dt.date | None = Field(default=None, description="报告完成日期")
    evaluator: str | None = Field(
        default=None, description="评估主体 — self (自评) / third_party (第三方评估)"
    )
    contents: tuple[EvaluationReportItem, ...] = Field(default=(), description="报告内容")
    reported_to_emergency_management_on: dt.date | None = Field(
        default=None, description="向应急管理部门和相关部门上报日期"
    )
    reported_to_construction_authority_on: dt.date | None = Field(
        default=None, description="上报投保单位属地建设行业主管部门日期"
    )
    published_on: dt.date | None = Field(default=None, description="向社会公布日期")


class QuoteLetter(_Model):
    """正式项目报价函 (忻州 四(四))."""

    issued_on: dt.date | None = Field(default=None, description="出具日期")
    project_name: str | None = Field(default=None, description="项目名称")
    project_address: str | None = Field(default=None, description="工程地址")
    project_category: str | None = Field(default=None, description="工程类别")
    works_contract_period: str | None = Field(default=None, description="工程合同期限")
    works_contract_amount: Decimal | None = Field(default=None, description="工程合同金额")
    insurance_plan: str | None = Field(default=None, description="保险方案")
    premium_rate: Decimal | None = Field(default=None, description="保险费率")
    coverage_limit: Decimal | None = Field(default=None, description="保障额度")
    prevention_scheme: str | None = Field(default=None, description="事故预防技术服务方案")
    prevention_fee_ratio: Decimal | None = Field(
        default=None, description="事故预防技术服务费用比例"
    )


class StageKind(StrEnum):
    project = "project"  # 工程施工阶段 (基础、主体、装饰…)
    hazardous_work = "hazardous_work"  # 危险性较大的分部分项工程的阶段


class Stage(_Model):
    """施工阶段 — a project stage, or the preparation/construction stage of a 危大工程."""

    id: str = Field(min_length=1, description="阶段编号")
    kind: StageKind = Field(description="阶段类型 — 工程阶段 / 危大工程阶段")
    name: str | None = Field(default=None, description="名称, e.g. 基础阶段, 深基坑-施工阶段")
    phase: str | None = Field(
        default=None, description="所处阶段 — preparation (准备阶段) / construction (施工阶段) / …"
    )
    start: dt.date = Field(description="开始日期")
    end: dt.date = Field(description="结束日期 (inclusive)")

    @model_validator(mode="after")
    def _order(self) -> Stage:
        if self.end < self.start:
            raise said("input.end_before_start", end=self.end, start=self.start)
        return self


class RiskSource(_Model):
    """风险源 (《施工现场风险源分级与防范措施一览表》)."""

    id: str = Field(min_length=1, description="风险源编号")
    level: int | None = Field(default=None, ge=1, le=4, description="风险源等级 (一级…四级)")
    description: str | None = Field(default=None, description="描述")
    checked_on: dt.date | None = Field(default=None, description="核查日期")


class PeriodicReportPeriod(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


class PeriodicReport(_Model):
    """月度、季度、年度隐患排查及问题清单、安全生产分析和风险评估报告 (绍兴 三(一))."""

    id: str = Field(min_length=1, description="报告编号")
    period: PeriodicReportPeriod = Field(description="报告周期 — 月度 / 季度 / 年度")
    period_end: dt.date | None = Field(default=None, description="报告期截止日")
    issued_on: dt.date | None = Field(default=None, description="出具日期")
    submitted_to_insurer_on: dt.date | None = Field(default=None, description="上报承保机构日期")
    submitted_to_authority_on: dt.date | None = Field(
        default=None, description="上报属地建设主管部门日期"
    )


class SpecialPeriod(_Model):
    """特别防护期 and other windows declared by an authority."""

    id: str = Field(min_length=1)
    name: str | None = Field(default=None, description="名称")
    start: dt.date
    end: dt.date


class PolicyCase(_Model):
    """One policy with everything recorded about it: the unit the evaluator judges."""

    policy: Policy
    scheme: Scheme | None = Field(default=None, description="事故预防技术服务方案")
    service_records: tuple[ServiceRecord, ...] = Field(default=(), description="服务记录")
    hazards: tuple[Hazard, ...] = Field(default=(), description="事故隐患")
    complaints: tuple[Complaint, ...] = Field(default=(), description="投诉")
    incidents: tuple[Incident, ...] = Field(default=(), description="出险")
    organisations: tuple[Organisation, ...] = Field(default=(), description="机构及人员")
    archives: tuple[Archive, ...] = Field(default=(), description="服务档案")
    evaluation_reports: tuple[EvaluationReport, ...] = Field(default=(), description="年度评估报告")
    quote_letter: QuoteLetter | None = Field(default=None, description="正式项目报价函")
    stages: tuple[Stage, ...] = Field(default=(), description="施工阶段与危大工程阶段")
    risk_sources: tuple[RiskSource, ...] = Field(default=(), description="风险源")
    periodic_reports: tuple[PeriodicReport, ...] = Field(default=(), description="定期报告")
    special_periods: tuple[SpecialPeriod, ...] = Field(
        default=(), description="特别防护期等主管部门规定的时段"
    )


COLLECTIONS: dict[str, type[_Model]] = {
    "service_records": ServiceRecord,
    "hazards": Hazard,
    "complaints": Complaint,
    "incidents": Incident,
    "organisations": Organisation,
    "archives": Archive,
    "evaluation_reports": EvaluationReport,
    "stages": Stage,
    "risk_sources": RiskSource,
    "periodic_reports": PeriodicReport,
    "special_periods": SpecialPeriod,
}
"""Record collections of a :class:`PolicyCase`, validated one record at a time."""

SINGLES: dict[str, type[_Model]] = {"scheme": Scheme, "quote_letter": QuoteLetter}
"""Optional single documents of a :class:`PolicyCase`."""

"""Domain model: a policy (保单) with its service records, hazards, complaints, incidents,
organisations, archives and evaluation reports.

Every model is frozen and forbids unknown fields; each field's description carries the Chinese
term. Fields exist because a rule reads them (see ``rulesets/*.yaml``), not the other way round.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Archive",
    "ArchiveDocument",
    "ArchiveDocumentKind",
    "Complaint",
    "ComplaintReplyItem",
    "ContractService",
    "EvaluationReport",
    "EvaluationReportItem",
    "Hazard",
    "HazardGrade",
    "Incident",
    "Industry",
    "Organisation",
    "OrganisationRole",
    "Per",
    "Policy",
    "PolicyCase",
    "Scheme",
    "ServiceKind",
    "ServiceRecord",
    "StaffMember",
    "StaffRole",
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


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
    other = "other"


class Per(StrEnum):
    """Period a frequency counts over (频次的计算周期)."""

    year = "year"  # 每年
    half_year = "half_year"  # 每半年
    quarter = "quarter"  # 每季度
    month = "month"  # 每月
    term = "term"  # 保险期间内


class ContractService(_Model):
    """合同约定的服务项目及频次 — one service item and its frequency as the contract states it."""

    service_kind: ServiceKind = Field(description="服务项目")
    min_count: int = Field(ge=1, description="频次 — at least this many")
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
    above_designated_size: bool | None = Field(
        default=None, description="规模以上投保单位 (大中型) — None when unknown"
    )
    issued_on: dt.date | None = Field(default=None, description="签单日期 / 出单日期")
    term_start: dt.date = Field(description="保险期间起期")
    term_end: dt.date = Field(description="保险期间止期 (inclusive)")
    project_completion_on: dt.date | None = Field(default=None, description="竣工验收日期")
    contract_services: tuple[ContractService, ...] = Field(
        default=(), description="保险合同明确的事故预防技术服务项目及频次"
    )
    third_party_engaged: bool | None = Field(
        default=None, description="是否委托安全生产技术服务机构 (第三方)"
    )

    @model_validator(mode="after")
    def _term_order(self) -> Policy:
        if self.term_end < self.term_start:
            raise ValueError(f"term_end {self.term_end} is before term_start {self.term_start}")
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
    satisfaction: str | None = Field(default=None, description="投保单位满意度")
    callback_opinion: str | None = Field(default=None, description="投保单位具体意见")
    record_compiled_on: dt.date | None = Field(default=None, description="记录整理完毕日期")
    insured_confirmed_on: dt.date | None = Field(default=None, description="投保单位确认日期")
    archived_on: dt.date | None = Field(default=None, description="归档日期")
    extra_fee: Decimal = Field(
        default=Decimal(0), ge=0, description="另行收取的费用 (元) — 0 when none was charged"
    )


class HazardGrade(StrEnum):
    """隐患等级."""

    major = "major"  # 重大事故隐患
    general = "general"  # 一般事故隐患


class Hazard(_Model):
    """事故隐患 found during a service."""

    id: str = Field(min_length=1, description="隐患编号")
    service_record_id: str | None = Field(default=None, description="发现该隐患的服务记录")
    found_on: dt.date | None = Field(default=None, description="发现日期")
    grade: HazardGrade | None = Field(default=None, description="隐患等级 (重大/一般)")
    description: str | None = Field(default=None, description="隐患描述")
    insured_informed_on: dt.date | None = Field(default=None, description="告知投保单位日期")
    rectified_on: dt.date | None = Field(default=None, description="整改完成日期")


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


class Incident(_Model):
    """出险 / 生产安全事故."""

    id: str = Field(min_length=1, description="事故编号")
    occurred_at: dt.datetime | None = Field(default=None, description="出险时间")
    reported_at: dt.datetime | None = Field(default=None, description="报案时间")
    reported_to: str | None = Field(default=None, description="报告对象")


class OrganisationRole(StrEnum):
    insurer = "insurer"  # 保险机构
    third_party = "third_party"  # 安全生产技术服务机构 (第三方)
    broker = "broker"  # 保险经纪公司
    insured = "insured"  # 投保单位


class StaffRole(StrEnum):
    manager = "manager"  # 专职管理人员
    technical = "technical"  # 专业技术人员
    project_lead = "project_lead"  # 项目负责人
    other = "other"


class StaffMember(_Model):
    """人员."""

    id: str = Field(min_length=1, description="人员编号")
    name: str | None = Field(default=None, description="姓名")
    role: StaffRole = Field(description="岗位")
    trainings: tuple[dt.date, ...] = Field(default=(), description="接受专业技能培训的日期")
    years_experience: float | None = Field(default=None, ge=0, description="相关从业年限")


class Organisation(_Model):
    """机构 (insurer branch, third-party organisation, broker)."""

    id: str = Field(min_length=1, description="机构编号")
    name: str | None = Field(default=None, description="名称")
    role: OrganisationRole = Field(description="角色")
    staff: tuple[StaffMember, ...] = Field(default=(), description="人员")


class ArchiveDocumentKind(StrEnum):
    """应归档的文档资料 (AQ 9010-2019 7.4)."""

    insurance_contract = "insurance_contract"  # 保险合同
    service_scheme = "service_scheme"  # 服务方案
    service_materials = "service_materials"  # 每次开展服务的相关材料
    third_party_contracts = "third_party_contracts"  # 聘请/委托合同及服务记录
    fee_ledger = "fee_ledger"  # 服务费用台账
    complaint_records = "complaint_records"  # 投诉及处理记录
    evaluation_report = "evaluation_report"  # 年度评估报告
    other = "other"


class ArchiveDocument(_Model):
    kind: ArchiveDocumentKind = Field(description="文档类别")
    title: str | None = Field(default=None, description="标题")
    filed_on: dt.date | None = Field(default=None, description="归档日期")


class Archive(_Model):
    """服务档案 kept for one insured."""

    id: str = Field(min_length=1, description="档案编号")
    opened_on: dt.date | None = Field(default=None, description="建档日期")
    closed_on: dt.date | None = Field(default=None, description="结档日期")
    documents: tuple[ArchiveDocument, ...] = Field(default=(), description="档案资料")
    destroyed_on: dt.date | None = Field(default=None, description="销毁日期")


class EvaluationReportItem(StrEnum):
    """年度评估书面报告的内容 (AQ 9010-2019 8.1)."""

    scheme_implementation = "scheme_implementation"  # 服务方案实施情况及效果
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
    evaluator: str | None = Field(default=None, description="自评 self / 第三方评估 third_party")
    contents: tuple[EvaluationReportItem, ...] = Field(default=(), description="报告内容")
    reported_to_authority_on: dt.date | None = Field(
        default=None, description="向应急管理部门和相关部门上报日期"
    )
    published_on: dt.date | None = Field(default=None, description="向社会公布日期")


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


COLLECTIONS: dict[str, type[_Model]] = {
    "service_records": ServiceRecord,
    "hazards": Hazard,
    "complaints": Complaint,
    "incidents": Incident,
    "organisations": Organisation,
    "archives": Archive,
    "evaluation_reports": EvaluationReport,
}
"""Record collections of a :class:`PolicyCase`, validated one record at a time."""

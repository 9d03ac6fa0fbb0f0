"""Checklists (e.g. 绍兴's 安责险第三方风控服务机构检查表) evaluated from a report.

A checklist lives in its ruleset's YAML: each row quotes its check point verbatim and names the
rules whose findings answer it, or says why the data cannot. A row's status is the worst status
among those findings, so a row is ``compliant`` only when every finding behind it is.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .evaluate import Report, Status
from .rulesets import NOT_A_BREACH, ResolvedRuleset
from .spreadsheets import as_text

__all__ = ["LAYOUTS", "ChecklistReport", "ChecklistRowResult", "checklist", "write_checklist_xlsx"]

# worst first
_RANK = [
    Status.violation,
    Status.data_error,
    Status.insufficient_data,
    Status.pending,
    Status.compliant,
    Status.not_applicable,
]


class ChecklistRowResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    item: str = Field(description="序号")
    quote: str = Field(description="检查要点 (verbatim)")
    status: Status | None = Field(description="None when the data cannot answer the row")
    advisory_only: bool = Field(
        default=False,
        description="every violation behind the row is advisory or an assessment item (not a "
        "breach of a duty)",
    )
    rules: tuple[str, ...]
    findings: dict[Status, int] = Field(description="how many findings of each status")
    reasons: tuple[str, ...] = Field(description="the reasons of the worst findings")
    not_answerable: str | None = None


class ChecklistReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    checklist_id: str
    title: str
    layer: str
    policy_id: str
    as_of: str
    rows: tuple[ChecklistRowResult, ...]


def checklist(
    report: Report, ruleset: ResolvedRuleset, checklist_id: str | None = None
) -> ChecklistReport:
    """Answer a checklist of ``ruleset`` from ``report`` (evaluated with that ruleset)."""
    if not ruleset.checklists:
        raise ValueError(f"ruleset {ruleset.id!r} has no checklist")
    found = [
        c for c in ruleset.checklists if checklist_id is None or c.checklist.id == checklist_id
    ]
    if not found:
        ids = ", ".join(c.checklist.id for c in ruleset.checklists)
        raise ValueError(f"no checklist {checklist_id!r} in {ruleset.id!r}; available: {ids}")
    rc = found[0]
    rows = []
    for row in rc.checklist.rows:
        fs = [f for f in report.findings if f.rule_id in row.rules]
        counts = {s: sum(1 for f in fs if f.status is s) for s in Status}
        counts = {s: n for s, n in counts.items() if n}
        status = next((s for s in _RANK if counts.get(s)), None) if row.rules else None
        if row.rules and status is None:
            status = Status.not_applicable  # the rules were not evaluated (e.g. layer filter)
        worst = [f for f in fs if f.status is status]
        advisory = status is Status.violation and all(f.severity in NOT_A_BREACH for f in worst)
        rows.append(
            ChecklistRowResult(
                item=row.item,
                quote=row.quote,
                status=status,
                advisory_only=advisory,
                rules=row.rules,
                findings=counts,
                reasons=tuple(dict.fromkeys(f"{f.subject}: {f.reason}" for f in worst))[:10],
                not_answerable=row.not_answerable,
            )
        )
    return ChecklistReport(
        checklist_id=rc.checklist.id,
        title=rc.checklist.title,
        layer=rc.layer,
        policy_id=report.policy_id,
        as_of=report.as_of.isoformat(),
        rows=tuple(rows),
    )


# --- the checklist as a printable XLSX (issue 9, item 4) ------------------------------------
class _Block(BaseModel):
    """Rows of the source's table that share a 序号 and a 检查内容 (copied verbatim)."""

    model_config = ConfigDict(frozen=True)

    section: str
    item: str
    content: str
    rows: int


# The source table's sections and 检查内容 cells, which the ruleset's checklist rows (序号 and
# 检查要点 only) do not carry: 绍兴 附件 安责险第三方风控服务机构检查表, verbatim
# (tests/test_checklist_xlsx.py checks every text against /work/shared/sources/shaoxing.txt and
# the row counts against the ruleset).
LAYOUTS: dict[tuple[str, str], tuple[_Block, ...]] = {
    ("shaoxing", "third_party_checklist"): (
        _Block(
            section="组织管理情况",
            item="1",
            content="健全管控体系。认真落实《浙江省建筑工程安全生产责任保险事故预防技术服务指南》，"
            "建立健全组织体系和安全生产管理制度，配备专职技术负责人，明确业务流程，强化人员管理，"
            "提升业务能力。",
            rows=2,
        ),
        _Block(
            section="事故预防技术服务开展情况",
            item="2",
            content="风险识别和隐患排查。依据合同约定和服务指南要求，按照《施工现场风险源分级与防范"
            "措施一览表》和《房屋市政工程生产安全重大隐患判定标准（2022版）》开展风险分级和隐患排查"
            "工作，并形成风险源问题清单。",
            rows=6,
        ),
        _Block(
            section="事故预防技术服务开展情况",
            item="3",
            content="安全风险评估。依据风险识别和隐患排查结果对工程项目进行安全风险评估，摸清项目"
            "风险等级底数，形成高度风险、中度风险和低度风险项目清单，根据风险等级制定服务形式和频次"
            "等内容。",
            rows=2,
        ),
        _Block(
            section="事故预防技术服务开展情况",
            item="4",
            content="宣传教育培训。按照合同约定编制教育培训计划，对投保单位全部或部分管理人员和施工"
            "作业人员开展法律法规、安全技术标准等培训，提高从业人员安全生产意识和安全技能水平，减少"
            "违规指挥、违章作业和违反劳动纪律等行为。",
            rows=3,
        ),
        _Block(
            section="事故预防技术服务开展情况",
            item="5",
            content="应急预案编制与演练。按照合同约定协助投保单位编制安全生产事故应急预案，协助组织"
            "应急救援演练，并对演练成效开展总结评估。",
            rows=2,
        ),
        _Block(
            section="处置跟踪情况",
            item="6",
            content="处置时效和时限要求。严格《浙江省建筑工程安全生产责任保险事故预防技术服务指南》"
            "要求跟踪处置各类风险隐患。及时建立风险隐患清单，明确隐患整改责任、措施、时限、预案，"
            "督促施工单位分级分类采取有效措施消除隐患，逐项跟踪整改落实，实现闭环管理，坚决防止隐患"
            "变成事故。对拒绝整改或拖延整改的投保项目，及时反馈承保机构和属地建设主管部门。",
            rows=3,
        ),
        _Block(
            section="成果管理情况",
            item="7",
            content="加强档案管理。建立健全档案管理制度，及时记录和保管各次服务形成的文档资料，确保"
            "服务过程可追溯和服务档案真实完整性。纸质版档案在项目竣工后应至少保留五年，档案销毁前应"
            "报保险机构核准。",
            rows=3,
        ),
        _Block(
            section="成果管理情况",
            item="7",
            content="强化服务成效。服务机构应按照合同约定、服务指南等相关规定，全面开展事故预防技术"
            "服务，及时开展风险评估和隐患排查，有效缓解、杜绝投保项目安全生产事故发生。不断完善服务"
            "内容形式，听取各方意见建议，不断提高服务能力和效率。",
            rows=3,
        ),
        _Block(section="其他情况", item="8", content="", rows=3),
    )
}

MAX_REASONS = 6
"""Findings named in one 检查情况 cell; the rest are counted."""

_FILLS = {
    "violation": "F8CBAD",
    "advisory": "FFE699",
    "data_error": "F8CBAD",
    "insufficient_data": "FFE699",
    "pending": "DDEBF7",
    "compliant": "C6EFCE",
    "not_applicable": "EDEDED",
    "manual": "FFFFFF",
}


def _answer(row: ChecklistRowResult, report: Report, lang: str) -> tuple[str, str]:
    """(the 检查情况 text, its fill key) of one row: the answer, the worst findings with their
    records, and the clauses behind them."""
    from .i18n import text

    if row.status is None:
        why = row.not_answerable or ""
        return text("checklist.answer.manual", lang).format(why=why), "manual"
    key = "advisory" if row.advisory_only else row.status.value
    lines = [text(f"checklist.answer.{key}", lang)]
    worst = [f for f in report.findings if f.rule_id in row.rules and f.status is row.status]
    if row.status not in (Status.compliant, Status.not_applicable):
        for f in worst[:MAX_REASONS]:
            lines.append(
                f"· {f.subject}：{f.reason}" if lang == "zh" else f"- {f.subject}: {f.reason}"
            )
        if len(worst) > MAX_REASONS:
            lines.append(text("checklist.more", lang).format(n=len(worst) - MAX_REASONS))
    records = list(dict.fromkeys(r for f in worst if f.trace for r in f.trace.records))
    sep = "、" if lang == "zh" else ", "
    if records:
        lines.append(text("checklist.records", lang).format(records=sep.join(records)))
    clauses = list(
        dict.fromkeys(f"{f.layer} {f.trace.citation.clause}" for f in worst if f.trace is not None)
    )
    if clauses:
        lines.append(text("checklist.clauses", lang).format(clauses=sep.join(clauses)))
    return "\n".join(lines), key


def write_checklist_xlsx(
    result: ChecklistReport,
    report: Report,
    target: Any,
    *,
    project: str | None = None,
    insured: str | None = None,
    lang: str = "zh",
) -> None:
    """Write a checklist answered from ``report`` (evaluated with ``lang``) as a printable XLSX
    at ``target`` (a path or a binary stream), in the layout of the source's table: 序号 |
    检查内容 | 检查要点 | 检查情况, a row per section, the 检查情况 column answered from the
    findings (符合/不符合/… with the records and clauses behind it). A4 landscape, the header
    row repeated on each printed page, text wrapped, fitted to the page width."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.page import PageMargins

    from .i18n import text

    blocks = LAYOUTS.get((result.layer, result.checklist_id))
    if blocks is None or sum(b.rows for b in blocks) != len(result.rows):
        # no layout known: one block per 序号, no 检查内容
        blocks = tuple(
            _Block(section="", item=item, content="", rows=sum(r.item == item for r in result.rows))
            for item in dict.fromkeys(r.item for r in result.rows)
        )
    wb = Workbook()
    ws = wb.active
    ws.title = result.title[:31]
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(wrap_text=True, vertical="center", horizontal="center")
    bold = Font(bold=True)

    def boxed(r: int, c: int, value: Any, align: Alignment = wrap, font: Font | None = None):
        cell = as_text(ws.cell(r, c, value))
        cell.alignment, cell.border = align, box
        if font is not None:
            cell.font = font
        return cell

    ws.merge_cells("A1:D1")
    ws["A1"] = result.title
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = centre
    ws.row_dimensions[1].height = 30
    ws.merge_cells("A2:D2")
    ws["A2"] = text("checklist.meta", lang).format(
        policy_id=result.policy_id,
        project=project or "—",
        insured=insured or "—",
        as_of=result.as_of,
    )
    ws["A2"].alignment = Alignment(vertical="center")
    heads = ("item", "content", "point", "result")
    for c, key in enumerate(heads, start=1):
        boxed(3, c, text(f"checklist.head.{key}", lang), centre, bold).fill = PatternFill(
            "solid", fgColor="D9D9D9"
        )
    r, i, section = 4, 0, None
    for b in blocks:
        if b.section and b.section != section:
            section = b.section
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
            boxed(r, 1, section, Alignment(vertical="center"), bold).fill = PatternFill(
                "solid", fgColor="F2F2F2"
            )
            for c in range(2, 5):
                ws.cell(r, c).border = box
            r += 1
        first = r
        for row in result.rows[i : i + b.rows]:
            answer, key = _answer(row, report, lang)
            boxed(r, 3, row.quote)
            boxed(r, 4, answer).fill = PatternFill("solid", fgColor=_FILLS[key])
            boxed(r, 1, None, centre)
            boxed(r, 2, None)
            lines = max(len(row.quote) / 28, sum(1 + len(x) / 40 for x in answer.split("\n")))
            ws.row_dimensions[r].height = max(30, min(400, 15 * lines))
            r += 1
        i += b.rows
        boxed(first, 1, b.item, centre)
        boxed(first, 2, b.content or None)
        if r - 1 > first:
            ws.merge_cells(start_row=first, start_column=1, end_row=r - 1, end_column=1)
            ws.merge_cells(start_row=first, start_column=2, end_row=r - 1, end_column=2)
    ws.cell(r + 1, 1, text("checklist.signature", lang))
    ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=4)
    for letter, width in zip("ABCD", (6, 42, 42, 62), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"
    ws.print_area = f"A1:D{r + 1}"
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.print_options.horizontalCentered = True
    wb.save(target)


# --- end checklist XLSX ---------------------------------------------------------------------

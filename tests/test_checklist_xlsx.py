"""The 绍兴 检查表 (安责险第三方风控服务机构检查表) filled in as an XLSX: the source table's layout
(its sections and 检查内容 verbatim from the source text), the 检查情况 column answered from the
findings and checked cell by cell against :func:`ansafe_rules.checklist`, printable on A4.

Needs openpyxl (``ansafe-rules[xlsx]``); skips without it, except where ``ANSAFE_REQUIRE_XLSX=1``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import ansafe_rules as ar
from ansafe_rules.checklists import LAYOUTS
from ansafe_rules.cli import main

from .conftest import SOURCES, needs_xlsx, openpyxl

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "examples" / "shaoxing-school.yaml"
AS_OF = dt.date(2026, 7, 31)
LAYOUT = LAYOUTS[("shaoxing", "third_party_checklist")]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_layout_is_the_source_table_verbatim() -> None:
    """Each section, 检查内容 and 检查要点 is in the source text, in the table's order, and the
    blocks cover the ruleset's checklist rows exactly."""
    source = _flat((SOURCES / "shaoxing.txt").read_text(encoding="utf-8"))
    table = source[source.index("附件安责险第三方风控服务机构检查表") :]
    rs = ar.load_ruleset("shaoxing")
    (rc,) = [c for c in rs.checklists if c.checklist.id == "third_party_checklist"]
    rows = rc.checklist.rows
    assert sum(b.rows for b in LAYOUT) == len(rows) == 27
    pos, i, section, item = 0, 0, None, None
    for b in LAYOUT:
        pieces = [(b.item if b.item != item else "") + _flat(b.content)]
        item = b.item
        if b.section != section:
            pieces.insert(0, b.section)
            section = b.section
        for piece in pieces:
            found = table.find(_flat(piece), pos)
            assert found >= pos, f"not in the source table after position {pos}: {piece[:30]}"
            pos = found
        for row in rows[i : i + b.rows]:
            assert row.item == b.item
            found = table.find(_flat(row.quote), pos)
            assert found >= pos, row.quote
            pos = found
        i += b.rows
    assert [b.section for b in LAYOUT if b.item in ("1", "6", "8")] == [
        "组织管理情况",
        "处置跟踪情况",
        "其他情况",
    ]


def _expected(row: ar.ChecklistReport, i: int) -> str:
    r = row.rows[i]
    if r.status is None:
        return "需现场核查："
    if r.advisory_only:
        return "不符合（参照执行，不构成违反义务）"
    return {
        ar.Status.compliant: "符合",
        ar.Status.violation: "不符合",
        ar.Status.pending: "尚未到期",
        ar.Status.not_applicable: "不适用",
        ar.Status.insufficient_data: "无法判断：数据不足",
        ar.Status.data_error: "无法判断：数据错误",
    }[r.status]


@needs_xlsx
def test_checklist_xlsx_answers_every_row_from_the_findings(tmp_path: Path) -> None:
    out = tmp_path / "检查表.xlsx"
    assert main(["checklist", str(CASE), "--as-of", AS_OF.isoformat(), "--output", str(out)]) == 1
    rs = ar.load_ruleset("shaoxing")
    report = ar.evaluate(rs, ar.load_case_file(CASE), as_of=AS_OF, lang="zh")
    expected = ar.checklist(report, rs)
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == "安责险第三方风控服务机构检查表"
    assert ws["A2"].value.startswith("保单号：SX-2025-1204　工程项目：")
    assert ws["A2"].value.endswith("检查日期：2026-07-31")
    assert [c.value for c in ws[3]] == ["序号", "检查内容", "检查要点", "检查情况"]
    points = [(r, ws.cell(r, 3).value) for r in range(4, ws.max_row + 1) if ws.cell(r, 3).value]
    assert [p for _, p in points] == [r.quote for r in expected.rows]
    for i, (r, _) in enumerate(points):
        answer = ws.cell(r, 4).value
        assert answer.split("\n")[0].startswith(_expected(expected, i)), (r, answer)
    # one row, read in full: the 1-level hazard reported late (a violation with its record)
    (late,) = [r for r, p in points if p.startswith("是否对发现的一级风险立即提出停工")]
    text = ws.cell(late, 4).value
    assert text.startswith("不符合\n· hazards/H-01：")
    assert "相关记录：H-01" in text
    assert "依据：shaoxing 附件 6" in text
    # the complaint row is advisory: 检查表 items are not duties
    (complaints,) = [r for r, p in points if p == "服务期间是否出现投诉情形。"]
    assert ws.cell(complaints, 4).value.startswith("不符合（参照执行，不构成违反义务）")
    # sections are rows of their own; 序号 and 检查内容 span their block
    sections = [ws.cell(r, 1).value for r in range(4, ws.max_row) if ws.cell(r, 2).value is None]
    assert [s for s in sections if s and not s.isdigit()][:5] == [
        "组织管理情况",
        "事故预防技术服务开展情况",
        "处置跟踪情况",
        "成果管理情况",
        "其他情况",
    ]
    merged = {str(m) for m in ws.merged_cells.ranges}
    first = points[0][0]
    assert f"A{first}:A{first + 1}" in merged and f"B{first}:B{first + 1}" in merged
    assert ws.cell(first, 2).value.startswith("健全管控体系。认真落实《浙江省建筑工程安全生产")


@needs_xlsx
def test_checklist_xlsx_prints_on_a4_landscape(tmp_path: Path) -> None:
    out = tmp_path / "c.xlsx"
    main(["checklist", str(CASE), "--as-of", "2026-07-31", "--output", str(out)])
    ws = openpyxl.load_workbook(out).active
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$3:$3"
    assert ws.freeze_panes == "A4"
    rows = [r for r in range(4, ws.max_row + 1) if ws.cell(r, 3).value]
    assert len(rows) == 27
    assert all(ws.cell(r, c).alignment.wrap_text for r in rows for c in (3, 4))
    content = [r for r in rows if ws.cell(r, 2).value]  # the rest are inside merged cells
    assert len(content) == 8 and all(ws.cell(r, 2).alignment.wrap_text for r in content)
    widths = [ws.column_dimensions[c].width for c in "ABCD"]
    assert widths == [6, 42, 42, 62]


def test_checklist_json_and_errors(tmp_path: Path, capsys) -> None:
    out = tmp_path / "c.json"
    args = ["checklist", str(CASE), "--as-of", "2026-07-31", "--format", "json"]
    assert main([*args, "--output", str(out)]) == 1
    data = ar.ChecklistReport.model_validate_json(out.read_text(encoding="utf-8"))
    assert data.checklist_id == "third_party_checklist" and len(data.rows) == 27
    national = ROOT / "examples" / "national-construction.yaml"
    assert main(["checklist", str(national), "--as-of", "2026-07-31", "--format", "json"]) == 2
    assert "ruleset 'national' has no checklist" in capsys.readouterr().err
    assert main(["checklist", str(CASE), "--as-of", "2026-07-31"]) == 2
    assert "xlsx 需要 --output 文件.xlsx" in capsys.readouterr().err

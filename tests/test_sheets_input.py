"""Spreadsheets in (workbooks.py): a case read from XLSX and CSV with Chinese (or English) headers,
written back by ``write_workbook``, the template generated from the model, bad cells reported
with their sheet, row and column while the rest of the case is evaluated.

The XLSX tests need openpyxl (``ansafe-rules[xlsx]``); they skip without it, except where
``ANSAFE_REQUIRE_XLSX=1`` (CI) makes a missing openpyxl a failure. CSV needs nothing.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import ansafe_rules as ar
from ansafe_rules import testing
from ansafe_rules.cli import main
from ansafe_rules.workbooks import (
    SHEETS,
    read_csv_case,
    read_workbook,
    write_csv_case,
    write_workbook,
)

from .conftest import needs_xlsx, openpyxl

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TEMPLATE = ROOT / "examples" / "ansafe-rules-template.xlsx"
AS_OF = dt.date(2026, 7, 31)
SHAOXING = ROOT / "examples" / "shaoxing-school.yaml"


def _findings(parsed: ar.ParsedCase, as_of: dt.date = AS_OF) -> list[tuple[Any, ...]]:
    """Every finding as the people who act on it see it: rule, status, subject, due date and
    the message in both languages."""
    rules = ar.load_ruleset(parsed.case.policy.jurisdiction)
    out = []
    for lang in ("zh", "en"):
        rep = ar.evaluate(rules, parsed, as_of=as_of, lang=lang)
        out += [
            (
                f.rule_id,
                f.status,
                f.subject,
                f.trace.due.due_date if f.trace and f.trace.due else None,
                f.reason,
                f.message_id,
            )
            for f in rep.findings
        ]
        out += [(o.rule_id, o.subject, o.due_date, o.requirement) for o in rep.obligations]
    return out


def _sheet(name: str):
    return next(s for s in SHEETS if s.en == name)


def _column(sheet: str, field: str) -> int:
    """1-based column of ``field`` in ``sheet``."""
    s = _sheet(sheet)
    return 1 + [c.en for c in (*s.keys, *s.columns)].index(field)


# -- the round trip ------------------------------------------------------------------------
@needs_xlsx
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_xlsx_gives_the_same_findings(example: Path, tmp_path: Path) -> None:
    parsed = ar.load_case_file(example)
    out = tmp_path / "case.xlsx"
    write_workbook(parsed.case, out)
    back = read_workbook(out)
    assert back.issues == ()
    assert back.case == parsed.case
    assert _findings(back) == _findings(parsed)
    assert len(_findings(parsed)) > 100  # a real comparison


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_csv_gives_the_same_findings(example: Path, tmp_path: Path) -> None:
    parsed = ar.load_case_file(example)
    write_csv_case(parsed.case, tmp_path / "case")
    back = ar.load_case_file(tmp_path / "case")  # the folder
    assert back.issues == ()
    assert back.case == parsed.case
    assert _findings(back) == _findings(parsed)
    # its 保单.csv names the same case
    assert ar.load_case_file(tmp_path / "case" / "保单.csv").case == parsed.case


@needs_xlsx
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=testing.cases())
def test_generated_cases_round_trip(case: ar.PolicyCase, tmp_path_factory) -> None:
    out = tmp_path_factory.mktemp("rt") / "case.xlsx"
    write_workbook(case, out)
    back = read_workbook(out)
    assert back.issues == ()
    assert back.case == case


# -- the CLI reads spreadsheets ------------------------------------------------------------
@needs_xlsx
def test_check_and_obligations_accept_xlsx_and_csv(tmp_path: Path, capsys) -> None:
    parsed = ar.load_case_file(SHAOXING)
    write_workbook(parsed.case, tmp_path / "sx.xlsx")
    write_csv_case(parsed.case, tmp_path / "sx")
    args = ["--as-of", AS_OF.isoformat(), "--lang", "zh"]
    assert main(["check", str(SHAOXING), *args]) == 1
    yaml_out = capsys.readouterr().out
    for path in (tmp_path / "sx.xlsx", tmp_path / "sx", tmp_path / "sx" / "保单.csv"):
        assert main(["check", str(path), *args]) == 1
        assert capsys.readouterr().out == yaml_out
    code = main(["obligations", str(SHAOXING), "--as-of", "2026-04-28"])
    yaml_todo = capsys.readouterr().out
    assert "已逾期" in yaml_todo
    assert main(["obligations", str(tmp_path / "sx.xlsx"), "--as-of", "2026-04-28"]) == code
    assert capsys.readouterr().out == yaml_todo


def test_a_csv_file_other_than_the_policy_is_refused(tmp_path: Path, capsys) -> None:
    write_csv_case(ar.load_case_file(SHAOXING).case, tmp_path / "sx")
    assert main(["check", str(tmp_path / "sx" / "服务记录.csv"), "--as-of", "2026-07-31"]) == 2
    err = capsys.readouterr().err
    assert "服务记录.csv 不是一个案例：请给出 CSV 文件所在的文件夹或其中的 保单.csv" in err
    assert "pass the folder of CSV files or its 保单.csv" in err


# -- bad cells -----------------------------------------------------------------------------
def _workbook(tmp_path: Path, example: Path = SHAOXING) -> Path:
    out = tmp_path / "case.xlsx"
    write_workbook(ar.load_case_file(example).case, out)
    return out


def _edit(path: Path, sheet: str, row: int, field: str, value: Any) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[_sheet(sheet).zh]
    ws.cell(row, _column(sheet, field)).value = value
    wb.save(path)


@needs_xlsx
def test_wrong_date_names_sheet_row_column_and_the_rest_is_evaluated(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    _edit(path, "service_records", 3, "completed_on", "2025-02-30")
    parsed = read_workbook(path)
    (issue,) = parsed.issues
    assert issue.source == str(path)
    assert (
        issue.record == "工作表「服务记录」第 3 行（id 'K-02'） — sheet 服务记录 row 3 (id 'K-02')"
    )
    assert issue.field == "completed_on"
    assert issue.message_zh == (
        "E 列（服务完成日期）：不是有效日期：2025-02-30（应为日期单元格或文本 YYYY-MM-DD）"
    )
    assert issue.message == (
        "column E (服务完成日期): not a date: 2025-02-30 (a date cell, or text YYYY-MM-DD)"
    )
    whole = ar.load_case_file(SHAOXING).case
    assert [r.id for r in parsed.case.service_records] == [
        r.id for r in whole.service_records if r.id != "K-02"
    ]
    assert parsed.case.hazards == whole.hazards  # the other sheets are read
    rep = ar.evaluate(ar.load_ruleset("shaoxing"), parsed, as_of=AS_OF, lang="zh")
    errors = [f for f in rep.findings if f.status is ar.Status.data_error]
    assert len(errors) == 1
    assert errors[0].reason.startswith(f"{path}：工作表「服务记录」第 3 行")
    assert len(rep.findings) > 100


@needs_xlsx
def test_unknown_enum_bad_boolean_bad_number(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    _edit(path, "hazards", 2, "grade", "严重")
    _edit(path, "hazards", 3, "notice_in_writing", "也许")
    _edit(path, "hazards", 4, "level", "二级")
    parsed = read_workbook(path)
    got = {
        (i.record.split(" — ")[1], i.field): f"{i.message_zh} — {i.message}" for i in parsed.issues
    }
    assert got == {
        ("sheet 事故隐患 row 2 (id 'H-01')", "grade"): "D 列（隐患等级）：严重 不是可选值之一："
        "重大事故隐患、一般事故隐患 — column D (隐患等级): 严重 is not one of: major, general",
        ("sheet 事故隐患 row 3 (id 'H-02')", "notice_in_writing"): "I 列（书面告知）：不是“是/否”："
        "也许 — column I (书面告知): not 是/否 (yes/no): 也许",
        ("sheet 事故隐患 row 4 (id 'H-03')", "level"): "F 列（风险隐患等级）：不是整数：二级 — "
        "column F (风险隐患等级): not a whole number: 二级",
    }
    assert parsed.case.hazards == ()  # all three rows were bad, nothing else was lost
    assert len(parsed.case.service_records) == 6


@needs_xlsx
def test_model_rule_broken_by_a_cell_names_the_cell(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    _edit(path, "stages", 2, "end", dt.date(2020, 1, 1))  # before its start
    parsed = read_workbook(path)
    (issue,) = parsed.issues
    assert issue.record.endswith("sheet 施工阶段与危大工程阶段 row 2 (id 'ST-foundation')")
    assert "end 2020-01-01 is before start" in issue.message
    # said in Chinese from the catalogue, as a case's own check is (no English left in it)
    assert issue.message_zh.endswith("无效：结束日期 2020-01-01 早于开始日期 2025-08-01")


@needs_xlsx
def test_a_missing_cell_is_said_in_chinese(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    _edit(path, "service_records", 3, "kind", None)
    parsed = read_workbook(path)
    (issue,) = parsed.issues
    assert issue.field == "kind"
    assert issue.message.endswith(" (服务项目): invalid: Field required")
    assert issue.message_zh.endswith(" 列（服务项目）：无效：缺少必填字段")


@needs_xlsx
def test_missing_required_column(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb[_sheet("service_records").zh].delete_cols(_column("service_records", "kind"))
    wb.save(path)
    parsed = read_workbook(path)
    (issue,) = parsed.issues
    assert issue.record == "工作表「服务记录」第 1 行 — sheet 服务记录 row 1"
    assert issue.field == "kind"
    assert (issue.message_zh, issue.message) == (
        "缺少必填列「服务项目」（kind）；本表 6 行均未读取",
        "missing required column 服务项目 (kind); the sheet's 6 row(s) were not read",
    )
    assert parsed.case.service_records == ()
    assert len(parsed.case.hazards) == 3


@needs_xlsx
def test_bad_staff_row_drops_its_organisation_alone(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    _edit(path, "staff", 2, "role", "经理")
    parsed = read_workbook(path)
    (issue,) = parsed.issues
    assert issue.record.startswith("工作表「人员」第 2 行")
    assert issue.message_zh.startswith("D 列（岗位）：经理 不是可选值之一：专职管理人员、")
    whole = ar.load_case_file(SHAOXING).case
    org = whole.organisations[0].id  # the staff member's organisation
    assert [o.id for o in parsed.case.organisations] == [
        o.id for o in whole.organisations if o.id != org
    ]


@needs_xlsx
def test_orphan_child_row_and_unknown_column(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[_sheet("staff").zh]
    ws.append(["NO-SUCH-ORG", "X-1", "某人", "其他人员"])
    ws.cell(1, ws.max_column + 1).value = "备注"
    wb.save(path)
    parsed = read_workbook(path)
    msgs = [f"{i.message_zh} — {i.message}" for i in parsed.issues]
    assert any(
        m.startswith("机构及人员中没有机构编号为 NO-SUCH-ORG 的记录；本行未读取") for m in msgs
    )
    assert any("未知列「备注」（已忽略） — " in m for m in msgs)
    assert parsed.case.organisations == ar.load_case_file(SHAOXING).case.organisations


@needs_xlsx
def test_bad_policy_cell_stops_the_case_with_its_cell_named(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[_sheet("policy").zh]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "保险期间起期")
    ws.cell(row, 2).value = "2025-13-01"
    wb.save(path)
    with pytest.raises(ar.InputError) as exc:
        read_workbook(path)
    assert f"工作表「保单」第 {row} 行 — sheet 保单 row {row}" in str(exc.value)
    assert "field 'term_start': B 列（保险期间起期）：不是有效日期：2025-13-01" in str(exc.value)


# -- the cell conventions ------------------------------------------------------------------
def test_chinese_and_english_headers_and_values(tmp_path: Path) -> None:
    """English sheet and column names, enum codes, true/false, text dates in three forms."""
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "policy.csv").write_text(
        "field,value\npolicy_id,P-1\njurisdiction,national\ninsurer,某保险公司\n"
        "insured,某建设集团\nindustry,construction\nabove_designated_size,true\n"
        "term_start,2025/7/1\nterm_end,2026年6月30日\n",
        encoding="utf-8",
    )
    (folder / "service_records.csv").write_text(
        "id,kind,completed_on,staff,extra_fee\nS-1,hazard_inspection,2025-08-01,张三；李四;王五,0\n",
        encoding="utf-8",
    )
    (folder / "服务记录.csv").unlink(missing_ok=True)
    (folder / "事故隐患.csv").write_text(
        "隐患编号,隐患等级,书面告知,发现日期\nH-1,重大事故隐患,是,2025-08-01\nH-2,general,否,\n",
        encoding="utf-8-sig",
    )
    parsed = read_csv_case(folder)
    assert parsed.issues == ()
    p = parsed.case.policy
    assert (p.term_start, p.term_end, p.above_designated_size) == (
        dt.date(2025, 7, 1),
        dt.date(2026, 6, 30),
        True,
    )
    (rec,) = parsed.case.service_records
    assert rec.kind is ar.model.ServiceKind.hazard_inspection
    assert rec.staff == ("张三", "李四", "王五")
    h1, h2 = parsed.case.hazards
    assert (h1.grade.value, h1.notice_in_writing, h1.found_on) == (
        "major",
        True,
        dt.date(2025, 8, 1),
    )
    assert (h2.grade.value, h2.notice_in_writing, h2.found_on) == ("general", False, None)


def test_csv_saved_by_excel_in_gbk_is_read(tmp_path: Path) -> None:
    parsed = ar.load_case_file(SHAOXING)
    write_csv_case(parsed.case, tmp_path / "sx")
    for f in (tmp_path / "sx").glob("*.csv"):
        f.write_bytes(f.read_text(encoding="utf-8-sig").encode("gb18030"))
    assert read_csv_case(tmp_path / "sx").case == parsed.case


def test_csv_bad_cell_names_file_row_column(tmp_path: Path) -> None:
    parsed = ar.load_case_file(SHAOXING)
    write_csv_case(parsed.case, tmp_path / "sx")
    f = tmp_path / "sx" / "服务记录.csv"
    lines = f.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[1].split(",")
    cells[1] = "巡查"
    lines[1] = ",".join(cells)
    f.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    back = read_csv_case(tmp_path / "sx")
    (issue,) = back.issues
    assert issue.source == str(tmp_path / "sx")
    assert issue.record.startswith("工作表「服务记录」第 2 行（id 'K-01'）")
    assert issue.message_zh.startswith(
        "B 列（服务项目）：巡查 不是可选值之一：安全生产宣传教育培训、"
    )


# -- the template --------------------------------------------------------------------------
def _content(path: Path) -> list[Any]:
    """What a person sees in a workbook: sheets, cells, comments, drop-downs, frozen panes."""
    wb = openpyxl.load_workbook(path)
    out: list[Any] = []
    for ws in wb.worksheets:
        out.append((ws.title, ws.sheet_state, ws.freeze_panes))
        out += [
            (c.coordinate, c.value, c.comment.text if c.comment else None, c.number_format)
            for row in ws.iter_rows()
            for c in row
            if c.value is not None or c.comment is not None
        ]
        out += sorted((dv.formula1, str(dv.sqref)) for dv in ws.data_validations.dataValidation)
    return out


@needs_xlsx
def test_shipped_template_is_fresh(tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    assert main(["template", "--format", "xlsx", "--output", str(out)]) == 0
    assert _content(out) == _content(TEMPLATE), (
        "examples/ansafe-rules-template.xlsx is stale: run "
        "ansafe-rules template --format xlsx --output examples/ansafe-rules-template.xlsx"
    )


@needs_xlsx
def test_template_explains_and_validates_every_column() -> None:
    wb = openpyxl.load_workbook(TEMPLATE)
    assert wb.sheetnames[0] == "说明"
    assert wb["选项"].sheet_state == "hidden"
    ws = wb["服务记录"]
    assert ws.freeze_panes == "A2"
    head = [c.value for c in ws[1]]
    assert head[:3] == ["记录编号", "服务项目", "服务前与投保单位沟通确认日期"]
    kind = ws.cell(1, 2).comment.text
    assert kind.startswith("服务项目；可选值：安全生产宣传教育培训、")
    assert kind.endswith(
        "；必填\nkind; one of: training, risk_assessment, standardisation, "
        "hazard_inspection, emergency_plan, emergency_drill, technology_promotion, "
        "risk_list_update, special_campaign, themed_activity, other; required"
    )
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    options = wb["选项"]
    col = lists["B2:B500"].split("!")[1].split(":")[0].replace("$", "")
    assert [options[f"{col[0]}{i}"].value for i in range(1, 12)][:2] == [
        "安全生产宣传教育培训",
        "安全风险辨识、评估和安全评价",
    ]
    blocked = _column("service_records", "blocked_by_project")
    letter = openpyxl.utils.get_column_letter(blocked)
    assert f"{letter}2:{letter}500" in lists  # 是/否 drop-down
    # every column of every sheet is explained on 说明 (Chinese name and English field)
    readme = {(r[0], r[1], r[2]) for r in wb["说明"].iter_rows(values_only=True) if r[0]}
    for s in SHEETS:
        assert s.zh in wb.sheetnames
        for c in (*s.keys, *s.columns):
            assert (s.zh, c.zh, c.en) in readme


def test_csv_template_with_jurisdiction(tmp_path: Path, capsys) -> None:
    out = tmp_path / "tpl"
    assert (
        main(["template", "--format", "csv", "--jurisdiction", "shaoxing", "--output", str(out)])
        == 0
    )
    names = {f.name for f in out.iterdir()}
    assert {"说明.csv", "保单.csv", "服务记录.csv", "人员.csv"} <= names
    policy = (out / "保单.csv").read_text(encoding="utf-8-sig").splitlines()
    assert policy[0] == "字段,值,说明"
    assert policy[2].startswith('适用地区,shaoxing,"适用地区 — ruleset id, e.g. national')
    assert (
        main(["template", "--format", "csv", "--jurisdiction", "atlantis", "--output", str(out)])
        == 2
    )
    assert "未知的适用地区 'atlantis'" in capsys.readouterr().err


def test_an_empty_template_is_not_a_case(tmp_path: Path) -> None:
    write_csv_case(None, tmp_path / "tpl")
    with pytest.raises(ar.InputError) as exc:
        read_csv_case(tmp_path / "tpl")
    assert "field 'policy_id'" in str(exc.value)
    shutil.rmtree(tmp_path / "tpl")


def test_docs_list_every_column() -> None:
    from ansafe_rules.workbooks import columns_markdown

    doc = (ROOT / "docs" / "spreadsheets.md").read_text(encoding="utf-8")
    listed = doc.split("<!-- columns:begin -->\n")[1].split("<!-- columns:end -->")[0]
    assert listed == columns_markdown(), (
        "docs/spreadsheets.md is stale: run python tools/gen_docs.py"
    )
    assert "| 服务完成日期 | `completed_on` | 日期（日期单元格或 YYYY-MM-DD） |" in listed


@needs_xlsx
def test_two_sheets_for_one_collection_are_not_merged_silently(tmp_path: Path) -> None:
    """A workbook with 服务记录 and a copy named service_records: the second is reported and
    not read (which one the clerk meant cannot be known); the first is read as usual."""
    path = _workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    copy = wb.copy_worksheet(wb[_sheet("service_records").zh])
    copy.title = "service_records"
    wb.save(path)
    parsed = read_workbook(path)
    (issue,) = parsed.issues
    assert issue.message_zh == "工作表「service_records」与工作表「服务记录」是同一类记录：未读取"
    assert issue.message == (
        "sheet service_records holds the same records as sheet 服务记录: not read"
    )
    whole = ar.load_case_file(SHAOXING).case
    assert parsed.case.service_records == whole.service_records


@needs_xlsx
def test_reading_stops_at_the_record_limit(tmp_path: Path) -> None:
    """Rows are counted while they are read: a workbook of more records than max_records is
    refused before it is all in memory (a small zip may unpack to a very large sheet)."""
    from ansafe_rules.inputs import Limits

    path = tmp_path / "big.xlsx"
    write_workbook(ar.load_case_file(SHAOXING).case, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[_sheet("service_records").zh]
    first = [c.value for c in ws[2]]
    for i in range(2500):  # more than the records allowed and the rows besides them
        ws.append([f"X-{i}", *first[1:]])
    wb.save(path)
    limits = Limits().replace("max_records", "50")
    with pytest.raises(ar.InputError) as exc:
        read_workbook(path, limits=limits)
    assert str(exc.value) == (
        f"{path}: more than 50 records in one case (limit max_records, docs/limits.md)"
    )
    assert len(read_workbook(path).case.service_records) > 2500  # the default limit reads it


@needs_xlsx
def test_a_day_past_the_limit_is_said_in_both_languages(tmp_path: Path) -> None:
    """A cell with a day after the latest date supported makes its row an issue whose
    Chinese says it in Chinese (the Chinese column had the English before)."""
    path = _workbook(tmp_path)
    _edit(path, "service_records", 3, "completed_on", "9900-01-01")
    (issue,) = read_workbook(path).issues
    assert issue.field == "completed_on"
    assert issue.message == (
        "date 9900-01-01 is after 9899-12-31, the latest date supported (limit max_date, "
        "docs/limits.md)"
    )
    assert issue.message_zh == (
        "日期 9900-01-01 晚于支持的最晚日期 9899-12-31（限制 max_date，见 docs/limits.md）"
    )

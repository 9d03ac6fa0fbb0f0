"""Spreadsheets out: XLSX and CSV of obligations (to-do items) and findings, opened and checked
cell by cell against the library's own results.

The XLSX tests need openpyxl (``ansafe-rules[xlsx]``); they skip without it, except where
``ANSAFE_REQUIRE_XLSX=1`` (CI) makes a missing openpyxl a failure. CSV needs nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path

import pytest

import ansafe_rules as ar
from ansafe_rules.cli import main
from ansafe_rules.spreadsheets import XlsxUnavailable, headers

from .conftest import ROOT, needs_xlsx, openpyxl

AS_OF = dt.date(2026, 7, 31)
XINZHOU = ROOT / "examples" / "xinzhou-municipal.yaml"
GUANGDONG = ROOT / "examples" / "guangdong-housing.yaml"
Capture = pytest.CaptureFixture[str]


def _items(path: Path, **kw) -> tuple[ar.TodoItem, ...]:
    parsed = ar.load_case_file(path)
    rules = ar.load_ruleset(parsed.case.policy.jurisdiction)
    return ar.todo(ar.evaluate_rows(rules, parsed, as_of=AS_OF, **kw))


def _attention(path: Path) -> list[ar.Finding]:
    parsed = ar.load_case_file(path)
    report = ar.evaluate(ar.load_ruleset(parsed.case.policy.jurisdiction), parsed, as_of=AS_OF)
    hidden = {ar.Status.compliant, ar.Status.not_applicable}
    return [f for f in report.findings if f.status not in hidden]


def test_headers_are_the_chinese_part_of_the_descriptions() -> None:
    assert headers(ar.TodoItem)[:6] == [
        "保单号",
        "状态",
        "日期",
        "截止时刻（北京时间）",
        "期间起始日",
        "剩余工作日",
    ]
    assert headers(ar.FindingSheetRow)[:4] == ["保单号", "结论", "严重程度", "规则"]
    for model in (ar.TodoItem, ar.FindingSheetRow):
        for name, field in model.model_fields.items():
            zh, sep, en = (field.description or "").partition(" — ")
            assert sep and zh and en and not zh.isascii(), (model.__name__, name)
    assert "FindingSheetRow" in ar.json_schemas()


def test_obligations_csv_has_a_bom_and_the_items(tmp_path: Path) -> None:
    out = tmp_path / "todo.csv"
    args = ["obligations", str(XINZHOU), str(GUANGDONG), "--as-of", "2026-07-31"]
    assert main([*args, "--format", "csv", "--output", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith("\ufeff保单号,状态,日期".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == headers(ar.TodoItem)
    want = [*_items(XINZHOU), *_items(GUANGDONG)]
    assert len(rows) - 1 == len(want)
    col = {name: i for i, name in enumerate(ar.TodoItem.model_fields)}
    for row, t in zip(rows[1:], want, strict=True):
        assert row[col["policy_id"]] == t.policy_id
        assert row[col["status"]] == t.status.value
        assert row[col["date"]] == (t.date.isoformat() if t.date else "")
        assert row[col["rule_id"]] == t.rule_id and row[col["subject"]] == t.subject
        assert row[col["requirement"]] == t.requirement
        assert row[col["provisional"]] == ("true" if t.provisional else "false")
    (incident,) = [r for r in rows if r[col["rule_id"]] == "xinzhou.incident.report"]
    assert incident[col["due_at"]] == "2026-05-02T09:30:00+08:00"


def test_check_csv_to_stdout_lists_the_findings_needing_attention(capsys: Capture) -> None:
    assert main(["check", str(GUANGDONG), "--as-of", "2026-07-31", "--format", "csv"]) == 1
    text = capsys.readouterr().out
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:], newline="")))
    want = _attention(GUANGDONG)
    assert [(r["规则"], r["对象"], r["结论"], r["说明"]) for r in rows] == [
        (f.rule_id, f.subject, f.status.value, f.reason) for f in want
    ]
    assert main(["check", str(GUANGDONG), "--as-of", "2026-07-31", "--format", "csv", "--all"]) == 1
    every = list(csv.DictReader(io.StringIO(capsys.readouterr().out[1:], newline="")))
    parsed = ar.load_case_file(GUANGDONG)
    report = ar.evaluate(ar.load_ruleset("guangdong"), parsed, as_of=AS_OF)
    assert len(every) == len(report.findings)


@needs_xlsx
def test_obligations_xlsx_cells_equal_the_todo_items(tmp_path: Path) -> None:
    out = tmp_path / "todo.xlsx"
    args = ["obligations", str(XINZHOU), "--as-of", "2026-07-31", "--format", "xlsx"]
    assert main([*args, "--output", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["义务清单"]
    want = _items(XINZHOU)
    assert [c.value for c in ws[1]] == headers(ar.TodoItem)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:T{len(want) + 1}"
    assert ws.max_row == len(want) + 1
    names = list(ar.TodoItem.model_fields)
    for cells, t in zip(ws.iter_rows(min_row=2, values_only=True), want, strict=True):
        got = dict(zip(names, cells, strict=True))
        assert got["status"] == t.status.value and got["rule_id"] == t.rule_id
        assert got["subject"] == t.subject and got["working_days_left"] == t.working_days_left
        assert (got["date"].date() if got["date"] else None) == t.date
        if t.due_at is not None:  # Excel has no time zones: China time
            assert got["due_at"] == dt.datetime(2026, 5, 2, 9, 30)
        assert got["finding_status"] == (t.finding_status.value if t.finding_status else None)
        assert got["provisional"] is t.provisional
    date_cell = ws.cell(row=2, column=3)
    assert date_cell.number_format == "yyyy-mm-dd"


@needs_xlsx
def test_check_xlsx_rows_equal_the_findings(tmp_path: Path) -> None:
    out = tmp_path / "findings.xlsx"
    args = ["check", str(XINZHOU), str(GUANGDONG), "--as-of", "2026-07-31", "--format", "xlsx"]
    assert main([*args, "--output", str(out)]) == 1  # breaches: exit 1 as for the table
    ws = openpyxl.load_workbook(out)["检查结果"]
    assert [c.value for c in ws[1]] == headers(ar.FindingSheetRow)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:R")
    want = [*_attention(XINZHOU), *_attention(GUANGDONG)]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[3], r[8], r[1], r[9]) for r in rows] == [
        (f.rule_id, f.subject, f.status.value, f.reason) for f in want
    ]
    assert {r[0] for r in rows} == {"XZ-2025-0076", "GD-2025-0518"}


def test_xlsx_needs_an_output_file(capsys: Capture) -> None:
    assert main(["obligations", str(XINZHOU), "--format", "xlsx"]) == 2
    assert "xlsx 需要 --output 文件.xlsx — error: xlsx needs --output FILE.xlsx" in (
        capsys.readouterr().err
    )
    assert main(["check", str(XINZHOU), "--format", "xlsx"]) == 2


def test_without_openpyxl_a_clear_error(tmp_path: Path, monkeypatch, capsys: Capture) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import fails as if not installed
    with pytest.raises(XlsxUnavailable, match=r"pip install 'ansafe-rules\[xlsx\]'"):
        ar.write_xlsx([], ar.TodoItem, tmp_path / "x.xlsx", sheet="s")
    out = tmp_path / "x.xlsx"
    assert main(["obligations", str(XINZHOU), "--format", "xlsx", "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert "XLSX output needs openpyxl" in err and "Traceback" not in err


@needs_xlsx
def test_text_starting_with_equals_is_never_a_formula(tmp_path: Path) -> None:
    """A policy id such as =HYPERLINK(...) comes from the input: every workbook the tool
    writes (findings, the report's workbook, the case template and the 检查表) keeps it as
    text, so nothing runs when the file is opened, and reading it back gives the same text."""
    from ansafe_rules.workbooks import read_workbook, write_workbook

    hostile = '=HYPERLINK("http://example.invalid","x")'
    data = ar.load_case_file(ROOT / "examples" / "shaoxing-school.yaml").case
    case = data.model_copy(update={"policy": data.policy.model_copy(update={"policy_id": hostile})})
    book = tmp_path / "case.xlsx"
    write_workbook(case, book)
    assert read_workbook(book).case.policy.policy_id == hostile
    out = tmp_path / "out"
    assert (
        main(
            [
                "check",
                str(book),
                "--as-of",
                "2026-07-31",
                "--format",
                "xlsx",
                "--output",
                str(tmp_path / "f.xlsx"),
            ]
        )
        == 1
    )
    main(
        ["report", str(book), "--as-of", "2026-07-31", "--format", "xlsx", "--output-dir", str(out)]
    )
    main(
        [
            "checklist",
            str(book),
            "--as-of",
            "2026-07-31",
            "--format",
            "xlsx",
            "--output",
            str(tmp_path / "c.xlsx"),
        ]
    )
    files = [book, tmp_path / "f.xlsx", *out.glob("*.xlsx"), tmp_path / "c.xlsx"]
    assert len(files) == 4
    for f in files:
        seen = 0
        for ws in openpyxl.load_workbook(f).worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (f.name, ws.title, c.coordinate)
                    seen += isinstance(c.value, str) and hostile in c.value
        assert seen, f.name

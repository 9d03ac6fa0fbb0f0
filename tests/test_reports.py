"""The printable 检查报告 (issue 9, item 3): HTML against the findings, the PDF Chromium prints,
the workbook's cells, and the command that makes them for every example."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import importlib.util
import io
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

import ansafe_rules as ar
from ansafe_rules.breaches import BreachKind
from ansafe_rules.cli import main
from ansafe_rules.reports import (
    BREACHES_SHEET,
    ChromiumMissing,
    find_chromium,
    load_case_bytes,
    project_report,
    render_html,
    write_project_reports,
)

from .conftest import ROOT

AS_OF = dt.date(2026, 7, 31)
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
REQUIRE = os.environ.get("ANSAFE_REQUIRE_CHROMIUM") == "1"
HAVE = any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome"))
# the workbook needs the xlsx extra; CI installs it and sets ANSAFE_REQUIRE_XLSX=1
HAVE_XLSX = importlib.util.find_spec("openpyxl") is not None
REQUIRE_XLSX = os.environ.get("ANSAFE_REQUIRE_XLSX") == "1"
FORMATS = "html,pdf,xlsx" if HAVE_XLSX or REQUIRE_XLSX else "html,pdf"
needs_chromium = pytest.mark.skipif(
    not HAVE and not REQUIRE, reason="no Chromium on PATH (CI sets ANSAFE_REQUIRE_CHROMIUM=1)"
)


def _report(path: Path, lang: str = "zh") -> tuple[ar.Evaluation, object]:
    data = path.read_bytes()
    parsed = load_case_bytes(data, str(path))
    rs = ar.load_ruleset(parsed.case.policy.jurisdiction)
    ev = ar.evaluate_rows(rs, parsed, as_of=AS_OF, lang=lang)
    digests = {li.id: ar.load_ruleset(li.id).digest for li in rs.layers}
    rep = project_report(
        ev,
        rs,
        parsed.case.policy,
        input_bytes=data,
        input_name=path.name,
        layer_digests=digests,
        lang=lang,
    )
    return ev, rep


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_says_what_the_findings_say(path: Path, lang: str) -> None:
    ev, rep = _report(path, lang)
    page = render_html(rep)
    every = ar.breaches(ev, include=list(BreachKind))
    assert rep.breaches == tuple(b for b in every if b.kind is BreachKind.breach)
    assert len(rep.breaches) == ar.breach_counts(ev).breaches
    # one table row per breach (and per advisory / assessment item), each citation shown
    assert page.count("<div class='cite'>") == sum(len(b.citations) for b in every)
    for b in every:
        for c in b.citations:
            assert html.escape(c.quote, quote=True) in page, c.rule_id
            assert f"{html.escape(c.clause, quote=True)}</span>" in page, c.rule_id
        assert html.escape(b.message(lang), quote=True) in page
    assert rep.policy_id in page and str(AS_OF) in page
    assert hashlib.sha256(path.read_bytes()).hexdigest() in page
    assert ar.load_ruleset(ev.jurisdiction).digest in page
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")
    assert render_html(rep) == page  # deterministic


def test_guangdong_report_groups_by_duty_holder_and_severity() -> None:
    _, rep = _report(ROOT / "examples" / "guangdong-housing.yaml")
    page = render_html(rep)
    # insurer's four major breaches (callback, two record compilations, complaint reply)
    assert "保险机构 · 重要：4 项" in page
    assert "事故预防技术服务机构 · 严重：1 项" in page  # H-02 escalation
    assert "违反义务 11 项（另有建议性条款 1 项）" in page
    assert page.index("保险机构 · 重要") < page.index("事故预防技术服务机构 · 严重")
    upcoming = {(t.rule_id, t.subject) for t in rep.upcoming}
    assert ("national.archive.retention", "archives/GD-AR-0518") in upcoming
    assert all(t.date is not None and t.date >= AS_OF for t in rep.upcoming)
    assert "服务档案 GD-AR-0518：至少保存至 2031-07-08" in page


def test_everything_is_escaped() -> None:
    path = ROOT / "examples" / "national-construction.yaml"
    data = path.read_bytes().replace(
        b"project: ", b"project: \"<script>alert('x')</script> & \" # ", 1
    )
    parsed = load_case_bytes(data, "evil.yaml")
    assert parsed.case.policy.project.startswith("<script>")
    rs = ar.load_ruleset("national")
    ev = ar.evaluate_rows(rs, parsed, as_of=AS_OF)
    page = render_html(
        project_report(ev, rs, parsed.case.policy, input_bytes=data, input_name="a<b>.yaml")
    )
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp;" in page
    assert "a&lt;b&gt;.yaml" in page


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The documented command, run once on every example."""
    if not HAVE and not REQUIRE:
        pytest.skip("no Chromium on PATH (CI sets ANSAFE_REQUIRE_CHROMIUM=1)")
    out = tmp_path_factory.mktemp("reports")
    buf = io.StringIO()
    stdout, sys.stdout = sys.stdout, buf
    try:
        code = main(
            [
                "report",
                *map(str, EXAMPLES),
                "--as-of",
                "2026-07-31",
                "--output-dir",
                str(out),
                "--lang",
                "zh",
                "--format",
                FORMATS,
            ]
        )
    finally:
        sys.stdout = stdout
    assert code == 0, buf.getvalue()
    return out, buf.getvalue()


@needs_chromium
def test_the_command_writes_a_pdf_and_an_xlsx_per_example(written) -> None:
    out, said = written
    for path in EXAMPLES:
        for suffix in (".html", ".pdf", ".xlsx")[: 3 if "xlsx" in FORMATS else 2]:
            f = out / f"{path.stem}{suffix}"
            assert f.is_file() and f.stat().st_size > 1000, f
    assert said.rstrip().endswith(f"5 个项目，报告在 {out}")


@needs_chromium
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_pdf_text_holds_the_breaches_and_the_provenance(written, path: Path) -> None:
    from pypdf import PdfReader

    out, _ = written
    reader = PdfReader(out / f"{path.stem}.pdf")
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = _flat("\n".join(p.extract_text() for p in reader.pages))
    ev, rep = _report(path)
    assert rep.policy_id in text and "检查报告" in text
    for b in ar.breaches(ev, include=list(BreachKind)):
        for c in b.citations:
            assert _flat(c.clause) in text, c.rule_id
            assert c.rule_id in text  # the rule id printed under each quote
    p = rep.provenance
    assert p.input_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert p.input_sha256 in text and p.ruleset_digest in text
    for g in rep.regimes:
        assert g.digest and g.digest in text, g.layer
    assert f"holidays{p.holidays_version}" in text and f"ansafe-rules{ar.__version__}" in text


@needs_chromium
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_xlsx_cells_match_the_findings(written, path: Path) -> None:
    if not HAVE_XLSX and not REQUIRE_XLSX:
        pytest.skip("openpyxl not installed (extra ansafe-rules[xlsx])")
    import openpyxl

    out, _ = written
    book = openpyxl.load_workbook(out / f"{path.stem}.xlsx")
    assert book.sheetnames == [BREACHES_SHEET, "检查结果", "义务清单"]
    ev, rep = _report(path)
    sheet = book[BREACHES_SHEET]
    head = [c.value for c in sheet[1]]
    assert head[:6] == ["保单号", "类别", "严重程度", "义务主体", "责任承担方", "对象"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    rows = [dict(zip(head, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)]
    every = [*ar.breaches(ev), *ar.breaches(ev, include=[BreachKind.advisory, "assessment"])]
    assert len(rows) == len(every)
    for row, b in zip(rows, every, strict=True):
        assert row["保单号"] == rep.policy_id
        assert (row["类别"], row["严重程度"], row["对象"]) == (
            b.kind.value,
            b.severity.value,
            b.subject,
        )
        assert row["规则"] == "; ".join(b.rule_ids)
        assert row["原文"] == "\n".join(c.quote for c in b.citations)
        assert row["说明"] == b.message_zh
        due = row["截止日期"]
        assert (due.date() if due else None) == b.due_date
    findings = book["检查结果"]
    assert findings.max_row - 1 == len(ev.findings)
    statuses = [r[1].value for r in findings.iter_rows(min_row=2)]
    assert statuses.count("violation") == ev.counts[ar.Status.violation]
    todo = book["义务清单"]
    assert todo.max_row - 1 == len(ar.todo(ev))


def test_no_chromium_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ChromiumMissing, match="chromium, chromium-browser, google-chrome"):
        find_chromium(path=str(tmp_path))
    code = main(
        [
            "report",
            str(EXAMPLES[0]),
            "--as-of",
            "2026-07-31",
            "--output-dir",
            str(tmp_path),
            "--chromium",
            str(tmp_path / "no-such-chromium"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "未在 PATH 中找到 Chromium" in err and "--chromium PATH" in err
    assert "Traceback" not in err and not list(tmp_path.iterdir())


def test_a_bad_input_is_named_and_the_others_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy:\n  policy_id: B\n  term_start: 2025-02-30\n", encoding="utf-8")
    good = ROOT / "examples" / "xinzhou-municipal.yaml"
    out = tmp_path / "out"
    code = main(
        [
            "report",
            str(bad),
            str(good),
            "--as-of",
            "2026-07-31",
            "--output-dir",
            str(out),
            "--format",
            "html",
            "--lang",
            "en",
        ]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert f"ansafe-rules: error: {bad}" in captured.err and "Traceback" not in captured.err
    assert sorted(p.name for p in out.iterdir()) == ["xinzhou-municipal.html"]
    assert "1 project: its report in" in captured.out
    assert "Inspection report" in (out / "xinzhou-municipal.html").read_text("utf-8")


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["report", str(EXAMPLES[0]), "--output-dir", "x", "--format", "html,docx"])
    assert stop.value.code == 2
    assert "unknown format 'docx'" in capsys.readouterr().err


def test_library_call_without_pdf_needs_no_chromium(tmp_path: Path) -> None:
    (r,) = write_project_reports(
        [EXAMPLES[0]], as_of=AS_OF, output_dir=tmp_path, formats=("html",), lang="en"
    )
    assert r.error is None and r.files == (str(tmp_path / f"{EXAMPLES[0].stem}.html"),)
    assert "Schemas" not in ar.json_schemas() and "ProjectReport" in ar.json_schemas()


def test_dotted_names_a_broken_value_and_a_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two inputs whose names differ after a dot keep their own reports; an input whose YAML
    cannot be built is named and the next ones are still written; a workbook (the template
    filled in) is reported as check reads it."""
    pytest.importorskip("openpyxl")
    from ansafe_rules.workbooks import write_workbook

    a, b = tmp_path / "site.2025.yaml", tmp_path / "site.2026.yaml"
    shutil.copy(ROOT / "examples" / "guangdong-housing.yaml", a)
    shutil.copy(ROOT / "examples" / "shaoxing-school.yaml", b)
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy:\n  policy_id: !!float x\n", encoding="utf-8")
    book = tmp_path / "xinzhou.xlsx"
    write_workbook(ar.load_case_file(ROOT / "examples" / "xinzhou-municipal.yaml").case, book)
    out = tmp_path / "out"
    args = [str(a), str(bad), str(b), str(book), "--as-of", "2026-07-31", "--format", "html"]
    code = main(["report", *args, "--output-dir", str(out), "--lang", "en"])
    assert code == 2
    assert sorted(p.name for p in out.iterdir()) == [
        "site.2025.html",
        "site.2026.html",
        "xinzhou.html",
    ]
    assert "GD-2025-0518" in (out / "site.2025.html").read_text(encoding="utf-8")
    assert "SX-2025-1204" in (out / "site.2026.html").read_text(encoding="utf-8")
    assert "XZ-2025-0076" in (out / "xinzhou.html").read_text(encoding="utf-8")
    err = capsys.readouterr().err
    assert f"{bad}: line 2: 'x' cannot be read as !!float (ValueError)" in err


@needs_chromium
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_printed_page_is_numbered_and_names_the_policy(written, path: Path) -> None:
    """A report handed over on paper: each page's margin says which policy and date it is
    about and that it is page n of N (CSS page-margin boxes, printed by Chromium)."""
    from pypdf import PdfReader

    out, _ = written
    pages = PdfReader(out / f"{path.stem}.pdf").pages
    policy = ar.load_case_file(path).case.policy.policy_id
    for n, page in enumerate(pages, start=1):
        text = _flat(page.extract_text())
        assert f"第{n}页，共{len(pages)}页" in text, (n, text[:80])
        assert _flat(f"保单 {policy}，截至 2026-07-31") in text


def test_page_margins_cannot_be_broken_out_of() -> None:
    """The policy id printed in the page margin is a CSS string: no input ends the string or
    the <style> element."""
    from ansafe_rules.reports import _css_string

    assert _css_string('A"B</style><script>x\\y\n') == (
        '"A\\22 B\\3c /style\\3e \\3c script\\3e x\\5c y\\a "'
    )


def test_a_portfolio_gives_one_report_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report portfolio.jsonl`: each line's project its own report (`<stem>-line<N>`), the
    input digest the line's; a bad line is named with its number and the others are written."""
    import json

    lines = []
    for name in ("guangdong-housing", "shaoxing-school"):
        case = ar.load_case_file(ROOT / "examples" / f"{name}.yaml").case
        lines.append(case.model_dump_json(exclude_none=True))
    lines.insert(1, json.dumps({"policy": {"policy_id": "P-BAD"}}))
    book = tmp_path / "book.jsonl"
    book.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["report", str(book), "--as-of", "2026-07-31", "--format", "html", "--lang", "en"]
    assert main([*args, "--output-dir", str(out)]) == 2
    assert sorted(p.name for p in out.iterdir()) == ["book-line1.html", "book-line3.html"]
    first = (out / "book-line1.html").read_text(encoding="utf-8")
    assert "GD-2025-0518" in first
    assert hashlib.sha256(lines[0].encode("utf-8")).hexdigest() in first
    assert "SX-2025-1204" in (out / "book-line3.html").read_text(encoding="utf-8")
    assert f"{book}: line 2: policy: field 'jurisdiction'" in capsys.readouterr().err

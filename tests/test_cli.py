"""The command line: every subcommand, exit codes, clear errors, portfolios, iCalendar."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from icalendar import Calendar

import ansafe_rules as ar
from ansafe_rules.cli import main

from .conftest import BASE_POLICY, FIXTURES, ROOT

EXAMPLE = ROOT / "examples" / "national-construction.yaml"
Capture = pytest.CaptureFixture[str]


def _line(**policy) -> str:
    return json.dumps({"policy": {**BASE_POLICY, **policy}}, ensure_ascii=False)


def test_check_example_finds_violations(capsys: Capture) -> None:
    assert main(["check", str(EXAMPLE), "--as-of", "2026-07-31"]) == 1
    out = capsys.readouterr().out
    assert "VIOLATION  national.service.callback" in out
    assert "callback_on 2025-10-11 is after the due 2025-10-10" in out


def test_check_json_and_no_violations(tmp_path: Path, capsys: Capture) -> None:
    f = tmp_path / "p.json"
    f.write_text(
        json.dumps(
            {
                "policy": {
                    "policy_id": "P",
                    "jurisdiction": "national",
                    "insurer": "I",
                    "insured": "J",
                    "industry": "other",
                    "term_start": "2026-01-01",
                    "term_end": "2026-12-31",
                    "complaint_procedure_told_on": "2026-01-05",
                    "contract_services": [
                        {"service_kind": "training", "min_count": 1, "per": "term"}
                    ],
                }
            }
        ),
        encoding="utf-8",
    )
    assert main(["check", str(f), "--as-of", "2026-03-01", "--format", "json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["policy_id"] == "P" and result["report"]["counts"]["violation"] == 0


def test_bad_input_exits_2_with_a_clear_message(tmp_path: Path, capsys: Capture) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("policy:\n  policy_id: P\n", encoding="utf-8")
    assert main(["check", str(f), "--as-of", "2026-03-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ansafe-rules: error: {f}: policy: field 'jurisdiction'")
    assert "Traceback" not in err


def test_portfolio_streams_and_reports_bad_lines(tmp_path: Path, capsys: Capture) -> None:
    f = tmp_path / "book.jsonl"
    f.write_text(
        "\n".join(
            [
                _line(policy_id="A"),
                "{not json",
                "",
                _line(policy_id="B", jurisdiction="mars"),
                _line(policy_id="C", jurisdiction="guangdong"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    code = main(["check", str(f), "--as-of", "2026-07-31", "--format", "jsonl"])
    assert code == 2  # some lines could not be read; the others were evaluated
    captured = capsys.readouterr()
    rows = [json.loads(x) for x in captured.out.splitlines()]
    assert [(r["line"], r.get("policy_id"), "error" in r) for r in rows] == [
        (1, "A", False),
        (2, None, True),
        (4, "B", True),
        (5, "C", False),
    ]
    assert rows[1]["error"].startswith(f"{f}: line 2: invalid JSON")
    assert "unknown jurisdiction 'mars'" in rows[2]["error"]
    assert rows[3]["report"]["layers"] == ["national", "guangdong"]
    assert f"{f}: line 2: invalid JSON" in captured.err


def test_portfolio_progress_on_request(tmp_path: Path, capsys: Capture) -> None:
    f = tmp_path / "book.jsonl"
    f.write_text("\n".join(_line(policy_id=f"P{i}") for i in range(3)) + "\n", encoding="utf-8")
    main(["check", str(f), "--as-of", "2026-07-31", "--progress", "always"])
    err = capsys.readouterr().err
    assert "[" + "#" * 30 + "] 3/3 policies (0 unreadable), " in err
    assert re.search(r"3/3 policies \(0 unreadable\), [\d,]+\.\d/s", err)  # with the rate
    main(["check", str(f), "--as-of", "2026-07-31"])  # not a terminal: no progress
    assert "policies" not in capsys.readouterr().err


def test_layer_and_jurisdiction_options(capsys: Capture) -> None:
    main(
        [
            "check",
            str(EXAMPLE),
            "--as-of",
            "2026-07-31",
            "--jurisdiction",
            "guangdong",
            "--layer",
            "guangdong",
            "--format",
            "jsonl",
        ]
    )
    (row,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert {f["layer"] for f in row["report"]["findings"]} == {"guangdong"}


def test_obligations_table_json_and_ics(tmp_path: Path, capsys: Capture) -> None:
    assert main(["obligations", str(EXAMPLE)]) == 0
    assert "2025-10-10" in capsys.readouterr().out
    assert main(["obligations", str(EXAMPLE), "--format", "json"]) == 0
    (data,) = json.loads(capsys.readouterr().out)  # one JSON array, as under check
    assert data["policy_id"] == "AZ-2025-0001" and data["obligations"] and data["todo"]
    ics = tmp_path / "o.ics"
    assert (
        main(
            [
                "obligations",
                str(EXAMPLE),
                "--format",
                "ics",
                "--output",
                str(ics),
                "--as-of",
                "2026-07-31",
            ]
        )
        == 0
    )
    cal = Calendar.from_ical(ics.read_bytes())
    events = cal.walk("VEVENT")
    callback = [
        e
        for e in events
        if "rule: national.service.callback" in str(e["DESCRIPTION"])
        and "S-03" in str(e["DESCRIPTION"])
    ]
    assert callback[0].decoded("DTSTART").isoformat() == "2025-10-10"
    assert callback[0].decoded("DTEND").isoformat() == "2025-10-11"
    assert len({str(e["UID"]) for e in events}) == len(events)
    again = tmp_path / "again.ics"
    main(
        [
            "obligations",
            str(EXAMPLE),
            "--format",
            "ics",
            "--output",
            str(again),
            "--as-of",
            "2026-07-31",
        ]
    )
    assert again.read_bytes() == ics.read_bytes()  # reproducible


def test_diff_rules_validate_schema(tmp_path: Path, capsys: Capture) -> None:
    assert main(["diff", "guangdong", "xinzhou"]) == 0
    assert "| `incident.report` | 出险后24小时内报案 | 仅B only B" in capsys.readouterr().out
    assert main(["diff", "national", "guangdong", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["b"] == "guangdong"
    assert main(["rules", "national"]) == 0
    out = capsys.readouterr().out
    assert "national.service.callback" in out and "保险机构应在服务完成以后5个工作日内" in out
    assert main(["validate", str(FIXTURES / "jurisdictions" / "atlantis.yaml")]) == 0
    assert capsys.readouterr().out.startswith("ok:")
    broken = FIXTURES / "broken" / "unknown_param_key.yaml"
    assert main(["validate", str(broken)]) == 2
    assert "field 'params.deadline': unknown key" in capsys.readouterr().err
    assert main(["schema", "--output", str(tmp_path / "schemas")]) == 0
    assert (tmp_path / "schemas" / "PolicyCase.json").is_file()
    assert capsys.readouterr().out.startswith(f"wrote {len(ar.json_schemas())} schemas")
    assert {"Breach", "BreachCounts"} <= set(ar.json_schemas())
    assert main(["schema"]) == 0
    assert "Report" in json.loads(capsys.readouterr().out)


def test_unknown_jurisdiction_exits_2(capsys: Capture) -> None:
    assert main(["rules", "mars"]) == 2
    assert "unknown jurisdiction 'mars'" in capsys.readouterr().err


def test_calendar_override_file(tmp_path: Path, capsys: Capture) -> None:
    case = tmp_path / "c.yaml"
    case.write_text(
        "policy: {policy_id: P, jurisdiction: national, insurer: I, insured: J,\n"
        "         industry: other, term_start: 2026-07-01, term_end: 2027-06-30}\n"
        "service_records: [{id: S, kind: training, completed_on: 2026-12-28}]\n",
        encoding="utf-8",
    )
    cal = tmp_path / "cal.yaml"
    cal.write_text(
        "- {year: 2027, holidays: [2027-01-01, 2027-01-04], source: test}\n", encoding="utf-8"
    )
    main(["obligations", str(case), "--format", "jsonl"])
    plain = {o["rule_id"]: o for o in json.loads(capsys.readouterr().out)["obligations"]}
    main(["obligations", str(case), "--format", "jsonl", "--calendar", str(cal)])
    official = {o["rule_id"]: o for o in json.loads(capsys.readouterr().out)["obligations"]}
    cb = "national.service.callback"
    assert (plain[cb]["due_date"], plain[cb]["provisional"]) == ("2027-01-05", True)
    assert (official[cb]["due_date"], official[cb]["provisional"]) == ("2027-01-06", False)


def test_python_dash_m_runs_the_cli() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "ansafe_rules", "rules", "xinzhou"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "xinzhou.incident.report" in done.stdout


def test_in_force_option(capsys: Capture) -> None:
    xz = str(ROOT / "examples" / "xinzhou-municipal.yaml")
    main(["check", xz, "--as-of", "2026-07-31", "--format", "jsonl"])
    (row,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert row["report"]["notes"]
    # issued 2025-07-08, after a trial that ran 2024-01-01..2025-01-01: Xinzhou rules do not apply
    main(
        [
            "check",
            xz,
            "--as-of",
            "2026-07-31",
            "--format",
            "jsonl",
            "--in-force",
            "xinzhou=2024-01-01",
            "--all",
        ]
    )
    (row,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert "notes" not in row["report"] or not row["report"]["notes"]
    statuses = {f["status"] for f in row["report"]["findings"] if f["layer"] == "xinzhou"}
    assert statuses == {"not_applicable"}
    with pytest.raises(SystemExit):
        main(["check", xz, "--in-force", "xinzhou"])
    assert "expected LAYER=YYYY-MM-DD" in capsys.readouterr().err


def test_json_output_is_compact_and_stamped_with_the_ruleset(capsys: Capture) -> None:
    """One ruleset stamp per report (id, digest, engine version), no file paths; findings as
    rows of what needs attention; --all adds the rest; --detail full brings every trace."""
    gd = str(ROOT / "examples" / "guangdong-housing.yaml")
    main(["check", gd, "--as-of", "2026-07-31", "--format", "jsonl"])
    text = capsys.readouterr().out
    (row,) = [json.loads(x) for x in text.splitlines()]
    stamp = row["report"]["ruleset"]
    assert stamp["id"] == "guangdong" and len(stamp["digest"]) == 64
    assert stamp["digest"] == ar.load_ruleset("guangdong").digest
    assert str(ROOT / "rulesets") not in text  # no machine paths of the rulesets
    assert "trace" not in text and "obligations" not in row["report"]
    statuses = {f["status"] for f in row["report"]["findings"]}
    assert "compliant" not in statuses and "violation" in statuses
    assert sum(row["report"]["counts"].values()) > len(row["report"]["findings"])
    assert len(text.encode("utf-8")) <= 20_000
    main(["check", gd, "--as-of", "2026-07-31", "--format", "jsonl", "--all"])
    (every,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(every["report"]["findings"]) == sum(every["report"]["counts"].values())
    main(["check", gd, "--as-of", "2026-07-31", "--format", "jsonl", "--detail", "full"])
    (full,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert full["ruleset"] == stamp
    assert all(
        "trace" in f for f in full["report"]["findings"] if f["rule_id"] != "input.validation"
    )
    assert full["report"]["obligations"]


def test_ruleset_digest_is_the_same_wherever_the_files_lie(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "rulesets", tmp_path / "rs")
    here = ar.load_ruleset("xinzhou")
    there = ar.load_ruleset(tmp_path / "rs" / "xinzhou.yaml")
    assert here.digest == there.digest
    changed = here.with_overrides(
        {"xinzhou.service.upload": {"period": {"amount": 2, "unit": "workdays"}}}
    )
    assert changed.digest != here.digest


@pytest.mark.parametrize("fmt", ["jsonl", "table"])
def test_jobs_give_the_same_output_in_the_same_order(tmp_path: Path, capsys: Capture, fmt) -> None:
    """`check --jobs 2` (worker processes, chunks of 16 lines) writes exactly what `--jobs 1`
    writes, line for line, bad lines included, and exits the same."""
    import yaml

    cases = [
        yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "examples").glob("*.yaml"))
    ]
    lines = []
    for i in range(41):
        if i % 10 == 7:
            lines.append("{not json" if i % 20 == 7 else json.dumps({"policy": {"policy_id": i}}))
            continue
        c = cases[i % len(cases)]
        c = {**c, "policy": {**c["policy"], "policy_id": f"P{i:03d}"}}
        lines.append(json.dumps(c, ensure_ascii=False, default=str))
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = []
    for jobs in ("1", "2"):
        code = main(["check", str(path), "--as-of", "2026-07-31", "--format", fmt, "--jobs", jobs])
        got = capsys.readouterr()
        runs.append((code, got.out, got.err))
    assert runs[0] == runs[1]
    code, out, err = runs[0]
    assert code == 2 and "4 of 41 input(s) could not be evaluated" in err
    if fmt == "jsonl":
        ids = [json.loads(x).get("policy_id") for x in out.splitlines()]
        assert ids[:3] == ["P000", "P001", "P002"] and len(ids) == 41


def test_version_and_exit_codes_in_help(capsys: Capture) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"ansafe-rules {ar.__version__}"
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "exit codes: 0 no breach" in out and "2 something could not be evaluated" in out


# -- obligations as a to-do list, calendars, stdin, progress (issue 9) -------------------------
XINZHOU = ROOT / "examples" / "xinzhou-municipal.yaml"


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_ics_folder_keeps_names_when_an_input_fails(tmp_path: Path, capsys: Capture) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy: {policy_id: P}\n", encoding="utf-8")
    out = tmp_path / "cals"
    args = ["obligations", str(EXAMPLE), str(bad), "--format", "ics", "--as-of", "2026-07-31"]
    assert main([*args, "--output", str(out)]) == 2
    assert out.is_dir()  # was: the one calendar written as a file named "cals"
    assert sorted(p.name for p in out.iterdir()) == ["national-construction.ics"]
    cal = Calendar.from_ical((out / "national-construction.ics").read_bytes())
    assert str(cal["x-wr-calname"]) == "安责险义务 AZ-2025-0001"
    assert "bad.yaml: policy: field 'jurisdiction'" in capsys.readouterr().err


def test_ics_folder_for_a_portfolio_with_one_readable_line(tmp_path: Path) -> None:
    book = tmp_path / "book.jsonl"
    book.write_text(_line(policy_id="A") + "\n{oops\n" + _line(policy_id="C") + "\n")
    out = tmp_path / "cals"
    args = ["obligations", str(book), "--format", "ics", "--output", str(out)]
    assert main([*args, "--as-of", "2026-07-31"]) == 2
    assert sorted(p.name for p in out.iterdir()) == ["book-line1.ics", "book-line3.ics"]
    one = tmp_path / "one.jsonl"
    one.write_text(_line(policy_id="A") + "\n{oops\n")
    assert main(["obligations", str(one), "--format", "ics", "--output", str(out / "x")]) == 2
    assert [p.name for p in (out / "x").iterdir()] == ["one-line1.ics"]  # was: a file "x"


def test_ics_same_file_names_in_two_folders(tmp_path: Path) -> None:
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "p.yaml").write_text(EXAMPLE.read_text("utf-8"), encoding="utf-8")
    out = tmp_path / "cals"
    files = [str(tmp_path / "a" / "p.yaml"), str(tmp_path / "b" / "p.yaml")]
    assert main(["obligations", *files, "--format", "ics", "--output", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["p-2.ics", "p.ics"]


def test_check_and_obligations_read_stdin(monkeypatch, capsys: Capture) -> None:
    _stdin(monkeypatch, EXAMPLE.read_bytes())  # one YAML document
    assert main(["check", "-", "--as-of", "2026-07-31"]) == 1
    assert "callback_on 2025-10-11 is after the due 2025-10-10" in capsys.readouterr().out
    book = "\n\n".join([_line(policy_id="A"), "{oops", _line(policy_id="B")]) + "\n"
    _stdin(monkeypatch, book.encode())  # JSON Lines, streamed; line numbers as in a file
    assert main(["obligations", "-", "--format", "jsonl", "--as-of", "2026-07-31"]) == 2
    captured = capsys.readouterr()
    rows = [json.loads(x) for x in captured.out.splitlines()]
    assert [(r["source"], r["line"], r.get("policy_id")) for r in rows] == [
        ("<stdin>", 1, "A"),
        ("<stdin>", 3, None),
        ("<stdin>", 5, "B"),
    ]
    assert "<stdin>: line 3: invalid JSON" in captured.err
    pretty = json.dumps(json.loads(_line(policy_id="J")), indent=2)  # one JSON document
    _stdin(monkeypatch, pretty.encode())
    assert main(["check", "-", "--as-of", "2026-07-31", "--format", "jsonl"]) == 1
    (row,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert (row["source"], row["line"], row["policy_id"]) == ("<stdin>", 0, "J")


class _Counted(io.BytesIO):
    """stdin's bytes, counting the lines read."""

    lines_read = 0

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        self.lines_read += 1
        return super().readline(size)


class _Seen(io.StringIO):
    """stdout, noting how many lines of stdin had been read when each result was written."""

    def __init__(self, stdin: _Counted) -> None:
        super().__init__()
        self.stdin, self.reads_at_line = stdin, {}

    def write(self, text: str) -> int:
        for m in re.finditer(r'"source":"<stdin>","line":(\d+)', text):
            self.reads_at_line.setdefault(int(m.group(1)), self.stdin.lines_read)
        return super().write(text)


def test_a_live_stdin_is_answered_line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON Lines on stdin may come from a live stream: each line's result is written before
    the next line is read (a file is read a few lines at a time, evaluated together)."""
    lines = [_line(policy_id=p) for p in ("A", "B", "C", "D", "E")]
    lines.insert(1, "{oops")  # an unreadable line is answered at once too
    raw = _Counted("".join(x + "\n" for x in lines).encode())
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(raw, encoding="utf-8"))
    out = _Seen(raw)
    monkeypatch.setattr("sys.stdout", out)
    main(["check", "-", "--as-of", "2026-07-31", "--format", "jsonl"])
    assert sorted(out.reads_at_line) == [1, 2, 3, 4, 5, 6]
    # line n's result was written when n lines had been read (the next one not yet)
    assert all(out.reads_at_line[n] == n for n in range(1, 7)), out.reads_at_line


def test_stdin_errors_name_stdin_line_and_field(
    tmp_path: Path, monkeypatch, capsys: Capture
) -> None:
    text = b"\npolicy:\n  policy_id: [unclosed\n"
    (tmp_path / "f.yaml").write_bytes(text)
    assert main(["check", str(tmp_path / "f.yaml")]) == 2
    as_file = capsys.readouterr().err
    _stdin(monkeypatch, text)
    assert main(["check", "-"]) == 2
    err = capsys.readouterr().err  # the same message as for a file, naming <stdin> and the line
    assert err == as_file.replace(str(tmp_path / "f.yaml"), "<stdin>")
    assert err.startswith("ansafe-rules: error: <stdin>: line 4: expected ','")
    _stdin(monkeypatch, b"policy: {policy_id: P}\n")
    assert main(["check", "-"]) == 2
    assert "<stdin>: policy: field 'jurisdiction': Field required" in capsys.readouterr().err
    _stdin(monkeypatch, b"")
    assert main(["obligations", "-"]) == 2
    assert "<stdin>: 输入为空 — no input" in capsys.readouterr().err


class _Terminal(io.StringIO):
    """stdout and stderr of one terminal."""

    def isatty(self) -> bool:
        return True


def _screen(text: str) -> list[str]:
    """What a terminal shows after ``text``: \\r returns to column 0, ESC[2K erases the line."""
    lines, col = [""], 0
    i = 0
    while i < len(text):
        if text.startswith("\x1b[2K", i):
            lines[-1], i = "", i + 4
            continue
        ch = text[i]
        if ch == "\r":
            col = 0
        elif ch == "\n":
            lines.append("")
            col = 0
        else:
            cur = lines[-1]
            lines[-1] = cur[:col] + ch + cur[col + 1 :]
            col += 1
        i += 1
    return lines


def test_progress_bar_never_garbles_the_table(tmp_path: Path, monkeypatch) -> None:
    book = tmp_path / "book.jsonl"
    book.write_text("\n".join(_line(policy_id=f"P{i}") for i in range(12)) + "\n{oops\n")
    args = ["check", str(book), "--as-of", "2026-07-31", "--jobs", "1"]
    term = _Terminal()
    monkeypatch.setattr("sys.stdout", term)
    monkeypatch.setattr("sys.stderr", term)
    assert main(args) == 2
    plain = io.StringIO()
    monkeypatch.setattr("sys.stdout", plain)
    monkeypatch.setattr("sys.stderr", plain)
    assert main([*args, "--progress", "never"]) == 2
    # the terminal shows exactly what a run without the bar prints: no bar left, none inside
    assert _screen(term.getvalue()) == _screen(plain.getvalue())
    assert "policies" in term.getvalue()  # the bar was drawn
    assert term.getvalue().count("13/13 policies") == 1  # its last state, erased at the end
    assert "\r\x1b[2K" in term.getvalue().split("13/13 policies")[1].split("\n")[0]


def test_one_rule_is_not_one_rules(tmp_path: Path, capsys: Capture) -> None:
    assert main(["validate", str(FIXTURES / "jurisdictions" / "atlantis.yaml")]) == 0
    assert ": 1 rule of its own, " in capsys.readouterr().out


def test_obligations_json_array_jsonl_and_output_for_every_format(tmp_path: Path) -> None:
    files = [str(EXAMPLE), str(XINZHOU), "--as-of", "2026-04-28"]
    for fmt in ("table", "json", "jsonl", "csv"):
        assert main(["obligations", *files, "--format", fmt, "--output", str(tmp_path / fmt)]) == 0
    arr = json.loads((tmp_path / "json").read_text("utf-8"))
    lines = [json.loads(x) for x in (tmp_path / "jsonl").read_text("utf-8").splitlines()]
    assert arr == lines and [r["policy_id"] for r in arr] == ["AZ-2025-0001", "XZ-2025-0076"]
    parsed = ar.load_case_file(XINZHOU)
    ev = ar.evaluate_rows(ar.load_ruleset("xinzhou"), parsed, as_of=dt.date(2026, 4, 28))
    want = [t.model_dump(mode="json") for t in ar.todo(ev)]
    assert arr[1]["todo"] == want
    assert arr[1]["counts"] == {
        s.value: sum(t["status"] == s.value for t in want) for s in ar.TodoStatus
    }
    table = (tmp_path / "table").read_text("utf-8")
    assert table.startswith("== AZ-2025-0001  [national]  截至 as of 2026-04-28\n")
    assert "  -- 常设义务 standing duties (" in table
    xinzhou = table.split("== XZ-2025-0076")[1]
    dated, _, standing = xinzhou.partition("-- 常设义务 standing duties")
    assert "xinzhou.incident.report" in dated and "xinzhou.incident.report" not in standing
    assert "xinzhou.visit.staffing" in standing and "xinzhou.visit.staffing" not in dated
    assert "2026-05-02 09:30" in table  # the hour deadline with its time
    assert "已逾期 overdue" in table


def test_obligations_due_soon_option_and_table_order(tmp_path: Path, capsys: Capture) -> None:
    f = tmp_path / "c.yaml"
    f.write_text(
        "policy: {policy_id: P, jurisdiction: national, insurer: I, insured: J,\n"
        "         industry: other, term_start: 2025-07-01, term_end: 2026-06-30}\n"
        "service_records: [{id: S-1, kind: training, completed_on: 2025-09-26}]\n",
        encoding="utf-8",
    )
    base = ["obligations", str(f), "--as-of", "2025-09-30", "--format", "jsonl"]
    assert main([*base, "--due-soon", "1"]) == 0
    (row,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    cb = next(t for t in row["todo"] if t["rule_id"] == "national.service.callback")
    assert (cb["status"], cb["working_days_left"], cb["date"]) == ("upcoming", 2, "2025-10-10")
    assert main([*base, "--due-soon", "2"]) == 0
    (row,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    cb = next(t for t in row["todo"] if t["rule_id"] == "national.service.callback")
    assert cb["status"] == "due_soon"
    dates = [t["date"] for t in row["todo"] if t["date"]]
    assert dates == sorted(dates)
    with pytest.raises(SystemExit) as exc:
        main([*base, "--due-soon", "-1"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main([*base, "--remind", "soon"])
    assert "bad reminder 'soon'" in capsys.readouterr().err


def test_obligations_ics_reminders_option(tmp_path: Path) -> None:
    out = tmp_path / "o.ics"
    args = ["obligations", str(EXAMPLE), "--format", "ics", "--output", str(out)]
    assert main([*args, "--remind", "2d"]) == 0
    alarms = Calendar.from_ical(out.read_bytes()).walk("VALARM")
    assert alarms and {str(a["TRIGGER"].to_ical(), "ascii") for a in alarms} == {"-P2D"}


def test_check_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    assert main(["check", str(EXAMPLE), "--as-of", "2026-07-31", "--output", str(out)]) == 1
    assert "callback_on 2025-10-11 is after the due 2025-10-10" in out.read_text("utf-8")

"""The command line: every subcommand, exit codes, clear errors, portfolios, iCalendar."""

from __future__ import annotations

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
    data = json.loads(capsys.readouterr().out)
    assert data["policy_id"] == "AZ-2025-0001" and data["obligations"]
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
    assert capsys.readouterr().out.startswith("wrote 12 schemas")
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
    main(["obligations", str(case), "--format", "json"])
    plain = {o["rule_id"]: o for o in json.loads(capsys.readouterr().out)["obligations"]}
    main(["obligations", str(case), "--format", "json", "--calendar", str(cal)])
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

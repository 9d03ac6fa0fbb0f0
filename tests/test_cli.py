"""The command line: exit codes, clear errors without tracebacks, calendar overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansafe_rules.cli import main

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "national-construction.yaml"


def test_check_example_finds_violations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE), "--as-of", "2026-07-31"]) == 1
    out = capsys.readouterr().out
    assert "VIOLATION  national.service.callback" in out
    assert "callback_on 2025-10-11 is after the due 2025-10-10" in out


def test_check_json_and_no_violations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
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
                    "contract_services": [
                        {"service_kind": "training", "min_count": 1, "per": "term"}
                    ],
                }
            }
        ),
        encoding="utf-8",
    )
    assert main(["check", str(f), "--as-of", "2026-03-01", "--format", "json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["policy_id"] == "P" and rep["counts"]["violation"] == 0


def test_bad_input_exits_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("policy:\n  policy_id: P\n", encoding="utf-8")
    assert main(["check", str(f), "--as-of", "2026-03-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ansafe-rules: error: {f}: policy: field 'jurisdiction'")
    assert "Traceback" not in err


def test_unknown_jurisdiction_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "mars"]) == 2
    assert "unknown jurisdiction 'mars'" in capsys.readouterr().err


def test_obligations_and_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["obligations", str(EXAMPLE)]) == 0
    assert "2025-10-10" in capsys.readouterr().out
    assert main(["rules", "national"]) == 0
    out = capsys.readouterr().out
    assert "national.service.callback" in out and "保险机构应在服务完成以后5个工作日内" in out


def test_calendar_override_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
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
    plain = {o["rule_id"]: o for o in json.loads(capsys.readouterr().out)}
    main(["obligations", str(case), "--format", "json", "--calendar", str(cal)])
    official = {o["rule_id"]: o for o in json.loads(capsys.readouterr().out)}
    cb = "national.service.callback"
    assert (plain[cb]["due_date"], plain[cb]["provisional"]) == ("2027-01-05", True)
    assert (official[cb]["due_date"], official[cb]["provisional"]) == ("2027-01-06", False)

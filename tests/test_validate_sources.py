"""``ansafe-rules validate`` checks every quote of a ruleset against its source text, with the
one matching function the citation tests use (:func:`ansafe_rules.loader.quote_problems`)."""

from __future__ import annotations

from pathlib import Path

import pytest

import ansafe_rules as ar
from ansafe_rules.cli import main
from ansafe_rules.loader import find_source, quote_problems, source_dirs

from .conftest import FIXTURES, ROOT

WRONG = FIXTURES / "quotes" / "atlantis.yaml"
RIGHT = FIXTURES / "jurisdictions" / "atlantis.yaml"
QUOTE = "发生生产安全事故的，保险机构应在6小时内报告。"


def test_a_wrong_quote_is_reported_with_file_rule_clause_and_quote(
    capsys: pytest.CaptureFixture[str],
) -> None:
    src = FIXTURES / "quotes" / "atlantis.txt"
    assert main(["validate", str(WRONG), "--sources", str(src.parent), "--lang", "en"]) == 2
    cap = capsys.readouterr()
    assert cap.err.splitlines() == [
        f"ansafe-rules: {WRONG}: rule atlantis.incident.report (clause 第二条): quote not found "
        f"verbatim in {src}: {QUOTE}",
        f"ansafe-rules: quotes: 1 of 1 not verbatim in {src}",
    ]
    assert cap.out == ""


def test_the_message_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(WRONG), "--lang", "zh"]) == 2  # the text beside the file
    src = (FIXTURES / "quotes" / "atlantis.txt").resolve()
    assert capsys.readouterr().err.splitlines()[0] == (
        f"ansafe-rules: {WRONG}：规则 atlantis.incident.report（条款 第二条）：引文在 {src} "
        f"中找不到原文：{QUOTE}"
    )


def test_a_verbatim_ruleset_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(RIGHT), "--lang", "en"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"ok: {RIGHT}: 1 rule of its own, 27 with National + atlantis"
    assert out[1].startswith("quotes: 1 checked against ") and out[1].endswith(", all verbatim")


def test_sources_folder_without_the_text_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(RIGHT), "--sources", str(tmp_path), "--lang", "en"]) == 2
    assert capsys.readouterr().err == (
        f"ansafe-rules: error: {RIGHT}: source text atlantis.txt not found in {tmp_path}\n"
    )


def test_without_a_source_text_the_quotes_are_not_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lone = tmp_path / "atlantis.yaml"
    lone.write_text(RIGHT.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", str(lone), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "source text atlantis.txt not found in " in out


def test_lookup_order_and_the_shared_matcher() -> None:
    dirs = source_dirs(ROOT / "rulesets" / "guangdong.yaml")
    assert dirs[0] == ROOT / "rulesets"
    assert dirs[1] == ROOT.parent / "shared" / "sources"  # <repo>/../shared/sources
    rs = ar.load_ruleset(WRONG)
    text = (FIXTURES / "quotes" / "atlantis.txt").read_text(encoding="utf-8")
    [problem] = quote_problems(rs, text)
    assert (problem.rule_id, problem.clause, problem.quote) == (
        "atlantis.incident.report",
        "第二条",
        QUOTE,
    )
    assert quote_problems(ar.load_ruleset(RIGHT), text) == []
    # the national layer of the same stack is checked against its own text only when asked
    assert (
        find_source("atlantis.txt", [FIXTURES / "quotes"]) == FIXTURES / "quotes" / "atlantis.txt"
    )
    assert find_source("atlantis.txt", [ROOT]) is None

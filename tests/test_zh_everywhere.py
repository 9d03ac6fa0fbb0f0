"""Chinese beyond findings (issue 9): bindings, required items, rule descriptions, diff,
rules and validate output, jurisdiction names from the rulesets; English unchanged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import ansafe_rules as ar
from ansafe_rules.bindings import MessageBinding, binding_note
from ansafe_rules.cli import main
from ansafe_rules.diff import describe_rule, format_diff
from ansafe_rules.i18n import _item_index, item_label, render_message
from ansafe_rules.inputs import load_case_file

from .conftest import BASE_POLICY, FIXTURES, ROOT

EXAMPLE = ROOT / "examples" / "guangdong-housing.yaml"
AS_OF = "2026-07-31"


@pytest.fixture(scope="module")
def gd_bindings() -> tuple[ar.Binding, ...]:
    ev = ar.evaluate_rows(
        ar.load_ruleset("guangdong"), load_case_file(EXAMPLE), as_of=dt.date(2026, 7, 31)
    )
    return ev.bindings


def _one(bs: tuple[ar.Binding, ...], obligation: str, subject: str) -> ar.Binding:
    [b] = [b for b in bs if b.obligation == obligation and b.subject == subject]
    return b


def test_binding_note_in_both_languages(gd_bindings: tuple[ar.Binding, ...]) -> None:
    b = _one(gd_bindings, "service.record_compilation", "service_records/T-02")
    assert isinstance(b, MessageBinding)
    # the English is the note, byte for byte as before
    assert (
        binding_note(b, "en")
        == b.note
        == (
            "service.record_compilation for service_records/T-02: national 6.3 "
            "(national.service.record_compilation): due 2026-03-03; guangdong 6.3 "
            "(guangdong.service.record_compilation): due 2026-03-17 — the strictest, national 6.3 "
            "(national.service.record_compilation), binds."
        )
    )
    assert binding_note(b, "zh") == (
        "服务完成后10个工作日内整理完毕（服务记录 T-02）：国家 6.3 截止 2026-03-03；"
        "广东 6.3 截止 2026-03-17——以最严者国家 6.3 为准。"
    )
    # the message is JSON: a caller renders it without the evaluation
    args = json.loads(json.dumps(b.message_args))
    assert render_message(b.message_id, args, "zh") == binding_note(b, "zh")


def test_binding_json_carries_its_message_and_speaks_the_reports_language() -> None:
    """A JSON consumer renders a binding's note in either language without re-evaluating, and a
    report asked for in Chinese has its notes in Chinese (English ones stay as frozen)."""
    ev = ar.evaluate_rows(
        ar.load_ruleset("guangdong"), load_case_file(EXAMPLE), as_of=dt.date(2026, 7, 31)
    )
    en = json.loads(ev.report(lang="en").model_dump_json())["bindings"]
    zh = json.loads(ev.report(lang="zh").model_dump_json())["bindings"]
    assert len(en) == len(zh) > 0
    for b_en, b_zh in zip(en, zh, strict=True):
        assert b_en["message_id"] == b_zh["message_id"]
        assert b_en["message_id"] in ("binding.note", "binding.note_policy")
        assert render_message(b_en["message_id"], b_en["message_args"], "en") == b_en["note"]
        assert render_message(b_zh["message_id"], b_zh["message_args"], "zh") == b_zh["note"]
        assert {k: v for k, v in b_en.items() if k != "note"} == {
            k: v for k, v in b_zh.items() if k != "note"
        }
    notes = {b["note"] for b in zh}
    assert (
        "需核实的投诉10个工作日内答复（投诉 C-01）：国家 6.4 截止 2025-10-22；"
        "广东 6.4.2 截止 2025-11-19——以最严者国家 6.4 为准。" in notes
    )


def test_check_table_prints_the_binding_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE), "--as-of", AS_OF, "--lang", "zh"]) == 1
    out = capsys.readouterr().out
    assert (
        "从严适用   需核实的投诉10个工作日内答复（投诉 C-01）：国家 6.4 截止 2025-10-22；"
        "广东 6.4.2 截止 2025-11-19——以最严者国家 6.4 为准。"
    ) in out
    assert "年度评估报告 GD-E-2025 缺少：报告内容：服务效果" in out
    assert "service_effect" not in out


def test_item_labels_come_from_the_source_wording() -> None:
    assert item_label("service_effect", "zh") == "服务效果"  # 广东 8.1
    assert item_label("facts_and_basis", "zh") == "对基本事实的认定及依据"  # AQ 9010-2019 6.4
    assert item_label("fee_ledger", "zh") == "服务费用台账"  # AQ 9010-2019 7.4
    assert item_label("service_effect", "en") == "service_effect"
    assert item_label("not_an_item", "zh") == "not_an_item"
    # no value is claimed by two item enums (the lookup is by value)
    from ansafe_rules import model as m

    values = [
        v.value
        for e in (
            m.ArchiveDocumentKind,
            m.ComplaintReplyItem,
            m.EvaluationReportItem,
            m.SignatoryRole,
        )
        for v in e
    ]
    assert len(values) == len(set(values)) == len(_item_index())


def test_every_listed_item_of_every_ruleset_has_a_chinese_label() -> None:
    for j in ar.jurisdictions():
        for rr in ar.load_ruleset(j).rules:
            for c in getattr(rr.rule.params, "contains", ()):
                for v in c.values:
                    assert item_label(v, "zh") != v, f"{rr.rule.id}: no label for {v}"


def test_rule_descriptions_english_unchanged_chinese_a_sentence() -> None:
    frozen = json.loads((ROOT / "tests" / "data" / "describe_rule_en.json").read_text("utf-8"))
    for j in ar.jurisdictions():
        for rr in ar.load_ruleset(j).rules:
            assert describe_rule(rr) == frozen[f"{j}/{rr.rule.id}"]
            zh = describe_rule(rr, "zh")
            assert " where " not in zh and "must " not in zh and "$case" not in zh, zh
    gd = {rr.rule.id: rr for rr in ar.load_ruleset("guangdong").rules}
    assert describe_rule(gd["guangdong.evaluation.report_contents"], "zh").endswith(
        "存在的问题和改进措施"
    )
    assert describe_rule(gd["guangdong.complaint.reply"], "zh") == (
        "需要进一步核实与处理为“否”的投诉：答复意见反馈日期应在收到投诉日期后10 个工作日内"
    )


def test_jurisdiction_names_come_from_the_rulesets() -> None:
    names = {j: ar.load_ruleset(j).layers[-1] for j in ar.jurisdictions()}
    assert {j: li.display_name("zh") for j, li in names.items()} == {
        "guangdong": "广东",
        "national": "国家",
        "shaoxing": "绍兴",
        "xinzhou": "忻州",
        "xuancheng": "宣城",
    }
    assert names["xinzhou"].display_name("en") == "Xinzhou"
    # a ruleset without names shows its id
    atl = ar.load_ruleset(FIXTURES / "jurisdictions" / "atlantis.yaml").layers[-1]
    assert atl.display_name("zh") == "atlantis"


def test_diff_in_chinese_and_english() -> None:
    d = ar.diff(ar.load_ruleset("national"), ar.load_ruleset("guangdong"))
    zh = format_diff(d, lang="zh")
    assert zh.startswith("# 国家（A）与 广东（B）对照\n")
    assert (
        "| `complaint.reply` | 5个工作日内答复投诉 | 不同 different | 国家 6.4：需要进一步核实与"
        "处理为“否”的投诉：答复意见反馈日期应在收到投诉日期后5 个工作日内 |"
    ) in zh
    en = format_diff(d, lang="en")
    assert en.startswith("# national (A) vs guangdong (B)\n")
    assert "national 6.4: replied_on within 5个工作日 (5 workdays) of received_on" in en
    assert ar.RulesetDiff.model_validate_json(d.model_dump_json()) == d


def test_rules_command_counts_and_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", str(FIXTURES / "jurisdictions" / "atlantis.yaml"), "--lang", "en"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("27 rules in National + atlantis; ")
    assert main(["rules", "xinzhou", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "xinzhou.incident.report  [忻州 " in out and "义务主体 保险机构" in out
    assert out.splitlines()[-1].startswith("国家 + 忻州共 64 条规则；")


def test_plural_forms() -> None:
    from ansafe_rules.i18n import plural

    assert plural(1, "rules.count_one", "rules.count", "en", layers="X", available="") == (
        "1 rule in X; jurisdictions available: "
    )
    assert plural(2, "rules.count_one", "rules.count", "en", layers="X", available="").startswith(
        "2 rules in X"
    )
    assert plural(1, "rules.count_one", "rules.count", "zh", layers="X", available="a") == (
        "X共 1 条规则；可用辖区：a"
    )


def test_validate_counts_one_rule(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert (
        main(["validate", str(FIXTURES / "jurisdictions" / "atlantis.yaml"), "--lang", "zh"]) == 0
    )
    path = FIXTURES / "jurisdictions" / "atlantis.yaml"
    assert capsys.readouterr().out.startswith(
        f"通过：{path}：本层 1 条规则，连同 国家 + atlantis 共 27 条"
    )


def test_where_a_bad_record_is_comes_in_chinese_too(tmp_path: Path) -> None:
    """A record that cannot be read is named in both languages: ``record`` in English as it
    always was, ``record_zh`` in Chinese (编号, 第 N 行; the collection and index as codes);
    the data-error row says the Chinese place in Chinese and the English in English."""
    text = (ROOT / "examples" / "national-construction.yaml").read_text(encoding="utf-8")
    bad = text.replace("completed_on: 2025-09-26", "completed_on: 2025-13-45", 1)
    assert bad != text
    line = bad.splitlines().index("  - id: S-03") + 1
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    (issue,) = load_case_file(path).issues
    assert issue.record == f"service_records[2] (id 'S-03', line {line})"
    assert issue.record_zh == f"service_records[2]（编号 'S-03'，第 {line} 行）"
    ev = ar.evaluate_rows(
        ar.load_ruleset("national"), load_case_file(path), as_of=dt.date(2026, 7, 31)
    )
    (row,) = [r for r in ev.row_dicts(lang="zh") if r["rule_id"] == "input.validation"]
    assert row["reason"] == (
        f"{path}：service_records[2]（编号 'S-03'，第 {line} 行）：字段「completed_on」："
        "不是有效日期（应为 YYYY-MM-DD）：月份应为 1–12"
    )
    assert row["message_args"]["record_zh"] == issue.record_zh
    english = render_message(row["message_id"], row["message_args"], "en")
    assert english.startswith(f"{path}: service_records[2] (id 'S-03', line {line}): field")
    # a row stored by a release without record_zh: its Chinese names the English place
    stored = {k: v for k, v in row["message_args"].items() if k != "record_zh"}
    assert render_message(row["message_id"], stored, "zh").startswith(
        f"{path}：service_records[2] (id 'S-03', line {line})：字段「completed_on」"
    )


@pytest.mark.parametrize(
    ("ident", "en", "zh"),
    [
        ("S" * 500, f"'{'S' * 80}…' (500 characters)", f"'{'S' * 80}…'（共 500 个字符）"),
        (10**100, "<an integer of 101 digits>", "<101 位整数>"),
        ([10**5000], "<a list too large to show>", "<list（过大，无法显示）>"),
        ("S-1", "'S-1'", "'S-1'"),
    ],
)
def test_an_id_an_error_cannot_show_whole_is_said_in_chinese_too(
    ident: Any, en: str, zh: str
) -> None:
    data = {"policy": BASE_POLICY, "service_records": [{"id": ident, "kind": "no_such_kind"}]}
    issue = ar.parse_case(data, "c.json").issues[0]
    assert issue.record == f"service_records[0] (id {en})"
    assert issue.record_zh == f"service_records[0]（编号 {zh}）"


def test_a_section_named_by_a_huge_integer_and_duplicate_ids_in_chinese() -> None:
    """An unknown section named by an integer too long to write out, and records sharing an
    id: the Chinese names the places in Chinese (the others joined with 、)."""
    record = {"kind": "training", "completed_on": "2025-09-26"}
    data = {
        "policy": BASE_POLICY,
        "service_records": [{"id": "S1", **record}, {"id": "S1", **record}],
        10**5000: 1,
    }
    issues = ar.parse_case(data, "c.json").issues
    section = next(i for i in issues if i.message == "unknown section (ignored)")
    assert (section.record, section.record_zh) == ("<an integer of 5001 digits>", "<5001 位整数>")
    assert section.field == "(section)"  # a name said in words is no field name
    ev = ar.evaluate_rows(ar.load_ruleset("national"), data, as_of=dt.date(2026, 7, 31))
    reasons = [r["reason"] for r in ev.row_dicts(lang="zh") if r["rule_id"] == "input.validation"]
    assert "<input>：<5001 位整数>：字段「(section)」：未知的部分（已忽略）" in reasons
    first = next(i for i in issues if i.record == "service_records[0] (id 'S1')")
    assert first.record_zh == "service_records[0]（编号 'S1'）"
    assert first.message == (
        "id 'S1' is also used by service_records[1] (id 'S1'); records sharing an id are not "
        "evaluated"
    )
    assert (
        first.message_zh
        == "编号 'S1' 也被 service_records[1]（编号 'S1'） 使用；编号重复的记录不予评价"
    )
    # a place that reads the same in both languages has no record_zh
    data = {"policy": BASE_POLICY, "hazards": "not a list"}
    (listed,) = ar.parse_case(data, "c.json").issues
    assert (listed.record, listed.record_zh) == ("hazards", None)

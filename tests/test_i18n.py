"""Two languages, Chinese first (issue 9, item 1): message ids and arguments on every row, the
zh_CN catalogue complete and compiled, hand-checked Chinese sentences, ``lang`` end to end, and
rendering from a row's JSON without evaluating again."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ansafe_rules as ar
from ansafe_rules import cli, i18n
from ansafe_rules.diff import describe_rule
from ansafe_rules.outputs import Status
from ansafe_rules.rulesets import Subject

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 7, 31)
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

_spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
assert _spec and _spec.loader
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)


def _example(path: Path) -> ar.Evaluation:
    parsed = ar.load_case_file(path)
    return ar.evaluate_rows(ar.load_ruleset(parsed.case.policy.jurisdiction), parsed, as_of=AS_OF)


def _zh_reasons(example: str | ar.Evaluation) -> dict[tuple[str, str], str]:
    """Each finding's Chinese reason, by (rule id, subject), of an example (its file name) or
    of an evaluation."""
    ev = _example(ROOT / "examples" / example) if isinstance(example, str) else example
    return {(f.rule_id, f.subject): f.text("zh") for f in ev.findings}


# A national case whose dates cross the 2025 National Day week: finished Friday 26 September;
# Sunday 28 September and Saturday 11 October are make-up workdays, 1-8 October holidays.
NATIONAL_CASE = {
    "policy": {
        "policy_id": "P-1",
        "jurisdiction": "national",
        "insurer": "某保险公司",
        "insured": "某建设集团",
        "industry": "construction",
        "above_designated_size": True,
        "term_start": "2025-07-01",
        "term_end": "2026-06-30",
        "third_party_engaged": False,
        "contract_services": [
            {"service_kind": "hazard_inspection", "min_count": 1, "per": "quarter"}
        ],
    },
    "service_records": [
        {
            "id": "S-03",
            "kind": "hazard_inspection",
            "completed_on": "2025-09-26",
            "callback_on": "2025-10-11",
            "extra_fee": 500,
        }
    ],
    "archives": [{"id": "AR-1", "closed_on": "2026-06-30", "destroyed_on": "2027-01-04"}],
}


def _by_rule(report: ar.Report, rule_id: str, subject: str | None = None) -> ar.Finding:
    return next(
        f
        for f in report.findings
        if f.rule_id == rule_id and (subject is None or f.subject == subject)
    )


# -- the catalogue --------------------------------------------------------------------------
def test_the_compiled_catalogue_is_fresh_and_complete() -> None:
    """tools/i18n.py --check: .pot from the code, .po merged, .mo compiled from it, every
    message translated with the placeholders of its msgid."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "i18n.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert tool.problems(tool.read_catalogue()) == []


def test_every_message_id_written_in_the_code_is_in_the_catalogue() -> None:
    """The ids the engine writes (``("deadline.late", {...})``) are all registered, and every
    registered one has a Chinese translation that is not the English text."""
    used: set[str] = set()
    pattern = re.compile(r"""\(\s*f?["']([a-z_]+\.[a-z_{}]+)["'],\s*[\{a-z]""")
    files = [*(ROOT / "src" / "ansafe_rules" / "kinds").glob("*.py")]
    files += [ROOT / "src" / "ansafe_rules" / n for n in ("context.py", "evaluate.py")]
    for path in files:
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    expanded = set()
    for mid in used:  # f"none.expected{where}"
        expanded |= {mid.replace("{where}", w) for w in ("", "_where")} if "{" in mid else {mid}
    assert len(expanded) > 60
    assert expanded - set(i18n.MESSAGES) == set()
    cat = tool.read_catalogue()
    for mid, spec in i18n.MESSAGES.items():
        m = cat.get(spec.en, context=mid)
        assert m is not None and m.string, mid
        if re.search(r"[a-z]{3}", spec.en.replace("{", " {")) and not mid.startswith("cond."):
            assert i18n.text(mid, "zh") != spec.en or mid in {
                "missing.fields",
                "cond.field_value",
                "freq.weight",
                "ruleset.at_item",  # rules[0]: a place in the YAML file, in either language
            }, mid


def test_a_missing_translation_or_a_wrong_placeholder_is_reported() -> None:
    cat = tool.read_catalogue()
    late = cat.get(i18n.MESSAGES["deadline.late"].en, context="deadline.late")
    late.string = late.string.replace("{deadline}", "{due}")
    cat.get(i18n.MESSAGES["mark.violation"].en, context="mark.violation").string = ""
    found = tool.problems(cat)
    assert (
        "deadline.late: placeholders differ from the msgid's: unknown ['due'], "
        "left out ['deadline']" in found
    )
    assert "mark.violation: untranslated" in found


def test_statuses_and_severities_in_both_languages() -> None:
    zh = {s: i18n.label("Status", s, "zh") for s in Status}
    assert list(zh.values()) == ["合规", "违规", "待履行", "不适用", "数据不足", "数据错误"]
    assert [i18n.label("Status", s, "en") for s in Status] == [s.value for s in Status]
    assert i18n.label("Severity", ar.Severity.advisory, "zh") == "建议性"
    assert i18n.label("Severity", "assessment", "zh") == "考核项"
    assert i18n.label("DutyHolder", "insured", "zh") == "投保单位"


def test_field_names_read_through_the_models_chinese_labels() -> None:
    assert i18n.field_label("callback_on", "zh", "service_records") == "回访日期"
    assert i18n.field_label("callback_on", "en", "service_records") == "callback_on"
    # a nested path, and a description with an English note in parentheses
    assert i18n.field_label("destruction_register.approver", "zh", "archives") == "销毁清册的批准人"
    assert i18n.field_label("term_end", "zh", "policy") == "保险期间止期"
    assert i18n.field_label("$case.service_records.started_on|min", "zh") == (
        "服务记录的服务开始日期（最早）"
    )
    # the same name, two models: the subject decides
    assert i18n.field_label("completed_on", "zh", "evaluation_reports") == "报告完成日期"
    assert i18n.field_label("completed_on", "zh", "service_records") == "服务完成日期"


# -- hand-checked sentences -----------------------------------------------------------------
def test_hand_checked_chinese_sentences_of_each_kind() -> None:
    rules = ar.load_ruleset("national")
    zh = ar.evaluate(rules, NATIONAL_CASE, as_of=AS_OF, lang="zh")
    en = ar.evaluate(rules, NATIONAL_CASE, as_of=AS_OF)
    # deadline: due Friday 10-10 (5th working day: 09-28, 29, 30, 10-09, 10-10); Saturday 10-11
    # is a make-up workday, so the callback is 1 working day late
    cb = _by_rule(zh, "national.service.callback")
    assert cb.reason == (
        "服务记录 S-03 的回访日期 2025-10-11 晚于截止日 2025-10-10（服务完成日期后 5 个工作日内），"
        "逾期 1 个工作日"
    )
    assert _by_rule(en, "national.service.callback").reason == (
        "callback_on 2025-10-11 is after the due 2025-10-10, 1 working day(s) late"
    )
    # deadline, nothing recorded: 10 working days run to 10-16 (10-11 counts)
    assert _by_rule(zh, "national.service.record_compilation").reason == (
        "服务记录 S-03 未记录记录整理完毕日期，截止日 2025-10-16 已过"
        "（服务完成日期后 10 个工作日内）"
    )
    # frequency, from the contract: nothing in the fourth quarter
    short = _by_rule(
        zh,
        "national.contract.service_frequency",
        "service_records hazard_inspection 2025-10-01..2025-12-31",
    )
    assert short.reason == (
        "2025-10-01..2025-12-31 期间服务记录（生产安全事故隐患排查）仅 0 次，少于要求的至少 1 次"
    )
    # prohibition, qualification, required fields, retention
    assert _by_rule(zh, "national.contract.no_extra_fee").reason == (
        "服务记录 S-03 存在禁止情形：另行收取的费用大于0"
    )
    assert _by_rule(zh, "national.service.prior_confirmation").reason == (
        "服务记录 S-03 不符合：服务前与投保单位沟通确认日期已填写"
    )
    assert _by_rule(zh, "national.service.record_fields").reason == (
        "服务记录 S-03 缺少：地点；服务机构；服务人员；服务内容；服务过程"
    )
    assert _by_rule(zh, "national.archive.retention").reason == (
        "服务档案 AR-1 于 2027-01-04 销毁，早于保存期限届满日 2031-06-30"
    )
    # the same findings in the same order, only the words differ
    assert [(f.rule_id, f.subject, f.status, f.message_id) for f in zh.findings] == [
        (f.rule_id, f.subject, f.status, f.message_id) for f in en.findings
    ]


def test_hand_checked_chinese_of_the_guangdong_example() -> None:
    got = _zh_reasons("guangdong-housing.yaml")
    # preferred windows (宜): advisory
    assert got["guangdong.hazard.inspection_windows", "service_records/I-03"] == (
        "服务记录 I-03 的服务完成日期 2025-12-10 不在任何宜安排的时段"
        "（节后复工, 安全生产月, 台风季, 高温高峰期）内；原文为“宜”（建议性）"
    )
    # a condition on a boolean field
    assert got["guangdong.hazard.notice_in_writing", "hazards/H-01"] == (
        "事故隐患 H-01 不符合：书面告知为“是”"
    )
    # 10 working days after Wednesday 2026-02-11, across the Spring Festival (02-15..23 off,
    # Saturdays 02-14 and 02-28 worked): due 03-03; 03-05 is 2 working days late
    assert got["guangdong.service.callback", "service_records/T-02"] == (
        "服务记录 T-02 的回访日期 2026-03-05 晚于截止日 2026-03-03"
        "（服务完成日期后 10 个工作日内），逾期 2 个工作日"
    )
    assert got["guangdong.hazard.insured_delayed_rectification", "hazards/H-02"] == (
        "事故隐患 H-02 无法判断：缺少投保项目拒绝整改或拖延整改"
    )


def test_a_subject_named_alone_takes_the_next_word_without_a_space() -> None:
    """Chinese sets a record's id apart with spaces (服务记录 S-03 的…); a subject that is a
    name alone (保单, 正式项目报价函) takes the next word directly: 保单的…, not 保单 的…."""
    got = _zh_reasons("xinzhou-municipal.yaml")
    assert got["xinzhou.registration.service_team", "policy"] == (
        "保单的确定和登记保险服务团队、第三方技术服务机构和项目服务团队的日期 2025-08-13 "
        "晚于截止日 2025-08-08（签单日期 / 出单日期后 1 个月内）"
    )
    assert got["xinzhou.quote_letter.fields", "quote_letter"] == (
        "正式项目报价函缺少：事故预防技术服务费用比例"
    )
    complete = {"subject": "policy"}
    assert i18n.render("fields.complete", complete, "zh") == "保单各必备事项齐全"
    complete = {"subject": "service_records/S-01"}
    assert i18n.render("fields.complete", complete, "zh") == "服务记录 S-01 各必备事项齐全"
    # only the template's own space after {subject} goes: not one inside a value, nor one
    # before something that is not Chinese
    assert i18n._tight("{subject} 的{action} {done}（{subject} 2026）") == (
        "{subject}的{action} {done}（{subject} 2026）"
    )
    args = {"subject": "policy", "error": "甲 的 乙"}
    assert i18n.render("deadline.error", {**args, "trigger": "issued_on"}, "zh").endswith(
        "甲 的 乙"
    )
    # a record's id stays set apart, whatever it is written in; so does a name without a
    # Chinese label (a collection a ruleset names that the catalogue does not know)
    complete = {"subject": "service_records/记录一"}
    assert i18n.render("fields.complete", complete, "zh") == "服务记录 记录一 各必备事项齐全"
    complete = {"subject": "widgets"}
    assert i18n.render("fields.complete", complete, "zh") == "widgets 各必备事项齐全"
    # a period's subject (a collection, a kind, a span) keeps its spaces; so does a stage's
    complete = {"subject": "service_records training 2026-02-01..2026-04-30"}
    got = i18n.render("fields.complete", complete, "zh")
    assert got == "服务记录 training 2026-02-01..2026-04-30 各必备事项齐全"
    # the subject as the enum a caller may hold reads as its text does
    assert i18n.render_message("fields.complete", {"subject": Subject.policy}, "zh") == (
        "保单各必备事项齐全"
    )


def test_fields_that_take_codes_read_as_names_and_their_values_in_chinese() -> None:
    """A field's label is its name, not the list of its values (a spreadsheet's header, a
    sentence's field); a text field's known values read through the labels its description
    gives, and any other value as it is."""
    labels = {
        ("organisations", "supervision_grade"): "工程监理资质等级",
        ("archives", "medium"): "档案形式",
        ("evaluation_reports", "evaluator"): "评估主体",
        ("stages", "kind"): "阶段类型",
        ("stages", "phase"): "所处阶段",
        ("periodic_reports", "period"): "报告周期",
    }
    assert {k: i18n.field_label(k[1], "zh", k[0]) for k in labels} == labels
    got = _zh_reasons("xinzhou-municipal.yaml")
    assert got["xinzhou.third_party.grade_or_experience", "organisations/TP"] == (
        "机构及人员 TP 符合：（工程监理资质等级属于综合资质、甲级、乙级"
        "或风险管理服务经验年限不小于2）"
    )
    cond = {"field": "phase", "op": "in", "value": ["preparation", "construction", "其他"]}
    args = {"subject": "stages/S-1", "conds": [cond]}
    assert i18n.render("na.applies_if", args, "zh") == (
        "不适用：不满足适用条件（所处阶段属于准备阶段、施工阶段、其他）"
    )
    cond = {"field": "evaluator", "op": "eq", "value": "self"}
    args = {"subject": "evaluation_reports/E-1", "conds": [cond]}
    assert i18n.render("na.applies_if", args, "zh") == "不适用：不满足适用条件（评估主体为自评）"
    assert i18n.render("na.applies_if", args, "en") == "does not apply: evaluator eq self"


def test_a_same_day_deadline_reads_as_the_triggers_own_day() -> None:
    """当天 (立即 read as the same day) is the trigger's own day: 不晚于发现日期当天, not 发现日期后
    当天内; true too of a rule that takes an action before its trigger as on time (整改完成 by
    the day set for it: 2026-05-18 against 05-20). Other periods still run after the trigger
    (…后 5 个工作日内)."""
    ev = _example(ROOT / "examples" / "shaoxing-school.yaml")
    got = _zh_reasons(ev)
    assert got["shaoxing.hazard.level1_report_authority", "hazards/H-01"] == (
        "事故隐患 H-01 的上报属地建设主管部门 / 监管部门日期 2025-09-11 晚于截止日 2025-09-10"
        "（不晚于发现日期当天）"
    )
    assert got["shaoxing.hazard.level1_report_insurer", "hazards/H-01"] == (
        "事故隐患 H-01 的上报承保机构日期 2025-09-10 在期限内（不晚于发现日期当天，截止日 "
        "2025-09-10）"
    )
    (ob,) = [
        o
        for o in ev.obligations
        if (o.rule_id, o.subject) == ("shaoxing.hazard.level1_stop_work", "hazards/H-01")
    ]
    assert ob.text("zh") == (
        "提出停工或局部停工意见日期应不晚于发现日期 2025-09-10 当天完成，截止日 2025-09-10"
    )
    assert "within 当天 (same day) after found_on" in ob.text("en")
    early = _zh_reasons("xinzhou-municipal.yaml")[
        "xinzhou.hazard.general_rectified", "hazards/H-02"
    ]
    assert early == (
        "事故隐患 H-02 的整改完成日期 2026-05-18 在期限内（不晚于规定的整改期限当天，截止日 "
        "2026-05-20）"
    )
    rs = ar.load_ruleset("xinzhou")
    (rr,) = [r for r in rs.rules if r.rule.id == "xinzhou.hazard.general_rectified"]
    assert describe_rule(rr, "zh").endswith("整改完成日期应不晚于规定的整改期限当天")
    five = ("deadline.on_time", {"subject": "service_records/S-1", "action": "callback_on"})
    args = {**five[1], "trigger": "completed_on", "period": {"amount": 5, "unit": "workdays"}}
    assert "（服务完成日期后 5 个工作日内，截止日 " in i18n.render(five[0], args, "zh")


def test_a_short_partial_period_names_the_interpretive_parameter_that_excuses_it() -> None:
    """A partial period shorter than ``partial_min_share`` of a full one needs nothing: the
    Chinese names the limit as such and the parameter that sets it (解释性参数), not a bare
    code in the sentence."""
    got = _zh_reasons("shaoxing-school.yaml")
    key = ("national.contract.service_frequency", "service_records training 2026-02-01..2026-04-30")
    assert got[key] == (
        "不足一期的期间 2026-02-01..2026-04-30 仅为一个完整半年的 49%，"
        "低于下限 0.5（解释性参数 partial_min_share）：无须开展"
    )


def test_notes_in_chinese() -> None:
    ev = _example(ROOT / "examples" / "xinzhou-municipal.yaml")
    (note,) = ev.notes_in("zh")
    assert note.startswith("xinzhou：自印发之日起施行，试行 1 年，但文本未载明印发日期")
    assert "--in-force xinzhou=YYYY-MM-DD（命令行）" in note
    assert ev.notes[0].startswith("xinzhou: in force from issuance with a 1年 (1 year) trial")


# -- lang end to end ------------------------------------------------------------------------
def test_lang_on_evaluate_check_rows_report_and_summary() -> None:
    rules = ar.load_ruleset("national")
    en_findings = ar.check(rules, NATIONAL_CASE, as_of=AS_OF)
    zh_findings = ar.check(rules, NATIONAL_CASE, as_of=AS_OF, lang="zh")
    assert [f.message_args for f in zh_findings] == [f.message_args for f in en_findings]
    ev = ar.evaluate_rows(rules, NATIONAL_CASE, as_of=AS_OF, lang="zh")
    assert ev.lang == "zh"
    ref = next(f for f in ev.findings if f.rule_id == "national.service.callback")
    assert ref.row().reason == ref.reason  # the library default is English
    assert ref.row("zh").reason.startswith("服务记录 S-03 的回访日期")
    assert ref.finding(AS_OF, lang="zh").reason == ref.row("zh").reason
    rep_zh, rep_en = ev.report(), ev.report(lang="en")
    assert _by_rule(rep_zh, "national.service.callback").reason == ref.row("zh").reason
    assert _by_rule(rep_en, "national.service.callback").reason == ref.reason
    ob = next(o for o in rep_zh.obligations if o.rule_id == "national.service.callback")
    assert ob.requirement == (
        "回访日期应在服务完成日期 2025-09-26 后 5 个工作日内完成，截止日 2025-10-10"
    )
    assert ob.message_id == "deadline.requirement"
    stamp = ar.RulesetStamp(id="national", layers=("national",), digest="-", engine_version="-")
    summary = ev.summary(stamp, statuses={Status.violation})
    assert all(re.search("[\u4e00-\u9fff]", r.reason) for r in summary.findings)
    assert ev.summary(stamp, lang="en").findings[0].reason == ev.findings[0].reason
    with pytest.raises(ValueError, match="lang 'fr' is not supported"):
        ar.evaluate(rules, NATIONAL_CASE, as_of=AS_OF, lang="fr")  # type: ignore[arg-type]
    # "zh_CN" and "zh-CN" name Chinese too
    assert ar.evaluate_rows(rules, NATIONAL_CASE, as_of=AS_OF, lang="zh_CN").lang == "zh"  # type: ignore[arg-type]


def test_render_message_from_a_rows_json_gives_its_reason_in_either_language() -> None:
    """A caller holding only the JSON of a row renders it without evaluating again: English
    equals the reason, Chinese equals what lang="zh" gives; every finding of every example."""
    stamp = ar.RulesetStamp(id="-", layers=(), digest="-", engine_version="-")
    n = 0
    for path in EXAMPLES:
        ev = _example(path)
        en = ev.summary(stamp, lang="en")
        zh = ev.summary(stamp, lang="zh")
        for row_en, row_zh in zip(en.findings, zh.findings, strict=True):
            data = json.loads(row_en.model_dump_json())
            args = data["message_args"]
            assert ar.render_message(data["message_id"], args, "en") == row_en.reason
            assert ar.render_message(data["message_id"], args, "zh") == row_zh.reason
            assert "{" not in row_zh.reason.replace("{'", "")  # no placeholder left unfilled
            n += 1
        for o_en, o_zh in zip(en.obligations, zh.obligations, strict=True):
            data = json.loads(o_en.model_dump_json())
            assert ar.render_message(data["message_id"], data["message_args"]) == o_en.requirement
            assert ar.render_message(o_en.message_id, data["message_args"], "zh") == (
                o_zh.requirement
            )
    assert n > 500


def test_the_engine_writes_english_only_on_demand() -> None:
    """Rows keep the message, not the sentence: nothing is rendered until asked for."""
    ev = _example(ROOT / "examples" / "national-construction.yaml")
    unrendered = [f for f in ev.findings if getattr(f, "_en", "x") is None]
    assert len(unrendered) > len(ev.findings) // 2


# -- the CLI --------------------------------------------------------------------------------
def _run(argv: list[str], monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    code = cli.main(argv)
    assert code == 1
    return out.getvalue()


XZ = str(ROOT / "examples" / "xinzhou-municipal.yaml")


def test_check_table_in_chinese_and_english(monkeypatch: pytest.MonkeyPatch) -> None:
    zh = _run(["check", XZ, "--as-of", "2026-07-31", "--lang", "zh"], monkeypatch, {})
    assert zh.startswith("== XZ-2025-0076  [national + xinzhou]  截至 2026-07-31\n")
    assert "  违规       xinzhou.service.upload" in zh
    assert (
        "服务记录 V-02 的隐患问题和服务报告上传安责险信息化系统日期 2025-10-10 晚于截止日 "
        "2025-10-09（服务完成日期后 1 个工作日内），逾期 1 个工作日  [截止 2025-10-09]" in zh
    )
    assert "违反义务 7 项；按规则结论计：合规 103 项、违规 7 项、待履行 3 项、不适用 9 项" in zh
    assert "\n  说明       xinzhou：" in zh
    en = _run(["check", XZ, "--as-of", "2026-07-31", "--lang", "en"], monkeypatch, {})
    assert "  VIOLATION  xinzhou.service.upload" in en
    assert (
        "7 breaches of a duty; findings by rule: 103 compliant, 7 violations, 3 pending, "
        "9 not applicable" in en
    )


@pytest.mark.parametrize(
    ("env", "want"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "截至"),
        ({"LANG": "en_US.UTF-8"}, "as of"),
        ({}, "as of"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C.UTF-8"}, "as of"),  # LC_ALL wins
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "zh_TW.UTF-8"}, "截至"),
    ],
)
def test_check_language_follows_the_locale(
    env: dict[str, str], want: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _run(["check", XZ, "--as-of", "2026-07-31"], monkeypatch, env)
    assert want in out.splitlines()[0]


def test_check_json_in_chinese_keeps_codes_and_carries_the_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _run(
        ["check", XZ, "--as-of", "2026-07-31", "--format", "jsonl", "--lang", "zh"],
        monkeypatch,
        {},
    )
    report = json.loads(out)["report"]
    row = next(f for f in report["findings"] if f["rule_id"] == "xinzhou.service.upload")
    assert row["status"] == "violation"
    assert row["reason"].startswith("服务记录 V-02 的")
    assert row["message_id"] == "deadline.late"
    assert row["message_args"]["late"] == {"id": "deadline.late_by", "args": {"n": 1}}
    assert ar.render_message(row["message_id"], row["message_args"], "en") == (
        "uploaded_on 2025-10-10 is after the due 2025-10-09, 1 working day(s) late"
    )
    assert report["notes"][0].startswith("xinzhou：")


def test_counted_staff_are_named_in_chinese_from_the_ruleset() -> None:
    """七(五)'s counts read in Chinese (label_zh), the English unchanged (label); a ruleset
    without a Chinese label falls back to its English one."""
    rs = ar.load_ruleset("xinzhou")
    case = ROOT / "examples" / "xinzhou-municipal.yaml"
    ev = ar.evaluate_rows(rs, ar.load_case_file(case), as_of=dt.date(2026, 7, 31))
    [f] = [f for f in ev.findings if f.rule_id == "xinzhou.third_party.staffing"]
    assert f.text("zh").endswith("具有5年以上安全管理工作经验的专业人员 4 名（至少 5 名）")
    assert "4 professionals with 5+ years of safety management (at least 5)" in f.text("en")
    args = {"n": 2, "min": 3, "label": "inspectors", "label_zh": "inspectors"}
    assert ar.render_message("qual.count", args, "zh") == "inspectors 2 名（至少 3 名）"


def test_input_errors_read_in_chinese(tmp_path: Path) -> None:
    """A record the reader refuses is a data error whose reason is Chinese under zh (pydantic's
    error types through the catalogue) and English, as before, under en."""
    case = tmp_path / "bad.yaml"
    case.write_text(
        "policy:\n  policy_id: P-1\n  jurisdiction: national\n  insurer: I\n  insured: J\n"
        "  industry: construction\n  term_start: 2025-07-01\n  term_end: 2026-06-30\n"
        "service_records:\n"
        "  - {id: S-1, kind: training, completed_on: 2025-02-30}\n"
        "  - {id: S-2, kind: training, completed_on: 2025-03-01, callback_on: yesterday}\n"
        "  - {id: S-3, kind: training, completed_on: 2025-03-01, weight: many}\n"
        "  - {id: S-1, kind: training, completed_on: 2025-03-02}\n",
        encoding="utf-8",
    )
    parsed = ar.load_case_file(case)
    by_field = {(i.record.split(" ")[0], i.field): i for i in parsed.issues}
    day = by_field[("service_records[0]", "completed_on")]
    assert day.message_zh == "不是有效日期（应为 YYYY-MM-DD）：日超出该月天数"
    assert day.message.startswith("Input should be a valid date or datetime, day value")
    assert by_field[("service_records[1]", "callback_on")].message_zh == (
        "不是有效日期（应为 YYYY-MM-DD）：内容过短"
    )
    rep = ar.evaluate(ar.load_ruleset("national"), parsed, as_of=dt.date(2026, 7, 31), lang="zh")
    reasons = [f.reason for f in rep.findings if f.rule_id == "input.validation"]
    assert any(
        r.endswith("字段「completed_on」：不是有效日期（应为 YYYY-MM-DD）：日超出该月天数")
        for r in reasons
    )
    assert not any("Input should be" in r for r in reasons)


def test_pydantic_errors_unknown_to_the_catalogue_stay_english() -> None:
    from ansafe_rules.i18n import pydantic_error_zh

    assert pydantic_error_zh("no_such_type", {}, "Something odd") is None
    assert pydantic_error_zh("greater_than_equal", {"ge": 1}, "x") == "应不小于 1"
    assert pydantic_error_zh("value_error", {}, "Value error, end before start") == (
        "数据有误：end before start"
    )


def test_an_unknown_enum_value_lists_the_codes_with_their_chinese(tmp_path: Path) -> None:
    """The input must hold a code; under zh each allowed code is followed by its label."""
    case = tmp_path / "bad.yaml"
    case.write_text(
        "policy:\n  policy_id: P-1\n  jurisdiction: national\n  insurer: I\n  insured: J\n"
        "  industry: construction\n  term_start: 2025-07-01\n  term_end: 2026-06-30\n"
        "hazards:\n  - {id: H-1, found_on: 2025-08-01, grade: huge}\n",
        encoding="utf-8",
    )
    (issue,) = ar.load_case_file(case).issues
    assert issue.field == "grade"
    assert issue.message_zh == "应为以下之一：major（重大事故隐患）、general（一般事故隐患）"
    assert issue.message == "Input should be 'major' or 'general'"

"""Inputs that cannot be read at all, said in Chinese too: a file or a JSON Lines line that is
not JSON, YAML or UTF-8, has no policy, names no ruleset; the CLI's error and warning lines and
its closing count under ``--lang zh``; the English byte for byte as before."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import pickle
from pathlib import Path

import pytest

import ansafe_rules as ar
from ansafe_rules._errors import (
    AnsafeError,
    CalendarRangeError,
    InputError,
    RulesetError,
    error_at,
    said,
)
from ansafe_rules.calendar import default_calendar, load_calendar_overrides
from ansafe_rules.cli import main
from ansafe_rules.i18n import render_message, what_zh, where_zh
from ansafe_rules.inputs import DEFAULT_LIMITS, loads_json
from ansafe_rules.portfolio import Outcome, RulesetCache, iter_outcomes
from ansafe_rules.reports import ChromiumMissing, write_project_reports
from ansafe_rules.spark import SparkError
from ansafe_rules.spreadsheets import XlsxUnavailable
from ansafe_rules.workbooks import read_csv_case, read_workbook

from .conftest import BASE_POLICY, ROOT, case

AS_OF = "2026-07-31"
GOOD = {"policy": BASE_POLICY}


def _portfolio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Five lines: good, not JSON, no policy, a duplicate key, an unknown jurisdiction (the
    file ``p.jsonl`` in the working folder, so that messages name it so)."""
    monkeypatch.chdir(tmp_path)
    lines = [
        json.dumps(GOOD),
        "{not json",
        json.dumps({"records": []}),
        '{"policy": {"policy_id": "A"}, "policy": {}}',
        json.dumps({"policy": {**BASE_POLICY, "policy_id": "M-1", "jurisdiction": "mars"}}),
    ]
    path = Path("p.jsonl")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


KNOWN = "guangdong, national, shaoxing, xinzhou, xuancheng"
ERRORS_ZH = [
    "p.jsonl：第 2 行：不是有效的 JSON：Expecting property name enclosed in double quotes",
    "p.jsonl：第 3 行：policy：字段「policy」（保单）：缺少",
    "p.jsonl：第 4 行：同一对象中的键 'policy' 重复",
    "p.jsonl：第 5 行：policy：字段「jurisdiction」（适用地区）：未知的适用地区 'mars'；"
    f"可选：{KNOWN}",
]
ERRORS_EN = [
    "p.jsonl: line 2: invalid JSON: Expecting property name enclosed in double quotes",
    "p.jsonl: line 3: policy: field 'policy': missing",
    "p.jsonl: line 4: duplicate key 'policy' in one object",
    "p.jsonl: line 5: policy: field 'jurisdiction': unknown jurisdiction 'mars'; "
    f"available: {KNOWN}",
]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_check_says_a_bad_line_in_the_chosen_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """Two worker processes give the same Chinese: the error crosses the process boundary."""
    path = _portfolio(tmp_path, monkeypatch)
    args = ["check", str(path), "--as-of", AS_OF, "--format", "jsonl", "--jobs", jobs]
    assert main([*args, "--lang", "zh"]) == 2
    out, err = capsys.readouterr()
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r.get("error_zh") for r in rows] == [None, *ERRORS_ZH]
    assert [r.get("error") for r in rows] == [None, *ERRORS_EN]
    assert err.splitlines() == [
        *(f"ansafe-rules: 错误：{e}" for e in ERRORS_ZH),
        "ansafe-rules: 5 个输入中有 4 个无法评估（见上方错误）；其余均已评估",
    ]
    # in English: the lines as they always were
    assert main([*args, "--lang", "en"]) == 2
    out_en, err_en = capsys.readouterr()
    # the JSON carries the error in both languages whichever is chosen
    assert [json.loads(x) for x in out_en.splitlines()][1:] == rows[1:]
    assert err_en.splitlines() == [
        *(f"ansafe-rules: error: {e}" for e in ERRORS_EN),
        "ansafe-rules: 4 of 5 input(s) could not be evaluated (see the errors above); "
        "the others were",
    ]


def test_the_library_gives_both_languages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    got = list(iter_outcomes(_portfolio(tmp_path, monkeypatch), as_of=dt.date(2026, 7, 31)))
    assert [o.error_in("zh") for o in got[1:]] == ERRORS_ZH
    assert [o.error_in("en") for o in got[1:]] == ERRORS_EN
    results = [o.result() for o in got]
    assert [r.error_zh for r in results[1:]] == ERRORS_ZH
    assert results[0].error is None and results[0].error_zh is None
    assert "error_zh" in ar.PortfolioResult.model_json_schema()["properties"]


def test_a_case_file_that_cannot_be_read(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "bad.yaml").write_text("policy: [\n", encoding="utf-8")
    (tmp_path / "latin.json").write_bytes(b'{"policy": "\xe9"}')
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    files = [tmp_path / n for n in ("bad.yaml", "latin.json", "list.json", "none.json")]
    assert main(["check", *map(str, files), "--as-of", AS_OF, "--lang", "zh"]) == 2
    err = capsys.readouterr().err.replace(str(tmp_path) + "/", "")
    assert err.splitlines() == [
        "ansafe-rules: 错误：bad.yaml：第 2 行：YAML 有误：expected the node content, but "
        "found '<stream end>'（第 1 列）",
        "ansafe-rules: 错误：latin.json：第 1 行：不是 UTF-8 文本（第 13 个字节为 0xe9）",
        "ansafe-rules: 错误：list.json：应为含有 policy（保单）的键值映射，实为 list",
        "ansafe-rules: 错误：none.json：无法读取文件：No such file or directory",
        "ansafe-rules: 4 个输入中有 4 个无法评估（见上方错误）；其余均已评估",
    ]


def test_a_policy_that_stops_the_case_is_said_record_by_record_in_chinese() -> None:
    bad = {"policy": {**BASE_POLICY, "term_start": "2025-13-01", "insurer": None}}
    with pytest.raises(InputError) as got:
        ar.parse_case(bad, "f.jsonl: line 7")
    assert str(got.value).splitlines() == [
        "f.jsonl: line 7: policy: field 'insurer': Input should be a valid string",
        "f.jsonl: line 7: policy: field 'term_start': Input should be a valid date or "
        "datetime, month value is outside expected range of 1-12",
    ]
    assert got.value.in_language("zh").splitlines() == [
        "f.jsonl：第 7 行：policy：字段「insurer」：应为文本",
        "f.jsonl：第 7 行：policy：字段「term_start」：不是有效日期（应为 YYYY-MM-DD）："
        "月份应为 1–12",
    ]


def test_a_jurisdiction_that_is_a_path_is_refused_in_both_languages() -> None:
    """The model refuses a path as a jurisdiction; the cache refuses it again (a caller may
    build cases without validating them)."""
    with pytest.raises(InputError) as got:
        RulesetCache().get_registered("../rulesets/national.yaml")
    assert str(got.value) == (
        "'../rulesets/national.yaml' is not a jurisdiction id (a ruleset file is chosen by "
        "the caller, e.g. --jurisdiction FILE, never by the data)"
    )
    assert got.value.in_language("zh") == (
        "'../rulesets/national.yaml' 不是适用地区编号（规则集文件只能由调用方指定，如 "
        "--jurisdiction FILE，不能由数据指定）"
    )


ERROR_CLASSES = [
    AnsafeError,
    InputError,
    RulesetError,
    CalendarRangeError,
    SparkError,
    XlsxUnavailable,
    ChromiumMissing,
]


@pytest.mark.parametrize("cls", ERROR_CLASSES)
def test_errors_keep_their_chinese_through_pickling(cls: type[AnsafeError]) -> None:
    exc = error_at(cls, "f.jsonl", "input.line_too_long", line=3, limit="10")
    exc.add_note("a note")  # what else an exception carries is kept too
    exc.extra = 1  # type: ignore[attr-defined]
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is cls and back.args == exc.args
    assert back.__notes__ == ["a note"] and back.extra == 1  # type: ignore[attr-defined]
    assert str(back) == (
        "f.jsonl: line 3: longer than 10 bytes (limit max_line_bytes, docs/limits.md)"
    )
    assert back.in_language("zh") == (
        "f.jsonl：第 3 行：超过 10 字节（限制 max_line_bytes，见 docs/limits.md）"
    )
    assert back.in_language("en") == str(back)
    plain = cls("said once")  # an error without Chinese reads as it is in either language
    assert pickle.loads(pickle.dumps(plain)).in_language("zh") == "said once"
    outcome = Outcome.failed("f.jsonl", 3, exc)
    assert pickle.loads(pickle.dumps(outcome)) == outcome


def test_where_an_error_is_reads_in_chinese() -> None:
    assert where_zh("f.jsonl: line 3") == "f.jsonl：第 3 行"
    assert where_zh("a: line 1: line 22") == "a: line 1：第 22 行"  # only the last is the line
    assert where_zh("case.yaml") == "case.yaml"
    assert where_zh("line 3") == "line 3"  # no file before it: not a place the engine writes


def test_checklist_warnings_follow_the_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "examples" / "shaoxing-school.yaml").read_text(encoding="utf-8")
    case = tmp_path / "case.yaml"
    case.write_text(text + "\nnonsense_section: []\n", encoding="utf-8")
    out = tmp_path / "c.json"
    args = ["checklist", str(case), "--as-of", AS_OF, "--format", "json", "--output", str(out)]
    main([*args, "--lang", "zh"])
    err = capsys.readouterr().err.replace(str(tmp_path) + "/", "")
    assert err.splitlines() == [
        "ansafe-rules: 警告：case.yaml：nonsense_section：字段「nonsense_section」："
        "未知的部分（已忽略）"
    ]
    main([*args, "--lang", "en"])
    err = capsys.readouterr().err.replace(str(tmp_path) + "/", "")
    assert err.splitlines() == [
        "ansafe-rules: warning: case.yaml: nonsense_section: field 'nonsense_section': "
        "unknown section (ignored)"
    ]


def test_what_an_error_line_says_without_where() -> None:
    """The HTTP service's located items take their Chinese message from the error's lines."""
    assert what_zh("policy：字段「insurer」：应为文本", field=True, line=False) == "应为文本"
    said = "policy：字段「jurisdiction」（适用地区）：未知的适用地区 'mars'"
    assert what_zh(said, field=True, line=False) == "未知的适用地区 'mars'"
    said = "第 3 行：不是有效的 JSON：Expecting value"
    assert what_zh(said, field=False, line=True) == "不是有效的 JSON：Expecting value"
    assert what_zh("第 3 行：policy：字段「a」：应为文本", field=True, line=True) == "应为文本"
    # a line that names neither reads whole; so does one whose place is not the expected one
    assert what_zh("应为含有 policy（保单）的映射", field=False, line=False) == (
        "应为含有 policy（保单）的映射"
    )
    assert what_zh("第 3 行：坏", field=True, line=False) == "第 3 行：坏"


@pytest.mark.parametrize(
    ("text", "en", "zh"),
    [
        (
            "policy: [\n",
            "bad.yaml: line 2: expected the node content, but found '<stream end>' (column 1)",
            "bad.yaml：第 2 行：YAML 有误：expected the node content, but found '<stream end>'"
            "（第 1 列）",
        ),
        (
            "a: 1\na: 2\n",
            "bad.yaml: line 2: duplicate key 'a' (line 2; first at line 1) (column 1)",
            "bad.yaml：第 2 行：键 'a' 重复（第 2 行；首次出现在第 1 行）（第 1 列）",
        ),
        (
            "? [1]\n: x\n",
            "bad.yaml: line 1: a list cannot be a key; keys must be scalars (column 3)",
            "bad.yaml：第 1 行：键必须是标量，不能是 list（第 3 列）",
        ),
        (
            "a: &x [*x]\n",
            "bad.yaml: line 1: an alias refers to itself (recursive alias)",
            "bad.yaml：第 1 行：别名引用了自身（递归别名）",
        ),
    ],
)
def test_a_yaml_file_that_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, en: str, zh: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as got:
        ar.load_case_file("bad.yaml")
    assert (str(got.value), got.value.in_language("zh")) == (en, zh)


def test_limits_are_said_in_chinese_too(tmp_path: Path) -> None:
    """A case over a limit (docs/limits.md): records, nesting, file size."""
    limits = dataclasses.replace(DEFAULT_LIMITS, max_records=1, max_depth=3)
    data = {"policy": BASE_POLICY, "service_records": [{"id": "S-1"}, {"id": "S-2"}]}
    with pytest.raises(InputError) as got:
        ar.parse_case(data, "c.json", limits=limits)
    assert str(got.value) == (
        "c.json: 2 records, more than 1 in one case (limit max_records, docs/limits.md)"
    )
    assert got.value.in_language("zh") == (
        "c.json：共 2 条记录，超过一个案例 1 条的上限（限制 max_records，见 docs/limits.md）"
    )
    with pytest.raises(InputError) as got:
        loads_json('{"a": {"b": {"c": {"d": 1}}}}', "p.jsonl", limits=limits, line=4)
    assert got.value.in_language("zh") == (
        "p.jsonl：第 4 行：嵌套超过 3 层（限制 max_depth，见 docs/limits.md）"
    )
    big = tmp_path / "big.json"
    big.write_text(json.dumps(GOOD), encoding="utf-8")
    small = dataclasses.replace(DEFAULT_LIMITS, max_file_bytes=10)
    with pytest.raises(InputError) as got:
        ar.load_case_file(big, limits=small)
    size = big.stat().st_size
    assert got.value.in_language("zh") == (
        f"{big}：文件大小为 {size} 字节，超过 10 字节的上限"
        "（限制 max_file_bytes，见 docs/limits.md）"
    )


def test_spreadsheet_inputs_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(InputError) as got:
        read_csv_case(tmp_path / "none")
    assert str(got.value) == f"{tmp_path / 'none'}: cannot read file: no such file or folder"
    assert got.value.in_language("zh") == f"{tmp_path / 'none'}：无法读取文件：文件或文件夹不存在"
    pytest.importorskip("openpyxl")
    with pytest.raises(InputError) as got:
        read_workbook(tmp_path / "none.xlsx")
    assert got.value.in_language("zh") == (
        f"{tmp_path / 'none.xlsx'}：无法读取文件：No such file or directory"
    )


def test_a_date_beyond_the_calendar_is_said_in_chinese_too() -> None:
    cal = default_calendar()
    last = dt.date(cal.last_year, 12, 31)
    with pytest.raises(CalendarRangeError) as got:
        cal.add_workdays(last, 5)
    assert str(got.value) == (
        f"5 working days after {last} is beyond the calendar range ending {cal.last_year}"
    )
    assert got.value.in_language("zh") == (
        f"{last} 后第 5 个工作日超出工作日历的范围（至 {cal.last_year} 年）"
    )
    with pytest.raises(CalendarRangeError) as got:
        cal.is_workday(dt.date(1900, 1, 1))
    assert got.value.in_language("zh") == (
        f"日期 1900-01-01 超出工作日历的范围 {cal.first_year}-{cal.last_year}"
    )


def test_stdin_that_cannot_be_read(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for data, zh in [
        (b"", "<stdin>：输入为空"),
        (b'\n{"policy": \xff}\n', "<stdin>：不是 UTF-8 文本（第 13 个字节）"),
    ]:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        assert main(["check", "-", "--as-of", AS_OF, "--lang", "zh"]) == 2
        assert capsys.readouterr().err.splitlines()[0] == f"ansafe-rules: 错误：{zh}"


def test_a_command_that_fails_says_so_in_its_language(capsys: pytest.CaptureFixture) -> None:
    assert main(["rules", "nowhere", "--lang", "zh"]) == 2
    assert capsys.readouterr().err == (
        f"ansafe-rules: 错误：未知的适用地区 'nowhere'；可选：{KNOWN}\n"
    )
    assert main(["rules", "nowhere", "--lang", "en"]) == 2
    assert capsys.readouterr().err == (
        f"ansafe-rules: error: unknown jurisdiction 'nowhere'; available: {KNOWN}\n"
    )


def test_obligations_and_report_say_a_bad_line_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _portfolio(tmp_path, monkeypatch)
    assert main(["obligations", str(path), "--as-of", AS_OF, "--lang", "zh"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        *(f"ansafe-rules: 错误：{e}" for e in ERRORS_ZH),
        "ansafe-rules: 5 个输入中有 4 个无法评估（见上方错误）；其余均已评估",
    ]
    got = list(
        write_project_reports(
            [path], as_of=dt.date(2026, 7, 31), output_dir=tmp_path / "out", formats=("html",)
        )
    )
    assert [r.error_zh for r in got[1:]] == ERRORS_ZH
    assert [r.error_in("en") for r in got[1:]] == ERRORS_EN


def test_a_deadline_beyond_the_calendar_reads_in_chinese() -> None:
    """A trigger after the last year of the working-day calendar: a data error whose reason
    is said in Chinese too; a row stored without ``error_zh`` still renders (in English)."""
    data = case(
        policy={"term_start": "2038-07-01", "term_end": "2039-06-30"},
        service_records=[{"id": "S-1", "kind": "training", "completed_on": "2039-01-05"}],
    )
    rs = ar.load_ruleset("national")
    cal = default_calendar()
    rows = {
        lang: [
            f
            for f in ar.evaluate(rs, data, as_of=dt.date(2039, 3, 1), lang=lang).findings
            if f.rule_id == "national.service.callback"
        ]
        for lang in ("en", "zh")
    }
    [en], [zh] = rows["en"], rows["zh"]
    assert en.status is zh.status is ar.Status.data_error
    outside = f"date 2039-01-05 is outside the calendar range {cal.first_year}-{cal.last_year}"
    assert en.reason == f"completed_on: {outside}"
    assert zh.reason == (
        f"服务记录 S-1 的服务完成日期：日期 2039-01-05 超出工作日历的范围 "
        f"{cal.first_year}-{cal.last_year}"
    )
    assert render_message(zh.message_id, zh.message_args, "zh") == zh.reason
    older = {k: v for k, v in zh.message_args.items() if k != "error_zh"}
    assert render_message(zh.message_id, older, "zh") == f"服务记录 S-1 的服务完成日期：{outside}"


def test_a_yaml_error_without_a_position_reads_as_before(tmp_path: Path) -> None:
    """A control character: the parser gives no line, and the English is what it always was
    (the file, an empty place, the problem)."""
    path = tmp_path / "ctrl.yaml"
    path.write_bytes(b"policy: \x07\n")
    with pytest.raises(InputError) as got:
        ar.load_case_file(path)
    assert str(got.value).startswith(f"{path}:: unacceptable character #x0007")
    assert got.value.in_language("zh").startswith(
        f"{path}:：YAML 有误：unacceptable character #x0007"
    )


def test_missing_ruleset_and_calendar_files_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(RulesetError) as got:
        ar.load_ruleset(tmp_path / "none.yaml")
    assert str(got.value) == f"{tmp_path / 'none.yaml'}: no such ruleset file"
    assert got.value.in_language("zh") == f"{tmp_path / 'none.yaml'}：没有这个规则集文件"
    cal = tmp_path / "cal.yaml"
    cal.write_text("year: 2027\n", encoding="utf-8")
    with pytest.raises(RulesetError) as got:
        load_calendar_overrides(cal)
    assert str(got.value) == f"{cal}: calendar override file must be a list of years"
    assert got.value.in_language("zh") == f"{cal}：日历覆盖文件应为按年份排列的列表"


def test_a_models_own_checks_are_said_in_chinese(tmp_path: Path) -> None:
    """The checks a case's model makes itself (a term that ends before it starts, a stage, a
    contract listing a service kind twice) and a calendar override's are said in Chinese
    from the catalogue; their English is pydantic's `Value error, …` as before."""
    bad = {"policy": {**BASE_POLICY, "term_start": "2026-07-01", "term_end": "2025-06-30"}}
    with pytest.raises(InputError) as got:
        ar.parse_case(bad, "f.jsonl: line 2")
    assert str(got.value) == (
        "f.jsonl: line 2: policy: field '(record)': Value error, term_end 2025-06-30 is before "
        "term_start 2026-07-01"
    )
    assert got.value.in_language("zh") == (
        "f.jsonl：第 2 行：policy：字段「(record)」：保险期间结束日 term_end 2025-06-30 早于开始日 "
        "term_start 2026-07-01"
    )
    twice = {
        "policy": {
            **BASE_POLICY,
            "contract_services": [
                {"service_kind": "hazard_inspection", "min_count": 1, "per": "quarter"},
                {"service_kind": "hazard_inspection", "min_count": 2, "per": "year"},
            ],
        }
    }
    with pytest.raises(InputError) as got:
        ar.parse_case(twice)
    assert "service kind 'hazard_inspection' is listed twice (items 0 and 1)" in str(got.value)
    assert (
        "服务类型 'hazard_inspection' 重复列出（第 1 项和第 2 项）；每种服务类型只能约定一个频次"
        in got.value.in_language("zh")
    )
    stage = {"id": "ST-1", "kind": "project", "start": "2025-09-01", "end": "2025-08-01"}
    parsed = ar.parse_case({"policy": BASE_POLICY, "stages": [stage]})
    (issue,) = parsed.issues
    assert issue.message == "Value error, end 2025-08-01 is before start 2025-09-01"
    assert issue.message_zh == "结束日期 2025-08-01 早于开始日期 2025-09-01"
    cal = tmp_path / "cal.yaml"
    cal.write_text("- year: 2027\n  holidays: [2026-12-31]\n", encoding="utf-8")
    with pytest.raises(RulesetError) as got:
        load_calendar_overrides(cal)
    assert str(got.value) == (
        f"{cal}: entry 0: field '(record)': Value error, date 2026-12-31 is not in year 2027"
    )
    assert got.value.in_language("zh") == (
        f"{cal}：第 1 项：字段「(record)」：日期 2026-12-31 不在 2027 年内"
    )


def test_a_said_check_pickles_with_its_chinese() -> None:
    exc = said("input.term_order", term_end="2025-06-30", term_start="2026-07-01")
    back = pickle.loads(pickle.dumps(exc))
    assert isinstance(back, ValueError) and str(back) == str(exc)
    assert str(back) == "term_end 2025-06-30 is before term_start 2026-07-01"
    assert back.zh == "保险期间结束日 term_end 2025-06-30 早于开始日 term_start 2026-07-01"


def test_a_calendar_override_that_lists_a_day_twice_reads_as_days(tmp_path: Path) -> None:
    """The Chinese lists the days as dates (the English keeps its Python form, as before)."""
    cal = tmp_path / "cal.yaml"
    cal.write_text("- year: 2027\n  holidays: [2027-01-09]\n  workdays: [2027-01-09]\n")
    with pytest.raises(RulesetError) as got:
        load_calendar_overrides(cal)
    assert str(got.value).endswith(
        "Value error, dates both holiday and workday: [datetime.date(2027, 1, 9)]"
    )
    assert got.value.in_language("zh").endswith("以下日期同时列为节假日和调休上班日：2027-01-09")

"""The strict ruleset loader: every broken fixture fails with the message it declares."""

from __future__ import annotations

import datetime as dt
import typing
from pathlib import Path

import pytest

import ansafe_rules as ar
from ansafe_rules._yaml import load_yaml_text

from .conftest import FIXTURES

BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))


def _expected(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: '"
    return first.removeprefix("# expect: ")


def test_there_is_a_fixture_per_error() -> None:
    assert len(BROKEN) >= 20


def _expected_zh(path: Path) -> str:
    """What the error says in Chinese: the fixture's last line (so that adding it moves no
    line a YAML error names)."""
    last = path.read_text(encoding="utf-8").splitlines()[-1]
    assert last.startswith("# expect_zh: "), f"{path.name} must end with '# expect_zh: '"
    return last.removeprefix("# expect_zh: ")


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_fixture_fails_with_its_message(path: Path) -> None:
    with pytest.raises(ar.RulesetError) as info:
        ar.load_ruleset(path)
    msg = str(info.value)
    assert _expected(path) in msg
    assert str(path) in msg, "every loader error names the file"
    zh = info.value.in_language("zh")
    assert zh.startswith(f"{path}："), "the Chinese names the file first too"
    assert _expected_zh(path) in zh


def test_unknown_jurisdiction_lists_the_available_ones() -> None:
    with pytest.raises(
        ar.RulesetError, match=r"unknown jurisdiction 'mars'; available: .*national"
    ):
        ar.load_ruleset("mars")


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ar.RulesetError, match="no such ruleset file"):
        ar.load_ruleset(tmp_path / "none.yaml")


def test_duplicate_keys_are_rejected_even_nested() -> None:
    with pytest.raises(ar.RulesetError, match=r"x.yaml: line 3: duplicate key 'b'"):
        load_yaml_text("a:\n  b: 1\n  b: 2\n", "x.yaml")


def test_runtime_override_of_unknown_rule(national: ar.ResolvedRuleset) -> None:
    with pytest.raises(ar.RulesetError, match=r"override names unknown rule 'national\.x'"):
        national.with_overrides({"national.x": {}})


def test_runtime_override_replaces_an_interpretive_parameter(
    national: ar.ResolvedRuleset,
) -> None:
    changed = national.with_overrides(
        {"national.hazard.major_notice": {"period": {"amount": 0, "unit": "same_day"}}}
    )
    rr = changed.rule("national.hazard.major_notice")
    assert rr.rule.params.period.unit.value == "same_day"
    assert rr.overridden_by == ("runtime",)
    # the original is untouched (resolved rulesets are immutable values)
    assert national.rule("national.hazard.major_notice").rule.params.period.amount == 1


def test_runtime_override_is_validated(national: ar.ResolvedRuleset) -> None:
    with pytest.raises(ar.RulesetError, match=r"field 'params.period.unit'"):
        national.with_overrides(
            {"national.service.callback": {"period": {"amount": 1, "unit": "weeks"}}}
        )


def test_jurisdictions_lists_shipped_rulesets() -> None:
    assert "national" in ar.jurisdictions()


def test_runtime_errors_of_a_ruleset_are_said_in_chinese_too(
    national: ar.ResolvedRuleset,
) -> None:
    with pytest.raises(ar.RulesetError) as info:
        national.with_overrides({"national.x": {}})
    assert str(info.value) == "runtime: override names unknown rule 'national.x'"
    assert info.value.in_language("zh") == "runtime：要覆盖的规则 'national.x' 不存在"
    with pytest.raises(ar.RulesetError) as info:
        national.with_overrides(
            {"national.service.callback": {"period": {"amount": -1, "unit": "workdays"}}}
        )
    assert info.value.in_language("zh") == (
        "runtime：对规则 'national.service.callback' 的覆盖："
        "字段「params.period.amount」：应不小于 0"
    )
    with pytest.raises(ar.RulesetError) as info:
        national.with_effective("mars", dt.date(2026, 1, 1))
    assert str(info.value) == "runtime: no layer 'mars' in ruleset 'national'"
    assert info.value.in_language("zh") == "runtime：规则集 'national' 中没有层级 'mars'"


def test_a_rules_own_checks_are_said_in_chinese_too(tmp_path: Path) -> None:
    """A check a rule's model makes itself (a condition's operands, a deadline's action) is
    pydantic's `Value error, …` in English and the catalogue's sentence in Chinese, with no
    English lead left in it."""
    f = tmp_path / "t.yaml"
    f.write_text(
        (FIXTURES / "broken" / "op_needs_value.yaml")
        .read_text(encoding="utf-8")
        .replace("op_needs_value", "t")
        .replace("{field: kind, op: eq}", "{any_of: [{field: kind, op: present}]}"),
        encoding="utf-8",
    )
    with pytest.raises(ar.RulesetError) as info:
        ar.load_ruleset(f)
    assert "field 'params.where.0': Value error, any_of needs at least two conditions" in str(
        info.value
    )
    assert info.value.in_language("zh").endswith("字段「params.where.0」：any_of 至少需要两个条件")


BASE = (FIXTURES / "broken" / "op_needs_value.yaml").read_text(encoding="utf-8")
GOOD_RULE = BASE.replace("op_needs_value", "t").replace(
    "where: [{field: kind, op: eq}]", "where: [{field: kind, op: eq, value: hazard_inspection}]"
)
WINDOW = """  - id: w
    title: 时段
    title_en: W
    annual: {start: "06-01", end: "06-30"}
    citation: {clause: "1", quote: 回访}
"""
CHECKLIST = "checklists:\n  - id: c\n    title: 检查表\n    rows: "


def _ruleset(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "t.yaml"
    f.write_text(text, encoding="utf-8")
    return f


@pytest.mark.parametrize(
    ("change", "english", "chinese"),
    [
        (
            lambda t: t.replace("rules:", "windows:\n" + WINDOW + WINDOW + "rules:"),
            "window 'w': field 'id': duplicate window id",
            "时段 'w'：字段「id」：时段编号重复",
        ),
        (
            lambda t: t + CHECKLIST + "\n      - {item: '1', quote: 回访, rules: [t.nope]}\n",
            "checklist 'c': rows[0]: field 'rules': unknown rule 't.nope'",
            "检查表 'c'：rows[0]：字段「rules」：未知的规则 't.nope'",
        ),
        (
            lambda t: t + "extends: t\n",
            "field 'extends': cycle through 't'",
            "字段「extends」：继承关系成环（经过 't'）",
        ),
        (
            lambda t: t.replace("severity: major", "severity: major\n    scope_field: callback_on"),
            "field 'scope_field': goes with scope_date: event",
            "字段「scope_field」：只能与 scope_date: event 一起使用",
        ),
        (
            lambda t: t.replace("{amount: 5, unit: workdays}", "{amount: 0, unit: workdays}"),
            "field 'params.period': Value error, amount must be >= 1 for unit workdays",
            "字段「params.period」：单位为 workdays 时 amount 须不小于 1",
        ),
        (
            lambda t: t.replace("{amount: 5, unit: workdays}", "{amount: 2, unit: same_day}"),
            "field 'params.period': Value error, same_day takes amount 0",
            "字段「params.period」：same_day（当日）的 amount 须为 0",
        ),
        (
            lambda t: t + CHECKLIST + "[]\n",
            "field 'checklists.0.rows': Tuple should have at least 1 item after validation, not 0",
            "字段「checklists.0.rows」：至少应有 1 项，实有 0 项",
        ),
    ],
    ids=["window", "checklist", "cycle", "scope_field", "period_min", "same_day", "too_short"],
)
def test_each_place_in_a_ruleset_is_said_in_both_languages(
    tmp_path: Path, change: typing.Callable[[str], str], english: str, chinese: str
) -> None:
    f = _ruleset(tmp_path, change(GOOD_RULE))
    with pytest.raises(ar.RulesetError) as info:
        ar.load_ruleset(f)
    assert str(info.value).startswith(f"{f}: ") and str(info.value).endswith(english)
    zh = info.value.in_language("zh")
    assert zh.startswith(f"{f}：") and zh.endswith(chinese), zh


def test_several_errors_of_a_rule_are_each_a_line_in_both_languages(tmp_path: Path) -> None:
    """Every error of one rule is its own line, the same lines in each language, in order,
    each naming the file, the rule and the field."""
    text = GOOD_RULE.replace(
        "where: [{field: kind, op: eq, value: hazard_inspection}]",
        "where: [{field: kind, op: in, value: 3}]\n      colour: red",
    ).replace("{amount: 5, unit: workdays}", "{amount: -1, unit: weeks}")
    f = _ruleset(tmp_path, text)
    with pytest.raises(ar.RulesetError) as info:
        ar.load_ruleset(f)
    at = f"{f}: rules[0] (rule 't.r'): field "
    assert str(info.value).splitlines() == [
        f"{at}'params.where.0': Value error, op 'in' needs a list value",
        f"{at}'params.period.amount': Input should be greater than or equal to 0",
        f"{at}'params.period.unit': Input should be 'workdays', 'days', 'months', 'years', "
        "'hours' or 'same_day'",
        f"{at}'params.colour': unknown key",
    ]
    zh_at = f"{f}：rules[0]（规则 't.r'）："
    assert info.value.in_language("zh").splitlines() == [
        f"{zh_at}字段「params.where.0」：运算符 'in' 的值须为列表",
        f"{zh_at}字段「params.period.amount」：应不小于 0",
        f"{zh_at}字段「params.period.unit」：应为以下之一：workdays、days、months、years、hours、"
        "same_day",
        f"{zh_at}字段「params.colour」：未知字段",
    ]


def test_an_override_named_by_a_path_is_said_with_it(national: ar.ResolvedRuleset) -> None:
    with pytest.raises(ar.RulesetError) as info:
        national.with_overrides({"national.x": {}}, source=Path("ov.yaml"))  # type: ignore[arg-type]
    assert str(info.value) == "ov.yaml: override names unknown rule 'national.x'"
    assert info.value.in_language("zh") == "ov.yaml：要覆盖的规则 'national.x' 不存在"

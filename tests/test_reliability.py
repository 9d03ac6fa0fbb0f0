"""Issue 12 regressions: the evaluator never raises, bad input never costs other data, every
error is located (file, line, record, field), and resources stay bounded."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from pydantic import ValidationError

import ansafe_rules as ar
from ansafe_rules.cli import main
from ansafe_rules.inputs import InputError, Limits, load_case_file, parse_case
from ansafe_rules.kinds import KINDS
from ansafe_rules.model import MAX_COUNT
from ansafe_rules.periods import Period, PeriodUnit, add_calendar_period, compute_due
from ansafe_rules.portfolio import RulesetCache, evaluate_portfolio

from .conftest import BASE_POLICY, FIXTURES, ROOT, case

D = dt.date
S = ar.Status
BAD = FIXTURES / "bad_inputs"
NATIONAL = ar.load_ruleset("national")
Capture = pytest.CaptureFixture[str]


def _line(policy_id: str, **parts: Any) -> str:
    pol = {**BASE_POLICY, "policy_id": policy_id, **parts.pop("policy", {})}
    return json.dumps({"policy": pol, **parts}, ensure_ascii=False)


def _record(**kw: Any) -> dict[str, Any]:
    return {"id": "S1", "kind": "training", **kw}


def _errors(rep: ar.Report) -> list[str]:
    return [f.reason for f in rep.findings if f.status is S.data_error]


def _results(path: Path) -> dict[int, ar.PortfolioResult]:
    return {r.line: r for r in evaluate_portfolio(path, as_of=D(2026, 8, 1))}


# -- totality: evaluate() returns a report ------------------------------------------------------
def test_archive_closed_9999_12_31_is_a_located_input_error_not_year_10004() -> None:
    rep = ar.evaluate(
        NATIONAL,
        case(
            archives=[
                {"id": "A1", "closed_on": "9999-12-31"},
                {"id": "A2", "closed_on": "2026-07-01"},
            ]
        ),
        as_of=D(2026, 8, 1),
        source="p.yaml",
    )
    assert _errors(rep) == [
        "p.yaml: archives[0] (id 'A1'): field 'closed_on': date 9999-12-31 is after 9899-12-31, "
        "the latest date supported (limit max_date, docs/limits.md)"
    ]
    assert any(f.subject == "archives/A2" for f in rep.findings)  # the other archive is judged


def test_date_outside_the_calendar_is_a_data_error_naming_record_and_field() -> None:
    rep = ar.evaluate(
        NATIONAL,
        case(
            policy={"term_start": "2038-06-01", "term_end": "2039-05-31"},
            service_records=[_record(completed_on="2038-12-30")],
        ),
        as_of=D(2039, 6, 1),
    )
    (f,) = [f for f in rep.findings if f.rule_id == "national.service.callback"]
    assert (f.status, f.subject) == (S.data_error, "service_records/S1")
    assert f.reason == (
        "completed_on: 5 working days after 2038-12-30 is beyond the calendar range ending 2038"
    )


def test_callback_in_2052_is_late_without_a_working_day_count() -> None:
    rep = ar.evaluate(
        NATIONAL,
        case(service_records=[_record(completed_on="2025-09-26", callback_on="2052-01-01")]),
        as_of=D(2026, 8, 1),
    )
    (f,) = [f for f in rep.findings if f.rule_id == "national.service.callback"]
    assert f.status is S.violation
    assert f.reason == (
        "callback_on 2052-01-01 is after the due 2025-10-10; working days late not counted: "
        "2052-01-01 is past the calendar"
    )


@pytest.mark.parametrize(
    ("trigger", "period", "message"),
    [
        (D(9999, 12, 30), Period(amount=5, unit=PeriodUnit.days), "9999-12-30 + 5日 (5 days)"),
        (D(9999, 12, 31), Period(amount=5, unit=PeriodUnit.years), "9999-12-31 + 5年 (5 years)"),
        (
            dt.datetime(9999, 12, 31, 20),
            Period(amount=12, unit=PeriodUnit.hours),
            "9999-12-31 20:00:00 + 12小时 (12 hours)",
        ),
    ],
)
def test_a_period_past_9999_is_a_value_error_not_overflow(
    trigger: Any, period: Period, message: str
) -> None:
    with pytest.raises(ValueError, match="ends after 9999-12-31") as info:
        compute_due(trigger, period, ar.default_calendar(), roll=False)
    assert str(info.value) == f"{message} ends after 9999-12-31"
    if period.unit is not PeriodUnit.hours:
        with pytest.raises(ValueError, match="ends after 9999-12-31"):
            add_calendar_period(trigger, period)


def test_a_99_999_999_999_day_trial_is_rejected_when_the_ruleset_loads() -> None:
    with pytest.raises(ValidationError, match="too large for unit days"):
        Period(amount=99_999_999_999, unit=PeriodUnit.days)
    with pytest.raises(ar.RulesetError) as info:
        ar.load_ruleset(BAD / "huge_trial.yaml")
    assert "field 'effective.trial'" in str(info.value)
    assert "amount 99999999999 is too large for unit days (at most 36500" in str(info.value)


def test_a_rule_that_raises_becomes_a_data_error_for_that_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(ctx: Any, acc: Any) -> None:
        raise TypeError("boom")

    monkeypatch.setitem(KINDS, ar.rulesets.Kind.retention, broken)
    rep = ar.evaluate(NATIONAL, case(), as_of=D(2026, 8, 1))
    retention = [r.rule.id for r in NATIONAL.rules if r.rule.kind is ar.rulesets.Kind.retention]
    assert retention
    for rule_id in retention:
        fs = [f for f in rep.findings if f.rule_id == rule_id]
        if fs and fs[0].reason.startswith("does not apply"):
            continue
        assert [(f.status, f.reason) for f in fs] == [
            (S.data_error, f"rule {rule_id} could not be evaluated: TypeError: boom")
        ]
    assert any(f.status is S.violation for f in rep.findings)  # other rules still judged


# -- records: order-independent, located ------------------------------------------------------
def test_records_sharing_an_id_are_all_reported_and_none_evaluated_in_any_order() -> None:
    a = _record(completed_on="2025-09-26", callback_on="2025-09-28")
    b = _record(completed_on="2025-09-26", callback_on="2025-12-28")
    reports = [
        ar.evaluate(NATIONAL, case(service_records=recs), as_of=D(2026, 8, 1))
        for recs in ([a, b], [b, a])
    ]
    for rep in reports:
        assert [(i.record, i.field) for i in rep.input_issues] == [
            ("service_records[0] (id 'S1')", "id"),
            ("service_records[1] (id 'S1')", "id"),
        ]
        assert not any(f.subject == "service_records/S1" for f in rep.findings)
    assert reports[0].findings == reports[1].findings


def test_a_record_nested_deep_in_a_list_of_enums_is_located_not_a_recursion_error() -> None:
    # found by tests/test_fuzz.py: pydantic's enum error repr'd a 2,000-deep list
    deep: Any = []
    for _ in range(2000):
        deep = [deep]
    rep = ar.evaluate(
        NATIONAL,
        case(complaints=[{"id": "C1", "reply_contents": deep}, {"id": "C2"}]),
        as_of=D(2026, 8, 1),
        source="p",
    )
    assert [str(i) for i in rep.input_issues] == [
        "p: complaints[0] (id 'C1'): field '(record)': nested more than 64 levels deep "
        "(limit max_depth, docs/limits.md)"
    ]
    assert any(f.subject == "complaints/C2" for f in rep.findings)


def test_one_service_kind_at_two_frequencies_is_a_policy_error_naming_the_field() -> None:
    services = [
        {"service_kind": "training", "min_count": 1, "per": "year"},
        {"service_kind": "training", "min_count": 4, "per": "quarter"},
    ]
    with pytest.raises(ar.InputError) as info:
        parse_case(case(policy={"contract_services": services}), "p.yaml")
    assert str(info.value) == (
        "p.yaml: policy: field 'contract_services': Value error, service kind 'training' is "
        "listed twice (items 0 and 1); state one frequency per service kind"
    )


@pytest.mark.parametrize("jurisdiction", ["/etc/passwd", "evil.yaml", "../x", "a\\b.YML"])
def test_a_jurisdiction_in_data_is_never_a_file(jurisdiction: str) -> None:
    with pytest.raises(ar.InputError, match="is not a jurisdiction id"):
        parse_case(case(policy={"jurisdiction": jurisdiction}))
    with pytest.raises(ar.InputError, match="is not a jurisdiction id"):
        RulesetCache().get_registered(jurisdiction)


def test_a_term_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(ar.InputError) as info:
        parse_case(case(policy={"term_start": "0001-01-01", "term_end": "9899-12-31"}), "p")
    assert str(info.value) == (
        "p: policy: field 'term_end': the term 0001-01-01..9899-12-31 is longer than 50 years "
        "(limit max_term_years, docs/limits.md)"
    )


def test_records_per_case_limit() -> None:
    data = case(hazards=[{"id": f"H{i}"} for i in range(11)])
    with pytest.raises(ar.InputError) as info:
        parse_case(data, "p.yaml", limits=Limits(max_records=10))
    assert str(info.value) == (
        "p.yaml: 11 records, more than 10 in one case (limit max_records, docs/limits.md)"
    )


# -- YAML and JSON case files ----------------------------------------------------------------
def _yaml_case(records: str) -> str:
    pol = "".join(f"  {k}: {v}\n" for k, v in BASE_POLICY.items())
    return f"policy:\n{pol}service_records:\n{records}"


def test_unquoted_impossible_yaml_date_names_record_line_and_field(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text(
        _yaml_case(
            "  - id: S1\n    kind: training\n    completed_on: 2025-02-30\n"
            "  - id: S2\n    kind: training\n    completed_on: 2025-09-26\n"
        ),
        encoding="utf-8",
    )
    parsed = load_case_file(f)
    (issue,) = parsed.issues
    assert str(issue) == (
        f"{f}: service_records[0] (id 'S1', line 13): field 'completed_on': Input should be a "
        "valid date or datetime, day value is outside expected range"
    )
    assert [r.id for r in parsed.case.service_records] == ["S2"]


def test_infinite_and_nan_numbers_are_data_errors_for_their_record(tmp_path: Path) -> None:
    """YAML's .inf and JSON's Infinity/NaN are read as numbers by the parsers; JSON output has
    no such values. Each is a data error for its record alone, naming the field, in both
    languages; the other records are still evaluated."""
    y = tmp_path / "c.yaml"
    y.write_text(
        _yaml_case(
            "  - id: S1\n    kind: training\n    extra_fee: .inf\n"
            "  - id: S2\n    kind: training\n    completed_on: 2025-09-26\n"
        ),
        encoding="utf-8",
    )
    j = tmp_path / "c.json"
    learning = [{"date": "2025-03-02", "class_hours": float("inf")}]
    staff = [{"id": "M1", "name": "甲", "role": "manager", "online_learning": learning}]
    data = {
        "policy": BASE_POLICY,
        "service_records": [
            {"id": "S1", "kind": "training", "extra_fee": float("nan")},
            {"id": "S2", "kind": "training", "completed_on": "2025-09-26"},
        ],
        "organisations": [{"id": "O1", "name": "某公司", "role": "insured", "staff": staff}],
    }
    text = json.dumps(data, ensure_ascii=False)  # as other tools write them: NaN, Infinity
    assert "NaN" in text and "Infinity" in text
    j.write_text(text, encoding="utf-8")
    deep = "staff.0.online_learning.0.class_hours"
    for path, fields in ((y, {"extra_fee"}), (j, {"extra_fee", deep})):
        parsed = load_case_file(path)
        for issue in parsed.issues:
            assert issue.message == "Input should be a finite number", issue
            assert issue.message_zh == "应为有限的数字（不能是无穷大或 NaN）"
        assert {i.field for i in parsed.issues} == fields, path
        assert [r.id for r in parsed.case.service_records] == ["S2"]
        rep = ar.evaluate(NATIONAL, parsed, as_of=D(2026, 7, 31))
        assert any("extra_fee" in e for e in _errors(rep))
        json.dumps(rep.model_dump(mode="json"), allow_nan=False)  # valid JSON: no inf or NaN


def test_a_5000_digit_integer_names_the_field(tmp_path: Path) -> None:
    big = "9" * 5000
    y = tmp_path / "c.yaml"
    y.write_text(
        _yaml_case(f"  - id: S1\n    kind: training\n    technical_staff_count: {big}\n"),
        encoding="utf-8",
    )
    j = tmp_path / "c.json"
    j.write_text(
        _line("P", service_records=[_record(technical_staff_count=1)]).replace(
            '"technical_staff_count": 1', f'"technical_staff_count": {big}'
        ),
        encoding="utf-8",
    )
    for path in (y, j):
        (issue,) = load_case_file(path).issues
        assert (issue.field, issue.message) == (
            "technical_staff_count",
            "Unable to parse input string as an integer, exceeded maximum size",
        )


def test_a_5000_digit_record_id_is_named_by_its_length_never_a_traceback(tmp_path: Path) -> None:
    """Python refuses to write out an integer of more than 4,300 digits; a record whose id is
    one (found by the fuzz test) is a data error for that record, named by its length, and
    the other records are evaluated. Found through every entry point: the library, JSON and
    YAML files, and a portfolio line."""
    big_text = "9" * 5000
    big = 10**5000 - 1  # int(big_text) is refused too
    data = {
        "policy": BASE_POLICY,
        "service_records": [
            {"id": big, "kind": "training"},
            {"id": "S2", "kind": "training", "completed_on": "2025-09-26"},
        ],
    }
    parsed = parse_case(data, "c.json")
    (issue,) = parsed.issues
    assert issue.record == "service_records[0] (id <an integer of 5000 digits>)"
    assert issue.field == "id"
    assert [r.id for r in parsed.case.service_records] == ["S2"]
    rep = ar.evaluate(NATIONAL, data, as_of=D(2026, 7, 31))
    assert any("an integer of 5000 digits" in e for e in _errors(rep))
    # from a file the digits are read as text (JSON and YAML alike): a valid, if long, id;
    # a record error names it shortened. json.dumps refuses such an integer: the text is
    # written around a placeholder
    record = {"id": 0, "kind": "training", "completed_on": "2025-02-30"}
    text = json.dumps({**data, "service_records": [record]})
    text = text.replace('"id": 0', f'"id": {big_text}')
    j = tmp_path / "c.json"
    j.write_text(text, encoding="utf-8")
    y = tmp_path / "c.yaml"
    y.write_text(
        _yaml_case(f"  - id: {big_text}\n    kind: training\n    completed_on: 2025-02-30\n"),
        encoding="utf-8",
    )
    for path in (j, y):
        (issue,) = load_case_file(path).issues
        assert issue.record.startswith(f"service_records[0] (id '{'9' * 80}…' (5000 characters)")
        assert issue.field == "completed_on"
    port = tmp_path / "p.jsonl"
    port.write_text(text + "\n" + _line("P2") + "\n", encoding="utf-8")
    results = _results(port)
    assert sorted(results) == [1, 2] and all(r.report is not None for r in results.values())


def test_a_long_record_id_is_shortened_where_an_error_names_it() -> None:
    long_id = "S" * 500
    data = {"policy": BASE_POLICY, "service_records": [{"id": long_id, "kind": "no_such_kind"}]}
    (issue,) = parse_case(data, "c.json").issues
    assert issue.record == f"service_records[0] (id '{'S' * 80}…' (500 characters))"
    # the cut text is quoted as Python quotes it (a quote inside it: double quotes)
    quoted = "it's " + "x" * 200
    data["service_records"][0]["id"] = quoted
    (issue,) = parse_case(data, "c.json").issues
    assert issue.record == f'service_records[0] (id "it\'s {"x" * 75}…" (205 characters))'


@pytest.mark.parametrize(
    ("ident", "shown"),
    [
        (10**100, "<an integer of 101 digits>"),  # whatever the interpreter's limit
        (12345, "12345"),
        ([10**5000], "<a list too large to show>"),
        ({"a": 1}, "{'a': 1}"),
        (list(range(100)), repr(list(range(100)))[:80] + "…"),
    ],
)
def test_an_id_that_is_not_text_is_named_never_raising(ident: Any, shown: str) -> None:
    data = {"policy": BASE_POLICY, "service_records": [{"id": ident, "kind": "training"}]}
    (issue,) = parse_case(data, "c.json").issues
    assert (issue.record, issue.field) == (f"service_records[0] (id {shown})", "id")


def test_integers_too_large_to_write_out_are_data_errors_from_the_library() -> None:
    """From a file, digits too long for a number are read as text; from Python, a case can
    hold any integer. A count or a number of days beyond 10^9 is a data error for its record
    (a message could not write out one of 5,000 digits; in the policy, the case's error),
    and a section named by such an integer is an unknown section named by its length:
    never a traceback."""
    big = 10**5000
    data = {
        "policy": BASE_POLICY,
        "complaints": [
            {
                "id": "C1",
                "received_on": "2026-01-05",
                "extension_days": big,
                "extension_approved_on": "2026-01-06",
            }
        ],
        "service_records": [{"id": "S1", "kind": "training", "technical_staff_count": big}],
        big: 1,
    }
    parsed = parse_case(data, "c.json")
    got = {(i.record, i.field, i.message) for i in parsed.issues}
    over = "Input should be less than or equal to 1000000000"
    assert ("complaints[0] (id 'C1')", "extension_days", over) in got
    assert ("service_records[0] (id 'S1')", "technical_staff_count", over) in got
    assert any(i.record == "<an integer of 5001 digits>" for i in parsed.issues)
    for j in ("national", "guangdong"):
        ar.evaluate(ar.load_ruleset(j), data, as_of=D(2026, 7, 31))  # a report, no traceback
    assert MAX_COUNT == 10**9
    # the policy itself: the case cannot be judged, a clear error naming the field
    data["policy"] = {**BASE_POLICY, "premium_installments": big}
    with pytest.raises(InputError, match=f"field 'premium_installments': {over}"):
        parse_case(data, "c.json")


def test_non_utf8_case_file_names_file_line_and_byte(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_bytes(b"policy:\n  policy_id: caf\xe9\n")
    with pytest.raises(ar.InputError) as info:
        load_case_file(f)
    assert str(info.value) == f"{f}: line 2: not UTF-8 text (byte 0xe9 at byte 25)"


def test_json_duplicate_key_is_rejected_with_key_and_line(tmp_path: Path) -> None:
    f = tmp_path / "c.json"
    f.write_text('{\n "policy": {\n  "policy_id": "A",\n  "policy_id": "B"\n }\n}\n')
    with pytest.raises(ar.InputError) as info:
        load_case_file(f)
    assert str(info.value) == f"{f}: line 2: duplicate key 'policy_id' in one object"


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_deeply_nested_case_is_located_never_a_recursion_error(tmp_path: Path, suffix: str) -> None:
    f = tmp_path / f"c{suffix}"
    f.write_text('{"policy": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(ar.InputError, match=r"nested (more than 64 levels|too) deep") as info:
        load_case_file(f)
    assert str(info.value).startswith(f"{f}:")


def test_file_size_limit(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("policy: {}\n" + "#" * 100, encoding="utf-8")
    with pytest.raises(ar.InputError) as info:
        load_case_file(f, limits=Limits(max_file_bytes=50))
    assert str(info.value) == (
        f"{f}: file is 111 bytes, more than the limit of 50 (limit max_file_bytes, docs/limits.md)"
    )


# -- rulesets from users ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("alias_bomb", "aliases expand to 1,111,111,092 more nodes (at most 10,000;"),
        ("mapping_key", "line 15: a mapping cannot be a key; keys must be scalars (column 5)"),
        ("deep_ruleset", "nested more than 64 levels deep (limit max_depth"),
        ("huge_trial", "amount 99999999999 is too large for unit days"),
    ],
)
def test_hostile_ruleset_fails_validate_with_a_clear_error(
    name: str, message: str, capsys: Capture
) -> None:
    path = BAD / f"{name}.yaml"
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ansafe-rules: error: {path}:")
    assert message in err
    assert "Traceback" not in err


# -- portfolios: every good line evaluated, every bad line located --------------------------------
def test_non_utf8_jsonl_keeps_the_lines_before_and_after(tmp_path: Path) -> None:
    f = tmp_path / "p.jsonl"
    f.write_bytes(
        _line("P1").encode() + b'\n{"policy": "caf\xe9"}\n' + _line("P3").encode() + b"\n"
    )
    res = _results(f)
    assert res[1].report is not None and res[3].report is not None
    assert res[2].error == f"{f}: line 2: not UTF-8 text (byte 0xe9 at byte 16 of the line)"


def test_portfolio_bad_lines_are_located_and_later_lines_evaluated(tmp_path: Path) -> None:
    lines = [
        '{"policy": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"policy": {"policy_id": "A", "policy_id": "B"}}',
        _line("P3", policy={"jurisdiction": "/etc/passwd"}),
        _line("P4", policy={"jurisdiction": "x.yaml"}),
        _line("P5", policy={"jurisdiction": "atlantis-nowhere"}),
        _line("P6", archives=[{"id": "A1", "closed_on": "9999-12-31"}]),
        _line("P7"),
    ]
    f = tmp_path / "p.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = _results(f)
    assert res[1].error == f"{f}: line 1: nested more than 64 levels deep (limit max_depth, " + (
        "docs/limits.md)"
    )
    assert res[2].error == f"{f}: line 2: duplicate key 'policy_id' in one object"
    for n in (3, 4):
        assert res[n].error is not None
        assert res[n].error.startswith(f"{f}: line {n}: policy: field 'jurisdiction': ")
        assert "is not a jurisdiction id" in res[n].error
    assert res[5].error is not None
    assert res[5].error.startswith(
        f"{f}: line 5: policy: field 'jurisdiction': unknown jurisdiction 'atlantis-nowhere'"
    )
    assert res[6].report is not None and res[6].report.input_issues[0].field == "closed_on"
    assert res[7].report is not None


def test_an_overlong_line_costs_only_that_line(tmp_path: Path) -> None:
    f = tmp_path / "p.jsonl"
    f.write_text(_line("P1") + "\n" + " " * 5000 + _line("P2") + "\n" + _line("P3") + "\n")
    res = {
        r.line: r
        for r in evaluate_portfolio(f, as_of=D(2026, 8, 1), limits=Limits(max_line_bytes=4000))
    }
    assert (
        res[2].error
        == f"{f}: line 2: longer than 4,000 bytes (limit max_line_bytes, docs/limits.md)"
    )
    assert res[1].report is not None and res[3].report is not None


# -- the command line ----------------------------------------------------------------------------
def test_cli_exit_2_says_how_many_could_not_be_evaluated(tmp_path: Path, capsys: Capture) -> None:
    f = tmp_path / "p.jsonl"
    f.write_text("\n".join([_line("P1"), "{nope", _line("P3", policy={"jurisdiction": "a/b"})]))
    assert main(["check", str(f), "--as-of", "2026-08-01", "--format", "jsonl"]) == 2
    cap = capsys.readouterr()
    assert [json.loads(x)["line"] for x in cap.out.splitlines()] == [1, 2, 3]
    assert cap.err.splitlines()[-1] == (
        "ansafe-rules: 2 of 3 input(s) could not be evaluated (see the errors above); "
        "the others were"
    )
    assert f"{f}: line 2: invalid JSON" in cap.err


def test_cli_limit_option(tmp_path: Path, capsys: Capture) -> None:
    f = tmp_path / "c.json"
    f.write_text(_line("P", hazards=[{"id": "H1"}, {"id": "H2"}]), encoding="utf-8")
    assert main(["check", str(f), "--as-of", "2026-08-01", "--limit", "max_records=1"]) == 2
    assert "2 records, more than 1 in one case (limit max_records" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["check", str(f), "--limit", "max_nothing=1"])


def _run_closed_stdout(args: list[str]) -> subprocess.CompletedProcess[str]:
    cmd = " ".join([sys.executable, "-m", "ansafe_rules", *args]) + " >&-"
    return subprocess.run(
        ["bash", "-c", cmd], capture_output=True, text=True, env=_cli_env(), check=False
    )


def _cli_env() -> dict[str, str]:
    """The environment the CLI runs in, in a process of its own: this checkout's package."""
    return {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT / "src")}


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--format", "table"],
        ["check", "--format", "json"],
        ["check", "--format", "jsonl"],
        ["obligations", "--format", "table"],
        ["obligations", "--format", "json"],
        ["obligations", "--format", "ics"],
    ],
)
def test_closed_stdout_exits_quietly(args: list[str]) -> None:
    example = ROOT / "examples" / "national-construction.yaml"
    proc = _run_closed_stdout([*args, str(example), "--as-of", "2026-07-31"])
    assert (proc.returncode, proc.stderr) == (141, "")


def test_ics_over_a_portfolio_streams_one_file_per_policy(tmp_path: Path, capsys: Capture) -> None:
    f = tmp_path / "p.jsonl"
    f.write_text("\n".join(_line(f"P{i}") for i in range(1, 4)) + "\n", encoding="utf-8")
    out = tmp_path / "ics"
    assert main(["obligations", str(f), "--format", "ics", "--output", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["p-line1.ics", "p-line2.ics", "p-line3.ics"]
    cal = Calendar.from_ical((out / "p-line3.ics").read_bytes())
    assert str(cal["x-wr-calname"]) == "安责险义务 P3"
    assert main(["obligations", str(f), "--format", "ics"]) == 2
    assert "several policies: give --output FOLDER" in capsys.readouterr().err


def _cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    """The installed CLI in a process of its own (its real stdout and stderr, in UTF-8)."""
    cmd = [sys.executable, "-m", "ansafe_rules", *args, "--as-of", "2026-07-31"]
    return subprocess.run(cmd, capture_output=True, env=_cli_env(), check=False)


def test_a_file_name_that_is_not_utf8_is_written_escaped_never_stopping_the_run(
    tmp_path: Path,
) -> None:
    """Linux file names are bytes: one that is not UTF-8 (byte 0xff) cannot be written as
    UTF-8 text. It is written escaped (``\\udcff``), in JSON and in the table, and the run
    goes on (before, it ended with no output and exit code 2)."""
    example = (ROOT / "examples" / "national-construction.yaml").read_bytes()
    odd = Path(os.fsdecode(os.fsencode(tmp_path) + b"/case\xff.yaml"))
    odd.write_bytes(example)
    plain = tmp_path / "plain.yaml"
    plain.write_bytes(example)
    proc = _cli("check", str(odd), str(plain), "--format", "jsonl")
    assert proc.returncode == 1, proc.stderr  # breaches, no unreadable input
    lines = [json.loads(x) for x in proc.stdout.decode("utf-8").splitlines()]
    assert [x["source"] for x in lines] == [str(odd), str(plain)]
    assert b"\\udcff" in proc.stdout.splitlines()[0]  # escaped, the line stays UTF-8
    table = _cli("check", str(odd), "--format", "table")
    assert table.returncode == 1 and b"AZ-2025-0001" in table.stdout, table.stderr


def test_a_lone_surrogate_in_a_portfolio_line_costs_that_line_only(tmp_path: Path) -> None:
    """A JSON ``\\ud800`` escape alone is not a character: in a policy id the line is an
    error, in a section's name an unknown section; either way the line's output is written
    escaped and the next line is evaluated."""
    good = _line("P2")
    bad_id = _line("P1").replace('"P1"', '"P\\ud800"')
    bad_key = _line("P3")[:-1] + ', "\\ud800x": 1}'
    f = tmp_path / "p.jsonl"
    f.write_text("\n".join([bad_id, good, bad_key]) + "\n", encoding="utf-8")
    proc = _cli("check", str(f), "--format", "jsonl")
    assert proc.returncode == 2, proc.stderr  # one line could not be evaluated
    lines = [json.loads(x) for x in proc.stdout.decode("utf-8").splitlines()]
    assert [x["line"] for x in lines] == [1, 2, 3]
    assert lines[0]["policy_id"] == "P\ud800" and "error" in lines[0]
    assert "report" in lines[1] and "report" in lines[2]
    issues = lines[2]["report"]["input_issues"]
    assert any(i["field"] == "'\\ud800x'" and "unknown section" in i["message"] for i in issues)


def test_a_section_named_with_a_lone_surrogate_is_named_escaped() -> None:
    """From the library (or the HTTP service, which answered 500): the unknown section's
    error names it escaped, so that the error can be written as UTF-8."""
    data = {"policy": BASE_POLICY, "\ud800x": 1}
    (issue,) = parse_case(data, "c.json").issues
    assert (issue.record, issue.field) == ("'\\ud800x'", "'\\ud800x'")
    str(issue).encode("utf-8")  # writable

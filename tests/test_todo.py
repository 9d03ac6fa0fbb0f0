"""The to-do list: statuses from the findings, working-day "due soon", order, standing duties."""

from __future__ import annotations

import datetime as dt

import pytest

import ansafe_rules as ar
from ansafe_rules.todo import CHINA, TODO_STATUS_LABELS, header

from .conftest import ROOT, case

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
D = dt.date

# finished Friday 26 September 2025; the callback is due 5 working days later, 2025-10-10
# (Sun 09-28 is a make-up working day; 10-01..10-08 are National Day)
SERVICE = {"id": "S-1", "kind": "hazard_inspection", "completed_on": "2025-09-26"}


def _callback(items: tuple[ar.TodoItem, ...]) -> ar.TodoItem:
    (item,) = [t for t in items if t.rule_id == "national.service.callback"]
    return item


def _todo(national: ar.ResolvedRuleset, as_of: dt.date, **parts) -> tuple[ar.TodoItem, ...]:
    ev = ar.evaluate_rows(national, case(**parts), as_of=as_of)
    return ar.todo(ev)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("as_of", [D(2025, 10, 1), D(2026, 3, 2), D(2026, 7, 31)])
def test_every_obligation_once_with_the_status_its_finding_gives(path, as_of) -> None:
    parsed = ar.load_case_file(path)
    rules = ar.load_ruleset(parsed.case.policy.jurisdiction)
    report = ar.evaluate(rules, parsed, as_of=as_of)
    items = ar.todo(report, as_of, due_soon=5)
    assert len(items) == len(report.obligations)
    keys = sorted((o.rule_id, o.subject) for o in report.obligations)
    assert sorted((t.rule_id, t.subject) for t in items) == keys
    found = {(f.rule_id, f.subject): f for f in report.findings}
    cal = ar.default_calendar()
    for t in items:
        f = found.get((t.rule_id, t.subject))
        assert t.finding_status == (f.status if f else None)
        if t.date is None:
            assert t.status is ar.TodoStatus.standing
        elif f is not None and f.status is ar.Status.compliant:
            assert t.status is ar.TodoStatus.done
        elif f is not None and f.status is ar.Status.violation:
            assert t.status is ar.TodoStatus.overdue and t.reason == f.reason
        elif f is not None and f.status is ar.Status.pending:
            left = cal.count_workdays(as_of, t.date)
            want = ar.TodoStatus.due_soon if left <= 5 else ar.TodoStatus.upcoming
            assert (t.status, t.working_days_left) == (want, left)
    # the compact rows give the same list as the full report
    assert ar.todo(ar.evaluate_rows(rules, parsed, as_of=as_of)) == items


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_dated_items_by_date_then_rule_and_standing_duties_after(path) -> None:
    parsed = ar.load_case_file(path)
    rules = ar.load_ruleset(parsed.case.policy.jurisdiction)
    items = ar.todo(ar.evaluate_rows(rules, parsed, as_of=D(2026, 7, 31)))
    dated = [t for t in items if t.date is not None]
    standing = [t for t in items if t.date is None]
    assert items == (*dated, *standing) and dated and standing
    keys = [
        (t.date, t.due_at.time() if t.due_at else dt.time(), t.rule_id, t.subject) for t in dated
    ]
    assert keys == sorted(keys)
    assert [(t.rule_id, t.subject) for t in standing] == sorted(
        (t.rule_id, t.subject) for t in standing
    )


def test_guangdong_standing_duties_are_apart() -> None:
    parsed = ar.load_case_file(ROOT / "examples" / "guangdong-housing.yaml")
    items = ar.todo(ar.evaluate_rows(ar.load_ruleset("guangdong"), parsed, as_of=D(2026, 7, 31)))
    n = {s: sum(t.status is s for t in items) for s in ar.TodoStatus}
    assert n[ar.TodoStatus.standing] == sum(1 for t in items if t.date is None) == 116
    # four preferred windows (台风季…) have no finding of their own: judged by date only
    unjudged = [t for t in items if t.finding_status is None]
    assert {t.rule_id for t in unjudged} == {"guangdong.hazard.inspection_windows"}
    assert {t.status for t in unjudged} == {ar.TodoStatus.unknown}  # all past on 2026-07-31


def test_due_soon_counts_working_days_across_national_day(national) -> None:
    # as of Tue 2025-09-30: 10-01..10-08 are off, so 10-10 is 2 working days away (10 days)
    items = _todo(national, D(2025, 9, 30), service_records=[SERVICE])
    cb = _callback(items)
    assert (cb.date, cb.finding_status, cb.working_days_left) == (
        D(2025, 10, 10),
        ar.Status.pending,
        2,
    )
    assert cb.status is ar.TodoStatus.due_soon
    ev = ar.evaluate_rows(national, case(service_records=[SERVICE]), as_of=D(2025, 9, 30))
    assert _callback(ar.todo(ev, due_soon=1)).status is ar.TodoStatus.upcoming
    assert _callback(ar.todo(ev, due_soon=2)).status is ar.TodoStatus.due_soon
    # after the due date with no callback: overdue; with a callback in time: done
    late = _callback(_todo(national, D(2025, 10, 11), service_records=[SERVICE]))
    assert (late.status, late.working_days_left) == (ar.TodoStatus.overdue, -1)  # Sat 10-11 works
    done = {**SERVICE, "callback_on": "2025-10-09"}
    assert _callback(_todo(national, D(2025, 10, 11), service_records=[done])).status is (
        ar.TodoStatus.done
    )


def test_hour_deadline_in_china_time_sorted_by_the_hour() -> None:
    parsed = ar.load_case_file(ROOT / "examples" / "xinzhou-municipal.yaml")
    items = ar.todo(ar.evaluate_rows(ar.load_ruleset("xinzhou"), parsed, as_of=D(2026, 7, 31)))
    (report,) = [t for t in items if t.rule_id == "xinzhou.incident.report"]
    assert report.due_at == dt.datetime(2026, 5, 2, 9, 30, tzinfo=CHINA)
    assert report.due_at.utcoffset() == dt.timedelta(hours=8)
    assert report.date == D(2026, 5, 2) and report.status is ar.TodoStatus.overdue


def test_as_of_must_be_the_evaluations_and_due_soon_not_negative(national) -> None:
    ev = ar.evaluate_rows(national, case(), as_of=D(2026, 1, 5))
    with pytest.raises(
        ValueError, match="as_of 2026-01-06 differs from the evaluation's 2026-01-05"
    ):
        ar.todo(ev, D(2026, 1, 6))
    with pytest.raises(ValueError, match="due_soon must be 0 or more working days, got -1"):
        ar.todo(ev, due_soon=-1)
    assert ar.todo(ev, D(2026, 1, 5)) == ar.todo(ev)


def test_party_filter_applies_before_the_list(national) -> None:
    parsed = ar.load_case_file(ROOT / "examples" / "xinzhou-municipal.yaml")
    rules = ar.load_ruleset("xinzhou")
    ev = ar.evaluate_rows(rules, parsed, as_of=D(2026, 7, 31), duty_holder="contractor")
    items = ar.todo(ev)
    assert items and {t.duty_holder for t in items} | {t.liable_party for t in items} >= {
        ar.DutyHolder.contractor
    }
    assert all(ar.DutyHolder.contractor in (t.duty_holder, t.liable_party) for t in items)


def test_schema_and_labels_in_both_languages() -> None:
    schema = ar.json_schemas()["TodoItem"]
    assert list(schema["properties"]) == list(ar.TodoItem.model_fields)
    assert schema["properties"]["status"]["$ref"].endswith("TodoStatus")
    assert set(schema["$defs"]["TodoStatus"]["enum"]) == {s.value for s in ar.TodoStatus}
    assert header(ar.TodoItem, "working_days_left") == "剩余工作日"
    for name, field in ar.TodoItem.model_fields.items():
        zh, sep, en = (field.description or "").partition(" — ")
        assert sep and zh and en, name  # Chinese first, then English
    assert set(TODO_STATUS_LABELS) == set(ar.TodoStatus)
    assert all(zh and en and zh != en for zh, en in TODO_STATUS_LABELS.values())


def test_the_to_do_list_speaks_the_chosen_language(capsys: pytest.CaptureFixture[str]) -> None:
    """`todo(lang=)` and `obligations --lang`: requirements and reasons in Chinese or English,
    the same items either way."""
    from ansafe_rules.cli import main

    path = ROOT / "examples" / "national-construction.yaml"
    ev = ar.evaluate_rows(
        ar.load_ruleset("national"), ar.load_case_file(path), as_of=dt.date(2026, 7, 31)
    )
    zh, en = ar.todo(ev, lang="zh"), ar.todo(ev, lang="en")
    assert [(t.rule_id, t.subject, t.status) for t in zh] == [
        (t.rule_id, t.subject, t.status) for t in en
    ]
    first = next(t for t in zh if t.rule_id == "national.service.callback")
    assert (
        first.requirement
        == "回访日期应在服务完成日期 2025-07-10 后 5 个工作日内完成，截止日 2025-07-17"
    )
    assert next(t for t in en if t.rule_id == "national.service.callback").requirement == (
        "callback_on within 5个工作日 (5 workdays) after completed_on 2025-07-10: by 2025-07-17"
    )
    overdue = [t for t in zh if t.status is ar.TodoStatus.overdue and t.reason]
    assert overdue and all("晚于截止日" in t.reason or "缺少" in t.reason for t in overdue[:1])
    assert ar.todo(ev) == en  # the evaluation's own language (en)
    main(["obligations", str(path), "--as-of", "2026-07-31", "--lang", "zh"])
    assert "回访日期应在服务完成日期 2025-07-10 后 5 个工作日内完成" in capsys.readouterr().out

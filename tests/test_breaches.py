"""Honest summaries: breaches of a duty, not rows (issue 9, item 2)."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys

import pytest

import ansafe_rules as ar
from ansafe_rules.breaches import BreachKind, breach_groups
from ansafe_rules.cli import main

from .conftest import ROOT, case

AS_OF = dt.date(2026, 7, 31)
GD = ar.load_ruleset("guangdong")
GD_CASE = ar.load_case_file(ROOT / "examples" / "guangdong-housing.yaml")

# The Guangdong example's breaches, counted by hand from examples/guangdong-housing.yaml's
# header and the two texts (AQ 9010-2019 and the Guangdong guideline):
#   T-02's callback, 12 working days after the training: late under national 6.3 (5 working
#     days) AND guangdong 6.3 (10) -> ONE breach citing both clauses;
#   R-01's record compiled after 20 working days: late under national 6.3 (10) and guangdong
#     6.3 (20) -> ONE breach citing both;
#   T-02's record compiled 3 working days after national's 10 (guangdong's 20 met) -> one;
#   C-01 answered after the national 10 working days (guangdong 6.4.2's 30 met) -> one;
#   H-01 told orally, not in writing (guangdong 6.2) -> one;
#   H-02 reported to the authority late (guangdong 6.2) -> one;
#   I-02 dissatisfied without a reason (guangdong 6.3) -> one;
#   the two evaluation reports (GD-E-2025, GD-E-2026) each lack the service effect and the
#     report to the construction bureau (guangdong 7.1) -> four;
# = 11 breaches of a duty, from 14 violation findings; I-03 outside every preferred window
# (guangdong 4.2.2, 宜) is advisory, counted apart (1), and no assessment item fails.
GD_BREACHES = {
    ("service_records/T-02", ("national.service.callback", "guangdong.service.callback")),
    (
        "service_records/R-01",
        ("national.service.record_compilation", "guangdong.service.record_compilation"),
    ),
    ("service_records/T-02", ("national.service.record_compilation",)),
    ("complaints/C-01", ("national.complaint.reply_after_verification",)),
    ("hazards/H-01", ("guangdong.hazard.notice_in_writing",)),
    ("hazards/H-02", ("guangdong.hazard.escalate_major_unrectified",)),
    ("service_records/I-02", ("guangdong.service.dissatisfaction_reason",)),
    ("evaluation_reports/GD-E-2025", ("guangdong.evaluation.reported",)),
    ("evaluation_reports/GD-E-2026", ("guangdong.evaluation.reported",)),
    ("evaluation_reports/GD-E-2025", ("guangdong.evaluation.report_contents",)),
    ("evaluation_reports/GD-E-2026", ("guangdong.evaluation.report_contents",)),
}


@pytest.fixture(scope="module")
def gd_rows() -> ar.Evaluation:
    return ar.evaluate_rows(GD, GD_CASE, as_of=AS_OF)


def test_guangdong_example_has_eleven_breaches_and_one_advisory_apart(gd_rows) -> None:
    got = ar.breaches(gd_rows)
    assert {(b.subject, b.rule_ids) for b in got} == GD_BREACHES
    assert len(got) == 11
    counts = ar.breach_counts(gd_rows)
    assert counts == ar.BreachCounts(breaches=11, advisory=1, assessment=0, violation_findings=14)
    advisory = ar.breaches(gd_rows, include=[BreachKind.advisory])
    assert [(b.subject, b.rule_ids, b.severity) for b in advisory] == [
        (
            "service_records/I-03",
            ("guangdong.hazard.inspection_windows",),
            ar.Severity.advisory,
        )
    ]


def test_a_lapse_at_two_layers_is_one_breach_citing_both_clauses(gd_rows) -> None:
    (callback,) = [b for b in ar.breaches(gd_rows) if b.obligation == "service.callback"]
    assert callback.subject == "service_records/T-02"
    assert callback.layers == ("national", "guangdong")
    national, guangdong = callback.citations
    # AQ 9010-2019 6.3: 5 working days; Guangdong 6.3: 10 working days (the text says so)
    assert (national.clause, national.due_date) == ("6.3", dt.date(2026, 2, 25))
    assert "5个工作日内" in national.quote and "回访" in national.quote
    assert (guangdong.clause, guangdong.due_date) == ("6.3", dt.date(2026, 3, 3))
    assert "10个工作日内" in guangdong.quote
    # the strictest (earliest) binds, as Report.bindings decides
    assert callback.binding_rule_id == "national.service.callback"
    assert callback.due_date == dt.date(2026, 2, 25)
    assert (callback.duty_holder, callback.liable_party) == (ar.DutyHolder.insurer, None)
    assert "逾期 7 个工作日" in callback.message_zh
    assert "7 working day(s) late" in callback.message_en
    assert guangdong.duty_holder is ar.DutyHolder.service_provider
    assert guangdong.liable_party is ar.DutyHolder.insurer
    assert "逾期 2 个工作日" in guangdong.reason_zh


def test_a_small_case_late_at_both_layers() -> None:
    """Built from the texts: a training finished Friday 2025-09-26 (the National Day week
    follows, with make-up workdays Sun 09-28 and Sat 10-11); the callback on 2025-10-20 is
    after national's 5 working days (09-28, 09-29, 09-30, 10-09, 10-10) and Guangdong's 10
    (then 10-11, 10-13, 10-14, 10-15, 10-16): one breach, two clauses."""
    data = case(
        policy={"jurisdiction": "guangdong", "policy_id": "P-2"},
        service_records=[
            {
                "id": "S-1",
                "kind": "training",
                "completed_on": "2025-09-26",
                "callback_on": "2025-10-20",
            }
        ],
    )
    rep = ar.evaluate(GD, data, as_of=AS_OF)
    ev = ar.evaluate_rows(GD, data, as_of=AS_OF)
    (b,) = [b for b in ar.breaches(rep) if b.obligation == "service.callback"]
    assert b.subject == "service_records/S-1"
    assert b.rule_ids == ("national.service.callback", "guangdong.service.callback")
    assert [c.due_date for c in b.citations] == [dt.date(2025, 10, 10), dt.date(2025, 10, 16)]
    # the same from the rows as from the full report
    assert ar.breaches(ev) == ar.breaches(rep)
    assert ar.breach_counts(ev) == ar.breach_counts(rep)


def test_groups_are_the_bindings_pairs_differential(gd_rows) -> None:
    """A breach is every violation finding of one (obligation, subject): the pairs bindings.py
    compares. Checked against a plain grouping of the full report's findings."""
    rep = gd_rows.report()
    plain: dict[tuple[str, str, bool], set[str]] = {}
    for f in rep.findings:
        if f.status is ar.Status.violation:
            advisory = f.severity in (ar.Severity.advisory, ar.Severity.assessment)
            plain.setdefault((f.obligation, f.subject, advisory), set()).add(f.rule_id)
    got = ar.breaches(gd_rows, include=list(BreachKind))
    assert {(b.obligation, b.subject, b.kind is not BreachKind.breach) for b in got} == set(plain)
    assert all(
        set(b.rule_ids) == plain[(b.obligation, b.subject, False)]
        for b in got
        if b.kind is BreachKind.breach
    )
    keys = {(b.obligation, b.subject) for b in rep.bindings}
    assert ("service.callback", "service_records/T-02") in keys
    groups = breach_groups(gd_rows.findings, gd_rows.layers)
    assert sum(len(m) for _, m in groups) == rep.counts[ar.Status.violation]


def test_assessment_items_are_counted_apart() -> None:
    rs = ar.load_ruleset("shaoxing")
    parsed = ar.load_case_file(ROOT / "examples" / "shaoxing-school.yaml")
    ev = ar.evaluate_rows(rs, parsed, as_of=AS_OF)
    counts = ar.breach_counts(ev)
    assert (counts.breaches, counts.advisory, counts.assessment) == (6, 0, 1)
    (item,) = ar.breaches(ev, include=[BreachKind.assessment])
    assert item.severity is ar.Severity.assessment and item.kind is BreachKind.assessment


def _check(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    code = main(argv)
    return code, out.getvalue()


def test_check_table_counts_breaches_and_shows_severity(monkeypatch) -> None:
    gd = str(ROOT / "examples" / "guangdong-housing.yaml")
    code, zh = _check(["check", gd, "--as-of", "2026-07-31", "--lang", "zh"], monkeypatch)
    assert code == 1
    assert (
        "违反义务 11 项（另有建议性条款 1 项）；按规则结论计：合规 173 项、违规 14 项、"
        "待履行 2 项、不适用 10 项、数据不足 1 项" in zh
    )
    lines = zh.splitlines()
    first = next(i for i, x in enumerate(lines) if "national.service.callback" in x)
    # the binding line, its severity and duty holder; the other layer's line right after it
    assert "6.3          重要     insurer " in lines[first]
    assert lines[first + 2].startswith("  违规+      guangdong.service.callback")
    assert "service_provider>insurer" in lines[first + 2]
    assert "  违规?      guangdong.hazard.inspection_windows" in zh and "建议性" in zh
    code, en = _check(["check", gd, "--as-of", "2026-07-31", "--lang", "en"], monkeypatch)
    assert (
        "11 breaches of a duty (plus 1 advisory finding); findings by rule: 173 compliant, "
        "14 violations, 2 pending, 10 not applicable, 1 with insufficient data" in en
    )
    assert " 7 violation," not in en and "1 rules" not in en


def test_singular_in_english(monkeypatch, tmp_path) -> None:
    """One breach, one violation: no "1 breaches", no "1 violations"."""
    data = case(
        service_records=[
            {
                "id": "S-1",
                "kind": "training",
                "completed_on": "2025-09-26",
                "callback_on": "2025-10-11",
            }
        ],
        policy={"policy_id": "P-1"},
    )
    f = tmp_path / "one.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    code, en = _check(["check", str(f), "--as-of", "2026-07-31", "--lang", "en"], monkeypatch)
    rep = ar.evaluate(ar.load_ruleset("national"), data, as_of=AS_OF)
    n = ar.breach_counts(rep).breaches
    word = "breach" if n == 1 else "breaches"
    assert f"{n} {word} of a duty" in en
    v = rep.counts[ar.Status.violation]
    assert f"{v} violation{'' if v == 1 else 's'}" in en
    assert code == 1


def test_json_summary_gains_breach_counts_and_keeps_its_keys(monkeypatch) -> None:
    gd = str(ROOT / "examples" / "guangdong-housing.yaml")
    code, text = _check(["check", gd, "--as-of", "2026-07-31", "--format", "jsonl"], monkeypatch)
    rec = json.loads(text)
    assert code == 1
    assert {"source", "line", "policy_id", "report"} <= set(rec)
    assert rec["report"]["counts"]["violation"] == 14  # unchanged: rows by status
    assert rec["breaches"] == {
        "breaches": 11,
        "advisory": 1,
        "assessment": 0,
        "violation_findings": 14,
    }
    schema = ar.json_schemas()["BreachCounts"]
    assert set(schema["required"]) == set(rec["breaches"])


def test_exit_code_follows_breaches_not_advisory_findings(gd_rows, monkeypatch) -> None:
    """Exit code 1 only for breaches of a duty (or data errors), as before: the advisory
    finding is a violation row but no breach."""
    i03 = [
        f
        for f in gd_rows.findings
        if f.subject == "service_records/I-03" and f.status is ar.Status.violation
    ]
    assert [f.severity for f in i03] == [ar.Severity.advisory]
    assert not any(f.breach for f in i03)
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        parsed = ar.load_case_file(path)
        rs = ar.load_ruleset(parsed.case.policy.jurisdiction)
        ev = ar.evaluate_rows(rs, parsed, as_of=AS_OF)
        errors = any(f.status is ar.Status.data_error for f in ev.findings)
        want = 1 if ar.breach_counts(ev).breaches or errors else 0
        code, _ = _check(["check", str(path), "--as-of", "2026-07-31"], monkeypatch)
        assert code == want, path.name

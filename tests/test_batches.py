"""Batches of policies (issue 8, item 1): :func:`ansafe_rules.evaluate_batch` runs each rule
over every policy of a batch before the next rule, and portfolios are evaluated a few policies
at a time that way. A batch must give each policy exactly its own evaluation (what
``evaluate_rows`` gives it alone), in any order and with any company, and a failure must stay
the failing policy's."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ansafe_rules as ar
from ansafe_rules.kinds import KINDS
from ansafe_rules.outputs import Status
from ansafe_rules.portfolio import iter_outcomes
from ansafe_rules.rulesets import Kind

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("freeze_engine", ROOT / "tools" / "freeze_engine.py")
assert _spec and _spec.loader
freeze = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(freeze)

AS_OF = dt.date(2026, 7, 31)
JURISDICTIONS = tuple(freeze.EXAMPLES)
RULESETS = {j: ar.load_ruleset(ROOT / "rulesets" / f"{j}.yaml") for j in JURISDICTIONS}
RAW = freeze.read_xz(freeze.CASES)
# a few frozen cases per jurisdiction (generated ones and the shipped example), parsed once
CASES = {
    j: [ar.parse_case(c["case"]) for c in RAW if c["jurisdiction"] == j][::40]
    for j in JURISDICTIONS
}
NEEDING_ATTENTION = set(Status) - {Status.compliant, Status.not_applicable}
EVALUATE = importlib.import_module("ansafe_rules.evaluate")


def _lean_view(ev: ar.Evaluation, stamp: ar.RulesetStamp) -> Any:
    """What ``check`` writes of a lean evaluation: the rows needing attention with their
    bindings, and the counts of every status."""
    summary = ev.summary(stamp, statuses=NEEDING_ATTENTION, obligations=False)
    return json.loads(summary.model_dump_json()), dict(ev.counts)


def _stamp(rs: ar.ResolvedRuleset) -> ar.RulesetStamp:
    layers = tuple(li.id for li in rs.layers)
    return ar.RulesetStamp(id=rs.id, layers=layers, digest=rs.digest, engine_version="test")


def test_every_jurisdiction_has_cases_to_batch() -> None:
    assert all(len(CASES[j]) >= 8 for j in JURISDICTIONS), {j: len(c) for j, c in CASES.items()}


@settings(max_examples=25, deadline=None)
@given(
    j=st.sampled_from(JURISDICTIONS),
    picks=st.lists(st.integers(0, 7), min_size=1, max_size=6),
    lean=st.booleans(),
)
def test_a_batch_gives_each_policy_its_own_evaluation(j: str, picks: list[int], lean: bool) -> None:
    """In any order, with any others (the same policy twice included)."""
    rs, stamp = RULESETS[j], _stamp(RULESETS[j])
    cases = [CASES[j][i] for i in picks]
    batch = ar.evaluate_batch(rs, cases, as_of=AS_OF, lean=lean)
    assert len(batch) == len(cases)
    for case, ev in zip(cases, batch, strict=True):
        alone = ar.evaluate_rows(rs, case, as_of=AS_OF, lean=lean)
        assert ev.policy_id == case.case.policy.policy_id
        if lean:
            assert _lean_view(ev, stamp) == _lean_view(alone, stamp)
        # lean: the report is the case's evaluated again in full, its own
        assert freeze.freeze_report(ev.report()) == freeze.freeze_report(alone.report())


def test_a_batch_in_chinese_for_one_party_and_one_layer() -> None:
    """The options of ``evaluate_rows`` hold for every policy of a batch (what each option
    does is tested through ``evaluate_rows``, a batch of one, in the other modules)."""
    rs = RULESETS["guangdong"]
    cases = CASES["guangdong"][:3]
    kw: dict[str, Any] = {"as_of": AS_OF, "lang": "zh", "duty_holder": "insurer"}
    for layer in (None, "national"):
        batch = ar.evaluate_batch(rs, cases, layer=layer, **kw)
        for case, ev in zip(cases, batch, strict=True):
            alone = ar.evaluate_rows(rs, case, layer=layer, **kw)
            assert ev.layers == alone.layers
            assert freeze.freeze_report(ev.report()) == freeze.freeze_report(alone.report())
            reasons = [f.reason for f in ev.report().findings]
            assert reasons and any("保单" in r or "服务" in r for r in reasons)


def test_sources_name_the_cases_and_must_match_them() -> None:
    rs = RULESETS["national"]
    case = _raw_case("national", "S1")
    bad_record = {**case, "service_records": [{"id": "R-1", "completed_on": "not a day"}]}
    ev = ar.evaluate_batch(rs, [case, bad_record], as_of=AS_OF, sources=["a.json", "b.json"])[1]
    assert ev.input_issues and all(i.source == "b.json" for i in ev.input_issues)
    # a policy that cannot be read at all stops its batch as it stops evaluate_rows: named
    with pytest.raises(ar.InputError, match=r"^b\.json: policy: field 'jurisdiction'"):
        ar.evaluate_batch(rs, [case, {"policy": {"policy_id": "X"}}], as_of=AS_OF,
                          sources=["a.json", "b.json"])  # fmt: skip
    with pytest.raises(ValueError, match="2 cases but 1 sources"):
        ar.evaluate_batch(rs, [case, case], as_of=AS_OF, sources=["one"])
    with pytest.raises(TypeError, match="one name per case"):
        ar.evaluate_batch(rs, [case, case], as_of=AS_OF, sources="ab")
    # any iterable of cases
    evs = ar.evaluate_batch(rs, (c for c in [case, case]), as_of=AS_OF)
    assert [ev.policy_id for ev in evs] == ["S1", "S1"]
    with pytest.raises(ValueError, match="layer 'shaoxing' is not in ruleset 'national'"):
        ar.evaluate_batch(rs, [case], as_of=AS_OF, layer="shaoxing")
    assert ar.evaluate_batch(rs, [], as_of=AS_OF) == []


def test_a_rule_failing_on_one_policy_is_that_policys_finding_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = KINDS[Kind.deadline]

    def failing(ctx: Any, acc: Any) -> None:
        if ctx.case.policy.policy_id == "BAD":
            raise RuntimeError("deadline broke")
        real(ctx, acc)

    monkeypatch.setitem(KINDS, Kind.deadline, failing)
    rs = RULESETS["xinzhou"]
    good = CASES["xinzhou"][:2]
    bad = ar.parse_case(_raw_case("xinzhou", "BAD"))
    batch = ar.evaluate_batch(rs, [good[0], bad, good[1]], as_of=AS_OF)
    deadlines = {rr.rule.id for rr in rs.rules if rr.rule.kind is Kind.deadline}
    errors = [f for f in batch[1].report().findings if f.message_id == "rule.error"]
    assert {f.rule_id for f in errors} == deadlines
    assert all(f.status is Status.data_error and "deadline broke" in f.reason for f in errors)
    for case, ev in ((good[0], batch[0]), (good[1], batch[2])):
        alone = ar.evaluate_rows(rs, case, as_of=AS_OF)
        assert not any(f.message_id == "rule.error" for f in ev.report().findings)
        assert freeze.freeze_report(ev.report()) == freeze.freeze_report(alone.report())


def _raw_case(j: str, policy_id: str) -> dict[str, Any]:
    """A frozen raw case of ``j`` (a generated one), with ``policy_id``."""
    row = next(c for c in RAW if c["jurisdiction"] == j and not c["id"].startswith("example:"))
    return {**row["case"], "policy": {**row["case"]["policy"], "policy_id": policy_id}}


def test_a_policy_failing_outside_its_rules_fails_alone_in_a_portfolio(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A batch that fails outside its rules (here: working out a layer's scope) is evaluated
    again a policy at a time: the failing policy's line says so, the others are judged as
    alone, and the lines keep their order."""
    real = EVALUATE._LayerScope

    def scope(rs: Any, layer_id: str, case: Any) -> Any:
        if case.policy.policy_id == "BOOM":
            raise RuntimeError("scope broke")
        return real(rs, layer_id, case)

    monkeypatch.setattr(EVALUATE, "_LayerScope", scope)
    ids = ["A", "BOOM", "C", "D", "BOOM", "BOOM", "G"]
    lines = [(n, json.dumps(_raw_case("shaoxing", pid))) for n, pid in enumerate(ids, 1)]
    lines.insert(2, (99, "{not json"))
    got = list(iter_outcomes(lines, as_of=AS_OF, source="p.jsonl", lean=True))
    assert [o.line for o in got] == [1, 2, 99, 3, 4, 5, 6, 7]
    by_line = {o.line: o for o in got}
    for n in (2, 5, 6):
        assert by_line[n].evaluation is None and by_line[n].policy_id == "BOOM"
        assert f"p.jsonl: line {n}" in (by_line[n].error or "")
        assert "RuntimeError: scope broke" in (by_line[n].error or "")
    assert by_line[99].evaluation is None and "line 99" in (by_line[99].error or "")
    rs, stamp = RULESETS["shaoxing"], _stamp(RULESETS["shaoxing"])
    for n, pid in enumerate(ids, 1):
        if pid == "BOOM":
            continue
        ev = by_line[n].evaluation
        assert ev is not None and ev.policy_id == pid
        alone = ar.evaluate_rows(rs, _raw_case("shaoxing", pid), as_of=AS_OF, lean=True)
        assert _lean_view(ev, stamp) == _lean_view(alone, stamp)


def test_a_portfolio_of_mixed_jurisdictions_keeps_its_order() -> None:
    """Lines of several rulesets interleaved: each evaluated by its own, in input order."""
    order = ["national", "xuancheng", "national", "guangdong", "xuancheng", "national", "xinzhou"]
    lines = [(n, _raw_case(j, f"P{n}")) for n, j in enumerate(order, 1)]
    got = list(iter_outcomes(lines, as_of=AS_OF, source="mixed"))
    assert [(o.line, o.policy_id) for o in got] == [(n, f"P{n}") for n in range(1, 8)]
    for o, j in zip(got, order, strict=True):
        assert o.evaluation is not None and o.evaluation.jurisdiction == j


def test_a_live_stream_gets_each_result_as_its_line_is_read() -> None:
    """``batch=1`` (what ``check`` reading stdin asks for) answers a line before the next is
    read; by default a window of four lines is read first (or what there is)."""
    read: list[int] = []

    def lines() -> Any:
        for n in range(1, 4):
            read.append(n)
            yield n, _raw_case("national", f"P{n}")

    live = iter_outcomes(lines(), as_of=AS_OF, source="stdin", batch=1)
    assert next(live).policy_id == "P1" and read == [1]
    assert next(live).policy_id == "P2" and read == [1, 2]
    read.clear()
    windowed = iter_outcomes(lines(), as_of=AS_OF, source="file")
    assert next(windowed).policy_id == "P1" and read == [1, 2, 3]
    for bad in (0, -1, 2.5, True, "4"):
        with pytest.raises(ValueError, match="batch must be a whole number of at least 1"):
            iter_outcomes(lines(), as_of=AS_OF, batch=bad)  # type: ignore[arg-type]


def test_unreadable_lines_are_answered_within_their_window() -> None:
    """A long run of lines that cannot be read (a file in another format) is answered a
    window at a time, as the readable ones are: nothing piles up."""
    read: list[int] = []

    def lines() -> Any:
        for n in range(1, 10_001):
            read.append(n)
            yield n, "not json"

    got = iter_outcomes(lines(), as_of=AS_OF, source="book.csv")
    first = next(got)
    assert first.line == 1 and "book.csv: line 1" in (first.error or "") and len(read) == 4
    assert sum(1 for _ in got) == 9_999 and len(read) == 10_000


def test_a_ruleset_error_of_a_batch_is_each_lines_own() -> None:
    """An error that fails the whole batch (a layer the ruleset lacks) is said for each line
    as it was said for a line alone, not as an unexpected error."""
    lines = [(n, _raw_case("xuancheng", f"P{n}")) for n in range(1, 4)]
    got = list(iter_outcomes(lines, as_of=AS_OF, source="b.jsonl", layer="guangdong"))
    assert [o.line for o in got] == [1, 2, 3]
    for o in got:
        assert o.error == "layer 'guangdong' is not in ruleset 'xuancheng'", o.error


def test_a_case_file_is_a_batch_of_one(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(_raw_case("national", "F1")), encoding="utf-8")
    (got,) = list(ar.evaluate_files([path], as_of=AS_OF))
    alone = ar.evaluate(RULESETS["national"], _raw_case("national", "F1"), as_of=AS_OF)
    assert got.line == 0 and got.report is not None
    assert freeze.freeze_report(got.report) == freeze.freeze_report(alone)

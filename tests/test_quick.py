"""Quick verdicts (``ansafe_rules.quick``): a lean evaluation counts a rule's certainly
compliant items without its kind. A quick check may leave any item to the kind, never count
one the kind would not find compliant; and the lean evaluation with the checks must be the one
without them, row for row, count for count, obligation for obligation. Checked on the frozen
cases of every jurisdiction (``tests/test_engine_freeze.py``) and on hand-made records at the
edges of each check (a deadline's last day, an early action, a calendar's end, an event
scope)."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ansafe_rules as ar
from ansafe_rules.bindings import plan_of
from ansafe_rules.context import Acc, CaseView, Ctx
from ansafe_rules.evaluate import _LayerScope, _liable, _Scopes, _service_liable
from ansafe_rules.kinds import KINDS
from ansafe_rules.outputs import Status
from ansafe_rules.quick import Env, plan
from ansafe_rules.rulesets import EarlyAction, Kind, ScopeDate

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("freeze_engine", ROOT / "tools" / "freeze_engine.py")
assert _spec and _spec.loader
freeze = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(freeze)

CASES = freeze.read_xz(freeze.CASES)
RULESETS = {j: ar.load_ruleset(j) for j in freeze.EXAMPLES}


@contextlib.contextmanager
def _without_checks(rs: ar.ResolvedRuleset) -> Iterator[None]:
    """``rs`` evaluated without its quick checks: every item judged by its kind."""
    p = plan_of(rs)
    kept = p.quick
    p.quick = (None,) * len(kept)
    try:
        yield
    finally:
        p.quick = kept


def _lean_view(ev: ar.Evaluation) -> dict[str, Any]:
    """What a lean evaluation holds: its rows, what it counted, the obligations it built."""
    return {
        "rows": [f.row_json() for f in ev.select(set(Status) - {Status.compliant})],
        "counted": sorted((c.rr.rule.id, str(c.liable_party), c.n) for c in ev._counted),
        "counts": ev.counts,
        "obligations": sorted(
            (o.rule_id, o.subject, str(o.due_date), str(o.due_at), o.text())
            for o in ev._all_obligations
        ),
    }


@pytest.mark.parametrize("chunk", range(4))
def test_lean_evaluations_are_the_same_with_and_without_the_checks(chunk: int) -> None:
    seen = 0
    for row in CASES[chunk::4][::2]:
        rs, as_of = RULESETS[row["jurisdiction"]], dt.date.fromisoformat(row["as_of"])
        quick = ar.evaluate_rows(rs, row["case"], as_of=as_of, lean=True)
        with _without_checks(rs):
            slow = ar.evaluate_rows(rs, row["case"], as_of=as_of, lean=True)
        assert _lean_view(quick) == _lean_view(slow), row["id"]
        seen += 1
    assert seen >= 250


def _counted_items(rs: ar.ResolvedRuleset, row: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """(rule, case, view, scope, item) of every item a quick check counted in ``row``'s case."""
    parsed = ar.parse_case(row["case"])
    case, as_of = parsed.case, dt.date.fromisoformat(row["as_of"])
    cal = ar.default_calendar()
    view = CaseView(case)
    scopes = _Scopes({li.id: _LayerScope(rs, li.id, case) for li in rs.layers})
    party = _service_liable(rs, case)
    for rr, check in zip(rs.rules, plan_of(rs).quick, strict=True):
        if check is None:
            continue
        by_event = rr.rule.scope_date is ScopeDate.event
        layer_scope = scopes.layers[rr.layer]
        if (layer_scope.by_event if by_event else layer_scope.by_policy) is not None:
            continue  # out of scope: never asked
        scope = scopes.of(rr.layer, by_event, _liable(rr, party))
        acc = Acc(lean=True, obligations=rr.rule.id in plan_of(rs).compared)
        rest = check(Env(view, as_of, cal, scope, acc))
        if rest is None:
            continue
        left = {label for label, _ in rest}
        every = Ctx(rr, case, as_of, cal, rs, scope, view).selected(Acc())
        counted = [pair for pair in every if pair[0] not in left]
        assert acc.counted == len(counted), rr.rule.id
        for pair in counted:
            yield rr, case, view, scope, pair


@pytest.mark.parametrize("j", sorted(freeze.EXAMPLES))
def test_every_item_a_check_counts_is_compliant_for_its_kind(j: str) -> None:
    """Item by item: the kind alone, in a full evaluation, finds compliant every item a quick
    check counted (whatever the applicability of the rule to the case: the checks are asked
    only where it applies, and here of every rule)."""
    rs, seen = RULESETS[j], 0
    kinds: set[Kind] = set()
    for row in [c for c in CASES if c["jurisdiction"] == j][::3]:
        for rr, case, view, scope, pair in _counted_items(rs, row):
            ctx = Ctx(rr, case, dt.date.fromisoformat(row["as_of"]), ar.default_calendar(), rs)
            ctx.scope, ctx.view, ctx.only = scope, view, [pair]
            acc = Acc()
            KINDS[rr.rule.kind](ctx, acc)
            assert [f.status for f in acc.findings] == [Status.compliant], (row["id"], rr.rule.id)
            seen += 1
            kinds.add(rr.rule.kind)
    assert seen > 1000 and len(kinds) >= 3, (seen, kinds)


def test_rules_without_a_check() -> None:
    """A deadline with an extension, a first event or an hour period, and the kinds without a
    check (frequency...), are judged by their kinds alone; every shipped ruleset has checks."""
    for j, rs in RULESETS.items():
        checks = dict(zip((r.rule.id for r in rs.rules), plan_of(rs).quick, strict=True))
        assert sum(c is not None for c in checks.values()) >= len(rs.rules) // 3, j
        for rr in rs.rules:
            p = rr.rule.params
            if rr.rule.kind is Kind.deadline and (
                p.extension is not None or p.first_event is not None or p.period.unit == "hours"
            ):
                assert checks[rr.rule.id] is None, rr.rule.id
            if rr.rule.kind not in (
                Kind.deadline,
                Kind.required_fields,
                Kind.qualification,
                Kind.prohibition,
            ):
                assert plan(rr) is None, rr.rule.id


# -- at the edges of each check, on hand-made records ----------------------------------------
NATIONAL = ROOT / "examples" / "national-construction.yaml"


def _case(**lists: Any) -> dict[str, Any]:
    """The national example with its record lists replaced by ``lists``."""
    import yaml

    data = yaml.safe_load(NATIONAL.read_text("utf-8"))
    data.update(lists)
    return data


def _check(rs: ar.ResolvedRuleset, rule_id: str, case: Any, as_of: dt.date) -> tuple[Any, Acc]:
    """What ``rule_id``'s quick check leaves to its kind in ``case`` (None: everything), and
    the accumulator it counted into."""
    rr = rs.rule(rule_id)
    check = plan(rr)
    assert check is not None
    parsed = ar.parse_case(case)
    assert not parsed.issues
    scopes = _Scopes({li.id: _LayerScope(rs, li.id, parsed.case) for li in rs.layers})
    scope = scopes.of(rr.layer, rr.rule.scope_date is ScopeDate.event, None)
    acc = Acc(lean=True, obligations=rr.rule.id in plan_of(rs).compared)
    env = Env(CaseView(parsed.case), as_of, ar.default_calendar(), scope, acc)
    rest = check(env)
    return (None if rest is None else sorted(label for label, _ in rest)), acc


def _record(rid: str, completed: str, callback: str | None) -> dict[str, Any]:
    rec = {
        "id": rid,
        "kind": "hazard_inspection",
        "started_on": completed,
        "completed_on": completed,
        "record_compiled_on": completed,
    }
    if callback is not None:
        rec["callback_on"] = callback
    return rec


def test_a_callback_on_its_fifth_working_day_is_counted_the_next_day_is_left() -> None:
    """AQ 9010-2019 6.3, 回访 5个工作日内 after the service is completed. Completed Tuesday
    2025-09-30, before 国庆 2025 (1-8 October rest days, Saturday 11 October a make-up working
    day): 9 Oct (1), 10 Oct (2), Sat 11 Oct (3), 13 Oct (4), 14 Oct (5). A callback on 14
    October is on time and counted; the 15th is late, before the completion a data error, none
    yet missing, a completion past the calendar's last year has no due day: the kind says each."""
    rs = RULESETS["national"]
    records = [
        _record("S-A", "2025-09-30", "2025-10-14"),
        _record("S-B", "2025-09-30", "2025-10-15"),
        _record("S-C", "2025-09-30", None),
        _record("S-D", "2025-09-30", "2025-09-29"),
        _record("S-E", "2038-12-30", "2038-12-31"),
        _record("S-F", "2025-09-30", "2025-09-30"),
    ]
    case = _case(service_records=records)
    rest, acc = _check(rs, "national.service.callback", case, dt.date(2026, 7, 31))
    assert rest == [
        "service_records/S-B",
        "service_records/S-C",
        "service_records/S-D",
        "service_records/S-E",
    ]
    assert acc.counted == 2  # S-A on its last day, S-F the same day
    ev = ar.evaluate_rows(rs, case, as_of=dt.date(2026, 7, 31), lean=True)
    rows = {
        f.subject: (f.status, f.message[0])
        for f in ev.select(set(Status))
        if f.rule_id == "national.service.callback"
    }
    assert rows == {
        "service_records/S-A": (Status.compliant, "deadline.on_time"),
        "service_records/S-B": (Status.violation, "deadline.late"),
        "service_records/S-C": (Status.violation, "deadline.missing"),
        "service_records/S-D": (Status.data_error, "deadline.early"),
        "service_records/S-E": (Status.data_error, "deadline.error"),
        "service_records/S-F": (Status.compliant, "deadline.on_time"),
    }
    with _without_checks(rs):
        slow = ar.evaluate_rows(rs, case, as_of=dt.date(2026, 7, 31), lean=True)
    assert _lean_view(ev) == _lean_view(slow)


def test_an_early_action_is_counted_where_acting_early_is_acting_in_time() -> None:
    """A rule whose early action is on time (a rectification reported before the day set for
    it) counts it; the same rule reading early as a data error leaves it to the kind."""
    rs = RULESETS["national"]
    rr = rs.rule("national.service.callback")
    params = rr.rule.params.model_copy(update={"early_action": EarlyAction.on_time})
    early_ok = rr.model_copy(update={"rule": rr.rule.model_copy(update={"params": params})})
    case = ar.parse_case(_case(service_records=[_record("S-D", "2025-09-30", "2025-09-29")]))
    scope = _Scopes({li.id: _LayerScope(rs, li.id, case.case) for li in rs.layers}).of(
        rr.layer, False, None
    )
    for r, left in ((rr, 1), (early_ok, 0)):
        check = plan(r)
        assert check is not None
        acc = Acc(lean=True, obligations=False)
        rest = check(
            Env(CaseView(case.case), dt.date(2026, 7, 31), ar.default_calendar(), scope, acc)
        )
        assert rest is not None and len(rest) == left and acc.counted == 1 - left


def test_a_selection_it_cannot_decide_or_that_is_empty_is_left_to_the_kind() -> None:
    """A complaint without ``needs_verification``: the 5-day and 10-day reply rules cannot
    tell which applies (the kind says so); no complaints at all: the kind says none apply."""
    rs = RULESETS["national"]
    complaint = {"id": "C-1", "received_on": "2025-09-30", "replied_on": "2025-10-09"}
    for rule_id in ("national.complaint.reply", "national.complaint.reply_after_verification"):
        rest, acc = _check(rs, rule_id, _case(complaints=[complaint]), dt.date(2026, 7, 31))
        assert rest is None and acc.counted == 0
        rest, acc = _check(rs, rule_id, _case(complaints=[]), dt.date(2026, 7, 31))
        assert rest is None and acc.counted == 0
    verified = {**complaint, "needs_verification": True}
    rest, acc = _check(
        rs,
        "national.complaint.reply_after_verification",
        _case(complaints=[verified]),
        dt.date(2026, 7, 31),
    )
    assert rest == [] and acc.counted == 1  # 9 October: the first working day after 国庆

"""Differential tests for engine rewrites (issue: the engine at portfolio scale).

``tests/data/engine_freeze`` holds the shipped examples and 2,000 generated cases (400 per
jurisdiction, each judged at its own date) with what the engine returned for them when the
data was frozen (``python tools/freeze_engine.py results``; see that script). Any change to an
evaluation — a finding, its reason or trace, an obligation, a due date, a binding, a note —
fails here. A batch of many policies must also give exactly what one-by-one evaluation gives,
in any order.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
from pathlib import Path

import pytest

import ansafe_rules as ar

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("freeze_engine", ROOT / "tools" / "freeze_engine.py")
assert _spec and _spec.loader
freeze = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(freeze)

CASES = freeze.read_xz(freeze.CASES)
RESULTS = {r["id"]: r["report"] for r in freeze.read_xz(freeze.RESULTS)}
RULESETS = {j: ar.load_ruleset(ROOT / "rulesets" / f"{j}.yaml") for j in freeze.EXAMPLES}


def test_the_frozen_set_is_large_and_covers_every_jurisdiction() -> None:
    assert len(CASES) >= 2000 and set(RESULTS) == {c["id"] for c in CASES}
    per = {j: sum(c["jurisdiction"] == j for c in CASES) for j in freeze.EXAMPLES}
    assert min(per.values()) >= 400, per


def _first_difference(a: object, b: object, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return _first_difference(a.get(k), b.get(k), f"{path}.{k}")
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items now, {len(b)} frozen"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    return (
        f"{path}: {json.dumps(a, ensure_ascii=False)[:300]} now, frozen "
        + json.dumps(b, ensure_ascii=False)[:300]
    )


@pytest.mark.parametrize("chunk", range(4))
def test_engine_gives_the_frozen_results(chunk: int) -> None:
    bad = []
    for row in CASES[chunk::4]:
        rep = ar.evaluate(
            RULESETS[row["jurisdiction"]], row["case"], as_of=dt.date.fromisoformat(row["as_of"])
        )
        rules = RULESETS[row["jurisdiction"]]
        for x in (*rep.findings, *rep.obligations):
            if x.rule_id == "input.validation":
                continue
            rr = rules.rule(x.rule_id)  # what every row of a rule shares: the rule's own data
            assert (x.obligation, x.title, x.layer, x.duty_holder) == (
                rr.rule.obligation,
                rr.rule.title,
                rr.layer,
                rr.rule.duty_holder,
            )
            t = x.trace if isinstance(x, ar.Finding) else x
            assert t.citation == rr.rule.citation and t.interpretive == rr.rule.interpretive
            if isinstance(x, ar.Finding):
                assert x.trace.kind is rr.rule.kind and x.trace.as_of == rep.as_of
                assert x.trace.params == rr.rule.params.model_dump(
                    mode="json", exclude_defaults=True
                )
        got = json.loads(json.dumps(freeze.freeze_report(rep), ensure_ascii=False, default=str))
        if got != RESULTS[row["id"]]:
            bad.append(f"{row['id']}: {_first_difference(got, RESULTS[row['id']])}")
    assert not bad, f"{len(bad)} cases differ from the frozen results; first: " + "\n".join(bad[:5])


def test_a_shuffled_batch_gives_what_single_evaluations_give() -> None:
    as_of = dt.date(2026, 7, 31)
    rows = [c for c in CASES if not c["id"].startswith("example:")][::7]
    order = list(range(len(rows)))
    random.Random(20261202).shuffle(order)
    batch = ar.evaluate_portfolio(
        [(n, rows[n]["case"]) for n in order], as_of=as_of, source="batch"
    )
    seen = 0
    for result in batch:
        assert result.error is None and result.report is not None
        row = rows[result.line]
        single = ar.evaluate(RULESETS[row["jurisdiction"]], row["case"], as_of=as_of)
        # compared without machine paths: the batch may read the installed package's copy of
        # the rulesets, the single evaluation this checkout's
        got, want = freeze.freeze_report(result.report), freeze.freeze_report(single)
        if got != want:  # a short message: pytest's diff of two large reports takes minutes
            pytest.fail(f"{row['id']}: {_first_difference(got, want)}")
        seen += 1
    assert seen == len(rows) > 250

"""Where a lean evaluation's time goes, per policy (issue 8): what any new engine has to beat,
measured on the scaled cases of ``benchmarks/engine.py`` (each example project's records
replicated, judged as of 2026-07-31), CPU time, the minimum of ``--repeats`` passes.

1. **Layers**, at ``--records`` (default 50): the evaluation with every rule kind replaced by
   one that does nothing (the framework: scopes, applicability, accumulators, sorting), by one
   that only selects the rule's records (the framework and the selections), and as it is. What
   the framework spends per row (building, counting and sorting verdicts) and the selections a
   kind makes besides its subject (a frequency rule's stages) fall in the kinds' share: kinds
   that do nothing make no rows and select nothing else.
2. **Fixed cost per rule**: the same at 0 records, against a ruleset with no rules; what a
   policy costs however few records it has.
3. **Per kind**: the outcomes (a rule's verdict on a record, a period or the policy, counted
   or kept) and the time of each kind's rules, per outcome (the rule's share of selecting its
   records included), timed rule by rule with ``perf_counter_ns``.
4. **Obligations for the bindings**: the evaluation without the obligations a lean run builds
   for the rules a binding compares.

The kinds are swapped in this process only (the registry the evaluator reads); nothing is
written. Run: python benchmarks/breakdown.py [--records 50] [--policies 60] [--repeats 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _engine_worker import _cpu
from scaled import examples, scaled

import ansafe_rules as ar
from ansafe_rules.kinds import KINDS

AS_OF = dt.date(2026, 7, 31)
JURISDICTIONS = ("national", "guangdong", "xinzhou", "shaoxing", "xuancheng")
# the module, not the function ansafe_rules re-exports under the same name
EVALUATE = importlib.import_module("ansafe_rules.evaluate")


def _evaluate(rs: Any, case: Any) -> None:
    ar.evaluate_rows(rs, case, as_of=AS_OF, lean=True)


def _lean_cpu(rs: Any, cases: list[Any], repeats: int) -> float:
    """Minimum CPU seconds per policy of the lean evaluation of ``cases``: the engine
    benchmark's own timer, warmed on the first case."""
    return _cpu(lambda c: _evaluate(rs, c), cases, repeats, cases[0])[0]


def _with_kinds(kinds: dict[Any, Any], fn: Callable[[], float]) -> float:
    """``fn()`` with the kinds' registry swapped for ``kinds``, restored after."""
    real = dict(KINDS)
    KINDS.clear()
    KINDS.update(kinds)
    try:
        return fn()
    finally:
        KINDS.clear()
        KINDS.update(real)


def _nothing(ctx: Any, acc: Any) -> None:
    """A kind that judges nothing."""


def _select_only(ctx: Any, acc: Any) -> None:
    """A kind that only selects its rule's records."""
    ctx.selected(acc)


def layers(rs: Any, cases: list[Any], repeats: int) -> dict[str, float]:
    def run() -> float:
        return _lean_cpu(rs, cases, repeats)

    return {
        "framework": _with_kinds(dict.fromkeys(KINDS, _nothing), run),
        "selecting": _with_kinds(dict.fromkeys(KINDS, _select_only), run),
        "all": run(),
    }


def per_kind(rs: Any, cases: list[Any]) -> tuple[Counter[str], Counter[str]]:
    """(ns, outcomes) per kind over one pass, each rule timed on its own."""
    ns: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    real = EVALUATE._run_rule

    def timed(rr: Any, *args: Any) -> Any:
        acc = args[6]
        t0 = time.perf_counter_ns()
        out = real(rr, *args)
        ns[rr.rule.kind.value] += time.perf_counter_ns() - t0
        outcomes[rr.rule.kind.value] += acc.counted + len(acc.findings)
        return out

    for c in cases:  # warm
        _evaluate(rs, c)
    EVALUATE._run_rule = timed
    try:
        for c in cases:
            _evaluate(rs, c)
    finally:
        EVALUATE._run_rule = real
    return ns, outcomes


def without_compared(rs: Any, cases: list[Any], repeats: int) -> float:
    """The lean evaluation building no obligation for the bindings."""
    real = EVALUATE.compared_rules
    EVALUATE.compared_rules = lambda _rs: frozenset()
    try:
        return _lean_cpu(rs, cases, repeats)
    finally:
        EVALUATE.compared_rules = real


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=50)
    ap.add_argument("--policies", type=int, default=60)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    raw = examples()
    ms = 1e3
    print(f"CPU ms per policy, lean evaluation, {args.records} records (min of {args.repeats})")
    print(f"{'ruleset':<11}{'rules':>6}{'framework':>11}{'+select':>9}{'all':>8}"
          f"{'0 records':>11}{'per rule µs':>13}{'no oblig.':>11}")  # fmt: skip
    mixed: Counter[str] = Counter()
    ns: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for j in JURISDICTIONS:
        rs = ar.load_ruleset(j)
        empty = rs.model_copy(update={"rules": ()})
        cases = [
            ar.parse_case(scaled(raw[j], args.records, f"P{i:06d}")) for i in range(args.policies)
        ]
        bare = [ar.parse_case(scaled(raw[j], 0, f"P{i:06d}")) for i in range(args.policies)]
        got = layers(rs, cases, args.repeats)
        zero = _lean_cpu(rs, bare, args.repeats)
        zero_empty = _lean_cpu(empty, bare, args.repeats)
        per_rule = (zero - zero_empty) / len(rs.rules)
        no_ob = without_compared(rs, cases, args.repeats)
        k_ns, k_out = per_kind(rs, cases)
        ns.update(k_ns)
        outcomes.update(k_out)
        row = {**got, "zero": zero, "no_oblige": no_ob}
        for k, v in row.items():
            mixed[k] += v / len(JURISDICTIONS)
        print(
            f"{j:<11}{len(rs.rules):>6}{got['framework'] * ms:>11.2f}"
            f"{got['selecting'] * ms:>9.2f}{got['all'] * ms:>8.2f}{zero * ms:>11.2f}"
            f"{per_rule * 1e6:>13.1f}{no_ob * ms:>11.2f}"
        )
    print(
        f"{'mixed':<11}{'':>6}{mixed['framework'] * ms:>11.2f}{mixed['selecting'] * ms:>9.2f}"
        f"{mixed['all'] * ms:>8.2f}{mixed['zero'] * ms:>11.2f}{'':>13}"
        f"{mixed['no_oblige'] * ms:>11.2f}"
    )
    share = {k: mixed[k] / mixed["all"] for k in ("framework", "selecting")}
    print(
        f"\nmixed: framework {share['framework']:.0%}, selections "
        f"{share['selecting'] - share['framework']:.0%}, the kinds' own work "
        f"{1 - share['selecting']:.0%} of the evaluation"
    )
    total = sum(ns.values())
    print(f"\nper kind, {args.policies} policies per ruleset, one pass (wall clock per rule):")
    for kind, t in ns.most_common():
        n = outcomes[kind]
        print(
            f"  {kind:<18}{t / total:>6.0%} of the rules' time  {n:>8,} outcomes"
            f"  {t / max(n, 1) / 1e3:>7.2f} µs per outcome"
        )


if __name__ == "__main__":
    main()

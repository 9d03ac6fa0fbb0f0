"""What evaluating policies a batch at a time, rule by rule, gains (issue 8, item 1).

``evaluate_rows`` judges one policy, every rule in turn; ``evaluate_batch`` runs each rule
over a batch of policies before the next rule (its code, and what it sets up, stays warm
across the batch, while each policy's records are touched once per rule instead of by every
rule in a row). Both are run here on the same parsed policies of a mixed portfolio (the five
example projects, their records replicated to ``--records`` per policy, judged lean as of
2026-07-31, as ``check`` judges them). Every line written must be the same either way, or
the script stops: the figures are those of the same work.

Two measures, CPU ms per policy, the minimum of ``--repeats`` passes taken in turns:
the evaluation alone, and the whole of what ``check`` does per policy (validate, evaluate,
write the default JSON line), for each batch size in ``--batches`` (``check`` uses 4).
Run: python benchmarks/batches.py [--records 50] [--policies 96] [--repeats 3]
[--batches 4,8,16,64]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _engine_worker import SHOWN, _write
from scaled import examples, scaled

import ansafe_rules as ar
from ansafe_rules.outputs import Status

AS_OF = dt.date(2026, 7, 31)
JURISDICTIONS = ("national", "guangdong", "xinzhou", "shaoxing", "xuancheng")
_SHOWN = {Status(s) for s in SHOWN}


def _rule_major(rs: Any, parsed: list[Any]) -> list[Any]:
    """The batch's lean evaluations, each rule over all of them in turn."""
    return ar.evaluate_batch(rs, parsed, as_of=AS_OF, lean=True)


def _policy_major(rs: Any, parsed: list[Any]) -> list[Any]:
    """The batch's lean evaluations, one policy after another."""
    return [ar.evaluate_rows(rs, p, as_of=AS_OF, lean=True) for p in parsed]


def _batches(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _cpu(fn: Callable[[], None], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=50)
    ap.add_argument("--policies", type=int, default=96, help="per jurisdiction")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batches", default="4,8,16,64")
    args = ap.parse_args()
    sizes = [int(x) for x in args.batches.split(",")]
    cases = examples()
    work = []
    for j in JURISDICTIONS:
        rs = ar.load_ruleset(j)
        layers = tuple(li.id for li in rs.layers)
        stamp = ar.RulesetStamp(
            id=rs.id, layers=layers, digest=rs.digest, engine_version=ar.__version__
        )
        raw = [scaled(cases[j], args.records, f"P{i:06d}") for i in range(args.policies)]
        work.append((rs, stamp, raw, [ar.parse_case(x) for x in raw]))
    n = len(JURISDICTIONS) * args.policies

    def evaluate(order: Callable[..., list[Any]], size: int) -> Callable[[], None]:
        def run() -> None:
            for rs, _, _, parsed in work:
                for batch in _batches(parsed, size):
                    order(rs, batch)

        return run

    def whole(order: Callable[..., list[Any]], size: int) -> Callable[[], None]:
        def run() -> None:
            for rs, stamp, raw, _ in work:
                for batch in _batches(raw, size):
                    for ev in order(rs, [ar.parse_case(x) for x in batch]):
                        _write(ev, stamp, _SHOWN)

        return run

    # the same lines either way, or no figures (this also warms both orders, untimed)
    for rs, stamp, _, parsed in work:
        for size in sizes:
            got = [
                _write(e, stamp, _SHOWN) for b in _batches(parsed, size) for e in _rule_major(rs, b)
            ]
            if got != [_write(e, stamp, _SHOWN) for e in _policy_major(rs, parsed)]:
                raise SystemExit(f"{rs.id}: rule-major batches of {size} write other lines")
    print(
        f"mixed portfolio, {args.records} records per policy, {n} policies; CPU ms per policy "
        f"(min of {args.repeats}, taken in turns)"
    )
    print(f"{'batch':>6}{'evaluate: policy-major':>24}{'rule-major':>12}{'ratio':>8}"
          f"{'whole: policy-major':>21}{'rule-major':>12}{'ratio':>8}")  # fmt: skip
    for size in sizes:
        runs: dict[str, list[float]] = {}
        for _ in range(args.repeats):  # one pass of each in turn, the machine's load alike
            for name, fn in (
                ("ev_pm", evaluate(_policy_major, size)),
                ("ev_rm", evaluate(_rule_major, size)),
                ("all_pm", whole(_policy_major, size)),
                ("all_rm", whole(_rule_major, size)),
            ):
                runs.setdefault(name, []).extend(_cpu(fn, 1))
        best = {k: min(v) / n * 1e3 for k, v in runs.items()}
        print(
            f"{size:>6}{best['ev_pm']:>24.3f}{best['ev_rm']:>12.3f}"
            f"{best['ev_pm'] / best['ev_rm']:>7.2f}x{best['all_pm']:>21.3f}"
            f"{best['all_rm']:>12.3f}{best['all_pm'] / best['all_rm']:>7.2f}x"
        )
    print("ratio: policy-major time over rule-major time (above 1: the batch order is faster)")


if __name__ == "__main__":
    main()

"""Portfolio evaluation: throughput and memory, printed side by side.

- policies/s with the per-run ruleset cache vs reloading the ruleset for every policy;
- peak traced memory for a portfolio of N and of 10 x N lines (streamed: the ratio stays
  near 1, i.e. memory does not grow with the number of lines).

Run: python benchmarks/portfolio.py [--n 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
import tracemalloc
from pathlib import Path

import ansafe_rules as ar
from ansafe_rules._yaml import load_yaml_file

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 7, 31)


def _portfolio(path: Path, n: int) -> None:
    cases = [load_yaml_file(p) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            case = cases[i % len(cases)]
            case = {**case, "policy": {**case["policy"], "policy_id": f"P{i:06d}"}}
            fh.write(json.dumps(case, ensure_ascii=False, default=str) + "\n")


def _run(path: Path, *, trace: bool) -> tuple[float, int, int]:
    """(seconds, policies, peak traced bytes) for streaming the portfolio, dropping results.
    Memory is traced in a separate pass: tracemalloc slows Python down several times."""
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    n = 0
    for r in ar.evaluate_portfolio(path, as_of=AS_OF):
        assert r.error is None, r.error
        n += 1
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    return seconds, n, peak


def _reload_each(path: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    n = 0
    for _, line in ar.portfolio.read_jsonl(path):
        data = json.loads(line)
        rs = ar.load_ruleset(data["policy"]["jurisdiction"])  # no cache
        ar.evaluate(rs, data, as_of=AS_OF)
        n += 1
    return time.perf_counter() - t0, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300, help="policies in the small portfolio")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "small.jsonl", Path(tmp) / "large.jsonl"
        _portfolio(small, args.n)
        _portfolio(large, 10 * args.n)
        ar.evaluate_portfolio(small, as_of=AS_OF)  # warm imports
        s_sec, s_n, _ = _run(small, trace=False)
        _, _, s_peak = _run(small, trace=True)
        l_sec, l_n, l_peak = _run(large, trace=True)
        r_sec, r_n = _reload_each(small)
    cached, reload = s_n / s_sec, r_n / r_sec
    print(f"{'measure':<46}{'value':>14}{'ratio':>9}")
    print(f"{'policies/s, ruleset cached per run':<46}{cached:>14,.0f}{cached / reload:>8.1f}x")
    print(f"{'policies/s, ruleset reloaded per policy':<46}{reload:>14,.0f}{1:>8.1f}x")
    print(f"{f'peak memory, {s_n:,} policies (MiB)':<46}{s_peak / 2**20:>14.1f}{1:>8.1f}x")
    print(
        f"{f'peak memory, {l_n:,} policies (MiB)':<46}{l_peak / 2**20:>14.1f}"
        f"{l_peak / s_peak:>8.1f}x"
    )
    print(
        f"(the five example projects in rotation, as of {AS_OF}; {l_n:,} policies in {l_sec:.1f} s)"
    )


if __name__ == "__main__":
    main()

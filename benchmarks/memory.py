"""Peak memory of the command line, small vs large, side by side (issue 12).

Each measurement runs ``ansafe-rules`` in a fresh subprocess and reads that process's peak
resident set size (``ru_maxrss``), so the figures do not mix. Printed, never asserted.

    python benchmarks/memory.py      # 2,000 vs 20,000 policies; 20,000 vs 200,000 records
    python benchmarks/memory.py --policies 200,2000 --records 2000,20000    # small, for CI

Streaming means the large column stays close to the small one for ``check`` and
``obligations --format ics``; a single case is one document and grows with its records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

POLICY = {
    "jurisdiction": "national",
    "insurer": "某保险公司",
    "insured": "某建设集团",
    "industry": "construction",
    "term_start": "2025-07-01",
    "term_end": "2026-06-30",
    "contract_services": [{"service_kind": "training", "min_count": 2, "per": "year"}],
}


def _record(i: int) -> dict[str, str]:
    day = dt.date(2025, 7, 1) + dt.timedelta(days=i % 360)
    return {
        "id": f"S{i}",
        "kind": "training",
        "completed_on": day.isoformat(),
        "callback_on": (day + dt.timedelta(days=3)).isoformat(),
    }


def write_portfolio(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            case = {
                "policy": {**POLICY, "policy_id": f"P-{i}"},
                "service_records": [_record(k) for k in range(3)],
            }
            fh.write(json.dumps(case, ensure_ascii=False) + "\n")


def write_case(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("policy:\n  policy_id: P-BIG\n")
        for k, v in POLICY.items():
            if k != "contract_services":
                fh.write(f"  {k}: {v}\n")
        fh.write("service_records:\n")
        for i in range(n):
            r = _record(i)
            fh.write(f"  - id: {r['id']}\n    kind: training\n")
            fh.write(f"    completed_on: {r['completed_on']}\n")
            fh.write(f"    callback_on: {r['callback_on']}\n")


def child(argv: list[str]) -> None:
    """Run the CLI in this process, stdout discarded, then report peak RSS on stderr."""
    sys.path.insert(0, str(ROOT / "src"))
    from ansafe_rules.cli import main

    with open(os.devnull, "w", encoding="utf-8") as devnull:
        sys.stdout = devnull
        try:
            main(argv)
        finally:
            sys.stdout = sys.__stdout__
    print(f"MAXRSS_KB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)


def measure(argv: list[str]) -> tuple[float, float]:
    """(peak MB, seconds) of one CLI run in a fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - t0
    for line in proc.stderr.splitlines():
        if line.startswith("MAXRSS_KB "):
            return int(line.split()[1]) / 1024, took
    raise SystemExit(f"child failed: {argv}\n{proc.stderr[-2000:]}")


def _pair(text: str) -> tuple[int, int]:
    a, b = (int(x.replace("_", "")) for x in text.split(","))
    return a, b


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--policies", type=_pair, default=(2_000, 20_000), help="SMALL,LARGE")
    ap.add_argument("--records", type=_pair, default=(20_000, 200_000), help="SMALL,LARGE")
    args = ap.parse_args()
    as_of = ["--as-of", "2026-08-01"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        runs: dict[str, list[tuple[int, list[str]]]] = {
            "check --format jsonl (portfolio)": [],
            "obligations --format ics (portfolio)": [],
            "check (one YAML case)": [],
        }
        for n in args.policies:
            p = d / f"portfolio-{n}.jsonl"
            write_portfolio(p, n)
            runs["check --format jsonl (portfolio)"].append(
                (n, ["check", str(p), "--format", "jsonl", *as_of])
            )
            out = d / f"ics-{n}"
            runs["obligations --format ics (portfolio)"].append(
                (n, ["obligations", str(p), "--format", "ics", "--output", str(out), *as_of])
            )
        for n in args.records:
            c = d / f"case-{n}.yaml"
            write_case(c, n)
            runs["check (one YAML case)"].append(
                (n, ["check", str(c), "--format", "jsonl", "--limit", f"max_records={n}", *as_of])
            )
        for name, pair in runs.items():
            (n1, a1), (n2, a2) = pair
            m1, t1 = measure(a1)
            m2, t2 = measure(a2)
            rows.append((name, n1, m1, t1, n2, m2, t2))
    print(f"{'command':<40} {'small':>22} {'large':>22} {'peak ratio':>10}")
    for name, n1, m1, t1, n2, m2, t2 in rows:
        s1 = f"{n1:>7,}: {m1:6.0f} MB {t1:5.1f}s"
        s2 = f"{n2:>7,}: {m2:6.0f} MB {t2:5.1f}s"
        print(f"{name:<40} {s1:>22} {s2:>22} {m2 / m1:>9.2f}x")
    print("(n: policies for portfolios, records for the single case; peak RSS per process)")


if __name__ == "__main__":
    main()

"""Freeze the engine's results as test data, for the differential test of engine rewrites.

The frozen set is the shipped examples plus generated cases for every jurisdiction
(``ansafe_rules.testing.cases``), each with the date it is judged at, and what the engine returns
for each: every finding (with its reason and trace), obligation and binding, and the notes —
everything but machine-specific paths. ``tests/test_engine_freeze.py`` re-evaluates the cases
and requires the same results, and the same again for a shuffled batch.

    python tools/freeze_engine.py cases --per-jurisdiction 400   # new cases (rarely)
    python tools/freeze_engine.py results                         # results of the engine at hand

To freeze the results of a *reference* engine (e.g. the commit before a rewrite) while the
rulesets are the current ones, run ``results`` with that engine's source first on the path:

    git worktree add /tmp/ref <commit> && \\
      PYTHONPATH=/tmp/ref/src ANSAFE_RULESETS_CHECK=1 python tools/freeze_engine.py results

(the rulesets are read from this checkout's ``rulesets/`` by passing their paths explicitly).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "engine_freeze"
CASES = DATA / "cases.jsonl.gz"
RESULTS = DATA / "results.jsonl.gz"
EXAMPLES = {
    "national": "national-construction.yaml",
    "guangdong": "guangdong-housing.yaml",
    "xinzhou": "xinzhou-municipal.yaml",
    "shaoxing": "shaoxing-school.yaml",
    "xuancheng": "xuancheng-hospital.yaml",
}
# dropped from the frozen results: where this machine keeps the rulesets
MACHINE_SPECIFIC = ("source_file", "param_sources", "overridden_by")


def _write_gz(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(
        json.dumps(r, ensure_ascii=False, sort_keys=True, default=str) + "\n" for r in rows
    )
    # mtime 0: the same content gives the same bytes
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write(text.encode("utf-8"))


def read_gz(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def generate_cases(per_jurisdiction: int) -> list[dict[str, Any]]:
    """Examples first, then ``per_jurisdiction`` generated cases for each jurisdiction, each
    judged once mid-term and once after the term (alternately)."""
    import yaml

    rows: list[dict[str, Any]] = []
    for j, name in EXAMPLES.items():
        data = yaml.safe_load((ROOT / "examples" / name).read_text(encoding="utf-8"))
        rows.append({"id": f"example:{j}", "jurisdiction": j, "as_of": "2026-07-31", "case": data})
    for j in EXAMPLES:
        rows += _generate_for(j, per_jurisdiction)
    return rows


def _generate_for(j: str, n: int) -> list[dict[str, Any]]:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from ansafe_rules.testing import cases

    got: list[dict[str, Any]] = []

    @settings(
        max_examples=n,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(c=cases(jurisdiction=j), late=st.booleans())
    def collect(c: Any, late: bool) -> None:
        pol = c.policy
        if late:
            as_of = pol.term_end + dt.timedelta(days=45)
        else:
            as_of = pol.term_start + (pol.term_end - pol.term_start) / 2
        got.append(
            {
                "jurisdiction": j,
                "as_of": as_of.isoformat(),
                "case": c.model_dump(mode="json", exclude_defaults=True),
            }
        )

    collect()
    return [{"id": f"{j}:{i}", **row} for i, row in enumerate(got[:n])]


def freeze_report(report: Any) -> dict[str, Any]:
    """What the engine said, as plain JSON, without machine-specific paths."""
    out = report.model_dump(mode="json")
    for f in out["findings"]:
        if f.get("trace"):
            for key in MACHINE_SPECIFIC:
                f["trace"].pop(key, None)
    keep = ("policy_id", "jurisdiction", "layers", "as_of", "findings", "obligations")
    return {k: out[k] for k in (*keep, "bindings", "notes", "counts", "input_issues")}


def compute_results(cases_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import ansafe_rules as ar

    rulesets = {j: ar.load_ruleset(ROOT / "rulesets" / f"{j}.yaml") for j in EXAMPLES}
    out = []
    for row in cases_rows:
        rep = ar.evaluate(
            rulesets[row["jurisdiction"]],
            row["case"],
            as_of=dt.date.fromisoformat(row["as_of"]),
        )
        out.append({"id": row["id"], "report": freeze_report(rep)})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("cases", help="generate and write the cases (then run `results`)")
    c.add_argument("--per-jurisdiction", type=int, default=400)
    sub.add_parser("results", help="write the results of the engine at hand")
    args = ap.parse_args()
    if args.cmd == "cases":
        rows = generate_cases(args.per_jurisdiction)
        _write_gz(CASES, rows)
        print(f"{len(rows)} cases -> {CASES.relative_to(ROOT)} ({CASES.stat().st_size:,} bytes)")
    rows = read_gz(CASES)
    results = compute_results(rows)
    _write_gz(RESULTS, results)
    print(
        f"{len(results)} results -> {RESULTS.relative_to(ROOT)} ({RESULTS.stat().st_size:,} bytes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

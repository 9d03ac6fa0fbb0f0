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
import json
import lzma
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "engine_freeze"
CASES = DATA / "cases.jsonl.xz"
RESULTS = DATA / "results.jsonl.xz"
EXAMPLES = {
    "national": "national-construction.yaml",
    "guangdong": "guangdong-housing.yaml",
    "xinzhou": "xinzhou-municipal.yaml",
    "shaoxing": "shaoxing-school.yaml",
    "xuancheng": "xuancheng-hospital.yaml",
}


def _write_xz(path: Path, rows: list[dict[str, Any]]) -> None:
    """JSON Lines, xz-compressed: the results repeat across cases far beyond gzip's window
    (115 MB of JSON become ~0.3 MB)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(
        json.dumps(r, ensure_ascii=False, sort_keys=True, default=str) + "\n" for r in rows
    )
    path.write_bytes(lzma.compress(text.encode("utf-8"), preset=6))


def read_xz(path: Path) -> list[dict[str, Any]]:
    text = lzma.decompress(path.read_bytes()).decode("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


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
    """What the engine said, as compact JSON rows without what every finding of a rule shares
    (its title, layer, kind, duty holder, citation, parameters: the differential test checks
    those against the ruleset) and without machine-specific paths."""
    out = report.model_dump(mode="json")
    findings = []
    for f in out["findings"]:
        t = f.get("trace") or {}
        findings.append(
            [
                f["rule_id"],
                f["subject"],
                f["status"],
                f["severity"],
                f["liable_party"],
                f["reason"],
                f["provisional_reason"],
                [t.get(k) for k in ("trigger", "due", "window", "required_count", "counted")]
                + [t.get("records")]
                if t
                else None,
            ]
        )
    obligations = [
        [
            o["rule_id"],
            o["subject"],
            o["requirement"],
            o["due_date"],
            o["due_at"],
            o["window"],
            o["min_count"],
            o["retain_until"],
            o["provisional_reason"],
            o["liable_party"],
        ]
        for o in out["obligations"]
    ]
    return {
        "head": [out["policy_id"], out["jurisdiction"], out["layers"], out["as_of"]],
        "findings": findings,
        "obligations": obligations,
        # the fields a binding had when the set was frozen (later ones, e.g. the note's
        # message, are not part of the frozen results)
        "bindings": [{k: b[k] for k in FROZEN_BINDING_FIELDS if k in b} for b in out["bindings"]],
        "notes": out["notes"],
        "counts": out["counts"],
        "input_issues": [
            {k: i[k] for k in ("source", "record", "field", "message")} for i in out["input_issues"]
        ],
    }


FROZEN_BINDING_FIELDS = (
    "obligation",
    "subject",
    "rules",
    "layers",
    "binding_rule_id",
    "binding_layer",
    "duty_holder",
    "liable_party",
    "due_date",
    "retain_until",
    "annual_rate",
    "conflict",
    "note",
)


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
    sub.add_parser("check", help="compare the engine at hand with the frozen results")
    args = ap.parse_args()
    if args.cmd == "cases":
        rows = generate_cases(args.per_jurisdiction)
        _write_xz(CASES, rows)
        print(f"{len(rows)} cases -> {CASES.relative_to(ROOT)} ({CASES.stat().st_size:,} bytes)")
    rows = read_xz(CASES)
    results = compute_results(rows)
    if args.cmd == "check":
        frozen = {r["id"]: r for r in read_xz(RESULTS)}
        got = [json.loads(json.dumps(r, default=str)) for r in results]
        bad = [r["id"] for r in got if r != frozen.get(r["id"])]
        print(f"{len(results) - len(bad)} of {len(results)} cases as frozen; differ: {bad[:20]}")
        return 1 if bad else 0
    _write_xz(RESULTS, results)
    print(
        f"{len(results)} results -> {RESULTS.relative_to(ROOT)} ({RESULTS.stat().st_size:,} bytes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

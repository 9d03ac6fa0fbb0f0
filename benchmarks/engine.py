"""The engine at portfolio scale, side by side in one run: this checkout against a baseline
release (by default the last commit before the row engine, ``555fbed``), on the same cases.

For each ruleset and records per policy (the example project of the jurisdiction, its records
replicated with new ids): CPU time per policy of what ``check`` writes by default (compact rows
of the findings needing attention; policies evaluated as ``check`` evaluates them, four at a
time with ``evaluate_batch`` in an engine that has it), of the full report (every finding with
its trace), and of input validation; records/s per core; the speed-up over the baseline;
evaluation time over validation time; the cost per record from 10 to 1,600 records (flat =
the same); and the projected one-core time of a mixed 10,000 x 50 portfolio (2,000 policies
per jurisdiction); and, for this checkout at 50 records, the default output in its two parts
(the lean evaluation; building and writing the rows, bindings and JSON it shows), each against
the per-policy budget that 25x the baseline leaves.
Each figure is the minimum over ``--repeats`` passes (the median is printed too). Both engines
run in fresh processes, taking turns (one pass of each, ``--repeats`` times), on this machine in
the same run.

Run: python benchmarks/engine.py [--policies 20] [--repeats 3] [--baseline 555fbed]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).resolve().parent / "_engine_worker.py"
JURISDICTIONS = ("national", "guangdong", "xinzhou", "shaoxing", "xuancheng")


def _baseline_tree(commit: str, into: Path) -> Path:
    """The baseline's ``src`` and ``rulesets`` extracted from git into ``into``."""
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "src", "rulesets"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _measure(src: Path | None, cfg: dict) -> dict:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)  # the baseline shadows the installed package
    out = subprocess.run(
        [sys.executable, str(WORKER), json.dumps(cfg)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout)


def _combine(passes: list[dict]) -> dict:
    """(min, median) of each figure over the passes (each pass gives one time per figure)."""
    out: dict = {}
    for key in passes[0]:
        out[key] = {}
        for what in passes[0][key]:
            if what == "bytes":  # a size, the same in every pass
                out[key][what] = passes[0][key][what]
                continue
            times = [p[key][what][0] for p in passes]
            out[key][what] = (min(times), statistics.median(times))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--policies", type=int, default=20, help="policies per measure at 50 records")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--baseline", default="555fbed", help="git commit of the baseline release")
    ap.add_argument("--sizes", default="10,50,200,1600")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    cfg = {"jurisdictions": JURISDICTIONS, "sizes": sizes, "policies": args.policies,
           "repeats": args.repeats, "full": True}  # fmt: skip
    # the two engines alternate, one pass each in turn, so that both see the machine's load
    # alike (a shared machine: a burst of other work would favour whichever ran after it)
    cfg["repeats"] = 1
    runs: dict[str, list[dict]] = {"base": [], "new": []}
    with tempfile.TemporaryDirectory() as tmp:
        old_src = _baseline_tree(args.baseline, Path(tmp))
        for _ in range(args.repeats):
            runs["base"].append(_measure(old_src, cfg))
            runs["new"].append(_measure(ROOT / "src", cfg))
    base, new = _combine(runs["base"]), _combine(runs["new"])

    print(f"CPU ms per policy (min of {args.repeats}; median in brackets), baseline "
          f"{args.baseline} vs this checkout")  # fmt: skip
    head = (
        f"{'ruleset/records':<18}{'validate':>10}{'base out':>10}{'new out':>10}{'speed-up':>10}"
        f"{'base full':>11}{'new full':>10}{'out/val':>9}{'lean/val':>10}{'rec/s/core':>12}"
    )
    print(head)
    for key in new:
        size = int(key.split("/")[1])
        b, n = base[key], new[key]
        val = n["validate"][0]
        # the evaluation alone (lean, as check runs it), before its rows are written
        lean = f"{n['evaluate'][0] / val:>9.1f}x" if "evaluate" in n else f"{'-':>10}"
        print(
            f"{key:<18}{val * 1e3:>10.2f}{b['output'][0] * 1e3:>10.2f}"
            f"{n['output'][0] * 1e3:>10.2f}{b['output'][0] / n['output'][0]:>9.1f}x"
            f"{b['full'][0] * 1e3:>11.2f}{n['full'][0] * 1e3:>10.2f}"
            f"{n['output'][0] / val:>8.1f}x{lean}{size / n['output'][0]:>12,.0f}"
            f"   [{n['output'][1] * 1e3:.2f}]"
        )
    print(
        "out/val: the default output (evaluated and written) over input validation; lean/val:"
        " the evaluation alone (target <= 5x)"
    )
    print("\ncost per record (µs, default output), 10 -> 1,600 records per policy:")
    for j in JURISDICTIONS:
        per = [new[f"{j}/{s}"]["output"][0] / s * 1e6 for s in sizes]
        flat = per[-1] / per[min(1, len(per) - 1)]
        row = "  ".join(f"{s}: {p:6.1f}" for s, p in zip(sizes, per, strict=True))
        print(f"  {j:<10} {row}   {sizes[-1]} vs {sizes[min(1, len(sizes) - 1)]}: {flat:.2f}x")
    if 50 in sizes:
        b50 = sum(base[f"{j}/50"]["output"][0] for j in JURISDICTIONS) / len(JURISDICTIONS)
        n50 = sum(new[f"{j}/50"]["output"][0] for j in JURISDICTIONS) / len(JURISDICTIONS)
        print(
            f"\nmixed 10,000 x 50 on one core (projected from the per-policy minimums): "
            f"baseline {b50 * 1e4:.1f} s, this checkout {n50 * 1e4:.1f} s, {b50 / n50:.1f}x "
            "(target: <= 5 s, 25x)"
        )
        if all("evaluate" in new[f"{j}/50"] for j in JURISDICTIONS):
            _budget(new, b50)
    if all(new[k].get("bytes") for k in new):
        print("\nKB per policy written by `check --format jsonl` (target <= 20 KB at 50):")
        for s in sizes:
            for lang in ("en", "zh"):
                per = [new[f"{j}/{s}"]["bytes"][lang] / 1e3 for j in JURISDICTIONS]
                row = "  ".join(f"{j} {b:5.1f}" for j, b in zip(JURISDICTIONS, per, strict=True))
                print(f"  {s:>5} records, {lang}: {row}   mixed {sum(per) / len(per):5.1f}")


def _budget(new: dict, b50: float) -> None:
    """Where this checkout's default output goes at 50 records, against the per-policy
    budget of the 25x target: the lean evaluation, and building and writing what it shows
    (the rows needing attention, the bindings of their duties, the JSON)."""
    budget = b50 / 25
    print(
        f"\nthis checkout at 50 records, CPU ms per policy (min); 25x the baseline leaves "
        f"{budget * 1e3:.2f} ms per policy in all:"
    )
    print(f"  {'ruleset':<11}{'evaluate':>10}{'output':>9}{'output share':>14}"
          f"{'output/budget':>15}{'output zh':>11}")  # fmt: skip
    ev = out = zh = 0.0
    k = len(JURISDICTIONS)
    for j in JURISDICTIONS:
        n = new[f"{j}/50"]
        e, o, z = n["evaluate"][0], n["write"][0], n.get("write_zh", (0.0,))[0]
        ev, out, zh = ev + e / k, out + o / k, zh + z / k
        print(f"  {j:<11}{e * 1e3:>10.2f}{o * 1e3:>9.2f}{o / (e + o):>13.0%}"
              f"{o / budget:>14.0%}{z * 1e3:>11.2f}")  # fmt: skip
    print(f"  {'mixed':<11}{ev * 1e3:>10.2f}{out * 1e3:>9.2f}{out / (ev + out):>13.0%}"
          f"{out / budget:>14.0%}{zh * 1e3:>11.2f}")  # fmt: skip


if __name__ == "__main__":
    main()

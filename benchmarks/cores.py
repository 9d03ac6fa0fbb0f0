"""`check --jobs N`: wall time on 1 vs N cores for the same portfolio, side by side in one run.

The five example projects in rotation (new policy ids), as JSON Lines; each configuration runs
`ansafe-rules check --format jsonl` in a fresh process, its output to a file (as `> out.jsonl`
writes it), several times (min and median wall seconds; the machine is shared and noisy). The
outputs of every configuration must be identical byte for byte. Also prints the ceiling this
machine allows (N independent single-process runs at once against one alone: vCPUs may share
a physical core) and the bytes of output per policy.

Run: python benchmarks/cores.py [--n 400] [--repeats 3] [--jobs 2]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(Path(__file__).resolve().parent)]

from portfolio import _portfolio  # noqa: E402  (benchmarks/portfolio.py: the same portfolio)


def _run(path: Path, jobs: int, detail: str) -> tuple[float, str, int]:
    cmd = [
        sys.executable, "-m", "ansafe_rules", "check", str(path), "--as-of", "2026-07-31",
        "--format", "jsonl", "--jobs", str(jobs), "--detail", detail, "--progress", "never",
    ]  # fmt: skip
    # the output goes to a file, as `check … > out.jsonl` writes it: read from a pipe by this
    # process, it had this process compete with the workers for the cores it measures
    with tempfile.TemporaryFile() as sink:
        t0 = time.perf_counter()
        out = subprocess.run(
            cmd, stdout=sink, stderr=subprocess.PIPE, check=False, env={**os.environ}
        )
        seconds = time.perf_counter() - t0
        if out.returncode not in (0, 1):
            raise SystemExit(out.stderr.decode())
        sink.seek(0)
        written = sink.read()
    return seconds, hashlib.sha256(written).hexdigest(), len(written)


def _ceiling(path: Path, jobs: int) -> float:
    """Throughput gain of ``jobs`` independent `--jobs 1` runs at once over one alone: what
    this machine allows for perfectly parallel work (vCPUs may share a physical core)."""
    alone = _run(path, 1, "summary")[0]
    cmd = [
        sys.executable, "-m", "ansafe_rules", "check", str(path), "--as-of", "2026-07-31",
        "--format", "jsonl", "--jobs", "1", "--progress", "never",
    ]  # fmt: skip
    with contextlib.ExitStack() as stack:  # each to a file of its own, as _run writes
        sinks = [stack.enter_context(tempfile.TemporaryFile()) for _ in range(jobs)]
        t0 = time.perf_counter()
        procs = [subprocess.Popen(cmd, stdout=sink) for sink in sinks]
        for p in procs:
            p.wait()
        together = time.perf_counter() - t0
    return jobs * alone / together


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=400, help="policies in the portfolio")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "portfolio.jsonl"
        _portfolio(path, args.n)
        times: dict[int, list[float]] = {1: [], args.jobs: []}
        digests, size = set(), 0
        for _ in range(args.repeats):
            for jobs in times:
                sec, digest, size = _run(path, jobs, "summary")
                times[jobs].append(sec)
                digests.add(digest)
        full_size = _run(path, args.jobs, "full")[2]
        ceiling = _ceiling(path, args.jobs)
    if len(digests) != 1:
        raise SystemExit("outputs differ between job counts")
    base = min(times[1])
    print(f"{'configuration':<34}{'min s':>9}{'median s':>10}{'policies/s':>12}{'speed-up':>10}")
    for jobs, secs in times.items():
        lo = min(secs)
        print(
            f"{f'--jobs {jobs}':<34}{lo:>9.2f}{statistics.median(secs):>10.2f}"
            f"{args.n / lo:>12.1f}{base / lo:>9.2f}x"
        )
    print(
        f"{'ceiling: ' + str(args.jobs) + ' independent runs at once':<34}"
        f"{'':>9}{'':>10}{'':>12}{ceiling:>9.2f}x"
    )
    print(f"identical output across job counts: yes ({args.repeats} repeats each)")
    print(f"output per policy, default (summary): {size / args.n / 1024:,.1f} KiB")
    print(f"output per policy, --detail full:     {full_size / args.n / 1024:,.1f} KiB")
    print(f"({args.n} policies: the five example projects in rotation; {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()

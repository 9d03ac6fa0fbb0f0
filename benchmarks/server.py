"""The HTTP service under load, side by side in one run: 1 vs 2 uvicorn workers, against calling
the library in-process; and the server's memory over 10,000 requests.

Each configuration starts ``ansafe-rules serve`` on 127.0.0.1 (a free port) and stops it after.
N client threads (keep-alive ``http.client`` connections, the lightest client in the standard
library) send a fixed number of ``POST /v1/check`` requests: the five example projects in
rotation, as JSON. Printed per configuration, over several repeats: requests/s (median and
best), p50/p99 latency of the median run, and the ratio to the in-process rate (the same cases
through ``parse_case`` + ``evaluate`` + ``summarize`` + JSON, CPU time, min of the repeats).
``GET /v1/health`` gives the framework's own ceiling (no evaluation).

The clients run on the same 2 cores as the server: the figures are the service's throughput
on this machine with its load generator, not the server alone.

Run: python benchmarks/server.py [--clients 8] [--requests 1000] [--repeats 3]
                                 [--memory-requests 10000]
Needs the server extra: pip install 'ansafe-rules[server]'.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

import yaml  # noqa: E402

import ansafe_rules as ar  # noqa: E402
from ansafe_rules.server.testing import serve_in_process  # noqa: E402

AS_OF = dt.date(2026, 7, 31)
PATH = f"/v1/check?as_of={AS_OF}"


def _cases() -> list[bytes]:
    return [
        json.dumps(yaml.safe_load(p.read_text(encoding="utf-8")), default=str).encode()
        for p in sorted((ROOT / "examples").glob("*.yaml"))
    ]


def _in_process_rate(cases: list[bytes], repeats: int, rounds: int = 20) -> tuple[float, float]:
    """Cases per CPU second in this process (min and median time over the repeats): what a
    Python caller gets without HTTP, for the same work the server does per request."""
    rulesets = {j: ar.load_ruleset(j) for j in ar.jurisdictions()}
    digests = {j: rs.digest for j, rs in rulesets.items()}
    cal = ar.default_calendar()
    data = [json.loads(c) for c in cases]

    def one(d: dict[str, Any]) -> str:
        parsed = ar.parse_case(d, "request")
        rs = rulesets[parsed.case.policy.jurisdiction]
        rep = ar.evaluate(rs, parsed, as_of=AS_OF, calendar=cal)
        stamp = ar.RulesetStamp(
            id=rs.id, layers=rep.layers, digest=digests[rs.id], engine_version=ar.__version__
        )
        return json.dumps(ar.summarize(rep, stamp).model_dump(mode="json"), ensure_ascii=False)

    for d in data:  # warm-up
        one(d)
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        for _ in range(rounds):
            for d in data:
                one(d)
        times.append(time.process_time() - t0)
    n = rounds * len(data)
    return n / min(times), n / statistics.median(times)


def _load(
    base: str, method: str, path: str, bodies: list[bytes], clients: int, requests: int
) -> tuple[float, list[float]]:
    """(requests/s, latencies in s) of ``requests`` requests over ``clients`` threads."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[list[float]] = [[] for _ in range(clients)]
    per = [requests // clients + (i < requests % clients) for i in range(clients)]
    errors: list[str] = []

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        try:
            for k in range(per[i]):
                body = bodies[(i + k) % len(bodies)] if bodies else None
                t0 = time.perf_counter()
                conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                latencies[i].append(time.perf_counter() - t0)
                if r.status != 200:
                    errors.append(f"HTTP {r.status}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise SystemExit(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return requests / wall, [x for xs in latencies for x in xs]


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def _rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (KiB), from /proc."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1])
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except (OSError, StopIteration):
            continue
        todo += [int(k) for k in kids]
    return total


def _server_pid(port: int) -> int:
    """The ``ansafe-rules serve`` process listening on ``port`` (its command line says so)."""
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in cmd and str(port).encode() in cmd:
                return int(d.name)
    raise SystemExit(f"no server process found for port {port}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--memory-requests", type=int, default=10_000)
    args = ap.parse_args()
    cases = _cases()
    best, median = _in_process_rate(cases, args.repeats)
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; "
        f"{args.clients} clients, {args.requests} requests "
        f"per run, {args.repeats} runs per configuration; the 5 examples in rotation"
    )
    print(
        f"in-process library (one core): {best:8.1f} cases/s best, {median:8.1f} median (CPU time)"
    )
    print(
        f"{'configuration':<28}{'req/s median':>14}{'best':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'vs in-process':>15}"
    )
    for workers in (1, 2):
        with serve_in_process(workers=workers) as base:
            _load(base, "POST", PATH, cases, args.clients, 50)  # warm-up
            for label, method, path, bodies in (
                (f"check, {workers} worker(s)", "POST", PATH, cases),
                (f"health, {workers} worker(s)", "GET", "/v1/health", []),
            ):
                runs = [
                    _load(base, method, path, bodies, args.clients, args.requests)
                    for _ in range(args.repeats)
                ]
                rates = [r for r, _ in runs]
                mid = sorted(runs, key=lambda r: r[0])[len(runs) // 2][1]
                ratio = f"{statistics.median(rates) / median:14.2f}x" if bodies else f"{'':>15}"
                print(
                    f"{label:<28}{statistics.median(rates):14.1f}{max(rates):9.1f}"
                    f"{_pct(mid, 50) * 1000:9.1f}{_pct(mid, 99) * 1000:9.1f}{ratio}"
                )
    # memory: one worker, RSS after a warm-up and after --memory-requests more requests
    with serve_in_process(workers=1) as base:
        port = int(base.rsplit(":", 1)[1])
        pid = _server_pid(port)
        _load(base, "POST", PATH, cases, args.clients, 500)
        before = _rss_kib(pid)
        _load(base, "POST", PATH, cases, args.clients, args.memory_requests)
        after = _rss_kib(pid)
    print(
        f"memory (1 worker): {before / 1024:.1f} MiB after 500 requests, {after / 1024:.1f} "
        f"MiB after {args.memory_requests:,} more ({(after - before) / 1024:+.1f} MiB, "
        f"{after / before:.3f}x)"
    )
    print(
        f"load average {os.getloadavg()[0]:.1f} at the end: other work on the machine shares "
        "its 2 cores with the server and the clients"
    )


if __name__ == "__main__":
    main()

"""The live monitor's throughput and memory, side by side in one run (CPU time, min/median of
several repeats):

- events/s through ``Monitor.post`` (in-memory state, and an SQLite file committed in batches
  of 64 as the command line does);
- durable-rules' bare ``post`` of the same events (the change facts the monitor matches, into
  the same compiled ruleset, without judging anything);
- re-running ``evaluate`` on the policy's whole case after each event (what a batch checker
  would do to answer as events arrive);
- peak memory (RSS) and state size with 1,000 vs 100,000 open obligations (each size in its
  own process).

Needs the extra: ``pip install 'ansafe-rules[monitor]'``. Run: ``python benchmarks/monitor.py``
(``--events N``, ``--repeats N``, ``--sizes 1000,100000``).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ansafe_rules as ar
from ansafe_rules.monitor import Monitor, events_from_case
from ansafe_rules.monitor.events import NAMED, parse_event

ROOT = Path(__file__).resolve().parent.parent


def stream(n: int) -> list[dict]:
    """``n`` events: copies of the Guangdong example under new policy ids, in time order."""
    base = events_from_case(ar.load_case_file(ROOT / "examples" / "guangdong-housing.yaml"))
    out: list[tuple[str, int, dict]] = []
    k = 0
    while len(out) < n:
        for ev in base:
            new = {**ev, "policy_id": f"P-{k}"}
            if "policy" in ev:  # the issue event names the policy twice
                new["policy"] = {**ev["policy"], "policy_id": f"P-{k}"}
            out.append((ev["at"], len(out), new))
        k += 1
    out.sort(key=lambda t: (t[0], t[1]))
    return [ev for _, _, ev in out[:n]]


def facts(events: list[dict]) -> list[dict]:
    """The change fact the monitor asserts for each event (collection, new?, fields)."""
    seen: set[tuple] = set()
    out = []
    for i, raw in enumerate(events):
        ev = parse_event(raw)
        if ev.type in ("policy_issued", "policy_updated"):
            out.append({"id": i, "c": "policy", "new": ev.type == "policy_issued"})
            continue
        coll = ev.collection.value if ev.type == "record" else NAMED[ev.type][0]
        key = (ev.policy_id, coll, ev.id)
        fields = dict(ev.fields)
        if ev.type in NAMED:
            fields[NAMED[ev.type][1]] = raw["at"]
        fact = {"id": i, "c": coll, "new": key not in seen}
        fact.update({f"f_{k}": True for k in fields})
        seen.add(key)
        out.append(fact)
    return out


def cpu(fn) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def bench(n: int, repeats: int) -> None:
    rs = ar.load_ruleset("guangdong")
    events = stream(n)
    change = facts(events)
    rows: dict[str, list[float]] = {
        "monitor (memory)": [],
        "monitor (SQLite file, batches of 64)": [],
        "durable-rules bare post": [],
        "evaluate the case on each event": [],
    }
    for _ in range(repeats):
        with Monitor(rs) as mon:
            rows["monitor (memory)"].append(cpu(lambda m=mon: [m.post(e) for e in events]))
        with tempfile.TemporaryDirectory() as tmp, Monitor(rs, state=Path(tmp) / "s.db") as mon:

            def batched(m: Monitor = mon) -> None:
                for i in range(0, len(events), 64):
                    with m.batch():
                        for e in events[i : i + 64]:
                            m.post(e)

            rows["monitor (SQLite file, batches of 64)"].append(cpu(batched))
            cases = {}
            spent = 0.0
            # what a batch checker does: the whole case of the event's policy, judged again
            with Monitor(rs) as again:
                for e in events:
                    again.post(e)
                    pid = e.get("policy_id")
                    if pid is None:
                        continue
                    cases[pid] = again.case(pid)
                    day = again.clock
                    t = time.process_time()
                    ar.evaluate(rs, cases[pid], as_of=day)
                    spent += time.process_time() - t
            rows["evaluate the case on each event"].append(spent)
            mon._matcher.post_bare({"id": -1, "c": "warm-up"})
            rows["durable-rules bare post"].append(
                cpu(lambda m=mon: [m._matcher.post_bare(f) for f in change])
            )
    base = min(rows["monitor (memory)"])
    print(f"{n:,} events of the Guangdong example (×{n // 76 + 1} policies), ruleset guangdong")
    print(f"{'':40} {'min s':>8} {'median s':>9} {'events/s':>10} {'vs monitor':>11}")
    for name, ts in rows.items():
        lo = min(ts)
        print(
            f"{name:40} {lo:8.3f} {statistics.median(ts):9.3f} {n / lo:10,.0f} {base / lo:10.2f}x"
        )


def memory_child(open_target: int, state: str) -> None:
    """Issue policies until ``open_target`` obligations are open; print RSS and state size."""
    rs = ar.load_ruleset("national")
    policy = {
        "jurisdiction": "national",
        "insurer": "I",
        "insured": "J",
        "industry": "construction",
        "above_designated_size": True,
        "term_start": "2025-07-01",
        "term_end": "2026-06-30",
        "contract_services": [
            {"service_kind": "hazard_inspection", "min_count": 1, "per": "month"},
            {"service_kind": "training", "min_count": 1, "per": "quarter"},
        ],
    }
    with Monitor(rs, state=state) as mon:
        k = 0
        while mon.open_obligations() < open_target:
            with mon.batch():
                for _ in range(50):
                    pid = f"P-{k}"
                    mon.post(
                        {
                            "type": "policy_issued",
                            "policy_id": pid,
                            "at": "2025-07-01",
                            "policy": {**policy, "policy_id": pid},
                        }
                    )
                    k += 1
        n_open = mon.open_obligations()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = sum(p.stat().st_size for p in Path(state).parent.glob(Path(state).name + "*"))
    print(json.dumps({"open": n_open, "policies": k, "rss_mb": rss, "state_mb": size / 2**20}))


def memory(sizes: list[int]) -> None:
    print("\npeak memory with N open obligations (national ruleset; SQLite file state)")
    print(f"{'open':>9} {'policies':>9} {'peak RSS MB':>12} {'state MB':>9}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(n), str(Path(tmp) / "s.db")],
                capture_output=True,
                text=True,
                check=True,
            )
        r = json.loads(out.stdout)
        print(f"{r['open']:9,} {r['policies']:9,} {r['rss_mb']:12.1f} {r['state_mb']:9.1f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=3000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--sizes", default="1000,100000")
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        memory_child(int(args.child[0]), args.child[1])
        return
    print(f"ansafe_rules {ar.__version__}: CPU time, {args.repeats} repeats")
    bench(args.events, args.repeats)
    memory([int(x) for x in args.sizes.split(",")])


if __name__ == "__main__":
    main()

"""What the to-do list and its outputs cost beside the evaluation itself, per example policy.

For each shipped example: CPU time of ``evaluate_rows`` (the evaluation every output needs),
then of ``todo()`` on it, of the calendar, of the CSV and (with openpyxl) of the XLSX rows,
each as a ratio to the evaluation. Several repeats in one run; min and median printed.
Run: python benchmarks/todo.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import ansafe_rules as ar

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 7, 31)
STAMP = dt.datetime(2026, 7, 31, tzinfo=dt.UTC)


def _cpu(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        out.append(time.process_time() - t0)
    return out


def _example(path: Path, repeat: int, xlsx: bool, tmp: Path) -> None:
    """Time each step on one example and print its rows."""
    parsed = ar.load_case_file(path)
    rules = ar.load_ruleset(parsed.case.policy.jurisdiction)
    ev = ar.evaluate_rows(rules, parsed, as_of=AS_OF)
    items = ar.todo(ev)
    obligations = [o.model() for o in ev.obligations]
    steps: dict[str, Callable[[], object]] = {
        "evaluate_rows": lambda: ar.evaluate_rows(rules, parsed, as_of=AS_OF),
        "todo()": lambda: ar.todo(ev),
        "obligations_to_ical": lambda: ar.obligations_to_ical(
            ev.policy_id, obligations, stamp=STAMP
        ),
        "write_csv": lambda: ar.write_csv(items, ar.TodoItem, io.StringIO()),
    }
    if xlsx:
        steps["write_xlsx"] = lambda: ar.write_xlsx(
            items, ar.TodoItem, tmp / "t.xlsx", sheet="义务清单"
        )
    times = {name: _cpu(fn, repeat) for name, fn in steps.items()}
    base = statistics.median(times["evaluate_rows"])
    for name, ts in times.items():
        med = statistics.median(ts)
        print(
            f"{path.stem:<24}{name:<22}{min(ts) * 1000:>9.1f}{med * 1000:>11.1f}"
            f"{med / base:>13.2f}x"
        )
    print(f"{'':<24}({len(items)} items, {sum(t.date is None for t in items)} standing)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    try:
        import openpyxl  # noqa: F401

        xlsx = True
    except ImportError:
        xlsx = False
    tmp = Path(tempfile.mkdtemp(prefix="ansafe-todo-bench-"))
    print(f"{'example':<24}{'step':<22}{'min ms':>9}{'median ms':>11}{'x evaluation':>14}")
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        _example(path, args.repeat, xlsx, tmp)
    if not xlsx:
        print("(openpyxl not installed: no XLSX row; pip install 'ansafe-rules[xlsx]')")
    print(f"CPU time (time.process_time), {args.repeat} repeats each, as of {AS_OF}")


if __name__ == "__main__":
    main()

"""Due-date computations per second: ansafe_rules' calendar vs holidays' get_nth_working_day.

Same random triggers (2019-2026) and N (1-30) for both; prints one side-by-side table.
Run: python benchmarks/due_dates.py [--n 20000] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

import holidays

from ansafe_rules import WorkCalendar


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000, help="computations per contender")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    start = dt.date(2019, 1, 1).toordinal()
    span = dt.date(2026, 10, 31).toordinal() - start
    cases = [
        (dt.date.fromordinal(start + rnd.randrange(span)), rnd.randint(1, 30))
        for _ in range(args.n)
    ]

    t0 = time.perf_counter()
    cal = WorkCalendar()
    build = time.perf_counter() - t0
    ref = holidays.China(years=range(2018, 2028), language="zh_CN")

    t0 = time.perf_counter()
    ours = [cal.add_workdays(d, n) for d, n in cases]
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = [ref.get_nth_working_day(d, n) for d, n in cases]
    t_theirs = time.perf_counter() - t0

    assert ours == theirs, "the two calendars disagree"
    r_ours, r_theirs = args.n / t_ours, args.n / t_theirs
    print(f"{'contender':<40}{'due dates/s':>14}{'ratio':>9}")
    print(
        f"{'ansafe_rules WorkCalendar.add_workdays':<40}{r_ours:>14,.0f}{r_ours / r_theirs:>8.1f}x"
    )
    print(f"{'holidays China.get_nth_working_day':<40}{r_theirs:>14,.0f}{1:>8.1f}x")
    print(
        f"(same {args.n:,} triggers, N in 1..30, all answers equal; "
        f"index build {build * 1000:.0f} ms, holidays {holidays.__version__})"
    )


if __name__ == "__main__":
    main()

"""Spark engine throughput: policies/s in local[1] vs local[2] vs the library in-process, side
by side in one run, on the same portfolio (the portfolio benchmark's: the five examples in
rotation with new policy ids).

- library: ``ansafe_rules.evaluate_portfolio`` + ``summarize`` rows in this process, the work
  each Spark task does (CPU time and wall time);
- Spark ``local[1]`` and ``local[2]``: the engine's executor code (``mapInArrow``, as
  ``evaluate_dataframe`` runs it) written to Spark's ``noop`` sink: wall time, and the CPU time
  of the Python workers (summed per partition through an accumulator; the JVM's is not
  counted); ``local[2]`` also with a ``mapInPandas`` variant of the same executor code, the
  evidence for using ``mapInArrow``;
- executor set-up: unpickling the broadcast (what the engine does) vs loading the five rulesets
  from the registry (the alternative), CPU ms, and the broadcast's size.

Each configuration runs once to warm up (JVM, Python workers), then ``--repeats`` times: min
and median. The machine is shared and noisy: compare ratios from one run.

Run: python benchmarks/spark.py [--n 1000] [--repeats 3]   (needs ansafe-rules[spark] and java)
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import pickle
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(Path(__file__).resolve().parent)]

from portfolio import _portfolio  # noqa: E402  (benchmarks/portfolio.py: the same portfolio)

import ansafe_rules as ar  # noqa: E402
from ansafe_rules import spark as ars  # noqa: E402

AS_OF = dt.date(2026, 7, 31)


def _stats(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def _library(path: Path) -> tuple[float, float, int]:
    """(CPU s, wall s, rows) for the single-machine run producing the same rows."""
    c0, w0 = time.process_time(), time.perf_counter()
    blob = ars.make_payload(as_of=AS_OF, source=str(path))
    rows = sum(1 for _ in ars.evaluate_items(_items(path), blob))
    return time.process_time() - c0, time.perf_counter() - w0, rows


def _items(path: Path) -> Iterator[tuple[int, str | None, str | None]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            yield n, None, line


def _pandas_partition(batches: Iterator[Any], *, blob_bc: Any) -> Iterator[Any]:
    """The engine's executor code behind mapInPandas instead of mapInArrow."""
    import pandas as pd

    names = [c for c, _, _ in ars.COLUMNS]

    def items() -> Iterator[tuple[int, str | None, str | None]]:
        n = 0
        for frame in batches:
            for text in frame["case"]:
                n += 1
                yield n, None, text

    out = []
    for row in ars.evaluate_items(items(), blob_bc.value):
        out.append(row)
        if len(out) >= 4096:
            yield pd.DataFrame(out, columns=names)
            out = []
    if out:
        yield pd.DataFrame(out, columns=names)


def _timed(batches: Iterator[Any], *, inner: Callable[..., Iterator[Any]], acc: Any) -> Any:
    """``inner`` over a partition, adding the Python worker's CPU seconds to ``acc``."""
    c0 = time.process_time()
    yield from inner(batches)
    acc.add(time.process_time() - c0)


def _spark_runs(
    master: str, path: Path, repeats: int, pandas: bool
) -> dict[str, list[tuple[float, float]]]:
    """{variant: [(wall s, Python worker CPU s)]} for ``repeats`` runs after a warm-up."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.files.maxPartitionBytes", str(512 * 1024))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    df = spark.read.text(str(path)).withColumnRenamed("value", "case")
    blob_bc = spark.sparkContext.broadcast(ars.make_payload(as_of=AS_OF, source=str(path)))
    narrow = df.select("case", _no_id())
    offsets = ars._row_offsets(narrow)
    variants = {
        "arrow": functools.partial(
            ars._map_partition, blob_bc=blob_bc, offsets=offsets, batch_rows=4096
        )
    }
    if pandas:
        variants["pandas"] = functools.partial(_pandas_partition, blob_bc=blob_bc)
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in variants}
    try:
        for k, inner in variants.items():
            for i in range(repeats + 1):  # the first is a warm-up
                acc = spark.sparkContext.accumulator(0.0)
                body = functools.partial(_timed, inner=inner, acc=acc)
                run = narrow.mapInArrow if k == "arrow" else narrow.mapInPandas
                t0 = time.perf_counter()
                run(body, ars.spark_schema()).write.format("noop").mode("overwrite").save()
                if i:
                    times[k].append((time.perf_counter() - t0, acc.value))
    finally:
        spark.stop()
    return times


def _no_id() -> Any:
    """The engine's id column when there is no id_col."""
    from pyspark.sql import functions as F

    return F.lit(None).cast("string").alias("id")


def _setup_costs() -> tuple[float, float, int]:
    """(ms to unpickle the broadcast, ms to load the five rulesets, broadcast bytes), CPU."""
    blob = ars.make_payload(as_of=AS_OF)
    body = blob.partition(b"\0")[2]
    unpickle, load = [], []
    for _ in range(5):
        c0 = time.process_time()
        pickle.loads(body)
        unpickle.append(time.process_time() - c0)
        c0 = time.process_time()
        for j in ar.jurisdictions():
            ar.load_ruleset(j)
        load.append(time.process_time() - c0)
    return min(unpickle) * 1e3, min(load) * 1e3, len(blob)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000, help="policies in the portfolio")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.jsonl"
        _portfolio(path, args.n)
        _library(path)  # warm imports and caches
        lib = [_library(path) for _ in range(args.repeats)]
        one = _spark_runs("local[1]", path, args.repeats, pandas=False)
        two = _spark_runs("local[2]", path, args.repeats, pandas=True)
    unpickle_ms, load_ms, size = _setup_costs()
    n = args.n
    rows = {
        "library in-process": [(w, c) for c, w, _ in lib],
        "spark local[1] mapInArrow": one["arrow"],
        "spark local[2] mapInArrow": two["arrow"],
        "spark local[2] mapInPandas": two["pandas"],
    }
    print(f"{n} policies, {lib[0][2]} finding rows; {args.repeats} repeats after a warm-up")
    print(
        f"{'configuration':<28}{'wall pol/s best':>16}{'median':>8}{'vs lib':>8}"
        f"{'Python CPU ms/pol best':>24}{'median':>8}{'vs lib':>8}"
    )
    lib_wall = min(w for w, _ in rows["library in-process"])
    lib_cpu = min(c for _, c in rows["library in-process"])
    for name, runs in rows.items():
        wall = _stats([w for w, _ in runs])
        cpu = _stats([c for _, c in runs])
        print(
            f"{name:<28}{n / wall[0]:>16,.0f}{n / wall[1]:>8,.0f}{lib_wall / wall[0]:>7.2f}x"
            f"{cpu[0] / n * 1e3:>24.2f}{cpu[1] / n * 1e3:>8.2f}{cpu[0] / lib_cpu:>7.2f}x"
        )
    l1 = _stats([w for w, _ in one["arrow"]])[0]
    l2 = _stats([w for w, _ in two["arrow"]])[0]
    lp = _stats([w for w, _ in two["pandas"]])[0]
    print(
        f"local[2] over local[1], wall: {l1 / l2:.2f}x; mapInArrow over mapInPandas: {lp / l2:.2f}x"
    )
    print(
        f"executor set-up (CPU): unpickle the broadcast {unpickle_ms:.1f} ms vs load the "
        f"{len(ar.jurisdictions())} rulesets {load_ms:.1f} ms ({load_ms / unpickle_ms:.0f}x); "
        f"broadcast {size / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()

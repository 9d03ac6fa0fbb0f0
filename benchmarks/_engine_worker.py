"""Measures one engine (whichever ``ansafe_rules`` is importable) on scaled cases; prints JSON.
Run by benchmarks/engine.py, once for this checkout and once for the baseline release, so both
are timed on the same machine in the same run. Not meant to be run by hand."""

from __future__ import annotations

import datetime as dt
import gc
import inspect
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scaled import examples, scaled

import ansafe_rules as ar

try:  # the CLI's own writer, imported before anything is timed (an engine may not have it)
    from ansafe_rules.cli import _record_parts, _Render
    from ansafe_rules.portfolio import Outcome
except ImportError:
    _record_parts = None

AS_OF = dt.date(2026, 7, 31)
SHOWN = {"violation", "pending", "insufficient_data", "data_error"}


BATCH = 4 if hasattr(ar, "evaluate_batch") else 1
"""Policies `check` evaluates together (an engine without evaluate_batch: one at a time)."""


def _evaluations(rs: Any, parsed: list[Any]) -> list[Any]:
    """The lean evaluations of ``parsed`` as `check` makes them: ``BATCH`` at a time."""
    if BATCH == 1:
        return [ar.evaluate_rows(rs, p, as_of=AS_OF, lean=True) for p in parsed]
    return ar.evaluate_batch(rs, parsed, as_of=AS_OF, lean=True)


def _output(rs: Any, parsed: Any, stamp: Any) -> str:
    """What `check --format jsonl` writes for one policy by default (needing attention only);
    for a list of policies (an engine with batches), the lines of all of them."""
    if isinstance(parsed, list):
        from ansafe_rules.outputs import Status

        shown = {Status(s) for s in SHOWN}
        return "".join(_write(ev, stamp, shown) for ev in _evaluations(rs, parsed))
    if hasattr(ar, "evaluate_rows"):  # compact rows, explanations on demand
        from ansafe_rules.outputs import Status

        lean = {"lean": True} if "lean" in inspect.signature(ar.evaluate_rows).parameters else {}
        ev = ar.evaluate_rows(rs, parsed, as_of=AS_OF, **lean)
        return _write(ev, stamp, {Status(s) for s in SHOWN})
    rep = ar.evaluate(rs, parsed, as_of=AS_OF)
    rep = rep.model_copy(
        update={"findings": tuple(f for f in rep.findings if f.status.value in SHOWN)}
    )
    return ar.summarize(rep, stamp).model_dump_json()


def _write(ev: Any, stamp: Any, shown: set[Any], lang: str = "en") -> str:
    """One evaluation as `check --format jsonl` writes it by default: the CLI's own writer
    (compact summary with source, line and breaches) where the engine has it, else its
    summary dumped from the models."""
    if _record_parts is None or not hasattr(ev, "row_dicts"):
        return ev.summary(stamp, statuses=shown, obligations=False).model_dump_json()
    out = Outcome(source="portfolio.jsonl", line=1, policy_id=ev.policy_id, evaluation=ev)
    return "".join(_record_parts(out, _Render("jsonl", lang=lang), _Stamps(stamp)))


class _Stamps:
    """What the CLI's writer asks of its ruleset cache: the stamp (one per ruleset here)."""

    def __init__(self, stamp: Any) -> None:
        self._stamp = stamp

    def stamp(self, name: str, layers: tuple[str, ...]) -> Any:
        return self._stamp


def _line_bytes(rs: Any, parsed: list[Any], stamp: Any) -> dict[str, float]:
    """Mean bytes (UTF-8, with the newline) of the line `check --format jsonl` writes per
    policy by default, in English and in Chinese (zh under a Chinese locale)."""
    from ansafe_rules.outputs import Status

    shown = {Status(s) for s in SHOWN}
    out = {}
    for lang in ("en", "zh"):
        total = 0
        for p in parsed:
            ev = ar.evaluate_rows(rs, p, as_of=AS_OF, lean=True)
            total += len(_write(ev, stamp, shown, lang).encode()) + 1
        out[lang] = total / len(parsed)
    return out


def _none() -> None:
    """Stands for ``evaluate_rows`` in an engine without it."""


def _split(rs: Any, parsed: list[Any], stamp: Any, repeats: int, warm: Any) -> dict[str, Any]:
    """The default output in its two parts, timed apart in each pass: the lean evaluation,
    then building and writing what it shows (rows, bindings, JSON) from those evaluations
    (fresh ones each pass: a row's sentence, once rendered, is kept); after one untimed pass
    over ``warm`` in both languages."""
    from ansafe_rules.outputs import Status

    shown = {Status(s) for s in SHOWN}
    for lang in ("en", "zh"):
        _write(ar.evaluate_rows(rs, warm, as_of=AS_OF, lean=True), stamp, shown, lang)
    times: dict[str, list[float]] = {"evaluate": [], "write": [], "write_zh": []}
    for _ in range(repeats):
        gc.collect()
        t0 = time.process_time()
        evs = [ev for b in _batches(parsed) for ev in _evaluations(rs, b)]
        t1 = time.process_time()
        for ev in evs:
            _write(ev, stamp, shown)
        t2 = time.process_time()
        times["evaluate"].append((t1 - t0) / len(parsed))
        times["write"].append((t2 - t1) / len(parsed))
        # the same in Chinese (--lang zh: the default under a Chinese locale), from fresh
        # evaluations (an evaluation keeps the English sentences it rendered)
        evs = [ev for b in _batches(parsed) for ev in _evaluations(rs, b)]
        t3 = time.process_time()
        for ev in evs:
            _write(ev, stamp, shown, "zh")
        times["write_zh"].append((time.process_time() - t3) / len(parsed))
    return {k: (min(v), statistics.median(v)) for k, v in times.items()}


def _batches(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]


def _cpu_batched(fn: Any, items: list[Any], repeats: int, warm: Any) -> tuple[float, float]:
    """:func:`_cpu` per policy of ``fn`` called on ``BATCH`` policies at a time, as `check`
    evaluates them (one at a time for an engine without batches)."""
    batches = _batches(items)
    per_batch = _cpu(fn, batches, repeats, [warm])
    scale = len(batches) / len(items)
    return per_batch[0] * scale, per_batch[1] * scale


def _cpu(fn: Any, items: list[Any], repeats: int, warm: Any) -> tuple[float, float]:
    """(min, median) CPU seconds per item over ``repeats`` passes, after one untimed call on
    ``warm`` (another policy of the same shape: see :func:`main`)."""
    fn(warm)
    times = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.process_time()
        for x in items:
            fn(x)
        times.append((time.process_time() - t0) / len(items))
    return min(times), statistics.median(times)


def main() -> None:
    cfg = json.loads(sys.argv[1])
    out: dict[str, Any] = {}
    cases = examples()
    for j in cfg["jurisdictions"]:
        rs = ar.load_ruleset(j)
        layers = tuple(li.id for li in rs.layers)
        digest = getattr(rs, "digest", "0" * 64)  # as long as a real one (bytes are counted)
        version = ar.__version__
        stamp = ar.RulesetStamp(id=rs.id, layers=layers, digest=digest, engine_version=version)
        for size in cfg["sizes"]:
            n = max(2, cfg["policies"] * 50 // max(size, 50))
            raw = [scaled(cases[j], size, f"P{i:06d}") for i in range(n)]
            parsed = [ar.parse_case(x) for x in raw]
            # each measure first runs once, untimed, on one more policy: what a process pays
            # once (imports done lazily, the message catalogue, a ruleset's compiled conditions
            # and plan) is paid once per portfolio, not once per 20 policies
            warm_raw = scaled(cases[j], size, "W000000")
            warm = ar.parse_case(warm_raw)
            key = f"{j}/{size}"
            out[key] = {
                "validate": _cpu(ar.parse_case, raw, cfg["repeats"], warm_raw),
                "output": (_cpu_batched if BATCH > 1 else _cpu)(
                    lambda p, rs=rs, st=stamp: _output(rs, p, st), parsed, cfg["repeats"], warm
                ),
            }
            if "lean" in inspect.signature(getattr(ar, "evaluate_rows", _none)).parameters:
                out[key].update(_split(rs, parsed, stamp, cfg["repeats"], warm))
                out[key]["bytes"] = _line_bytes(rs, parsed, stamp)
            if cfg["full"]:
                out[key]["full"] = _cpu(
                    lambda p, rs=rs: ar.evaluate(rs, p, as_of=AS_OF),
                    parsed,
                    cfg["repeats"],
                    warm,
                )
    print(json.dumps(out))


if __name__ == "__main__":
    main()

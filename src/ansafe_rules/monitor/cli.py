"""``ansafe-rules monitor``: events as JSON Lines in, alerts out (JSON Lines or a table), state
in SQLite. Registered by :mod:`ansafe_rules.cli`; durable-rules is imported only when a monitor
runs (``--events-from`` needs none).

Restart: the state file holds the last committed event's sequence number (the n-th non-blank
line of the input); run the same command again and it skips the lines already taken (checking
the last one is the same text) and goes on. With ``--output FILE`` every alert is written
exactly once across kills (the file is cut back to the length committed with the last batch);
on stdout, alerts committed but not yet confirmed written are written again on restart
(at least once; ``alert_id`` tells a repeat).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from ..cli import _error_id  # the usage errors' form: both languages, Chinese first
from ..i18n import bilingual
from ..rulesets import DUTY_HOLDER_ZH, DutyHolder
from .alerts import KIND_LABELS, Alert

__all__ = ["add_parser", "run"]

_INSTALL = "pip install 'ansafe-rules[monitor]'"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``monitor`` subcommand to the main parser's subparsers."""
    p = subparsers.add_parser(
        "monitor",
        help=f"live obligation monitor: events (JSON Lines) in, alerts out (needs {_INSTALL})",
        description="Take events as JSON Lines (a file, or - for stdin) and write alerts as they "
        "arise; state (events, alerts, facts) is kept in an SQLite file so a killed run resumes "
        "where it stopped. docs/monitor.md describes the events and alerts.",
    )
    p.add_argument("events", nargs="?", default="-", help="events file (JSON Lines) or - (stdin)")
    p.add_argument("--jurisdiction", help="ruleset id (e.g. guangdong) or a ruleset file")
    p.add_argument("--ruleset-path", action="append", default=[], type=Path)
    p.add_argument(
        "--state", type=Path, default=Path("monitor.db"), help="SQLite state file (monitor.db)"
    )
    p.add_argument("--follow", action="store_true", help="keep reading a growing file")
    p.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    p.add_argument(
        "--output", type=Path, default=None, help="append alerts here (exactly once across kills)"
    )
    p.add_argument(
        "--due-soon-lead", type=int, default=3, metavar="N", help="working days (default 3)"
    )
    p.add_argument(
        "--batch", type=int, default=64, metavar="N", help="events per transaction (default 64)"
    )
    p.add_argument(
        "--events-from",
        type=Path,
        default=None,
        metavar="CASE",
        help="print the event stream a case file implies (JSON Lines) and exit",
    )
    p.add_argument(
        "--schema", action="store_true", help="print the JSON Schema of events and alerts"
    )
    return p


def _lines(path: str, follow: bool, stop: list[bool]) -> Iterator[str]:
    """Non-blank lines of the input; with ``follow``, wait for more at the end of a file."""
    if path == "-":
        import sys

        for line in sys.stdin:
            if line.strip():
                yield line
        return
    with open(path, encoding="utf-8") as fh:
        pending = ""
        while not stop[0]:
            line = fh.readline()
            if not line:
                if not follow:
                    break
                time.sleep(0.2)  # the command line polls a growing file; the library never waits
                continue
            pending += line
            if not pending.endswith("\n") and follow:
                continue  # a line still being written
            if pending.strip():
                yield pending
            pending = ""
        if pending.strip():
            yield pending


_W = {"W", "F"}


def _pad(text: str, width: int) -> str:
    shown = sum(2 if unicodedata.east_asian_width(ch) in _W else 1 for ch in text)
    return text + " " * max(1, width - shown)


TABLE_HEADER = (
    _pad(bilingual("monitor.col.date"), 12)
    + _pad(bilingual("monitor.col.alert"), 24)
    + _pad(bilingual("monitor.col.policy"), 16)
    + _pad(bilingual("monitor.col.rule"), 44)
    + _pad(bilingual("monitor.col.duty_holder"), 22)
    + _pad(bilingual("monitor.col.due"), 12)
    + bilingual("monitor.col.message")
)


def _row(a: Alert) -> str:
    zh, en = KIND_LABELS[a.kind]
    who = ""
    if a.duty_holder is not None:
        who = f"{DUTY_HOLDER_ZH[DutyHolder(a.duty_holder)]} {a.duty_holder}"
    rule = f"{a.rule_id or '-'} {a.clause or ''}".strip()
    due = str(a.due_date) if a.due_date else (str(a.window.end) if a.window else "-")
    return (
        _pad(str(a.at), 12)
        + _pad(f"{zh} {en}", 24)
        + _pad(a.policy_id or "-", 16)
        + _pad(rule, 44)
        + _pad(who or "-", 22)
        + _pad(due, 12)
        + a.message_zh
        + " / "
        + a.message_en
    )


def _render(alerts: list[Alert], fmt: str) -> str:
    if fmt == "table":
        return "".join(_row(a) + "\n" for a in alerts)
    return "".join(a.model_dump_json() + "\n" for a in alerts)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``ansafe-rules monitor``; returns the exit code (0 done, 2 could not run)."""
    if args.schema:
        from . import json_schemas

        out.write(json.dumps(json_schemas(), ensure_ascii=False, indent=2) + "\n")
        return 0
    if args.events_from is not None:
        from ..inputs import load_case_file
        from .events import events_from_case

        for ev in events_from_case(load_case_file(args.events_from)):
            out.write(json.dumps(ev, ensure_ascii=False) + "\n")
        return 0
    if not args.jurisdiction:
        return _error_id(err, "monitor.needs_jurisdiction")
    if args.batch < 1:
        return _error_id(err, "monitor.batch_min")
    try:
        from .core import Monitor
    except ImportError:
        return _error_id(err, "monitor.needs_durable", install=_INSTALL)
    from ..loader import load_ruleset

    rs = load_ruleset(args.jurisdiction, search_paths=args.ruleset_path)
    stop = [False]

    def _stop(signum: int, frame: Any) -> None:
        stop[0] = True

    old = signal.signal(signal.SIGTERM, _stop) if args.follow else None
    try:
        with Monitor(rs, state=args.state, due_soon_lead=args.due_soon_lead) as mon:
            return _loop(mon, args, out, err, stop)
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)


def _open_output(mon: Any, path: Path) -> Any:
    """The output file, cut back to what the state says was committed."""
    committed = int(mon.meta("out_bytes") or 0)
    fh = open(path, "a+b")  # noqa: SIM115 - kept open for the run
    size = fh.seek(0, os.SEEK_END)
    if size < committed:
        fh.close()
        raise _OutputChanged(path=path, size=size, committed=committed)
    if size > committed:
        fh.truncate(committed)  # alerts of a batch that never committed
    return fh


class _OutputChanged(Exception):
    """The output file is not what the state committed (its message's arguments)."""

    def __init__(self, **args: Any) -> None:
        super().__init__(args)
        self.args_ = args


def _loop(mon: Any, args: argparse.Namespace, out: TextIO, err: TextIO, stop: list[bool]) -> int:
    skip = mon.last_seq
    try:
        fh = _open_output(mon, args.output) if args.output else None
    except _OutputChanged as exc:
        return _error_id(err, "monitor.output_changed", **exc.args_)
    if fh is None:  # stdout: alerts committed but not confirmed written go out first
        printed = int(mon.meta("printed_seq") or 0)
        if printed < skip:
            out.write(_render(mon.alerts(after_seq=printed), args.format))
            out.flush()
            with mon.batch({"printed_seq": str(skip)}):
                pass
    if args.format == "table" and skip == 0 and fh is None:
        out.write(TABLE_HEADER + "\n")
    from .core import canonical

    seq = 0
    batch: list[str] = []

    def flush() -> None:
        if not batch:
            return
        with mon.batch() as meta:
            alerts = [a for line in batch for a in mon.post(line)]
            text = _render(alerts, args.format)
            if fh is not None:
                fh.write(text.encode("utf-8"))
                fh.flush()
                meta["out_bytes"] = str(fh.tell())
        if fh is None:
            out.write(text)
            out.flush()
            with mon.batch({"printed_seq": str(mon.last_seq)}):
                pass
        batch.clear()

    try:
        for line in _lines(args.events, args.follow, stop):
            seq += 1
            if seq <= skip:
                if seq == skip and mon.event_digest(seq) != _sha(canonical(line)):
                    return _error_id(
                        err, "monitor.other_stream", events=args.events, seq=seq, state=args.state
                    )
                continue
            batch.append(line)
            if len(batch) >= (1 if args.follow else args.batch):
                flush()
        flush()
    finally:
        if fh is not None:
            fh.close()
    if seq < skip:
        return _error_id(
            err, "monitor.short_stream", events=args.events, seq=seq, state=args.state, skip=skip
        )
    return 0


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()

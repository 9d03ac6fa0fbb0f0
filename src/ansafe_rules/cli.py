"""Command line: ``ansafe-rules check|obligations|diff|rules|validate|schema``.

Exit codes: 0 no violations; 1 violations (or record-level data errors) found; 2 something
could not be evaluated — a file, a portfolio line or a policy that cannot be read at all (the
summary on stderr says how many), a bad ruleset, or bad usage; 141 when the reader of stdout went
away (e.g. ``| head``) or stdout is closed (``>&-``): nothing more is written, quietly. Bad input
prints one clear message naming the file, line/record and field, never a traceback; in a
portfolio the other lines are still evaluated.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import functools
import io
import itertools
import json
import os
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from pydantic_core import PydanticSerializationError, to_json

from ._errors import AnsafeError, error_at
from ._version import __version__
from ._yaml import load_yaml_text
from .bindings import binding_note
from .breaches import breach_counts, breach_groups, summary_text
from .calendar import WorkCalendar, load_calendar_overrides
from .diff import describe_rule, diff, format_diff
from .evaluate import Evaluation, Obligation, Status, evaluate_rows
from .i18n import Lang, bilingual, both, label, lang_from_env, pair, plural
from .i18n import text as _t
from .ical import DEFAULT_REMINDERS, obligations_to_ical, parse_reminders
from .inputs import DEFAULT_LIMITS, InputError, Limits, loads_json, parse_case, yaml_error
from .loader import find_source, jurisdictions, load_ruleset, quote_problems, source_dirs
from .portfolio import (
    Outcome,
    RulesetCache,
    RunSettings,
    iter_lines,
    iter_outcomes,
    jurisdiction_error,
    map_chunks,
    outcome_files,
    outcome_lines,
    run_environment,
)
from .results import AnyFinding
from .rulesets import DutyHolder, Severity
from .schema import json_schemas
from .spreadsheets import (
    FINDINGS_SHEET,
    TODO_SHEET,
    FindingSheetRow,
    finding_sheet_rows,
    write_csv,
    write_xlsx,
)
from .todo import DEFAULT_DUE_SOON, TODO_STATUS_LABELS, TodoItem, TodoStatus, counts, todo

__all__ = ["main"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _in_force(text: str) -> tuple[str, dt.date]:
    layer, sep, day = text.partition("=")
    if not sep or not layer:
        raise argparse.ArgumentTypeError(f"expected LAYER=YYYY-MM-DD, got {text!r}")
    return layer, _date(day)


def _limit(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or name not in Limits.names():
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE with NAME one of {', '.join(Limits.names())}, got {text!r}"
        )
    return name, value


def _non_negative(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(
            f"应为非负整数 — expected a whole number of working days, 0 or more, got {text!r}"
        )
    return n


def _reminders(text: str) -> tuple[dt.timedelta, ...]:
    try:
        return parse_reminders(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _limits(args: argparse.Namespace) -> Limits:
    limits = DEFAULT_LIMITS
    for name, value in args.limit:
        limits = limits.replace(name, value)
    return limits


def _common(c: argparse.ArgumentParser) -> None:
    c.add_argument(
        "--as-of", type=_date, default=None, help="judge as of this date (default: today)"
    )
    c.add_argument(
        "--jurisdiction",
        default=None,
        help="ruleset id or file (default: each policy's jurisdiction)",
    )
    c.add_argument("--layer", default=None, help="evaluate the rules of one layer only")
    c.add_argument(
        "--ruleset-path",
        action="append",
        default=[],
        type=Path,
        help="extra folder of ruleset files (repeatable)",
    )
    c.add_argument(
        "--calendar",
        type=Path,
        default=None,
        help="YAML calendar overrides (official schedules of later years)",
    )
    c.add_argument(
        "--in-force",
        action="append",
        default=[],
        type=_in_force,
        metavar="LAYER=DATE",
        help="in-force date of a layer the text does not date, e.g. xinzhou=2024-12-01",
    )
    c.add_argument(
        "--duty-holder",
        choices=[d.value for d in DutyHolder],
        default=None,
        help="only this party's duties: those it owes and those whose liability it bears "
        "(AQ 9010-2019 5.3)",
    )
    c.add_argument(
        "--limit",
        action="append",
        default=[],
        type=_limit,
        metavar="NAME=VALUE",
        help="change an input limit, e.g. max_records=500000 (docs/limits.md)",
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ansafe-rules",
        description="Evaluate 安责险 accident-prevention services against the rules.",
        epilog="exit codes: 0 no breach of a duty; 1 breaches found (advisory and assessment "
        "findings never count); 2 something could not be evaluated, or bad usage. Example: "
        "ansafe-rules check examples/*.yaml --as-of 2026-07-31",
    )
    p.add_argument("--version", action="version", version=f"ansafe-rules {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser(
        "check", help="findings for policies (YAML/JSON case, or a .jsonl portfolio)"
    )
    c.add_argument("files", nargs="+", type=Path, help="case files or portfolios; - reads stdin")
    _common(c)
    c.add_argument(
        "--format",
        choices=("table", "json", "jsonl", "xlsx", "csv"),
        default="table",
        help="xlsx/csv: one row per finding, Chinese headers (xlsx needs ansafe-rules[xlsx])",
    )
    c.add_argument("--output", type=Path, default=None, help="write here instead of stdout")
    c.add_argument("--all", action="store_true", help="also list compliant and n/a findings")
    c.add_argument(
        "--detail",
        choices=("summary", "full"),
        default="summary",
        help="JSON: compact rows of the findings needing attention (summary; --all adds "
        "compliant and n/a ones) or the full report with every trace and obligation (full)",
    )
    c.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="worker processes for .jsonl portfolios (default 0: one per core; 1: no workers)",
    )
    c.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress on stderr for portfolios (auto: when stderr is a terminal)",
    )
    _lang_option(
        c,
        "language of reasons, notes, status marks and table text (default: the locale's: "
        "zh when LC_ALL, LC_MESSAGES or LANG - the first set - starts with zh, else en); JSON "
        "keeps its codes and adds message_id/message_args to every finding",
    )
    o = sub.add_parser(
        "obligations",
        help="what is due and when: a to-do list (done / due soon / overdue / upcoming)",
        epilog="json is one JSON array (as under check), jsonl one line per policy; ics is "
        "one calendar per policy (several: --output FOLDER); xlsx needs ansafe-rules[xlsx]. "
        "Example: ansafe-rules obligations examples/xinzhou-municipal.yaml --as-of 2026-04-28",
    )
    o.add_argument("files", nargs="+", type=Path, help="case files or portfolios; - reads stdin")
    _common(o)
    o.add_argument(
        "--format", choices=("table", "json", "jsonl", "ics", "xlsx", "csv"), default="table"
    )
    o.add_argument(
        "--output",
        type=Path,
        default=None,
        help="write here instead of stdout (ics with several policies: a folder)",
    )
    o.add_argument(
        "--due-soon",
        type=_non_negative,
        default=DEFAULT_DUE_SOON,
        metavar="N",
        help=f"pending items due within N working days are 'due soon' (default {DEFAULT_DUE_SOON})",
    )
    o.add_argument(
        "--remind",
        type=_reminders,
        default=DEFAULT_REMINDERS,
        metavar="LIST",
        help="ics: reminders before each event, e.g. 3d,1d,2h or none (default 3d,1d)",
    )
    _lang_option(o, "language of requirements and reasons (default: the locale's, as under check)")
    _add_catalogue_commands(sub)
    s = sub.add_parser("schema", help="JSON Schema of every input and output model")
    s.add_argument("--output", type=Path, default=None, help="folder: one <Model>.json each")
    _report_parser(sub)
    _add_sheet_commands(sub)
    from .monitor import cli as monitor_cli  # durable-rules is imported only when it runs

    monitor_cli.add_parser(sub)

    from .server import cli as server_cli  # does not import FastAPI

    server_cli.add_parser(sub)
    return p


# -- rendering ---------------------------------------------------------------------------------
def _pad(text: str, width: int) -> str:
    """Left-justify to a terminal display width (CJK characters take two columns)."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - shown)


def _when(f: AnyFinding, lang: Lang = "en") -> str:
    if f.due is not None:
        prov = _t("table.provisional", lang) if f.provisional else ""
        return _t("table.due", lang).format(due=f.due.due_at or f.due.due_date) + prov
    if f.window is not None:
        return _t("table.period", lang).format(start=f.window.start, end=f.window.end)
    return ""


def _print_report(rep: Evaluation, show_all: bool, out: TextIO, lang: Lang = "en") -> None:
    """One policy's block of the `check` table, its words in ``lang``: one line per finding
    with its severity and duty holder; the findings of one breach at several layers are
    adjacent, the binding one first, the others marked ``+``; the summary counts breaches."""
    head = _t("table.head", lang)
    print(
        head.format(policy_id=rep.policy_id, layers=" + ".join(rep.layers), as_of=rep.as_of),
        file=out,
    )
    hidden = {Status.compliant, Status.not_applicable}
    groups = breach_groups(rep.findings, rep.layers)
    merged = {id(f): members for _, members in groups for f in members}
    done: set[int] = set()
    for f in rep.findings:
        if (f.status in hidden and not show_all) or id(f) in done:
            continue
        for i, g in enumerate(merged.get(id(f), [f])):
            done.add(id(g))
            _print_finding(g, out, lang, more=i > 0)
    statuses: dict[tuple[str, str], set[Status]] = {}
    for f in rep.findings:
        statuses.setdefault((f.obligation, f.subject), set()).add(f.status)
    # the layers disagree on the outcome (or --all): say which rule binds
    keys = None if show_all else {k for k, v in statuses.items() if len(v) > 1}
    for b in rep.bindings_for(keys) if keys is None or keys else ():
        if b.conflict:
            print(f"  {_pad(_t('table.binding', lang), 11)}{binding_note(b, lang)}", file=out)
    for note in rep.notes_in(lang):
        print(f"  {_pad(_t('table.note', lang), 11)}{note}", file=out)
    legend = _t("table.legend", lang)
    if any(len(members) > 1 for _, members in groups):
        legend += ("" if lang == "zh" else " ") + _t("table.legend_merged", lang)
    print(f"   {summary_text(breach_counts(rep), rep.counts, lang)}  {legend}", file=out)


def _print_finding(f: AnyFinding, out: TextIO, lang: Lang, more: bool = False) -> None:
    """A finding's two lines: status mark, rule, clause, severity, duty holder, subject; then
    the reason and the due date. ``more``: another layer's finding of the breach above."""
    clause = f.clause or ""
    mark = _t(f"mark.{f.status.value}", lang) + _SEVERITY_MARK.get(f.severity, "")
    mark += "+" if more else ""
    severity = label("Severity", f.severity, lang)
    print(
        f"  {_pad(mark, 11)}{f.rule_id:<44} {_pad(clause, 13)}{_pad(severity, 9)}"
        f"{_holder(f):<25} {f.subject}",
        file=out,
    )
    when = _when(f, lang)
    print(f"             {f.text(lang)}" + (f"  [{when}]" if when else ""), file=out)


_SEVERITY_MARK = {Severity.advisory: "?", Severity.assessment: "~"}


def _holder(x: AnyFinding | Obligation) -> str:
    """The duty holder, and the liable party where it differs (``third_party>insurer``)."""
    if x.duty_holder is None:
        return "-"
    who = x.duty_holder.value
    return f"{who}>{x.liable_party.value}" if x.liable_party is not None else who


def _obligation_when(o: Obligation) -> str:
    if o.due_at or o.due_date:
        return str(o.due_at or o.due_date)
    if o.window:
        return f"{o.window.start}..{o.window.end}"
    if o.retain_until:
        return f"until {o.retain_until}"
    return "standing"


# -- inputs ----------------------------------------------------------------------------------
def _results(
    args: argparse.Namespace, cache: RulesetCache, calendar: WorkCalendar | None
) -> Iterator[Outcome]:
    """Each input's outcome, reduced to the ``--duty-holder``'s duties if one is given.
    ``-`` reads stdin (:func:`_stdin_outcomes`)."""
    common: dict[str, Any] = {
        "as_of": args.as_of or dt.date.today(),
        "jurisdiction": args.jurisdiction,
        "layer": args.layer,
        "calendar": calendar,
        "rulesets": cache,
        "limits": _limits(args),
        "lean": getattr(args, "lean", False),
    }
    for path in args.files:
        is_stdin = str(path) == "-"
        results = _stdin_outcomes(common) if is_stdin else outcome_files([path], **common)
        yield from (r.for_party(args.duty_holder) for r in results)


STDIN = "<stdin>"


def _stdin_bytes() -> Any:
    """stdin as a binary stream (a text-only stand-in, e.g. in tests, is encoded)."""
    stream = sys.stdin
    if stream is None:
        return io.BytesIO()
    return getattr(stream, "buffer", None) or io.BytesIO(stream.read().encode("utf-8"))


def _stdin_outcomes(common: dict[str, Any]) -> Iterator[Outcome]:
    """The policies on stdin: JSON Lines when the first non-blank line is a JSON object on its
    own (streamed, one result per line, as a ``.jsonl`` file), else one YAML or JSON document
    (as a case file)."""
    limits: Limits = common["limits"]
    fh = _stdin_bytes()
    n, first = 0, b""
    while raw := fh.readline(limits.max_line_bytes + 1):
        n += 1
        if raw.strip():
            first = raw
            break
    if not first:
        zh, en = pair("input.empty")  # said in both, as it always was
        said = {"error": f"{STDIN}: {zh} — {en}", "error_zh": f"{STDIN}：{zh}"}
        yield Outcome(source=STDIN, line=0, **said)
        return
    if _one_json_object(first):
        # a result as soon as its line is read: stdin may be a live stream
        lines = _stdin_lines(fh, n, first, limits)
        yield from iter_outcomes(lines, source=STDIN, batch=1, **common)
        return
    rest = fh.read(max(0, limits.max_file_bytes - len(first)) + 1)
    data = b"\n" * (n - 1) + first + rest  # blank lines kept: YAML errors name the right line
    try:
        if len(first) + len(rest) > limits.max_file_bytes:
            raise error_at(
                InputError,
                STDIN,
                "input.larger_than",
                max_bytes=f"{limits.max_file_bytes:,}",
            )
        text = _utf8(data, 0)
        if text.lstrip().startswith(("{", "[")):
            doc = loads_json(text, STDIN, limits=limits)
        else:
            try:
                doc = load_yaml_text(
                    text,
                    STDIN,
                    max_depth=limits.max_depth,
                    max_alias_nodes=limits.max_alias_nodes,
                )
            except AnsafeError as exc:
                raise yaml_error(exc) from None
    except AnsafeError as exc:
        yield Outcome.failed(STDIN, 0, exc)
        return
    yield _evaluate_document(doc, common)


def _evaluate_document(doc: Any, common: dict[str, Any]) -> Outcome:
    """One case read from stdin, evaluated as a case file is (errors name ``<stdin>``)."""
    cache: RulesetCache = common["rulesets"]
    try:
        parsed = parse_case(doc, STDIN, limits=common["limits"])
        if common["jurisdiction"] is not None:
            rs = cache.get(common["jurisdiction"])
        else:
            try:
                rs = cache.get_registered(parsed.case.policy.jurisdiction)
            except AnsafeError as exc:
                raise jurisdiction_error(STDIN, exc) from None
        ev = evaluate_rows(
            rs,
            parsed,
            as_of=common["as_of"],
            calendar=common["calendar"],
            layer=common["layer"],
            source=STDIN,
            lean=common["lean"],
        )
    except (AnsafeError, ValueError) as exc:
        pid = doc.get("policy", {}).get("policy_id") if isinstance(doc, dict) else None
        return Outcome.failed(STDIN, 0, exc, pid if isinstance(pid, str) else None)
    return Outcome(source=STDIN, line=0, policy_id=ev.policy_id, evaluation=ev)


def _one_json_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _utf8(raw: bytes, line: int) -> str:
    try:
        return raw.decode("utf-8-sig" if line <= 1 else "utf-8")
    except UnicodeDecodeError as exc:
        raise error_at(InputError, STDIN, "input.not_utf8", line=line, byte=exc.start + 1) from None


def _stdin_lines(
    fh: Any, n: int, first: bytes, limits: Limits
) -> Iterator[tuple[int, str | InputError]]:
    """(line number, text or the error that prevents reading it) of stdin's non-blank lines,
    as :func:`ansafe_rules.portfolio.iter_lines` gives them for a file."""
    limit = limits.max_line_bytes
    raw = first
    while raw:
        if len(raw) > limit and not raw.endswith(b"\n"):
            while (more := fh.readline(1 << 20)) and not more.endswith(b"\n"):
                pass
            yield n, error_at(InputError, STDIN, "input.line_too_long", line=n, limit=f"{limit:,}")
        elif raw.strip():
            try:
                yield n, _utf8(raw, n)
            except InputError as exc:
                yield n, exc
        raw = fh.readline(limit + 1)
        n += 1


class _Progress:
    """A progress bar on stderr for portfolios, shown when asked or attached to a terminal.
    The total comes from a streaming line count of the .jsonl files (constant memory); stdin
    has no total (the bar then shows the count only).

    In a terminal the bar is erased before anything is written to stdout (:meth:`guard`) and
    when the run ends, so it never garbles the table; written to a file or pipe
    (``--progress always``) its last state stays, ended by a newline."""

    WIDTH = 30
    ERASE = "\r\x1b[2K"  # back to column 0, erase the line (ANSI)

    def __init__(self, mode: str, err: TextIO, files: Sequence[Path]) -> None:
        tty = _isatty(err)
        self.on = mode == "always" or (mode == "auto" and tty)
        self.erase = self.on and tty
        self.shown = False
        self.err, self.n, self.bad = err, 0, 0
        self.total: int | None = 0
        self.start = time.monotonic()
        if self.on:
            for f in files:
                if str(f) == "-":
                    self.total = None
                    break
                if f.suffix == ".jsonl" and f.is_file():
                    with f.open("rb") as fh:
                        self.total += sum(1 for line in fh if line.strip())
                else:
                    self.total += 1

    def _draw(self) -> None:
        elapsed = time.monotonic() - self.start
        if self.total is None:
            rate = self.n / elapsed if elapsed > 0 else 0.0
            text = f"  {self.n} {_plural(self.n, 'policy', 'policies')} ({self.bad} unreadable)"
            self.err.write(("\r" if not self.erase else self.ERASE) + f"{text}, {rate:,.1f}/s")
            self.err.flush()
            self.shown = True
            return
        done = min(self.n, self.total) if self.total else self.n
        filled = self.WIDTH * done // self.total if self.total else 0
        bar = "#" * filled + "." * (self.WIDTH - filled)
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (self.total - done) / rate if rate and self.total > done else 0.0
        eta = f", ETA {int(left) // 60}:{int(left) % 60:02d}" if left else ""
        self.err.write(
            ("\r" if not self.erase else self.ERASE)
            + f"  [{bar}] {done}/{self.total} {_plural(self.total, 'policy', 'policies')} "
            f"({self.bad} unreadable), {rate:,.1f}/s{eta}   "
        )
        self.err.flush()
        self.shown = True

    def clear(self) -> None:
        """Erase the bar from the terminal (it is drawn again at the next tick)."""
        if self.erase and self.shown:
            self.err.write(self.ERASE)
            self.err.flush()
            self.shown = False

    def guard(self, out: TextIO) -> TextIO:
        """``out``, erasing the bar before each write when the bar is in a terminal."""
        return _Guarded(out, self) if self.erase else out  # type: ignore[return-value]

    def tick(self, failed: bool) -> None:
        self.n += 1
        self.bad += failed
        if self.on and (self.n % 10 == 0 or self.n in (1, self.total)):
            self._draw()

    def done(self) -> None:
        if not self.on:
            return
        if self.erase:
            self.clear()
        else:
            self._draw()
            self.err.write("\n")
            self.err.flush()


class _Guarded:
    """A text stream that erases the progress bar before text goes to the terminal."""

    def __init__(self, out: TextIO, progress: _Progress) -> None:
        self.out, self.progress = out, progress

    def write(self, text: str) -> int:
        self.progress.clear()
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _outcomes(
    args: argparse.Namespace, cache: RulesetCache, calendar: WorkCalendar | None
) -> Iterator[tuple[str | None, bool, str | None]]:
    """(error, has a breach, text) per input, in input order. Portfolios go to ``--jobs``
    worker processes in chunks; single case files are evaluated here."""
    spec = _Render.of(args)
    jobs = args.jobs or os.cpu_count() or 1
    if jobs <= 1 or not any(f.suffix == ".jsonl" for f in args.files):
        for r in _results(args, cache, calendar):
            yield _rendered(r, spec, cache, stream=True)
        return
    settings = RunSettings(
        as_of=args.as_of or dt.date.today(),
        jurisdiction=args.jurisdiction,
        layer=args.layer,
        search_paths=tuple(map(str, args.ruleset_path)),
        in_force=tuple(args.in_force),
        calendar_file=str(args.calendar) if args.calendar else None,
        limits=_limits(args),
        lean=getattr(args, "lean", False),
    )
    for path in args.files:
        if path.suffix != ".jsonl" or not path.is_file():
            one = argparse.Namespace(**{**vars(args), "files": [path]})
            for r in _results(one, cache, calendar):
                yield _rendered(r, spec, cache, stream=True)
            continue
        work = functools.partial(_check_chunk, source=str(path), settings=settings, spec=spec)
        yield from map_chunks(work, iter_lines(path, settings.limits), jobs=jobs)


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.lang is None:  # the locale's language, as gettext reads it
        args.lang = lang_from_env(os.environ)
    calendar = WorkCalendar(load_calendar_overrides(args.calendar)) if args.calendar else None
    cache = RulesetCache(args.ruleset_path, in_force=dict(args.in_force))
    progress = _Progress(args.progress, err, args.files)
    # the JSON summary reads the findings needing attention only: compliant ones are counted
    # (the table compares every layer's outcome, so it needs them all)
    args.lean = args.format in ("json", "jsonl") and not args.all and args.detail != "full"
    if args.format in _SHEETS:
        return _check_sheet(args, out, err, cache, calendar, progress)
    out, err = progress.guard(out), progress.guard(err)
    violations = False
    unreadable = total = 0
    first = True
    if args.format == "json":
        out.write("[")
    for error, bad, text in _outcomes(args, cache, calendar):
        progress.tick(error is not None)
        total += 1
        if error is not None:
            unreadable += 1
            _print_error(err, error, args.lang)
        violations |= bad
        if text is None:
            continue
        if args.format == "json":
            out.write(("" if first else ",") + "\n")
        if isinstance(text, str):
            out.write(text)
        else:
            text(out)
        if args.format == "jsonl":
            out.write("\n")
        first = False
    if args.format == "json":
        out.write("\n]\n")
    progress.done()
    if unreadable:
        return _summary(err, unreadable, total, args.lang)
    return 1 if violations else 0


@dataclasses.dataclass(frozen=True)
class _Render:
    """How `check` renders one result (picklable: worker processes render too)."""

    format: str
    all: bool = False
    detail: str = "summary"
    jurisdiction: str | None = None
    duty_holder: str | None = None
    lang: Lang = "en"

    @classmethod
    def of(cls, args: argparse.Namespace) -> _Render:
        return cls(
            args.format, args.all, args.detail, args.jurisdiction, args.duty_holder, args.lang
        )


Text = str | Callable[[TextIO], None]
"""What `check` writes for one result: the text, or (``stream=True``) a function writing it
piece by piece, so that a single case of 200,000 records is never one string in memory."""


def _rendered(
    r: Outcome, spec: _Render, cache: RulesetCache, *, stream: bool = False
) -> tuple[str | None, bool, Text | None]:
    """(error in the output's language, has a breach, text to write) for one result."""
    bad = r.evaluation is not None and r.evaluation.has_breach
    error = r.error_in(spec.lang)
    if spec.format == "table":
        if r.evaluation is None:
            return error, bad, None
        ev = r.evaluation
        if stream:
            return error, bad, lambda out: _print_report(ev, spec.all, out, spec.lang)
        buf = io.StringIO()
        _print_report(ev, spec.all, buf, spec.lang)
        return error, bad, buf.getvalue()
    if stream:

        def write(out: TextIO) -> None:
            for piece in _record_parts(r, spec, cache):
                out.write(piece)

        return error, bad, write
    return error, bad, _record(r, spec, cache)


def _check_chunk(
    lines: list[tuple[int, Any]], source: str, settings: RunSettings, spec: _Render
) -> list[tuple[str | None, bool, str | None]]:
    """A worker's part of `check --jobs`: evaluate and render some portfolio lines."""
    cache, _ = run_environment(settings)
    results = outcome_lines(lines, source, settings)
    return [_rendered(r.for_party(spec.duty_holder), spec, cache) for r in results]


_ROWS_PER_PIECE = 256
"""Finding rows written at once by `check`'s JSON (encoded together, then let go)."""


def _to_json(value: Any) -> str:
    """``value`` (plain JSON values) as compact JSON text: UTF-8, no space after separators, as
    pydantic writes its models, so every line of a portfolio's output looks alike. Every JSON
    line ``check`` and ``obligations`` write goes through it. pydantic-core's encoder (a core
    dependency already) is four times faster than ``json.dumps(value, ensure_ascii=False,
    separators=(",", ":"))`` and writes the same text, except a number with a fraction, which
    it writes as pydantic's models do (``1e-7``, not ``1e-07``): the same number. (It also
    refuses what these values never hold: nesting deeper than 254 levels, lone surrogates; a
    key that is not a text is written as its ``str``.)

    Text that is not valid Unicode (a lone surrogate: a JSON ``"\\ud800"`` escape, a file
    name that is not UTF-8) cannot be written as UTF-8: such a value is written with every
    character outside ASCII escaped (``\\udcff``, ``\\u5e7f``), still valid JSON, so one
    odd name never stops a run."""
    try:
        return to_json(value).decode()
    except PydanticSerializationError:
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def _record(r: Outcome, args: _Render | argparse.Namespace, cache: RulesetCache) -> str:
    """One result as JSON: the compact report (``--detail summary``, the default) or the full
    one with every trace (``--detail full``); either way the ruleset is stamped once."""
    return "".join(_record_parts(r, args, cache))


def _record_parts(
    r: Outcome, args: _Render | argparse.Namespace, cache: RulesetCache
) -> Iterator[str]:
    """:func:`_record` in pieces: the compact report's finding rows are built, dumped and let go
    one at a time (joined, the pieces are exactly :func:`_record`'s text)."""
    ev = r.evaluation
    if ev is None:
        yield _to_json(r.result().model_dump(mode="json", exclude_none=True))
        return
    name = args.jurisdiction or ev.jurisdiction
    stamp = cache.stamp(name, ev.layers)
    head = {"source": r.source, "line": r.line}
    if r.policy_id is not None:
        head["policy_id"] = r.policy_id
    # breaches of a duty, and what is counted apart (BreachCounts), beside the report
    breaches = breach_counts(ev).model_dump(mode="json")
    if args.detail == "full":
        body: dict[str, Any] = {
            "ruleset": stamp.model_dump(mode="json"),
            "report": ev.report(lang=args.lang).model_dump(mode="json"),
        }
        body["breaches"] = breaches
        yield _to_json({**head, **body})
        return
    # as the table: what needs attention unless --all; the counts say the rest
    shown = None if args.all else set(Status) - {Status.compliant, Status.not_applicable}
    summary = ev.summary(stamp, statuses=shown, obligations=False, lang=args.lang, rows=False)
    rep = summary.model_dump(mode="json", exclude_defaults=True, exclude={"obligations"})
    keys = list(rep)
    at = keys.index("findings")
    # {head, "report": {before..., "findings": [rows...], after...}} written around the rows
    text = _to_json({**head, "report": {k: rep[k] for k in keys[:at]}})
    yield text[:-2] + ',"findings":['
    # the rows a few hundred at a time: one encoding per piece, memory flat however many
    rows, sep = ev.row_dicts(statuses=shown, lang=args.lang), ""
    while piece := list(itertools.islice(rows, _ROWS_PER_PIECE)):
        yield sep + _to_json(piece)[1:-1]  # the rows of the list, without its brackets
        sep = ","
    after = _to_json({k: rep[k] for k in keys[at + 1 :]})
    yield "]" + ("," + after[1:] if len(after) > 2 else "}")
    yield "," + _to_json({"breaches": breaches})[1:]


def _summary(err: TextIO, unreadable: int, total: int, lang: str = "en") -> int:
    """Say (in ``lang``) how many inputs could not be evaluated; exit code 2."""
    said = _t("cli.unreadable", lang).format(bad=unreadable, total=total)
    print(f"ansafe-rules: {said}", file=err)
    return 2


class _IcsSink:
    """Writes one calendar per policy as it comes (memory holds at most one).

    Where they go is decided by the inputs and ``--output``, never by how many policies could
    be read (a failed input does not change the names of the others): ``--output`` is a folder
    when it is one already, or when the inputs may hold several policies (several files, a
    ``.jsonl`` portfolio, stdin) and it does not end in ``.ics``; each calendar is then named
    after its input file (``<stem>.ics``; ``<stem>-line<N>.ics`` for a portfolio line,
    ``stdin…`` for stdin; ``-2``, ``-3``… when two inputs share a name). Otherwise one calendar
    goes to the ``--output`` file or stdout, and a second one is an error."""

    def __init__(self, output: Path | None, out: TextIO, files: Sequence[Path]) -> None:
        self.output, self.out = output, out
        several = len(files) > 1 or any(f.suffix == ".jsonl" or str(f) == "-" for f in files)
        self.folder = output is not None and (
            output.is_dir() or (several and output.suffix.lower() != ".ics")
        )
        self.pending: bytes | None = None
        self.count = 0
        self.names: set[str] = set()

    def _name(self, r: Outcome) -> str:
        stem = "stdin" if r.source == STDIN else Path(r.source).stem
        base = stem if r.line == 0 else f"{stem}-line{r.line}"
        name, n = base, 1
        while name in self.names:
            n += 1
            name = f"{base}-{n}"
        self.names.add(name)
        return f"{name}.ics"

    def add(self, r: Outcome, data: bytes) -> bool:
        """False when a second calendar arrives without a folder to put it in."""
        self.count += 1
        if self.folder:
            assert self.output is not None
            self.output.mkdir(parents=True, exist_ok=True)
            (self.output / self._name(r)).write_bytes(data)
            return True
        if self.count > 1:
            return False
        self.pending = data
        return True

    def finish(self) -> None:
        if self.pending is None:
            return
        if self.output is not None:
            self.output.write_bytes(self.pending)
        else:
            self.out.write(self.pending.decode("utf-8"))


_SHEETS = ("xlsx", "csv")


def _print_error(err: TextIO, message: str | None, lang: str) -> None:
    """An input that could not be evaluated, said in ``lang`` (``错误：…`` in Chinese)."""
    print(f"ansafe-rules: {_t('cli.error', lang).format(message=message)}", file=err)


def _error_id(err: TextIO, msg_id: str, **args: Any) -> int:
    """A usage error (a catalogue message, with ``args``) in both languages, Chinese first;
    exit code 2."""
    zh, en = pair(msg_id, **args)
    zh, en = _t("cli.error", "zh").format(message=zh), _t("cli.error", "en").format(message=en)
    print(f"ansafe-rules: {zh} — {en}", file=err)
    return 2


@contextlib.contextmanager
def _text_output(output: Path | None, out: TextIO, csv: bool = False) -> Iterator[TextIO]:
    """``--output`` opened for text (UTF-8), or stdout."""
    if output is None:
        yield out
        return
    # text that is not valid Unicode (a file name that is not UTF-8) written escaped
    with output.open(
        "w", encoding="utf-8", errors="backslashreplace", newline="" if csv else None
    ) as fh:
        yield fh


def _check_sheet(
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    cache: RulesetCache,
    calendar: WorkCalendar | None,
    progress: _Progress,
) -> int:
    """``check --format xlsx|csv``: one row per finding (those needing attention, all with
    ``--all``), every policy on one sheet; exit codes as for the table."""
    if args.format == "xlsx" and args.output is None:
        return _error_id(err, "cli.xlsx_needs_output")
    shown = None if args.all else set(Status) - {Status.compliant, Status.not_applicable}
    seen = {"total": 0, "unreadable": 0, "breach": False}
    err = progress.guard(err)

    def rows() -> Iterator[FindingSheetRow]:
        for r in _results(args, cache, calendar):
            progress.tick(r.error is not None)
            seen["total"] += 1
            if r.error is not None:
                seen["unreadable"] += 1
                _print_error(err, r.error_in(args.lang), args.lang)
                continue
            ev = r.evaluation
            assert ev is not None
            seen["breach"] = seen["breach"] or ev.has_breach
            name = args.jurisdiction or ev.jurisdiction
            summary = ev.summary(
                cache.stamp(name, ev.layers), statuses=shown, obligations=False, lang=args.lang
            )
            yield from finding_sheet_rows(ev.policy_id, summary.findings)

    if args.format == "xlsx":
        write_xlsx(rows(), FindingSheetRow, args.output, sheet=FINDINGS_SHEET)
    else:
        with _text_output(args.output, out, csv=True) as dest:
            write_csv(rows(), FindingSheetRow, dest)
    progress.done()
    if seen["unreadable"]:
        return _summary(err, int(seen["unreadable"]), int(seen["total"]), args.lang)
    return 1 if seen["breach"] else 0


def _todo_when(t: TodoItem) -> str:
    if t.due_at is not None:
        return t.due_at.strftime("%Y-%m-%d %H:%M")
    if t.window_start is not None:
        return f"{t.window_start}..{t.date}"
    if t.kind.value == "retention":
        return f"{bilingual('todo.until')} {t.date}"
    return str(t.date)


def _status_label(status: TodoStatus) -> str:
    zh, en = TODO_STATUS_LABELS[status]
    return f"{zh} {en}"


def _print_todo(ev: Evaluation, items: Sequence[TodoItem], out: TextIO) -> None:
    """One policy's to-do list: dated items by date, then the standing duties."""
    as_of = bilingual("todo.as_of")
    print(f"== {ev.policy_id}  [{' + '.join(ev.layers)}]  {as_of} {ev.as_of}", file=out)
    dated = [t for t in items if t.date is not None]
    standing = [t for t in items if t.date is None]
    for t in dated:
        prov = f"  ({bilingual('todo.provisional')})" if t.provisional else ""
        print(
            f"  {_pad(_todo_when(t), 24)}{_pad(_status_label(t.status), 18)}"
            f"{t.rule_id:<44} {_holder(t):<22} {t.subject}",
            file=out,
        )
        print(f"  {'':<24}{t.requirement}{prov}", file=out)
        if t.status in (TodoStatus.overdue, TodoStatus.unknown) and t.reason:
            print(f"  {'':<24}{t.reason}", file=out)
    if standing:
        print(f"  -- {bilingual('todo.standing')} ({len(standing)}) --", file=out)
    for t in standing:
        fs = t.finding_status
        mark = f"{label('Status', fs, 'zh')} {_t(f'mark.{fs.value}', 'en')}" if fs else "- -"
        print(f"  {_pad(mark, 24)}{'':<18}{t.rule_id:<44} {_holder(t):<22} {t.subject}", file=out)
        print(f"  {'':<24}{t.requirement}", file=out)
        if fs is Status.violation and t.reason:
            print(f"  {'':<24}{t.reason}", file=out)
    n = counts(items)
    print(
        "   "
        + ", ".join(f"{TODO_STATUS_LABELS[s][0]} {n[s]}" for s in TodoStatus)
        + "  ("
        + ", ".join(f"{n[s]} {TODO_STATUS_LABELS[s][1]}" for s in TodoStatus)
        + ")",
        file=out,
    )


def _todo_record(r: Outcome, items: Sequence[TodoItem] | None) -> str:
    """One policy as JSON: the to-do items, and (unchanged since 0.x) its obligations."""
    ev = r.evaluation
    if ev is None or items is None:
        return _to_json(r.result().model_dump(mode="json", exclude_none=True))
    n = counts(items)
    return _to_json(
        {
            "source": r.source,
            "line": r.line,
            "policy_id": ev.policy_id,
            "as_of": ev.as_of.isoformat(),
            "layers": list(ev.layers),
            "counts": {s.value: n[s] for s in TodoStatus},
            "todo": [t.model_dump(mode="json") for t in items],
            "obligations": [o.model().model_dump(mode="json") for o in ev.obligations],
        }
    )


def _cmd_obligations(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    calendar = WorkCalendar(load_calendar_overrides(args.calendar)) if args.calendar else None
    cache = RulesetCache(args.ruleset_path, in_force=dict(args.in_force))
    fmt = args.format
    if fmt == "xlsx" and args.output is None:
        return _error_id(err, "cli.xlsx_needs_output")
    seen = {"total": 0, "unreadable": 0}
    lang = _lang(args)

    def policies() -> Iterator[tuple[Outcome, tuple[TodoItem, ...] | None]]:
        for r in _results(args, cache, calendar):
            seen["total"] += 1
            if r.error is not None or r.evaluation is None:
                seen["unreadable"] += 1
                _print_error(err, r.error_in(lang), lang)
                yield r, None
                continue
            yield r, todo(r.evaluation, due_soon=args.due_soon, calendar=calendar, lang=lang)

    if fmt == "ics":
        sink = _IcsSink(args.output, out, args.files)
        for r, items in policies():
            ev = r.evaluation
            if ev is None or items is None:
                continue
            stamp = dt.datetime.combine(ev.as_of, dt.time(), tzinfo=dt.UTC)
            obs = [o.model() for o in ev.obligations]
            data = obligations_to_ical(ev.policy_id, obs, stamp=stamp, reminders=args.remind)
            if not sink.add(r, data):
                return _error_id(err, "cli.ics_needs_folder")
        sink.finish()
    elif fmt == "xlsx":
        rows = (t for _, items in policies() if items for t in items)
        write_xlsx(rows, TodoItem, args.output, sheet=TODO_SHEET)
    else:
        with _text_output(args.output, out, csv=fmt == "csv") as dest:
            if fmt == "csv":
                write_csv((t for _, items in policies() if items for t in items), TodoItem, dest)
            elif fmt == "table":
                for r, items in policies():
                    if r.evaluation is not None and items is not None:
                        _print_todo(r.evaluation, items, dest)
            else:
                first = True
                if fmt == "json":
                    dest.write("[")
                for r, items in policies():
                    text = _todo_record(r, items)
                    if fmt == "jsonl":
                        dest.write(text + "\n")
                    else:
                        dest.write(("" if first else ",") + "\n" + text)
                    first = False
                if fmt == "json":
                    dest.write("\n]\n")
    if seen["unreadable"]:
        return _summary(err, seen["unreadable"], seen["total"], lang)
    return 0


# --- zh: diff, rules, validate (issue 9) ------------------------------------------------------
_LANG_HELP = (
    "language of the output (default: the locale's: zh when LC_ALL, LC_MESSAGES or LANG - the "
    "first set - starts with zh, else en)"
)


def _lang_option(p: argparse.ArgumentParser, help: str = _LANG_HELP) -> None:
    """``--lang zh|en`` (None: the locale's language, see :func:`_lang`)."""
    p.add_argument("--lang", choices=("zh", "en"), default=None, help=help)


def _add_catalogue_commands(sub: Any) -> None:
    """The ``diff``, ``rules`` and ``validate`` subcommands."""
    d = sub.add_parser(
        "diff",
        help="compare two jurisdictions (ids or ruleset files)",
        epilog="exit codes: 0 compared; 2 a ruleset cannot be loaded. "
        "Example: ansafe-rules diff national guangdong --lang zh",
    )
    d.add_argument("a")
    d.add_argument("b")
    d.add_argument("--ruleset-path", action="append", default=[], type=Path)
    d.add_argument("--format", choices=("table", "json"), default="table")
    d.add_argument("--all", action="store_true", help="also list identical obligations")
    _lang_option(d)
    r = sub.add_parser(
        "rules",
        help="the rule catalogue of a jurisdiction",
        epilog="exit codes: 0 listed; 2 the ruleset cannot be loaded. "
        "Example: ansafe-rules rules xinzhou --lang zh",
    )
    r.add_argument("jurisdiction", nargs="?", default="national")
    r.add_argument("--ruleset-path", action="append", default=[], type=Path)
    r.add_argument("--format", choices=("table", "json"), default="table")
    _lang_option(r)
    v = sub.add_parser(
        "validate",
        help="check a ruleset file with the strict loader, and its quotes against the source text",
        epilog="The source text is the file the ruleset names in source_file, looked up in "
        "--sources DIR, else beside the ruleset file, else in shared/sources beside its "
        "repository (<repo>/../shared/sources), else ../shared/sources; when none is found the "
        "quotes are not checked (a note says so). exit codes: 0 valid; 2 invalid, a quote not "
        "verbatim in its source, or the --sources folder lacks the text. "
        "Example: ansafe-rules validate rulesets/guangdong.yaml --sources ../shared/sources",
    )
    v.add_argument("file", type=Path)
    v.add_argument("--ruleset-path", action="append", default=[], type=Path)
    v.add_argument(
        "--sources",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of the source texts (default: looked up, see below)",
    )
    _lang_option(v)


def _lang(args: argparse.Namespace) -> Lang:
    """``--lang``, or the locale's language."""
    return args.lang or lang_from_env(os.environ)


def _cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    a = load_ruleset(args.a, search_paths=args.ruleset_path)
    b = load_ruleset(args.b, search_paths=args.ruleset_path)
    d = diff(a, b)
    if args.format == "json":
        out.write(d.model_dump_json(indent=2) + "\n")
    else:
        out.write(format_diff(d, include_same=args.all, lang=_lang(args)))
    return 0


def _cmd_rules(args: argparse.Namespace, out: TextIO) -> int:
    rs = load_ruleset(args.jurisdiction, search_paths=args.ruleset_path)
    if args.format == "json":
        print(
            json.dumps(
                [{"layer": r.layer, **r.rule.model_dump(mode="json")} for r in rs.rules],
                ensure_ascii=False,
                indent=2,
            ),
            file=out,
        )
        return 0
    lang = _lang(args)
    for rr in rs.rules:
        r = rr.rule
        head = {
            "rule_id": r.id,
            "layer": _layer_name(rs, rr.layer, lang),
            "clause": r.citation.clause,
            "kind": label("Kind", r.kind, lang),
            "severity": label("Severity", r.severity, lang),
            "holder": label("DutyHolder", r.duty_holder, lang),
            "service": _t("rules.service", lang) if r.service_duty else "",
        }
        print(_t("rules.head", lang).format(**head), file=out)
        print(f"    {r.title} — {r.summary}", file=out)
        print(f"    {describe_rule(rr, lang)}", file=out)
        print(f"    「{r.citation.quote}」", file=out)
        params = r.params.model_dump(mode="json", exclude_defaults=True)
        shown = json.dumps(params, ensure_ascii=False)
        print("    " + _t("rules.params", lang).format(params=shown), file=out)
        for k, v in r.interpretive.items():
            print("    " + _t("rules.interpretive", lang).format(param=k, reading=v), file=out)
    layers = " + ".join(li.display_name(lang) for li in rs.layers)
    available = ", ".join(jurisdictions(args.ruleset_path))
    n = len(rs.rules)
    print(
        plural(n, "rules.count_one", "rules.count", lang, layers=layers, available=available),
        file=out,
    )
    return 0


def _layer_name(rs: Any, layer: str, lang: Lang) -> str:
    try:
        return str(rs.layer(layer).display_name(lang))
    except KeyError:
        return layer


def _cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO | None = None) -> int:
    """The strict loader, then every quote of the file's own rules against its source text."""
    err = err if err is not None else out
    lang = _lang(args)
    rs = load_ruleset(args.file, search_paths=[args.file.parent, *args.ruleset_path])
    own = [r for r in rs.rules if r.layer == rs.id]
    layers = " + ".join(li.display_name(lang) for li in rs.layers)
    ok = _t("validate.ok_one" if len(own) == 1 else "validate.ok", lang)
    ok = ok.format(file=args.file, own=len(own), n=len(rs.rules), layers=layers)
    top = rs.layers[-1]
    dirs = [args.sources] if args.sources is not None else list(source_dirs(args.file))
    source = find_source(top.source_file, dirs)
    if source is None:
        msg = _t("validate.no_source", lang).format(
            file=args.file, source=top.source_file, where=", ".join(map(str, dirs))
        )
        if args.sources is not None:  # asked for: its absence is an error
            print(f"ansafe-rules: {_t('cli.error', lang).format(message=msg)}", file=err)
            return 2
        print(ok, file=out)
        print(msg, file=out)
        return 0
    bad = quote_problems(rs, source.read_text(encoding="utf-8"))
    for q in bad:
        line = _t("validate.quote_missing", lang).format(
            file=args.file, rule_id=q.rule_id, clause=q.clause, source=source, quote=q.quote
        )
        print(f"ansafe-rules: {line}", file=err)
    if bad:
        summary = _t("validate.quotes_bad", lang)
        print(f"ansafe-rules: {summary.format(bad=len(bad), n=len(own), source=source)}", file=err)
        return 2
    print(ok, file=out)
    print(_t("validate.quotes_ok", lang).format(n=len(own), source=source), file=out)
    return 0


# --- end zh ---------------------------------------------------------------------------------


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    schemas = json_schemas()
    if args.output is None:
        out.write(json.dumps(schemas, ensure_ascii=False, indent=2) + "\n")
        return 0
    args.output.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        (args.output / f"{name}.json").write_text(
            json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    print(f"wrote {len(schemas)} schemas to {args.output}", file=out)
    return 0


# -- report (issue 9, item 3): the printable 检查报告 per project ------------------------------
def _formats(text: str) -> tuple[str, ...]:
    from .reports import FORMATS

    names = tuple(dict.fromkeys(x.strip() for x in text.split(",") if x.strip()))
    bad = [x for x in names if x not in FORMATS]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            both("report.bad_format", bad=", ".join(map(repr, bad)) or repr(text))
        )
    return names


def _report_parser(sub: Any) -> None:
    r = sub.add_parser(
        "report",
        help="a printable 检查报告 per project: HTML for A4, PDF (headless Chromium), XLSX",
        epilog="One report per case file, named after it: DIR/<stem>.html, .pdf, .xlsx. Exit "
        "codes: 0 every report written (breaches or not), 2 an input could not be evaluated "
        "(the others are still written), Chromium missing for pdf, or bad usage. Example: "
        "ansafe-rules report examples/*.yaml --as-of 2026-07-31 --output-dir reports/",
    )
    r.add_argument(
        "files",
        nargs="+",
        type=Path,
        help="case files (.yaml, .json, .xlsx, a CSV folder) or .jsonl portfolios (a report "
        "per line)",
    )
    _common(r)
    r.add_argument("--output-dir", type=Path, required=True, help="folder for the reports")
    r.add_argument(
        "--format",
        type=_formats,
        default=("html", "pdf", "xlsx"),
        metavar="LIST",
        help="comma-separated: html, pdf, xlsx (default: all three; xlsx needs "
        "ansafe-rules[xlsx], pdf Chromium)",
    )
    _lang_option(r, "language of the report (default: the locale's, as for check)")
    r.add_argument(
        "--chromium",
        default=None,
        metavar="PATH",
        help="the Chromium to print the PDF with (default: chromium, chromium-browser or "
        "google-chrome on PATH)",
    )


def _cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``report``: each case file's 检查报告 in the chosen formats; a bad input is named on
    stderr and the others are still written."""
    from .reports import find_chromium, write_project_reports

    lang: Lang = args.lang or lang_from_env(os.environ)
    chromium = find_chromium(args.chromium) if "pdf" in args.format else None
    calendar = WorkCalendar(load_calendar_overrides(args.calendar)) if args.calendar else None
    results = write_project_reports(
        args.files,
        as_of=args.as_of or dt.date.today(),
        output_dir=args.output_dir,
        formats=args.format,
        lang=lang,
        chromium=chromium,
        rulesets=RulesetCache(args.ruleset_path, in_force=dict(args.in_force)),
        calendar=calendar,
        jurisdiction=args.jurisdiction,
        layer=args.layer,
        duty_holder=args.duty_holder,
        limits=_limits(args),
    )
    total = failed = 0
    for r in results:
        total += 1
        if r.error is not None:
            failed += 1
            _print_error(err, r.error_in(lang), lang)
            continue
        for f in r.files:
            print(f"{r.policy_id}  " + _t("report.wrote", lang).format(path=f), file=out)
    done = total - failed
    key = "report.done.one" if done == 1 else "report.done.many"
    print(_t(key, lang).format(n=done, folder=args.output_dir), file=out)
    return _summary(err, failed, total, lang) if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # stdout closed (`>&-`): Python gives None; writing to it ends the run quietly (141)
    out: TextIO = sys.stdout if sys.stdout is not None else _ClosedStdout()
    err = sys.stderr if sys.stderr is not None else open(os.devnull, "w")  # noqa: SIM115
    for stream in (out, err):  # text that is not valid Unicode (a file name not in UTF-8,
        # a lone surrogate in a key) written escaped, not stopping the run
        with contextlib.suppress(AttributeError, ValueError, io.UnsupportedOperation):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[attr-defined]
    try:
        if args.command == "check":
            if args.output is not None and args.format not in _SHEETS:
                with _text_output(args.output, out) as dest:
                    return _cmd_check(args, dest, err)
            return _cmd_check(args, out, err)
        if args.command == "obligations":
            return _cmd_obligations(args, out, err)
        if args.command == "diff":
            return _cmd_diff(args, out)
        if args.command == "rules":
            return _cmd_rules(args, out)
        if args.command == "validate":
            return _cmd_validate(args, out, err)
        if args.command == "report":
            return _cmd_report(args, out, err)
        if args.command in ("template", "checklist"):
            return _cmd_sheets(args, out, err)
        if args.command == "monitor":
            from .monitor import cli as monitor_cli

            return monitor_cli.run(args, out, err)

        if args.command == "serve":
            from .server import cli as server_cli

            return server_cli.run(args, out, err)
        return _cmd_schema(args, out)
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, as shell tools do on SIGPIPE
        if sys.stdout is not None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            with contextlib.suppress(OSError, ValueError):
                os.dup2(devnull, sys.stdout.fileno())
        return 141
    except (AnsafeError, ValueError, OSError) as exc:
        # in the command's language (--lang, else the locale's)
        lang = getattr(args, "lang", None) or lang_from_env(os.environ)
        said = exc.in_language(lang) if isinstance(exc, AnsafeError) else str(exc)
        _print_error(err, said, lang)
        return 2
    except Exception as exc:  # never a traceback
        print(f"ansafe-rules: error: unexpected {type(exc).__name__}: {exc}", file=err)
        return 2


# --- spreadsheets in: `template` and `checklist` (issue 9, item 4) ---------------------------
def _add_sheet_commands(sub: Any) -> None:
    """The `template` and `checklist` subcommands."""
    t = sub.add_parser(
        "template",
        help="the spreadsheet template of a case (XLSX workbook or a folder of CSV files), "
        "generated from the model",
        epilog="The case is read back by check/obligations/checklist (a .xlsx file, a CSV "
        "folder or its 保单.csv); docs/spreadsheets.md. Example: ansafe-rules template "
        "--format xlsx --jurisdiction shaoxing --output 台账.xlsx",
    )
    t.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    t.add_argument(
        "--jurisdiction", default=None, help="prefill the policy's 适用地区 with this ruleset id"
    )
    t.add_argument("--ruleset-path", action="append", default=[], type=Path)
    t.add_argument("--output", type=Path, required=True, help="xlsx: the workbook; csv: a folder")
    k = sub.add_parser(
        "checklist",
        help="fill in a ruleset's checklist (绍兴 检查表) from a case's findings",
        epilog="xlsx: the table of the source text (序号 | 检查内容 | 检查要点 | 检查情况), "
        "printable on A4 landscape; json: the rows as data. Example: ansafe-rules checklist "
        "examples/shaoxing-school.yaml --as-of 2026-07-31 --format xlsx --output 检查表.xlsx",
    )
    k.add_argument("file", type=Path, help="case file (YAML, JSON, XLSX or a CSV folder)")
    _common(k)
    k.add_argument("--checklist", default=None, help="checklist id (default: the first)")
    k.add_argument("--format", choices=("xlsx", "json"), default="xlsx")
    k.add_argument("--output", type=Path, default=None, help="write here (xlsx: required)")
    _lang_option(k, "language of the table (default zh)")


def _cmd_sheets(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from . import workbooks
    from .checklists import checklist, write_checklist_xlsx
    from .evaluate import evaluate
    from .inputs import load_case_file

    if args.command == "template":
        if args.jurisdiction is not None:
            known = jurisdictions(args.ruleset_path)
            if args.jurisdiction not in known:
                return _error_id(
                    err,
                    "sheets.unknown_jurisdiction",
                    name=repr(args.jurisdiction),
                    known=", ".join(known),
                )
        if args.format == "xlsx":
            workbooks.write_workbook(None, args.output, jurisdiction=args.jurisdiction)
        else:
            workbooks.write_csv_case(None, args.output, jurisdiction=args.jurisdiction)
        print(both("cli.wrote", path=args.output), file=out)
        return 0
    lang: Lang = args.lang or "zh"  # the 检查表 is a Chinese form: Chinese unless asked
    if args.format == "xlsx" and args.output is None:
        return _error_id(err, "sheets.xlsx_needs_output")
    parsed = load_case_file(args.file, limits=_limits(args))
    cache = RulesetCache(args.ruleset_path, in_force=dict(args.in_force))
    rs = (
        cache.get(args.jurisdiction)
        if args.jurisdiction
        else cache.get_registered(parsed.case.policy.jurisdiction)
    )
    calendar = WorkCalendar(load_calendar_overrides(args.calendar)) if args.calendar else None
    report = evaluate(
        rs,
        parsed,
        as_of=args.as_of or dt.date.today(),
        calendar=calendar,
        layer=args.layer,
        source=str(args.file),
        lang=lang,
    )
    result = checklist(report, rs, args.checklist)
    for issue in parsed.issues:
        said_in = _lang(args)  # the form is Chinese by default; messages follow the locale
        said = _t("cli.warning", said_in).format(message=issue.in_language(said_in))
        print(f"ansafe-rules: {said}", file=err)
    if args.format == "json":
        with _text_output(args.output, out) as dest:
            dest.write(result.model_dump_json(indent=2) + "\n")
    else:
        policy = parsed.case.policy
        write_checklist_xlsx(
            result, report, args.output, project=policy.project, insured=policy.insured, lang=lang
        )
        print(both("cli.wrote", path=args.output), file=out)
    breach = any(r.status is Status.violation and not r.advisory_only for r in result.rows)
    return 1 if breach else 0


# --- end spreadsheets in ----------------------------------------------------------------------


class _ClosedStdout:
    """Stands in for a closed stdout: any write ends the run as a broken pipe would."""

    def write(self, text: str) -> int:
        raise BrokenPipeError("stdout is closed")

    def flush(self) -> None:
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

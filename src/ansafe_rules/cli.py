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
import json
import os
import sys
import time
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from ._errors import AnsafeError
from ._version import __version__
from .calendar import WorkCalendar, load_calendar_overrides
from .diff import diff, format_diff
from .evaluate import Evaluation, Obligation, Status
from .i18n import Lang, label, lang_from_env
from .i18n import text as _t
from .ical import obligations_to_ical
from .inputs import DEFAULT_LIMITS, Limits
from .loader import jurisdictions, load_ruleset
from .outputs import RulesetStamp
from .portfolio import (
    Outcome,
    RulesetCache,
    RunSettings,
    iter_lines,
    map_chunks,
    outcome_files,
    outcome_lines,
    run_environment,
)
from .results import AnyFinding
from .rulesets import DutyHolder, Severity
from .schema import json_schemas

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
    c.add_argument("files", nargs="+", type=Path)
    _common(c)
    c.add_argument("--format", choices=("table", "json", "jsonl"), default="table")
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
    c.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=None,
        help="language of reasons, notes, status marks and table text (default: the locale's: "
        "zh when LC_ALL, LC_MESSAGES or LANG - the first set - starts with zh, else en); JSON "
        "keeps its codes and adds message_id/message_args to every finding",
    )
    o = sub.add_parser("obligations", help="what is due and when")
    o.add_argument("files", nargs="+", type=Path)
    _common(o)
    o.add_argument("--format", choices=("table", "json", "ics"), default="table")
    o.add_argument("--output", type=Path, default=None, help="write here instead of stdout")
    d = sub.add_parser("diff", help="compare two jurisdictions (ids or ruleset files)")
    d.add_argument("a")
    d.add_argument("b")
    d.add_argument("--ruleset-path", action="append", default=[], type=Path)
    d.add_argument("--format", choices=("table", "json"), default="table")
    d.add_argument("--all", action="store_true", help="also list identical obligations")
    r = sub.add_parser("rules", help="the rule catalogue of a jurisdiction")
    r.add_argument("jurisdiction", nargs="?", default="national")
    r.add_argument("--ruleset-path", action="append", default=[], type=Path)
    r.add_argument("--format", choices=("table", "json"), default="table")
    v = sub.add_parser("validate", help="check a ruleset file with the strict loader")
    v.add_argument("file", type=Path)
    v.add_argument("--ruleset-path", action="append", default=[], type=Path)
    s = sub.add_parser("schema", help="JSON Schema of every input and output model")
    s.add_argument("--output", type=Path, default=None, help="folder: one <Model>.json each")
    from .monitor import cli as monitor_cli  # durable-rules is imported only when it runs

    monitor_cli.add_parser(sub)
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
    """One policy's block of the `check` table, its words in ``lang``."""
    head = _t("table.head", lang)
    print(
        head.format(policy_id=rep.policy_id, layers=" + ".join(rep.layers), as_of=rep.as_of),
        file=out,
    )
    hidden = {Status.compliant, Status.not_applicable}
    for f in rep.findings:
        if f.status in hidden and not show_all:
            continue
        clause = f.clause or ""
        mark = _t(f"mark.{f.status.value}", lang) + _SEVERITY_MARK.get(f.severity, "")
        print(
            f"  {_pad(mark, 11)}{f.rule_id:<44} {_pad(clause, 13)}{_holder(f):<22} {f.subject}",
            file=out,
        )
        when = _when(f, lang)
        print(f"             {f.text(lang)}" + (f"  [{when}]" if when else ""), file=out)
    statuses: dict[tuple[str, str], set[Status]] = {}
    for f in rep.findings:
        statuses.setdefault((f.obligation, f.subject), set()).add(f.status)
    # the layers disagree on the outcome (or --all): say which rule binds
    keys = None if show_all else {k for k, v in statuses.items() if len(v) > 1}
    for b in rep.bindings_for(keys) if keys is None or keys else ():
        if b.conflict:
            print(f"  {_pad(_t('table.binding', lang), 11)}{b.note}", file=out)
    for note in rep.notes_in(lang):
        print(f"  {_pad(_t('table.note', lang), 11)}{note}", file=out)
    count = _t("table.count", lang)
    counts = ("、" if lang == "zh" else ", ").join(
        count.format(n=n, status=label("Status", s, lang)) for s, n in rep.counts.items() if n
    )
    print(f"   {counts}  {_t('table.legend', lang)}", file=out)


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
    """Each input's outcome, reduced to the ``--duty-holder``'s duties if one is given."""
    results = outcome_files(
        args.files,
        as_of=args.as_of or dt.date.today(),
        jurisdiction=args.jurisdiction,
        layer=args.layer,
        calendar=calendar,
        rulesets=cache,
        limits=_limits(args),
    )
    return (r.for_party(args.duty_holder) for r in results)


class _Progress:
    """A progress bar on stderr for portfolios, shown when asked or attached to a terminal.
    The total comes from a streaming line count of the .jsonl files (constant memory)."""

    WIDTH = 30

    def __init__(self, mode: str, err: TextIO, files: Sequence[Path]) -> None:
        self.on = mode == "always" or (mode == "auto" and err.isatty())
        self.err, self.n, self.bad = err, 0, 0
        self.total = 0
        self.start = time.monotonic()
        if self.on:
            for f in files:
                if f.suffix == ".jsonl" and f.is_file():
                    with f.open("rb") as fh:
                        self.total += sum(1 for line in fh if line.strip())
                else:
                    self.total += 1

    def _draw(self) -> None:
        done = min(self.n, self.total) if self.total else self.n
        filled = self.WIDTH * done // self.total if self.total else 0
        bar = "#" * filled + "." * (self.WIDTH - filled)
        elapsed = time.monotonic() - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (self.total - done) / rate if rate and self.total > done else 0.0
        eta = f", ETA {int(left) // 60}:{int(left) % 60:02d}" if left else ""
        self.err.write(
            f"\r  [{bar}] {done}/{self.total} policies ({self.bad} unreadable), "
            f"{rate:,.1f}/s{eta}   "
        )
        self.err.flush()

    def tick(self, failed: bool) -> None:
        self.n += 1
        self.bad += failed
        if self.on and (self.n % 10 == 0 or self.n in (1, self.total)):
            self._draw()

    def done(self) -> None:
        if self.on:
            self._draw()
            self.err.write("\n")


def _outcomes(
    args: argparse.Namespace, cache: RulesetCache, calendar: WorkCalendar | None
) -> Iterator[tuple[str | None, bool, str | None]]:
    """(error, has a breach, text) per input, in input order. Portfolios go to ``--jobs``
    worker processes in chunks; single case files are evaluated here."""
    spec = _Render.of(args)
    jobs = args.jobs or os.cpu_count() or 1
    if jobs <= 1 or not any(f.suffix == ".jsonl" for f in args.files):
        for r in _results(args, cache, calendar):
            yield _rendered(r, spec, cache)
        return
    settings = RunSettings(
        as_of=args.as_of or dt.date.today(),
        jurisdiction=args.jurisdiction,
        layer=args.layer,
        search_paths=tuple(map(str, args.ruleset_path)),
        in_force=tuple(args.in_force),
        calendar_file=str(args.calendar) if args.calendar else None,
        limits=_limits(args),
    )
    for path in args.files:
        if path.suffix != ".jsonl" or not path.is_file():
            one = argparse.Namespace(**{**vars(args), "files": [path]})
            for r in _results(one, cache, calendar):
                yield _rendered(r, spec, cache)
            continue
        work = functools.partial(_check_chunk, source=str(path), settings=settings, spec=spec)
        yield from map_chunks(work, iter_lines(path, settings.limits), jobs=jobs)


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.lang is None:  # the locale's language, as gettext reads it
        args.lang = lang_from_env(os.environ)
    calendar = WorkCalendar(load_calendar_overrides(args.calendar)) if args.calendar else None
    cache = RulesetCache(args.ruleset_path, in_force=dict(args.in_force))
    progress = _Progress(args.progress, err, args.files)
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
            print(f"ansafe-rules: error: {error}", file=err)
        violations |= bad
        if text is None:
            continue
        if args.format == "table":
            out.write(text)
        elif args.format == "jsonl":
            out.write(text + "\n")
        else:
            out.write(("" if first else ",") + "\n" + text)
        first = False
    if args.format == "json":
        out.write("\n]\n")
    progress.done()
    if unreadable:
        return _summary(err, unreadable, total)
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


def _rendered(
    r: Outcome, spec: _Render, cache: RulesetCache
) -> tuple[str | None, bool, str | None]:
    """(error, has a breach, text to write) for one result."""
    bad = r.evaluation is not None and r.evaluation.has_breach
    if spec.format == "table":
        if r.evaluation is None:
            return r.error, bad, None
        buf = io.StringIO()
        _print_report(r.evaluation, spec.all, buf, spec.lang)
        return r.error, bad, buf.getvalue()
    return r.error, bad, _record(r, spec, cache)


def _check_chunk(
    lines: list[tuple[int, Any]], source: str, settings: RunSettings, spec: _Render
) -> list[tuple[str | None, bool, str | None]]:
    """A worker's part of `check --jobs`: evaluate and render some portfolio lines."""
    cache, _ = run_environment(settings)
    results = outcome_lines(lines, source, settings)
    return [_rendered(r.for_party(spec.duty_holder), spec, cache) for r in results]


def _record(r: Outcome, args: _Render | argparse.Namespace, cache: RulesetCache) -> str:
    """One result as JSON: the compact report (``--detail summary``, the default) or the full
    one with every trace (``--detail full``); either way the ruleset is stamped once."""
    ev = r.evaluation
    if ev is None:
        return r.result().model_dump_json(exclude_none=True)
    name = args.jurisdiction or ev.jurisdiction
    rs = cache.get(name)
    stamp = RulesetStamp(
        id=rs.id, layers=ev.layers, digest=cache.digest(name), engine_version=__version__
    )
    head = {"source": r.source, "line": r.line}
    if r.policy_id is not None:
        head["policy_id"] = r.policy_id
    if args.detail == "full":
        body: dict[str, Any] = {
            "ruleset": stamp.model_dump(mode="json"),
            "report": ev.report(lang=args.lang).model_dump(mode="json"),
        }
    else:
        # as the table: what needs attention unless --all; the counts say the rest
        shown = None if args.all else set(Status) - {Status.compliant, Status.not_applicable}
        summary = ev.summary(stamp, statuses=shown, obligations=False, lang=args.lang).model_dump(
            mode="json", exclude_defaults=True, exclude={"obligations"}
        )
        body = {"report": summary}
    return json.dumps({**head, **body}, ensure_ascii=False)


@dataclasses.dataclass(frozen=True)
class _Obligations:
    """One policy's obligations, for `obligations`."""

    policy_id: str
    layers: tuple[str, ...]
    as_of: dt.date
    obligations: list[Obligation]


def _summary(err: TextIO, unreadable: int, total: int) -> int:
    """Say how many inputs could not be evaluated; exit code 2."""
    print(
        f"ansafe-rules: {unreadable} of {total} input(s) could not be evaluated "
        "(see the errors above); the others were",
        file=err,
    )
    return 2


class _IcsSink:
    """Writes one calendar per policy as it comes (memory holds at most one): a single policy
    goes to stdout or the ``--output`` file; several need ``--output FOLDER``, one file each,
    named after the input file (and the line, for portfolios)."""

    def __init__(self, output: Path | None, out: TextIO) -> None:
        self.output, self.out = output, out
        self.pending: tuple[Outcome, bytes] | None = None
        self.count = 0

    @staticmethod
    def _name(r: Outcome) -> str:
        stem = Path(r.source).stem
        return f"{stem}.ics" if r.line == 0 else f"{stem}-line{r.line}.ics"

    def add(self, r: Outcome, data: bytes) -> bool:
        """False when several policies arrive without --output FOLDER."""
        self.count += 1
        if self.count == 1:
            self.pending = (r, data)
            return True
        if self.output is None:
            return False
        if self.pending is not None:
            self.output.mkdir(parents=True, exist_ok=True)
            first, first_data = self.pending
            (self.output / self._name(first)).write_bytes(first_data)
            self.pending = None
        (self.output / self._name(r)).write_bytes(data)
        return True

    def finish(self) -> None:
        if self.pending is None:
            return
        data = self.pending[1]
        if self.output is not None:
            self.output.write_bytes(data)
        else:
            self.out.write(data.decode("utf-8"))


def _cmd_obligations(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    calendar = WorkCalendar(load_calendar_overrides(args.calendar)) if args.calendar else None
    cache = RulesetCache(args.ruleset_path, in_force=dict(args.in_force))
    sink = _IcsSink(args.output, out)
    unreadable = total = 0
    for r in _results(args, cache, calendar):
        total += 1
        if r.error is not None:
            print(f"ansafe-rules: error: {r.error}", file=err)
            unreadable += 1
            continue
        ev = r.evaluation
        assert ev is not None
        rep = _Obligations(ev.policy_id, ev.layers, ev.as_of, [o.model() for o in ev.obligations])
        if args.format == "ics":
            stamp = dt.datetime.combine(rep.as_of, dt.time(), tzinfo=dt.UTC)
            data = obligations_to_ical(rep.policy_id, rep.obligations, stamp=stamp)
            if not sink.add(r, data):
                print(
                    "ansafe-rules: error: several policies: give --output FOLDER for .ics files",
                    file=err,
                )
                return 2
        elif args.format == "json":
            out.write(
                json.dumps(
                    {
                        "policy_id": rep.policy_id,
                        "obligations": [o.model_dump(mode="json") for o in rep.obligations],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
        else:
            print(f"== {rep.policy_id}  [{' + '.join(rep.layers)}]", file=out)
            for o in rep.obligations:
                prov = " (provisional)" if o.provisional else ""
                print(
                    f"  {_obligation_when(o):<24}{prov} {o.rule_id:<44} {_holder(o):<22} "
                    f"{o.subject}",
                    file=out,
                )
                print(f"  {'':<24} {o.requirement}", file=out)
    if args.format == "ics":
        sink.finish()
    if unreadable:
        return _summary(err, unreadable, total)
    return 0


def _cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    a = load_ruleset(args.a, search_paths=args.ruleset_path)
    b = load_ruleset(args.b, search_paths=args.ruleset_path)
    d = diff(a, b)
    if args.format == "json":
        out.write(d.model_dump_json(indent=2) + "\n")
    else:
        out.write(format_diff(d, include_same=args.all))
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
    for rr in rs.rules:
        r = rr.rule
        print(
            f"{r.id}  [{rr.layer} {r.citation.clause}] {r.kind.value}, {r.severity.value}, "
            f"duty holder {r.duty_holder.value}"
            + (" (service duty, 5.3)" if r.service_duty else ""),
            file=out,
        )
        print(f"    {r.title} — {r.summary}", file=out)
        print(f"    「{r.citation.quote}」", file=out)
        params = r.params.model_dump(mode="json", exclude_defaults=True)
        print(f"    params: {json.dumps(params, ensure_ascii=False)}", file=out)
        for k, v in r.interpretive.items():
            print(f"    interpretive {k}: {v}", file=out)
    print(
        f"{len(rs.rules)} rules in {' + '.join(li.id for li in rs.layers)}; "
        f"jurisdictions available: {', '.join(jurisdictions(args.ruleset_path))}",
        file=out,
    )
    return 0


def _cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    rs = load_ruleset(args.file, search_paths=[args.file.parent, *args.ruleset_path])
    own = [r for r in rs.rules if r.layer == rs.id]
    print(
        f"ok: {args.file}: {len(own)} rules of its own, {len(rs.rules)} with "
        f"{' + '.join(li.id for li in rs.layers)}",
        file=out,
    )
    return 0


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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # stdout closed (`>&-`): Python gives None; writing to it ends the run quietly (141)
    out: TextIO = sys.stdout if sys.stdout is not None else _ClosedStdout()
    err = sys.stderr if sys.stderr is not None else open(os.devnull, "w")  # noqa: SIM115
    try:
        if args.command == "check":
            return _cmd_check(args, out, err)
        if args.command == "obligations":
            return _cmd_obligations(args, out, err)
        if args.command == "diff":
            return _cmd_diff(args, out)
        if args.command == "rules":
            return _cmd_rules(args, out)
        if args.command == "validate":
            return _cmd_validate(args, out)
        if args.command == "monitor":
            from .monitor import cli as monitor_cli

            return monitor_cli.run(args, out, err)
        return _cmd_schema(args, out)
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, as shell tools do on SIGPIPE
        if sys.stdout is not None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            with contextlib.suppress(OSError, ValueError):
                os.dup2(devnull, sys.stdout.fileno())
        return 141
    except (AnsafeError, ValueError, OSError) as exc:
        print(f"ansafe-rules: error: {exc}", file=err)
        return 2
    except Exception as exc:  # never a traceback
        print(f"ansafe-rules: error: unexpected {type(exc).__name__}: {exc}", file=err)
        return 2


class _ClosedStdout:
    """Stands in for a closed stdout: any write ends the run as a broken pipe would."""

    def write(self, text: str) -> int:
        raise BrokenPipeError("stdout is closed")

    def flush(self) -> None:
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

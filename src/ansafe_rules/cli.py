"""Command line: ``ansafe-rules check|obligations|rules``.

Exit codes: 0 no violations, 1 violations found, 2 bad input or usage. Bad input prints one
clear message naming the file, record and field — never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from ._errors import AnsafeError
from .calendar import WorkCalendar, load_calendar_overrides
from .evaluate import Finding, Report, Status, evaluate
from .inputs import load_case_file
from .rulesets import ResolvedRuleset, jurisdictions, load_ruleset

__all__ = ["main"]

_MARK = {
    Status.compliant: "ok",
    Status.violation: "VIOLATION",
    Status.pending: "pending",
    Status.not_applicable: "n/a",
    Status.insufficient_data: "no data",
    Status.data_error: "DATA ERROR",
}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ansafe-rules",
        description="Evaluate 安责险 accident-prevention service records against the rules.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    for name, helptext in (
        ("check", "findings for policies with their records"),
        ("obligations", "what is due and when"),
    ):
        c = sub.add_parser(name, help=helptext)
        c.add_argument("files", nargs="+", type=Path, help="case files (YAML or JSON)")
        c.add_argument(
            "--as-of", type=_date, default=None, help="judge as of this date (default: today)"
        )
        c.add_argument(
            "--jurisdiction",
            default=None,
            help="ruleset id or file (default: the policy's jurisdiction)",
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
        c.add_argument("--format", choices=("table", "json"), default="table")
        if name == "check":
            c.add_argument(
                "--all", action="store_true", help="also list compliant and not-applicable findings"
            )
    r = sub.add_parser("rules", help="the rule catalogue of a jurisdiction")
    r.add_argument("jurisdiction", nargs="?", default="national")
    r.add_argument("--ruleset-path", action="append", default=[], type=Path)
    r.add_argument("--format", choices=("table", "json"), default="table")
    return p


def _when(f: Finding) -> str:
    t = f.trace
    if t is None:
        return ""
    if t.due is not None:
        prov = " (provisional)" if f.provisional else ""
        return f"due {t.due.due_at or t.due.due_date}{prov}"
    if t.window is not None:
        return f"period {t.window.start}..{t.window.end}"
    return ""


def _print_report(rep: Report, show_all: bool, out: TextIO) -> None:
    print(f"== {rep.policy_id}  [{' + '.join(rep.layers)}]  as of {rep.as_of}", file=out)
    hidden = {Status.compliant, Status.not_applicable}
    for f in rep.findings:
        if f.status in hidden and not show_all:
            continue
        clause = f.trace.citation.clause if f.trace else ""
        print(f"  {_MARK[f.status]:<10} {f.rule_id:<44} {clause:<6} {f.subject}", file=out)
        when = _when(f)
        print(f"             {f.reason}" + (f"  [{when}]" if when else ""), file=out)
    counts = ", ".join(f"{n} {s.value}" for s, n in rep.counts.items() if n)
    print(f"   {counts}", file=out)


def _ruleset_for(
    args: argparse.Namespace, jurisdiction: str, cache: dict[str, ResolvedRuleset]
) -> ResolvedRuleset:
    name = args.jurisdiction or jurisdiction
    if name not in cache:
        cache[name] = load_ruleset(name, search_paths=args.ruleset_path)
    return cache[name]


def _cmd_evaluate(args: argparse.Namespace, out: TextIO) -> int:
    as_of = args.as_of or dt.date.today()
    calendar = WorkCalendar(load_calendar_overrides(args.calendar)) if args.calendar else None
    cache: dict[str, ResolvedRuleset] = {}
    violations = False
    for path in args.files:
        parsed = load_case_file(path)
        rs = _ruleset_for(args, parsed.case.policy.jurisdiction, cache)
        rep = evaluate(
            rs, parsed, as_of=as_of, layer=args.layer, source=str(path), calendar=calendar
        )
        violations |= any(f.status in (Status.violation, Status.data_error) for f in rep.findings)
        if args.command == "obligations":
            if args.format == "json":
                print(
                    json.dumps(
                        [o.model_dump(mode="json") for o in rep.obligations],
                        ensure_ascii=False,
                        indent=2,
                    ),
                    file=out,
                )
            else:
                print(f"== {rep.policy_id}  [{' + '.join(rep.layers)}]", file=out)
                for o in rep.obligations:
                    when = (
                        o.due_at
                        or o.due_date
                        or o.retain_until
                        or (f"{o.window.start}..{o.window.end}" if o.window else "standing")
                    )
                    prov = " (provisional)" if o.provisional else ""
                    print(f"  {when!s:<24}{prov} {o.rule_id:<44} {o.requirement}", file=out)
        elif args.format == "json":
            print(rep.model_dump_json(indent=2), file=out)
        else:
            _print_report(rep, args.all, out)
    if args.command == "obligations":
        return 0
    return 1 if violations else 0


def _cmd_rules(args: argparse.Namespace, out: TextIO) -> int:
    rs = load_ruleset(args.jurisdiction, search_paths=args.ruleset_path)
    if args.format == "json":
        print(
            json.dumps([r.model_dump(mode="json") for r in rs.rules], ensure_ascii=False, indent=2),
            file=out,
        )
        return 0
    for rr in rs.rules:
        r = rr.rule
        print(
            f"{r.id}  [{rr.layer} {r.citation.clause}] {r.kind.value}, {r.severity.value}", file=out
        )
        print(f"    {r.title} — {r.summary}", file=out)
        print(f"    「{r.citation.quote}」", file=out)
        for k, v in r.interpretive.items():
            print(f"    interpretive {k}: {v}", file=out)
    print(f"{len(rs.rules)} rules; jurisdictions available: {', '.join(jurisdictions())}", file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "rules":
            return _cmd_rules(args, sys.stdout)
        return _cmd_evaluate(args, sys.stdout)
    except (AnsafeError, ValueError) as exc:
        print(f"ansafe-rules: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

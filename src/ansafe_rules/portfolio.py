"""Portfolios: many policies evaluated lazily, one result per policy.

A portfolio is JSON Lines: one policy case per line. :func:`evaluate_portfolio` reads it as a
stream (memory does not grow with the number of lines), reuses each resolved ruleset and the
calendar across policies, and turns a line that cannot be read into an error result for that
line while the others are still evaluated.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ._errors import AnsafeError
from .calendar import WorkCalendar, default_calendar
from .evaluate import Report, evaluate
from .inputs import load_case_file, parse_case
from .loader import load_ruleset
from .rulesets import ResolvedRuleset

__all__ = [
    "PortfolioResult",
    "RulesetCache",
    "evaluate_files",
    "evaluate_portfolio",
    "read_jsonl",
]


class PortfolioResult(BaseModel):
    """The outcome for one line of a portfolio: a report, or the error that prevented one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(description="file or stream")
    line: int = Field(description="1-based line number")
    policy_id: str | None = None
    report: Report | None = None
    error: str | None = Field(default=None, description="why the line could not be evaluated")


class RulesetCache:
    """Resolved rulesets by jurisdiction, loaded once per run (not shared between threads
    unless the caller wants to: loading is idempotent)."""

    def __init__(
        self,
        search_paths: Sequence[str | Path] = (),
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        in_force: Mapping[str, dt.date] | None = None,
    ) -> None:
        self._paths = tuple(search_paths)
        self._overrides = overrides
        self._in_force = in_force
        self._cache: dict[str, ResolvedRuleset] = {}

    def get(self, name: str) -> ResolvedRuleset:
        if name not in self._cache:
            self._cache[name] = load_ruleset(
                name, search_paths=self._paths, overrides=self._overrides, in_force=self._in_force
            )
        return self._cache[name]


def read_jsonl(path: str | Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of the non-blank lines of a JSON Lines file, streamed."""
    with Path(path).open(encoding="utf-8") as fh:
        for n, text in enumerate(fh, start=1):
            if text.strip():
                yield n, text


def _evaluate_one(
    data: Any,
    *,
    source: str,
    line: int,
    label: str,
    as_of: dt.date,
    jurisdiction: str | None,
    layer: str | None,
    calendar: WorkCalendar,
    rulesets: RulesetCache,
) -> PortfolioResult:
    """Parse, pick the ruleset, evaluate; an unreadable input becomes an error result."""
    try:
        parsed = parse_case(data, label)
        rs = rulesets.get(jurisdiction or parsed.case.policy.jurisdiction)
        report = evaluate(rs, parsed, as_of=as_of, calendar=calendar, layer=layer, source=label)
    except (AnsafeError, ValueError) as exc:
        pid = data.get("policy", {}).get("policy_id") if isinstance(data, Mapping) else None
        return PortfolioResult(
            source=source,
            line=line,
            policy_id=pid if isinstance(pid, str) else None,
            error=str(exc),
        )
    return PortfolioResult(source=source, line=line, policy_id=report.policy_id, report=report)


def evaluate_portfolio(
    lines: Iterable[tuple[int, str | Mapping[str, Any]]] | str | Path,
    *,
    as_of: dt.date,
    jurisdiction: str | None = None,
    layer: str | None = None,
    calendar: WorkCalendar | None = None,
    rulesets: RulesetCache | None = None,
    source: str | None = None,
) -> Iterator[PortfolioResult]:
    """Evaluate a portfolio lazily.

    ``lines`` is a JSON Lines path, or an iterable of ``(line number, JSON text or mapping)``.
    ``jurisdiction`` forces a ruleset; otherwise each policy's own ``jurisdiction`` is used.
    """
    if isinstance(lines, str | Path):
        source = source or str(lines)
        lines = read_jsonl(lines)
    source = source or "<portfolio>"
    common = {
        "as_of": as_of,
        "jurisdiction": jurisdiction,
        "layer": layer,
        "calendar": calendar or default_calendar(),
        "rulesets": rulesets or RulesetCache(),
    }
    for n, item in lines:
        try:
            data = json.loads(item) if isinstance(item, str) else item
        except json.JSONDecodeError as exc:
            yield PortfolioResult(
                source=source, line=n, error=f"{source}: line {n}: invalid JSON: {exc.msg}"
            )
            continue
        yield _evaluate_one(data, source=source, line=n, label=f"{source}: line {n}", **common)


def evaluate_files(
    paths: Iterable[str | Path],
    *,
    as_of: dt.date,
    jurisdiction: str | None = None,
    layer: str | None = None,
    calendar: WorkCalendar | None = None,
    rulesets: RulesetCache | None = None,
) -> Iterator[PortfolioResult]:
    """Evaluate case files (``.yaml``/``.yml``/``.json``, one policy each, ``line`` 0) and
    portfolios (``.jsonl``, streamed), in order, sharing one ruleset cache and calendar."""
    calendar = calendar or default_calendar()
    rulesets = rulesets or RulesetCache()
    common = {
        "as_of": as_of,
        "jurisdiction": jurisdiction,
        "layer": layer,
        "calendar": calendar,
        "rulesets": rulesets,
    }
    for path in map(Path, paths):
        if path.suffix == ".jsonl":
            if not path.is_file():
                error = f"{path}: cannot read file: no such file"
                yield PortfolioResult(source=str(path), line=0, error=error)
                continue
            yield from evaluate_portfolio(path, **common)
            continue
        try:
            parsed = load_case_file(path)
        except AnsafeError as exc:
            yield PortfolioResult(source=str(path), line=0, error=str(exc))
            continue
        yield _evaluate_one(parsed, source=str(path), line=0, label=str(path), **common)

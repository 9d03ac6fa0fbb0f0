"""Portfolios: many policies evaluated lazily, one result per policy.

A portfolio is JSON Lines: one policy case per line. :func:`evaluate_portfolio` reads it as a
stream (memory does not grow with the number of lines), reuses each resolved ruleset and the
calendar across policies, and turns a line that cannot be read (invalid JSON or UTF-8, too
long, too deep, an unknown jurisdiction, or anything else) into an error result naming the file
and line while the lines before and after it are still evaluated.

A jurisdiction named in *data* (a policy's ``jurisdiction``) must be a registry id: it is looked
up among the rulesets, never read as a file path. Only the caller chooses a ruleset file
(``jurisdiction=`` here, ``--jurisdiction FILE`` on the command line).
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ._errors import AnsafeError, InputError, error_at
from ._version import __version__
from ._yaml import decode
from .calendar import WorkCalendar, default_calendar
from .evaluate import Evaluation, Report, evaluate_batch
from .i18n import pair
from .inputs import DEFAULT_LIMITS, Limits, ParsedCase, load_case_file, loads_json, parse_case
from .loader import load_ruleset
from .outputs import RulesetStamp
from .rulesets import ResolvedRuleset

__all__ = [
    "Outcome",
    "PortfolioResult",
    "RulesetCache",
    "RunSettings",
    "evaluate_files",
    "evaluate_lines",
    "evaluate_portfolio",
    "iter_lines",
    "iter_outcomes",
    "map_chunks",
    "outcome_files",
    "outcome_lines",
    "read_jsonl",
    "run_environment",
]


class PortfolioResult(BaseModel):
    """The outcome for one line of a portfolio: a report, or the error that prevented one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(description="file or stream")
    line: int = Field(description="1-based line number")
    policy_id: str | None = None
    report: Report | None = None
    error: str | None = Field(default=None, description="why the line could not be evaluated")
    error_zh: str | None = Field(
        default=None,
        description="中文 — why the line could not be evaluated, in Chinese (absent when not said)",
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """The outcome for one line as compact rows (:class:`Evaluation`): the fast path the CLI,
    worker processes and Spark use; :meth:`result` builds the full :class:`PortfolioResult`."""

    source: str
    line: int
    policy_id: str | None = None
    evaluation: Evaluation | None = None
    error: str | None = None
    error_zh: str | None = None  # the error in Chinese, when it was said in both

    def result(self) -> PortfolioResult:
        ev = self.evaluation
        return PortfolioResult(
            source=self.source,
            line=self.line,
            policy_id=self.policy_id,
            report=ev.report() if ev is not None else None,
            error=self.error,
            error_zh=self.error_zh,
        )

    @classmethod
    def failed(
        cls, source: str, line: int, exc: BaseException, policy_id: str | None = None
    ) -> Outcome:
        """The outcome of an input that could not be evaluated because of ``exc`` (its
        Chinese too, when it was said in both)."""
        zh = exc.zh if isinstance(exc, AnsafeError) else None
        return cls(source=source, line=line, policy_id=policy_id, error=str(exc), error_zh=zh)

    def error_in(self, lang: str) -> str | None:
        """:attr:`error` in ``lang`` (``"zh"``: the Chinese when it was said in both)."""
        return self.error_zh if lang == "zh" and self.error_zh is not None else self.error

    def for_party(self, party: str | None) -> Outcome:
        """Only ``party``'s duties (unchanged when ``party`` is None or there is an error)."""
        if party is None or self.evaluation is None:
            return self
        return dataclasses.replace(self, evaluation=self.evaluation.for_party(party))


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
        self._digests: dict[str, str] = {}

    def get(self, name: str) -> ResolvedRuleset:
        """The ruleset ``name``: an id, or a ruleset file path chosen by the caller."""
        if name not in self._cache:
            self._cache[name] = load_ruleset(
                name, search_paths=self._paths, overrides=self._overrides, in_force=self._in_force
            )
        return self._cache[name]

    def digest(self, name: str) -> str:
        """The digest of ruleset ``name`` (computed once per cache)."""
        key = f"digest:{name}"
        if key not in self._digests:
            self._digests[key] = self.get(name).digest
        return self._digests[key]

    def stamp(self, name: str, layers: tuple[str, ...]) -> RulesetStamp:
        """What a report evaluated with ruleset ``name`` (its ``layers``) is stamped with."""
        return RulesetStamp(
            id=self.get(name).id,
            layers=layers,
            digest=self.digest(name),
            engine_version=__version__,
        )

    def get_registered(self, name: str) -> ResolvedRuleset:
        """The ruleset with id ``name`` named in data: never a file path."""
        if not is_registry_name(name):
            zh, en = pair("input.not_registry_name", name=repr(name))
            raise InputError(en, zh=zh)
        return self.get(name)


def jurisdiction_error(label: str, exc: AnsafeError) -> InputError:
    """The policy's ``jurisdiction`` names no ruleset it may (``exc`` says why), as an input
    error of the case ``label`` in both languages."""
    return error_at(
        InputError,
        label,
        "input.bad_jurisdiction",
        error=str(exc),
        error_zh=exc.in_language("zh"),
    )


def is_registry_name(name: str) -> bool:
    """Could ``name`` be a ruleset id (no path separator, no file suffix, no leading dot)?"""
    low = name.lower()
    return bool(name) and not (
        any(c in name for c in "/\\\0:") or low.endswith((".yaml", ".yml")) or name.startswith(".")
    )


def _skip_rest(fh: Any) -> None:
    while True:
        chunk = fh.readline(1 << 20)
        if not chunk or chunk.endswith(b"\n"):
            return


def iter_lines(path: Path, limits: Limits) -> Iterator[tuple[int, str | InputError]]:
    """(line number, text or the error that prevents reading it) of the non-blank lines.

    Read as bytes and decoded line by line, so a line that is not UTF-8 or longer than
    ``limits.max_line_bytes`` costs only that line; memory is bounded by the longest line."""
    limit = limits.max_line_bytes
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield 0, error_at(InputError, str(path), "input.cannot_read", error=exc.strerror)
        return
    with fh:
        n = 0
        while raw := fh.readline(limit + 1):
            n += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                _skip_rest(fh)
                yield (
                    n,
                    error_at(
                        InputError, str(path), "input.line_too_long", line=n, limit=f"{limit:,}"
                    ),
                )
                continue
            if not raw.strip():
                continue
            try:
                yield n, decode(raw, str(path), InputError, line=n)
            except InputError as exc:
                yield n, exc


def read_jsonl(path: str | Path, *, limits: Limits | None = None) -> Iterator[tuple[int, str]]:
    """(line number, text) of the non-blank lines of a JSON Lines file, streamed. A line that
    cannot be read raises :class:`InputError` naming the file and line (``evaluate_portfolio``
    reports such lines and goes on)."""
    for n, item in iter_lines(Path(path), limits or DEFAULT_LIMITS):
        if isinstance(item, InputError):
            raise item
        yield n, item


def _policy_id(data: Any) -> str | None:
    pol = data.get("policy") if isinstance(data, Mapping) else None
    pid = pol.get("policy_id") if isinstance(pol, Mapping) else None
    return pid if isinstance(pid, str) else None


_BATCH = 4
"""Lines of a portfolio read at a time, the policies of one ruleset among them evaluated
together, a rule at a time (:func:`ansafe_rules.evaluate_batch`): the size that measured
fastest in ``benchmarks/batches.py``; larger batches gain nothing."""


@dataclasses.dataclass
class _Pending:
    """A policy read from its input, waiting to be evaluated with others."""

    source: str
    line: int
    label: str
    data: Any


def _failure(pending: _Pending, exc: Exception) -> Outcome:
    """The outcome of an input that could not be evaluated because of ``exc``: an input or
    ruleset error as it was said, anything else as an unexpected error of that input."""
    pid = _policy_id(pending.data)
    if isinstance(exc, AnsafeError | ValueError):
        return Outcome.failed(pending.source, pending.line, exc, pid)
    error = f"{type(exc).__name__}: {exc}"
    said = error_at(InputError, pending.label, "input.unexpected", error=error)
    return Outcome.failed(pending.source, pending.line, said, pid)


def _evaluate_all(
    pendings: Sequence[_Pending],
    *,
    as_of: dt.date,
    jurisdiction: str | None,
    layer: str | None,
    calendar: WorkCalendar,
    rulesets: RulesetCache,
    limits: Limits,
    lean: bool = False,
) -> list[Outcome]:
    """Parse each input, pick its ruleset, and evaluate those of one ruleset together
    (:func:`evaluate_batch`; ``lean``: see :func:`evaluate_rows`); one outcome per input, in
    their order. An input that cannot be evaluated becomes an error result naming the file,
    line and field; it never stops the others (a batch that fails outside its rules is
    evaluated again a policy at a time, so that the failure is that policy's alone). Never
    raises."""
    out: list[Outcome | None] = [None] * len(pendings)
    groups: dict[int, list[tuple[int, ResolvedRuleset, ParsedCase]]] = {}
    for i, pending in enumerate(pendings):
        try:
            parsed = parse_case(pending.data, pending.label, limits=limits)
            if jurisdiction is not None:
                rs = rulesets.get(jurisdiction)  # the caller's choice: an id or a ruleset file
            else:
                name = parsed.case.policy.jurisdiction
                try:
                    rs = rulesets.get_registered(name)
                except AnsafeError as exc:
                    raise jurisdiction_error(pending.label, exc) from None
        except Exception as exc:  # never a traceback, never the end of the stream
            out[i] = _failure(pending, exc)
            continue
        groups.setdefault(id(rs), []).append((i, rs, parsed))

    def settle(batch: list[tuple[int, ResolvedRuleset, ParsedCase]]) -> bool:
        """Evaluate ``batch`` (one ruleset) into ``out``; False, with nothing written, when
        several policies failed together outside their rules."""
        try:
            evs = evaluate_batch(
                batch[0][1],
                [parsed for _, _, parsed in batch],
                as_of=as_of,
                calendar=calendar,
                layer=layer,
                sources=[pendings[i].label for i, _, _ in batch],
                lean=lean,
            )
            made = [
                Outcome(source=p.source, line=p.line, policy_id=ev.policy_id, evaluation=ev)
                for p, ev in zip((pendings[i] for i, _, _ in batch), evs, strict=True)
            ]
        except Exception as exc:  # never a traceback, never the end of the stream
            if len(batch) > 1:
                return False
            out[batch[0][0]] = _failure(pendings[batch[0][0]], exc)
            return True
        for (i, _, _), outcome in zip(batch, made, strict=True):
            out[i] = outcome
        return True

    for group in groups.values():
        # together; again a policy at a time when that failed, so that a failure is the
        # policy's that caused it, not its batch's
        if not settle(group):
            for one in group:
                settle([one])
    done = [o for o in out if o is not None]
    if len(done) != len(pendings):  # every input has its outcome, or none is given
        raise AssertionError(f"{len(pendings) - len(done)} inputs left without an outcome")
    return done


def evaluate_portfolio(
    lines: Iterable[tuple[int, str | Mapping[str, Any]]] | str | Path,
    *,
    as_of: dt.date,
    jurisdiction: str | None = None,
    layer: str | None = None,
    calendar: WorkCalendar | None = None,
    rulesets: RulesetCache | None = None,
    source: str | None = None,
    limits: Limits | None = None,
) -> Iterator[PortfolioResult]:
    """Evaluate a portfolio lazily.

    ``lines`` is a JSON Lines path, or an iterable of ``(line number, JSON text or mapping)``.
    ``jurisdiction`` forces a ruleset (an id or a file); otherwise each policy's own
    ``jurisdiction`` is used, which must be a ruleset id. One result per line, in order; a line
    that cannot be evaluated gives an error result and the next lines are still evaluated.
    Every report is built in full; :func:`iter_outcomes` gives compact rows instead.
    """
    for o in iter_outcomes(
        lines,
        as_of=as_of,
        jurisdiction=jurisdiction,
        layer=layer,
        calendar=calendar,
        rulesets=rulesets,
        source=source,
        limits=limits,
    ):
        yield o.result()


def iter_outcomes(
    lines: Iterable[tuple[int, str | Mapping[str, Any]]] | str | Path,
    *,
    as_of: dt.date,
    jurisdiction: str | None = None,
    layer: str | None = None,
    calendar: WorkCalendar | None = None,
    rulesets: RulesetCache | None = None,
    source: str | None = None,
    limits: Limits | None = None,
    lean: bool = False,
    batch: int = _BATCH,
) -> Iterator[Outcome]:
    """:func:`evaluate_portfolio` as compact rows (:class:`Outcome`), explanations on demand;
    ``lean=True`` when only the findings needing attention will be read (compliant ones are
    counted, not built: :func:`ansafe_rules.evaluate_rows`). Lines are read ``batch`` at a
    time (a window: memory stays flat), the policies of one ruleset among them evaluated
    together (:func:`ansafe_rules.evaluate_batch`); ``batch=1`` gives each line's outcome as
    soon as it is read (a live stream)."""
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise ValueError(f"batch must be a whole number of at least 1, not {batch!r}")
    limits = limits or DEFAULT_LIMITS
    items: Iterable[tuple[int, Any]]
    if isinstance(lines, str | Path):
        source = source or str(lines)
        items = iter_lines(Path(lines), limits)
    else:
        items = lines
    source = source or "<portfolio>"
    common = {
        "as_of": as_of,
        "jurisdiction": jurisdiction,
        "layer": layer,
        "calendar": calendar or default_calendar(),
        "rulesets": rulesets or RulesetCache(),
        "limits": limits,
        "lean": lean,
    }
    return _windows(items, source, limits, batch, common)


def _windows(
    items: Iterable[tuple[int, Any]],
    source: str,
    limits: Limits,
    batch: int,
    common: dict[str, Any],
) -> Iterator[Outcome]:
    """Each line's outcome in order, read ``batch`` lines at a time (readable or not)."""
    window: list[Outcome | _Pending] = []
    for n, item in items:
        try:
            if isinstance(item, InputError):
                raise item
            data = (
                loads_json(item, source, limits=limits, line=n) if isinstance(item, str) else item
            )
        except InputError as exc:
            window.append(Outcome.failed(source, n, exc))
        else:
            window.append(_Pending(source, n, f"{source}: line {n}", data))
        if len(window) >= batch:
            yield from _settled(window, common)
            window = []
    yield from _settled(window, common)


def _settled(window: list[Outcome | _Pending], common: dict[str, Any]) -> list[Outcome]:
    """``window``'s outcomes in order: its pending policies evaluated (:func:`_evaluate_all`)."""
    pendings = [w for w in window if isinstance(w, _Pending)]
    done = iter(_evaluate_all(pendings, **common))
    return [w if isinstance(w, Outcome) else next(done) for w in window]


def evaluate_files(
    paths: Iterable[str | Path],
    *,
    as_of: dt.date,
    jurisdiction: str | None = None,
    layer: str | None = None,
    calendar: WorkCalendar | None = None,
    rulesets: RulesetCache | None = None,
    limits: Limits | None = None,
) -> Iterator[PortfolioResult]:
    """Evaluate case files (``.yaml``/``.yml``/``.json``, one policy each, ``line`` 0) and
    portfolios (``.jsonl``, streamed), in order, sharing one ruleset cache and calendar."""
    for o in outcome_files(
        paths,
        as_of=as_of,
        jurisdiction=jurisdiction,
        layer=layer,
        calendar=calendar,
        rulesets=rulesets,
        limits=limits,
    ):
        yield o.result()


def outcome_files(
    paths: Iterable[str | Path],
    *,
    as_of: dt.date,
    jurisdiction: str | None = None,
    layer: str | None = None,
    calendar: WorkCalendar | None = None,
    rulesets: RulesetCache | None = None,
    limits: Limits | None = None,
    lean: bool = False,
) -> Iterator[Outcome]:
    """:func:`evaluate_files` as compact rows (:class:`Outcome`; ``lean`` as for
    :func:`iter_outcomes`)."""
    calendar = calendar or default_calendar()
    rulesets = rulesets or RulesetCache()
    limits = limits or DEFAULT_LIMITS
    common = {
        "as_of": as_of,
        "jurisdiction": jurisdiction,
        "layer": layer,
        "calendar": calendar,
        "rulesets": rulesets,
        "limits": limits,
        "lean": lean,
    }
    for path in map(Path, paths):
        if path.suffix == ".jsonl":
            if not path.is_file():
                exc = error_at(InputError, str(path), "input.no_such_file")
                yield Outcome.failed(str(path), 0, exc)
                continue
            yield from iter_outcomes(path, **common)
            continue
        try:
            parsed = load_case_file(path, limits=limits)
        except AnsafeError as exc:
            yield Outcome.failed(str(path), 0, exc)
            continue
        yield from _evaluate_all([_Pending(str(path), 0, str(path), parsed)], **common)


# ------------------------------------------------------------------------------------------
# all cores: chunks of a portfolio evaluated in worker processes, results in input order
@dataclasses.dataclass(frozen=True)
class RunSettings:
    """Everything a worker process needs to evaluate lines as the parent would (picklable,
    hashable): the date, the ruleset choice, the calendar overrides file, the limits."""

    as_of: dt.date
    jurisdiction: str | None = None
    layer: str | None = None
    search_paths: tuple[str, ...] = ()
    in_force: tuple[tuple[str, dt.date], ...] = ()
    calendar_file: str | None = None
    limits: Limits = DEFAULT_LIMITS
    lean: bool = False  # only the findings needing attention will be read (evaluate_rows)


@functools.lru_cache(maxsize=4)
def run_environment(settings: RunSettings) -> tuple[RulesetCache, WorkCalendar]:
    """One ruleset cache and calendar per worker process and settings (a memo, not shared
    state: each process builds its own from the same settings)."""
    from .calendar import load_calendar_overrides

    cal = (
        WorkCalendar(load_calendar_overrides(settings.calendar_file))
        if settings.calendar_file
        else default_calendar()
    )
    return RulesetCache(settings.search_paths, in_force=dict(settings.in_force)), cal


def evaluate_lines(
    lines: Sequence[tuple[int, str | InputError]], source: str, settings: RunSettings
) -> list[PortfolioResult]:
    """Evaluate some lines of a portfolio (one chunk, in a worker or not)."""
    return [o.result() for o in outcome_lines(lines, source, settings)]


def outcome_lines(
    lines: Sequence[tuple[int, str | InputError]], source: str, settings: RunSettings
) -> list[Outcome]:
    """:func:`evaluate_lines` as compact rows."""
    cache, cal = run_environment(settings)
    return list(
        iter_outcomes(
            lines,
            as_of=settings.as_of,
            jurisdiction=settings.jurisdiction,
            layer=settings.layer,
            calendar=cal,
            rulesets=cache,
            source=source,
            limits=settings.limits,
            lean=settings.lean,
        )
    )


def map_chunks(
    fn: Callable[[list[Any]], list[Any]],
    items: Iterable[Any],
    *,
    jobs: int,
    chunk: int = 16,
    ahead: int = 4,
) -> Iterator[Any]:
    """``fn`` over consecutive chunks of ``items`` in ``jobs`` processes, yielding its outputs in
    input order. At most ``jobs * ahead`` chunks are in flight, so memory stays flat however
    long ``items`` is. ``fn`` must be picklable (a module-level function or a partial of one)."""
    it = iter(items)

    def chunks() -> Iterator[list[Any]]:
        while batch := [x for _, x in zip(range(chunk), it, strict=False)]:
            yield batch

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: collections.deque[Future[list[Any]]] = collections.deque()
        for batch in chunks():
            pending.append(pool.submit(fn, batch))
            if len(pending) >= jobs * ahead:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()

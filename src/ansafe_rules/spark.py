"""Evaluate a portfolio on Apache Spark: one row per finding, the same rows as the library.

Install the extra (``pip install 'ansafe-rules[spark]'``: pyspark, pyarrow, pandas) on the
driver and on every executor; ``docs/spark.md`` shows how to submit to a cluster.

- :func:`evaluate_dataframe` takes a DataFrame with a string column of case JSON (one policy per
  row, as a line of a ``.jsonl`` portfolio) and returns a DataFrame with the fixed schema
  :data:`COLUMNS` (``SparkFindingRow`` is its JSON Schema). Evaluation runs on the executors
  with ``mapInArrow``; the resolved rulesets and the working-day calendar are resolved once on
  the driver and broadcast pickled, so executors never read ruleset files.
- :func:`cases_from_tables` builds that case column from a policies table and record tables
  joined by ``policy_id``.
- ``python -m ansafe_rules.spark --input cases.jsonl --output out.parquet --as-of 2026-07-31``
  (or ``spark-submit`` of this file) reads JSON Lines or Parquet and writes Parquet or JSON.

Each policy goes through the library's compact path on the executor
(:func:`ansafe_rules.portfolio.iter_outcomes`, rows built only for the findings output), so every
row equals the single-machine result (:func:`ansafe_rules.evaluate_portfolio` then
:func:`ansafe_rules.summarize`);
a row that cannot be read becomes one error row (``error`` set) and the partition goes on.
This module imports pyspark and pyarrow only inside its functions: importing it without the
extra works, calling it says what to install.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # `spark-submit .../ansafe_rules/spark.py`: this file as a script,
    # whose folder Python puts first on sys.path; its calendar.py would shadow the stdlib's
    _here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _here]

import argparse
import dataclasses
import datetime as dt
import functools
import pickle
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from ansafe_rules._errors import AnsafeError
from ansafe_rules._version import __version__
from ansafe_rules.calendar import WorkCalendar, default_calendar, load_calendar_overrides
from ansafe_rules.evaluate import Evaluation, Status
from ansafe_rules.i18n import Lang, Memo, normalise_lang
from ansafe_rules.i18n import text as _t
from ansafe_rules.inputs import DEFAULT_LIMITS, Limits
from ansafe_rules.loader import jurisdictions
from ansafe_rules.portfolio import RulesetCache, iter_outcomes
from ansafe_rules.results import AnyFinding
from ansafe_rules.rulesets import NOT_A_BREACH, DutyHolder, ResolvedRuleset, Severity

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "COLUMNS",
    "INSTALL_HINT",
    "SparkError",
    "SparkFindingRow",
    "cases_from_tables",
    "evaluate_dataframe",
    "evaluate_items",
    "json_schema",
    "main",
    "make_payload",
    "spark_schema",
]

INSTALL_HINT = "pip install 'ansafe-rules[spark]'"
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
"""China time (UTC+8, no daylight saving since 1992): naive instants are read in it."""

_HIDDEN = frozenset({Status.compliant, Status.not_applicable})


class SparkError(AnsafeError, ValueError):
    """Bad use of the Spark engine (a missing column, a bad option, a missing extra)."""


# ------------------------------------------------------------------------------------------
# the output schema: one table, three spellings (Spark DDL, Arrow, JSON Schema)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("row", "BIGINT", "行号 — 1-based position of the input row (a JSON Lines line number)"),
    ("id", "STRING", "调用方编号 — the caller's id column (id_col) as text; null without one"),
    ("policy_id", "STRING", "保单号 — policy.policy_id, when it could be read"),
    ("jurisdiction", "STRING", "辖区 — the ruleset evaluated (top layer); null on an error row"),
    ("layers", "ARRAY<STRING>", "规则层 — the ruleset's layers, bottom first"),
    ("rule_id", "STRING", "规则 — the rule judged"),
    ("layer", "STRING", "所属层 — the rule's layer"),
    ("clause", "STRING", "条款 — the clause cited"),
    ("severity", "STRING", "严重程度 — critical, major, minor, advisory, assessment"),
    ("duty_holder", "STRING", "义务主体 — who owes the duty (null only for input errors)"),
    ("liable_party", "STRING", "责任方 — who is liable where it differs (AQ 9010-2019 5.3)"),
    ("status", "STRING", "结论 — compliant, violation, pending, not_applicable, ..."),
    ("subject", "STRING", "评估对象 — what was judged, e.g. service_records/S-01"),
    ("reason", "STRING", "理由 — the judgement in one sentence (in lang: en or zh)"),
    ("due_date", "DATE", "期限最后一日 — last day of the period (ends 24:00 China time)"),
    ("due_at", "TIMESTAMP", "精确截止时刻 — deadline instant (hour periods); China time UTC+8"),
    ("window_start", "DATE", "统计周期起 — counting window, first day"),
    ("window_end", "DATE", "统计周期止 — counting window, last day"),
    ("window_partial", "BOOLEAN", "不完整周期 — window clipped by the policy term"),
    ("window_label", "STRING", "周期名称 — stage id or window name"),
    ("required_count", "BIGINT", "应有次数 — events the window requires"),
    ("counted", "DOUBLE", "实有次数 — events counted (or summed weight)"),
    ("records", "ARRAY<STRING>", "记录 — ids of the records judged"),
    ("provisional", "BOOLEAN", "暂定 — depends on a year whose holidays are not yet official"),
    ("as_of", "DATE", "评估日期 — the date judged at"),
    ("ruleset_digest", "STRING", "规则摘要 — SHA-256 of the resolved ruleset"),
    ("engine_version", "STRING", "引擎版本 — ansafe_rules version"),
    (
        "error",
        "STRING",
        "错误 — why the row could not be evaluated (in lang); finding columns null",
    ),
)
"""(name, Spark type, meaning) of each output column, in order."""


class SparkFindingRow(BaseModel):
    """One output row of :func:`evaluate_dataframe` (JSON Schema of the table): a finding as
    :class:`ansafe_rules.FindingRow` with its policy and ruleset stamp, or an error row."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    row: int = Field(description=COLUMNS[0][2])
    id: str | None = Field(default=None, description=COLUMNS[1][2])
    policy_id: str | None = Field(default=None, description=COLUMNS[2][2])
    jurisdiction: str | None = Field(default=None, description=COLUMNS[3][2])
    layers: list[str] | None = Field(default=None, description=COLUMNS[4][2])
    rule_id: str | None = Field(default=None, description=COLUMNS[5][2])
    layer: str | None = Field(default=None, description=COLUMNS[6][2])
    clause: str | None = Field(default=None, description=COLUMNS[7][2])
    severity: Severity | None = Field(default=None, description=COLUMNS[8][2])
    duty_holder: DutyHolder | None = Field(default=None, description=COLUMNS[9][2])
    liable_party: DutyHolder | None = Field(default=None, description=COLUMNS[10][2])
    status: Status | None = Field(default=None, description=COLUMNS[11][2])
    subject: str | None = Field(default=None, description=COLUMNS[12][2])
    reason: str | None = Field(default=None, description=COLUMNS[13][2])
    due_date: dt.date | None = Field(default=None, description=COLUMNS[14][2])
    due_at: dt.datetime | None = Field(default=None, description=COLUMNS[15][2])
    window_start: dt.date | None = Field(default=None, description=COLUMNS[16][2])
    window_end: dt.date | None = Field(default=None, description=COLUMNS[17][2])
    window_partial: bool | None = Field(default=None, description=COLUMNS[18][2])
    window_label: str | None = Field(default=None, description=COLUMNS[19][2])
    required_count: int | None = Field(default=None, description=COLUMNS[20][2])
    counted: float | None = Field(default=None, description=COLUMNS[21][2])
    records: list[str] | None = Field(default=None, description=COLUMNS[22][2])
    provisional: bool | None = Field(default=None, description=COLUMNS[23][2])
    as_of: dt.date = Field(description=COLUMNS[24][2])
    ruleset_digest: str | None = Field(default=None, description=COLUMNS[25][2])
    engine_version: str = Field(description=COLUMNS[26][2])
    error: str | None = Field(default=None, description=COLUMNS[27][2])


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one output row."""
    return SparkFindingRow.model_json_schema(mode="serialization")


def spark_schema() -> str:
    """The output schema as a Spark DDL string (``StructType.fromDDL`` reads it)."""
    return ", ".join(f"`{name}` {kind}" for name, kind, _ in COLUMNS)


def _require_spark() -> None:
    """Raise one clear error when the extra is missing (never an ImportError traceback)."""
    try:
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise SparkError(
            f"未安装 Spark 扩展（缺少 {exc.name}；该扩展提供 pyspark 和 pyarrow），请运行 "
            f"{INSTALL_HINT} / the Spark extra is not installed ({exc.name} is missing; the "
            f"extra brings pyspark and pyarrow): {INSTALL_HINT}"
        ) from None


def _arrow_schema() -> Any:
    import pyarrow as pa

    kinds = {
        "BIGINT": pa.int64(),
        "STRING": pa.string(),
        "ARRAY<STRING>": pa.list_(pa.string()),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us", tz="UTC"),
        "BOOLEAN": pa.bool_(),
        "DOUBLE": pa.float64(),
    }
    return pa.schema([pa.field(name, kinds[kind]) for name, kind, _ in COLUMNS])


# ------------------------------------------------------------------------------------------
# what the executors receive: resolved once on the driver, pickled, broadcast
@dataclasses.dataclass(frozen=True)
class _Settings:
    """Everything an executor needs to evaluate rows as the driver would."""

    as_of: dt.date
    jurisdiction: str | None
    layer: str | None
    duty_holder: DutyHolder | None
    include_compliant: bool
    search_paths: tuple[str, ...]
    overrides: Mapping[str, Mapping[str, Any]] | None
    in_force: Mapping[str, dt.date] | None
    limits: Limits
    source: str
    lang: Lang = "en"


@dataclasses.dataclass(frozen=True)
class _Payload:
    """The settings, the resolved rulesets by name with their digests, and the calendar."""

    settings: _Settings
    rulesets: Mapping[str, ResolvedRuleset]
    digests: Mapping[str, str]
    calendar: WorkCalendar


class _PreloadedRulesets(RulesetCache):
    """A ruleset cache serving the rulesets the driver resolved; any other name is loaded as
    :class:`RulesetCache` would (so an unknown jurisdiction gives the library's own error)."""

    def __init__(self, payload: _Payload) -> None:
        s = payload.settings
        super().__init__(s.search_paths, overrides=s.overrides, in_force=s.in_force)
        self._preloaded = payload.rulesets

    def get(self, name: str) -> ResolvedRuleset:
        """The ruleset ``name``, from the broadcast when the driver resolved it."""
        found = self._preloaded.get(name)
        return found if found is not None else super().get(name)


def _build_payload(settings: _Settings, calendar: WorkCalendar) -> bytes:
    """Resolve the rulesets a run can need (the caller's choice, or every registry id) and pickle
    them with the settings, prefixed by the engine version."""
    cache = RulesetCache(settings.search_paths, settings.overrides, settings.in_force)
    names = (
        [settings.jurisdiction]
        if settings.jurisdiction is not None
        else list(jurisdictions(settings.search_paths))
    )
    rulesets: dict[str, ResolvedRuleset] = {}
    for name in names:
        try:
            rulesets[name] = cache.get(name)
        except AnsafeError:
            if settings.jurisdiction is not None:
                raise  # the caller's own choice: say so now
            # a broken registry file: the policies naming it get the library's error
    digests = {name: rs.digest for name, rs in rulesets.items()}
    payload = _Payload(settings, rulesets, digests, calendar)
    return __version__.encode() + b"\0" + pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)


@functools.lru_cache(maxsize=4)
def _environment(blob: bytes) -> tuple[_Payload, _PreloadedRulesets]:
    """The payload unpickled once per executor process (a memo keyed by the broadcast bytes,
    not shared state: every process builds its own from the same bytes)."""
    version, _, body = blob.partition(b"\0")
    if version.decode() != __version__:
        raise SparkError(
            f"驱动程序的 ansafe_rules 为 {version.decode()}，执行器为 {__version__}，"
            "请在所有节点安装同一版本 / the driver runs ansafe_rules "
            f"{version.decode()} but this executor runs {__version__}: install the same "
            "version everywhere"
        )
    payload: _Payload = pickle.loads(body)
    return payload, _PreloadedRulesets(payload)


# ------------------------------------------------------------------------------------------
# the executor side: (row, id, case text) -> rows
def _finding_rows(
    findings: Iterable[AnyFinding], base: dict[str, Any], lang: Lang = "en"
) -> list[dict[str, Any]]:
    """Finding rows of an evaluation as output rows: the values of their compact rows
    (:class:`ansafe_rules.outputs.FindingRow`, reason in ``lang``), read from the rows as they
    are instead of building and validating one model per row (``tests/test_rows.py`` holds
    the two alike; ``tests/test_spark.py`` compares Spark's rows with the library's)."""
    rows = []
    memo: Memo = {}  # the renderings the rows share (a rule's conditions, its period)
    for f in findings:
        w = f.window
        due_at = f.due_at
        if due_at is not None and due_at.tzinfo is None:
            due_at = due_at.replace(tzinfo=CHINA_TZ)
        need, counted = f.required_count, f.counted
        rows.append(
            {
                **base,
                "rule_id": f.rule_id,
                "layer": f.layer,
                "clause": f.clause,
                "severity": f.severity.value,
                "duty_holder": f.duty_holder.value if f.duty_holder is not None else None,
                "liable_party": f.liable_party.value if f.liable_party is not None else None,
                "status": f.status.value,
                "subject": f.subject,
                "reason": f.text(lang, memo),
                "due_date": f.due_date,
                "due_at": due_at,
                "window_start": w.start if w is not None else None,
                "window_end": w.end if w is not None else None,
                "window_partial": w.partial if w is not None else None,
                "window_label": w.label if w is not None else None,
                "required_count": None if need is None else int(need),  # as FindingRow has it
                "counted": None if counted is None else float(counted),
                "records": list(f.records),
                "provisional": f.provisional,
            }
        )
    return rows


def evaluate_items(
    items: Iterable[tuple[int, str | None, str | None]], blob: bytes
) -> Iterator[dict[str, Any]]:
    """Output rows (dicts keyed by :data:`COLUMNS`) for ``(row, id, case JSON)`` items, in
    order: what each executor runs, usable without Spark. A null case is an error row; a blank
    one is skipped, as a blank line of JSON Lines is."""
    payload, cache = _environment(blob)
    s = payload.settings
    common = {
        "as_of": s.as_of,
        "jurisdiction": s.jurisdiction,
        "layer": s.layer,
        "calendar": payload.calendar,
        "rulesets": cache,
        "source": s.source,
        "limits": s.limits,
    }
    empty = dict.fromkeys((name for name, _, _ in COLUMNS), None)
    for n, ident, text in items:
        base = {**empty, "row": n, "id": ident, "as_of": s.as_of, "engine_version": __version__}
        if text is None:
            base["error"] = (
                f"{s.source}: line {n}: 案件列为空 (null)，没有保单 / "
                "the case column is null: no policy"
            )
            yield base
            continue
        if not text.strip():
            continue
        for r in iter_outcomes([(n, text)], lean=not s.include_compliant, **common):
            if r.evaluation is None:
                yield {**base, "policy_id": r.policy_id, "error": r.error_in(s.lang)}
                continue
            yield from _report_rows(r.evaluation, base, payload, cache)


def _report_rows(
    report: Evaluation, base: dict[str, Any], payload: _Payload, cache: RulesetCache
) -> list[dict[str, Any]]:
    """One evaluation's rows, reduced to a party and to what needs attention as asked: the
    compact path (explanations built for the rows output only), which gives exactly the rows
    of :func:`ansafe_rules.summarize` of the full report (``tests/test_rows.py``)."""
    s = payload.settings
    if s.duty_holder is not None:
        report = report.for_party(s.duty_holder)
    name = s.jurisdiction or report.jurisdiction
    digest = payload.digests.get(name) or cache.digest(name)
    base = {
        **base,
        "policy_id": report.policy_id,
        "jurisdiction": report.jurisdiction,
        "layers": list(report.layers),
        "ruleset_digest": digest,
    }
    shown = report.findings if s.include_compliant else report.select(set(Status) - _HIDDEN)
    return _finding_rows(shown, base, s.lang)


def _map_partition(
    batches: Iterator[Any], *, blob_bc: Any, offsets: Mapping[int, int], batch_rows: int
) -> Iterator[Any]:
    """mapInArrow body: Arrow batches of (case, id) in, Arrow batches of findings out."""
    import pyarrow as pa
    from pyspark import TaskContext

    schema = _arrow_schema()
    ctx = TaskContext.get()
    start = offsets.get(ctx.partitionId() if ctx is not None else 0, 0)

    def items() -> Iterator[tuple[int, str | None, str | None]]:
        n = start
        for batch in batches:
            cases = batch.column(0).to_pylist()
            ids = batch.column(1).to_pylist()
            for ident, text in zip(ids, cases, strict=True):
                n += 1
                yield n, ident, text

    out: list[dict[str, Any]] = []
    for row in evaluate_items(items(), blob_bc.value):
        out.append(row)
        if len(out) >= batch_rows:
            yield pa.RecordBatch.from_pylist(out, schema=schema)
            out = []
    if out:
        yield pa.RecordBatch.from_pylist(out, schema=schema)


# ------------------------------------------------------------------------------------------
# the driver side
def make_payload(
    *,
    as_of: dt.date,
    jurisdiction: str | None = None,
    layer: str | None = None,
    duty_holder: DutyHolder | str | None = None,
    include_compliant: bool = False,
    in_force: Mapping[str, dt.date] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    ruleset_paths: Sequence[str | Path] = (),
    calendar: WorkCalendar | None = None,
    limits: Limits | None = None,
    source: str = "<dataframe>",
    lang: Lang | str = "en",
) -> bytes:
    """The broadcast bytes for these options (checked here, on the driver)."""
    if lang not in ("en", "zh", "zh-CN", "zh_CN"):
        raise SparkError(f"lang 应为 zh 或 en，收到 {lang!r} / lang must be zh or en, got {lang!r}")
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise SparkError(
            f"as_of 必须是日期 (datetime.date)，收到 {as_of!r} / "
            f"as_of must be a datetime.date, got {as_of!r}"
        )
    holder = None
    if duty_holder is not None:
        try:
            holder = DutyHolder(duty_holder)
        except ValueError:
            choices = ", ".join(d.value for d in DutyHolder)
            raise SparkError(
                f"未知的义务主体 {duty_holder!r}（可选：{choices}）/ "
                f"unknown duty_holder {duty_holder!r} (one of {choices})"
            ) from None
    settings = _Settings(
        as_of=as_of,
        jurisdiction=str(jurisdiction) if jurisdiction is not None else None,
        layer=layer,
        duty_holder=holder,
        include_compliant=include_compliant,
        search_paths=tuple(map(str, ruleset_paths)),
        overrides=overrides,
        in_force=dict(in_force) if in_force else None,
        limits=limits or DEFAULT_LIMITS,
        source=source,
        lang=normalise_lang(lang),
    )
    return _build_payload(settings, calendar or default_calendar())


def _row_offsets(df: DataFrame) -> dict[int, int]:
    """Rows before each partition (one cheap Spark job: a count per partition, no Python)."""
    from pyspark.sql import functions as F

    counts = dict(df.groupBy(F.spark_partition_id().alias("p")).count().collect())
    offsets, total = {}, 0
    for p in sorted(counts):
        offsets[p] = total
        total += counts[p]
    return offsets


def evaluate_dataframe(
    df: DataFrame,
    *,
    as_of: dt.date,
    case_col: str = "case",
    id_col: str | None = None,
    jurisdiction: str | None = None,
    layer: str | None = None,
    duty_holder: DutyHolder | str | None = None,
    include_compliant: bool = False,
    in_force: Mapping[str, dt.date] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    ruleset_paths: Sequence[str | Path] = (),
    calendar: WorkCalendar | None = None,
    limits: Limits | None = None,
    source: str = "<dataframe>",
    batch_rows: int = 4096,
    lang: Lang | str = "en",
) -> DataFrame:
    """Evaluate every policy of ``df`` on the executors; one output row per finding.

    ``df[case_col]`` holds one policy case as JSON text per row (a line of a ``.jsonl``
    portfolio). The options mean what they mean for :func:`ansafe_rules.evaluate_portfolio`
    and the command line: ``jurisdiction`` forces a ruleset (an id or a file on the driver),
    otherwise each policy's own jurisdiction is used and must be a registry id; ``layer``,
    ``duty_holder`` (``--duty-holder``), ``include_compliant`` (``--all``: compliant and
    not_applicable findings too), ``in_force``, ``overrides``, ``ruleset_paths``
    (``--ruleset-path``), ``calendar`` and ``limits``. ``row`` is the 1-based position in
    ``df``'s partition order (the line number for one JSON Lines file; stable only when ``df``
    is deterministic, so name an ``id_col`` for computed DataFrames). ``source`` names the
    input in error messages. ``lang`` (``"en"``, the default, or ``"zh"``) is the language of
    ``reason`` and ``error`` (the table has no message ids to render later: choose it here).
    Lazy: nothing runs until an action, except one count per partition for ``row``.
    """
    _require_spark()
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    fields = {f.name: f.dataType for f in df.schema.fields}
    for what, col in (("case_col", case_col), ("id_col", id_col)):
        if col is not None and col not in fields:
            raise SparkError(
                f"{what}：没有列 {col!r}（现有：{', '.join(fields)}）/ "
                f"{what}: no column {col!r} (columns: {', '.join(fields)})"
            )
    if not isinstance(fields[case_col], StringType):
        raise SparkError(
            f"列 {case_col!r} 必须是字符串（JSON 文本），实为 {fields[case_col].simpleString()} / "
            f"column {case_col!r} must be a string of case JSON, "
            f"not {fields[case_col].simpleString()}"
        )
    if jurisdiction is not None and not isinstance(jurisdiction, str | Path):
        raise SparkError(
            f"jurisdiction 必须是辖区 id 或规则文件路径 / jurisdiction must be an id or a ruleset "
            f"file path, got {jurisdiction!r}"
        )
    blob = make_payload(
        as_of=as_of,
        jurisdiction=str(jurisdiction) if jurisdiction is not None else None,
        layer=layer,
        duty_holder=duty_holder,
        include_compliant=include_compliant,
        in_force=in_force,
        overrides=overrides,
        ruleset_paths=ruleset_paths,
        calendar=calendar,
        limits=limits,
        source=source,
        lang=lang,
    )
    ident = F.col(id_col).cast("string") if id_col is not None else F.lit(None).cast("string")
    narrow = df.select(F.col(case_col).alias("case"), ident.alias("id"))
    offsets = _row_offsets(narrow)
    blob_bc = df.sparkSession.sparkContext.broadcast(blob)
    body = functools.partial(
        _map_partition, blob_bc=blob_bc, offsets=offsets, batch_rows=batch_rows
    )
    return narrow.mapInArrow(body, spark_schema())


# ------------------------------------------------------------------------------------------
# the normalised form: a policies table and record tables
_SINGLES = ("scheme", "quote_letter")


def cases_from_tables(
    policies: DataFrame,
    records: Mapping[str, DataFrame] | None = None,
    *,
    key: str = "policy_id",
) -> DataFrame:
    """A DataFrame (``policy_id``, ``case``) of case JSON built from a policies table (one row
    per policy, the ``policy`` fields as columns) and record tables by collection name
    (``service_records``, ``hazards``, …; ``scheme`` and ``quote_letter`` one row per policy),
    each with the ``key`` column joined on (a field of ``policy`` only when it is
    ``policy_id``). Null columns are left out of the JSON, as absent
    fields; dates and timestamps are written as ISO text (timestamps with the session
    time zone's offset). Feed the result to :func:`evaluate_dataframe`."""
    _require_spark()
    from pyspark.sql import functions as F

    if key not in policies.columns:
        raise SparkError(
            f"policies 表没有键列 {key!r} / the policies table has no key column {key!r}"
        )
    policy_cols = [c for c in policies.columns if c != key or key == "policy_id"]
    parts = {"policy": F.struct(*[F.col(c) for c in policy_cols])}
    out = policies.select(F.col(key).alias("__key"), *policies.columns)
    for name, table in (records or {}).items():
        if key not in table.columns:
            raise SparkError(
                f"{name} 表没有键列 {key!r} / the {name} table has no key column {key!r}"
            )
        fields = [c for c in table.columns if c != key]
        item = F.struct(*[F.col(c) for c in fields])
        if name in _SINGLES:
            agg = table.groupBy(F.col(key).alias("__key")).agg(F.first(item).alias(name))
        else:
            agg = table.groupBy(F.col(key).alias("__key")).agg(F.collect_list(item).alias(name))
        out = out.join(agg, on="__key", how="left")
        parts[name] = F.col(name)
    case = F.to_json(F.struct(*[v.alias(k) for k, v in parts.items()]))
    return out.select(F.col("__key").alias(key), case.alias("case"))


# ------------------------------------------------------------------------------------------
# command line: python -m ansafe_rules.spark / spark-submit .../ansafe_rules/spark.py
def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"不是日期 (YYYY-MM-DD)：{text!r} / not a date (YYYY-MM-DD): {text!r}"
        ) from None


def _in_force(text: str) -> tuple[str, dt.date]:
    layer, sep, day = text.partition("=")
    if not sep or not layer:
        raise argparse.ArgumentTypeError(
            f"应为 LAYER=YYYY-MM-DD，收到 {text!r} / expected LAYER=YYYY-MM-DD, got {text!r}"
        )
    return layer, _date(day)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m ansafe_rules.spark",
        description="在 Spark 上评估保单组合，每条发现一行 / evaluate a portfolio on Spark, "
        "one row per finding (docs/spark.md)",
        epilog="退出码 exit codes: 0 无违规 no breach; 1 有违规 breaches found; 2 有无法评估的"
        "行或用法错误 rows that could not be evaluated, or bad usage",
    )
    p.add_argument(
        "--input",
        action="append",
        required=True,
        type=Path,
        help="JSON Lines 或 Parquet 文件（可重复）/ a JSON Lines or Parquet file (repeatable)",
    )
    p.add_argument("--output", required=True, help="输出路径 / output path (a folder)")
    p.add_argument("--as-of", required=True, type=_date, help="评估日期 / judge as of this date")
    p.add_argument(
        "--input-format",
        choices=("auto", "jsonl", "parquet"),
        default="auto",
        help="输入格式 (auto: .parquet 为 Parquet，否则 JSON Lines) / input format (auto: "
        "Parquet for .parquet, JSON Lines otherwise)",
    )
    p.add_argument(
        "--output-format",
        choices=("parquet", "json"),
        default="parquet",
        help="输出格式 / output format",
    )
    p.add_argument("--case-col", default="case", help="Parquet 的案件 JSON 列 / case column")
    p.add_argument("--id-col", default=None, help="Parquet 的编号列 / id column copied to id")
    p.add_argument("--jurisdiction", default=None, help="辖区 id 或规则文件 / ruleset id or file")
    p.add_argument("--layer", default=None, help="只评估一层 / the rules of one layer only")
    p.add_argument(
        "--duty-holder",
        choices=[d.value for d in DutyHolder],
        default=None,
        help="只看一方的义务 / only this party's duties",
    )
    p.add_argument(
        "--all", action="store_true", help="含合规与不适用 / compliant and n/a findings too"
    )
    p.add_argument(
        "--in-force",
        action="append",
        default=[],
        type=_in_force,
        metavar="LAYER=DATE",
        help="某层的生效日期 / in-force date of a layer, e.g. xinzhou=2024-12-01",
    )
    p.add_argument(
        "--ruleset-path",
        action="append",
        default=[],
        type=Path,
        help="规则文件目录 / extra ruleset folder (repeatable)",
    )
    p.add_argument("--calendar", type=Path, default=None, help="日历覆盖 / calendar overrides")
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="en",
        help="理由与错误的语言 / language of reason and error (default en)",
    )
    p.add_argument(
        "--master",
        default=None,
        help="Spark master (spark-submit 时不用 / leave out under spark-submit), e.g. local[2]",
    )
    p.add_argument(
        "--mode",
        choices=("error", "overwrite"),
        default="error",
        help="输出已存在时 / when the output exists",
    )
    return p


def _read_inputs(spark: SparkSession, args: argparse.Namespace, blob_args: dict) -> DataFrame:
    """Each input evaluated on its own (its rows numbered from 1, named in messages)."""
    out = None
    for path in args.input:
        fmt = args.input_format
        if fmt == "auto":
            fmt = "parquet" if path.suffix == ".parquet" else "jsonl"
        if fmt == "jsonl":
            df = spark.read.text(str(path)).withColumnRenamed("value", "case")
            res = evaluate_dataframe(df, source=str(path), **blob_args)
        else:
            df = spark.read.parquet(str(path))
            res = evaluate_dataframe(
                df, case_col=args.case_col, id_col=args.id_col, source=str(path), **blob_args
            )
        out = res if out is None else out.unionByName(res)
    assert out is not None
    return out


def run(args: argparse.Namespace, spark: SparkSession) -> int:
    """Evaluate, write, and summarise; the exit code as ``ansafe-rules check`` gives it."""
    from pyspark.sql import functions as F

    calendar = WorkCalendar(load_calendar_overrides(args.calendar)) if args.calendar else None
    blob_args = {
        "as_of": args.as_of,
        "jurisdiction": args.jurisdiction,
        "layer": args.layer,
        "duty_holder": args.duty_holder,
        "include_compliant": args.all,
        "in_force": dict(args.in_force),
        "ruleset_paths": args.ruleset_path,
        "calendar": calendar,
        "lang": args.lang,
    }
    result = _read_inputs(spark, args, blob_args)
    writer = result.write.mode(args.mode)
    if args.output_format == "parquet":
        writer.parquet(args.output)
        written = spark.read.parquet(args.output)
    else:
        writer.json(args.output)
        written = spark.read.schema(spark_schema()).json(args.output)
    advisory = [s.value for s in NOT_A_BREACH]
    breach = (F.col("status") == "data_error") | (
        (F.col("status") == "violation") & ~F.col("severity").isin(advisory)
    )
    totals = written.agg(
        F.count(F.lit(1)).alias("rows"),
        F.sum(F.col("error").isNotNull().cast("long")).alias("errors"),
        F.sum(breach.cast("long")).alias("breaches"),
    ).first()
    rows, errors, breaches = totals["rows"], totals["errors"] or 0, totals["breaches"] or 0
    print(
        f"已写入 {rows} 行到 {args.output}：{breaches} 条违规，{errors} 行无法评估 / "
        f"wrote {rows} rows to {args.output}: {breaches} breaches, {errors} rows could not "
        "be evaluated",
        file=sys.stderr,
    )
    if errors:
        for r in written.where(F.col("error").isNotNull()).orderBy("row").limit(20).collect():
            said = _t("cli.error", args.lang).format(message=r["error"])
            print(f"ansafe-rules: {said}", file=sys.stderr)
        return 2
    return 1 if breaches else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry (``python -m ansafe_rules.spark`` or ``spark-submit`` this file)."""
    args = _parser().parse_args(argv)
    try:
        _require_spark()
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("ansafe-rules")
        if args.master:
            builder = builder.master(args.master)
        spark = builder.getOrCreate()
        return run(args, spark)
    except (AnsafeError, OSError) as exc:
        print(f"ansafe-rules: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback: Spark's own errors are one line too
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(
            f"ansafe-rules: 错误 error: {type(exc).__name__}: {first}",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":  # spark-submit .../ansafe_rules/spark.py: run the importable module
    from ansafe_rules.spark import main as _main

    sys.exit(_main())

"""The Spark engine (``ansafe_rules.spark``) gives, row for row, what the library gives.

Spark runs in local mode (``local[2]``, one session for the module) on a portfolio of the five
examples rotated with new policy ids, 300 cases of ``tools/freeze_engine.py``'s generator (60
per jurisdiction, from ``tests/data/engine_freeze``) and a few broken lines. The file is split
into several partitions so row numbering across partitions is exercised. Without pyspark,
pyarrow or java the Spark tests skip, unless ``ANSAFE_REQUIRE_SPARK=1`` (CI), where they fail.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import lzma
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ansafe_rules as ar
from ansafe_rules import spark as ars
from ansafe_rules._yaml import load_yaml_file

from .conftest import compact_row_values

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 7, 31)
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GENERATED = ROOT / "tests" / "data" / "engine_freeze" / "cases.jsonl.xz"
HIDDEN = {ar.Status.compliant, ar.Status.not_applicable}
COMPARED = [c for c, _, _ in ars.COLUMNS if c not in ("id", "as_of", "engine_version")]

# the broken lines: (text, what the error must say)
BROKEN = {
    "invalid_json": ('{"policy": {"policy_id": "BROKEN-1",', "invalid JSON"),
    "not_a_case": ("[1, 2, 3]", "line"),
    "unknown_jurisdiction": (None, "atlantis"),
    "path_jurisdiction": (None, "not a jurisdiction id"),
}


def _missing() -> str | None:
    """Why Spark cannot run here, or None."""
    for mod in ("pyspark", "pyarrow", "pandas"):
        try:
            importlib.import_module(mod)
        except ImportError:
            return f"{mod} is not installed ({ars.INSTALL_HINT})"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no java runtime (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    why = _missing()
    if why is not None:
        if os.environ.get("ANSAFE_REQUIRE_SPARK") == "1":
            pytest.fail(f"ANSAFE_REQUIRE_SPARK=1 but {why}")
        pytest.skip(why)
    from pyspark.sql import SparkSession

    old = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers need this venv's packages
    session = (
        SparkSession.builder.master("local[2]")
        .appName("ansafe-rules-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.files.maxPartitionBytes", str(256 * 1024))  # several partitions
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if old is None:
        os.environ.pop("PYSPARK_PYTHON", None)
    else:
        os.environ["PYSPARK_PYTHON"] = old


def _policy(case: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**case, "policy": {**case["policy"], **changes}}


def _portfolio_lines() -> list[str]:
    """Examples rotated with new ids, generated cases of all five jurisdictions, broken lines
    and a blank line, interleaved."""
    examples = [load_yaml_file(p) for p in EXAMPLES]
    rows = [json.loads(x) for x in lzma.decompress(GENERATED.read_bytes()).decode().splitlines()]
    generated = []
    for j in ("national", "guangdong", "xinzhou", "shaoxing", "xuancheng"):
        generated += [r["case"] for r in rows if r["jurisdiction"] == j][:60]
    good: list[dict[str, Any]] = []
    for rot in range(4):
        for i, ex in enumerate(examples[rot % 5 :] + examples[: rot % 5]):
            good.append(_policy(ex, policy_id=f"EX-{rot}-{i}"))
    good += generated
    good.sort(key=lambda c: json.dumps(c, sort_keys=True, default=str)[-40:])  # interleave
    lines = [json.dumps(c, ensure_ascii=False, default=str) for c in good]
    base = examples[0]
    broken = [
        BROKEN["invalid_json"][0],
        BROKEN["not_a_case"][0],
        json.dumps(_policy(base, policy_id="BROKEN-3", jurisdiction="atlantis"), default=str),
        json.dumps(
            _policy(base, policy_id="BROKEN-4", jurisdiction="../rulesets/national.yaml"),
            default=str,
        ),
    ]
    lines.insert(50, "   ")  # skipped, as the library skips blank lines
    for k, text in enumerate(broken):
        lines.insert(7 + 83 * k, text)
    return lines


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spark") / "book.jsonl"
    path.write_text("\n".join(_portfolio_lines()) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small(portfolio: Path) -> Path:
    """The first 120 lines (two of the broken ones among them), for the option tests."""
    path = portfolio.with_name("small.jsonl")
    path.write_text("".join(portfolio.read_text(encoding="utf-8").splitlines(True)[:120]))
    return path


@pytest.fixture(scope="module")
def all_rows(spark: Any, portfolio: Path) -> list[dict[str, Any]]:
    """Every finding of the portfolio, compliant ones too (evaluated once for the module)."""
    df = _jsonl_frame(spark, portfolio)
    assert df.rdd.getNumPartitions() >= 3  # row numbers must carry across partitions
    out = ars.evaluate_dataframe(df, as_of=AS_OF, source=str(portfolio), include_compliant=True)
    return _spark_rows(out)


def _library_rows(
    path: Path,
    *,
    include_compliant: bool = True,
    duty_holder: str | None = None,
    jurisdiction: str | None = None,
    source: str | None = None,
    layer: str | None = None,
    in_force: dict[str, dt.date] | None = None,
) -> list[dict[str, Any]]:
    """The single-machine run, written out independently of the engine: evaluate_portfolio,
    then summarize's rows with the stamp the command line uses."""
    out = []
    cache = ar.RulesetCache(in_force=in_force)
    results = ar.evaluate_portfolio(
        path, as_of=AS_OF, jurisdiction=jurisdiction, rulesets=cache, source=source, layer=layer
    )
    for r in results:
        if r.report is None:
            out.append(
                {
                    **dict.fromkeys(COMPARED),
                    "row": r.line,
                    "policy_id": r.policy_id,
                    "error": r.error,
                }
            )
            continue
        rep = r.report
        if duty_holder is not None:
            rep = rep.for_party(ar.DutyHolder(duty_holder))
        if not include_compliant:
            rep = rep.model_copy(
                update={"findings": tuple(f for f in rep.findings if f.status not in HIDDEN)}
            )
        rs = cache.get(jurisdiction or rep.jurisdiction)
        stamp = ar.RulesetStamp(
            id=rs.id, layers=rep.layers, digest=rs.digest, engine_version=ar.__version__
        )
        for f in ar.summarize(rep, stamp).findings:
            values = compact_row_values(f)
            due_at = values.pop("due_at")
            out.append(
                {
                    "row": r.line,
                    "policy_id": rep.policy_id,
                    "jurisdiction": rep.jurisdiction,
                    "layers": list(rep.layers),
                    **values,
                    "due_at": int(due_at.timestamp() * 1_000_000) if due_at else None,
                    "ruleset_digest": stamp.digest,
                    "error": None,
                }
            )
    return out


def _spark_rows(df: Any) -> list[dict[str, Any]]:
    """Collected output rows, ``due_at`` as microseconds since the epoch (an exact instant,
    whatever the session or Python time zone)."""
    from pyspark.sql import functions as F

    rows = df.withColumn("due_at", F.unix_micros("due_at")).collect()
    return [r.asDict() for r in rows]


def _key(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)


def _jsonl_frame(spark: Any, path: Path) -> Any:
    return spark.read.text(str(path)).withColumnRenamed("value", "case")


def _same(spark_rows: list[dict[str, Any]], library: list[dict[str, Any]]) -> None:
    """Equal row for row, in order, on every column (the engine's own columns checked here)."""
    assert spark_rows, "no rows"
    for r in spark_rows:
        assert r["as_of"] == AS_OF and r["engine_version"] == ar.__version__ and r["id"] is None
    got = [{k: r[k] for k in COMPARED} for r in spark_rows]
    for n, (a, b) in enumerate(zip(got, library, strict=False)):
        assert a == b, f"row {n} differs: {_key(a)} vs the library's {_key(b)}"
    assert len(got) == len(library)


# ------------------------------------------------------------------------------------------
def test_every_row_equals_the_library_run(all_rows: list[dict[str, Any]], portfolio: Path) -> None:
    rows = all_rows
    library = _library_rows(portfolio)
    _same(rows, library)
    # the portfolio covers every jurisdiction and every status worth comparing
    assert {r["jurisdiction"] for r in rows} >= {
        "national",
        "guangdong",
        "xinzhou",
        "shaoxing",
        "xuancheng",
    }
    assert {r["status"] for r in rows} >= {"compliant", "violation", "pending", "not_applicable"}
    assert any(r["due_at"] is not None for r in rows)
    assert len({r["row"] for r in rows}) == len(_portfolio_lines()) - 1  # the blank line


def test_attention_only_and_one_party_equal_the_library(spark: Any, small: Path) -> None:
    df = _jsonl_frame(spark, small)
    out = ars.evaluate_dataframe(df, as_of=AS_OF, source=str(small), duty_holder="contractor")
    rows = _spark_rows(out)
    _same(rows, _library_rows(small, include_compliant=False, duty_holder="contractor"))
    findings = [r for r in rows if r["error"] is None]
    assert findings and all(r["status"] not in ("compliant", "not_applicable") for r in findings)
    assert all("contractor" in (r["duty_holder"], r["liable_party"]) for r in findings)


def test_a_bad_line_is_one_error_row_and_the_rest_are_evaluated(
    all_rows: list[dict[str, Any]], portfolio: Path
) -> None:
    lines = _portfolio_lines()
    rows = all_rows
    errors = sorted((r for r in rows if r["error"] is not None), key=lambda r: r["row"])
    assert [r["row"] for r in errors] == [8, 91, 174, 257]
    for r, (text, says) in zip(errors, BROKEN.values(), strict=True):
        assert r["error"].startswith(f"{portfolio}: line {r['row']}: ") and says in r["error"]
        if text is not None:
            assert lines[r["row"] - 1] == text
        assert all(r[k] is None for k in ("rule_id", "status", "jurisdiction", "records"))
    assert [r["policy_id"] for r in errors] == [None, None, "BROKEN-3", "BROKEN-4"]
    evaluated = {r["row"] for r in rows if r["error"] is None}
    assert {7, 9, 90, 92, 256, 258} <= evaluated  # the neighbours of the bad lines


def _zh_library(path: Path) -> list[tuple[int, str | None, str | None]]:
    """(line, reason, error) of the library's rows needing attention, said in Chinese."""
    out = []
    for r in ar.portfolio.iter_outcomes(path, as_of=AS_OF, source=str(path)):
        if r.evaluation is None:
            out.append((r.line, None, r.error_zh))
            continue
        for f in r.evaluation.select(set(ar.Status) - HIDDEN):
            out.append((r.line, f.text("zh"), None))
    return out


def test_reasons_and_errors_in_chinese_equal_the_library(spark: Any, small: Path) -> None:
    out = ars.evaluate_dataframe(_jsonl_frame(spark, small), as_of=AS_OF, source=str(small))
    en = _spark_rows(out)
    zh = _spark_rows(
        ars.evaluate_dataframe(
            _jsonl_frame(spark, small), as_of=AS_OF, source=str(small), lang="zh"
        )
    )
    # the same rows; only the sentences differ, and they are the library's Chinese ones
    assert [{k: r[k] for k in COMPARED if k not in ("reason", "error")} for r in zh] == [
        {k: r[k] for k in COMPARED if k not in ("reason", "error")} for r in en
    ]
    assert [(r["row"], r["reason"], r["error"]) for r in zh] == _zh_library(small)
    errors = [r["error"] for r in zh if r["error"] is not None]
    assert errors and all(f"{small}：第 " in e for e in errors)
    assert any("服务记录" in (r["reason"] or "") for r in zh)


def test_executors_say_rows_in_the_payloads_language() -> None:
    """What each executor runs (no Spark needed): reasons and error rows in ``lang``."""
    case = json.dumps(load_yaml_file(ROOT / "examples" / "guangdong-housing.yaml"), default=str)
    items = [(1, None, case), (2, None, "{not json")]
    blob = ars.make_payload(as_of=AS_OF, lang="zh", source="book.jsonl")
    rows = list(ars.evaluate_items(items, blob))
    assert rows[-1]["error"] == (
        "book.jsonl：第 2 行：不是有效的 JSON：Expecting property name enclosed in double quotes"
    )
    ev = ar.evaluate_rows(
        ar.load_ruleset("guangdong"), json.loads(case), as_of=AS_OF, source="book.jsonl: line 1"
    )
    shown = ev.select(set(ar.Status) - HIDDEN)
    assert [r["reason"] for r in rows[:-1]] == [f.text("zh") for f in shown]
    blob = ars.make_payload(as_of=AS_OF, source="book.jsonl")
    rows_en = list(ars.evaluate_items(items, blob))
    assert [r["reason"] for r in rows_en[:-1]] == [f.text("en") for f in shown]
    assert rows_en[-1]["error"].startswith("book.jsonl: line 2: invalid JSON")
    with pytest.raises(ars.SparkError, match="lang must be zh or en"):
        ars.make_payload(as_of=AS_OF, lang="fr")


def test_output_schema_is_fixed_and_documented(spark: Any, portfolio: Path) -> None:
    from pyspark.sql.types import StructType

    df = spark.createDataFrame(
        [(json.dumps(load_yaml_file(EXAMPLES[0]), default=str),)], "case string"
    )
    out = ars.evaluate_dataframe(df, as_of=AS_OF)
    assert out.schema == StructType.fromDDL(ars.spark_schema())
    assert out.schema.simpleString().startswith(
        "struct<row:bigint,id:string,policy_id:string,jurisdiction:string,layers:array<string>"
    )
    assert dict(out.dtypes)["due_at"] == "timestamp" and dict(out.dtypes)["records"] == (
        "array<string>"
    )
    assert [c[0] for c in ars.COLUMNS] == out.columns == list(ars.SparkFindingRow.model_fields)
    schema = ars.json_schema()
    assert list(schema["properties"]) == out.columns
    assert set(schema["required"]) == {"row", "as_of", "engine_version"}
    for row in out.collect():  # every row is valid against the JSON Schema's model
        ars.SparkFindingRow.model_validate(row.asDict())
    doc = (ROOT / "docs" / "spark.md").read_text(encoding="utf-8")
    for name, kind, _ in ars.COLUMNS:
        assert f"| `{name}` | {kind.lower()} |" in doc, name


def test_null_blank_and_id_column(spark: Any) -> None:
    good = json.dumps(load_yaml_file(EXAMPLES[0]), default=str)
    df = spark.createDataFrame(
        [("a", None), ("b", "  "), ("c", good)], "ref string, payload string"
    )
    out = ars.evaluate_dataframe(df, as_of=AS_OF, case_col="payload", id_col="ref")
    rows = _spark_rows(out)
    assert rows[0]["row"] == 1 and rows[0]["id"] == "a"
    assert rows[0]["error"] == (
        "<dataframe>: line 1: 案件列为空 (null)，没有保单 / the case column is null: no policy"
    )
    assert all(r["row"] == 3 and r["id"] == "c" for r in rows[1:])  # the blank row is skipped
    assert len(rows) == 1 + sum(
        1
        for f in ar.evaluate(ar.load_ruleset("guangdong"), json.loads(good), as_of=AS_OF).findings
        if f.status not in HIDDEN
    )


def test_a_ruleset_file_chosen_by_the_caller(spark: Any, tmp_path: Path) -> None:
    """The file exists only on the driver's side of the broadcast: executors never read it."""
    (tmp_path / "mine").mkdir()
    mine = tmp_path / "mine" / "national.yaml"
    shutil.copy(ROOT / "rulesets" / "national.yaml", mine)
    book = tmp_path / "small.jsonl"
    cases = [_policy(load_yaml_file(p), policy_id=f"S{i}") for i, p in enumerate(EXAMPLES)]
    book.write_text("\n".join(json.dumps(c, default=str) for c in cases) + "\n")
    out = ars.evaluate_dataframe(
        _jsonl_frame(spark, book), as_of=AS_OF, jurisdiction=str(mine), source=str(book)
    )
    mine.unlink()  # gone before any action runs
    rows = _spark_rows(out)
    _same(
        rows,
        _library_rows(
            book, include_compliant=False, jurisdiction=str(ROOT / "rulesets" / "national.yaml")
        ),
    )
    assert {r["ruleset_digest"] for r in rows} == {ar.load_ruleset("national").digest}


def test_one_layer_and_an_in_force_date_equal_the_library(spark: Any, tmp_path: Path) -> None:
    book = tmp_path / "xinzhou.jsonl"
    case = load_yaml_file(ROOT / "examples" / "xinzhou-municipal.yaml")
    book.write_text(json.dumps(case, default=str) + "\n")
    in_force = {"xinzhou": dt.date(2025, 9, 1)}
    out = ars.evaluate_dataframe(
        _jsonl_frame(spark, book),
        as_of=AS_OF,
        layer="xinzhou",
        in_force=in_force,
        include_compliant=True,
        source=str(book),
    )
    rows = _spark_rows(out)
    _same(rows, _library_rows(book, layer="xinzhou", in_force=in_force))
    assert {r["layer"] for r in rows} == {"xinzhou"}
    plain = ars.evaluate_dataframe(
        _jsonl_frame(spark, book), as_of=AS_OF, layer="xinzhou", include_compliant=True
    )
    assert _spark_rows(plain) != rows  # the in-force date changed something
    assert rows[0]["ruleset_digest"] == ar.load_ruleset("xinzhou", in_force=in_force).digest


def test_cases_from_tables_equal_the_json_cases(spark: Any) -> None:
    examples = [_policy(load_yaml_file(p), policy_id=f"T{i}") for i, p in enumerate(EXAMPLES)]
    sc = spark.sparkContext

    def table(rows: list[dict[str, Any]]) -> Any:
        return spark.read.json(sc.parallelize([json.dumps(r, default=str) for r in rows]))

    policies = table([c["policy"] for c in examples])
    records = {}
    for name in sorted({k for c in examples for k in c} - {"policy"}):
        items = []
        for c in examples:
            value = c.get(name)
            for item in value if isinstance(value, list) else [value] if value else []:
                items.append({"policy_id": c["policy"]["policy_id"], **item})
        records[name] = table(items)
    cases = ars.cases_from_tables(policies, records)
    assert cases.columns == ["policy_id", "case"] and cases.count() == len(examples)
    got = _spark_rows(ars.evaluate_dataframe(cases, as_of=AS_OF, id_col="policy_id"))
    direct = spark.createDataFrame([(json.dumps(c, default=str),) for c in examples], "case string")
    want = _spark_rows(ars.evaluate_dataframe(direct, as_of=AS_OF))
    drop = ("row", "id")
    assert sorted(_key({k: v for k, v in r.items() if k not in drop}) for r in got) == sorted(
        _key({k: v for k, v in r.items() if k not in drop}) for r in want
    )
    assert {r["id"] for r in got} == {f"T{i}" for i in range(len(examples))}


def test_command_line_writes_what_the_library_finds(
    spark: Any, small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    portfolio = small
    out = tmp_path / "out.parquet"
    code = ars.main(["--input", str(portfolio), "--output", str(out), "--as-of", AS_OF.isoformat()])
    err = capsys.readouterr().err
    assert code == 2  # two lines could not be evaluated
    assert "2 行无法评估" in err and "2 rows could not be evaluated" in err
    assert f"ansafe-rules: error: {portfolio}: line 8: invalid JSON" in err
    written = sorted(_spark_rows(spark.read.parquet(str(out))), key=lambda r: r["row"])  # stable
    _same(written, _library_rows(portfolio, include_compliant=False))
    again = ars.main(["--input", str(portfolio), "--output", str(out), "--as-of", "2026-07-31"])
    assert again == 2 and "already exists" in capsys.readouterr().err


def test_bad_options_are_clear_errors(spark: Any) -> None:
    df = spark.createDataFrame([(1, "{}")], "n long, case string")
    with pytest.raises(ars.SparkError, match="no column 'cases' \\(columns: n, case\\)"):
        ars.evaluate_dataframe(df, as_of=AS_OF, case_col="cases")
    with pytest.raises(
        ars.SparkError, match="column 'n' must be a string of case JSON, not bigint"
    ):
        ars.evaluate_dataframe(df, as_of=AS_OF, case_col="n")
    with pytest.raises(ars.SparkError, match=r"未知的义务主体 'nobody'.*unknown duty_holder"):
        ars.evaluate_dataframe(df, as_of=AS_OF, duty_holder="nobody")
    with pytest.raises(ars.SparkError, match=r"as_of must be a datetime\.date"):
        ars.evaluate_dataframe(df, as_of="2026-07-31")  # type: ignore[arg-type]
    with pytest.raises(ar.AnsafeError, match="no-such-place"):
        ars.evaluate_dataframe(df, as_of=AS_OF, jurisdiction="no-such-place")


# ------------------------------------------------------------------------------------------
# without Spark: the module imports, says what to install, and checks the engine version
def test_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as on a machine without the extra
    with pytest.raises(ars.SparkError) as exc:
        ars.cases_from_tables(None)  # type: ignore[arg-type]
    msg = str(exc.value)
    assert msg.index("未安装") < msg.index("not installed")  # Chinese first
    assert "pip install 'ansafe-rules[spark]'" in msg and "pyarrow is missing" in msg
    assert "pyspark and pyarrow" in msg


def test_executors_refuse_a_payload_of_another_engine_version() -> None:
    blob = ars.make_payload(as_of=AS_OF, jurisdiction="national")
    assert blob.startswith(ar.__version__.encode() + b"\0")
    other = b"0.0.1\0" + blob.partition(b"\0")[2]
    with pytest.raises(ars.SparkError, match=r"driver runs ansafe_rules 0\.0\.1 but this executor"):
        list(ars.evaluate_items([(1, None, "{}")], other))


def test_the_examples_of_docs_spark_run(spark: Any, small: Path) -> None:
    """docs/spark.md's ``py`` blocks (``python`` blocks run without Spark in test_docs)."""
    import re

    blocks = re.findall(r"```py\n(.*?)```", (ROOT / "docs" / "spark.md").read_text("utf-8"), re.S)
    assert len(blocks) == 2
    env: dict[str, Any] = {}
    for i, code in enumerate(blocks):
        exec(compile(code, f"spark.md#py{i}", "exec"), env)
    doc_rows = list(env["library_rows"](small, AS_OF))
    got = _spark_rows(
        ars.evaluate_dataframe(_jsonl_frame(spark, small), as_of=AS_OF, source=str(small))
    )
    assert len(doc_rows) == len(got) > 100
    for d, g in zip(doc_rows, got, strict=True):
        assert {k: g[k] for k in d if k in g} == {
            k: (v.value if hasattr(v, "value") else list(v) if isinstance(v, tuple) else v)
            for k, v in d.items()
            if k in g and k != "due_at"
        } | ({"due_at": g["due_at"]} if "due_at" in d else {})


def test_command_line_reads_parquet_with_an_id_column(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [_policy(load_yaml_file(p), policy_id=f"Q{i}") for i, p in enumerate(EXAMPLES)]
    book = tmp_path / "book.parquet"
    spark.createDataFrame(
        [(f"key-{i}", json.dumps(c, default=str)) for i, c in enumerate(cases)],
        "pk string, body string",
    ).coalesce(1).write.parquet(str(book))
    out = tmp_path / "out"
    argv = ["--input", str(book), "--case-col", "body", "--id-col", "pk", "--all"]
    argv += ["--output", str(out), "--output-format", "json", "--as-of", "2026-07-31"]
    argv += ["--duty-holder", "insurer"]
    assert ars.main(argv) == 1  # the examples' deliberate lapses, no unreadable row
    assert "0 行无法评估" in capsys.readouterr().err
    written = spark.read.schema(ars.spark_schema()).json(str(out)).collect()
    want = {}
    for i, c in enumerate(cases):
        rep = ar.evaluate(ar.load_ruleset(c["policy"]["jurisdiction"]), c, as_of=AS_OF)
        want[f"key-{i}"] = len(rep.for_party(ar.DutyHolder.insurer).findings)
    got = {k: sum(r["id"] == k for r in written) for k in want}
    assert got == want and all(r["row"] == int(r["id"][4:]) + 1 for r in written)


def test_the_module_runs_as_a_script_for_spark_submit() -> None:
    """``spark-submit .../ansafe_rules/spark.py``: run as a file, whose folder (with its
    calendar.py) must not shadow the standard library. No Spark needed for ``--help``."""
    import subprocess

    script = Path(ars.__file__)
    for argv in ([str(script)], ["-m", "ansafe_rules.spark"]):
        out = subprocess.run(
            [sys.executable, *argv, "--help"], capture_output=True, text=True, check=False
        )
        assert out.returncode == 0, out.stderr
        assert "在 Spark 上评估保单组合" in out.stdout and "--as-of" in out.stdout
    bad = subprocess.run(
        [sys.executable, str(script), "--input", "x.jsonl", "--output", "o", "--as-of", "7/31"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "不是日期 (YYYY-MM-DD)：'7/31' / not a date" in bad.stderr

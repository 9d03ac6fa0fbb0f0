"""Fuzzing (issue 12): cases built from the published JSON Schema and mutated adversarially must
give a report under every jurisdiction, and a bad portfolio must cost only its bad lines.

The default run draws 200 cases (1,000 evaluations). ``ANSAFE_FUZZ=20000`` (environment)
draws that many, each evaluated under every jurisdiction. Timestamps are naive, UTC, or at
any offset from -23:59 to +23:59, mixed within a case (they compare in China time).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ansafe_rules as ar
from ansafe_rules.cli import main

D = dt.date
EXAMPLES = int(os.environ.get("ANSAFE_FUZZ", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
SCHEMA = ar.json_schemas()["PolicyCase"]
DEFS = SCHEMA["$defs"]
RULESETS = {j: ar.load_ruleset(j) for j in ar.jurisdictions()}
COLLECTIONS = {
    name: prop["items"]["$ref"].rsplit("/", 1)[-1]
    for name, prop in SCHEMA["properties"].items()
    if prop.get("type") == "array"
}
SINGLES = {
    name: next(x["$ref"] for x in prop["anyOf"] if "$ref" in x).rsplit("/", 1)[-1]
    for name, prop in SCHEMA["properties"].items()
    if "anyOf" in prop
}

EXTREME_DATES = [D(1, 1, 1), D(9999, 12, 31), D(9999, 12, 30), D(2039, 1, 1), D(2000, 12, 31)]
dates = st.one_of(st.sampled_from(EXTREME_DATES), st.dates())
naive_datetimes = st.one_of(
    st.sampled_from([dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59)]),
    st.datetimes(timezones=st.none()),
)
offsets = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda m: dt.timezone(dt.timedelta(minutes=m))
)
# naive and offset-aware timestamps, mixed within a case (offsets at the ends of the range too)
any_datetimes = st.one_of(
    naive_datetimes,
    st.datetimes(timezones=st.one_of(st.just(dt.UTC), offsets)),
    st.sampled_from(
        [
            dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=23, minutes=59))),
            dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-23))),
        ]
    ),
)


class _DeepList(list):
    """A list nested many levels deep, with a short repr (printing it must not recurse)."""

    def __repr__(self) -> str:
        return "<list nested deep>"


class _DeepDict(dict):
    def __repr__(self) -> str:
        return "<mapping nested deep>"


def _deep(n: int) -> Any:
    x: Any = []
    for _ in range(n):
        x = [x]
    return _DeepList(x)


def _deep_dict(n: int) -> Any:
    x: Any = {}
    for _ in range(n):
        x = {"a": x}
    return _DeepDict(x)


# adversarial values: wrong types, extremes, huge numbers, deep nesting, mixed time zones
hostile = st.one_of(
    dates.map(lambda d: d.isoformat()),
    any_datetimes.map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            None,
            "",
            "x",
            "2025-02-30",
            "9999-12-31T23:59:59",
            0,
            -1,
            10**5000,
            -(10**30),
            1e308,
            float("inf"),
            float("nan"),
            True,
            [],
            {},
            [None],
            {"id": {}},
            "9" * 5000,
        ]
    ).map(copy.deepcopy),  # a fresh copy: cases are mutated after drawing (a shared [] that
    # grew made hypothesis' generation inconsistent: FlakyStrategyDefinition at 20,000 examples)
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.integers(10, 3000).map(_deep),
    st.integers(10, 3000).map(_deep_dict),
)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return DEFS[ref.rsplit("/", 1)[-1]] if ref else schema


policy_dates = st.one_of(
    st.sampled_from([D(1, 1, 1), D(2039, 1, 1), D(9899, 12, 31)]),
    st.dates(max_value=D(9899, 12, 31)),
)


def from_schema(
    schema: dict[str, Any], depth: int = 0, safe: bool = False
) -> st.SearchStrategy[Any]:
    """Values valid-ish for a JSON Schema node, dates drawn with extremes (``safe``: none after
    9899-12-31, the documented limit, so that a policy is usually readable)."""
    schema = _resolve(schema)
    if "anyOf" in schema:
        return st.one_of([from_schema(s, depth, safe) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    t = schema.get("type")
    fmt = schema.get("format")
    if t == "string" and fmt == "date":
        return (policy_dates if safe else dates).map(lambda d: d.isoformat())
    if t == "string" and fmt == "date-time":
        return any_datetimes.map(lambda d: d.isoformat())
    if t == "string" and "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True).filter(lambda x: len(x) < 30)
    if t == "string":
        return st.text(min_size=1, max_size=6)
    if t == "integer":
        lo = schema.get("minimum", schema.get("exclusiveMinimum", -5))
        hi = schema.get("maximum", 10**6)
        return st.one_of(st.integers(lo, hi), st.sampled_from([lo, hi]))
    if t == "number":
        return st.floats(0, 1e9)
    if t == "boolean":
        return st.booleans()
    if t == "null":
        return st.none()
    if t == "array":
        if depth > 2:
            return st.builds(list)  # a new list each time (never a shared, mutable constant)
        return st.lists(from_schema(schema.get("items", {}), depth + 1), max_size=3)
    if t == "object" and "properties" in schema:
        if depth > 2:
            return st.builds(dict)
        req = set(schema.get("required", ()))
        props = schema["properties"]
        return st.fixed_dictionaries(
            {k: from_schema(v, depth + 1) for k, v in props.items() if k in req},
            optional={k: from_schema(v, depth + 1) for k, v in props.items() if k not in req},
        )
    return st.none()


@st.composite
def hostile_cases(draw: st.DrawFn) -> dict[str, Any]:
    """A case built from the JSON Schema (a policy with a valid term, records of every
    collection), then mutated."""
    start = draw(st.one_of(st.dates(D(2019, 1, 1), D(2027, 12, 31)), policy_dates))
    days = draw(st.integers(0, 3 * 366))
    end = min(start + dt.timedelta(days=days), D(9899, 12, 31)) if start.year < 9899 else start
    policy = draw(from_schema(DEFS["Policy"], safe=True))
    policy.update(
        policy_id=draw(st.text("PQ-0123456789", min_size=1, max_size=4)),
        insurer="I",
        insured="J",
        jurisdiction=draw(st.sampled_from(sorted(RULESETS))),
        term_start=start.isoformat(),
        term_end=end.isoformat(),
        contract_services=draw(
            st.lists(
                from_schema(DEFS["ContractService"]),
                max_size=3,
                unique_by=lambda c: c["service_kind"],
            )
        ),
    )
    data: dict[str, Any] = {"policy": policy}
    for name in draw(st.lists(st.sampled_from(sorted(COLLECTIONS)), max_size=6)):
        data.setdefault(name, []).append(draw(from_schema(DEFS[COLLECTIONS[name]])))
    for _ in range(draw(st.integers(0, 4))):
        target = draw(
            st.sampled_from(["record", "record", "record", "single", "section", "policy"])
        )
        if target == "record":
            name = draw(st.sampled_from(sorted(COLLECTIONS)))
            recs = data.get(name)
            if not isinstance(recs, list):
                recs = data[name] = []
            if not recs or draw(st.booleans()):
                recs.append(draw(from_schema(DEFS[COLLECTIONS[name]])))
            i = draw(st.integers(0, len(recs) - 1))
            if not isinstance(recs[i], dict):
                recs[i] = draw(hostile)
                continue
            fields = sorted(DEFS[COLLECTIONS[name]]["properties"])
            field = draw(st.sampled_from(fields))
            if draw(st.integers(0, 4)) == 0:
                recs[i].pop(field, None)  # missing field
            else:
                recs[i][field] = draw(hostile)
        elif target == "single":
            name = draw(st.sampled_from(sorted(SINGLES)))
            doc = draw(from_schema(DEFS[SINGLES[name]]))
            if isinstance(doc, dict) and draw(st.booleans()):
                doc[draw(st.sampled_from(sorted(DEFS[SINGLES[name]]["properties"])))] = draw(
                    hostile
                )
            data[name] = doc
        elif target == "section":
            data[draw(st.sampled_from(sorted(COLLECTIONS)))] = draw(hostile)
        else:
            field = draw(st.sampled_from(sorted(DEFS["Policy"]["properties"])))
            data["policy"][field] = draw(hostile)
    return data


STATS = {"cases": 0, "evaluations": 0, "input_errors": 0}


@FUZZ
@given(data=hostile_cases(), as_of=dates)
def test_evaluate_returns_a_report_for_every_jurisdiction(data: dict[str, Any], as_of: D) -> None:
    STATS["cases"] += 1
    for j, rs in RULESETS.items():
        STATS["evaluations"] += 1
        try:
            rep = ar.evaluate(rs, data, as_of=as_of, source="fuzz.json")
        except ar.InputError as exc:
            # the one documented raise: the policy itself cannot be read; named, never bare
            STATS["input_errors"] += 1
            assert str(exc).startswith("fuzz.json: "), str(exc)
            assert "policy" in str(exc)
            continue
        assert isinstance(rep, ar.Report), j
        assert sum(rep.counts.values()) == len(rep.findings)


def _line(i: int, **policy: Any) -> str:
    pol = {
        "policy_id": f"P{i}",
        "jurisdiction": "national",
        "insurer": "I",
        "insured": "J",
        "industry": "construction",
        "term_start": "2025-07-01",
        "term_end": "2026-06-30",
        **policy,
    }
    return json.dumps({"policy": pol})


BAD_LINES: list[bytes] = [
    b"{not json",
    b'{"policy": "caf\xe9"}',
    b'{"policy": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"policy": {"policy_id": "A", "policy_id": "B"}}',
    _line(0, jurisdiction="/etc/passwd").encode(),
    _line(0, jurisdiction="evil.yaml").encode(),
    _line(0, term_end="9999-12-31").encode(),
    _line(
        0,
        contract_services=[
            {"service_kind": "training", "min_count": 1, "per": "year"},
            {"service_kind": "training", "min_count": 4, "per": "quarter"},
        ],
    ).encode(),
    b"[1, 2, 3]",
    b'{"policy": {"policy_id": ' + b"9" * 5000 + b"}}",
]


@settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    layout=st.lists(
        st.one_of(st.just(None), st.sampled_from(range(len(BAD_LINES)))), min_size=5, max_size=40
    )
)
def test_cli_bad_portfolio_every_good_line_evaluated_every_bad_line_located(
    layout: list[int | None], tmp_path_factory: pytest.TempPathFactory
) -> None:
    path: Path = tmp_path_factory.mktemp("fuzz") / "p.jsonl"
    raw = [BAD_LINES[k] if k is not None else _line(n).encode() for n, k in enumerate(layout, 1)]
    path.write_bytes(b"\n".join(raw) + b"\n")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", str(path), "--as-of", "2026-08-01", "--format", "jsonl"])
    results = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [r["line"] for r in results] == list(range(1, len(layout) + 1))
    bad = [n for n, k in enumerate(layout, 1) if k is not None]
    for r, k in zip(results, layout, strict=True):
        if k is None:
            assert "report" in r and "error" not in r, r.get("error")
        else:
            assert r["error"].startswith(f"{path}: line {r['line']}: "), r["error"]
    assert "Traceback" not in err.getvalue()
    if bad:
        assert code == 2
        assert (
            err.getvalue()
            .splitlines()[-1]
            .startswith(
                f"ansafe-rules: {len(bad)} of {len(layout)} input(s) could not be evaluated"
            )
        )
    else:
        assert code in (0, 1)

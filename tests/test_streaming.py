"""`check`'s JSON written piece by piece (issue 12: a 200,000-record case must not become one
string, nor one list of rows, in memory) against the summary built whole: the same bytes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ansafe_rules.results as results
from ansafe_rules.breaches import breach_counts
from ansafe_rules.cli import _record_parts, _Render, _to_json
from ansafe_rules.outputs import Status
from ansafe_rules.portfolio import RulesetCache, outcome_files

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
AS_OF = dt.date(2026, 7, 31)


def _whole(outcome, spec: _Render, cache: RulesetCache) -> str:
    """The text as it was written before it was streamed: one summary, dumped at once."""
    ev = outcome.evaluation
    stamp = cache.stamp(ev.jurisdiction, ev.layers)
    shown = None if spec.all else set(Status) - {Status.compliant, Status.not_applicable}
    summary = ev.summary(stamp, statuses=shown, obligations=False, lang=spec.lang)
    body = summary.model_dump(mode="json", exclude_defaults=True, exclude={"obligations"})
    head = {"source": outcome.source, "line": outcome.line, "policy_id": outcome.policy_id}
    breaches = breach_counts(ev).model_dump(mode="json")
    whole = {**head, "report": body, "breaches": breaches}
    return json.dumps(whole, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("show_all", [False, True])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_streamed_json_is_the_whole_summary(path: Path, show_all: bool, lang: str) -> None:
    cache = RulesetCache()
    spec = _Render("jsonl", all=show_all, lang=lang)
    (outcome,) = outcome_files([path], as_of=AS_OF, rulesets=cache)
    parts = list(_record_parts(outcome, spec, cache))
    assert len(parts) > 2  # written in pieces
    assert "".join(parts) == _whole(outcome, spec, cache)
    # compact, as pydantic writes a model (no space after a separator): 7% fewer bytes
    line = "".join(parts)
    assert json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":")) == line


def test_a_summary_without_findings_streams_the_same(tmp_path: Path) -> None:
    case = tmp_path / "empty.yaml"
    case.write_text(
        "policy:\n  policy_id: P-0\n  jurisdiction: national\n  insurer: I\n  insured: J\n"
        "  industry: construction\n  term_start: 2025-07-01\n  term_end: 2026-06-30\n",
        encoding="utf-8",
    )
    cache = RulesetCache()
    spec = _Render("jsonl", all=False, lang="en", detail="summary")
    (outcome,) = outcome_files([case], as_of=AS_OF, rulesets=cache)
    text = "".join(_record_parts(outcome, spec, cache))
    assert text == _whole(outcome, spec, cache)
    json.loads(text)


def test_rows_do_not_depend_on_the_memo_being_emptied(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = RulesetCache()
    (outcome,) = outcome_files(
        [ROOT / "examples" / "guangdong-housing.yaml"], as_of=AS_OF, rulesets=cache
    )
    ev = outcome.evaluation
    kept = [r.model_dump() for r in ev.rows(lang="zh")]
    monkeypatch.setattr(results, "_MEMO_MAX", 0)  # emptied after every row
    assert [r.model_dump() for r in ev.rows(lang="zh")] == kept
    assert len(kept) == len(ev.findings)


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(blacklist_categories=("Cs",))),  # no lone surrogates (not UTF-8)
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(st.characters(blacklist_categories=("Cs",))), inner, max_size=4)
    ),
    max_leaves=20,
)


def _no_floats(value: object) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, list):
        return all(map(_no_floats, value))
    if isinstance(value, dict):
        return all(map(_no_floats, value.values()))
    return True


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_the_json_writer_is_the_standard_librarys(value: object) -> None:
    """`check` writes with pydantic-core's encoder: the same values back, and without
    numbers with a fraction the very text of ``json.dumps`` (compact, UTF-8)."""
    text = _to_json(value)
    assert json.loads(text) == value
    if _no_floats(value):
        assert text == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_the_json_writer_examples() -> None:
    # a number with a fraction is written as every pydantic model's JSON writes it
    assert _to_json({"a": [1, 2.5, 1e-07, 6.103515625e-05, 1e16, None, True]}) == (
        '{"a":[1,2.5,1e-7,0.00006103515625,1e+16,null,true]}'
    )
    assert _to_json({"é": '引号"\\\n\u2028\x00'}) == '{"é":"引号\\"\\\\\\n\u2028\\u0000"}'

"""The compact path (issue: the engine at portfolio scale) against the full one: the rows of
:func:`evaluate_rows` and the outcomes of a portfolio must say exactly what the full reports
say, for the frozen generated cases of every jurisdiction, one party or all, in any order."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
from collections import Counter
from pathlib import Path

import pytest

import ansafe_rules as ar
from ansafe_rules.outputs import FindingRow, Status, summarize
from ansafe_rules.portfolio import iter_outcomes

from .conftest import compact_row_values

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("freeze_engine", ROOT / "tools" / "freeze_engine.py")
assert _spec and _spec.loader
freeze = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(freeze)

CASES = [c for c in freeze.read_xz(freeze.CASES)][::5]
RULESETS = {j: ar.load_ruleset(j) for j in freeze.EXAMPLES}
STAMP = {
    j: ar.RulesetStamp(
        id=j,
        layers=tuple(li.id for li in rs.layers),
        digest=rs.digest,
        engine_version=ar.__version__,
    )
    for j, rs in RULESETS.items()
}
ATTENTION = set(Status) - {Status.compliant, Status.not_applicable}


def _args(row: dict) -> tuple[ar.ResolvedRuleset, dict, dt.date]:
    return RULESETS[row["jurisdiction"]], row["case"], dt.date.fromisoformat(row["as_of"])


def test_rows_summarise_as_the_full_report_does() -> None:
    """The compact summary built from rows equals `summarize` of the full report, row for row,
    whole and restricted to the findings needing attention (with the bindings of those)."""
    assert len(CASES) >= 400
    for row in CASES:
        rs, case, as_of = _args(row)
        ev = ar.evaluate_rows(rs, case, as_of=as_of)
        rep = ar.evaluate(rs, case, as_of=as_of)
        stamp = STAMP[row["jurisdiction"]]
        assert ev.summary(stamp) == summarize(rep, stamp), row["id"]
        shown = rep.model_copy(
            update={"findings": tuple(f for f in rep.findings if f.status in ATTENTION)}
        )
        # the bindings of the obligations shown, and no others
        keys = {(f.obligation, f.subject) for f in shown.findings}
        binds = tuple(b for b in rep.bindings if (b.obligation, b.subject) in keys)
        want = summarize(shown, stamp).model_copy(update={"obligations": (), "bindings": binds})
        assert ev.summary(stamp, statuses=ATTENTION, obligations=False) == want, row["id"]
        assert ev.counts == rep.counts
        breach = any(
            f.status is Status.data_error or (f.status is Status.violation and f in rep.violations)
            for f in rep.findings
        )
        assert ev.has_breach is breach, row["id"]


@pytest.mark.parametrize("party", ["insurer", "third_party", "contractor"])
def test_one_partys_rows_are_that_partys_report(party: str) -> None:
    for row in CASES[::4]:
        rs, case, as_of = _args(row)
        ev = ar.evaluate_rows(rs, case, as_of=as_of, duty_holder=party)
        assert ev.report() == ar.evaluate(rs, case, as_of=as_of).for_party(party), row["id"]


def test_a_shuffled_batch_of_outcomes_gives_the_single_reports() -> None:
    """A batch of N policies through the compact portfolio path, in a random order, gives the
    N single evaluations' reports (built from the rows on demand)."""
    as_of = dt.date(2026, 7, 31)
    rows = CASES[::3]
    order = list(range(len(rows)))
    random.Random(7).shuffle(order)
    seen = 0
    for o in iter_outcomes([(n, rows[n]["case"]) for n in order], as_of=as_of, source="b"):
        assert o.error is None and o.evaluation is not None
        row = rows[o.line]
        single = ar.evaluate(RULESETS[row["jurisdiction"]], row["case"], as_of=as_of)
        got, want = freeze.freeze_report(o.evaluation.report()), freeze.freeze_report(single)
        assert got == want, row["id"]
        seen += 1
    assert seen == len(rows) > 100


def test_a_bad_record_is_one_data_error_row() -> None:
    rs = RULESETS["national"]
    case = next(c["case"] for c in CASES if c["jurisdiction"] == "national")
    recs = list(case.get("service_records") or [])
    assert recs, "the sampled case has service records"
    bad = {**case, "service_records": [*recs, {"id": "BAD-1", "completed_on": "2025-02-30"}]}
    ev = ar.evaluate_rows(rs, bad, as_of=dt.date(2026, 7, 31))
    errors = [f for f in ev.findings if f.rule_id == "input.validation"]
    assert {f.subject for f in errors} == {f"service_records[{len(recs)}] (id 'BAD-1')"}
    assert any("completed_on" in f.reason for f in errors) and ev.has_breach
    good = ar.evaluate_rows(rs, case, as_of=dt.date(2026, 7, 31))
    assert [f.row() for f in ev.findings if f.rule_id != "input.validation"] == [
        f.row() for f in good.findings
    ]


def test_a_ruleset_pickles_after_use_and_judges_the_same() -> None:
    """Conditions keep their compiled form on themselves; a ruleset that has judged cases
    (Spark broadcasts, worker processes) still pickles, and judges the same after."""
    import pickle

    row = next(c for c in CASES if c["jurisdiction"] == "guangdong")
    rs, case, as_of = _args(row)
    before = ar.evaluate(rs, case, as_of=as_of)
    copy = pickle.loads(pickle.dumps(rs))
    assert copy == rs and copy.digest == rs.digest
    assert ar.evaluate(copy, case, as_of=as_of) == before


def test_values_that_cannot_be_ordered_are_undecidable_for_every_operator() -> None:
    from ansafe_rules.conditions import holds
    from ansafe_rules.rulesets import Condition

    item = {"a": "text", "n": 3}
    assert holds(Condition(field="a", op="eq", value=3), item) is None
    assert holds(Condition(field="a", op="ne", value=3), item) is None
    assert holds(Condition(field="n", op="eq", value=3), item) is True
    assert holds(Condition(field="n", op="ge", value=4), item) is False
    either = Condition(any_of=[Condition(field="n", op="eq", value=3),
                               Condition(field="x", op="eq", value=1)])  # fmt: skip
    both = Condition(all_of=[Condition(field="n", op="eq", value=3),
                             Condition(field="x", op="eq", value=1)])  # fmt: skip
    assert holds(either, item) is True and holds(both, item) is None


def _plain_json(v: object) -> bool:
    """Only JSON's own types (not a str enum, which would dump alike but is not a str)."""
    if type(v) is dict:
        return all(type(k) is str and _plain_json(x) for k, x in v.items())
    if type(v) is list:
        return all(_plain_json(x) for x in v)
    return v is None or type(v) in (str, int, float, bool)


def _dumped(row: FindingRow) -> str:
    return json.dumps(row.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False)


def test_json_rows_are_the_dumped_models_key_for_key() -> None:
    """`check --format json` writes `row_json`, made without the model: it must be the
    model's own dump, key for key and in order (the same text), for every finding of the
    frozen cases in both languages, input errors and provisional dates included."""
    seen: Counter[str] = Counter()
    for row in CASES[::2]:
        rs, case, as_of = _args(row)
        ev = ar.evaluate_rows(rs, case, as_of=as_of)
        for lang in ("en", "zh"):
            want = [_dumped(f.row(lang)) for f in ev.findings]
            got = [json.dumps(d, ensure_ascii=False) for d in ev.row_dicts(set(Status), lang)]
            assert got == want, row["id"]
        for f in ev.findings:
            d = f.row_json()
            seen.update(d.keys())
            assert _plain_json(d), (row["id"], d)  # no enum member or tuple among them
    # every optional key of a row was written somewhere (the test saw each case)
    optional = {"due_date", "due_at", "window", "required_count", "counted", "records"}
    assert optional | {"liable_party", "provisional", "clause"} <= set(seen), seen
    case = next(c["case"] for c in CASES if c["jurisdiction"] == "national")
    bad_record = {"id": "BAD-1", "completed_on": "2025-02-30"}
    bad = {**case, "service_records": [*(case.get("service_records") or []), bad_record]}
    ev = ar.evaluate_rows(RULESETS["national"], bad, as_of=dt.date(2026, 7, 31))
    errors = [f for f in ev.findings if f.rule_id == "input.validation"]
    assert errors
    for f in errors:
        for lang in ("en", "zh"):
            assert json.dumps(f.row_json(lang), ensure_ascii=False) == _dumped(f.row(lang))


def test_a_window_is_written_as_pydantic_writes_it() -> None:
    """A window is the one model `row_json` writes by hand: without its label when it has
    none (its default), with it otherwise."""
    from ansafe_rules.results import _window_json

    for w in (
        ar.Window(start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31), partial=False),
        ar.Window(start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 9), partial=True, label="s1"),
    ):
        assert _window_json(w) == w.model_dump(mode="json", exclude_defaults=True)


def test_spark_rows_carry_the_compact_rows_values_and_types() -> None:
    """The Spark executors read each row's values from the evaluation's rows as they are (no
    FindingRow built per row): the values and their types must be the compact row's, for
    every finding of the frozen cases, input errors included."""
    from ansafe_rules.conditions import CHINA_TZ
    from ansafe_rules.spark import _finding_rows

    def want(row: FindingRow) -> dict:
        values = compact_row_values(row)
        at = values["due_at"]
        if at is not None and at.tzinfo is None:
            values["due_at"] = at.replace(tzinfo=CHINA_TZ)  # a naive instant is China time
        return values

    def typed(d: dict) -> dict:
        return {k: (type(v), v) for k, v in d.items()}

    case = next(c["case"] for c in CASES if c["jurisdiction"] == "national")
    bad = {**case, "service_records": [{"id": "BAD-1", "completed_on": "2025-02-30"}]}
    evs = [ar.evaluate_rows(*_args(row)[:2], as_of=_args(row)[2]) for row in CASES[::3]]
    evs.append(ar.evaluate_rows(RULESETS["national"], bad, as_of=dt.date(2026, 7, 31)))
    counted = 0
    for ev in evs:
        got = _finding_rows(ev.findings, {})
        assert [typed(g) for g in got] == [typed(want(f.row())) for f in ev.findings]
        counted += sum(g["counted"] is not None for g in got)
    assert counted  # frequency rows, whose counts the row gives as floats


def test_bindings_written_in_a_language_are_the_english_ones_translated() -> None:
    """A summary writes its bindings' notes in its language at once: each is the English
    binding translated (`in_language`), field for field, for the frozen cases sampled."""
    from ansafe_rules.bindings import in_language

    seen = 0
    for row in CASES[::2]:
        rs, case, as_of = _args(row)
        ev = ar.evaluate_rows(rs, case, as_of=as_of, lean=True)
        keys = {(f.obligation, f.subject) for f in ev.select(ATTENTION)}
        english = ev.bindings_for(keys)
        for lang in ("zh", "en"):
            want = tuple(in_language(b, lang) for b in english)
            assert ev.bindings_for(keys, lang) == want, row["id"]
            assert [b.note for b in ev.bindings_for(keys, lang)] == [b.note for b in want]
        seen += len(english)
    assert seen > 100


def _nulls(v: object, path: str = "") -> list[str]:
    """Where a JSON value holds a null."""
    if v is None:
        return [path]
    if isinstance(v, dict):
        return [p for k, x in v.items() for p in _nulls(x, f"{path}.{k}")]
    if isinstance(v, list):
        return [p for i, x in enumerate(v) for p in _nulls(x, f"{path}[{i}]")]
    return []


def test_message_args_leave_out_what_has_no_value_and_still_say_the_reason() -> None:
    """An argument without a value (a deadline with no extension, a late row whose lateness
    cannot be counted) is left out of `message_args`, nested messages included: the rows are
    shorter and `render_message` reads a missing argument as it read a null one, so a stored
    row still renders as its reason, in both languages, for the frozen cases sampled."""
    left_out = 0
    for row in CASES[::2]:
        rs, case, as_of = _args(row)
        ev = ar.evaluate_rows(rs, case, as_of=as_of)
        for lang in ("en", "zh"):
            for d in ev.row_dicts(set(Status), lang):
                args = d["message_args"]
                assert _nulls(args) == [], (row["id"], d["rule_id"])
                assert ar.render_message(d["message_id"], args, lang) == d["reason"]
                if d["message_id"].startswith("deadline.") and "ext" not in args:
                    left_out += 1
    assert left_out > 100  # deadlines without an extension were seen, their `ext` left out
    late = ar.render_message(
        "deadline.late",
        {
            "subject": "service_records/S-1",
            "action": "callback_on",
            "trigger": "completed_on",
            "period": {"amount": 5, "unit": "workdays"},
            "deadline": "2025-10-10",
            "done": "2025-10-13",
        },
        "en",
    )
    assert late == "callback_on 2025-10-13 is after the due 2025-10-10"

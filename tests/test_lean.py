"""Lean evaluation (``evaluate_rows(lean=True)``): compliant findings counted, not built, and
only the obligations a binding compares. Whatever is read of it must be what the full
evaluation says, for the frozen generated cases of every jurisdiction; what it leaves out is
built again, in full, only when asked for."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest

import ansafe_rules as ar
from ansafe_rules.breaches import breach_counts, breaches
from ansafe_rules.outputs import Status
from ansafe_rules.portfolio import iter_outcomes
from ansafe_rules.results import LeanObligationRef

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("freeze_engine", ROOT / "tools" / "freeze_engine.py")
assert _spec and _spec.loader
freeze = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(freeze)

CASES = freeze.read_xz(freeze.CASES)[1::5]
RULESETS = {j: ar.load_ruleset(j) for j in freeze.EXAMPLES}
STAMP = {
    j: ar.RulesetStamp(
        id=j, layers=tuple(li.id for li in rs.layers), digest="-", engine_version="-"
    )
    for j, rs in RULESETS.items()
}
ATTENTION = set(Status) - {Status.compliant, Status.not_applicable}
NOT_COMPLIANT = set(Status) - {Status.compliant}


def _pair(row: dict) -> tuple[ar.Evaluation, ar.Evaluation]:
    rs, as_of = RULESETS[row["jurisdiction"]], dt.date.fromisoformat(row["as_of"])
    full = ar.evaluate_rows(rs, row["case"], as_of=as_of)
    return full, ar.evaluate_rows(rs, row["case"], as_of=as_of, lean=True)


def test_lean_summaries_counts_and_breaches_are_the_full_ones() -> None:
    assert len(CASES) >= 400
    compliant = 0
    for row in CASES:
        full, lean = _pair(row)
        stamp = STAMP[row["jurisdiction"]]
        assert lean.lean and not full.lean
        for statuses in (ATTENTION, NOT_COMPLIANT, {Status.violation}):
            want = full.summary(stamp, statuses=statuses, obligations=False)
            got = lean.summary(stamp, statuses=statuses, obligations=False)
            assert got == want, (row["id"], statuses)
            assert list(lean.rows(statuses)) == list(full.rows(statuses)), row["id"]
        for lang in ("zh", "en"):
            want = full.summary(stamp, statuses=ATTENTION, obligations=False, lang=lang)
            assert lean.summary(stamp, statuses=ATTENTION, obligations=False, lang=lang) == want
        assert lean.counts == full.counts and lean.has_breach == full.has_breach, row["id"]
        assert lean.bindings == full.bindings, row["id"]  # from the lean obligations
        assert breach_counts(lean) == breach_counts(full), row["id"]
        assert breaches(lean) == breaches(full), row["id"]
        for party in ("insurer", "service_provider", "third_party"):
            a, b = full.for_party(party), lean.for_party(party)
            assert a.counts == b.counts, (row["id"], party)
            want = a.summary(stamp, statuses=ATTENTION, obligations=False)
            assert b.summary(stamp, statuses=ATTENTION, obligations=False) == want
        # none of the above built the compliant rows again
        assert lean._whole is None, row["id"]
        compliant += full.counts[Status.compliant]
    assert compliant > 10_000  # the lean path had something to leave out


def test_lean_builds_everything_when_asked() -> None:
    """The rows a lean evaluation left out, its full report and its party's report are the
    full evaluation's, built once when first asked for."""
    for row in CASES[::4]:
        full, lean = _pair(row)
        assert lean.report() == full.report(), row["id"]
        assert lean._whole is not None
        first = lean._whole
        assert [f.row() for f in lean.findings] == [f.row() for f in full.findings]
        assert [o.row() for o in lean.obligations] == [o.row() for o in full.obligations]
        assert lean._whole is first  # built once
        stamp = STAMP[row["jurisdiction"]]
        assert lean.summary(stamp) == full.summary(stamp), row["id"]
        got = [f.row() for f in lean.select(set(Status))]
        assert got == [f.row() for f in full.findings], row["id"]
        for party in ("insurer", "service_provider"):
            assert lean.for_party(party).report() == full.for_party(party).report()


def test_a_lean_portfolio_writes_what_a_full_one_does() -> None:
    """The portfolio path `check --format jsonl` takes: lean outcomes give the same summary
    lines as full ones, bad lines included."""
    lines = [(i + 1, json.dumps(row["case"], default=str)) for i, row in enumerate(CASES[:60])]
    lines.insert(7, (999, '{"policy": '))
    as_of = dt.date(2026, 7, 31)

    def out(lean: bool) -> list[str]:
        got = []
        for o in iter_outcomes(lines, as_of=as_of, lean=lean):
            if o.evaluation is None:
                got.append(o.error or "")
                continue
            stamp = STAMP[o.evaluation.jurisdiction]
            s = o.evaluation.summary(stamp, statuses=ATTENTION, obligations=False)
            got.append(s.model_dump_json())
        return got

    assert out(True) == out(False)
    assert sum(x.startswith("{") for x in out(True)) == 60


def test_a_lean_evaluation_pickles_and_builds_its_rows_after() -> None:
    """Lean evaluations (of a party too) cross process boundaries: pickled, they still count
    what they counted and build in full what they left out."""
    import pickle

    row = CASES[3]
    full, lean = _pair(row)
    for a, b in ((full, lean), (full.for_party("insurer"), lean.for_party("insurer"))):
        again = pickle.loads(pickle.dumps(b))
        assert again.lean and again.counts == a.counts
        assert [f.row() for f in again.findings] == [f.row() for f in a.findings]


def test_a_lean_obligation_says_what_a_binding_reads_and_refuses_the_rest() -> None:
    """A lean evaluation's obligations carry the due day and instant, rule and parties (what
    the bindings compare); asked for a sentence or a row, one says where to get it instead of
    answering wrongly."""
    seen = 0
    for row in CASES[::8]:
        full, lean = _pair(row)
        by_key = {(o.rule_id, o.subject): o for o in full._obligations}
        for o in lean._obligations:
            if not isinstance(o, LeanObligationRef):
                continue
            seen += 1
            want = by_key[(o.rule_id, o.subject)]
            got = (o.due_date, o.due_at, o.layer, o.kind, o.duty_holder, o.liable_party)
            assert got == (
                want.due_date,
                want.due_at,
                want.layer,
                want.kind,
                want.duty_holder,
                want.liable_party,
            )
            assert o.text("zh") == want.text("zh") and o.message_args == want.message_args
            with pytest.raises(RuntimeError, match=r"lean evaluation .* Evaluation\.obligations"):
                o.row()
            with pytest.raises(RuntimeError, match="no due-date explanation"):
                o.model("zh")
            with pytest.raises(RuntimeError, match="no due-date explanation"):
                _ = o.provisional
    assert seen > 100


def test_records_sharing_an_id_give_the_full_bindings() -> None:
    """Records that share an id (a case built in code, not read: reading drops the second)
    give obligations of one subject: lean orders them as the full evaluation does, by their
    requirement, so the bindings' notes list them alike."""
    seen = ties = 0
    for row in CASES[::10]:
        rs, as_of = RULESETS[row["jurisdiction"]], dt.date.fromisoformat(row["as_of"])
        case = ar.parse_case(row["case"]).case
        recs = [r for r in case.service_records if r.completed_on is not None][:3]
        if not recs:
            continue
        later = [
            r.model_copy(update={"completed_on": r.completed_on + dt.timedelta(3)}) for r in recs
        ]
        case = case.model_copy(update={"service_records": (*case.service_records, *later)})
        full = ar.evaluate_rows(rs, case, as_of=as_of)
        lean = ar.evaluate_rows(rs, case, as_of=as_of, lean=True)
        assert lean.bindings == full.bindings, row["id"]
        pairs = [(o.rule_id, o.subject) for o in lean._obligations]
        ties += len(pairs) - len(set(pairs))
        stamp = STAMP[row["jurisdiction"]]
        want = full.summary(stamp, statuses=ATTENTION, obligations=False)
        assert lean.summary(stamp, statuses=ATTENTION, obligations=False) == want, row["id"]
        seen += 1
    assert seen > 20 and ties > 20  # lean obligations of one subject were ordered

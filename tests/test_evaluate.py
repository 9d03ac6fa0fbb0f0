"""Evaluator-wide guarantees: determinism, order independence, thread safety, bad input."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ansafe_rules as ar

from .conftest import case, findings, only

D = dt.date
NATIONAL = ar.load_ruleset("national")

dates = st.dates(D(2025, 7, 1), D(2026, 6, 30))


@st.composite
def service_records(draw: st.DrawFn) -> list[dict]:
    n = draw(st.integers(0, 8))
    out = []
    for i in range(n):
        done = draw(dates)
        rec = {
            "id": f"S{i}",
            "kind": draw(st.sampled_from(["training", "hazard_inspection", "risk_assessment"])),
            "completed_on": done.isoformat(),
        }
        if draw(st.booleans()):
            rec["callback_on"] = (done + dt.timedelta(days=draw(st.integers(0, 20)))).isoformat()
        out.append(rec)
    return out


@given(recs=service_records(), seed=st.randoms())
@settings(max_examples=60, deadline=None)
def test_findings_do_not_depend_on_record_order(recs: list[dict], seed) -> None:
    shuffled = list(recs)
    seed.shuffle(shuffled)
    a = ar.evaluate(NATIONAL, case(service_records=recs), as_of=D(2026, 7, 31))
    b = ar.evaluate(NATIONAL, case(service_records=shuffled), as_of=D(2026, 7, 31))
    assert a == b


@given(recs=service_records(), extra=service_records())
@settings(max_examples=60, deadline=None)
def test_adding_a_record_never_breaks_a_compliant_frequency(recs, extra) -> None:
    base = ar.evaluate(NATIONAL, case(service_records=recs), as_of=D(2026, 7, 31))
    more = recs + [{**r, "id": "X" + r["id"]} for r in extra]
    grown = ar.evaluate(NATIONAL, case(service_records=more), as_of=D(2026, 7, 31))
    for rule in ("national.service.annual_risk_service",):
        before = {f.subject: f.status for f in findings(base, rule)}
        after = {f.subject: f.status for f in findings(grown, rule)}
        for subject, status in before.items():
            if status is ar.Status.compliant:
                assert after[subject] is ar.Status.compliant


def test_evaluation_is_deterministic_and_thread_safe() -> None:
    data = case(
        service_records=[
            {
                "id": f"S{i}",
                "kind": "hazard_inspection",
                "completed_on": (D(2025, 9, 1) + dt.timedelta(days=7 * i)).isoformat(),
                "callback_on": (D(2025, 9, 3) + dt.timedelta(days=7 * i)).isoformat(),
            }
            for i in range(30)
        ]
    )
    expected = ar.evaluate(NATIONAL, data, as_of=D(2026, 7, 31)).model_dump_json()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(
                lambda _: ar.evaluate(NATIONAL, data, as_of=D(2026, 7, 31)).model_dump_json(),
                range(32),
            )
        )
    assert set(results) == {expected}


def test_one_bad_record_is_reported_and_the_rest_evaluated() -> None:
    data = case(
        service_records=[
            {
                "id": "S1",
                "kind": "training",
                "completed_on": "2025-09-26",
                "callback_on": "2025-10-10",
            },
            {"id": "S2", "kind": "training", "completed_on": "2025-13-40"},
            {"id": "S3", "kind": "lecture", "completed_on": "2025-09-26"},
            {"id": "S1", "kind": "training", "completed_on": "2025-09-26"},
            {
                "id": "S4",
                "kind": "training",
                "completed_on": "2025-09-26",
                "callback_on": "2025-10-10",
            },
        ]
    )
    rep = ar.evaluate(NATIONAL, data, as_of=D(2026, 7, 31), source="cases/p1.yaml")
    errors = [f for f in rep.findings if f.status is ar.Status.data_error]
    reasons = sorted(f.reason for f in errors)
    assert reasons == [
        # records sharing an id: every one reported, none evaluated (order-independent)
        "cases/p1.yaml: service_records[0] (id 'S1'): field 'id': id 'S1' is also used by "
        "service_records[3] (id 'S1'); records sharing an id are not evaluated",
        "cases/p1.yaml: service_records[1] (id 'S2'): field 'completed_on': "
        "Input should be a valid date or datetime, month value is outside expected range of 1-12",
        "cases/p1.yaml: service_records[2] (id 'S3'): field 'kind': Input should be "
        "'training', 'risk_assessment', 'standardisation', 'hazard_inspection', "
        "'emergency_plan', 'emergency_drill', 'technology_promotion', 'risk_list_update', "
        "'special_campaign', 'themed_activity' or 'other'",
        "cases/p1.yaml: service_records[3] (id 'S1'): field 'id': id 'S1' is also used by "
        "service_records[0] (id 'S1'); records sharing an id are not evaluated",
    ]
    callback = only(rep, "national.service.callback")
    assert (callback.subject, callback.status) == ("service_records/S4", ar.Status.compliant)
    assert len(rep.input_issues) == 4


def test_unknown_field_in_a_record_is_named() -> None:
    rep = ar.evaluate(
        NATIONAL,
        case(hazards=[{"id": "H1", "grade": "major", "colour": "red"}]),
        as_of=D(2026, 7, 31),
    )
    (issue,) = rep.input_issues
    assert (issue.record, issue.field, issue.message) == (
        "hazards[0] (id 'H1')",
        "colour",
        "unknown key",
    )


def test_bad_policy_is_an_input_error() -> None:
    with pytest.raises(ar.InputError, match=r"x.json: policy: field 'term_end': Field required"):
        ar.evaluate(
            NATIONAL,
            {"policy": {k: v for k, v in case()["policy"].items() if k != "term_end"}},
            as_of=D(2026, 7, 31),
            source="x.json",
        )
    with pytest.raises(ar.InputError, match="field 'policy': missing"):
        ar.evaluate(NATIONAL, {}, as_of=D(2026, 7, 31))


def test_layer_option_rejects_unknown_layer() -> None:
    with pytest.raises(ValueError, match="layer 'guangdong' is not in ruleset 'national'"):
        ar.evaluate(NATIONAL, case(), as_of=D(2026, 7, 31), layer="guangdong")


def test_provisional_due_dates_are_flagged() -> None:
    rep = ar.evaluate(
        NATIONAL,
        case(
            policy={"term_end": "2027-06-30"},
            service_records=[{"id": "S1", "kind": "training", "completed_on": "2026-12-29"}],
        ),
        as_of=D(2026, 12, 30),
    )
    f = only(rep, "national.service.callback")
    assert f.status is ar.Status.pending
    assert f.provisional and "2027" in f.provisional_reason
    ob = [o for o in rep.obligations if o.rule_id == "national.service.callback"]
    assert ob[0].provisional


def test_obligations_list_due_dates_with_citations() -> None:
    rep = ar.evaluate(
        NATIONAL,
        case(service_records=[{"id": "S1", "kind": "training", "completed_on": "2026-02-12"}]),
        as_of=D(2026, 2, 13),
    )
    (ob,) = [o for o in rep.obligations if o.rule_id == "national.service.callback"]
    assert ob.due_date == D(2026, 2, 26)
    assert ob.citation.clause == "6.3"
    assert ob.subject == "service_records/S1"


def test_every_model_has_a_json_schema_and_reports_round_trip() -> None:
    schemas = ar.json_schemas()
    assert {
        "PolicyCase",
        "Report",
        "Finding",
        "Obligation",
        "RulesetFile",
        "CalendarOverride",
    } <= set(schemas)
    json.dumps(schemas)  # serialisable
    rep = ar.evaluate(NATIONAL, case(), as_of=D(2026, 7, 31))
    assert ar.Report.model_validate_json(rep.model_dump_json()) == rep


def test_check_and_obligations_wrappers() -> None:
    data = case(service_records=[{"id": "S1", "kind": "training", "completed_on": "2026-02-12"}])
    fs = ar.check(NATIONAL, data, as_of=D(2026, 2, 13))
    assert fs == ar.evaluate(NATIONAL, data, as_of=D(2026, 2, 13)).findings
    obs = ar.obligations(NATIONAL, data)
    assert any(
        o.rule_id == "national.service.callback" and o.due_date == D(2026, 2, 26) for o in obs
    )

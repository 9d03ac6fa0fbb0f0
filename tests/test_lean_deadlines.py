"""Deadlines in a lean evaluation (what ``check`` runs): the usual compliant record (a
trigger day, an action day by the due day) is counted before the kind's other steps, by what
those steps answer for it. Every record must read as the full evaluation reads it: on its
last working day across a holiday and the day after, before its trigger (as a data error, or
on time where acting early is acting in time), without an action, past the calendar's last
year, in a selection that cannot be decided; and the bindings must compare the same due days.
The frozen cases of every jurisdiction are compared lean against full in ``test_lean.py``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

import ansafe_rules as ar
from ansafe_rules.bindings import plan_of
from ansafe_rules.outputs import Status
from ansafe_rules.rulesets import EarlyAction

ROOT = Path(__file__).resolve().parents[1]
RULESETS = {j: ar.load_ruleset(j) for j in ("national", "guangdong")}
AS_OF = dt.date(2026, 7, 31)


def _rows(ev: ar.Evaluation, rule_id: str) -> dict[str, tuple[Status, str]]:
    """Each subject's (status, message) under ``rule_id``, of the rows a lean evaluation keeps
    (all but the compliant ones)."""
    keep = set(Status) - {Status.compliant}
    return {f.subject: (f.status, f.message[0]) for f in ev.select(keep) if f.rule_id == rule_id}


def _same_as_full(rs: ar.ResolvedRuleset, case: Any, as_of: dt.date = AS_OF) -> ar.Evaluation:
    """The lean evaluation of ``case``, checked against the full one: the same rows needing
    attention, counts, breaches and bindings."""
    lean = ar.evaluate_rows(rs, case, as_of=as_of, lean=True)
    full = ar.evaluate_rows(rs, case, as_of=as_of)
    attention = set(Status) - {Status.compliant, Status.not_applicable}
    assert [f.row_json() for f in lean.select(attention)] == [
        f.row_json() for f in full.select(attention)
    ]
    assert lean.counts == full.counts
    assert lean.bindings == full.bindings
    # the obligations a lean run builds for the bindings: the full run's, due day for due day
    compared = plan_of(rs).compared

    def obligations(ev: ar.Evaluation) -> list[tuple[Any, ...]]:
        return sorted(
            (o.rule_id, o.subject, o.due_date, o.due_at, o.text())
            for o in ev._all_obligations
            if o.rule_id in compared
        )

    assert obligations(lean) == obligations(full)
    return lean


# -- hand-made records at the edges ------------------------------------------------------
NATIONAL = ROOT / "examples" / "national-construction.yaml"


def _case(**lists: Any) -> dict[str, Any]:
    """The national example with its record lists replaced by ``lists``."""
    data = yaml.safe_load(NATIONAL.read_text("utf-8"))
    data.update(lists)
    return data


def _record(rid: str, completed: str, callback: str | None) -> dict[str, Any]:
    rec = {
        "id": rid,
        "kind": "hazard_inspection",
        "started_on": completed,
        "completed_on": completed,
        "record_compiled_on": completed,
    }
    if callback is not None:
        rec["callback_on"] = callback
    return rec


CALLBACK = "national.service.callback"


def test_a_callback_on_its_fifth_working_day_is_on_time_the_next_day_late() -> None:
    """AQ 9010-2019 6.3, 回访 5个工作日内 after the service is completed. Completed Tuesday
    2025-09-30, before 国庆 2025 (1-8 October rest days, Saturday 11 October a make-up working
    day): 9 Oct (1), 10 Oct (2), Sat 11 Oct (3), 13 Oct (4), 14 Oct (5). A callback on 14
    October is on time (counted), the same day too; the 15th is late by one working day, a
    callback before the completion a data error, none yet missing, a completion in the
    calendar's last days has no due day (a data error saying why)."""
    rs = RULESETS["national"]
    case = _case(
        service_records=[
            _record("S-A", "2025-09-30", "2025-10-14"),
            _record("S-B", "2025-09-30", "2025-10-15"),
            _record("S-C", "2025-09-30", None),
            _record("S-D", "2025-09-30", "2025-09-29"),
            _record("S-E", "2038-12-30", "2038-12-31"),
            _record("S-F", "2025-09-30", "2025-09-30"),
        ]
    )
    lean = _same_as_full(rs, case)
    assert _rows(lean, CALLBACK) == {
        "service_records/S-B": (Status.violation, "deadline.late"),
        "service_records/S-C": (Status.violation, "deadline.missing"),
        "service_records/S-D": (Status.data_error, "deadline.early"),
        "service_records/S-E": (Status.data_error, "deadline.error"),
    }
    late = next(
        f
        for f in lean.select({Status.violation})
        if f.rule_id == CALLBACK and f.subject.endswith("S-B")
    )
    assert late.due.due_date == dt.date(2025, 10, 14)
    assert late.message[1]["late"] == ("deadline.late_by", {"n": 1})
    # the full evaluation: S-A on its last day and S-F the same day are on time
    full = ar.evaluate_rows(rs, case, as_of=AS_OF)
    on_time = {
        f.subject: f.due.due_date for f in full.select({Status.compliant}) if f.rule_id == CALLBACK
    }
    assert on_time == {
        "service_records/S-A": dt.date(2025, 10, 14),
        "service_records/S-F": dt.date(2025, 10, 14),
    }


def test_an_early_action_is_on_time_where_acting_early_is_acting_in_time() -> None:
    """The same callback rule reading an action before its trigger as on time (as a
    rectification reported before the day set for it is): counted, where the rule as written
    (early is a data error) says so."""
    rs = RULESETS["national"]
    i = next(k for k, r in enumerate(rs.rules) if r.rule.id == CALLBACK)
    rr = rs.rules[i]
    params = rr.rule.params.model_copy(update={"early_action": EarlyAction.on_time})
    early_ok = rr.model_copy(update={"rule": rr.rule.model_copy(update={"params": params})})
    lenient = rs.model_copy(update={"rules": (*rs.rules[:i], early_ok, *rs.rules[i + 1 :])})
    case = _case(service_records=[_record("S-D", "2025-09-30", "2025-09-29")])
    assert _rows(_same_as_full(rs, case), CALLBACK) == {
        "service_records/S-D": (Status.data_error, "deadline.early")
    }
    lean = _same_as_full(lenient, case)
    assert _rows(lean, CALLBACK) == {}
    assert any(c.rr.rule.id == CALLBACK and c.n == 1 for c in lean._counted)


def test_undecidable_or_empty_selections_say_so() -> None:
    """A complaint without ``needs_verification``: neither the 5-day nor the 10-day reply
    rule can tell whether it applies (insufficient data); a verified complaint replied to on
    9 October, the first working day after 国庆 2025, is on time for the 10-day rule."""
    rs = RULESETS["national"]
    complaint = {"id": "C-1", "received_on": "2025-09-30", "replied_on": "2025-10-09"}
    lean = _same_as_full(rs, _case(complaints=[complaint]))
    for rule_id in ("national.complaint.reply", "national.complaint.reply_after_verification"):
        assert _rows(lean, rule_id) == {
            "complaints/C-1": (Status.insufficient_data, "applies.unknown")
        }
    verified = {**complaint, "needs_verification": True}
    lean = _same_as_full(rs, _case(complaints=[verified]))
    assert _rows(lean, "national.complaint.reply_after_verification") == {}


def test_the_bindings_compare_the_due_days_of_counted_records() -> None:
    """Guangdong's callback rule and the national one regulate one obligation: the records a
    lean run counts still give the bindings their due days, as the full run's do."""
    rs = RULESETS["guangdong"]
    data = yaml.safe_load((ROOT / "examples" / "guangdong-housing.yaml").read_text("utf-8"))
    lean = _same_as_full(rs, data)
    assert any(b.obligation == "service.callback" for b in lean.bindings)


def test_records_outside_a_layers_event_scope_are_not_counted() -> None:
    """忻州 九: the notice's service duties bind events dated in its one-year trial (in force
    from the day it is issued, here 2025-01-01: the trial ends 2025-12-31). A service completed
    within it and uploaded the next working day is on time; one completed on 2024-12-30 or on
    2026-01-05 and uploaded the next day as well is outside the trial, whatever its dates say
    (not applicable), in a lean evaluation as in a full one."""
    rs = ar.load_ruleset("xinzhou", in_force={"xinzhou": dt.date(2025, 1, 1)})
    data = yaml.safe_load((ROOT / "examples" / "xinzhou-municipal.yaml").read_text("utf-8"))
    first = data["service_records"][0]
    data["service_records"] = [
        {**first, "id": rid, "completed_on": done, "started_on": done, "uploaded_on": up}
        for rid, done, up in (
            ("V-IN", "2025-07-22", "2025-07-23"),
            ("V-BEFORE", "2024-12-30", "2024-12-31"),
            ("V-AFTER", "2026-01-05", "2026-01-06"),
        )
    ]
    lean = _same_as_full(rs, data)
    assert _rows(lean, "xinzhou.service.upload") == {
        "service_records/V-BEFORE": (Status.not_applicable, "na.event_outside"),
        "service_records/V-AFTER": (Status.not_applicable, "na.event_outside"),
    }


def test_a_month_ending_on_a_holiday_rolls_to_the_next_working_day() -> None:
    """忻州 二: the service team registered within a month of the policy's issue. Issued Monday
    2025-09-01: a month later is 1 October, 国庆 (1-8 October rest days), so the period ends on
    Thursday 9 October (民法典 art. 203). Registered on the 9th: on time, counted; on the
    10th: late. In a lean evaluation as in a full one."""
    rs = ar.load_ruleset("xinzhou", in_force={"xinzhou": dt.date(2025, 1, 1)})
    data = yaml.safe_load((ROOT / "examples" / "xinzhou-municipal.yaml").read_text("utf-8"))
    data["policy"] = {**data["policy"], "issued_on": "2025-09-01"}
    rule = "xinzhou.registration.service_team"
    for day, want in (("2025-10-09", {}), ("2025-10-10", {"policy": "deadline.late"})):
        data["policy"]["service_team_registered_on"] = day
        lean = _same_as_full(rs, data)
        assert {k: m for k, (_, m) in _rows(lean, rule).items()} == want, day
        full = ar.evaluate_rows(rs, data, as_of=AS_OF)
        [row] = [f for f in full.select(set(Status)) if f.rule_id == rule]
        assert row.due.due_date == dt.date(2025, 10, 9)

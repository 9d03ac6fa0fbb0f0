"""The ruleset format's features, each on a made-up jurisdiction (tests/fixtures/features):
grace periods, event-dated layer scope, advisory layers, early actions, list paths and
aggregates, any_in, rolled retention ends. Dates are hand-computed on the official calendar."""

from __future__ import annotations

import datetime as dt

import pytest

import ansafe_rules as ar

from .conftest import FIXTURES, case, findings, only

D = dt.date
S = ar.Status
LEMURIA = ar.load_ruleset(FIXTURES / "features" / "lemuria.yaml")
# a policy of 2026, inside Lemuria's in-force period (from 2026-01-01), insurer in the pool
POLICY_2026 = {
    "jurisdiction": "lemuria",
    "issued_on": "2026-01-05",
    "term_start": "2026-01-05",
    "term_end": "2027-01-04",
    "coinsurance_pool_member": True,
}


def run(as_of: dt.date, rs: ar.ResolvedRuleset = LEMURIA, **parts) -> ar.Report:
    pol = {**POLICY_2026, **parts.pop("policy", {})}
    return ar.evaluate(rs, case(policy=pol, **parts), as_of=as_of)


def monthly(rep: ar.Report) -> dict[str, ar.Finding]:
    return {
        f.trace.window.start.strftime("%Y-%m"): f
        for f in findings(rep, "lemuria.reports.monthly")
        if f.trace and f.trace.window
    }


def report(i: str, issued: str) -> dict:
    return {"id": i, "period": "month", "issued_on": issued}


# ---- grace: a period's event may be recorded after the period ends ------------------------
@pytest.mark.parametrize(
    "as_of,status",
    [(D(2026, 5, 11), S.pending), (D(2026, 5, 12), S.violation)],
)
def test_grace_keeps_a_period_pending_until_its_due_date(as_of, status) -> None:
    # April 2026 ends Thu 04-30; May Day 05-01..05-05 is off and Sat 05-09 a make-up workday:
    # the 5th working day after 04-30 is 05-06, 07, 08, 09 (Sat), 11 -> due Mon 2026-05-11
    f = monthly(run(as_of))["2026-04"]
    assert f.status is status
    assert f.trace.due.due_date == D(2026, 5, 11)


def test_an_event_in_the_grace_counts_for_the_period_that_needed_it_only() -> None:
    # the April report issued on its due date; nothing else in May
    rep = run(D(2026, 6, 30), periodic_reports=[report("R4", "2026-05-11")])
    got = monthly(rep)
    assert got["2026-04"].status is S.compliant and got["2026-04"].trace.records == ("R4",)
    assert got["2026-05"].status is S.violation  # R4 does not count twice
    # with May's own report the May period is met, April still takes R4
    rep = run(
        D(2026, 6, 30),
        periodic_reports=[report("R4", "2026-05-11"), report("R5", "2026-05-29")],
    )
    got = monthly(rep)
    assert got["2026-04"].trace.records == ("R4",)
    assert got["2026-05"].status is S.compliant and got["2026-05"].trace.records == ("R5",)


def test_a_report_after_the_grace_does_not_save_the_period() -> None:
    rep = run(D(2026, 6, 30), periodic_reports=[report("R4", "2026-05-12")])
    got = monthly(rep)
    assert got["2026-04"].status is S.violation
    assert got["2026-05"].status is S.compliant  # it is dated in May: May's report


def test_a_short_first_month_needs_no_report() -> None:
    # the term starts 2026-01-05: January is 27 of 31 days (>= half): a report is required;
    # a term starting 2026-01-20 leaves 12 days (< half): none
    rep = run(D(2026, 3, 1))
    assert monthly(rep)["2026-01"].status is S.violation
    late = run(D(2026, 3, 1), policy={"term_start": "2026-01-20", "issued_on": "2026-01-20"})
    f = monthly(late)["2026-01"]
    assert f.status is S.not_applicable and "partial_min_share 0.5" in f.reason


# ---- event-dated scope of a layer in force from a given day ----------------------------------
def test_policy_in_force_before_the_layer_is_covered_for_later_events_only() -> None:
    pol = {"issued_on": "2025-06-25", "term_start": "2025-07-01", "term_end": "2026-06-30"}
    rep = run(
        D(2026, 7, 31),
        policy=pol,
        service_records=[
            {"id": "A", "kind": "training", "completed_on": "2025-12-15"},
            # Mon 2026-01-05 -> due Tue 01-06; uploaded Wed
            {
                "id": "B",
                "kind": "training",
                "completed_on": "2026-01-05",
                "uploaded_on": "2026-01-07",
            },
        ],
    )
    up = {f.subject: f for f in findings(rep, "lemuria.service.upload")}
    assert up["service_records/A"].status is S.not_applicable
    assert "before lemuria took effect on 2026-01-01" in up["service_records/A"].reason
    assert up["service_records/B"].status is S.violation
    assert up["service_records/B"].trace.due.due_date == D(2026, 1, 6)
    # frequency windows start at the in-force date
    assert min(monthly(rep)) == "2026-01"
    # a rule scoped by the policy's issue date does not apply at all
    f = only(rep, "lemuria.policy.issued_after_payment")
    assert f.status is S.not_applicable and "policy issued 2025-06-25" in f.reason


def test_policy_ended_before_the_layer_is_not_covered() -> None:
    pol = {"issued_on": "2025-01-01", "term_start": "2025-01-01", "term_end": "2025-12-31"}
    rep = run(D(2026, 7, 31), policy=pol)
    f = only(rep, "lemuria.service.upload")
    assert f.status is S.not_applicable and "term ended 2025-12-31" in f.reason


# ---- advisory layers ---------------------------------------------------------------------------
def test_layer_binds_pool_members_and_is_advisory_for_others() -> None:
    bad_upload = [
        {"id": "B", "kind": "training", "completed_on": "2026-01-05", "uploaded_on": "2026-01-07"}
    ]
    member = run(D(2026, 7, 31), service_records=bad_upload)
    f = only(member, "lemuria.service.upload")
    assert f.severity is ar.Severity.major and f in member.violations
    other = run(
        D(2026, 7, 31), policy={"coinsurance_pool_member": False}, service_records=bad_upload
    )
    f = only(other, "lemuria.service.upload")
    assert f.status is S.violation and f.severity is ar.Severity.advisory
    assert f not in other.violations
    assert any("参照执行" in n for n in other.notes)
    # national rules keep their force
    cb = only(other, "national.service.callback")
    assert cb.severity is ar.Severity.major
    unknown = run(
        D(2026, 7, 31), policy={"coinsurance_pool_member": None}, service_records=bad_upload
    )
    assert only(unknown, "lemuria.service.upload").severity is ar.Severity.major
    assert any("treated as binding" in n for n in unknown.notes)
    # overridable: treat the layer as binding on everyone
    everyone = LEMURIA.with_advisory_unless("lemuria", None)
    rep = run(
        D(2026, 7, 31),
        rs=everyone,
        policy={"coinsurance_pool_member": False},
        service_records=bad_upload,
    )
    assert only(rep, "lemuria.service.upload").severity is ar.Severity.major


# ---- an action before its trigger ----------------------------------------------------------------
def test_issuing_before_full_payment_is_a_violation_not_a_data_error() -> None:
    rep = run(D(2026, 7, 31), policy={"premium_paid_on": "2026-01-06"})
    f = only(rep, "lemuria.policy.issued_after_payment")
    assert f.status is S.violation
    assert f.reason.startswith("issued_on 2026-01-05 is before premium_paid_on 2026-01-06")


# ---- list paths, aggregates and any_in -----------------------------------------------------------
def test_scheme_presented_before_the_first_service() -> None:
    services = [
        {"id": "S1", "kind": "training", "started_on": "2026-03-05"},
        {"id": "S2", "kind": "training", "started_on": "2026-02-20"},
    ]
    late = run(
        D(2026, 7, 31),
        scheme={"scheme_id": "F", "presented_on": "2026-03-02"},
        service_records=services,
    )
    f = only(late, "lemuria.scheme.before_services")
    assert f.status is S.violation
    assert "presented_on le $case.service_records.started_on|min" in f.reason
    early = run(
        D(2026, 7, 31),
        scheme={"scheme_id": "F", "presented_on": "2026-02-20"},
        service_records=services,
    )
    assert only(early, "lemuria.scheme.before_services").status is S.compliant
    none = run(D(2026, 7, 31), scheme={"scheme_id": "F", "presented_on": "2026-02-20"})
    f = only(none, "lemuria.scheme.before_services")
    assert f.status is S.insufficient_data
    assert f.reason == "cannot judge: missing $case.service_records.started_on|min"


@pytest.mark.parametrize(
    "certificates,status",
    [
        (["二级建造师"], S.violation),
        (["二级建造师", "registered_safety_engineer"], S.compliant),
        ([], S.violation),
    ],
)
def test_any_certificate_is_accepted_and_only_listed_ones_count(certificates, status) -> None:
    org = {
        "id": "TP",
        "role": "third_party",
        "staff": [{"id": "A", "role": "technical", "certificates": certificates}],
    }
    rep = run(D(2026, 7, 31), organisations=[org])
    assert not rep.input_issues
    assert only(rep, "lemuria.third_party.safety_engineer").status is status


# ---- retention ends on a rest day ----------------------------------------------------------------
def test_retention_end_rolls_only_when_the_rule_says_so() -> None:
    # closed 2025-10-01: one year later is Thu 2026-10-01, National Day (10-01..10-07 off)
    archive = {"id": "A", "closed_on": "2025-10-01"}
    rep = run(D(2026, 7, 31), archives=[archive])
    lem = only(rep, "lemuria.archive.retention")
    assert lem.trace.due.due_date == D(2026, 10, 8)
    assert lem.trace.due.rolled_from == D(2026, 10, 1)
    nat = only(rep, "national.archive.retention")  # roll: false
    assert nat.trace.due.due_date == D(2030, 10, 1) and nat.trace.due.rolled_from is None

"""A made-up jurisdiction loaded from tests/fixtures proves that a jurisdiction is data only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ansafe_rules as ar
from ansafe_rules.loader import shown_path

from .conftest import FIXTURES, case, only

CST = dt.timezone(dt.timedelta(hours=8))  # China time: naive timestamps are read in it

ROOT = Path(__file__).resolve().parents[1]
ATLANTIS = FIXTURES / "jurisdictions" / "atlantis.yaml"


def test_layers_and_operations() -> None:
    rs = ar.load_ruleset(ATLANTIS)
    assert [li.id for li in rs.layers] == ["national", "atlantis"]
    ids = {r.rule.id for r in rs.rules}
    assert "atlantis.incident.report" in ids
    assert "national.scheme.agreed" not in ids  # disabled
    cb = rs.rule("national.service.callback")
    assert cb.layer == "national"
    assert cb.rule.params.period.amount == 3
    # traces name files without the machine's layout (the digest names the content)
    shown = shown_path(ATLANTIS)
    if Path.cwd().resolve() == ROOT:  # run from the repository, as CI does
        assert shown == "tests/fixtures/jurisdictions/atlantis.yaml"
    assert cb.overridden_by == (shown,)
    assert cb.param_sources["period"] == shown
    assert cb.param_sources["trigger"] == "ansafe_rules/rulesets/national.yaml"
    assert rs.layers[1].disabled[0].rule == "national.scheme.agreed"


def test_found_by_name_through_search_paths() -> None:
    rs = ar.load_ruleset("atlantis", search_paths=[ATLANTIS.parent])
    assert rs.id == "atlantis"
    assert "atlantis" in ar.jurisdictions([ATLANTIS.parent])


def test_evaluates_hour_deadline_and_overridden_callback() -> None:
    rs = ar.load_ruleset(ATLANTIS)
    data = case(
        policy={"jurisdiction": "atlantis"},
        service_records=[
            # completed Fri 2025-09-26: 3 workdays -> Tue 09-30 (Sun 09-28 is a make-up workday)
            {
                "id": "S1",
                "kind": "training",
                "completed_on": "2025-09-26",
                "callback_on": "2025-09-30",
            },
        ],
        incidents=[
            {
                "id": "I1",
                "occurred_at": "2026-03-01T20:00:00",
                "reported_at": "2026-03-02T08:00:00",
            },
            {
                "id": "I2",
                "occurred_at": "2026-03-01T20:00:00",
                "reported_at": "2026-03-02T08:00:01",
            },
        ],
    )
    rep = ar.evaluate(rs, data, as_of=dt.date(2026, 6, 30))
    cb = only(rep, "national.service.callback")
    assert cb.status is ar.Status.compliant
    assert cb.trace.due.due_date == dt.date(2025, 9, 30)
    inc = {f.subject: f for f in rep.findings if f.rule_id == "atlantis.incident.report"}
    assert inc["incidents/I1"].status is ar.Status.compliant
    assert inc["incidents/I2"].status is ar.Status.violation
    assert inc["incidents/I1"].trace.due.due_at == dt.datetime(2026, 3, 2, 8, 0, tzinfo=CST)
    assert inc["incidents/I1"].layer == "atlantis"
    # layer="national" evaluates only the rules the national layer defines
    national_only = ar.evaluate(rs, data, as_of=dt.date(2026, 6, 30), layer="national")
    assert all(f.layer == "national" for f in national_only.findings)
    assert not [f for f in national_only.findings if f.rule_id.startswith("atlantis.")]


def test_files_are_named_without_the_machines_layout(tmp_path: Path, monkeypatch: Any) -> None:
    """Trace.source_file and param_sources: shipped rulesets by their place in the package,
    others relative to the working directory, or as the caller gave them when outside it."""
    rs = ar.load_ruleset("xinzhou")
    assert {r.source_file for r in rs.rules} == {
        "ansafe_rules/rulesets/national.yaml",
        "ansafe_rules/rulesets/xinzhou.yaml",
    }
    copy = tmp_path / "mine" / "atlantis.yaml"
    copy.parent.mkdir()
    copy.write_text(ATLANTIS.read_text("utf-8"), "utf-8")
    monkeypatch.chdir(tmp_path)
    assert shown_path(copy) == "mine/atlantis.yaml"
    assert ar.load_ruleset(copy).rule("atlantis.incident.report").source_file == (
        "mine/atlantis.yaml"
    )
    monkeypatch.chdir(tmp_path / "mine")
    outside = tmp_path / "elsewhere.yaml"
    assert shown_path(outside) == str(outside)

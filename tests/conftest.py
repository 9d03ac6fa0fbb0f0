"""Shared test helpers: where the source texts are, and a small case builder."""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

import ansafe_rules as ar

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SOURCES = ROOT.parent / "shared" / "sources"

try:
    import openpyxl
except ImportError:  # pragma: no cover - CI installs the extra
    openpyxl = None
    if os.environ.get("ANSAFE_REQUIRE_XLSX") == "1":
        raise
needs_xlsx = pytest.mark.skipif(openpyxl is None, reason="openpyxl not installed ([xlsx] extra)")
"""Marks the tests that need the `[xlsx]` extra (with ANSAFE_REQUIRE_XLSX=1 its absence fails)."""

BASE_POLICY: dict[str, Any] = {
    "policy_id": "P-TEST",
    "jurisdiction": "national",
    "insurer": "测试保险公司",
    "insured": "测试建设集团",
    "project": "测试项目",
    "industry": "construction",
    "above_designated_size": True,
    "third_party_engaged": False,
    "term_start": "2025-07-01",
    "term_end": "2026-06-30",
}


def case(**parts: Any) -> dict[str, Any]:
    """A case dict with the base policy; ``policy=`` entries update it."""
    pol = {**copy.deepcopy(BASE_POLICY), **parts.pop("policy", {})}
    return {"policy": pol, **parts}


def run_case(rs: ar.ResolvedRuleset, as_of: dt.date, **parts: Any) -> ar.Report:
    """Evaluate a base-policy case under ``rs``, the policy's jurisdiction set to ``rs.id``."""
    pol = {"jurisdiction": rs.id, **parts.pop("policy", {})}
    return ar.evaluate(rs, case(policy=pol, **parts), as_of=as_of)


def findings(report: ar.Report, rule_id: str) -> list[ar.Finding]:
    return [f for f in report.findings if f.rule_id == rule_id]


def only(report: ar.Report, rule_id: str) -> ar.Finding:
    fs = findings(report, rule_id)
    assert len(fs) == 1, [f.reason for f in fs]
    return fs[0]


@pytest.fixture(scope="session")
def national() -> ar.ResolvedRuleset:
    return ar.load_ruleset("national")


@pytest.fixture(scope="session")
def cal() -> ar.WorkCalendar:
    return ar.default_calendar()


D = dt.date


def compact_row_values(f: Any) -> dict[str, Any]:
    """A compact finding row's values as a Spark output row holds them (enums as their
    values, the window in four columns, records as a list); ``due_at`` as it is."""
    w = f.window
    return {
        "rule_id": f.rule_id,
        "layer": f.layer,
        "clause": f.clause,
        "severity": f.severity.value,
        "duty_holder": f.duty_holder.value if f.duty_holder else None,
        "liable_party": f.liable_party.value if f.liable_party else None,
        "status": f.status.value,
        "subject": f.subject,
        "reason": f.reason,
        "due_date": f.due_date,
        "due_at": f.due_at,
        "window_start": w.start if w else None,
        "window_end": w.end if w else None,
        "window_partial": w.partial if w else None,
        "window_label": w.label if w else None,
        "required_count": f.required_count,
        "counted": f.counted,
        "records": list(f.records),
        "provisional": f.provisional,
    }

"""JSON Schema of every input and output model, for embedders in other languages."""

from __future__ import annotations

from typing import Any

from .breaches import Breach, BreachCounts
from .calendar import CalendarOverride
from .checklists import ChecklistReport
from .diff import RulesetDiff
from .evaluate import Finding, Obligation, Report
from .model import PolicyCase
from .outputs import ReportSummary
from .portfolio import PortfolioResult
from .reports import ProjectReport, ReportFiles
from .rulesets import RulesetFile
from .spreadsheets import FindingSheetRow
from .todo import TodoItem

__all__ = ["json_schemas"]

_MODELS = {
    "PolicyCase": PolicyCase,
    "CalendarOverride": CalendarOverride,
    "RulesetFile": RulesetFile,
    "Finding": Finding,
    "Obligation": Obligation,
    "Report": Report,
    "ReportSummary": ReportSummary,
    "PortfolioResult": PortfolioResult,
    "RulesetDiff": RulesetDiff,
    "ChecklistReport": ChecklistReport,
    "TodoItem": TodoItem,
    "FindingSheetRow": FindingSheetRow,
    "Breach": Breach,
    "BreachCounts": BreachCounts,
    "ProjectReport": ProjectReport,
    "ReportFiles": ReportFiles,
}


def json_schemas() -> dict[str, dict[str, Any]]:
    """Name -> JSON Schema (draft 2020-12) for inputs (validation) and outputs (serialization)."""
    out = {}
    for name, cls in _MODELS.items():
        inputs = {"PolicyCase", "CalendarOverride", "RulesetFile"}
        mode = "validation" if name in inputs else "serialization"
        out[name] = cls.model_json_schema(mode=mode)
    return out

"""ansafe_rules: the rules of China's work-safety liability insurance (安责险) for construction,
as executable, auditable code.

The public API is what this module exports; everything else is internal.
"""

from ._errors import AnsafeError, CalendarRangeError, InputError, RulesetError
from ._version import __version__
from .breaches import Breach, BreachCounts, BreachKind, breach_counts, breaches
from .calendar import CalendarOverride, WorkCalendar, default_calendar, load_calendar_overrides
from .checklists import ChecklistReport, checklist
from .diff import RulesetDiff, diff, format_diff
from .evaluate import (
    Binding,
    Evaluation,
    Finding,
    Obligation,
    Report,
    Status,
    Trace,
    Window,
    check,
    evaluate,
    evaluate_batch,
    evaluate_rows,
    obligations,
)
from .i18n import render_message
from .ical import obligations_to_ical
from .inputs import InputIssue, ParsedCase, load_case_file, parse_case
from .loader import jurisdictions, load_ruleset
from .model import PolicyCase
from .outputs import ReportSummary, RulesetStamp, summarize
from .periods import DueDate, Period, PeriodUnit, compute_due
from .portfolio import PortfolioResult, RulesetCache, evaluate_files, evaluate_portfolio
from .rulesets import DutyHolder, ResolvedRule, ResolvedRuleset, Rule, Severity
from .schema import json_schemas
from .spreadsheets import FindingSheetRow, finding_sheet_rows, write_csv, write_xlsx
from .todo import TodoItem, TodoStatus, todo

__all__ = [
    "AnsafeError",
    "Binding",
    "Breach",
    "BreachCounts",
    "BreachKind",
    "CalendarOverride",
    "CalendarRangeError",
    "ChecklistReport",
    "DueDate",
    "DutyHolder",
    "Evaluation",
    "Finding",
    "FindingSheetRow",
    "InputError",
    "InputIssue",
    "Obligation",
    "ParsedCase",
    "Period",
    "PeriodUnit",
    "PolicyCase",
    "PortfolioResult",
    "Report",
    "ReportSummary",
    "ResolvedRule",
    "ResolvedRuleset",
    "Rule",
    "RulesetCache",
    "RulesetDiff",
    "RulesetError",
    "RulesetStamp",
    "Severity",
    "Status",
    "TodoItem",
    "TodoStatus",
    "Trace",
    "Window",
    "WorkCalendar",
    "__version__",
    "breach_counts",
    "breaches",
    "check",
    "checklist",
    "compute_due",
    "default_calendar",
    "diff",
    "evaluate",
    "evaluate_batch",
    "evaluate_files",
    "evaluate_portfolio",
    "evaluate_rows",
    "finding_sheet_rows",
    "format_diff",
    "json_schemas",
    "jurisdictions",
    "load_calendar_overrides",
    "load_case_file",
    "load_ruleset",
    "obligations",
    "obligations_to_ical",
    "parse_case",
    "render_message",
    "summarize",
    "todo",
    "write_csv",
    "write_xlsx",
]

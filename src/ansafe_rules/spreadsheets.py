"""Findings and obligations as spreadsheets (台账): XLSX and CSV, one row per item.

Why: insurers and 风控机构 keep their books in spreadsheets. The columns are a row model's
fields in order; the header of each is the Chinese part of the field's description (before
" — "), so the sheet and the JSON Schema say the same thing. XLSX files (``openpyxl``, the
optional extra ``ansafe-rules[xlsx]``) get a frozen header row and an autofilter over every
column; they are written in openpyxl's write-only mode, one row at a time, so a portfolio's
sheet does not have to fit in memory. CSV is the standard library's, UTF-8 with a byte-order
mark so that Excel opens the Chinese text correctly.

Cell values are those of the JSON output (``overdue``, ``insurer``, ISO dates in CSV), with
dates as real dates in XLSX and exact instants in China time (Excel has no time zones).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, Field

from ._errors import AnsafeError
from .i18n import both
from .outputs import FindingRow, Severity, Status
from .rulesets import DutyHolder
from .todo import CHINA, header

__all__ = [
    "FINDINGS_SHEET",
    "TODO_SHEET",
    "FindingSheetRow",
    "XlsxUnavailable",
    "finding_sheet_rows",
    "headers",
    "write_csv",
    "write_xlsx",
]


class XlsxUnavailable(AnsafeError):
    """openpyxl is not installed (the ``ansafe-rules[xlsx]`` extra)."""


class FindingSheetRow(BaseModel):
    """One finding of one policy as a spreadsheet row: :class:`FindingRow` flattened (the
    window split into its days, the records joined), with the policy id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_id: str = Field(description="保单号 — policy id")
    status: Status = Field(description="结论 — the judgement")
    severity: Severity = Field(description="严重程度 — severity")
    rule_id: str = Field(description="规则 — rule id")
    layer: str = Field(description="层级 — ruleset layer")
    clause: str | None = Field(default=None, description="条款 — clause of the source text")
    duty_holder: DutyHolder | None = Field(default=None, description="义务主体 — who owes it")
    liable_party: DutyHolder | None = Field(
        default=None, description="责任承担方 — who bears liability, where it differs"
    )
    subject: str = Field(description="对象 — what was judged")
    reason: str = Field(description="说明 — the judgement in one sentence")
    due_date: dt.date | None = Field(default=None, description="截止日期 — due date")
    due_at: dt.datetime | None = Field(
        default=None, description="截止时刻（北京时间） — exact deadline of an hour period"
    )
    window_start: dt.date | None = Field(default=None, description="期间起始日 — window start")
    window_end: dt.date | None = Field(default=None, description="期间截止日 — window end")
    required_count: int | None = Field(default=None, description="要求次数 — events needed")
    counted: float | None = Field(default=None, description="实际次数 — events counted")
    records: str = Field(default="", description="相关记录 — ids of the records judged")
    provisional: bool = Field(
        default=False, description="暂定 — depends on an unofficial holiday schedule"
    )


def finding_sheet_rows(policy_id: str, rows: Iterable[FindingRow]) -> list[FindingSheetRow]:
    """The spreadsheet rows of one policy's findings (:class:`FindingRow` from
    :func:`ansafe_rules.summarize` or :meth:`Evaluation.summary`)."""
    return [
        FindingSheetRow(
            policy_id=policy_id,
            **r.model_dump(exclude={"window", "records", "message_id", "message_args"}),
            window_start=r.window.start if r.window else None,
            window_end=r.window.end if r.window else None,
            records="; ".join(r.records),
        )
        for r in rows
    ]


def headers(model: type[BaseModel]) -> list[str]:
    """The Chinese column headers of ``model``'s fields, in order."""
    return [header(model, name) for name in model.model_fields]


def _cell(value: Any, xlsx: bool) -> Any:
    if value is None:
        return None
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.datetime):
        at = value.astimezone(CHINA) if value.tzinfo else value
        return at.replace(tzinfo=None) if xlsx else at.isoformat()
    if isinstance(value, dt.date):
        return value if xlsx else value.isoformat()
    if isinstance(value, bool):
        return value if xlsx else ("true" if value else "false")
    return value


def _values(row: BaseModel, xlsx: bool) -> list[Any]:
    return [_cell(getattr(row, name), xlsx) for name in type(row).model_fields]


def write_csv(rows: Iterable[BaseModel], model: type[BaseModel], out: IO[str]) -> int:
    """Write ``rows`` (instances of ``model``) as CSV to the text stream ``out``: a UTF-8
    byte-order mark, the Chinese header row, one row each. Open files with ``newline=""``.
    Returns the number of rows written."""
    out.write("\ufeff")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(headers(model))
    n = 0
    for row in rows:
        w.writerow(["" if v is None else v for v in _values(row, xlsx=False)])
        n += 1
    return n


def as_text(cell: Any) -> Any:
    """``cell`` kept as text when its value starts with ``=``: openpyxl would store it as a
    formula, which runs when the workbook is opened (a policy id or a reason read from the
    input, such as ``=HYPERLINK(...)``, must stay data). The writers never write formulas."""
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _column(n: int) -> str:
    """Spreadsheet column letters of the 1-based column ``n``."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(
    rows: Iterable[BaseModel],
    model: type[BaseModel],
    target: str | Path | IO[bytes],
    *,
    sheet: str,
) -> int:
    """Write ``rows`` (instances of ``model``) to an XLSX workbook at ``target`` (a path or a
    binary stream) on one sheet named ``sheet``: Chinese headers, the header row frozen, an
    autofilter over every column, dates formatted ``yyyy-mm-dd``. Returns the number of rows.
    Raises :class:`XlsxUnavailable` without openpyxl."""
    try:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
    except ImportError:
        raise XlsxUnavailable(both("xlsx.missing_out")) from None
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.freeze_panes = "A2"
    names = list(model.model_fields)
    bold = Font(bold=True)
    head = []
    for text in headers(model):
        c = WriteOnlyCell(ws, value=text)
        c.font = bold
        head.append(c)
    ws.append(head)
    n = 0
    for row in rows:
        cells = []
        for value in _values(row, xlsx=True):
            c = as_text(WriteOnlyCell(ws, value=value))
            if isinstance(value, dt.datetime):
                c.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, dt.date):
                c.number_format = "yyyy-mm-dd"
            cells.append(c)
        ws.append(cells)
        n += 1
    ws.auto_filter.ref = f"A1:{_column(len(names))}{n + 1}"
    wb.save(target)
    return n


#: Sheet names.
TODO_SHEET = "义务清单"
FINDINGS_SHEET = "检查结果"

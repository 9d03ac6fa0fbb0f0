"""A policy case in spreadsheets (台账): read from and written to an XLSX workbook or a folder of
CSV files, with the model's Chinese field labels as headers; the template is generated from the
model.

Why: insurers and 风控机构 keep their records in spreadsheets, not in nested YAML with English
keys. The layout follows :class:`~ansafe_rules.model.PolicyCase` (``docs/spreadsheets.md``):

* the policy, the scheme and the quote letter are key/value sheets (字段 | 值 | 说明);
* every collection is a table, one record a row (服务记录, 事故隐患, 投诉, …);
* a list of records inside a record (an organisation's staff, an archive's documents, the
  policy's contract service items) is a sheet of its own whose first columns name the record it
  belongs to (机构编号, 档案编号, …);
* a record inside a record (an archive's 销毁清册) is flattened into columns "销毁清册的编制日期";
* a list of plain values (服务人员, trainings dates, certificates) is one cell, items separated
  by "；" (or ";" or a line break).

Headers are the fields' Chinese labels (:func:`ansafe_rules.i18n.field_label`'s steps); the
English field names (dotted for flattened fields) are accepted too. Dates are date cells or text
``YYYY-MM-DD`` (also ``YYYY/M/D`` and ``YYYY年M月D日``), booleans 是/否, enums their Chinese label
or their code.

A cell that cannot be read makes its record an :class:`~ansafe_rules.inputs.InputIssue` naming
the file, sheet, row, column and field — the record alone becomes a data error, the other rows
are read and evaluated, as for YAML (``inputs.py``). Only an unusable policy stops the case.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import io
import re
import typing
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ValidationError

from ._errors import InputError, error_at, pydantic_errors
from ._yaml import read_bytes
from .i18n import _SEP, _step_label, both, enum_at, pair, pydantic_error_zh, text
from .inputs import DEFAULT_LIMITS, InputIssue, Limits, ParsedCase, _date_issues, _depth_over
from .model import COLLECTIONS, Policy, PolicyCase
from .spreadsheets import as_text

__all__ = [
    "SHEETS",
    "Column",
    "Sheet",
    "read_csv_case",
    "read_workbook",
    "write_csv_case",
    "write_workbook",
]

ITEM_SEPARATORS = re.compile(r"[;；\n]")
"""What separates the items of a list in one cell."""
JOIN = "；"
"""How written cells join the items of a list."""
TEMPLATE_ROWS = 500
"""Rows of a table sheet that get the data validation of the template."""


# -- the layout, from the model ----------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Column:
    """One column of a table sheet (or one row of a key/value sheet)."""

    path: tuple[str, ...]
    """the field path inside the sheet's record, e.g. ("destruction_register", "approver")"""
    zh: str
    """the header: the field's Chinese label (steps joined with 的)"""
    kind: Any
    """the value type: str, int, float, Decimal, bool, date, datetime or an Enum class"""
    many: bool = False
    """a list of values in one cell"""
    required: bool = False
    about: str = ""
    """the field's description"""
    key: bool = False
    """a parent key column of a child sheet (names the record a row belongs to)"""

    @property
    def en(self) -> str:
        """The English header: the dotted field path."""
        return ".".join(self.path)


@dataclasses.dataclass(frozen=True)
class Sheet:
    """One sheet of a case workbook (one CSV file of a case folder)."""

    path: tuple[str, ...]
    """where its records sit in the case, e.g. ("organisations", "staff")"""
    zh: str
    model: type[BaseModel]
    single: bool
    """a key/value sheet (one document: the policy, the scheme, the quote letter)"""
    columns: tuple[Column, ...]
    keys: tuple[Column, ...] = ()
    """the columns naming the parent record (child sheets of a collection)"""
    parent: str | None = None
    """the zh name of the sheet holding the parent record"""

    @property
    def en(self) -> str:
        """The English sheet name: the last step of its path (unique across the workbook)."""
        return self.path[-1]

    @property
    def parent_en(self) -> str:
        """The English name of the parent sheet (child sheets)."""
        return _parent_of(self).en if self.parent else ""


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the inner type, is it a tuple) of ``X | None``, ``tuple[X, ...]``."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin is tuple:
        return args[0], True
    if args and origin is not None:  # Optional[X] / X | None
        inner, many = _unwrap(args[0])
        return inner, many
    return annotation, False


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _label(model: type[BaseModel], name: str) -> str:
    """A field's Chinese label, as :func:`ansafe_rules.i18n.field_label` reads one step."""
    return _step_label(model, name, "zh")[0]


def _walk(
    model: type[BaseModel],
    path: tuple[str, ...],
    zh: str,
    single: bool,
    keys: tuple[Column, ...],
    parent: str | None,
) -> list[Sheet]:
    columns: list[Column] = []
    children: list[tuple[tuple[str, ...], type[BaseModel], str]] = []

    def flat(m: type[BaseModel], prefix: tuple[str, ...], labels: tuple[str, ...], req: bool):
        for name, info in m.model_fields.items():
            inner, many = _unwrap(info.annotation)
            label = _label(m, name)
            if _is_model(inner) and many:
                children.append(((*prefix, name), inner, label))
            elif _is_model(inner):
                flat(inner, (*prefix, name), (*labels, label), False)
            else:
                columns.append(
                    Column(
                        path=(*prefix, name),
                        zh=_SEP["zh"]["of"].join((*labels, label)),
                        kind=inner,
                        many=many,
                        required=req and info.is_required(),
                        about=info.description or "",
                    )
                )

    flat(model, (), (), True)
    seen: dict[str, int] = {}
    for c in columns:
        seen[c.zh] = seen.get(c.zh, 0) + 1
    columns = [
        dataclasses.replace(c, zh=f"{c.zh}（{c.en}）") if seen[c.zh] > 1 else c for c in columns
    ]
    sheets = [Sheet(path, zh, model, single, tuple(columns), keys, parent)]
    own = keys
    if "id" in model.model_fields:
        own = (
            *keys,
            Column(
                path=(f"{path[-1]}.id",),
                zh=_label(model, "id"),
                kind=str,
                required=True,
                about=f"{zh}的{_label(model, 'id')}",
                key=True,
            ),
        )
    for sub_path, sub, label in children:
        sheets += _walk(sub, (*path, *sub_path), label, False, own, zh)
    return sheets


def _layout() -> tuple[Sheet, ...]:
    out: list[Sheet] = []
    for name, info in PolicyCase.model_fields.items():
        inner, many = _unwrap(info.annotation)
        label = _label(PolicyCase, name)
        out += _walk(inner, (name,), label, not many, (), None)
    names = [s.zh for s in out] + [s.en for s in out]
    if len(set(names)) != len(names) or any(len(s.zh) > 31 for s in out):
        raise AssertionError(f"sheet names must be unique and short: {names}")
    return tuple(out)


SHEETS: tuple[Sheet, ...] = _layout()
"""Every sheet of a case workbook, in order, generated from the model."""


def _meta_names() -> set[str]:
    return {text(m, lang) for m in ("sheet.readme", "sheet.options") for lang in ("zh", "en")}


# -- messages (in both languages: an issue's English message and its Chinese one) -------------
def _issue(
    source: str,
    at: tuple[str, str],
    field: str,
    msg: tuple[str, str],
    cell: tuple[str, str] | None = None,
) -> InputIssue:
    """An input issue: ``at`` names the sheet and row, ``cell`` the column (zh, en)."""
    zh, en = msg
    if cell is not None:
        zh, en = f"{cell[0]}：{zh}", f"{cell[1]}: {en}"
    return InputIssue(
        source=source, record=f"{at[0]} — {at[1]}", field=field, message=en, message_zh=zh
    )


def _letter(n: int) -> str:
    """Spreadsheet column letters of the 0-based column ``n``."""
    s, n = "", n + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _at(sheet: str, row: int, ident: str | None = None) -> tuple[str, str]:
    zh, en = pair("sheet.at", sheet=sheet, row=row)
    if ident:
        zh, en = f"{zh}（{ident}）", f"{en} ({ident})"
    return zh, en


def _cell(index: int, header: str) -> tuple[str, str]:
    return pair("sheet.cell", column=_letter(index), header=header)


# -- cell values -----------------------------------------------------------------------------
@functools.cache
def _enum_names(enum: type[Enum]) -> dict[str, Enum]:
    """Code and Chinese label (lower-cased) -> member."""
    out: dict[str, Enum] = {}
    for v in enum:
        out[str(v.value).lower()] = v
        out[_enum_zh(v).lower()] = v
    return out


def _enum_zh(v: Enum) -> str:
    """The Chinese label of an enum value (its code when the catalogue has none)."""
    try:
        return text(f"enum.{type(v).__name__}.{v.value}", "zh")
    except KeyError:
        return str(v.value)


_DATE_TEXT = re.compile(r"^(\d{4})(?:-|/|年)(\d{1,2})(?:-|/|月)(\d{1,2})日?$")


class _Bad(Exception):
    """A cell that cannot be read: the message id and its arguments."""

    def __init__(self, msg_id: str, **args: Any) -> None:
        super().__init__(msg_id)
        self.msg_id, self.args_ = msg_id, args


def _shown(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise _Bad("sheet.time_in_date", value=_shown(value))
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE_TEXT.match(str(value).strip()) if isinstance(value, str) else None
    if m is None:
        raise _Bad("sheet.bad_date", value=_shown(value))
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise _Bad("sheet.bad_date", value=_shown(value)) from None


def _datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0))
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Bad("sheet.bad_datetime", value=_shown(value))


_TRUE = {"是", "true", "yes", "y", "1", "√", "✓"}
_FALSE = {"否", "false", "no", "n", "0", "×", "✗"}


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    low = str(value).strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise _Bad("sheet.bad_bool", value=_shown(value))


def _int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value.strip())
    raise _Bad("sheet.bad_int", value=_shown(value))


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool | dt.date):
        raise _Bad("sheet.bad_number", value=_shown(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise _Bad("sheet.bad_number", value=_shown(value)) from None
    if not d.is_finite():
        raise _Bad("sheet.bad_number", value=_shown(value))
    return d


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return _shown(value)


def _one(kind: Any, value: Any) -> Any:
    if kind is dt.datetime:
        return _datetime(value)
    if kind is dt.date:
        return _date(value)
    if kind is bool:
        return _bool(value)
    if kind is int:
        return _int(value)
    if kind is float:
        return float(_decimal(value))
    if kind is Decimal:
        return _decimal(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        found = _enum_names(kind).get(str(value).strip().lower())
        if found is None:
            allowed = "、".join(_enum_zh(v) for v in kind)
            codes = ", ".join(str(v.value) for v in kind)
            raise _Bad("sheet.bad_enum", value=_shown(value), allowed=allowed, codes=codes)
        return found
    return _text(value)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def convert(column: Column, value: Any) -> Any:
    """The model value of one cell (None when empty); raises ``_Bad`` for a bad cell."""
    if _empty(value):
        return None
    if column.many:
        items = ITEM_SEPARATORS.split(value) if isinstance(value, str) else [value]
        return [_one(column.kind, x.strip() if isinstance(x, str) else x) for x in items if x]
    return _one(column.kind, value.strip() if isinstance(value, str) else value)


# -- reading ---------------------------------------------------------------------------------
Grid = list[tuple[int, list[Any]]]
"""A sheet's non-empty rows: (1-based row number, cell values)."""


@dataclasses.dataclass
class _Row:
    """One row read from a sheet: its values nested as the model's, where each field came from
    (for naming the cell of a validation error) and the rows of its child sheets."""

    sheet: Sheet
    name: str  # the sheet name as written in the file
    row: int
    values: dict[str, Any]
    where: dict[tuple[str, ...], tuple[int, str, int]]  # field path -> (column, header, row)
    bad: bool = False
    children: dict[tuple[str, ...], list[_Row]] = dataclasses.field(default_factory=dict)

    @property
    def ident(self) -> str | None:
        v = self.values.get("id")
        return f"id {v!r}" if isinstance(v, str) else None

    def at(self, row: int | None = None) -> tuple[str, str]:
        return _at(self.name, row or self.row, self.ident)

    def key(self) -> tuple[Any, ...]:
        """The parent keys of this row (child sheets)."""
        return tuple(self.values.get(k.path[0]) for k in self.sheet.keys)

    def full_key(self) -> tuple[Any, ...]:
        """What a row of a child sheet names to belong to this one."""
        own = (self.values.get("id"),) if "id" in self.sheet.model.model_fields else ()
        return (*self.key(), *own)

    def data(self) -> dict[str, Any]:
        """The record as plain data (key columns left out), children attached."""
        out = {k: v for k, v in self.values.items() if "." not in k}
        for rel, rows in self.children.items():
            target = out
            for step in rel[:-1]:
                target = target.setdefault(step, {})
            target[rel[-1]] = [r.data() for r in rows]
        return out


def _put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for step in path[:-1]:
        target = target.setdefault(step, {})
    target[path[-1]] = value


def _header_index(sheet: Sheet) -> dict[str, Column]:
    out: dict[str, Column] = {}
    for c in (*sheet.keys, *sheet.columns):
        for h in (c.zh, c.en):
            out[h] = out[h.lower()] = c
    return out


def _find(index: Mapping[str, Column], header: Any) -> Column | None:
    h = str(header).strip()
    return index.get(h) or index.get(h.lower())


def _parent_of(s: Sheet) -> Sheet:
    """The sheet holding the parent record of the child sheet ``s``."""
    holders = [p for p in SHEETS if p.path == s.path[: len(p.path)] and p.path != s.path]
    return max(holders, key=lambda p: len(p.path))


class _Reader:
    """Reads the grids of one case (sheet name -> rows) into a :class:`ParsedCase`."""

    def __init__(self, source: str, limits: Limits) -> None:
        self.source, self.limits = source, limits
        self.issues: list[InputIssue] = []

    def note(self, *args: Any, **kw: Any) -> None:
        self.issues.append(_issue(self.source, *args, **kw))

    def cell(self, row: _Row, col: Column, i: int, n: int, value: Any) -> None:
        """Read one cell (column ``i``, row ``n``) into ``row``."""
        row.where[col.path] = (i, col.zh, n)
        try:
            v = convert(col, value)
        except _Bad as exc:
            row.bad = True
            msg = pair(exc.msg_id, **exc.args_)
            self.note(row.at(n), col.en, msg, cell=_cell(i, col.zh))
            return
        if v is not None:
            _put(row.values, col.path, v)

    def table(self, sheet: Sheet, name: str, grid: Grid) -> list[_Row]:
        if not grid:
            return []
        (head_n, head), body = grid[0], grid[1:]
        index = _header_index(sheet)
        cols: list[tuple[Column, int]] = []
        for i, h in enumerate(head):
            if _empty(h):
                continue
            col = _find(index, h)
            if col is None:
                msg = pair("sheet.unknown_column", header=str(h).strip())
                self.note(_at(name, head_n), str(h).strip(), msg, cell=_cell(i, str(h).strip()))
            else:
                cols.append((col, i))
        have = {c.path for c, _ in cols}
        missing = [c for c in (*sheet.keys, *sheet.columns) if c.required and c.path not in have]
        for c in missing:
            msg = pair("sheet.missing_column", header=c.zh, field=c.en, n=len(body))
            self.note(_at(name, head_n), c.en, msg)
        if missing:
            return []
        rows = []
        for n, values in body:
            row = _Row(sheet, name, n, {}, {})
            for col, i in sorted(cols, key=lambda x: x[0].path != ("id",)):  # the id first
                self.cell(row, col, i, n, values[i] if i < len(values) else None)
            rows.append(row)
        return rows

    def keyvalue(self, sheet: Sheet, name: str, grid: Grid) -> _Row:
        index = _header_index(sheet)
        heads = {h.lower() for h in pair("sheet.kv.field")}
        row = _Row(sheet, name, grid[0][0] if grid else 1, {}, {})
        seen: dict[tuple[str, ...], int] = {}
        for n, values in grid:
            key = values[0] if values else None
            if _empty(key) or str(key).strip().lower() in heads:
                continue
            col = _find(index, key)
            if col is None:
                msg = pair("sheet.unknown_field", header=str(key).strip())
                self.note(_at(name, n), str(key).strip(), msg)
                continue
            if col.path in seen:
                msg = pair("sheet.duplicate_field", header=col.zh, first=seen[col.path])
                self.note(_at(name, n), col.en, msg)
                continue
            seen[col.path] = n
            self.cell(row, col, 1, n, values[1] if len(values) > 1 else None)
        return row

    def read(self, grids: Mapping[str, Grid]) -> ParsedCase:
        by_name: dict[str, Sheet] = {}
        for s in SHEETS:
            by_name[s.zh] = by_name[s.en] = by_name[s.en.lower()] = s
        meta = _meta_names()
        found: dict[tuple[str, ...], tuple[str, Grid]] = {}
        for name, grid in grids.items():
            s = by_name.get(name.strip()) or by_name.get(name.strip().lower())
            if s is None:
                if name.strip() not in meta:
                    self.note(_at(name, 1), name, pair("sheet.unknown_sheet", sheet=name))
                continue
            if s.path in found:  # 服务记录 and service_records: which one is meant?
                first = found[s.path][0]
                self.note(_at(name, 1), name, pair("sheet.twice", sheet=name, first=first))
                continue
            found[s.path] = (name, grid)
        n = sum(max(0, len(g) - 1) for _, g in found.values())
        if n > self.limits.max_records:
            raise error_at(
                InputError,
                self.source,
                "input.too_many_records",
                n=f"{n:,}",
                max_records=f"{self.limits.max_records:,}",
            )
        if SHEETS[0].path not in found:
            zh, en = pair("sheet.no_policy", sheet=SHEETS[0].zh)
            raise InputError(f"{self.source}: {zh} — {en}", zh=f"{self.source}：{zh}")
        rows: dict[tuple[str, ...], list[_Row]] = {}
        for s in SHEETS:
            if s.path in found:
                name, grid = found[s.path]
                rows[s.path] = (
                    [self.keyvalue(s, name, grid)] if s.single else self.table(s, name, grid)
                )
        self.attach(rows)
        return self.assemble(rows)

    def attach(self, rows: dict[tuple[str, ...], list[_Row]]) -> None:
        """Hang every child row on its parent record; a bad child makes its parent bad."""
        for s in reversed(SHEETS):  # deepest first: a bad grandchild reaches the record
            if s.parent is None or s.path not in rows:
                continue
            parent = _parent_of(s)
            if parent.path not in rows and parent.single:
                rows[parent.path] = [_Row(parent, parent.zh, 1, {}, {})]
            by_key = {p.full_key(): p for p in rows.get(parent.path, [])}
            for r in rows[s.path]:
                target = by_key.get(r.key())
                if target is None:
                    if not r.bad:
                        k = s.keys[-1]
                        msg = pair("sheet.orphan", parent=parent.zh, key=k.zh, value=r.key()[-1])
                        self.note(r.at(), k.en, msg)
                    continue
                target.children.setdefault(s.path[len(parent.path) :], []).append(r)
                target.bad |= r.bad

    def assemble(self, rows: dict[tuple[str, ...], list[_Row]]) -> ParsedCase:
        parts: dict[str, Any] = {}
        policy = rows[SHEETS[0].path][0]
        value = None if policy.bad else self.validate(policy, Policy)
        if value is None:
            raise InputError(
                "\n".join(i.bilingual() for i in self.issues),
                zh="\n".join(i.in_language("zh") for i in self.issues),
            )
        parts["policy"] = value
        for s in SHEETS[1:]:
            if s.parent is not None or s.path not in rows:
                continue
            name = s.path[0]
            if s.single:
                r = rows[s.path][0]
                if r.values or r.children:
                    doc = None if r.bad else self.validate(r, s.model)
                    if doc is not None:
                        parts[name] = doc
                continue
            valid = [
                (r, rec)
                for r in rows[s.path]
                if not r.bad and (rec := self.validate(r, s.model)) is not None
            ]
            by_id: dict[str, list[_Row]] = {}
            for r, rec in valid:
                by_id.setdefault(rec.id, []).append(r)
            for r, rec in valid:
                if len(by_id[rec.id]) > 1:
                    others = "、".join(str(o.row) for o in by_id[rec.id] if o is not r)
                    self.note(r.at(), "id", pair("sheet.duplicate", id=rec.id, others=others))
            parts[name] = tuple(rec for _, rec in valid if len(by_id[rec.id]) == 1)
        return ParsedCase(case=PolicyCase(**parts), issues=tuple(self.issues))

    def validate(self, row: _Row, model: type[BaseModel]) -> Any:
        """The record of ``row`` (children attached), or None after noting why it is not."""
        data = row.data()
        if _depth_over(data, self.limits.max_depth):
            self.note(row.at(), "(record)", pair("input.too_deep", max_depth=self.limits.max_depth))
            return None
        try:
            rec = model.model_validate(data)
        except ValidationError as exc:
            errors = zip(pydantic_errors(exc), exc.errors(), strict=True)
            for (field, message, kind, ctx), err in errors:
                r, where = _locate(row, err["loc"])
                said = pydantic_error_zh(kind, ctx, message, enum_at(model, field))
                msg = (
                    text("sheet.invalid", "zh").format(error=said or message),
                    text("sheet.invalid", "en").format(error=message),
                )
                if where is None:
                    self.note(r.at(), field, msg)
                else:
                    self.note(r.at(where[2]), field, msg, cell=_cell(where[0], where[1]))
            return None
        late = _date_issues(self.source, "", rec, self.limits)
        for i in late:
            self.note(row.at(), i.field, (i.message_zh or i.message, i.message))
        return None if late else rec


def _locate(row: _Row, loc: Sequence[Any]) -> tuple[_Row, tuple[int, str, int] | None]:
    """The row and (column, header, row number) a validation error's location points at."""
    prefix: tuple[str, ...] = ()
    r = row
    for step in loc:
        if isinstance(step, int):
            rows = r.children.get(prefix)
            if rows is not None and step < len(rows):
                r, prefix = rows[step], ()
                continue
            break
        prefix = (*prefix, str(step))
        if prefix in r.where:
            return r, r.where[prefix]
    return r, None


def read_grids(
    grids: Mapping[str, Grid], source: str, *, limits: Limits | None = None
) -> ParsedCase:
    """A case from sheets already read: sheet name -> [(row number, cell values)]."""
    return _Reader(source, limits or DEFAULT_LIMITS).read(grids)


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        from .spreadsheets import XlsxUnavailable

        raise XlsxUnavailable(both("xlsx.missing_in")) from None
    return openpyxl


_ROWS_BESIDES_RECORDS = 100
"""Rows a sheet may hold besides its records: its header, or a key/value sheet's fields."""


def read_workbook(
    path: str | Path | IO[bytes], *, limits: Limits | None = None, source: str | None = None
) -> ParsedCase:
    """Read a case from an XLSX workbook (the layout of :data:`SHEETS`, ``docs/spreadsheets.md``).

    Bad cells become :class:`~ansafe_rules.inputs.InputIssue`\\ s naming the sheet, row, column
    and field; only a missing or invalid policy raises :class:`~ansafe_rules.InputError`."""
    limits = limits or DEFAULT_LIMITS
    src = source or (str(path) if isinstance(path, str | Path) else "<workbook>")
    if isinstance(path, str | Path):
        p = Path(path)
        try:
            size = p.stat().st_size
        except OSError as exc:
            why = exc.strerror or str(exc)
            raise error_at(InputError, src, "input.cannot_read", error=why) from None
        if size > limits.max_file_bytes:
            limit = f"{limits.max_file_bytes:,}"
            raise error_at(InputError, src, "input.larger_than", max_bytes=limit)
    openpyxl = _openpyxl()
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a zip or XML error from openpyxl: not a workbook
        zh, en = pair("sheet.unreadable", error=f"{type(exc).__name__}: {exc}")
        raise InputError(f"{src}: {zh} — {en}", zh=f"{src}：{zh}") from None
    # rows kept while reading, at most: the records allowed, plus each sheet's header and
    # the key/value sheets' fields (memory stays bounded whatever the unzipped size)
    most = limits.max_records + _ROWS_BESIDES_RECORDS * len(wb.worksheets)
    kept = 0
    try:
        grids: dict[str, Grid] = {}
        for ws in wb.worksheets:
            grid: Grid = []
            for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if any(not _empty(v) for v in values):
                    grid.append((n, list(values)))
                    kept += 1
                    if kept > most:
                        most_records = f"{limits.max_records:,}"
                        raise error_at(
                            InputError, src, "input.records_over", max_records=most_records
                        )
            grids[ws.title] = grid
    finally:
        wb.close()
    return read_grids(grids, src, limits=limits)


def _csv_text(path: Path, limits: Limits) -> str:
    raw = read_bytes(path, InputError, limits.max_file_bytes)  # its size checked first
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # Excel on a Chinese Windows saves CSV in the ANSI code page (GBK)
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            raise error_at(InputError, str(path), "input.not_csv_text") from None


def _policy_file_names() -> set[str]:
    return {SHEETS[0].zh, SHEETS[0].en}


def read_csv_case(path: str | Path, *, limits: Limits | None = None) -> ParsedCase:
    """Read a case from a folder of CSV files, one per sheet (``保单.csv``, ``服务记录.csv``, …;
    English names such as ``service_records.csv`` too). ``path`` is the folder or its policy
    file (``保单.csv``). UTF-8 (with or without a byte-order mark) or GB18030."""
    limits = limits or DEFAULT_LIMITS
    p = Path(path)
    if p.is_file() and p.suffix.lower() == ".csv":
        if p.stem not in _policy_file_names():
            zh, en = pair("sheet.not_case", path=str(p), policy=SHEETS[0].zh)
            raise InputError(f"{p}: {zh} — {en}", zh=f"{p}：{zh}")
        p = p.parent
    if not p.is_dir():
        raise error_at(InputError, str(p), "input.no_such_path")
    grids: dict[str, Grid] = {}
    for f in sorted(p.iterdir()):
        if f.suffix.lower() != ".csv" or not f.is_file():
            continue
        grid: Grid = []
        try:
            reader = csv.reader(io.StringIO(_csv_text(f, limits), newline=""))
            for n, values in enumerate(reader, start=1):
                if any(not _empty(v) for v in values):
                    grid.append((n, values))
        except csv.Error as exc:
            raise error_at(InputError, str(f), "input.not_csv", error=str(exc)) from None
        grids[f.stem] = grid
    return read_grids(grids, str(p), limits=limits)


# -- writing ---------------------------------------------------------------------------------
def _records(case: PolicyCase, sheet: Sheet) -> list[tuple[tuple[str, ...], BaseModel]]:
    """(parent key values, record) of every record of ``sheet`` in ``case``."""
    out: list[tuple[tuple[str, ...], BaseModel]] = []

    def walk(obj: Any, path: tuple[str, ...], key: tuple[str, ...]) -> None:
        if obj is None:
            return
        if not path:
            out.append((key, obj))
            return
        value = getattr(obj, path[0])
        if isinstance(value, tuple):
            for x in value:
                k = (*key, x.id) if "id" in type(x).model_fields and len(path) > 1 else key
                walk(x, path[1:], k)
        else:
            walk(value, path[1:], key)

    walk(case, sheet.path, ())
    return out


def _value_of(record: BaseModel, path: tuple[str, ...]) -> Any:
    v: Any = record
    for step in path:
        v = getattr(v, step, None)
        if v is None:
            return None
    return v


def _written(value: Any, xlsx: bool) -> Any:
    """A model value as a cell: dates as dates (XLSX) or ISO text, booleans 是/否, enums their
    Chinese label, lists joined with "；", decimals as numbers where a number holds them."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return JOIN.join(str(_written(x, False)) for x in value) or None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Enum):
        return _enum_zh(value)
    if isinstance(value, dt.datetime):
        return value if xlsx and value.tzinfo is None else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value if xlsx else value.isoformat()
    if isinstance(value, Decimal):
        exact = value.is_finite() and Decimal(repr(float(value))).as_tuple() == value.as_tuple()
        return float(value) if xlsx and exact else str(value)
    return value


def _rows_of(case: PolicyCase | None, sheet: Sheet, xlsx: bool) -> list[list[Any]]:
    """The body rows of a table sheet, or the value column of a key/value sheet."""
    if case is None:
        return []
    out = []
    for key, rec in _records(case, sheet):
        keys = list(key[-len(sheet.keys) :]) if sheet.keys else []
        out.append([*keys, *(_written(_value_of(rec, c.path), xlsx) for c in sheet.columns)])
    return out


def _format(c: Column) -> tuple[str, str]:
    """How a column is written, in both languages."""
    kind = c.kind
    if isinstance(kind, type) and issubclass(kind, Enum):
        values = "、".join(_enum_zh(v) for v in kind)
        codes = ", ".join(str(v.value) for v in kind)
        zh, en = pair("sheet.format.enum", values=values, codes=codes)
    else:
        name = {
            dt.date: "date",
            dt.datetime: "datetime",
            bool: "bool",
            int: "int",
            float: "number",
            Decimal: "number",
        }.get(kind, "text")
        zh, en = pair(f"sheet.format.{name}")
    if c.many:
        zh2, en2 = pair("sheet.format.many", sep=JOIN)
        zh, en = f"{zh}；{zh2}", f"{en}; {en2}"
    return zh, en


def _about(c: Column) -> tuple[str, str]:
    """The explanation of a column (Chinese first): description, format, required."""
    fzh, fen = _format(c)
    req = pair("sheet.required") if c.required else ("", "")
    zh = "；".join(x for x in (c.about, fzh, req[0]) if x)
    en = "; ".join(x for x in (f"{c.en}", fen, req[1]) if x)
    return zh, en


def _readme_rows(jurisdiction: str | None) -> list[list[str]]:
    head = [text(f"sheet.readme.{k}", "zh") for k in ("sheet", "column", "field", "format")]
    head += [text(f"sheet.readme.{k}", "zh") for k in ("required", "about")]
    zh_intro, en_intro = pair("sheet.readme.intro", sep=JOIN)
    rows = [[zh_intro], [en_intro], []]
    if jurisdiction:
        rows.insert(2, [pair("sheet.readme.jurisdiction", jurisdiction=jurisdiction)[0]])
    rows.append(head)
    for s in SHEETS:
        layout = "sheet.readme.keyvalue" if s.single else "sheet.readme.table"
        rows.append([s.zh, "", s.en, pair(layout)[0], "", _sheet_about(s)])
        for c in (*s.keys, *s.columns):
            fzh, fen = _format(c)
            req = text("sheet.required", "zh") if c.required else ""
            rows.append([s.zh, c.zh, c.en, f"{fzh} — {fen}", req, c.about])
    return rows


def _sheet_about(s: Sheet) -> str:
    if s.parent is None:
        return _label(PolicyCase, s.path[0])
    keys = "、".join(k.zh for k in s.keys)
    zh, en = pair("sheet.readme.child", parent=s.parent, keys=keys or "—")
    return f"{zh} — {en}"


def _kv_rows(case: PolicyCase | None, sheet: Sheet, xlsx: bool, jurisdiction: str | None):
    rec = None
    if case is not None:
        found = _records(case, sheet)
        rec = found[0][1] if found else None
    rows = []
    for c in sheet.columns:
        value = _written(_value_of(rec, c.path), xlsx) if rec is not None else None
        if case is None and c.path == ("jurisdiction",) and jurisdiction:
            value = jurisdiction
        zh, en = _about(c)
        rows.append([c.zh, value, f"{zh} — {en}"])
    return rows


def _kv_head() -> list[str]:
    return [text(f"sheet.kv.{k}", "zh") for k in ("field", "value", "about")]


def write_workbook(
    case: PolicyCase | None,
    target: str | Path | IO[bytes],
    *,
    jurisdiction: str | None = None,
) -> None:
    """Write ``case`` into the case workbook layout at ``target`` (a path or a binary stream):
    the inverse of :func:`read_workbook`. ``case=None`` writes the empty template (the
    ``jurisdiction`` prefilled in the policy sheet when given). Every sheet has a bold frozen
    header row with a comment on each column (Chinese first), enum and 是/否 columns a
    drop-down list, date columns the format yyyy-mm-dd; a 说明 sheet lists every column."""
    openpyxl = _openpyxl()
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    readme = wb.active
    readme.title = text("sheet.readme", "zh")
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    left = Alignment(horizontal="left")
    for row in _readme_rows(jurisdiction):
        readme.append(row)
    head_row = 5 if jurisdiction else 4
    for cell in readme[head_row]:
        cell.font, cell.fill = bold, fill
    for n in range(1, head_row - 1):  # the introduction, wrapped across the columns
        readme.merge_cells(start_row=n, start_column=1, end_row=n, end_column=6)
        readme.cell(n, 1).alignment = wrap
        readme.row_dimensions[n].height = 48 if n < 3 else 18
    _landscape(readme)
    for letter, width in zip("ABCDEF", (24, 50, 34, 60, 8, 70), strict=True):
        readme.column_dimensions[letter].width = width
    readme.freeze_panes = f"A{head_row + 1}"

    options = wb.create_sheet(text("sheet.options", "zh"))
    options.sheet_state = "hidden"
    lists: dict[Any, str] = {}

    def choices(c: Column) -> str | None:
        kind = bool if c.kind is bool else c.kind
        if c.many or not (kind is bool or (isinstance(kind, type) and issubclass(kind, Enum))):
            return None
        if kind not in lists:
            values = ["是", "否"] if kind is bool else [_enum_zh(v) for v in kind]
            col = _letter(len(lists))
            for i, v in enumerate(values, start=1):
                options[f"{col}{i}"] = v
            lists[kind] = f"'{options.title}'!${col}$1:${col}${len(values)}"
        return lists[kind]

    def validation(ws: Any, c: Column, ref: str) -> None:
        formula = choices(c)
        if formula is None:
            return
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.error = "{} — {}".format(*pair("sheet.validation"))
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(ref)

    for s in SHEETS:
        ws = wb.create_sheet(s.zh)
        if s.single:
            ws.append(_kv_head())
            rows = _kv_rows(case, s, True, jurisdiction)
            for n, (c, row) in enumerate(zip(s.columns, rows, strict=True), start=2):
                ws.append(row)
                as_text(ws.cell(n, 2))
                _number_format(ws.cell(n, 2), c)
                ws.cell(n, 2).alignment = left
                ws.cell(n, 3).alignment = wrap
                validation(ws, c, f"B{n}")
            label = max(len(c.zh) for c in s.columns) * 2 + 2
            for letter, width in zip("ABC", (min(64, label), 30, 80), strict=True):
                ws.column_dimensions[letter].width = width
        else:
            columns = (*s.keys, *s.columns)
            ws.append([c.zh for c in columns])
            for row in _rows_of(case, s, True):
                ws.append(row)
                for cell in ws[ws.max_row]:
                    as_text(cell)
            last = max(ws.max_row, TEMPLATE_ROWS)
            for i, c in enumerate(columns, start=1):
                letter = _letter(i - 1)
                ws.column_dimensions[letter].width = _width(c)
                for n in range(2, ws.max_row + 1):
                    _number_format(ws.cell(n, i), c)
                validation(ws, c, f"{letter}2:{letter}{last}")
                zh, en = _about(c)
                comment = Comment(f"{zh}\n{en}", "ansafe-rules")
                comment.width, comment.height = 320, 160
                ws.cell(1, i).comment = comment
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        ws.freeze_panes = "A2"
        _landscape(ws)
    wb.save(target)


def _width(c: Column) -> int:
    """A column's width: its header, or its longest choice, or a date (Chinese is two wide)."""
    longest = len(c.zh)
    if isinstance(c.kind, type) and issubclass(c.kind, Enum) and not c.many:
        longest = max(longest, *(len(_enum_zh(v)) for v in c.kind))
    return max(12, min(48, longest * 2 + 2))


def _landscape(ws: Any) -> None:
    """Print on A4 landscape with the header row on every page (wide sheets go on across
    pages: fitted to one page width, 39 columns would be unreadable)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "1:1"


def _number_format(cell: Any, c: Column) -> None:
    if c.many:
        return
    if c.kind is dt.date:
        cell.number_format = "yyyy-mm-dd"
    elif c.kind is dt.datetime:
        cell.number_format = "yyyy-mm-dd hh:mm"


def write_csv_case(
    case: PolicyCase | None, folder: str | Path, *, jurisdiction: str | None = None
) -> list[Path]:
    """Write ``case`` (None: the empty template) as a folder of CSV files, one per sheet plus
    ``说明.csv``: the inverse of :func:`read_csv_case`. UTF-8 with a byte-order mark (Excel
    opens the Chinese text correctly). Returns the files written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []

    def write(name: str, rows: Iterable[Sequence[Any]]) -> None:
        f = out / f"{name}.csv"
        with f.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh, lineterminator="\r\n")
            for row in rows:
                w.writerow(["" if v is None else v for v in row])
        written.append(f)

    write(text("sheet.readme", "zh"), _readme_rows(jurisdiction))
    for s in SHEETS:
        if s.single:
            write(s.zh, [_kv_head(), *_kv_rows(case, s, False, jurisdiction)])
        else:
            write(s.zh, [[c.zh for c in (*s.keys, *s.columns)], *_rows_of(case, s, False)])
    return written


def collection_sheets() -> dict[str, str]:
    """Collection name -> its sheet's Chinese name (for documentation)."""
    return {s.path[0]: s.zh for s in SHEETS if s.path[0] in COLLECTIONS and len(s.path) == 1}


def columns_markdown() -> str:
    """The column reference of ``docs/spreadsheets.md`` (every sheet and column, generated):
    ``python -m ansafe_rules.workbooks`` prints it."""
    lines = []
    for s in SHEETS:
        if s.single:
            layout = "key/value: 字段 | 值 | 说明"
        elif s.keys:
            layout = "one record a row, belonging to the " + s.parent_en + " record named by "
            layout += "、".join(k.zh for k in s.keys)
        else:
            layout = "one record a row"
        lines += [f"### {s.zh} (`{s.en}`)", "", layout.replace("|", "\\|"), ""]
        lines += ["| 列 column | field | 格式 format |", "|---|---|---|"]
        for c in (*s.keys, *s.columns):
            fzh = _format(c)[0].replace("|", "\\|")
            req = " **必填 required**" if c.required else ""
            lines.append(f"| {c.zh} | `{c.en}` | {fzh}{req} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(columns_markdown(), end="")

"""Reading a policy case from plain data one record at a time.

A record that does not validate becomes an :class:`InputIssue` naming the source, the record
(with its YAML line where known) and the field; the other records are kept and evaluated. Only a
missing or invalid *policy* makes the whole document unusable (:class:`~ansafe_rules.InputError`):
no rule can be judged without it. Records sharing an id are all reported and none is evaluated,
so the result never depends on their order.

Reading is bounded by :class:`Limits` (file size, line length, nesting depth, records per case,
alias expansion, dates, policy term); each limit exceeded is a clear error naming it. See
``docs/limits.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import typing
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ._errors import AnsafeError, InputError, error_at, pydantic_errors
from ._yaml import (
    DEFAULT_MAX_ALIAS_NODES,
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_FILE_BYTES,
    decode,
    load_yaml_text,
    read_bytes,
)
from .model import COLLECTIONS, SINGLES, Policy, PolicyCase

__all__ = [
    "DEFAULT_LIMITS",
    "InputIssue",
    "Limits",
    "ParsedCase",
    "load_case_bytes",
    "load_case_file",
    "loads_json",
    "parse_case",
]


@dataclasses.dataclass(frozen=True)
class Limits:
    """Bounds on what one input may cost. Pass ``Limits(max_records=...)`` (API) or
    ``--limit max_records=...`` (CLI) to change one. Documented in ``docs/limits.md``."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    """Largest case file (YAML/JSON) read whole; portfolios are streamed and have no total."""
    max_line_bytes: int = 16 * 1024 * 1024
    """Longest JSON Lines line (one policy case)."""
    max_depth: int = DEFAULT_MAX_DEPTH
    """Deepest nesting of mappings and lists in one document or line."""
    max_alias_nodes: int = DEFAULT_MAX_ALIAS_NODES
    """Most nodes YAML aliases may add when expanded."""
    max_records: int = 100_000
    """Most records in one case, all collections together."""
    max_term_years: int = 50
    """Longest policy term (term_start to term_end)."""
    max_date: dt.date = dt.date(9899, 12, 31)
    """Latest date accepted in any field: leaves room for the longest period a ruleset may
    state (100 years, see ``periods.MAX_AMOUNT``) before 9999-12-31."""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    def replace(self, name: str, value: str) -> Limits:
        """A copy with the limit ``name`` set from text (CLI ``--limit NAME=VALUE``)."""
        if name not in self.names():
            raise ValueError(f"unknown limit {name!r}; limits: {', '.join(self.names())}")
        try:
            parsed: Any = (
                dt.date.fromisoformat(value) if name == "max_date" else int(value.replace("_", ""))
            )
        except ValueError:
            raise ValueError(f"limit {name}: not a valid value: {value!r}") from None
        if not isinstance(parsed, dt.date) and parsed < 1:
            raise ValueError(f"limit {name}: must be >= 1, got {value!r}")
        return dataclasses.replace(self, **{name: parsed})


DEFAULT_LIMITS = Limits()


class InputIssue(BaseModel):
    """One record that could not be read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(description="file or stream the record came from")
    record: str = Field(description="where in the document, e.g. service_records[3] (id 'S-4')")
    field: str = Field(description="the offending field, dotted")
    message: str = Field(description="what is wrong, in English")
    message_zh: str | None = Field(
        default=None, description="中文 — what is wrong, in Chinese (the English when absent)"
    )
    record_zh: str | None = Field(
        default=None,
        description=(
            "中文 — where in the document, in Chinese, e.g. "
            "service_records[3]（编号 'S-4'，第 12 行） (absent when it reads as record does)"
        ),
    )

    def __str__(self) -> str:
        return f"{self.source}: {self.record}: field {self.field!r}: {self.message}"

    def in_language(self, lang: str) -> str:
        """The issue as ``str`` says it, in ``lang`` (``"zh"``: in Chinese, where the record
        is included)."""
        if lang != "zh":
            return str(self)
        from .i18n import text, where_zh

        return text("input.issue", "zh").format(
            source=where_zh(self.source),
            record_zh=self.record_zh or self.record,
            path=self.field,
            error_zh=self.message_zh or self.message,
        )

    def bilingual(self) -> str:
        """The issue with its message in Chinese, then English (a spreadsheet's bad policy
        cell, which stops the case, is said in both)."""
        if self.message_zh is None or self.message_zh == self.message:
            return str(self)
        where = f"{self.source}: {self.record}: field {self.field!r}"
        return f"{where}: {self.message_zh} — {self.message}"


class ParsedCase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    case: PolicyCase
    issues: tuple[InputIssue, ...] = ()


def issue(
    source: str,
    record: str,
    field: str,
    msg_id: str,
    *,
    record_zh: str | None = None,
    **args: Any,
) -> InputIssue:
    """An input issue whose message is the catalogue's ``msg_id`` (English and Chinese);
    ``record_zh`` is where the record is, in Chinese, when it reads otherwise."""
    from .i18n import pair

    zh, en = pair(msg_id, **args)
    return InputIssue(
        source=source, record=record, record_zh=record_zh, field=field, message=en, message_zh=zh
    )


def _with_zh(issues: list[InputIssue], record_zh: str | None) -> list[InputIssue]:
    """``issues`` (of one record) saying where the record is in Chinese too."""
    if record_zh is None:
        return issues
    return [i.model_copy(update={"record_zh": record_zh}) for i in issues]


def _issues(
    source: str, record: str, exc: ValidationError, model: type[BaseModel] | None = None
) -> list[InputIssue]:
    """The errors of ``exc``, in English and Chinese (``model``: the record's, whose enums name
    the values an enumeration expects)."""
    from .i18n import enum_at, pydantic_error_zh

    return [
        InputIssue(
            source=source,
            record=record,
            field=field,
            message=msg,
            message_zh=pydantic_error_zh(
                kind, ctx, msg, enum_at(model, field) if kind == "enum" else None
            ),
        )
        for field, msg, kind, ctx in pydantic_errors(exc)
    ]


def _validate(cls: type[BaseModel], item: Any, source: str, label: str, limits: Limits) -> Any:
    """``cls.model_validate(item)``, or the list of issues that prevent it. Never raises: a
    record nested deeper than ``limits.max_depth`` is refused before validation (validating it
    could exhaust the stack), and any other failure is reported on the record."""
    if _depth_over(item, limits.max_depth):
        return [issue(source, label, "(record)", "input.too_deep", max_depth=limits.max_depth)]
    try:
        return cls.model_validate(item)
    except ValidationError as exc:
        return _issues(source, label, exc, cls)
    except Exception as exc:  # pydantic or an enum may fail on pathological values
        return [issue(source, label, "(record)", "input.unreadable", error=type(exc).__name__)]


def _late_dates(obj: Any, limit: dt.date, prefix: str = "") -> list[tuple[str, dt.date]]:
    """(dotted field, date) of every date after ``limit`` inside a validated model: dates and
    timestamps (by their day), in models and tuples, in field order."""
    out: list[tuple[str, dt.date]] = []
    _collect_late(obj, limit, prefix, out)
    return out


_NO_DATES = frozenset({str, int, float, bool, type(None)})  # the commonest field values


def _collect_late(obj: Any, limit: dt.date, prefix: str, out: list[tuple[str, dt.date]]) -> None:
    """:func:`_late_dates` into ``out``: one walk of the record, a scalar field costing a type
    lookup (every record of a case is checked; most of its fields are text and numbers)."""
    t = type(obj)
    if t in _NO_DATES:
        return
    if isinstance(obj, dt.date):
        if (obj.date() if isinstance(obj, dt.datetime) else obj) > limit:
            out.append((prefix, obj))
    elif isinstance(obj, BaseModel):
        values = obj.__dict__
        for name in _dated_fields(t):
            v = values[name] if name in values else getattr(obj, name)
            if type(v) not in _NO_DATES:
                _collect_late(v, limit, f"{prefix}.{name}" if prefix else name, out)
    elif isinstance(obj, tuple):
        for i, x in enumerate(obj):
            if type(x) not in _NO_DATES:
                _collect_late(x, limit, f"{prefix}.{i}", out)


@functools.lru_cache(maxsize=256)
def _dated_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model class that may hold a date (directly, or inside a model or a
    tuple), in field order: the others (text, numbers, codes) are not walked. A memo of a
    pure function of the class."""
    return tuple(n for n, f in cls.model_fields.items() if _may_hold_dates(f.annotation))


def _may_hold_dates(tp: Any) -> bool:
    """Can a value of type ``tp`` be or contain a date? True when unsure."""
    if isinstance(tp, type):
        if issubclass(tp, dt.date | BaseModel | tuple | list):
            return True
        if issubclass(tp, str | int | float | Decimal | Enum):  # bool, IntEnum: ints
            return False
    if typing.get_origin(tp) is typing.Annotated:
        return _may_hold_dates(typing.get_args(tp)[0])
    args = typing.get_args(tp)
    if args:
        return any(_may_hold_dates(a) for a in args if a is not Ellipsis)
    return tp is not None and tp is not type(None)


_ID_SHOWN = 80
"""The characters of a record's id an error shows (a longer one is cut, with its length)."""


def _shown_id(ident: Any, lang: str = "en") -> str:
    """A record's id (or a section's key) as an error names it in ``lang``, never raising: a
    text as its ``repr``, cut to :data:`_ID_SHOWN` characters with its length; an integer of
    more digits by its number of digits (Python refuses to write out one of more than 4,300);
    anything else as its ``repr``, cut likewise (or by its type, when not even that can be
    written)."""
    if isinstance(ident, str) and len(ident) <= _ID_SHOWN:  # the usual id, first
        return repr(ident)
    from .i18n import text

    if isinstance(ident, str):
        cut = repr(ident[:_ID_SHOWN] + "…")
        return text("input.id_cut", lang).format(id=cut, n=len(ident))
    if type(ident) is int and _digits(ident) > _ID_SHOWN:
        return text("input.id_digits", lang).format(n=_digits(ident))
    try:
        shown = repr(ident)
    except ValueError:  # an integer inside it too long to write out
        return text("input.id_too_large", lang).format(type=type(ident).__name__)
    return shown if len(shown) <= _ID_SHOWN else shown[:_ID_SHOWN] + "…"


def _shown_key(key: Any, lang: str = "en") -> str:
    """A section's name as an error names it: itself when it is text that can be written
    (UTF-8), else as :func:`_shown_id` shows it (a lone surrogate, ``\\ud800``, escaped by
    ``repr``), so that the error can be written wherever it goes (the HTTP service's JSON)."""
    if isinstance(key, str):
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:
            return _shown_id(key, lang)
        return key
    return _shown_id(key, lang)


def _digits(n: int) -> int:
    """How many decimal digits ``abs(n)`` has, without writing it out."""
    n = abs(n)
    if n < 10:
        return 1
    d = int(n.bit_length() * 0.30102999566398120) + 1  # log10(2): the count, or one more
    return d if n >= 10 ** (d - 1) else d - 1


def _date_issues(source: str, record: str, obj: Any, limits: Limits) -> list[InputIssue]:
    return [
        issue(source, record, field, "input.date_too_late", value=value, max_date=limits.max_date)
        for field, value in _late_dates(obj, limits.max_date)
    ]


def _label(name: str, i: int, item: Any) -> str:
    """Where a record is: ``service_records[3] (id 'S-4', line 12)``. Every record gets one
    and few are ever shown: the English (the catalogue's ``input.at_id`` and
    ``input.at_line``) is written out here, the Chinese made by :func:`_label_zh` only for a
    record an issue names."""
    ident = item.get("id") if isinstance(item, Mapping) else None
    extra = [f"id {_shown_id(ident)}"] if ident is not None else []
    line = getattr(item, "line", None)
    if line is not None:
        extra.append(f"line {line}")
    return f"{name}[{i}]" + (f" ({', '.join(extra)})" if extra else "")


def _label_zh(name: str, i: int, item: Any) -> str | None:
    """:func:`_label` in Chinese (``service_records[3]（编号 'S-4'，第 12 行）``), None when it
    reads the same (no id, no line)."""
    from .i18n import text

    ident = item.get("id") if isinstance(item, Mapping) else None
    extra = (
        [text("input.at_id", "zh").format(id=_shown_id(ident, "zh"))] if ident is not None else []
    )
    line = getattr(item, "line", None)
    if line is not None:
        extra.append(text("input.at_line", "zh").format(line=line))
    return f"{name}[{i}]（{'，'.join(extra)}）" if extra else None


def _policy(data: Mapping[str, Any], source: str, limits: Limits) -> Policy:
    if "policy" not in data:
        raise error_at(InputError, source, "input.no_policy")
    label = "policy"
    policy = _validate(Policy, data["policy"], source, label, limits)
    if isinstance(policy, list):
        raise _issues_error(policy)
    bad = _date_issues(source, label, policy, limits)
    years = policy.term_end.year - policy.term_start.year
    if not bad and years > limits.max_term_years:
        bad.append(
            issue(
                source,
                label,
                "term_end",
                "input.term_too_long",
                start=policy.term_start,
                end=policy.term_end,
                max_years=limits.max_term_years,
            )
        )
    if bad:
        raise _issues_error(bad)
    return policy


def _issues_error(issues: list[InputIssue]) -> InputError:
    """The policy's issues, which stop the case, as one error (a line each) in both
    languages."""
    return InputError(
        "\n".join(str(i) for i in issues), zh="\n".join(i.in_language("zh") for i in issues)
    )


def parse_case(data: Any, source: str = "<input>", *, limits: Limits | None = None) -> ParsedCase:
    """Validate ``data`` (a mapping like :class:`PolicyCase`) record by record."""
    if isinstance(data, ParsedCase):
        return data
    if isinstance(data, PolicyCase):
        return ParsedCase(case=data)
    limits = limits or DEFAULT_LIMITS
    if not isinstance(data, Mapping):
        raise error_at(InputError, source, "input.not_mapping", type=type(data).__name__)
    n = sum(len(v) for k, v in data.items() if k in COLLECTIONS and isinstance(v, list))
    if n > limits.max_records:
        raise error_at(
            InputError,
            source,
            "input.too_many_records",
            n=f"{n:,}",
            max_records=f"{limits.max_records:,}",
        )
    issues: list[InputIssue] = []
    unknown = set(data) - {"policy", *SINGLES, *COLLECTIONS}
    for en, zh in sorted((_shown_key(k), _shown_key(k, "zh")) for k in unknown):
        # a name shown in words (too long to write out) is no field name: "(section)"
        field, record_zh = (en, None) if en == zh else ("(section)", zh)
        issues.append(issue(source, en, field, "input.unknown_section", record_zh=record_zh))
    parts: dict[str, Any] = {"policy": _policy(data, source, limits)}
    for name, single in SINGLES.items():
        if data.get(name) is not None:
            doc = _validate(single, data[name], source, name, limits)
            if isinstance(doc, list):
                issues += doc
                continue
            late = _date_issues(source, name, doc, limits)
            issues += late
            if not late:
                parts[name] = doc
    for name, cls in COLLECTIONS.items():
        raw = data.get(name) or []
        if not isinstance(raw, list):
            issues.append(issue(source, name, name, "input.not_a_list"))
            continue
        valid: list[tuple[str, Any, int]] = []
        for i, item in enumerate(raw):
            label = _label(name, i, item)
            rec = _validate(cls, item, source, label, limits)
            if not isinstance(rec, list):
                rec_issues = _date_issues(source, label, rec, limits)
                if not rec_issues:
                    valid.append((label, rec, i))
                    continue
            else:
                rec_issues = rec
            issues += _with_zh(rec_issues, _label_zh(name, i, item))
        by_id: dict[str, list[tuple[str, int]]] = {}
        for label, rec, i in valid:
            by_id.setdefault(rec.id, []).append((label, i))
        for label, rec, i in valid:
            if len(by_id[rec.id]) > 1:
                others = [(x, j) for x, j in by_id[rec.id] if j != i]
                issues.append(
                    issue(
                        source,
                        label,
                        "id",
                        "input.duplicate_id",
                        record_zh=_label_zh(name, i, raw[i]),
                        id=repr(rec.id),
                        others=", ".join(x for x, _ in others),
                        others_zh="、".join(_label_zh(name, j, raw[j]) or x for x, j in others),
                    )
                )
        parts[name] = tuple(rec for _, rec, _ in valid if len(by_id[rec.id]) == 1)
    return ParsedCase(case=PolicyCase(**parts), issues=tuple(issues))


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def _int(text: str) -> int | str:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts: the model reports the field
        return text


def _depth_over(data: Any, max_depth: int) -> bool:
    """Is ``data`` nested more than ``max_depth`` levels deep? Each container's members are
    looked at once, recursively: the recursion stops at ``max_depth`` + 1, and a limit set
    higher than Python's stack allows is checked without recursion."""
    if not isinstance(data, dict | list):
        return False
    if max_depth > _RECURSIVE_DEPTH:
        stack = [(data, 1)]
        while stack:
            x, d = stack.pop()
            if isinstance(x, dict | list):
                if d > max_depth:
                    return True
                stack.extend((y, d + 1) for y in (x.values() if isinstance(x, dict) else x))
        return False
    return _deeper(data, 1, max_depth)


_RECURSIVE_DEPTH = 200


def _deeper(x: dict | list, depth: int, max_depth: int) -> bool:
    """Does the container ``x``, at ``depth``, hold containers deeper than ``max_depth``?"""
    if depth > max_depth:
        return True
    for y in x.values() if isinstance(x, dict) else x:
        if isinstance(y, dict | list) and _deeper(y, depth + 1, max_depth):
            return True
    return False


def _duplicate_line(text: str) -> int | None:
    """Line of the object holding a duplicate key, found by decoding again with the
    pure-Python scanner (which knows positions). Only run after a duplicate was found."""
    found: list[int] = []

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[dict, int]:
        strict, scan_once, _, _, *memo = args
        pairs, end = json.decoder.JSONObject(s_and_end, strict, scan_once, None, list, *memo)
        keys = [k for k, _ in pairs]
        if len(set(keys)) < len(keys) and not found:
            found.append(s_and_end[0].count("\n", 0, s_and_end[1]) + 1)
        return dict(pairs), end

    dec = json.JSONDecoder()
    dec.parse_object = parse_object  # type: ignore[assignment]
    dec.scan_once = json.scanner.py_make_scanner(dec)
    try:
        dec.decode(text)
    except (ValueError, RecursionError):
        return None
    return found[0] if found else None


def loads_json(text: str, where: str, *, limits: Limits | None = None, line: int = 0) -> Any:
    """Parse one JSON document strictly: duplicate keys rejected, nesting bounded, integers
    too long for Python kept as text for the model to report. ``where`` names the file and
    ``line`` the JSON Lines line (0 for a whole file). Errors are :class:`InputError`."""
    limits = limits or DEFAULT_LIMITS
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_int)
    except json.JSONDecodeError as exc:
        n = line or exc.lineno
        raise error_at(InputError, where, "input.bad_json", line=n, error=exc.msg) from None
    except _DuplicateKey as exc:
        n = line or _duplicate_line(text) or 0
        key = repr(exc.args[0])
        raise error_at(InputError, where, "input.duplicate_key", line=n, key=key) from None
    except RecursionError:
        depth = limits.max_depth
        raise error_at(InputError, where, "input.too_deep", line=line, max_depth=depth) from None
    except ValueError as exc:
        raise error_at(InputError, where, "input.bad_json", line=line, error=str(exc)) from None
    if _depth_over(data, limits.max_depth):
        depth = limits.max_depth
        raise error_at(InputError, where, "input.too_deep", line=line, max_depth=depth)
    return data


def load_case_file(path: str | Path, *, limits: Limits | None = None) -> ParsedCase:
    """Read a case from a YAML or JSON file, an XLSX workbook (``.xlsx``) or a folder of CSV
    files (the folder or its ``保单.csv``; ``docs/spreadsheets.md``)."""
    limits = limits or DEFAULT_LIMITS
    p = Path(path)
    # --- spreadsheets (workbooks.py) ---
    if p.suffix.lower() in (".xlsx", ".xlsm") or p.suffix.lower() == ".csv" or p.is_dir():
        from . import workbooks

        if p.suffix.lower() in (".xlsx", ".xlsm"):
            return workbooks.read_workbook(p, limits=limits)
        return workbooks.read_csv_case(p, limits=limits)
    # --- end spreadsheets ---
    return load_case_bytes(read_bytes(p, InputError, limits.max_file_bytes), str(p), limits)


def load_case_bytes(data: bytes, name: str, limits: Limits | None = None) -> ParsedCase:
    """A case file's bytes read as :func:`load_case_file` reads the file ``name`` (JSON for a
    ``.json`` name, else YAML); errors name ``name``."""
    limits = limits or DEFAULT_LIMITS
    text = decode(data, name, InputError)
    if name.endswith(".json"):
        doc = loads_json(text, name, limits=limits)
    else:
        try:
            doc = load_yaml_text(
                text, name, max_depth=limits.max_depth, max_alias_nodes=limits.max_alias_nodes
            )
        except Exception as exc:
            raise yaml_error(exc) from None
    return parse_case(doc, name, limits=limits)


def yaml_error(exc: BaseException) -> InputError:
    """A case's YAML that cannot be read, as an :class:`InputError` in both languages: the
    YAML reader's error as it says it (file, line, what), or anything else behind a Chinese
    lead."""
    zh = exc.zh if isinstance(exc, AnsafeError) else None
    if zh is None:
        from .i18n import text

        zh = text("input.bad_yaml", "zh").format(error=str(exc))
    return InputError(str(exc), zh=zh)

"""Reading a policy case from plain data one record at a time.

A record that does not validate becomes an :class:`InputIssue` naming the source, the record and
the field; the other records are kept and evaluated. Only a missing or invalid *policy* makes the
whole document unusable (:class:`~ansafe_rules.InputError`): no rule can be judged without it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ._errors import InputError, describe_errors
from ._yaml import load_yaml_text, read_text
from .model import COLLECTIONS, SINGLES, Policy, PolicyCase

__all__ = ["InputIssue", "ParsedCase", "load_case_file", "parse_case"]


class InputIssue(BaseModel):
    """One record that could not be read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(description="file or stream the record came from")
    record: str = Field(description="where in the document, e.g. service_records[3] (id 'S-4')")
    field: str = Field(description="the offending field, dotted")
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.record}: field {self.field!r}: {self.message}"


class ParsedCase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    case: PolicyCase
    issues: tuple[InputIssue, ...] = ()


def _issues(source: str, record: str, exc: ValidationError) -> list[InputIssue]:
    return [
        InputIssue(source=source, record=record, field=field, message=msg)
        for field, msg in describe_errors(exc)
    ]


def parse_case(data: Any, source: str = "<input>") -> ParsedCase:
    """Validate ``data`` (a mapping like :class:`PolicyCase`) record by record."""
    if isinstance(data, ParsedCase):
        return data
    if isinstance(data, PolicyCase):
        return ParsedCase(case=data)
    if not isinstance(data, Mapping):
        raise InputError(f"{source}: expected a mapping with a 'policy', got {type(data).__name__}")
    unknown = sorted(set(data) - {"policy", *SINGLES, *COLLECTIONS})
    issues: list[InputIssue] = [
        InputIssue(source=source, record=k, field=k, message="unknown section (ignored)")
        for k in unknown
    ]
    if "policy" not in data:
        raise InputError(f"{source}: policy: field 'policy': missing")
    try:
        policy = Policy.model_validate(data["policy"])
    except ValidationError as exc:
        raise InputError("\n".join(str(i) for i in _issues(source, "policy", exc))) from None
    parts: dict[str, Any] = {"policy": policy}
    for name, single in SINGLES.items():
        if data.get(name) is not None:
            try:
                parts[name] = single.model_validate(data[name])
            except ValidationError as exc:
                issues += _issues(source, name, exc)
    for name, cls in COLLECTIONS.items():
        raw = data.get(name) or []
        if not isinstance(raw, list):
            issues.append(
                InputIssue(
                    source=source, record=name, field=name, message="expected a list of records"
                )
            )
            continue
        good, seen = [], set()
        for i, item in enumerate(raw):
            ident = item.get("id") if isinstance(item, Mapping) else None
            label = f"{name}[{i}]" + (f" (id {ident!r})" if ident is not None else "")
            try:
                rec = cls.model_validate(item)
            except ValidationError as exc:
                issues += _issues(source, label, exc)
                continue
            if rec.id in seen:
                issues.append(
                    InputIssue(
                        source=source,
                        record=label,
                        field="id",
                        message="duplicate id; this record was not evaluated",
                    )
                )
                continue
            seen.add(rec.id)
            good.append(rec)
        parts[name] = tuple(good)
    return ParsedCase(case=PolicyCase(**parts), issues=tuple(issues))


def load_case_file(path: str | Path) -> ParsedCase:
    """Read a case from a YAML or JSON file."""
    p = Path(path)
    text = read_text(p, InputError)
    if p.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{p}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    else:
        try:
            data = load_yaml_text(text, str(p))
        except Exception as exc:
            raise InputError(str(exc)) from None
    return parse_case(data, str(p))

"""Monitor events: what a platform reports as the work happens, as pydantic models with a JSON
Schema, and the converter from a case file to the event stream it implies.

An event adds facts to one policy's case (a record's fields are merged: later events add or
change fields, none removes one) or moves the monitor's clock (``tick``). Every event carries its
event time ``at``; the monitor never reads the wall clock. Plain data, no durable-rules here, so
the command line can read and validate events without the optional extra.
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ..i18n import pair, pydantic_error_zh
from ..inputs import ParsedCase, parse_case
from ..model import PolicyCase

__all__ = [
    "COLLECTIONS",
    "NAMED",
    "SINGLES",
    "Event",
    "EventError",
    "NamedEvent",
    "PolicyIssued",
    "PolicyUpdated",
    "RecordEvent",
    "Tick",
    "day_of",
    "event_adapter",
    "events_from_case",
    "parse_event",
]

CHINA = dt.timezone(dt.timedelta(hours=8))
"""China Standard Time (UTC+8, no daylight saving): the day of a timestamp is its day here."""


def _item_model(name: str) -> type[BaseModel]:
    """The record model of a :class:`PolicyCase` field (``service_records`` -> ServiceRecord)."""
    ann = PolicyCase.model_fields[name].annotation
    args = [a for a in typing.get_args(ann) if isinstance(a, type) and issubclass(a, BaseModel)]
    if args:
        return args[0]
    for a in typing.get_args(ann):  # X | None
        for b in typing.get_args(a) or (a,):
            if isinstance(b, type) and issubclass(b, BaseModel):
                return b
    raise TypeError(name)  # pragma: no cover - the model defines every field


def _case_fields() -> tuple[dict[str, type[BaseModel]], dict[str, type[BaseModel]]]:
    many, single = {}, {}
    for name, f in PolicyCase.model_fields.items():
        if name == "policy":
            continue
        (many if typing.get_origin(f.annotation) is tuple else single)[name] = _item_model(name)
    return many, single


COLLECTIONS, SINGLES = _case_fields()
"""Record collections (with ids) and single documents of a case, read from :class:`PolicyCase`."""

Collection = StrEnum("Collection", {n: n for n in (*COLLECTIONS, *SINGLES)})  # type: ignore[misc]

NAMED: dict[str, tuple[str, str]] = {
    "service_completed": ("service_records", "completed_on"),
    "callback_made": ("service_records", "callback_on"),
    "hazard_found": ("hazards", "found_on"),
    "hazard_rectified": ("hazards", "rectified_on"),
    "complaint_received": ("complaints", "received_on"),
    "complaint_replied": ("complaints", "replied_on"),
    "incident_reported": ("incidents", "reported_at"),
    "archive_closed": ("archives", "closed_on"),
}
"""Named events: (collection, the field set to the event time unless ``fields`` gives it)."""


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at: dt.date | dt.datetime = Field(
        description="事件时间 — event time: a date, or a timestamp (its day in China time)"
    )
    event_id: str | None = Field(
        default=None, description="the platform's own id of the event, echoed in alerts"
    )


class Tick(_Event):
    """时钟 — the platform's clock reached ``at``: what lapsed before it is reported."""

    type: Literal["tick"]


class PolicyIssued(_Event):
    """保单签发 — a new policy, with the fields of :class:`~ansafe_rules.PolicyCase.policy`."""

    type: Literal["policy_issued"]
    policy_id: str = Field(min_length=1)
    policy: dict[str, Any] = Field(description="the policy's fields (as in a case file)")
    scheme: dict[str, Any] | None = Field(default=None, description="服务方案, if known")
    quote_letter: dict[str, Any] | None = Field(default=None, description="报价函, if known")


class PolicyUpdated(_Event):
    """保单变更 — fields of the policy set or changed (e.g. contract_reported_to_authority_on)."""

    type: Literal["policy_updated"]
    policy_id: str = Field(min_length=1)
    fields: dict[str, Any] = Field(min_length=1)


class RecordEvent(_Event):
    """记录 — a record of a collection (or a single document) created or given more fields."""

    type: Literal["record"]
    policy_id: str = Field(min_length=1)
    collection: Collection  # type: ignore[valid-type]
    id: str | None = Field(default=None, description="the record's id (collections only)")
    fields: dict[str, Any] = Field(default_factory=dict)


class NamedEvent(_Event):
    """服务完成、回访、隐患发现/整改、投诉受理/答复、出险报案、结档: a record event whose date
    field (see ``NAMED``) is the event time unless ``fields`` gives it."""

    type: Literal[
        "service_completed",
        "callback_made",
        "hazard_found",
        "hazard_rectified",
        "complaint_received",
        "complaint_replied",
        "incident_reported",
        "archive_closed",
    ]
    policy_id: str = Field(min_length=1)
    id: str = Field(min_length=1)
    fields: dict[str, Any] = Field(default_factory=dict)


Event = Annotated[
    Tick | PolicyIssued | PolicyUpdated | RecordEvent | NamedEvent, Field(discriminator="type")
]
"""One monitor event (JSON Schema: ``ansafe-rules schema`` lists ``MonitorEvent``)."""

event_adapter: TypeAdapter[Any] = TypeAdapter(Event)


class EventError(ValueError):
    """An event that cannot be used: which field, and why."""

    def __init__(
        self, field: str, message: str, cause: str = "invalid", message_zh: str | None = None
    ) -> None:
        super().__init__(f"field {field!r}: {message}")
        self.field, self.message, self.cause = field, message, cause
        self.message_zh = message if message_zh is None else message_zh  # why, in Chinese

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.message, self.cause, self.message_zh))


def _said(field: str, cause: str, msg_id: str, **args: Any) -> EventError:
    """An :class:`EventError` whose why is catalogue message ``msg_id``, in both languages."""
    zh, en = pair(msg_id, **args)
    return EventError(field, en, cause, zh)


_TYPES = ("tick", "policy_issued", "policy_updated", "record", *NAMED)


def parse_event(raw: Any) -> Any:
    """Validate one event (a mapping, or a JSON text); :class:`EventError` names the field."""
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise _said("(line)", "json", "input.bad_json", error=str(exc)) from None
    if not isinstance(raw, Mapping):
        raise _said("(event)", "json", "monitor.not_object", type=type(raw).__name__)
    if "type" not in raw:
        raise _said("type", "missing", "monitor.missing")
    if raw["type"] not in _TYPES:
        types = ", ".join(_TYPES)
        raise _said("type", "type", "monitor.unknown_type", type=repr(raw["type"]), types=types)
    try:
        return event_adapter.validate_python(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(x) for x in err["loc"][1:]]  # drop the union tag
        if loc and loc[0] == "at":
            loc = ["at"]  # not the member of date | datetime that failed
        field = ".".join(loc) or "(event)"
        cause = "missing" if err["type"] == "missing" else "invalid"
        if any(t in err["type"] for t in ("date", "datetime")):
            cause = "date"
        zh = pydantic_error_zh(err["type"], err.get("ctx") or {}, err["msg"])
        return _raise(field, err["msg"], cause, zh)


def _raise(field: str, msg: str, cause: str, msg_zh: str | None = None) -> Any:
    raise EventError(field, msg, cause, msg_zh)


def day_of(at: dt.date | dt.datetime) -> dt.date:
    """The day of an event time: a timestamp's day in China time (naive ones are read there)."""
    if isinstance(at, dt.datetime):
        return (at.astimezone(CHINA) if at.tzinfo else at).date()
    return at


# ------------------------------------------------------------------------------------------
# case -> events
def _dates(obj: Mapping[str, Any], model: type[BaseModel]) -> dict[str, dt.date]:
    """The record's optional top-level date fields (events in time), with their days. Required
    dates (a stage's start and end, a policy's term) describe the record and travel with it."""
    out = {}
    for name, f in model.model_fields.items():
        v = obj.get(name)
        if f.is_required() or v is None:
            continue
        if isinstance(v, dt.date):
            out[name] = day_of(v)
    return out


def _split(
    obj: BaseModel, floor: dt.date, *, each_field: bool
) -> tuple[dt.date, dict[str, Any], list[tuple[dt.date, dict[str, Any]]]]:
    """(creation day, creation fields, [(day, fields)] updates) of one record: the record is
    created on its first dated fact (not before ``floor``, the policy's issue) with everything
    undated; each later date is an update on its day. ``each_field`` also sends every
    optional undated field as its own update on the creation day (a finer stream)."""
    model = type(obj)
    data = obj.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    native = {k: getattr(obj, k) for k in model.model_fields}
    days = {k: max(d, floor) for k, d in _dates(native, model).items()}
    created = min(days.values(), default=floor)
    first: dict[str, Any] = {}
    later: dict[dt.date, dict[str, Any]] = {}
    for k, v in data.items():
        day = days.get(k, created)
        optional = not model.model_fields[k].is_required() and k != "id"
        if day == created and not (each_field and optional):
            first[k] = v
        else:
            later.setdefault(day, {})[k] = v
    if each_field:
        ups = [(d, {k: v}) for d, fs in sorted(later.items()) for k, v in fs.items()]
    else:
        ups = sorted(later.items(), key=lambda t: t[0])
    return created, first, ups


def _record_event(
    pid: str, collection: str, rid: str | None, day: dt.date, fields: dict[str, Any]
) -> dict[str, Any]:
    """A named event where one fits (a field a named event sets, dated that day), else
    ``record``."""
    if rid is not None:
        for typ, (coll, field) in NAMED.items():
            if coll == collection and fields.get(field) == day.isoformat():
                rest = {k: v for k, v in fields.items() if k != field}
                ev = {"type": typ, "policy_id": pid, "id": rid, "at": day.isoformat()}
                return {**ev, "fields": rest} if rest else ev
    ev: dict[str, Any] = {"type": "record", "policy_id": pid, "collection": collection}
    if rid is not None:
        ev["id"] = rid
    return {**ev, "at": day.isoformat(), "fields": fields}


def events_from_case(
    case: PolicyCase | ParsedCase | Mapping[str, Any], *, each_field: bool = False
) -> list[dict[str, Any]]:
    """The event stream a case implies, in time order (JSON-ready dicts, one policy).

    The policy is issued on ``issued_on`` (else ``term_start``) with its undated and
    earlier-dated fields; each later-dated policy field is a ``policy_updated`` on its day. Each
    record is created on its first date (never before the policy) and each later date of it is
    an event on that day (a named event such as ``callback_made`` where one fits). Replaying
    every event rebuilds the case; replaying those up to a day D gives the case as known on D:
    the records and dated fields up to D. ``each_field`` sends every optional field as its own
    event (for testing the monitor's matching at field level)."""
    pc = parse_case(case).case
    pol = pc.policy
    pid = pol.policy_id
    issued = pol.issued_on or pol.term_start
    out: list[tuple[dt.date, int, dict[str, Any]]] = []
    created, first, ups = _split(pol, issued, each_field=False)
    head: dict[str, Any] = {
        "type": "policy_issued",
        "policy_id": pid,
        "at": created.isoformat(),
        "policy": first,
    }
    out.append((created, 0, head))
    for day, fields in ups:
        ev = {"type": "policy_updated", "policy_id": pid, "at": day.isoformat(), "fields": fields}
        out.append((day, 1, ev))
    for name in SINGLES:
        doc = getattr(pc, name)
        if doc is None:
            continue
        c, f, u = _split(doc, created, each_field=each_field)
        out.append((c, 1, _record_event(pid, name, None, c, f)))
        out += [(d, 2, _record_event(pid, name, None, d, fs)) for d, fs in u]
    for name in COLLECTIONS:
        for rec in getattr(pc, name):
            c, f, u = _split(rec, created, each_field=each_field)
            out.append((c, 1, _record_event(pid, name, rec.id, c, f)))
            out += [(d, 2, _record_event(pid, name, rec.id, d, fs)) for d, fs in u]
    # stable: by day, the policy first, creations before updates, then input order
    return [ev for _, _, ev in sorted(out, key=lambda t: (t[0], t[1]))]


def iter_events(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(line number, text) of the non-blank lines of a JSON Lines stream."""
    for n, line in enumerate(lines, 1):
        if line.strip():
            yield n, line

"""A live obligation monitor (optional extra ``ansafe-rules[monitor]``): events in as the work
happens, alerts out — what is now owed and by when, what is due soon, what lapsed, what was
fulfilled. See docs/monitor.md.

The event and alert models and :func:`events_from_case` need no extra; :class:`Monitor` needs
durable-rules (imported when a monitor is created).
"""

from __future__ import annotations

from typing import Any

from .alerts import KIND_LABELS, Alert, AlertKind, ObligationState, TrackedFinding
from .events import Event, EventError, event_adapter, events_from_case, parse_event

__all__ = [
    "KIND_LABELS",
    "Alert",
    "AlertKind",
    "Event",
    "EventError",
    "Monitor",
    "MonitorStateError",
    "ObligationState",
    "TrackedFinding",
    "events_from_case",
    "json_schemas",
    "parse_event",
]


def json_schemas() -> dict[str, Any]:
    """JSON Schema of the monitor's input (``MonitorEvent``) and output (``MonitorAlert``)."""
    return {
        "MonitorEvent": event_adapter.json_schema(mode="validation"),
        "MonitorAlert": Alert.model_json_schema(mode="serialization"),
    }


def __getattr__(name: str) -> Any:
    """``Monitor`` is imported on first use: it needs durable-rules."""
    if name in ("Monitor", "MonitorStateError"):
        from . import core

        return getattr(core, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

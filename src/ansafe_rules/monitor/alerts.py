"""What the monitor tells: alerts, as pydantic models with a JSON Schema, each with its message
in Chinese and English."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ..i18n import text
from ..outputs import Status, Window
from ..rulesets import DutyHolder

__all__ = ["KIND_LABELS", "Alert", "AlertKind", "ObligationState", "TrackedFinding"]


class AlertKind(StrEnum):
    """What happened to an obligation (docs/monitor.md: alert semantics)."""

    obligation_opened = "obligation_opened"  # 义务产生: now owed, with its due date
    due_soon = "due_soon"  # 即将到期: due within the lead (working days)
    fulfilled = "fulfilled"  # 已履行: done in time (or kept, for a retention)
    fulfilled_late = "fulfilled_late"  # 逾期履行: done, but judged a violation even at its due
    lapsed = "lapsed"  # 已逾期: its time passed without it
    violation = "violation"  # 违规: a breach in the facts, not a matter of time
    data_error = "data_error"  # 数据错误: an event (or a record it made) that cannot be used


KIND_LABELS: dict[AlertKind, tuple[str, str]] = {
    k: (text(f"enum.AlertKind.{k.value}", "zh"), text(f"enum.AlertKind.{k.value}", "en"))
    for k in AlertKind
}
"""(Chinese, English) label of each alert kind."""


class ObligationState(StrEnum):
    """The monitor's view of one finding (docs/monitor.md maps it to ``Status``)."""

    open = "open"  # pending
    fulfilled = "fulfilled"  # compliant
    fulfilled_late = "fulfilled_late"  # violation, done late
    lapsed = "lapsed"  # violation, time passed
    violation = "violation"  # violation, not a matter of time
    other = "other"  # not_applicable, insufficient_data, data_error


class Alert(BaseModel):
    """One alert. ``alert_id`` is ``<seq>.<n>``: the n-th alert of event ``seq`` (stable across
    replays and restarts, so a consumer can tell a repeat)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alert_id: str
    seq: int = Field(description="sequence number of the event that caused it")
    event_id: str | None = Field(default=None, description="the event's own id, if it had one")
    event_type: str | None = Field(default=None, description="the event's type, if readable")
    kind: AlertKind
    at: dt.date = Field(description="the monitor's clock (event time) when it was raised")
    policy_id: str | None = None
    rule_id: str | None = None
    obligation: str | None = None
    layer: str | None = None
    clause: str | None = Field(default=None, description="条款号")
    title: str | None = Field(default=None, description="the rule's Chinese title")
    duty_holder: DutyHolder | None = Field(default=None, description="义务主体")
    liable_party: DutyHolder | None = Field(
        default=None, description="who is liable, where not the duty holder"
    )
    subject: str | None = None
    status: Status | None = Field(default=None, description="the finding's status now")
    requirement: str | None = Field(default=None, description="what must be done (English)")
    due_date: dt.date | None = None
    due_at: dt.datetime | None = None
    window: Window | None = None
    provisional: bool = Field(default=False, description="the date depends on an unofficial year")
    provisional_reason: str | None = None
    field: str | None = Field(default=None, description="data_error: the offending field")
    reason: str = Field(description="the judgement or the error, in English")
    message_zh: str = Field(description="一句话说明")
    message_en: str = Field(description="the same, in English")


class TrackedFinding(BaseModel):
    """One finding as the monitor keeps it (``Monitor.state``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_id: str
    rule_id: str
    subject: str
    n: int = Field(description="occurrence of (rule, subject) in the report, from 0")
    status: Status
    state: ObligationState
    due_date: dt.date | None = None
    reason: str

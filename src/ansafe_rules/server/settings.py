"""What one server runs with: the rulesets' folders and in-force dates, calendar overrides, the
library's input limits and the service's own (body size, batch length, time per case).

Plain data without FastAPI, so the command line can parse it before the extra is imported, and
JSON-serialisable, so each uvicorn worker process rebuilds the same application from it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Callable
from typing import Any

from ..inputs import DEFAULT_LIMITS, Limits

__all__ = ["ENV_VAR", "ServerLimits", "ServerSettings", "china_today"]

ENV_VAR = "ANSAFE_SERVER_SETTINGS"
"""Environment variable carrying the settings (JSON) to uvicorn's worker processes."""

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def china_today() -> dt.date:
    """Today's date in China (UTC+8, no daylight saving): the default ``as_of`` of a request,
    read at the edge of the service as the command line does, never inside the library."""
    return dt.datetime.now(CHINA).date()


@dataclasses.dataclass(frozen=True)
class ServerLimits:
    """Bounds on one request (``--limit NAME=VALUE`` on ``ansafe-rules serve``)."""

    max_body_bytes: int = 20 * 1024 * 1024
    """Largest request body; a larger one is refused with 413 before it is read."""
    max_batch_lines: int = 10_000
    """Most non-blank lines in one batch; more is refused with 413 before any is evaluated."""
    timeout_seconds: float = 30.0
    """Longest time for evaluating one case (503; in a batch the line becomes an error and the
    next lines go on)."""
    read_timeout_seconds: float = 30.0
    """Longest time for a request body to arrive (408)."""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    def replace(self, name: str, value: str) -> ServerLimits:
        """A copy with limit ``name`` set from text (``--limit max_batch_lines=50000``)."""
        if name not in self.names():
            raise ValueError(f"unknown limit {name!r}; limits: {', '.join(self.names())}")
        try:
            parsed: float = (
                float(value) if name.endswith("_seconds") else int(value.replace("_", ""))
            )
        except ValueError:
            raise ValueError(f"limit {name}: not a valid value: {value!r}") from None
        if not parsed > 0:
            raise ValueError(f"limit {name}: must be > 0, got {value!r}")
        return dataclasses.replace(self, **{name: parsed})


@dataclasses.dataclass(frozen=True)
class ServerSettings:
    """Everything :func:`~ansafe_rules.server.create_app` needs. ``today`` gives the default
    ``as_of`` of requests that do not state one (tests pin it; it is not serialised)."""

    search_paths: tuple[str, ...] = ()
    """Extra folders of ruleset files: their ids join the registry requests may name."""
    in_force: tuple[tuple[str, dt.date], ...] = ()
    """In-force dates of layers the texts do not date (``--in-force xinzhou=2024-12-01``)."""
    calendar_file: str | None = None
    """YAML calendar overrides (official schedules of later years) for every request."""
    limits: Limits = DEFAULT_LIMITS
    server_limits: ServerLimits = ServerLimits()
    today: Callable[[], dt.date] = dataclasses.field(default=china_today, compare=False)

    def to_json(self) -> str:
        """The settings as JSON (without ``today``), for worker processes."""
        lim = dataclasses.asdict(self.limits)
        lim["max_date"] = self.limits.max_date.isoformat()
        return json.dumps(
            {
                "search_paths": list(self.search_paths),
                "in_force": [[k, d.isoformat()] for k, d in self.in_force],
                "calendar_file": self.calendar_file,
                "limits": lim,
                "server_limits": dataclasses.asdict(self.server_limits),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ServerSettings:
        data: dict[str, Any] = json.loads(text)
        lim = dict(data["limits"])
        lim["max_date"] = dt.date.fromisoformat(lim["max_date"])
        return cls(
            search_paths=tuple(data["search_paths"]),
            in_force=tuple((k, dt.date.fromisoformat(d)) for k, d in data["in_force"]),
            calendar_file=data["calendar_file"],
            limits=Limits(**lim),
            server_limits=ServerLimits(**data["server_limits"]),
        )

    @classmethod
    def from_environment(cls) -> ServerSettings:
        """The settings a worker process was started with (defaults when none)."""
        text = os.environ.get(ENV_VAR)
        return cls.from_json(text) if text else cls()

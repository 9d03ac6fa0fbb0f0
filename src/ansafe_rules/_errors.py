"""Exceptions raised by ansafe_rules. Bad *records* never raise: they become findings."""

from __future__ import annotations

__all__ = ["AnsafeError", "CalendarRangeError", "InputError", "RulesetError"]


class AnsafeError(Exception):
    """Base class of every error this library raises on purpose."""


class RulesetError(AnsafeError):
    """A ruleset (or calendar override) file is malformed. The message names file, rule, field."""


class CalendarRangeError(AnsafeError, ValueError):
    """A date falls outside the range the working-day index was built for."""


class InputError(AnsafeError, ValueError):
    """An input document cannot be read at all (not a mapping, no policy, unreadable file)."""

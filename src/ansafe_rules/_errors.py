"""Exceptions raised by ansafe_rules. Bad *records* never raise: they become findings."""

from __future__ import annotations

from typing import Any

__all__ = ["AnsafeError", "CalendarRangeError", "InputError", "RulesetError"]


class AnsafeError(Exception):
    """Base class of every error this library raises on purpose. Its text (``str``) is
    English; ``zh`` is the same in Chinese when the error was said in both (an input error
    from the message catalogue), else None: :meth:`in_language` picks one."""

    zh: str | None

    def __init__(self, *args: object, zh: str | None = None) -> None:
        super().__init__(*args)
        self.zh = zh  # kept by pickling (check --jobs), as any attribute of an exception

    def in_language(self, lang: str) -> str:
        """The error's text in ``lang`` (``"zh"``: the Chinese when it has one)."""
        return self.zh if lang == "zh" and self.zh is not None else str(self)


class RulesetError(AnsafeError):
    """A ruleset (or calendar override) file is malformed. The message names file, rule, field."""


class CalendarRangeError(AnsafeError, ValueError):
    """A date falls outside the range the working-day index was built for."""


class InputError(AnsafeError, ValueError):
    """An input document cannot be read at all (not a mapping, no policy, unreadable file)."""


def describe_errors(exc: object, prefix: tuple[object, ...] = ()) -> list[tuple[str, str]]:
    """(dotted field, message) for each error of a pydantic ``ValidationError``."""
    return [(field, msg) for field, msg, _, _ in pydantic_errors(exc, prefix)]


def pydantic_errors(
    exc: object, prefix: tuple[object, ...] = ()
) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(dotted field, English message, error type, its context) for each error of a pydantic
    ``ValidationError`` (the type and context let a message be said in Chinese)."""
    out = []
    for e in exc.errors():  # type: ignore[attr-defined]
        field = ".".join(str(p) for p in (*prefix, *e["loc"])) or "(record)"
        kind = e["type"]
        msg = "unknown key" if kind == "extra_forbidden" else e["msg"]
        out.append((field, msg, kind, dict(e.get("ctx") or {})))
    return out

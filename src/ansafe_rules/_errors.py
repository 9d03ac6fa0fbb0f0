"""Exceptions raised by ansafe_rules. Bad *records* never raise: they become findings."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, TypeVar

__all__ = ["AnsafeError", "CalendarRangeError", "InputError", "RulesetError", "error_at"]


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


_E = TypeVar("_E", bound=AnsafeError)


Step = tuple[str, dict[str, Any]]
"""A catalogue message naming a place in a file (``rules[0] (rule 'x')``) and its arguments."""


def error_at(
    cls: type[_E],
    where: str | os.PathLike[str],
    msg_id: str,
    *,
    line: int = 0,
    steps: Sequence[Step] = (),
    **args: Any,
) -> _E:
    """The error ``cls`` saying catalogue message ``msg_id`` (with ``args``) in English and
    in Chinese (``zh``), after where it happened: ``where`` (a file, ``<stdin>``, a case's
    label), then ``line`` unless 0 (``f.jsonl: line 3: …``, ``f.jsonl：第 3 行：…``), then
    ``steps`` (a place inside the file, :func:`located`). Here, so that every reader raises
    it without importing the catalogue at import time (the catalogue's module imports the
    model, which imports the readers)."""
    from .i18n import pair

    zh, en = pair(msg_id, **args)
    place = f"{where}: line {line}" if line else where
    return lines_error(cls, [located(place, steps, en, zh)])


def located(
    place: str | os.PathLike[str], steps: Sequence[Step], en: str, zh: str | None = None
) -> tuple[str, str]:
    """One line of an error in English and in Chinese: ``place`` (a file, or a file and a
    line: ``f.jsonl：第 3 行`` in Chinese), each of ``steps`` said in its language, then what is
    wrong (``en``; ``zh``, else the English), joined by ``": "`` (``f.yaml: rules[0] (rule
    'x'): field 'kind': …``) and by a full-width colon."""
    from .i18n import pair, where_zh

    ens, zhs = [str(place)], [where_zh(str(place))]
    for msg_id, args in steps:
        z, e = pair(msg_id, **args)
        zhs.append(z)
        ens.append(e)
    return ": ".join([*ens, en]), "：".join([*zhs, zh if zh is not None else en])


def field_step(field: str) -> Step:
    """The step naming a field: ``field 'params.period'`` (in Chinese, the field in corner
    brackets)."""
    return ("ruleset.field", {"quoted": repr(field), "field": field})


def pydantic_lines(
    place: str | os.PathLike[str],
    steps: Sequence[Step],
    exc: object,
    prefix: tuple[object, ...] = (),
) -> list[tuple[str, str]]:
    """Each error of a pydantic ``ValidationError`` as a :func:`located` line at ``steps``
    and its field (``prefix`` before it), said in Chinese where the catalogue can (``pyd.*``,
    a check said in both)."""
    from .i18n import pydantic_error_zh

    return [
        located(place, [*steps, field_step(f)], msg, pydantic_error_zh(kind, ctx, msg))
        for f, msg, kind, ctx in pydantic_errors(exc, prefix)
    ]


def lines_error(cls: type[_E], lines: Sequence[tuple[str, str]], *, once: bool = False) -> _E:
    """The error ``cls`` of several :func:`located` lines, in order; with ``once``, a line
    whose English was said already is left out."""
    if once:
        firsts: dict[str, tuple[str, str]] = {}
        for en, zh in lines:
            firsts.setdefault(en, (en, zh))
        lines = list(firsts.values())
    return cls("\n".join(en for en, _ in lines), zh="\n".join(zh for _, zh in lines))


class SaidValueError(ValueError):
    """A model's own check that failed (pydantic shows it as ``Value error, …``), said in
    English (its text) and in Chinese (``zh``): see :func:`said`."""

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.zh = zh  # kept by pickling, as any attribute of an exception


def said(msg_id: str, **args: Any) -> SaidValueError:
    """A :class:`SaidValueError` saying catalogue message ``msg_id`` with ``args``."""
    from .i18n import pair

    zh, en = pair(msg_id, **args)
    return SaidValueError(en, zh)


class RulesetError(AnsafeError):
    """A ruleset (or calendar override) file is malformed. The message names file, rule, field."""


class CalendarRangeError(AnsafeError, ValueError):
    """A date falls outside the range the working-day index was built for."""


class InputError(AnsafeError, ValueError):
    """An input document cannot be read at all (not a mapping, no policy, unreadable file)."""


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

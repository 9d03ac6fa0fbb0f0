"""Errors as RFC 9457 problem details (``application/problem+json``): raised anywhere in a
request as :class:`ProblemError`, answered with the title in the request's ``lang`` and the
detail naming the parameter, line, record and field."""

import json
import re
from collections.abc import Iterable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from ..i18n import what_zh, where_zh
from .messages import PROBLEMS, Lang, title
from .models import (
    Problem,
    ProblemItem,
)

__all__ = ["PROBLEM_JSON", "ProblemError", "json_response", "located", "problem_response"]

PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """Raised anywhere in a request: answered as ``application/problem+json``."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        errors: Iterable[ProblemItem] = (),
        detail_zh: str | None = None,
        errors_zh: Iterable[ProblemItem] | None = None,
    ) -> None:
        super().__init__(detail)
        assert slug in PROBLEMS, slug
        self.status, self.slug, self.detail, self.errors = status, slug, detail, tuple(errors)
        # the detail and the located errors in Chinese, when they were said in both
        self.detail_zh = detail_zh
        self.errors_zh = tuple(errors_zh) if errors_zh is not None else None

    def problem(self, lang: Lang, instance: str | None) -> Problem:
        zh = lang == "zh" and self.detail_zh is not None
        errors = self.errors_zh if lang == "zh" and self.errors_zh is not None else self.errors
        return Problem(
            type=f"urn:ansafe-rules:problem:{self.slug}",
            title=title(self.slug, lang),
            status=self.status,
            detail=self.detail_zh if zh else self.detail,
            instance=instance,
            errors=errors,
        )


_LOCATED = re.compile(
    r"^(?:line (?P<line>\d+): )?(?:(?P<record>[^:]+?): )?field '(?P<field>[^']*)': (?P<msg>.*)$"
)
_LINE = re.compile(r"^line (?P<line>\d+): (?P<msg>.*)$")


def located(message: str, label: str) -> tuple[ProblemItem, ...]:
    """The library's error lines (``LABEL: RECORD: field 'F': MESSAGE``) as located items."""
    items = []
    for raw in message.splitlines():
        s = raw.removeprefix(f"{label}: ")
        if m := _LOCATED.match(s):
            line = m["line"]
            items.append(
                ProblemItem(
                    line=int(line) if line else None,
                    record=m["record"],
                    field=m["field"],
                    message=m["msg"],
                )
            )
        elif m := _LINE.match(s):
            items.append(ProblemItem(line=int(m["line"]), message=m["msg"]))
        else:
            items.append(ProblemItem(message=s))
    return tuple(items)


def located_zh(
    items: tuple[ProblemItem, ...], message_zh: str, label: str
) -> tuple[ProblemItem, ...] | None:
    """``items`` (:func:`located` of the English) with their messages taken from the same
    error said in Chinese (a line each, as the library writes it: ``LABEL：RECORD：字段「F」：…``,
    ``LABEL：第 N 行：…``); None when the lines do not pair up."""
    lines = message_zh.splitlines()
    if len(lines) != len(items):
        return None
    prefix = f"{where_zh(label)}："
    out = []
    for item, raw in zip(items, lines, strict=True):
        s = raw.removeprefix(prefix)
        said = what_zh(s, field=item.field is not None, line=item.line is not None)
        out.append(item.model_copy(update={"message": said}))
    return tuple(out)


def lang_of(request: Request) -> Lang:
    lang = request.query_params.get("lang")
    return "en" if lang == "en" else "zh"


def problem_response(exc: ProblemError, request: Request) -> Response:
    body = exc.problem(lang_of(request), request.url.path).model_dump(
        mode="json", exclude_none=True
    )
    headers = {"Connection": "close"} if exc.status == 413 else None
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=exc.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def json_response(data: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False), status_code=status, media_type="application/json"
    )

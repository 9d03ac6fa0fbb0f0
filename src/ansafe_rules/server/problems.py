"""Errors as RFC 9457 problem details (``application/problem+json``): raised anywhere in a
request as :class:`ProblemError`, answered with the title in the request's ``lang`` and the
detail naming the parameter, line, record and field."""

import json
import re
from collections.abc import Iterable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

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
        self, status: int, slug: str, detail: str, errors: Iterable[ProblemItem] = ()
    ) -> None:
        super().__init__(detail)
        assert slug in PROBLEMS, slug
        self.status, self.slug, self.detail, self.errors = status, slug, detail, tuple(errors)

    def problem(self, lang: Lang, instance: str | None) -> Problem:
        return Problem(
            type=f"urn:ansafe-rules:problem:{self.slug}",
            title=title(self.slug, lang),
            status=self.status,
            detail=self.detail,
            instance=instance,
            errors=self.errors,
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

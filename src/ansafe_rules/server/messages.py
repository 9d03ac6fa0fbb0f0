"""Every message of the service itself, in Chinese and English (Chinese first), from the
library's message catalogue. ``lang`` picks one; the library's own messages (a finding's
reason, an input error's detail) are passed through as the library writes them."""

from __future__ import annotations

from typing import Literal

from ..i18n import text as _catalogue_text

__all__ = ["PROBLEMS", "Lang", "text"]

Lang = Literal["zh", "en"]

# problem type slug -> (zh title, en title); the type URI is urn:ansafe-rules:problem:<slug>.
# The words live in the library's message catalogue (ids problem.<slug> and server.<key>).
_SLUGS = (
    "invalid-parameter",
    "unsupported-media-type",
    "invalid-case",
    "unknown-jurisdiction",
    "unknown-layer",
    "unknown-schema",
    "body-too-large",
    "batch-too-long",
    "body-timeout",
    "incomplete-body",
    "timeout",
    "not-found",
    "method-not-allowed",
    "http-error",
    "internal-error",
)
_KEYS = (
    "body_limit",
    "batch_limit",
    "body_timeout",
    "case_timeout",
    "incomplete_body",
    "no_ical",
    "media_type",
    "unknown_jurisdiction",
    "unknown_layer",
    "unknown_in_force_layer",
    "bad_in_force",
    "calendar_year",
    "calendar_clash",
    "unknown_schema",
    "not_found",
    "method",
    "parameter",
)


def _pair(msg_id: str) -> tuple[str, str]:
    return (_catalogue_text(msg_id, "zh"), _catalogue_text(msg_id, "en"))


PROBLEMS: dict[str, tuple[str, str]] = {slug: _pair(f"problem.{slug}") for slug in _SLUGS}
_TEXT: dict[str, tuple[str, str]] = {key: _pair(f"server.{key}") for key in _KEYS}


def text(key: str, lang: Lang, **values: object) -> str:
    """The service message ``key`` in ``lang``, filled in."""
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def title(slug: str, lang: Lang) -> str:
    """The title of problem type ``slug`` in ``lang``."""
    zh, en = PROBLEMS[slug]
    return zh if lang == "zh" else en

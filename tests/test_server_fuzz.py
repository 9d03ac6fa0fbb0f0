"""Property-based fuzzing of the HTTP service from its OpenAPI document (schemathesis), on a
live server: no 5xx, every status code and content type documented, every JSON body
conforming to its schema.

Examples per operation: ``ANSAFE_FUZZ_EXAMPLES`` (default 25 locally; CI sets 300, which
over the ten operations is about 3,000 generated requests). Skipped without the server extra
unless ANSAFE_REQUIRE_SERVER=1 (CI)."""

from __future__ import annotations

import collections
import datetime as dt
import importlib
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import ROOT


def _need(module: str) -> Any:
    if os.environ.get("ANSAFE_REQUIRE_SERVER") == "1":
        return importlib.import_module(module)
    return pytest.importorskip(module, reason="the server extra is not installed")


schemathesis = _need("schemathesis")
_need("fastapi")

from hypothesis import HealthCheck, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import checks as st_checks  # noqa: E402

from ansafe_rules.server import ServerSettings  # noqa: E402
from ansafe_rules.server.testing import serve_in_thread  # noqa: E402

EXAMPLES = int(os.environ.get("ANSAFE_FUZZ_EXAMPLES", "25"))

# The checked-in document: test_server.py checks it is the one the server serves.
schema = schemathesis.openapi.from_dict(
    json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
)

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.response_headers_conformance,
]
# Not run: negative_data_rejection / positive_data_acceptance. The service validates a case
# record by record as the library does: a record outside the schema is a data_error finding
# in a 200 report (not a 4xx), and a case inside the schema may still be unusable (a term
# ending before it starts) and get 422. Both are the documented behaviour (docs/http.md).


JURISDICTIONS = ("national", "guangdong", "xinzhou", "shaoxing", "xuancheng")
_CASE_PARAMS = ("jurisdiction", "layer", "in_force", "holiday", "workday")


@schema.hook
def flatmap_case(context: Any, case: Any) -> Any:
    """Half the generated cases as they are; in the other half the policy names a shipped
    jurisdiction and a valid term, and the parameters choosing rulesets and calendars are
    left out, so generated records reach the evaluator instead of stopping at the policy."""
    body = case.body
    if not isinstance(body, dict) or not isinstance(body.get("policy"), dict):
        return st.just(case)

    def usable(name: str) -> Any:
        policy = {
            **body["policy"],
            "jurisdiction": name,
            "term_start": "2025-07-01",
            "term_end": "2026-06-30",
        }
        query = {k: v for k, v in (case.query or {}).items() if k not in _CASE_PARAMS}
        return case.operation.Case(
            method=case.method,
            path_parameters=case.path_parameters,
            headers=case.headers,
            query=query,
            body={**body, "policy": policy},
            media_type=case.media_type,
        )

    return st.one_of(st.just(case), st.sampled_from(JURISDICTIONS).map(usable))


@schemathesis.serializer("application/x-ndjson")
def _json_lines(ctx: Any, value: Any) -> bytes:
    """Batch bodies: a generated string as it is, other JSON values one per line."""
    if isinstance(value, str):
        return value.encode("utf-8")
    items = value if isinstance(value, list) else [value]
    return "\n".join(json.dumps(v) for v in items).encode("utf-8")


SENT: collections.Counter[str] = collections.Counter()  # requests per operation, this run


@schema.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    SENT[f"{case.method} {case.path}"] += 1


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve_in_thread(ServerSettings(today=lambda: dt.date(2026, 7, 31))) as url:
        yield url
    total = sum(SENT.values())
    main = {k: v for k, v in SENT.items() if v > 3}  # the rest: one probe per wrong method
    print(f"\nschemathesis: {total:,} requests; per documented operation: {main}")
    assert not SENT or total >= EXAMPLES * 2, f"fuzzing sent only {total} requests"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api(case: Any, base: str) -> None:
    case.call_and_validate(base_url=base, checks=CHECKS)

"""The HTTP service on a live server (127.0.0.1, a free port): same answers as the library and
the command line, and the documented answer to every kind of bad request, after which the
server keeps serving. Skipped without the server extra unless ANSAFE_REQUIRE_SERVER=1 (CI)."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml

import ansafe_rules as ar

from .conftest import ROOT, case


def _need(module: str) -> Any:
    if os.environ.get("ANSAFE_REQUIRE_SERVER") == "1":
        return importlib.import_module(module)
    return pytest.importorskip(module, reason="the server extra is not installed")


httpx = _need("httpx")
_need("fastapi")
_need("uvicorn")

from ansafe_rules.server import ServerLimits, ServerSettings  # noqa: E402
from ansafe_rules.server.testing import serve_in_process, serve_in_thread  # noqa: E402

AS_OF = dt.date(2026, 7, 31)
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
YAML = {"content-type": "application/yaml"}
JSON = {"content-type": "application/json"}
NDJSON = {"content-type": "application/x-ndjson"}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    settings = ServerSettings(today=lambda: AS_OF, server_limits=ServerLimits(max_batch_lines=50))
    with serve_in_thread(settings) as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[Any]:
    with httpx.Client(base_url=base, timeout=60) as c:
        yield c


def _example_json(path: Path) -> str:
    return json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str)


def _problem(r: Any, status: int, slug: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["type"] == f"urn:ansafe-rules:problem:{slug}"
    assert body["status"] == status
    assert "Traceback" not in r.text
    return body


def _alive(client: Any) -> None:
    r = client.post("/v1/check", params={"as_of": "2026-07-31"}, content=_minimal(), headers=JSON)
    assert r.status_code == 200, r.text
    assert r.json()["policy_id"] == "P-TEST"


def _minimal(**policy: Any) -> str:
    return json.dumps(case(policy=policy))


# -- same answers as the library and the command line -----------------------------------------
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_full_report_is_the_librarys(client: Any, path: Path) -> None:
    parsed = ar.load_case_file(path)
    rs = ar.load_ruleset(parsed.case.policy.jurisdiction)
    expected = ar.evaluate(rs, parsed, as_of=AS_OF, lang="zh")  # the service: Chinese first
    r = client.post(
        "/v1/check",
        params={"detail": "full", "as_of": "2026-07-31"},
        content=path.read_bytes(),
        headers=YAML,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["report"] == expected.model_dump(mode="json")
    assert body["ruleset"] == {
        "id": rs.id,
        "layers": list(expected.layers),
        "digest": rs.digest,
        "engine_version": ar.__version__,
    }
    # the same case sent as JSON gives the same report
    r2 = client.post(
        "/v1/check",
        params={"detail": "full", "as_of": "2026-07-31"},
        content=_example_json(path),
        headers=JSON,
    )
    assert r2.json() == body


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_summary_is_the_command_lines(client: Any, path: Path) -> None:
    out = io.StringIO()
    from ansafe_rules.cli import main

    with redirect_stdout(out):
        code = main(
            [
                "check",
                str(path),
                "--format",
                "jsonl",
                "--as-of",
                "2026-07-31",
                "--jobs",
                "1",
                "--lang",
                "zh",
            ]  # the service's default: Chinese first
        )
    assert code == 1  # the examples contain deliberate lapses
    cli = json.loads(out.getvalue())
    r = client.post("/v1/check", content=path.read_bytes(), headers=YAML)  # as_of: today()
    assert r.status_code == 200, r.text
    assert r.json() == cli["report"]
    assert any(f["status"] == "violation" for f in cli["report"]["findings"])


def test_all_duty_holder_and_layer_mirror_the_library(client: Any) -> None:
    path = ROOT / "examples" / "xinzhou-municipal.yaml"
    rs = ar.load_ruleset("xinzhou")
    parsed = ar.load_case_file(path)
    full = ar.evaluate(rs, parsed, as_of=AS_OF)
    r = client.post(
        "/v1/check", params={"all": "true", "lang": "en"}, content=path.read_bytes(), headers=YAML
    )
    got = r.json()
    assert [(f["rule_id"], f["subject"], f["status"]) for f in got["findings"]] == [
        (f.rule_id, f.subject, f.status.value) for f in full.findings
    ]
    r = client.post(
        "/v1/check",
        params={"duty_holder": "contractor", "detail": "full", "lang": "en"},
        content=path.read_bytes(),
        headers=YAML,
    )
    mine = full.for_party(ar.DutyHolder.contractor)
    assert r.json()["report"] == mine.model_dump(mode="json")
    assert {f.duty_holder for f in mine.violations} == {ar.DutyHolder.contractor}
    r = client.post(
        "/v1/check",
        params={"layer": "national", "detail": "full", "jurisdiction": "xinzhou", "lang": "en"},
        content=path.read_bytes(),
        headers=YAML,
    )
    only = ar.evaluate(rs, parsed, as_of=AS_OF, layer="national")
    assert r.json()["report"] == only.model_dump(mode="json")
    assert r.json()["report"]["layers"] == ["national"]


def test_in_force_parameter_is_load_ruleset_in_force(client: Any) -> None:
    path = ROOT / "examples" / "xinzhou-municipal.yaml"
    day = dt.date(2026, 1, 1)  # after the policy's start: xinzhou's rules then do not apply
    rs = ar.load_ruleset("xinzhou", in_force={"xinzhou": day})
    expected = ar.evaluate(rs, ar.load_case_file(path), as_of=AS_OF)
    r = client.post(
        "/v1/check",
        params={"detail": "full", "in_force": f"xinzhou={day}", "lang": "en"},
        content=path.read_bytes(),
        headers=YAML,
    )
    body = r.json()
    assert body["report"] == expected.model_dump(mode="json")
    assert body["ruleset"]["digest"] == rs.digest != ar.load_ruleset("xinzhou").digest
    # the next request without it sees the loaded ruleset again: requests are independent
    r = client.post("/v1/check", params={"detail": "full"}, content=path.read_bytes(), headers=YAML)
    assert r.json()["ruleset"]["digest"] == ar.load_ruleset("xinzhou").digest


def test_calendar_override_parameters_are_a_calendar_override(client: Any) -> None:
    # a made-up 2027 schedule: 2027-10-04 a day off, Sat 2027-10-09 a working day
    over = ar.CalendarOverride(
        year=2027,
        holidays=(dt.date(2027, 10, 4),),
        workdays=(dt.date(2027, 10, 9),),
        source="request",
    )
    data = case(
        policy={"term_start": "2027-07-01", "term_end": "2028-06-30"},
        service_records=[
            {
                "id": "S-1",
                "kind": "hazard_inspection",
                "completed_on": "2027-09-30",
                "callback_on": "2027-10-12",
            }
        ],
    )
    rs = ar.load_ruleset("national")
    as_of = dt.date(2028, 7, 31)
    expected = ar.evaluate(rs, data, as_of=as_of, calendar=ar.WorkCalendar([over]))
    plain = ar.evaluate(rs, data, as_of=as_of)
    r = client.post(
        "/v1/check",
        params={
            "detail": "full",
            "as_of": str(as_of),
            "holiday": "2027-10-04",
            "workday": "2027-10-09",
            "lang": "en",
        },
        content=json.dumps(data),
        headers=JSON,
    )
    got = r.json()["report"]
    assert got == json.loads(
        json.dumps(expected.model_dump(mode="json")).replace('"<input>"', '"request"')
    )
    assert got != plain.model_dump(mode="json")  # the override changed a due date
    r = client.post(
        "/v1/check",
        params={"holiday": "2090-01-02", "lang": "en"},
        content=json.dumps(data),
        headers=JSON,
    )
    body = _problem(r, 400, "invalid-parameter")
    assert body["errors"][0]["parameter"] == "holiday"


def test_obligations_are_the_librarys(client: Any) -> None:
    path = ROOT / "examples" / "national-construction.yaml"
    parsed = ar.load_case_file(path)
    expected = ar.obligations(ar.load_ruleset("national"), parsed, lang="zh")  # Chinese first
    r = client.post("/v1/obligations", content=path.read_bytes(), headers=YAML)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["obligations"] == [o.model_dump(mode="json") for o in expected]
    assert body["policy_id"] == "AZ-2025-0001" and body["layers"] == ["national"]
    r = client.post(
        "/v1/obligations", params={"format": "ics"}, content=path.read_bytes(), headers=YAML
    )
    assert r.headers["content-type"].startswith("text/calendar")
    stamp = dt.datetime(2026, 7, 31, tzinfo=dt.UTC)
    assert r.content == ar.obligations_to_ical("AZ-2025-0001", expected, stamp=stamp)


def test_a_line_break_in_the_policy_id_still_gives_a_calendar(client: Any) -> None:
    # found by the fuzz test: a line break in policy_id (the calendar's name) made the
    # icalendar package raise (the service answered 422); the name is now one line
    data = _minimal(policy_id="AZ\n1")
    r = client.post(
        "/v1/obligations", params={"format": "ics", "lang": "en"}, content=data, headers=JSON
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    assert "X-WR-CALNAME:安责险义务 AZ 1\r\n" in r.text
    r = client.post("/v1/obligations", content=data, headers=JSON)
    assert r.status_code == 200 and r.json()["policy_id"] == "AZ\n1"
    _alive(client)


def test_batch_is_evaluate_portfolio_line_by_line(client: Any) -> None:
    lines = [_example_json(p) for p in EXAMPLES]
    body = "\n".join(lines) + "\n\n"
    expected = list(ar.evaluate_portfolio(list(enumerate(lines, 1)), as_of=AS_OF))
    r = client.post(
        "/v1/batch", params={"detail": "full", "lang": "en"}, content=body, headers=NDJSON
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/x-ndjson"
    got = [json.loads(x) for x in r.text.splitlines()]
    assert [g["line"] for g in got] == [1, 2, 3, 4, 5]
    for g, e in zip(got, expected, strict=True):
        assert g["policy_id"] == e.policy_id
        assert g["result"]["report"] == json.loads(
            e.report.model_dump_json().replace('"<portfolio>: line', '"batch: line')
        )


def test_batch_line_equals_single_check(client: Any) -> None:
    line = _example_json(ROOT / "examples" / "guangdong-housing.yaml")
    single = client.post("/v1/check", content=line, headers=JSON).json()
    got = client.post("/v1/batch", content=line, headers=NDJSON).json()
    pid = ar.load_case_file(ROOT / "examples" / "guangdong-housing.yaml").case.policy.policy_id
    assert got == {"line": 1, "policy_id": pid, "result": single}
    assert single["policy_id"] == pid


def test_batch_with_every_other_line_broken(client: Any) -> None:
    good = _minimal()
    broken = [
        b'{"policy": ',  # invalid JSON
        b'{"policy": {"policy_id": 5}}',  # wrong types
        b'{"policy": {"jurisdiction": "../../etc/passwd"}}',  # a path where an id belongs
        b"\xff\xfe not utf-8",
        b'{"policy": {"policy_id": "X", "policy_id": "Y"}}',  # duplicate key
        b"[1, 2, 3]",  # not a mapping
    ]
    lines: list[bytes] = []
    for b in broken:
        lines += [good.encode(), b]
    r = client.post("/v1/batch", params={"lang": "en"}, content=b"\n".join(lines), headers=NDJSON)
    assert r.status_code == 200
    got = [json.loads(x) for x in r.text.splitlines()]
    assert [g["line"] for g in got] == list(range(1, 13))
    assert all(g["result"]["policy_id"] == "P-TEST" for g in got[0::2])
    errors = [g["error"] for g in got[1::2]]
    assert all(e["type"] == "urn:ansafe-rules:problem:invalid-case" for e in errors)
    assert all(e["title"] == "The policy case cannot be evaluated" for e in errors)
    details = [e["detail"] for e in errors]
    assert details[0] == "batch: line 2: invalid JSON: Expecting value"
    assert details[1].startswith("batch: line 4: policy: field 'policy_id': Input should be")
    assert {
        "record": "policy",
        "field": "policy_id",
        "message": "Input should be a valid string",
    } in errors[1]["errors"]
    assert "field 'jurisdiction'" in details[2] and "not a jurisdiction id" in details[2]
    assert details[3] == "batch: line 8: not UTF-8 (byte 1)"
    assert details[4] == "batch: line 10: duplicate key 'policy_id' in one object"
    assert details[5] == "batch: line 12: expected a mapping with a 'policy', got list"
    _alive(client)


# -- bad requests: the documented answer, and the server keeps serving ------------------------
def test_malformed_json(client: Any) -> None:
    r = client.post("/v1/check", content=b'{\n  "policy": {\n  },,\n}', headers=JSON)
    body = _problem(r, 422, "invalid-case")
    assert body["title"] == "保单案例无法评估"  # Chinese first: lang defaults to zh
    assert body["detail"] == (
        "request：第 3 行：不是有效的 JSON：Expecting property name enclosed in double quotes"
    )
    assert body["errors"] == [
        {"line": 3, "message": "不是有效的 JSON：Expecting property name enclosed in double quotes"}
    ]
    assert body["instance"] == "/v1/check"
    r = client.post(
        "/v1/check", params={"lang": "en"}, content=b'{\n  "policy": {\n  },,\n}', headers=JSON
    )
    body = _problem(r, 422, "invalid-case")
    assert (
        body["detail"] == "request: line 3: invalid JSON: Expecting property name "
        "enclosed in double quotes"
    )
    assert body["errors"] == [
        {"line": 3, "message": "invalid JSON: Expecting property name enclosed in double quotes"}
    ]
    _alive(client)


def test_a_case_or_line_that_cannot_be_read_is_detailed_in_chinese(client: Any) -> None:
    """The detail and the located items follow ``lang`` (default zh); where they point (line,
    record, field) is the same in both."""
    r = client.post("/v1/check", content=b"[1, 2]", headers=JSON)
    body = _problem(r, 422, "invalid-case")
    assert body["detail"] == "request：应为含有 policy（保单）的键值映射，实为 list"
    assert body["errors"] == [{"message": "应为含有 policy（保单）的键值映射，实为 list"}]
    bad_policy = _minimal(insurer=None, term_start="2025-13-01").encode()
    lines = [
        _minimal().encode(),
        b'{"policy": {"policy_id": "X", "policy_id": "Y"}}',
        b"\xff",
        bad_policy,
    ]
    r = client.post("/v1/batch", content=b"\n".join(lines), headers=NDJSON)
    got = [json.loads(x)["error"] for x in r.text.splitlines()[1:]]
    assert [g["detail"] for g in got] == [
        "batch：第 2 行：同一对象中的键 'policy_id' 重复",
        "batch：第 3 行：不是 UTF-8（第 1 个字节）",
        "batch：第 4 行：policy：字段「insurer」：应为文本\n"
        "batch：第 4 行：policy：字段「term_start」：不是有效日期（应为 YYYY-MM-DD）："
        "月份应为 1–12",
    ]
    assert [g["errors"] for g in got] == [
        [{"message": "同一对象中的键 'policy_id' 重复"}],
        [{"message": "不是 UTF-8（第 1 个字节）"}],
        [
            {"record": "policy", "field": "insurer", "message": "应为文本"},
            {
                "record": "policy",
                "field": "term_start",
                "message": "不是有效日期（应为 YYYY-MM-DD）：月份应为 1–12",
            },
        ],
    ]
    r = client.post("/v1/batch", params={"lang": "en"}, content=b"\n".join(lines), headers=NDJSON)
    got = [json.loads(x)["error"] for x in r.text.splitlines()[1:]]
    assert got[2]["errors"] == [
        {"record": "policy", "field": "insurer", "message": "Input should be a valid string"},
        {
            "record": "policy",
            "field": "term_start",
            "message": "Input should be a valid date or datetime, month value is outside "
            "expected range of 1-12",
        },
    ]
    r = client.post("/v1/check", content=_minimal(jurisdiction="atlantis"), headers=JSON)
    body = _problem(r, 422, "unknown-jurisdiction")
    known = "guangdong, national, shaoxing, xinzhou, xuancheng"
    why = f"参数 'jurisdiction'：'atlantis' 不是已加载的辖区；可用：{known}"
    assert body["detail"] == f"request：policy：字段「jurisdiction」（适用地区）：{why}"
    assert body["errors"] == [{"record": "policy", "field": "jurisdiction", "message": why}]
    _alive(client)


def test_wrong_types(client: Any) -> None:
    r = client.post(
        "/v1/check",
        params={"lang": "en"},
        content=_minimal(term_end=12, above_designated_size="maybe"),
        headers=JSON,
    )
    body = _problem(r, 422, "invalid-case")
    assert body["title"] == "The policy case cannot be evaluated"
    fields = {(e["record"], e["field"]) for e in body["errors"]}
    assert fields == {("policy", "term_end"), ("policy", "above_designated_size")}
    # a wrong type in a record costs that record only: a data_error finding, 200
    data = case(
        service_records=[{"id": "S-1", "kind": "hazard_inspection", "completed_on": "soon"}]
    )
    r = client.post("/v1/check", params={"lang": "en"}, content=json.dumps(data), headers=JSON)
    assert r.status_code == 200
    errs = [f for f in r.json()["findings"] if f["status"] == "data_error"]
    assert [(f["subject"], f["reason"].split(": ")[0]) for f in errs] == [
        ("service_records[0] (id 'S-1')", "request")
    ]
    assert "field 'completed_on'" in errs[0]["reason"]
    # wrong parameter types are 400, naming the parameter
    r = client.post(
        "/v1/check",
        params={"as_of": "31/07/2026", "detail": "all", "lang": "en"},
        content=_minimal(),
        headers=JSON,
    )
    body = _problem(r, 400, "invalid-parameter")
    assert body["title"] == "Invalid query parameter"
    assert {e["parameter"] for e in body["errors"]} == {"as_of", "detail"}
    r = client.post("/v1/check", params={"lang": "fr"}, content=_minimal(), headers=JSON)
    assert _problem(r, 400, "invalid-parameter")["errors"][0]["parameter"] == "lang"
    _alive(client)


def test_unknown_jurisdiction(client: Any) -> None:
    r = client.post(
        "/v1/check",
        params={"jurisdiction": "atlantis", "lang": "en"},
        content=_minimal(),
        headers=JSON,
    )
    body = _problem(r, 422, "unknown-jurisdiction")
    assert body["detail"] == (
        "parameter 'jurisdiction': 'atlantis' is not a loaded "
        "jurisdiction; available: guangdong, national, shaoxing, "
        "xinzhou, xuancheng"
    )
    assert body["errors"][0]["parameter"] == "jurisdiction"
    # a file path is never a jurisdiction, in a parameter or in data
    r = client.post(
        "/v1/check",
        params={"jurisdiction": str(ROOT / "rulesets/national.yaml")},
        content=_minimal(),
        headers=JSON,
    )
    _problem(r, 422, "unknown-jurisdiction")
    r = client.post("/v1/check", content=_minimal(jurisdiction="/etc/passwd"), headers=JSON)
    body = _problem(r, 422, "invalid-case")
    assert body["errors"][0]["record"] == "policy"
    assert body["errors"][0]["field"] == "jurisdiction"
    # said in the service's language (zh by default), from the catalogue, no English in it
    assert body["errors"][0]["message"].startswith(
        "'/etc/passwd' 不是适用地区编号（如 'national'）"
    )
    r = client.post(
        "/v1/check",
        params={"lang": "en"},
        content=_minimal(jurisdiction="/etc/passwd"),
        headers=JSON,
    )
    message = _problem(r, 422, "invalid-case")["errors"][0]["message"]
    assert "'/etc/passwd' is not a jurisdiction id" in message
    r = client.post("/v1/check", content=_minimal(jurisdiction="atlantis"), headers=JSON)
    assert "'atlantis'" in _problem(r, 422, "unknown-jurisdiction")["detail"]
    r = client.get("/v1/jurisdictions/atlantis/rules")
    assert _problem(r, 404, "unknown-jurisdiction")["title"] == "未知的辖区规则集"
    r = client.get("/v1/diff", params={"a": "national", "b": "atlantis"})
    assert _problem(r, 422, "unknown-jurisdiction")["errors"][0]["parameter"] == "b"
    r = client.post(
        "/v1/check", params={"in_force": "atlantis=2025-01-01"}, content=_minimal(), headers=JSON
    )
    _problem(r, 422, "unknown-jurisdiction")
    r = client.post("/v1/check", params={"in_force": "xinzhou"}, content=_minimal(), headers=JSON)
    _problem(r, 400, "invalid-parameter")
    r = client.post(
        "/v1/check",
        params={"layer": "xinzhou", "jurisdiction": "national"},
        content=_minimal(),
        headers=JSON,
    )
    _problem(r, 422, "unknown-layer")
    r = client.post("/v1/check", params={"layer": "xinzhou"}, content=_minimal(), headers=JSON)
    _problem(r, 422, "unknown-layer")
    _alive(client)


def test_a_50_mb_body_is_refused_with_413(client: Any, base: str) -> None:
    big = b" " * (50 * 1024 * 1024)
    r = httpx.post(f"{base}/v1/check?lang=en", content=big, headers=JSON, timeout=60)
    body = _problem(r, 413, "body-too-large")
    assert body["detail"] == (
        "the request body is larger than the limit of 20,971,520 bytes (max_body_bytes)"
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it arrives
        for _ in range(50):
            yield b" " * (1024 * 1024)

    r = httpx.post(f"{base}/v1/batch", content=chunks(), headers=NDJSON, timeout=60)
    _problem(r, 413, "body-too-large")
    _alive(client)


def test_a_batch_over_its_length_limit_is_refused_with_413(client: Any) -> None:
    body = "\n".join([_minimal()] * 51)
    r = client.post("/v1/batch", params={"lang": "en"}, content=body, headers=NDJSON)
    assert _problem(r, 413, "batch-too-long")["detail"] == (
        "the batch has 51 lines, more than the limit of 50 (max_batch_lines)"
    )
    _alive(client)


def test_unsupported_media_type_and_unknown_paths(client: Any) -> None:
    r = client.post("/v1/check", content=b"policy", headers={"content-type": "text/csv"})
    _problem(r, 415, "unsupported-media-type")
    r = client.post("/v1/batch", content=b"{}", headers={"content-type": "image/png"})
    _problem(r, 415, "unsupported-media-type")
    _problem(client.get("/v1/nothing"), 404, "not-found")
    _problem(client.get("/v1/check"), 405, "method-not-allowed")
    _problem(client.get("/v1/schemas/Nope"), 404, "unknown-schema")


def test_a_request_offering_an_h2c_upgrade_keeps_its_body(client: Any) -> None:
    # Java's HttpClient offers HTTP/2 this way by default; the server answers in HTTP/1.1
    headers = {
        **YAML,
        "Connection": "Upgrade, HTTP2-Settings",
        "Upgrade": "h2c",
        "HTTP2-Settings": "AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA",
    }
    path = ROOT / "examples" / "national-construction.yaml"
    r = client.post("/v1/check", content=path.read_bytes(), headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["policy_id"] == "AZ-2025-0001"


def test_client_disconnecting_mid_stream(client: Any, base: str) -> None:
    body = "\n".join([_example_json(ROOT / "examples" / "xinzhou-municipal.yaml")] * 50)
    with (
        httpx.Client(base_url=base, timeout=60) as other,
        other.stream("POST", "/v1/batch", content=body, headers=NDJSON) as r,
    ):
        lines = r.iter_lines()
        first = json.loads(next(lines))
        assert first["line"] == 1 and first["policy_id"] == "XZ-2025-0076"
    # the connection is gone mid-stream; the server answers the next requests correctly
    _alive(client)
    r = client.post("/v1/batch", content=_minimal(), headers=NDJSON)
    assert r.json()["result"]["policy_id"] == "P-TEST"


def test_a_client_going_away_stops_the_batch(monkeypatch: Any) -> None:
    import ansafe_rules.server.cases as cases

    evaluated: list[int] = []
    real = cases.iter_outcomes

    def counting(lines: Any, **kwargs: Any) -> Any:
        evaluated.append(1)
        return real(lines, **kwargs)

    monkeypatch.setattr(cases, "iter_outcomes", counting)
    body = "\n".join([_example_json(ROOT / "examples" / "xinzhou-municipal.yaml")] * 200)
    with serve_in_thread(ServerSettings(today=lambda: AS_OF)) as url:
        with (
            httpx.Client(base_url=url, timeout=60) as c,
            c.stream("POST", "/v1/batch", content=body, headers=NDJSON) as r,
        ):
            assert json.loads(next(r.iter_lines()))["line"] == 1
        seen = -1
        while seen != len(evaluated):  # until the count stops moving
            seen = len(evaluated)
            time.sleep(1.0)
        assert httpx.get(f"{url}/v1/health").json() == {"status": "ok"}
    assert len(evaluated) < 20  # of 200: the lines after the client left are not evaluated


def test_timeouts_give_503_and_cost_one_batch_line_only() -> None:
    settings = ServerSettings(today=lambda: AS_OF, server_limits=ServerLimits(timeout_seconds=1e-6))
    with serve_in_thread(settings) as url, httpx.Client(base_url=url, timeout=60) as c:
        body = _problem(
            c.post("/v1/check", params={"lang": "en"}, content=_minimal(), headers=JSON),
            503,
            "timeout",
        )
        assert body["detail"] == "request: evaluation took longer than 1e-06 s (timeout_seconds)"
        r = c.post("/v1/batch", content="\n".join([_minimal()] * 3), headers=NDJSON)
        got = [json.loads(x) for x in r.text.splitlines()]
        assert [(g["line"], g["error"]["status"]) for g in got] == [(1, 503), (2, 503), (3, 503)]
        assert c.get("/v1/health").json() == {"status": "ok"}


def test_lang_is_passed_to_the_library_once_it_takes_lang(monkeypatch: Any) -> None:
    import ansafe_rules.server.cases as server_app

    seen: list[str] = []
    real = server_app.evaluate_rows

    def evaluate_with_lang(*args: Any, lang: str, **kwargs: Any) -> ar.Evaluation:
        seen.append(lang)
        return real(*args, **kwargs)

    monkeypatch.setattr(server_app, "evaluate_rows", evaluate_with_lang)
    with serve_in_thread(ServerSettings(today=lambda: AS_OF)) as url:
        for lang in ("en", "zh"):
            r = httpx.post(
                f"{url}/v1/check", params={"lang": lang}, content=_minimal(), headers=JSON
            )
            assert r.status_code == 200, r.text
        r = httpx.post(f"{url}/v1/check", content=_minimal(), headers=JSON)
    assert seen == ["en", "zh", "zh"]  # zh unless asked: Chinese first


# -- catalogue, diff, schemas, version --------------------------------------------------------
def test_a_body_that_does_not_arrive_gets_408() -> None:
    settings = ServerSettings(server_limits=ServerLimits(read_timeout_seconds=0.5))
    with serve_in_thread(settings) as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as s:
            s.sendall(
                b"POST /v1/check?lang=en HTTP/1.1\r\nHost: x\r\n"
                b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"policy"'
            )  # 10 of the 100 bytes announced, then nothing
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408 ")
        assert b"content-type: application/problem+json" in head.lower()
        assert json.loads(body)["detail"] == (
            "the request body did not arrive within 0.5 s (read_timeout_seconds)"
        )
        assert httpx.get(f"{url}/v1/health").json() == {"status": "ok"}


def test_jurisdictions_and_rules(client: Any) -> None:
    got = client.get("/v1/jurisdictions").json()
    assert [j["id"] for j in got] == list(ar.jurisdictions())
    xz = next(j for j in got if j["id"] == "xinzhou")
    rs = ar.load_ruleset("xinzhou")
    assert xz["layers"] == ["national", "xinzhou"] and xz["rules"] == len(rs.rules)
    assert xz["digest"] == rs.digest
    cat = client.get("/v1/jurisdictions/xinzhou/rules").json()
    assert [(e["layer"], e["rule"]) for e in cat["rules"]] == [
        (r.layer, r.rule.model_dump(mode="json")) for r in rs.rules
    ]
    assert all(e["rule"]["citation"]["quote"] for e in cat["rules"])
    own = client.get("/v1/jurisdictions/xinzhou/rules", params={"layer": "xinzhou"}).json()
    assert {e["layer"] for e in own["rules"]} == {"xinzhou"}
    assert len(own["rules"]) == sum(r.layer == "xinzhou" for r in rs.rules)


def test_diff_is_the_librarys(client: Any) -> None:
    d = ar.diff(ar.load_ruleset("guangdong"), ar.load_ruleset("xinzhou"))
    got = client.get("/v1/diff", params={"a": "guangdong", "b": "xinzhou", "all": "true"})
    assert got.json() == d.model_dump(mode="json")
    changed = client.get("/v1/diff", params={"a": "guangdong", "b": "xinzhou"}).json()
    assert changed["obligations"] == [o.model_dump(mode="json") for o in d.changed()]
    assert len(changed["obligations"]) < len(d.obligations)


def test_schemas_version_health(client: Any) -> None:
    assert client.get("/v1/schemas").json() == ar.json_schemas()
    assert client.get("/v1/schemas/PolicyCase").json() == ar.json_schemas()["PolicyCase"]
    v = client.get("/v1/version").json()
    assert v["engine_version"] == ar.__version__ and v["api_version"] == "1"
    assert v["rulesets"] == {j: ar.load_ruleset(j).digest for j in ar.jurisdictions()}
    assert 2026 in v["official_years"]
    assert client.get("/v1/health").json() == {"status": "ok"}


def test_openapi_is_served_and_checked_in(client: Any) -> None:
    served = client.get("/v1/openapi.json").json()
    assert served["openapi"].startswith("3.1")
    checked_in = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert served == checked_in, "docs/openapi.json is stale: run python tools/gen_openapi.py"
    comps = served["components"]["schemas"]
    assert {"PolicyCase", "Problem", "BatchLine", "ReportSummary", "FullReport"} <= set(comps)
    responses = served["paths"]["/v1/check"]["post"]["responses"]
    assert set(responses["422"]["content"]) == {"application/problem+json"}
    assert "HTTPValidationError" not in json.dumps(served)


# -- the command line -------------------------------------------------------------------------
def test_serve_command_runs_and_stops() -> None:
    with serve_in_process(["--limit", "max_batch_lines=2"]) as url:
        r = httpx.post(f"{url}/v1/batch", content="{}\n{}\n{}", headers=NDJSON)
        assert _problem(r, 413, "batch-too-long")
        assert httpx.get(f"{url}/v1/health").json() == {"status": "ok"}


def test_two_workers_answer_alike() -> None:
    path = ROOT / "examples" / "shaoxing-school.yaml"
    with serve_in_process(["--in-force", "xinzhou=2026-01-01"], workers=2) as url:
        answers = {
            httpx.post(
                f"{url}/v1/check?as_of=2026-07-31", content=path.read_bytes(), headers=YAML
            ).text
            for _ in range(6)
        }
        v = httpx.get(f"{url}/v1/version").json()
    assert len(answers) == 1
    assert (
        v["rulesets"]["xinzhou"]
        == ar.load_ruleset("xinzhou", in_force={"xinzhou": dt.date(2026, 1, 1)}).digest
    )


def test_cli_does_not_import_fastapi_and_names_the_extra() -> None:
    code = (
        "import sys; import ansafe_rules.cli as c; c._parser(); "
        "assert 'fastapi' not in sys.modules, 'fastapi imported'; "
        "sys.modules['fastapi'] = None; sys.exit(c.main(['serve']))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == (
        "ansafe-rules: error: serve needs the server extra (fastapi is missing): "
        "pip install 'ansafe-rules[server]'"
    )


def test_serve_refuses_bad_settings(capsys: pytest.CaptureFixture[str]) -> None:
    from ansafe_rules.cli import main

    assert main(["serve", "--limit", "timeout_seconds=0"]) == 2
    assert "limit timeout_seconds: must be > 0" in capsys.readouterr().err
    assert main(["serve", "--calendar", "/nonexistent/cal.yaml"]) == 2
    assert "/nonexistent/cal.yaml" in capsys.readouterr().err
    assert main(["serve", "--in-force", "atlantis=2025-01-01"]) == 2
    assert "no jurisdiction 'atlantis'" in capsys.readouterr().err


def test_a_section_named_with_a_lone_surrogate_is_answered_not_a_500(client: Any) -> None:
    """A JSON ``\\ud800`` escape alone is not a character: the unknown section it names is an
    input issue named escaped, in a 200 answer (it was a 500: the issue could not be written
    as UTF-8), as the library names it."""
    body = _minimal()[:-1] + ', "\\ud800x": 1}'
    r = client.post("/v1/check", params={"as_of": "2026-07-31"}, content=body, headers=JSON)
    assert r.status_code == 200, r.text
    (issue,) = r.json()["input_issues"]
    lib = ar.parse_case(json.loads(body), "c.json").issues
    assert [issue["field"]] == [i.field for i in lib] == ["'\\ud800x'"]

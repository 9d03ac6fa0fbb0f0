"""The documented clients run against a live server and print what the library finds: the
Python httpx example (examples/http_client.py) and the Java 17 one
(examples/java/AnsafeClient.java, compiled and run when ``javac`` is present). Skipped without
the server extra unless ANSAFE_REQUIRE_SERVER=1 (CI, which also installs a JDK)."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ansafe_rules as ar

from .conftest import ROOT


def _need(module: str) -> Any:
    if os.environ.get("ANSAFE_REQUIRE_SERVER") == "1":
        return importlib.import_module(module)
    return pytest.importorskip(module, reason="the server extra is not installed")


_need("httpx")
_need("fastapi")

from ansafe_rules.server import ServerSettings  # noqa: E402
from ansafe_rules.server.testing import serve_in_thread  # noqa: E402

AS_OF = dt.date(2026, 7, 31)
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve_in_thread(ServerSettings(today=lambda: AS_OF)) as url:
        yield url


def _library(path: Path) -> ar.Report:
    parsed = ar.load_case_file(path)
    return ar.evaluate(ar.load_ruleset(parsed.case.policy.jurisdiction), parsed, as_of=AS_OF)


def test_httpx_example(base: str) -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "http_client.py"), base, "--as-of", str(AS_OF)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    expected = []
    for path in EXAMPLES:
        rep = _library(path)
        breaches = ", ".join(dict.fromkeys(f.rule_id for f in rep.violations))
        expected.append(
            f"check {path.name}: {rep.policy_id} [{'+'.join(rep.layers)}] "
            f"{rep.counts[ar.Status.violation]} violation(s), breaches: {breaches}"
        )
    assert out[: len(EXAMPLES)] == expected
    batch = out[len(EXAMPLES) : len(EXAMPLES) + 3]
    assert batch[0].startswith("batch line 1: B-1 {")
    assert batch[1] == "batch line 2: error: policy.policy_id: Input should be a valid string"
    assert batch[2].startswith("batch line 3: B-3 {")
    obligations = ar.obligations(
        ar.load_ruleset("national"),
        ar.load_case_file(ROOT / "examples" / "national-construction.yaml"),
    )
    dated = sorted((o for o in obligations if o.due_date), key=lambda o: o.due_date)[:3]
    assert out[len(EXAMPLES) + 3 : len(EXAMPLES) + 6] == [
        f"due {o.due_date} {o.rule_id} ({o.citation.clause})" for o in dated
    ]
    assert out[-1] == "error 422 application/problem+json: Unknown jurisdiction"


@pytest.mark.skipif(shutil.which("javac") is None, reason="no JDK (javac) on this machine")
def test_java_example(base: str, tmp_path: Path) -> None:
    source = ROOT / "examples" / "java" / "AnsafeClient.java"
    subprocess.run(["javac", "-d", str(tmp_path), str(source)], check=True, timeout=300)
    r = subprocess.run(
        ["java", "-cp", str(tmp_path), "AnsafeClient", base, str(AS_OF), *map(str, EXAMPLES)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    expected = [
        f"check {p.name}: 200 policy {rep.policy_id}, {rep.counts[ar.Status.violation]} "
        "violation(s)"
        for p, rep in ((p, _library(p)) for p in EXAMPLES)
    ]
    assert r.stdout.splitlines() == [
        *expected,
        "batch line 1: policy J-1",
        "batch line 2: error",
        "batch line 3: policy J-3",
        "error 422 application/problem+json: Unknown jurisdiction",
    ]

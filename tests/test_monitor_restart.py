"""Kill-and-restart: the command line killed with SIGKILL at random points of a 10,000-event
stream and restarted loses no event and writes no alert twice."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import ansafe_rules as ar

from .conftest import ROOT

try:
    import durable  # noqa: F401
except ImportError:  # pragma: no cover - exercised without the extra
    if os.environ.get("ANSAFE_REQUIRE_MONITOR") == "1":
        raise
    pytest.skip(
        "durable-rules is not installed (pip install 'ansafe-rules[monitor]')",
        allow_module_level=True,
    )

from ansafe_rules.monitor import events_from_case

N_EVENTS = 10_000


def _stream(n: int) -> list[str]:
    """``n`` events: copies of the Guangdong example under new policy ids, day by day, with a
    tick on each day without an event."""
    base = events_from_case(ar.load_case_file(ROOT / "examples" / "guangdong-housing.yaml"))
    pid = base[0]["policy_id"]
    out: list[tuple[str, int, dict]] = []
    k = 0
    while len(out) < n:
        for ev in base:
            new = {**ev, "policy_id": f"{pid}-{k}"}
            if "policy" in ev:  # the issue event names the policy twice
                new["policy"] = {**ev["policy"], "policy_id": f"{pid}-{k}"}
            out.append((ev["at"], len(out), new))
        k += 1
    out.sort(key=lambda t: (t[0], t[1]))
    lines: list[str] = []
    day = dt.date.fromisoformat(out[0][0])
    for at, _, ev in out:
        while day < dt.date.fromisoformat(at):
            lines.append(json.dumps({"type": "tick", "at": day.isoformat()}))
            day += dt.timedelta(days=1)
        lines.append(json.dumps(ev, ensure_ascii=False))
    return lines[:n]


def _cmd(events: Path, state: Path, output: Path) -> list[str]:
    return [
        sys.executable, "-m", "ansafe_rules", "monitor", str(events), "--jurisdiction",
        "guangdong", "--state", str(state), "--output", str(output), "--batch", "16",
    ]  # fmt: skip


def test_sigkill_at_random_points_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(_stream(N_EVENTS)) + "\n", encoding="utf-8")
    clean = tmp_path / "clean.jsonl"
    done = subprocess.run(_cmd(events, tmp_path / "clean.db", clean), capture_output=True)
    assert done.returncode == 0, done.stderr
    want = clean.read_bytes()
    assert want.count(b"\n") > 1000
    assert b'"kind":"data_error"' not in want  # every event is used
    rnd = random.Random(int(os.environ.get("ANSAFE_KILL_SEED", "20260731")))
    out = tmp_path / "killed.jsonl"
    kills = 0
    while True:  # killed 4 times at random points, then left to finish
        p = subprocess.Popen(_cmd(events, tmp_path / "killed.db", out), stderr=subprocess.PIPE)
        try:
            p.wait(timeout=rnd.uniform(1.0, 8.0) if kills < 4 else 600)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            p.wait()
            if p.stderr:
                p.stderr.close()
            kills += 1
            continue
        err = p.stderr.read() if p.stderr else b""
        if p.stderr:
            p.stderr.close()
        assert p.returncode == 0, err
        break
    assert kills == 4
    got = out.read_bytes()
    ids = [json.loads(x)["alert_id"] for x in got.splitlines()]
    assert len(ids) == len(set(ids))
    assert got == want

"""Scaled cases for the benchmarks: each example project with its records replicated (new ids)
up to N records in all, so that every ruleset is measured on the same kind of data at 10, 50,
200 ... 1,600 records per policy. Kept free of imports of ansafe_rules so that the engine
benchmark can hand the same cases to an older release of the package."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
RECORD_LISTS = (
    "service_records",
    "hazards",
    "complaints",
    "periodic_reports",
    "incidents",
    "risk_sources",
    "evaluation_reports",
)


def examples() -> dict[str, dict[str, Any]]:
    """jurisdiction -> its example case (raw data, dates as ISO strings)."""
    out = {}
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        data = json.loads(json.dumps(yaml.safe_load(path.read_text("utf-8")), default=str))
        out[data["policy"]["jurisdiction"]] = data
    return out


def scaled(case: dict[str, Any], records: int, policy_id: str) -> dict[str, Any]:
    """``case`` with its record lists replicated round-robin (ids suffixed) to ``records``."""
    out = copy.deepcopy(case)
    out["policy"]["policy_id"] = policy_id
    lists = [k for k in RECORD_LISTS if case.get(k)]
    made: dict[str, list[Any]] = {k: [] for k in lists}
    n, copy_no = 0, 0
    while n < records:
        for k in lists:
            for rec in case[k]:
                if n >= records:
                    break
                made[k].append({**rec, "id": f"{rec['id']}-{copy_no}"})
                n += 1
        copy_no += 1
    out.update(made)
    return out

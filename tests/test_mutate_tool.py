"""tools/mutate.py: mutants are enumerated from the rulesets, and a run tells killed from
survived (on a tiny fixture ruleset pinned by a tiny test)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import yaml

from .conftest import FIXTURES, ROOT

_spec = importlib.util.spec_from_file_location("mutate", ROOT / "tools" / "mutate.py")
assert _spec is not None and _spec.loader is not None
mutate = importlib.util.module_from_spec(_spec)
sys.modules["mutate"] = mutate
_spec.loader.exec_module(mutate)

TINY_TEST = """
import datetime as dt

import ansafe_rules as ar

D = dt.date


def test_callback_within_5_workdays():
    rs = ar.load_ruleset("tiny")
    policy = {"policy_id": "P", "jurisdiction": "tiny", "insurer": "I", "insured": "J",
              "industry": "construction", "term_start": "2025-03-01", "term_end": "2025-12-31"}

    def status(callback):
        rec = {"id": "S", "kind": "training", "completed_on": "2025-03-05",
               "callback_on": callback}
        rep = ar.evaluate(rs, {"policy": policy, "service_records": [rec]}, as_of=D(2025, 6, 1))
        (f,) = [f for f in rep.findings if f.rule_id == "tiny.callback"]
        return f.status

    assert status("2025-03-11") is ar.Status.compliant  # working day 4
    assert status("2025-03-12") is ar.Status.compliant  # working day 5 (5 days: Mon 03-10)
    assert status("2025-03-13") is ar.Status.violation  # working day 6
"""


def _ids(name: str, kinds=mutate.KINDS) -> set[str]:
    return {m.id for m in mutate.enumerate_mutants(ROOT / "rulesets" / f"{name}.yaml", kinds)}


def test_numeric_mutants_of_national_are_listed() -> None:
    ids = _ids("national", ["numeric"])
    assert "national.yaml:national.service.callback:params.period.amount:5->4" in ids
    assert "national.yaml:national.service.callback:params.period.amount:5->6" in ids
    assert all(":citation" not in i and ":interpretive" not in i for i in ids)


def test_a_one_unit_workdays_days_swap_is_equivalent_and_not_run() -> None:
    """1个工作日 and 1日 rolled past rest days give the same due date for every trigger: such a
    mutant cannot be killed and is reported apart, not as a survivor."""
    muts = {m.id: m for m in mutate.enumerate_mutants(ROOT / "rulesets" / "national.yaml")}
    one = muts["national.yaml:national.hazard.major_notice:params.period.unit:workdays->days"]
    assert one.equivalent is not None and "same day" in one.equivalent
    five = muts["national.yaml:national.service.callback:params.period.unit:workdays->days"]
    assert five.equivalent is None


def test_units_swap_both_ways_and_every_rule_is_dropped() -> None:
    tiny = FIXTURES / "mutate" / "rulesets" / "tiny.yaml"
    ids = {m.id for m in mutate.enumerate_mutants(tiny)}
    assert "tiny.yaml:tiny.callback:params.period.unit:workdays->days" in ids
    assert "tiny.yaml:tiny.report:params.period.unit:days->workdays" in ids
    assert "tiny.yaml:tiny.no_extra_fee:params.forbid[0].value:0->1" in ids
    for name in mutate.rulesets_of(ROOT):
        rules = yaml.safe_load((ROOT / "rulesets" / f"{name}.yaml").read_text("utf-8"))["rules"]
        drops = {
            m.target
            for m in mutate.enumerate_mutants(ROOT / "rulesets" / f"{name}.yaml")
            if m.kind == "drop"
        }
        assert drops == {r["id"] for r in rules}, name


def test_each_mutant_changes_one_value_and_loads() -> None:
    path = ROOT / "rulesets" / "shaoxing.yaml"
    text = path.read_text("utf-8")
    before = yaml.safe_load(text)
    by_id = {m.id: m for m in mutate.enumerate_mutants(path)}
    m = by_id["shaoxing.yaml:shaoxing.inspection.first:rule:present->dropped"]
    after = yaml.safe_load(m.apply(text))
    assert [r["id"] for r in after["rules"]] == [
        r["id"] for r in before["rules"] if r["id"] != "shaoxing.inspection.first"
    ]
    # the checklist row naming the dropped rule is cleaned, so the mutant loads
    assert "shaoxing.inspection.first" not in json.dumps(after["checklists"])
    assert mutate.invalid_reason(ROOT, m) is None
    # so are the rows of a child's checklist naming a dropped national rule
    national = ROOT / "rulesets" / "national.yaml"
    cascaded = [m for m in mutate.enumerate_mutants(national, ["drop"]) if m.other_edits]
    assert cascaded  # shaoxing's checklists name national rules
    assert mutate.invalid_reason(ROOT, cascaded[0]) is None
    same_day = next(i for i in by_id if i.endswith("params.period.amount:0->1"))
    assert "same_day" in mutate.invalid_reason(ROOT, by_id[same_day])


def test_a_run_tells_killed_from_survived(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    (root / "tests").mkdir(parents=True)
    (root / "src").symlink_to(ROOT / "src")
    shutil.copytree(FIXTURES / "mutate" / "rulesets", root / "rulesets")
    (root / "tests" / "test_tiny.py").write_text(TINY_TEST, "utf-8")
    killed = "tiny.yaml:tiny.callback:params.period.unit:workdays->days"
    survivor = "tiny.yaml:tiny.no_extra_fee:params.forbid[0].value:0->1"
    out = tmp_path / "results.json"
    argv = ["--root", str(root), "--jobs", "2", "--json", str(out), "--no-baseline"]
    rc = mutate.main([*argv, "--match", killed, "--match", survivor])
    assert rc == 1  # a survivor
    res = json.loads(out.read_text("utf-8"))
    assert {r["id"]: r["status"] for r in res["results"]} == {
        killed: "killed",
        survivor: "survived",
    }
    assert res["survivors"] == [survivor]

"""The strict ruleset loader: every broken fixture fails with the message it declares."""

from __future__ import annotations

from pathlib import Path

import pytest

import ansafe_rules as ar
from ansafe_rules._yaml import load_yaml_text

from .conftest import FIXTURES

BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))


def _expected(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: '"
    return first.removeprefix("# expect: ")


def test_there_is_a_fixture_per_error() -> None:
    assert len(BROKEN) >= 20


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_fixture_fails_with_its_message(path: Path) -> None:
    with pytest.raises(ar.RulesetError) as info:
        ar.load_ruleset(path)
    msg = str(info.value)
    assert _expected(path) in msg
    assert str(path) in msg, "every loader error names the file"


def test_unknown_jurisdiction_lists_the_available_ones() -> None:
    with pytest.raises(
        ar.RulesetError, match=r"unknown jurisdiction 'mars'; available: .*national"
    ):
        ar.load_ruleset("mars")


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ar.RulesetError, match="no such ruleset file"):
        ar.load_ruleset(tmp_path / "none.yaml")


def test_duplicate_keys_are_rejected_even_nested() -> None:
    with pytest.raises(ar.RulesetError, match=r"x.yaml: line 3: duplicate key 'b'"):
        load_yaml_text("a:\n  b: 1\n  b: 2\n", "x.yaml")


def test_runtime_override_of_unknown_rule(national: ar.ResolvedRuleset) -> None:
    with pytest.raises(ar.RulesetError, match=r"override names unknown rule 'national\.x'"):
        national.with_overrides({"national.x": {}})


def test_runtime_override_replaces_an_interpretive_parameter(
    national: ar.ResolvedRuleset,
) -> None:
    changed = national.with_overrides(
        {"national.hazard.major_notice": {"period": {"amount": 0, "unit": "same_day"}}}
    )
    rr = changed.rule("national.hazard.major_notice")
    assert rr.rule.params.period.unit.value == "same_day"
    assert rr.overridden_by == ("runtime",)
    # the original is untouched (resolved rulesets are immutable values)
    assert national.rule("national.hazard.major_notice").rule.params.period.amount == 1


def test_runtime_override_is_validated(national: ar.ResolvedRuleset) -> None:
    with pytest.raises(ar.RulesetError, match=r"field 'params.period.unit'"):
        national.with_overrides(
            {"national.service.callback": {"period": {"amount": 1, "unit": "weeks"}}}
        )


def test_jurisdictions_lists_shipped_rulesets() -> None:
    assert "national" in ar.jurisdictions()

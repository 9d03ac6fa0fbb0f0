"""Fidelity to the law: every quote is verbatim in its source text; registry, files and docs
agree; every interpretive reading is documented."""

from __future__ import annotations

import re

import pytest

import ansafe_rules as ar
from ansafe_rules.loader import packaged_rulesets_dir, quote_problems

from .conftest import FIXTURES, ROOT, SOURCES

SHIPPED = ar.jurisdictions()


def _layers_with_sources():
    for j in SHIPPED:
        rs = ar.load_ruleset(j)
        top = rs.layers[-1]
        yield j, top, [r for r in rs.rules if r.layer == top.id]


@pytest.mark.skipif(
    not SOURCES.is_dir(),
    reason=f"source texts not found at {SOURCES}: clone with ../shared beside the repository "
    "to check quotes against the law",
)
@pytest.mark.parametrize("jurisdiction", SHIPPED)
def test_every_quote_is_verbatim(jurisdiction: str) -> None:
    """The matching ``ansafe-rules validate`` does (one implementation: quote_problems)."""
    rs = ar.load_ruleset(jurisdiction)
    top = rs.layers[-1]
    text = (SOURCES / top.source_file).read_text(encoding="utf-8")
    assert any(r.layer == top.id for r in rs.rules), f"{jurisdiction} defines no rules"
    bad = [(q.rule_id, q.quote) for q in quote_problems(rs, text)]
    assert not bad, f"quotes not verbatim in {top.source_file}: {bad}"


def test_fixture_jurisdiction_quotes_are_verbatim_too() -> None:
    rs = ar.load_ruleset(FIXTURES / "jurisdictions" / "atlantis.yaml")
    text = (FIXTURES / "jurisdictions" / "atlantis.txt").read_text(encoding="utf-8")
    assert quote_problems(rs, text) == []
    assert [q.rule_id for q in quote_problems(rs, text.replace("12小时", "6小时"))] == [
        "atlantis.incident.report"
    ]


def test_registry_files_and_docs_agree() -> None:
    files = sorted(p.stem for p in packaged_rulesets_dir().glob("*.yaml"))
    assert list(SHIPPED) == files
    doc = (ROOT / "docs" / "jurisdictions.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `([a-z_]+)` \|", doc, flags=re.M)
    assert documented == files, "docs/jurisdictions.md must list every shipped ruleset, in order"


_DOC_REF = re.compile(r"docs/(interpretations\.md|readings/[a-z_]+\.md)#([a-z0-9-]+)")


def _anchors(rel: str) -> set[str]:
    path = ROOT / "docs" / rel
    assert path.is_file(), f"docs/{rel} does not exist"
    return set(re.findall(r"^#+ .*\{#([a-z0-9-]+)\}$", path.read_text(encoding="utf-8"), re.M))


def test_every_interpretive_reading_is_documented() -> None:
    """Every reading points to a section of docs/interpretations.md or of its jurisdiction's
    docs/readings/<id>.md, and every section it points to exists; every rule with a reading is
    named in the docs (the generated index)."""
    doc = (ROOT / "docs" / "interpretations.md").read_text(encoding="utf-8")
    for j in SHIPPED:
        for rr in ar.load_ruleset(j).rules:
            for param, reading in rr.rule.interpretive.items():
                assert rr.rule.id in doc, f"{rr.rule.id} ({param}) is not explained in docs"
                refs = _DOC_REF.findall(reading)
                assert refs, f"{rr.rule.id}.{param}: reading must point to its docs section"
                for rel, anchor in refs:
                    assert anchor in _anchors(rel), f"{rr.rule.id}: no section docs/{rel}#{anchor}"
        for rw in ar.load_ruleset(j).windows:
            if rw.window.interpretive:
                refs = _DOC_REF.findall(rw.window.interpretive)
                assert refs and all(a in _anchors(r) for r, a in refs), (
                    f"window {rw.window.id}: no docs section"
                )


def test_every_readings_page_is_linked_from_the_index() -> None:
    doc = (ROOT / "docs" / "interpretations.md").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs" / "readings").glob("*.md")):
        assert f"readings/{page.name}" in doc, f"docs/interpretations.md does not link {page.name}"


def test_every_rule_has_an_effective_note_and_source() -> None:
    for j in SHIPPED:
        for layer in ar.load_ruleset(j).layers:
            assert layer.effective.note
            assert layer.source_file.endswith(".txt")

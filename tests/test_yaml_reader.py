"""The event-based YAML reader against the node-based one: the same data (line numbers of
mappings included) for every YAML file shipped, for generated documents with aliases, and the
same error for every document either refuses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ansafe_rules._errors import RulesetError
from ansafe_rules._yaml import (
    DEFAULT_MAX_ALIAS_NODES,
    DEFAULT_MAX_DEPTH,
    LineDict,
    _from_events,
    _load_by_nodes,
    _StrictLoader,
    _Unusual,
    load_yaml_text,
)

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    p
    for d in ("rulesets", "examples", "tests")
    for p in (ROOT / d).rglob("*")
    if p.suffix in (".yaml", ".yml") and p.is_file()
)


def _lines(x: object) -> object:
    """The data with every mapping's line made visible, so equality checks it too."""
    if isinstance(x, LineDict):
        return {"__line__": x.line, **{k: _lines(v) for k, v in x.items()}}
    if isinstance(x, dict):
        return {k: _lines(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_lines(v) for v in x]
    return x


def _nodes(text: str) -> object:
    return _load_by_nodes(
        text, "doc", max_depth=DEFAULT_MAX_DEPTH, max_alias_nodes=DEFAULT_MAX_ALIAS_NODES
    )


def _outcome(fn, text: str) -> tuple[str, object]:
    try:
        return "ok", _lines(fn(text))
    except RulesetError as exc:
        return "error", str(exc)


def _events_only(text: str) -> object:
    loader = _StrictLoader(text)
    try:
        return _from_events(loader, DEFAULT_MAX_DEPTH, DEFAULT_MAX_ALIAS_NODES)
    finally:
        loader.dispose()


def test_the_files_are_found() -> None:
    assert len(FILES) > 20
    assert any(p.parent.name == "rulesets" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_file_reads_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = _outcome(_nodes, text)
    assert _outcome(lambda t: load_yaml_text(t, "doc"), text) == expected
    if expected[0] == "ok":  # and the fast path itself read it (no silent fallback)
        try:
            got = _events_only(text)
        except _Unusual:
            return  # e.g. a fixture with a merge key or a tag: the node reader's job
        assert _lines(got) == expected[1]


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)
KEYS = st.one_of(st.text(max_size=8), st.integers(-5, 5))
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(DATA, st.booleans(), st.booleans())
def test_generated_documents_read_the_same(data: object, flow: bool, share: bool) -> None:
    doc = [data, data] if share else data  # shared objects are dumped as anchor and alias
    text = yaml.safe_dump(doc, default_flow_style=flow, allow_unicode=True, sort_keys=False)
    assert _outcome(lambda t: load_yaml_text(t, "doc"), text) == _outcome(_nodes, text)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key
        "? [1, 2]\n: x\n",  # unhashable key
        "a: &x [1, *x]\n",  # recursive alias
        "a: *nope\n",  # undefined alias
        "a: 1\n---\nb: 2\n",  # two documents
        "a: [1, 2\n",  # syntax
        "x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        + "".join(
            f"y{i}: &a{i} [*{'a' if i == 0 else f'a{i - 1}'}, *{'a' if i == 0 else f'a{i - 1}'}]\n"
            for i in range(20)
        ),
        "[" * 70 + "]" * 70 + "\n",  # too deep
        "a: !!set {x, y}\n",  # a tag on a collection
        "base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n",  # a merge key
        "a: !!binary '%%%'\n",
        "d: 2025-02-30\nn: " + "9" * 5000 + "\n",
    ],
)
def test_unusual_documents_read_as_before(text: str) -> None:
    assert _outcome(lambda t: load_yaml_text(t, "doc"), text) == _outcome(_nodes, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("staff: !!seq x\n", "doc: line 1: a scalar tagged tag:yaml.org,2002:seq is not supported"),
        ("!!seq x\n", "doc: line 1: a scalar tagged tag:yaml.org,2002:seq is not supported"),
        ("a: !!map x\n", "doc: line 1: a scalar tagged tag:yaml.org,2002:map is not supported"),
        ("a: 1\nb: !!float x\n", "doc: line 2: 'x' cannot be read as !!float (ValueError)"),
        ("a: !!bool x\n", "doc: line 1: 'x' cannot be read as !!bool (KeyError)"),
        ("a: !!timestamp x\n", "doc: line 1: 'x' cannot be read as !!timestamp (AttributeError)"),
        ("a: &x 1\nb: &x 2\n", "doc: line 2: second occurrence (column 4)"),
    ],
)
def test_tags_and_anchors_the_reader_refuses(text: str, message: str) -> None:
    """A scalar tagged as a collection (or binary) is refused, a value its tag cannot build is
    an error naming the line, a reused anchor is refused: never a Python object or a bare
    exception in the data."""
    with pytest.raises(RulesetError) as exc:
        load_yaml_text(text, "doc")
    assert str(exc.value) == message


def test_a_case_with_an_unreadable_value_names_the_file(tmp_path: Path) -> None:
    import ansafe_rules as ar

    case = tmp_path / "c.yaml"
    case.write_text("policy:\n  policy_id: !!float x\n", encoding="utf-8")
    with pytest.raises(ar.InputError) as exc:
        ar.load_case_file(case)
    assert str(exc.value) == f"{case}: line 2: 'x' cannot be read as !!float (ValueError)"

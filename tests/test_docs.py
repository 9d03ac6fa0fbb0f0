"""Examples in the README and docs are executed, so they cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCKS = [
    (path, i, code)
    for path in DOCS
    for i, code in enumerate(re.findall(r"```python\n(.*?)```", path.read_text("utf-8"), re.S))
]


def test_there_are_examples() -> None:
    assert any(p.name == "README.md" for p, _, _ in BLOCKS)


@pytest.mark.parametrize("path,index,code", BLOCKS, ids=[f"{p.name}#{i}" for p, i, _ in BLOCKS])
def test_example_runs(path: Path, index: int, code: str) -> None:
    exec(compile(code, f"{path.name}#python{index}", "exec"), {})


def test_readme_commands_match_ci() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    test_cmd = re.findall(r"^python3 -m venv .*pytest$", readme, re.M)
    assert test_cmd and test_cmd[0] in ci


def test_generated_docs_are_fresh() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    for path, content in gen.targets().items():
        assert path.read_text("utf-8") == content, f"{path} is stale: run python tools/gen_docs.py"

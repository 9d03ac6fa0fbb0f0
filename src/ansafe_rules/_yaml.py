"""Strict YAML reading: safe constructors only, duplicate keys are errors, line numbers kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ._errors import AnsafeError, RulesetError

__all__ = ["load_yaml_file", "load_yaml_text", "read_text"]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (line {line}; first at line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml_text(text: str, name: str = "<string>") -> Any:
    """Parse YAML text strictly; errors are ``RulesetError`` naming ``name`` and the line."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RulesetError(f"{name}:{where}: {problem}") from exc


def read_text(path: str | Path, error: type[AnsafeError] = RulesetError) -> str:
    """A UTF-8 file's text; an unreadable file raises ``error`` naming it."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{p}: cannot read file: {exc.strerror}") from None


def load_yaml_file(path: str | Path) -> Any:
    return load_yaml_text(read_text(path), str(path))

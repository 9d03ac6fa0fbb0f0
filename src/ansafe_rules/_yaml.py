"""Strict YAML reading: safe constructors only, duplicate keys are errors, line numbers kept.

Bounded: nesting deeper than ``max_depth`` and aliases that would expand to more than
``max_alias_nodes`` extra nodes ("billion laughs") are refused before anything is built, so a
hostile document costs neither memory nor a traceback. Scalars PyYAML cannot build (an impossible
date such as ``2025-02-30``, an integer too long for Python) are kept as strings, so the model
that reads them reports the field instead of the whole file failing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ._errors import AnsafeError, RulesetError, error_at

__all__ = [
    "DEFAULT_MAX_ALIAS_NODES",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_FILE_BYTES",
    "decode",
    "load_yaml_file",
    "load_yaml_text",
    "read_bytes",
    "read_text",
]

DEFAULT_MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences accepted in a YAML or JSON document."""
DEFAULT_MAX_ALIAS_NODES = 10_000
"""Most nodes aliases may add when expanded (a billion-laughs document adds ~10^9)."""
DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest case or ruleset file read (256 MiB)."""

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A mapping read from YAML, remembering the line it starts on (``line``, 1-based)."""

    __slots__ = ("line",)


class _StrictLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that rejects duplicate and unhashable mapping keys (PyYAML silently keeps the
    last duplicate, and raises ``TypeError`` on a mapping used as a key)."""


def _problem(msg_id: str, node: yaml.Node, **args: Any) -> yaml.constructor.ConstructorError:
    """The reader's own objection to ``node`` (catalogue message ``msg_id``): the English as
    the parser's problems are, the Chinese kept beside it (``problem_zh``)."""
    from .i18n import pair  # not at import: the catalogue's module imports this one

    zh, en = pair(msg_id, **args)
    exc = yaml.constructor.ConstructorError(None, None, en, node.start_mark)
    exc.problem_zh = zh  # type: ignore[attr-defined]
    return exc


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    out = LineDict()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            kind = "mapping" if isinstance(key, dict) else type(key).__name__
            raise _problem("yaml.key_not_scalar", key_node, kind=kind) from None
        if key in seen:
            first = seen[key]
            raise _problem("yaml.duplicate_key", key_node, key=repr(key), line=line, first=first)
        seen[key] = line
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


def _construct_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):  # e.g. 2025-02-30: the model reports the field
        return loader.construct_scalar(node)


def _construct_int(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:  # more digits than Python converts: the model reports the field
        return loader.construct_scalar(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _bad_scalar(root: yaml.Node) -> yaml.Node | None:
    """The first scalar whose tag is neither one of :data:`_SCALAR_TAGS` nor a merge key
    (iteratively; the graph is known to be bounded and acyclic here)."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _SCALAR_TAGS and node.tag != _MERGE:
                return node
        else:
            stack.extend(reversed(_children(node)))
    return None


def _check_graph(root: yaml.Node, name: str, max_depth: int, max_alias_nodes: int) -> None:
    """Refuse deep nesting, alias cycles and alias expansion beyond the limits (iteratively:
    the check itself never recurses)."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            active.discard(key)
            if depth[key] > max_depth:
                line = node.start_mark.line + 1
                raise error_at(RulesetError, name, "input.too_deep", line=line, max_depth=max_depth)
            continue
        if key in size:
            continue
        if key in active:
            raise error_at(
                RulesetError, name, "yaml.recursive_alias", line=node.start_mark.line + 1
            )
        active.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in _children(node) if id(k) not in size)
    extra = size[id(root)] - len(size)
    if extra > max_alias_nodes:
        most = f"{max_alias_nodes:,}"
        raise error_at(RulesetError, name, "yaml.alias_expansion", extra=f"{extra:,}", most=most)


class _Unusual(Exception):
    """The document needs the node-based reader: a tag on a collection, a merge key, a
    duplicate or unhashable key, more than one document, or a limit passed (whose error the
    node-based reader words, with its line)."""


_MAP = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG
_SEQ = yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
_MERGE = "tag:yaml.org,2002:merge"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")
)
"""The tags a scalar may carry: a value of any other (``!!seq x``, ``!!binary``…) is refused."""


class _Open:
    """A mapping or sequence being built from parser events."""

    __slots__ = ("anchor", "depth", "key", "obj", "size")

    def __init__(self, obj: Any, anchor: str | None) -> None:
        self.obj, self.anchor = obj, anchor
        self.key: Any = _NO_KEY
        self.size = 1  # nodes in this collection, itself included (aliases expanded)
        self.depth = 1  # levels below and including it


_NO_KEY = object()


def _from_events(loader: Any, max_depth: int, max_alias_nodes: int, name: str = "<string>") -> Any:
    """The document built straight from the parser's events, never holding the node graph
    (a 200,000-record case would hold ~3 KB of nodes per record). Raises :class:`_Unusual`
    for what only the node-based reader handles or words, and ``RulesetError`` for a scalar
    that cannot be read (``!!float x``), naming its line."""
    anchors: dict[str, tuple[Any, int, int]] = {}  # anchor -> (object, size, depth)
    stack: list[_Open] = []
    extra = 0  # nodes added by aliases
    root: Any = None
    done = False

    def put(value: Any, size: int, depth: int) -> None:
        nonlocal root, done
        if not stack:
            root, done = value, True
            return
        top = stack[-1]
        top.size += size
        top.depth = max(top.depth, depth + 1)
        if len(stack) + depth > max_depth:
            raise _Unusual
        if isinstance(top.obj, list):
            top.obj.append(value)
        elif top.key is _NO_KEY:
            try:
                if value in top.obj:  # every earlier key already holds its value
                    raise _Unusual
            except TypeError:  # unhashable key
                raise _Unusual from None
            top.key = value
        else:
            top.obj[top.key] = value
            top.key = _NO_KEY

    while True:
        ev = loader.get_event()
        if isinstance(ev, yaml.ScalarEvent):
            tag = ev.tag
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.ScalarNode, ev.value, ev.implicit)
            make = loader.yaml_constructors.get(tag)
            if make is None or tag not in _SCALAR_TAGS or ev.anchor in anchors:
                raise _Unusual  # a merge key, another tag, a reused anchor: the node reader's
            node = yaml.ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark, ev.style)
            try:
                value = make(loader, node)
            except (ValueError, TypeError, KeyError, AttributeError, yaml.YAMLError) as exc:
                raise _unreadable(name, node, exc) from None
            if ev.anchor is not None:
                anchors[ev.anchor] = (value, 1, 1)
            put(value, 1, 1)
        elif isinstance(ev, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            mapping = isinstance(ev, yaml.MappingStartEvent)
            if ev.tag not in (None, "!", _MAP if mapping else _SEQ):
                raise _Unusual
            if mapping:
                obj: Any = LineDict()
                obj.line = ev.start_mark.line + 1
            else:
                obj = []
            if stack and stack[-1].key is _NO_KEY and isinstance(stack[-1].obj, dict):
                raise _Unusual  # a collection as a key
            if ev.anchor is not None and (
                ev.anchor in anchors or any(o.anchor == ev.anchor for o in stack)
            ):
                raise _Unusual  # a reused anchor: the node reader refuses it
            stack.append(_Open(obj, ev.anchor))
            if len(stack) > max_depth:
                raise _Unusual
        elif isinstance(ev, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            top = stack.pop()
            if top.anchor is not None:
                anchors[top.anchor] = (top.obj, top.size, top.depth)
            put(top.obj, top.size, top.depth)
        elif isinstance(ev, yaml.AliasEvent):
            got = anchors.get(ev.anchor)
            if got is None:  # undefined, or refers to itself (still open)
                raise _Unusual
            value, size, depth = got
            extra += size
            if extra > max_alias_nodes:
                raise _Unusual
            put(value, size, depth)
        elif isinstance(ev, yaml.DocumentStartEvent):
            if done:
                raise _Unusual  # a second document
        elif isinstance(ev, yaml.StreamEndEvent):
            return root


def _unreadable(name: str, node: yaml.Node, exc: BaseException) -> RulesetError:
    """A scalar its tag cannot build (``!!float x``), as an error naming the line."""
    tag = str(node.tag).rsplit(":", 1)[-1]
    line = node.start_mark.line + 1
    error = type(exc).__name__
    return error_at(
        RulesetError,
        name,
        "yaml.unreadable_scalar",
        line=line,
        value=repr(node.value),
        tag=tag,
        error=error,
    )


def _python_parser_error(text: str) -> yaml.YAMLError | None:
    """The pure-Python parser's wording of a syntax error (clearer than libyaml's). Parsing
    events does not recurse, so this is safe on any input."""
    try:
        for _ in yaml.parse(text, Loader=yaml.SafeLoader):
            pass
    except yaml.YAMLError as exc:
        return exc
    return None


def load_yaml_text(
    text: str,
    name: str = "<string>",
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_alias_nodes: int = DEFAULT_MAX_ALIAS_NODES,
) -> Any:
    """Parse YAML text strictly; errors are ``RulesetError`` naming ``name``, line and column.

    Built from the parser's events; a document that needs more (tags on collections, merge
    keys) or has an error is read again by the node-based reader, which words the error."""
    loader = _StrictLoader(text)
    try:
        return _from_events(loader, max_depth, max_alias_nodes, name)
    except (_Unusual, yaml.YAMLError, RecursionError):
        pass
    finally:
        loader.dispose()
    return _load_by_nodes(text, name, max_depth=max_depth, max_alias_nodes=max_alias_nodes)


def _load_by_nodes(text: str, name: str, *, max_depth: int, max_alias_nodes: int) -> Any:
    """The node-based reader: composes the whole node graph, checks it against the limits,
    then builds it."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, name, max_depth, max_alias_nodes)
        bad = _bad_scalar(node)
        if bad is not None:
            line = bad.start_mark.line + 1
            raise error_at(RulesetError, name, "yaml.tag_unsupported", line=line, tag=bad.tag)
        try:
            return loader.construct_document(node)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise error_at(RulesetError, name, "yaml.bad_value", error=type(exc).__name__) from None
    except yaml.YAMLError as exc:
        if "nesting depth" in str(exc):  # libyaml refuses more than 1000 levels
            raise error_at(RulesetError, name, "yaml.too_deep", max_depth=max_depth) from None
        if isinstance(exc, yaml.scanner.ScannerError | yaml.parser.ParserError) and len(text) < (
            1 << 20
        ):
            exc = _python_parser_error(text) or exc
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        said = {"problem": problem, "problem_zh": getattr(exc, "problem_zh", None)}
        if said["problem_zh"] is None:  # the parser's own words, behind a Chinese lead
            said["problem_zh"] = _lead("yaml.problem", problem)
        if mark is None:  # written as it always was: the file, an empty place, the problem
            raise error_at(RulesetError, f"{name}:", "yaml.syntax", **said) from None
        line, column = mark.line + 1, mark.column + 1
        raise error_at(
            RulesetError, name, "yaml.syntax_at", line=line, column=column, **said
        ) from None
    except RecursionError:
        raise error_at(RulesetError, name, "yaml.too_deep_to_read", max_depth=max_depth) from None
    finally:
        loader.dispose()


def _lead(msg_id: str, problem: str) -> str:
    """The YAML parser's own (English) words behind the Chinese lead of ``msg_id``."""
    from .i18n import text

    return text(msg_id, "zh").format(problem=problem)


def read_bytes(
    path: str | Path,
    error: type[AnsafeError] = RulesetError,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> bytes:
    """A file's bytes; an unreadable or too large file raises ``error`` naming it (in English
    and Chinese)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise error_at(
                error, str(p), "input.file_too_large", size=f"{size:,}", max_bytes=f"{max_bytes:,}"
            )
        return p.read_bytes()
    except OSError as exc:
        raise error_at(error, str(p), "input.cannot_read", error=exc.strerror) from None


def decode(data: bytes, name: str, error: type[AnsafeError] = RulesetError, line: int = 0) -> str:
    """UTF-8 text of ``data``; invalid bytes raise ``error`` naming the file, line and byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        n = line or data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        what = "input.not_utf8_in_line" if line else "input.not_utf8_at"
        raise error_at(error, name, what, line=n, hex=bad, byte=exc.start + 1) from None


def read_text(
    path: str | Path,
    error: type[AnsafeError] = RulesetError,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> str:
    """A UTF-8 file's text; an unreadable, too large or non-UTF-8 file raises ``error``."""
    return decode(read_bytes(path, error, max_bytes), str(path), error)


def load_yaml_file(path: str | Path) -> Any:
    return load_yaml_text(read_text(path), str(path))

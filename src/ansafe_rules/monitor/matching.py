"""Which rules an event touches: each rule's dependencies read from its YAML (subject, trigger,
action, where, applies_if... every path it names), compiled into a durable-rules ruleset.

A change is posted to durable-rules as a fact ``{c: collection, new: bool, f_<field>: true}``
(asserted, then retracted): every rule whose condition matches fires and is re-judged. A rule
depends on a collection as a whole (any change of it) or on some of its fields; a new record, a
policy change or a change of ``id`` touches every rule reading that collection. Nothing is
written per rule in Python: a sixth jurisdiction's YAML is compiled the same way.

Isolation: each :class:`Matcher` owns a private durable-rules ``Host`` (no module-level host, no
background timer threads: this engine never reads the wall clock) and a ruleset name unique to
it, deleted by :meth:`Matcher.close`. A matcher is not thread-safe; :class:`Monitor` serialises
calls with its lock.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable
from typing import Any

from ..rulesets import ResolvedRuleset, Rule
from .events import COLLECTIONS, SINGLES

__all__ = ["ALL", "Matcher", "dependencies", "import_durable"]

ALL = "*"
"""Depends on every field of a collection."""

_NAMES = frozenset((*COLLECTIONS, *SINGLES))
_FIELDS = {n: frozenset(m.model_fields) for n, m in {**COLLECTIONS, **SINGLES}.items()}
# subjects that are not a case field: who they read
_SUBJECT_READS = {"staff": "organisations", "contract_services": "policy"}
# fields a kind reads without naming them in its parameters
_IMPLICIT = {"frequency": ("kind", "date"), "deadline": (), "retention": ()}
_INSTALL = "pip install 'ansafe-rules[monitor]'"


def import_durable() -> Any:
    """The durable-rules engine module, or an ImportError saying how to install it."""
    try:
        from durable import engine
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise ImportError(f"the monitor needs durable-rules: {_INSTALL}") from exc
    return engine


def _strings(obj: Any) -> Iterable[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from _strings(v)


def dependencies(rule: Rule) -> dict[str, frozenset[str]]:
    """collection -> the fields the rule reads from it (``ALL``: any change), from every path
    and name in the rule's parameters, conditions and scope field. The policy is read by every
    rule (its term, jurisdiction, parties) and is left implicit."""
    params = rule.params.model_dump(mode="json")
    subject = params["subject"]
    deps: dict[str, set[str]] = {}

    def add(coll: str, field: str) -> None:
        deps.setdefault(coll, set()).add(field)

    own = _SUBJECT_READS.get(subject, subject)
    if own in _NAMES:
        add(own, "id")
        for f in _IMPLICIT.get(rule.kind.value, ()):
            add(own, f)
    if subject == "staff":
        add("organisations", ALL)
    scanned = {k: v for k, v in params.items() if k != "subject"}  # the subject is `own`
    texts = [*_strings(scanned), *_strings([c.model_dump() for c in rule.applies_if])]
    if rule.scope_field:
        texts.append(rule.scope_field)
    for text in texts:
        path = text.removeprefix("$case.").split("|")[0]
        parts = path.split(".")
        if parts[0] in _NAMES:
            add(parts[0], parts[1] if len(parts) > 1 and parts[1] in _FIELDS[parts[0]] else ALL)
        elif own in _FIELDS and parts[0] in _FIELDS[own]:
            add(own, parts[0])
    if rule.kind.value == "preferred_window":
        add("special_periods", ALL)  # windows listed in the case
    if params.get("per") == "stage" or params.get("stages") or params.get("from_contract"):
        add("stages", ALL)
    return {c: frozenset({ALL} if ALL in fs else fs) for c, fs in deps.items()}


def _channel_condition(coll: str, field: str) -> dict[str, Any]:
    """The durable-rules condition of a channel: any change of ``coll`` (``ALL``), or a new
    record or a change of ``field`` of it."""
    if field == ALL:
        return {"c": coll}
    return {"$and": [{"c": coll}, {"$or": [{"new": True}, {f"f_{field}": True}]}]}


_SERIAL = itertools.count(1)


class Matcher:
    """The rules of one resolved ruleset, compiled into a private durable-rules ruleset.

    One durable rule per *channel* (a collection, or one field of it, that some rule reads),
    whose action names the rules reading it; a policy change touches every rule. Channels,
    not one durable rule per YAML rule: durable-rules 2.0.28 refuses a fact that satisfies
    more than 64 rules (error 303) and a ruleset of ~200 ``$or`` rules (error 107), while the
    channels of the largest shipped ruleset stay well inside both."""

    def __init__(self, ruleset: ResolvedRuleset) -> None:
        engine = import_durable()

        class _Host(engine.Host):  # type: ignore[misc, name-defined]
            def _run(self) -> None:  # no timer threads: nothing here runs on the wall clock
                pass

        self._engine = engine
        self.rule_ids = tuple(r.rule.id for r in ruleset.rules)
        self.deps = {r.rule.id: dependencies(r.rule) for r in ruleset.rules}
        channels: dict[tuple[str, str], list[str]] = {}
        for rid, deps in self.deps.items():
            for coll, fields in deps.items():
                for f in fields:
                    channels.setdefault((coll, f), []).append(rid)
        self._hits: list[tuple[str, ...]] = []
        self._ids = itertools.count(1)
        self.name = f"ansafe_monitor_{ruleset.id}_{next(_SERIAL)}_{id(self):x}"
        definition = {
            f"c{i}": {"all": [{"m": _channel_condition(*key)}], "run": self._action(rids)}
            for i, (key, rids) in enumerate(sorted(channels.items()))
        }
        self._host = _Host()
        self._host.register_rulesets({self.name: definition})
        self.channels = len(definition)

    def _action(self, rule_ids: list[str]) -> Any:
        hits, ids = self._hits, tuple(rule_ids)

        def run(c: Any) -> None:
            hits.append(ids)

        return run

    def touched(self, collection: str, fields: Iterable[str], new: bool) -> set[str]:
        """Ids of the rules a change of ``fields`` of a record of ``collection`` touches
        (``collection`` ``"policy"``: every rule)."""
        if collection == "policy":
            return set(self.rule_ids)
        fact: dict[str, Any] = {"id": next(self._ids), "c": collection, "new": new}
        for f in fields:
            fact[f"f_{f}"] = True
        if "f_id" in fact:  # a record renamed: as new
            fact["new"] = True
        self._hits.clear()
        try:
            self._host.assert_fact(self.name, fact)
        except self._engine.MessageNotHandledException:
            return set()
        except Exception:  # an engine limit: every rule reading the collection, a superset
            return {rid for rid, deps in self.deps.items() if collection in deps}
        self._host.retract_fact(self.name, fact)
        return {rid for ids in self._hits for rid in ids}

    def post_bare(self, fact: dict[str, Any]) -> None:
        """durable-rules' own ``post`` of a fact, for the benchmark's baseline."""
        with contextlib.suppress(self._engine.MessageNotHandledException):
            self._host.post(self.name, fact)

    def close(self) -> None:
        """Delete the durable-rules ruleset (its C state)."""
        host, self._host = self._host, None
        if host is not None:
            import durable_rules_engine

            rs = host.get_ruleset(self.name)
            durable_rules_engine.delete_ruleset(rs._handle)

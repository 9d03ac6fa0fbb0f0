"""Reading ruleset files strictly and resolving their layers.

Safe YAML only (duplicate and unknown keys are errors); every rule's parameters checked against
its kind's schema and every field path against the domain model; ``extends`` followed to the
root; ``overrides`` and ``disable`` applied by rule id. Each error names the file, the rule and
the field (:class:`~ansafe_rules.RulesetError`)."""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import model as m
from ._errors import (
    RulesetError,
    Step,
    error_at,
    field_step,
    lines_error,
    located,
    pydantic_lines,
)
from ._yaml import load_yaml_file
from .rulesets import (
    AGGREGATES,
    PARAMS,
    SUBJECT_MODELS,
    Condition,
    DeadlineParams,
    FrequencyParams,
    Kind,
    LayerInfo,
    PreferredWindowParams,
    ResolvedChecklist,
    ResolvedRule,
    ResolvedRuleset,
    ResolvedWindow,
    Rule,
    RulesetFile,
    Severity,
    split_aggregate,
)

__all__ = [
    "QuoteProblem",
    "apply_override",
    "find_source",
    "jurisdictions",
    "load_ruleset",
    "packaged_rulesets_dir",
    "quote_problems",
    "source_dirs",
]


# ------------------------------------------------------------------------------------------
# loading
def packaged_rulesets_dir() -> Path:
    """Folder of the shipped rulesets: inside the installed package, or the source checkout."""
    packaged = resources.files("ansafe_rules") / "rulesets"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "rulesets"
    if checkout.is_dir():
        return checkout
    from .i18n import pair

    zh, en = pair("ruleset.no_packaged")
    raise RulesetError(en, zh=zh)


def shown_path(path: Path) -> str:
    """How a ruleset file is named in traces and outputs: a shipped one as
    ``ansafe_rules/rulesets/<file>`` wherever the package is installed, another relative to
    the working directory when it lies below it, else as the caller gave it. A report then
    says which file without revealing the machine's layout (the ruleset digest says which
    content)."""
    resolved = path.resolve()
    try:
        shipped = packaged_rulesets_dir().resolve()
        return f"ansafe_rules/rulesets/{resolved.relative_to(shipped).as_posix()}"
    except (ValueError, RulesetError):
        pass
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def jurisdictions(search_paths: Sequence[str | Path] = ()) -> tuple[str, ...]:
    """Ids of the rulesets available (shipped ones plus any in ``search_paths``)."""
    ids = {
        p.stem
        for d in (*map(Path, search_paths), packaged_rulesets_dir())
        for p in d.glob("*.yaml")
    }
    return tuple(sorted(ids))


def _validation_lines(path: Path, exc: ValidationError, raw: Any) -> list[tuple[str, str]]:
    """Each error of validating a ruleset file, in English and Chinese (:func:`located`): the
    rule it is in (by its place and id) and the field, without pydantic's union labels."""
    from .i18n import pydantic_error_zh

    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        steps: list[Step] = []
        if (
            len(loc) >= 2
            and loc[0] in ("rules", "overrides", "disable")
            and isinstance(loc[1], int)
        ):
            items = raw.get(loc[0]) if isinstance(raw, dict) else None
            item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
            ident = item.get("id") or item.get("rule") if isinstance(item, dict) else None
            at = {"list": loc[0], "i": loc[1], "id": repr(ident)}
            steps.append(("ruleset.at_item_rule" if ident else "ruleset.at_item", at))
            loc = loc[2:]
        # drop pydantic's union-branch labels such as 'DeadlineParams'
        loc = [p for p in loc if not (isinstance(p, str) and p.endswith("Params"))]
        field = ".".join(str(p) for p in loc) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        zh = pydantic_error_zh(err["type"], dict(err.get("ctx") or {}), msg)
        lines.append(located(str(path), [*steps, field_step(field)], msg, zh))
    return lines


def _validate_rule_params(path: Path, raw: Any) -> None:
    """Check each rule's params against its kind's schema first, for precise messages."""
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
        return
    for i, item in enumerate(raw["rules"]):
        if not isinstance(item, dict):
            continue
        try:
            kind = Kind(item.get("kind"))
        except ValueError:
            continue  # reported by the full validation
        try:
            PARAMS[kind].model_validate(item.get("params", {}))
        except ValidationError as exc:
            at = ("ruleset.at_item_rule", {"list": "rules", "i": i, "id": repr(item.get("id"))})
            lines = pydantic_lines(path, [at], exc, ("params",))
            raise lines_error(RulesetError, lines, once=True) from None


def _read_file(path: Path) -> RulesetFile:
    raw = load_yaml_file(path)
    if not isinstance(raw, dict):
        raise error_at(RulesetError, str(path), "ruleset.not_mapping")
    _validate_rule_params(path, raw)
    try:
        rf = RulesetFile.model_validate(raw)
    except ValidationError as exc:
        lines = _validation_lines(path, exc, raw)
        raise lines_error(RulesetError, lines, once=True) from None
    if rf.id != path.stem:
        raise error_at(
            RulesetError, str(path), "ruleset.id_mismatch", steps=[field_step("id")], id=repr(rf.id)
        )
    if rf.advisory_unless is not None:
        for i, c in enumerate(rf.advisory_unless.conditions):
            for role, cp in c.paths():
                if not _case_path_ok(cp.removeprefix("$case.")):
                    raise error_at(
                        RulesetError,
                        str(path),
                        "ruleset.not_case_field",
                        steps=[field_step(f"advisory_unless.conditions[{i}].{role}")],
                        path=repr(cp),
                    )
    for i, r in enumerate(rf.rules):
        at = ("ruleset.at_item_rule", {"list": "rules", "i": i, "id": repr(r.id)})
        if type(r.params) is not PARAMS[r.kind]:
            steps = [at, field_step("params")]
            raise error_at(
                RulesetError, str(path), "ruleset.params_misfit", steps=steps, kind=r.kind
            )
        _check_rule_semantics(path, at, r)
    return rf


# ---- field-path checking against the model ------------------------------------------------
def _model_in(annotation: Any) -> type[BaseModel] | None:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, tuple, list):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _path_ok(model_cls: type[BaseModel], path: str) -> bool:
    path, agg = split_aggregate(path)
    if agg is not None and agg not in AGGREGATES:
        return False
    cls: type[BaseModel] | None = model_cls
    for part in path.split("."):
        if cls is None or part not in cls.model_fields:
            return False
        cls = _model_in(cls.model_fields[part].annotation)
    return True


CASE_ROOTS = {"policy", "scheme", *m.COLLECTIONS}


def _case_path_ok(path: str) -> bool:
    path, agg = split_aggregate(path)
    if agg is not None and agg not in AGGREGATES:
        return False
    head, _, rest = path.partition(".")
    if head not in CASE_ROOTS:
        return False
    if not rest:
        return True
    cls = _model_in(m.PolicyCase.model_fields[head].annotation)
    return cls is not None and _path_ok(cls, rest)


def _model_of_list(model_cls: type[BaseModel], path: str) -> type[BaseModel] | None:
    """The item model of the list field at ``path`` (e.g. staff -> StaffMember)."""
    cls: type[BaseModel] | None = model_cls
    for part in path.split("."):
        if cls is None or part not in cls.model_fields:
            return None
        cls = _model_in(cls.model_fields[part].annotation)
    return cls


def _check_rule_semantics(path: Path, where: Step, r: Rule) -> None:
    p = r.params
    subj_model = SUBJECT_MODELS[p.subject]

    def bad(field: str, msg_id: str, **args: Any) -> RulesetError:
        return error_at(RulesetError, str(path), msg_id, steps=[where, field_step(field)], **args)

    def check(field: str, item_path: str, model: type[BaseModel], name: str) -> None:
        if item_path.startswith("$case."):
            if not _case_path_ok(item_path.removeprefix("$case.")):
                raise bad(field, "ruleset.not_case_field", path=repr(item_path))
        elif not _path_ok(model, item_path):
            raise bad(field, "ruleset.not_field_of", path=repr(item_path), name=name)

    def check_conds(
        field: str, conds: Sequence[Condition], model: type[BaseModel], name: str
    ) -> None:
        for i, c in enumerate(conds):
            for role, cp in c.paths():
                check(f"{field}[{i}].{role}", cp, model, name)

    subj = p.subject.value
    for i, c in enumerate(r.applies_if):
        for role, cp in c.paths():
            if not _case_path_ok(cp.removeprefix("$case.")):
                raise bad(f"applies_if[{i}].{role}", "ruleset.not_case_field", path=repr(cp))
    for name in ("where", "require", "forbid"):
        check_conds(f"params.{name}", getattr(p, name, ()), subj_model, subj)
    if r.scope_field is not None:
        if r.scope_date.value != "event":
            raise bad("scope_field", "ruleset.scope_field_alone")
        check("scope_field", r.scope_field, subj_model, subj)
    for name in ("trigger", "action", "date", "anchor", "destroyed", "link"):
        value = getattr(p, name, None)
        if value is not None:
            check(f"params.{name}", value, subj_model, subj)
    for i, f in enumerate(getattr(p, "fields", ())):
        check(f"params.fields[{i}]", f, subj_model, subj)
    for i, c in enumerate(getattr(p, "contains", ())):
        check(f"params.contains[{i}].field", c.field, subj_model, subj)
    if isinstance(p, DeadlineParams):
        if p.first_event is not None:
            fe = p.first_event
            fm = SUBJECT_MODELS[fe.subject]
            check_conds("params.first_event.where", fe.where, fm, fe.subject.value)
            check("params.first_event.date", fe.date, fm, fe.subject.value)
        if p.extension is not None:
            check("params.extension.days", p.extension.days, subj_model, subj)
            check_conds("params.extension.requires", p.extension.requires, subj_model, subj)
    if isinstance(p, FrequencyParams):
        if p.per_item and (p.event_date or p.weight):
            em = _model_of_list(subj_model, p.date)
            for name in ("event_date", "weight"):
                value = getattr(p, name)
                if value is not None:
                    if em is None:
                        raise bad(f"params.{name}", "ruleset.not_records", path=repr(p.date))
                    check(f"params.{name}", value, em, p.date)
        elif p.weight is not None:
            check("params.weight", p.weight, subj_model, subj)
        if p.per is m.Per.stage:
            check_conds("params.stages", p.stages, m.Stage, "stages")
        elif p.stages or p.link:
            raise bad("params.stages", "ruleset.stages_alone")
    for i, rc in enumerate(getattr(p, "require_counts", ())):
        em = _model_of_list(subj_model, rc.field)
        if em is None:
            field = f"params.require_counts[{i}].field"
            raise bad(field, "ruleset.not_records", path=repr(rc.field))
        check_conds(f"params.require_counts[{i}].where", rc.where, em, rc.field)
    for key in r.interpretive:
        if key not in type(p).model_fields and key not in RULE_LEVEL_READINGS:
            raise bad(
                f"interpretive.{key}",
                "ruleset.reading_unknown",
                kind=r.kind.value,
                readings=", ".join(RULE_LEVEL_READINGS),
                readings_zh="、".join(RULE_LEVEL_READINGS),
            )
    if not r.id.startswith(path.stem + "."):
        raise bad("id", "ruleset.rule_prefix", file=path.name, stem=path.stem)


RULE_LEVEL_READINGS = ("applies_if", "severity", "duty_holder", "scope_date")
"""Rule fields besides the parameters that may carry an interpretive reading."""


def apply_override(
    rr: ResolvedRule,
    params: dict[str, Any],
    severity: Severity | None,
    interpretive: Mapping[str, str],
    source: str,
    *,
    shown: str | None = None,
) -> ResolvedRule:
    """``rr`` with parameters overridden by ``source`` (named so in errors; ``shown`` is how
    traces name it, :func:`shown_path`)."""
    r = rr.rule
    merged = {**r.params.model_dump(mode="json", exclude_defaults=False), **params}
    try:
        new_params = PARAMS[r.kind].model_validate(merged)
    except ValidationError as exc:
        at: Step = ("ruleset.at_override", {"id": repr(r.id)})
        lines = pydantic_lines(source, [at], exc, ("params",))
        raise lines_error(RulesetError, lines) from None
    rule = r.model_copy(
        update={
            "params": new_params,
            "severity": severity or r.severity,
            "interpretive": {**r.interpretive, **interpretive},
        }
    )
    at_override: Step = ("ruleset.at_override", {"id": repr(r.id)})
    _check_rule_semantics(Path(f"{rr.layer}.yaml"), at_override, rule)
    shown = shown or source
    sources = {**rr.param_sources, **dict.fromkeys(params, shown)}
    if severity is not None:
        sources["severity"] = shown
    return rr.model_copy(
        update={
            "rule": rule,
            "overridden_by": (*rr.overridden_by, shown),
            "param_sources": sources,
        }
    )


def _find(name: str, search_paths: Sequence[Path]) -> Path:
    for d in (*search_paths, packaged_rulesets_dir()):
        cand = d / f"{name}.yaml"
        if cand.is_file():
            return cand
    from .i18n import pair

    known = ", ".join(jurisdictions(search_paths))
    zh, en = pair("ruleset.unknown_jurisdiction", name=repr(name), known=known)
    raise RulesetError(en, zh=zh)


def _no_base_rule(path: Path, rf: RulesetFile, at: str, rule_id: str) -> RulesetError:
    """An override or a disable (``at``: where in the file) naming no rule of the parents."""
    steps = [(at, {"id": repr(rule_id)})]
    return error_at(
        RulesetError, str(path), "ruleset.no_base_rule", steps=steps, extends=repr(rf.extends)
    )


def load_ruleset(
    name_or_path: str | Path,
    *,
    search_paths: Sequence[str | Path] = (),
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    in_force: Mapping[str, dt.date] | None = None,
) -> ResolvedRuleset:
    """Load a jurisdiction by id (``"national"``) or a ruleset file by path, with its parents.

    ``search_paths`` are folders searched before the shipped rulesets (for ``extends`` too).
    ``overrides`` replaces rule parameters at run time (see :meth:`ResolvedRuleset.with_overrides`).
    ``in_force`` supplies in-force dates the texts do not state, by layer id
    (see :meth:`ResolvedRuleset.with_effective`).
    """
    paths = [Path(p) for p in search_paths]
    s = str(name_or_path)
    path = Path(s) if s.endswith((".yaml", ".yml")) or "/" in s else _find(s, paths)
    if not path.is_file():
        raise error_at(RulesetError, str(path), "ruleset.no_file")
    chain: list[tuple[Path, RulesetFile]] = []
    seen: set[str] = set()
    while True:
        rf = _read_file(path)
        if rf.id in seen:
            steps = [field_step("extends")]
            raise error_at(
                RulesetError, str(path), "ruleset.extends_cycle", steps=steps, id=repr(rf.id)
            )
        seen.add(rf.id)
        chain.append((path, rf))
        if rf.extends is None:
            break
        try:
            path = _find(rf.extends, [path.parent, *paths])
        except RulesetError as exc:
            line = located(str(path), [field_step("extends")], str(exc), exc.zh)
            raise lines_error(RulesetError, [line]) from None
    chain.reverse()

    rules: dict[str, ResolvedRule] = {}
    windows: dict[str, ResolvedWindow] = {}
    checklists: list[ResolvedChecklist] = []
    layers = []
    for path, rf in chain:
        for w in rf.windows:
            if w.id in windows:
                steps = [("ruleset.at_window", {"id": repr(w.id)}), field_step("id")]
                raise error_at(RulesetError, str(path), "ruleset.duplicate_window", steps=steps)
            windows[w.id] = ResolvedWindow(window=w, layer=rf.id)
        for op in rf.overrides:
            if op.rule not in rules:
                raise _no_base_rule(path, rf, "ruleset.at_overrides", op.rule)
            rules[op.rule] = apply_override(
                rules[op.rule],
                op.params,
                op.severity,
                op.interpretive,
                str(path),
                shown=shown_path(path),
            )
        for op in rf.disable:
            if op.rule not in rules:
                raise _no_base_rule(path, rf, "ruleset.at_disable", op.rule)
            del rules[op.rule]
        for r in rf.rules:
            if r.id in rules:
                steps = [("ruleset.at_rule", {"id": repr(r.id)}), field_step("id")]
                raise error_at(RulesetError, str(path), "ruleset.duplicate_rule", steps=steps)
            if isinstance(r.params, PreferredWindowParams):
                for w in r.params.windows:
                    if w not in windows:
                        steps = [
                            ("ruleset.at_rule", {"id": repr(r.id)}),
                            field_step("params.windows"),
                        ]
                        raise error_at(
                            RulesetError,
                            str(path),
                            "ruleset.unknown_window",
                            steps=steps,
                            id=repr(w),
                        )
            rules[r.id] = ResolvedRule(
                rule=r,
                layer=rf.id,
                source_file=shown_path(path),
                param_sources=dict.fromkeys(type(r.params).model_fields, shown_path(path)),
            )
        for cl in rf.checklists:
            for i, row in enumerate(cl.rows):
                for rid in row.rules:
                    if rid not in rules:
                        steps = [
                            ("ruleset.at_checklist", {"id": repr(cl.id)}),
                            ("ruleset.at_item", {"list": "rows", "i": i}),
                            field_step("rules"),
                        ]
                        raise error_at(
                            RulesetError,
                            str(path),
                            "ruleset.unknown_rule",
                            steps=steps,
                            id=repr(rid),
                        )
            checklists.append(ResolvedChecklist(checklist=cl, layer=rf.id))
        layers.append(
            LayerInfo(
                **rf.model_dump(
                    include={
                        "id",
                        "title",
                        "title_en",
                        "name",
                        "name_en",
                        "issuing_body",
                        "document_number",
                        "source_file",
                        "effective",
                        "limitations",
                        "not_encoded",
                        "advisory_unless",
                        "service_liability",
                    }
                ),
                path=str(path),
                disabled=rf.disable,
            )
        )
    resolved = ResolvedRuleset(
        id=chain[-1][1].id,
        layers=tuple(layers),
        rules=tuple(rules.values()),
        windows=tuple(windows.values()),
        checklists=tuple(checklists),
    )
    if overrides:
        resolved = resolved.with_overrides(overrides)
    for layer_id, day in (in_force or {}).items():
        resolved = resolved.with_effective(layer_id, day)
    return resolved


# -- quotes against the source texts (validate --sources; tests/test_citations.py) ------------
class QuoteProblem(BaseModel):
    """A rule whose quote is not found verbatim in the source text its ruleset names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str = Field(description="the ruleset file that defines the rule")
    rule_id: str
    clause: str
    quote: str
    source: str = Field(description="the source text it should be copied from")


def source_dirs(ruleset_file: Path) -> tuple[Path, ...]:
    """Where ``validate`` looks for a ruleset's source text when ``--sources`` is not given, in
    order: the ruleset file's folder, then ``shared/sources`` beside the repository the file
    lies in (``<repo>/rulesets/x.yaml`` -> ``<repo>/../shared/sources``), then
    ``../shared/sources`` from the working directory."""
    folder = ruleset_file.resolve().parent
    return (folder, folder.parent.parent / "shared" / "sources", Path("../shared/sources"))


def find_source(source_file: str, dirs: Sequence[Path]) -> Path | None:
    """The first ``dir/source_file`` that exists, or None."""
    for d in dirs:
        candidate = d / source_file
        if candidate.is_file():
            return candidate
    return None


def quote_problems(rs: ResolvedRuleset, text: str, layer: str | None = None) -> list[QuoteProblem]:
    """The rules of ``layer`` (default: the top layer) whose quote is not in ``text`` verbatim —
    the one matching the tests and ``ansafe-rules validate --sources`` share. Verbatim means
    a plain substring: the source texts are kept as published, so no whitespace or
    punctuation is normalised."""
    top = rs.layer(layer) if layer is not None else rs.layers[-1]
    return [
        QuoteProblem(
            file=rr.source_file,
            rule_id=rr.rule.id,
            clause=rr.rule.citation.clause,
            quote=rr.rule.citation.quote,
            source=top.source_file,
        )
        for rr in rs.rules
        if rr.layer == top.id and rr.rule.citation.quote not in text
    ]

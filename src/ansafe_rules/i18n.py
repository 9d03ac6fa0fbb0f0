"""Messages in two languages, Chinese first: every sentence a finding, an obligation or a note
says is a message id with named arguments, rendered on demand in ``zh`` or ``en``.

Why: the people who act on a finding read Chinese; the engine's English sentences are frozen
(tests compare them) and stay the source strings. A row keeps ``(message id, arguments)``, so
rendering costs nothing until a sentence is shown, and a caller holding a row's JSON can render
it in either language without re-evaluating (:func:`render_message`).

The catalogue follows gettext: each message is registered here with :func:`_M` (context = the
message id, msgid = the English text with ``{named}`` placeholders); the Chinese lives in
``locale/zh_CN/LC_MESSAGES/ansafe_rules.po`` (written by hand) and is read at run time from the
compiled ``.mo`` with the standard library's :mod:`gettext`. ``python tools/i18n.py`` writes the
template and compiles the catalogue; ``--check`` fails when either is stale.

Arguments are JSON values. A placeholder's name says how it is rendered (:data:`ARG_TYPES`):
field paths through the model's Chinese labels, conditions, periods, enum values, nested
messages (``{"id": ..., "args": ...}``); anything else is shown as it is. Every finding's
arguments also carry ``subject`` (the record judged), which a translation may name.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import re
import string
import types
import typing
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

__all__ = [
    "ARG_TYPES",
    "DOMAIN",
    "LANGS",
    "LOCALE_DIR",
    "MESSAGES",
    "Lang",
    "Memo",
    "Message",
    "bilingual",
    "both",
    "enum_at",
    "field_label",
    "item_label",
    "jsonable",
    "lang_from_env",
    "normalise_lang",
    "pair",
    "placeholders",
    "plural",
    "pydantic_error_zh",
    "render",
    "render_message",
    "text",
]


Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("zh", "en")
"""The languages, Chinese first."""

DOMAIN = "ansafe_rules"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

Message = tuple[str, dict[str, Any]]
"""A message as rows keep it: (id, arguments); arguments may still hold Python values (dates,
conditions, periods) until :func:`jsonable` turns them into JSON."""


class Spec(typing.NamedTuple):
    """One catalogue entry: the English source text, the arguments a translation may use
    beyond the English text's placeholders (e.g. the subject, the period of a late action) and
    those it may leave out (an English gloss of a Chinese term)."""

    en: str
    extras: frozenset[str]
    omit: frozenset[str] = frozenset()


MESSAGES: dict[str, Spec] = {}
# filled while this module is imported (the _M calls and the enum loops below), never after:
# the memos of translations and labels (_translated, _field_label, _collection_label) rely on
# it, so nothing here renders a sentence or a label before the module is loaded
"""Every message, by id (filled at import by :func:`_M`; never changed afterwards)."""


def _M(msgctxt: str, msgid: str, *extras: str, omit: tuple[str, ...] = ()) -> str:
    """Register a message (``msgctxt`` its id, ``msgid`` the English text); the marker the
    catalogue tool reads."""
    MESSAGES[msgctxt] = Spec(msgid, frozenset(extras), frozenset(omit))
    return msgctxt


# -- the catalogue ---------------------------------------------------------------------------
# scope of a layer (evaluate.py, context.py)
_M("scope.event_before", "{day} is before {layer} took effect on {in_force}")
_M("scope.event_after", "{day} is after {layer}'s trial period ended {expires}")
_M("scope.policy_before", "policy issued {issued}, before {layer} took effect on {in_force}")
_M("scope.policy_after", "policy issued {issued}, after {layer}'s trial period ended {expires}")
_M(
    "scope.term_before",
    "the policy's term ended {term_end}, before {layer} took effect on {in_force}",
)
_M(
    "scope.term_after",
    "the policy's term starts {term_start}, after {layer}'s trial period ended {expires}",
)
_M("na.out_of_scope", "does not apply: {why}")
_M("na.event_outside", "does not apply: {field} {why}", "subject")
_M("na.applies_if", "does not apply: {conds}")
_M("applies.unknown", "cannot tell whether the rule applies: missing {missing}", "subject")
_M("rule.error", "rule {rule_id} could not be evaluated: {error}")
_M("none.expected", "the input has no {collection}; the rule needs one")
_M("none.expected_where", "the input has no {collection} matching {conds}; the rule needs one")
_M("none.absent", "no {collection} in the input")
_M("none.absent_where", "no {collection} matching {conds} in the input")
_M("missing.fields", "{fields}")
_M("missing.comparable", "comparable values for {conds}")
_M("common.missing", "missing {missing}")
_M("common.cannot_judge", "cannot judge: {gaps}", "subject")
_M(
    "input.issue",
    "{source}: {record}: field {path!r}: {error}",
    "error_zh",
    "record_zh",
    omit=("error", "record"),
)
# notes (evaluate.py)
_M(
    "note.trial_undated",
    "{layer}: in force from issuance with a {trial} trial, but the issue date is not in the "
    "text; its rules were applied without date limits. Supply it with --in-force "
    "{layer}=YYYY-MM-DD (CLI) or load_ruleset(..., in_force={{{layer!r}: date}}) (Python).",
)
_M(
    "note.advisory",
    "{layer}: binding only where {conds} ({clause}); this policy does not meet that, so its "
    "findings are advisory (参照执行).",
)
_M(
    "note.assumed_binding",
    "{layer}: binding only where {conds} ({clause}); the input does not say, so its findings "
    "are treated as binding.",
)
# deadline
_M("deadline.first_event", "first {collection} event")
_M("deadline.no_trigger", "no {trigger}: cannot start the period", "subject")
_M("deadline.error", "{trigger}: {error}", "subject", "error_zh", omit=("error",))
_M(
    "deadline.requirement",
    "{action} within {period} after {trigger} {trigger_value}: by {deadline}{ext}",
    "subject",
)
_M("deadline.early", "{action} {done} is before {trigger} {trigger_value}", "subject")
_M(
    "deadline.on_time",
    "{action} {done} is within {period} (due {deadline}{ext})",
    "subject",
    "trigger",
)
_M(
    "deadline.late",
    "{action} {done} is after the due {deadline}{late}{ext}",
    "subject",
    "trigger",
    "period",
)
_M("deadline.late_by", ", {n} working day(s) late")
_M("deadline.late_uncounted", "; working days late not counted: {day} is past the calendar")
_M(
    "deadline.missing",
    "no {action} recorded; it was due by {deadline}{ext}",
    "subject",
    "trigger",
    "period",
)
_M("deadline.pending", "no {action} yet; due by {deadline}{ext}", "subject", "trigger", "period")
_M("ext.unmet", "; extension of {days} days not counted ({conds} not met)")
_M("ext.missing", "; extension of {days} days not counted (missing {missing})")
_M("ext.used", "; extended by {used} days")
_M("ext.capped", "; extended by {used} days ({days} asked, at most {max_days} allowed)")
# frequency
_M("freq.no_contract_items", "the policy states no contract service items")
_M("freq.no_stages", "the input lists no stages")
_M("freq.no_stages_where", "the input lists no stages matching {conds}")
_M(
    "freq.partial_short",
    "the partial period {start}..{end} covers {share} of a full {per}, less than "
    "partial_min_share {min_share}: no event required",
)
_M("freq.weight", " {weight}")
_M("freq.times", "time(s)")
_M("freq.kind", "{kind} ")
_M("freq.stage", " (stage {stage})")
_M("freq.partial", " (partial period)")
_M("freq.record_by", "; to be recorded by {grace}")
_F = {"omit": ("unit",)}  # a translation counts in {measure} (times, or the weight) instead
_M(
    "freq.requirement",
    "at least {need}{unit} {what}({date}) in {start}..{end}{stage}{partial}{by}",
    "collection",
    "measure",
    **_F,
)
_M(
    "freq.met",
    "{counted} of at least {need}{unit} {what}in the period",
    "start",
    "end",
    "collection",
    "measure",
    **_F,
)
_M(
    "freq.pending",
    "{counted} of at least {need}{unit} {what}so far; the period ends {end}{by}",
    "start",
    "collection",
    "measure",
    **_F,
)
_M(
    "freq.undated",
    "{counted} of at least {need}{unit} {what}dated in the period; {undated} record(s) have "
    "no {date}",
    "start",
    "end",
    "collection",
    "measure",
    **_F,
)
_M(
    "freq.short",
    "only {counted} of at least {need}{unit} {what}in the period {start}..{end}",
    "collection",
    "measure",
    **_F,
)
# preferred_window
_M("window.requirement", "preferred period for {collection} ({window}): {start}..{end}")
_M("window.no_date", "no {date}", "subject")
_M("window.inside", "{date} {day} is in {window} {start}..{end}", "subject")
_M(
    "window.outside",
    "{date} {day} is in no preferred window ({windows}); the text says 宜 (advisory)",
    "subject",
)
# prohibition
_M("prohibition.requirement", "must not: {forbid}")
_M("prohibition.hit", "prohibited: {forbid}", "subject")
_M("prohibition.clear", "no prohibited condition", "subject")
# qualification
_M("qual.at_least", "at least {min} {label}", "label_zh", omit=("label",))
_M("qual.count", "{n} {label} (at least {min})", "label_zh", omit=("label",))
_M("qual.requirement", "must: {requirements}")
_M("qual.fails", "fails {failures}", "subject")
_M("qual.meets", "meets {requirements}", "subject")
# required_fields
_M("fields.contains", "{field}: {values}")
_M("fields.requirement", "must record {needed}")
_M("fields.missing", "missing {absent}", "subject")
_M("fields.complete", "all required items present", "subject")
# retention
_M("retention.no_anchor", "no {anchor}: cannot start the retention period", "subject")
_M(
    "retention.requirement",
    "keep until at least {until} ({period} from {anchor} {anchor_value})",
)
_M("retention.destroyed_early", "destroyed {destroyed}, before the retention period ended {until}")
_M("retention.destroyed_after", "destroyed {destroyed}, after the retention period ended {until}")
_M("retention.kept", "kept so far; retention runs until {until}", "subject")
_M("retention.past", "kept past the end of retention ({until})", "subject")
# periods
_M("period.same_day", "当天 (same day)")
_M("period.amount", "{amount}{unit_zh} ({amount} {unit})", omit=("unit",))
# conditions: one message per operator, the English exactly Condition.describe()
_M("cond.eq", "{field} eq {value}")
_M("cond.ne", "{field} ne {value}")
_M("cond.in", "{field} in {value}")
_M("cond.not_in", "{field} not_in {value}")
_M("cond.lt", "{field} lt {value}")
_M("cond.le", "{field} le {value}")
_M("cond.gt", "{field} gt {value}")
_M("cond.ge", "{field} ge {value}")
_M("cond.any_in", "{field} any_in {value}")
_M("cond.none_in", "{field} none_in {value}")
_M("cond.present", "{field} present")
_M("cond.absent", "{field} absent")
_M("cond.nonempty", "{field} nonempty")
_M("cond.empty", "{field} empty")
_M("cond.field_value", "{field} {op} {other}")
# the check table (cli.py)
_M("table.head", "== {policy_id}  [{layers}]  as of {as_of}")
_M("table.due", "due {due}")
_M("table.provisional", " (provisional)")
_M("table.period", "period {start}..{end}")
_M("table.binding", "binding")
_M("table.note", "note")
_M(
    "table.legend",
    "('?': advisory, '~': assessment item — neither is a breach of a duty; "
    "'a>b': duty of a, liability borne by b)",
)
_M("table.count", "{n} {status}")
_M("mark.compliant", "ok")
_M("mark.violation", "VIOLATION")
_M("mark.pending", "pending")
_M("mark.not_applicable", "n/a")
_M("mark.insufficient_data", "no data")
_M("mark.data_error", "DATA ERROR")
# labels of things that have no description in the model
_M("label.policy", "policy")
_M("label.contract_services", "contract_services")
_M("label.staff", "staff")
_M("label.window", "window")
_M("agg.min", "{path}|min")
_M("agg.max", "{path}|max")
_M("agg.count", "{path}|count")
# --- honest summaries and the printable report (issue 9, items 2-3: cli.py, reports.py) ------
# the check table's summary line: breaches, what is counted apart, then findings by rule
_M("sum.breaches.one", "{n} breach of a duty")
_M("sum.breaches.many", "{n} breaches of a duty")
_M("sum.apart", " (plus {items})")
_M("sum.advisory.one", "{n} advisory finding")
_M("sum.advisory.many", "{n} advisory findings")
_M("sum.assessment.one", "{n} assessment item failed")
_M("sum.assessment.many", "{n} assessment items failed")
_M("sum.rows", "findings by rule: {counts}")
_M("count.compliant.one", "{n} compliant")
_M("count.compliant.many", "{n} compliant")
_M("count.violation.one", "{n} violation")
_M("count.violation.many", "{n} violations")
_M("count.pending.one", "{n} pending")
_M("count.pending.many", "{n} pending")
_M("count.not_applicable.one", "{n} not applicable")
_M("count.not_applicable.many", "{n} not applicable")
_M("count.insufficient_data.one", "{n} with insufficient data")
_M("count.insufficient_data.many", "{n} with insufficient data")
_M("count.data_error.one", "{n} data error")
_M("count.data_error.many", "{n} data errors")
_M(
    "table.legend_merged",
    "('+': the same duty for the same subject at another layer: one breach with the line above)",
)
# the printable report (reports.py)
_M("report.title", "Inspection report")
_M("report.subtitle", "Work-safety liability insurance: accident-prevention services")
_M("report.policy", "Policy")
_M("report.project", "Project")
_M("report.insurer", "Insurer")
_M("report.insured", "Insured")
_M("report.term", "Policy term")
_M("report.as_of", "As of")
_M("report.regimes", "Rules applied")
_M("report.col.layer", "Layer")
_M("report.col.document", "Document")
_M("report.col.number", "Document number")
_M("report.col.in_force", "In force")
_M("report.col.subject", "Subject")
_M("report.col.finding", "Finding")
_M("report.col.clause", "Clause and original text")
_M("report.col.clause_only", "Clause")
_M("report.col.due", "Due")
_M("report.col.date", "Date")
_M("report.col.status", "Status")
_M("report.col.requirement", "Requirement")
_M("report.col.holder", "Duty holder")
_M("report.col.severity", "Severity")
_M("report.summary", "Summary")
_M("report.breaches", "Breaches of a duty")
_M("report.group", "{holder}, {severity}: {n}")
_M("report.liable", "liability borne by {party}")
_M("report.binding", "binding")
_M("report.advisory", "Advisory findings and assessment items (not breaches of a duty)")
_M("report.upcoming", "Upcoming obligations")
_M(
    "report.upcoming_note",
    "Dated obligations not yet due as of {as_of}, by date; standing duties are left out.",
)
_M("report.none", "None.")
_M("report.provisional", "provisional")
_M("report.provenance", "Provenance")
_M("report.prov.engine", "Engine version")
_M("report.prov.ruleset", "Ruleset {id} (SHA-256)")
_M("report.prov.holidays", "Holiday data")
_M(
    "report.prov.calendar",
    "holidays {version}; official schedules {first}-{last}{overrides}",
)
_M("report.prov.input", "Input")
_M("report.prov.input_digest", "Input digest (SHA-256)")
_M(
    "report.footer",
    "Generated by ansafe-rules {version} from the input and the rules above; the same input and "
    "rules give the same report.",
)
_M("report.page", "Policy {policy_id}, as of {as_of}")
_M("report.page_number", "Page {page} of {pages}")
_M(
    "report.no_chromium",
    "no Chromium found on PATH (chromium, chromium-browser, google-chrome): install it or give "
    "--chromium PATH",
)
_M("report.chromium_failed", "Chromium could not print {target}: {error}")
_M("report.unknown_format", "unknown format {name!r}: use html, pdf, xlsx")
_M("report.wrote", "wrote {path}")
_M("report.done.one", "{n} project: its report in {folder}")
_M("report.done.many", "{n} projects: their reports in {folder}")
_M("report.layer.national", "AQ 9010-2019")
_M("report.layer.guangdong", "Guangdong guideline")
_M("report.layer.shaoxing", "Shaoxing notice")
_M("report.layer.xinzhou", "Xinzhou notice")
_M("report.layer.xuancheng", "Xuanzhou scheme")
_M("report.holder.insurer", "insurer")
_M("report.holder.service_provider", "accident-prevention service provider")
_M("report.holder.third_party", "third-party service organisation")
_M("report.holder.broker", "insurance broker")
_M("report.holder.insured", "insured")
_M("report.holder.contractor", "contractor")
_M("report.holder.supervisor", "supervising engineer")
_M("report.holder.authority", "authority")
# --- end honest summaries and the printable report -------------------------------------------


def _register_enums() -> None:
    """Enum values as messages ``enum.<Type>.<value>``, the English being the value itself."""
    from . import model as m
    from .outputs import Status
    from .periods import PeriodUnit
    from .rulesets import DutyHolder, Severity

    for enum in (
        Status,
        Severity,
        DutyHolder,
        PeriodUnit,
        m.ServiceKind,
        m.Per,
        m.HazardGrade,
        m.IncidentGrade,
        m.OrganisationRole,
        m.StaffRole,
        m.Satisfaction,
        m.Industry,
    ):
        for v in enum:
            MESSAGES[f"enum.{enum.__name__}.{v.value}"] = Spec(v.value, frozenset())


# -- argument types --------------------------------------------------------------------------
ARG_TYPES: dict[str, str] = {
    "field": "field",
    "trigger": "field",
    "action": "field",
    "date": "field",
    "anchor": "field",
    "weight": "field",
    "fields": "fields",
    "conds": "conds",
    "forbid": "conds;",
    "requirements": "items;",
    "failures": "items;",
    "gaps": "items;",
    "needed": "items;",
    "absent": "items;",
    "values": "values",
    "period": "period",
    "trial": "period",
    "per": "enum.Per",
    "kind": "enum.ServiceKind",
    "status": "enum.Status",
    "collection": "collection",
    "subject": "subject",
    "counted": "num",
    "share": "pct",
    "min_share": "g",
}
"""How a placeholder is rendered, by its name; names not listed are shown as they are (dates as
ISO text). A nested message (``{"id": ..., "args": ...}``) is rendered wherever it appears."""

_SEP = {
    "en": {",": ", ", ";": "; ", "or": " or ", "and": " and ", "(": "(", ")": ")", "of": "."},
    "zh": {",": "、", ";": "；", "or": "或", "and": "且", "(": "（", ")": "）", "of": "的"},
}
_BOOL = {"en": {True: "True", False: "False"}, "zh": {True: "“是”", False: "“否”"}}


@functools.cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (read once; English is the source text itself)."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=["zh_CN"])


def normalise_lang(lang: str | None) -> Lang:
    """``"zh"``, ``"zh_CN"``, ``"zh-CN"``, ``"zh_CN.UTF-8"`` -> ``"zh"``; ``"en…"`` -> ``"en"``;
    None -> ``"en"`` (the library's default). Anything else is an error naming the value."""
    if lang == "en" or lang == "zh":  # the common case, first
        return lang
    if lang is None:
        return "en"
    low = lang.strip().lower()
    if low.startswith("zh"):
        return "zh"
    if low.startswith("en"):
        return "en"
    raise ValueError(f"lang {lang!r} is not supported: use 'zh' or 'en'")


def lang_from_env(env: Mapping[str, str]) -> Lang:
    """The language a locale asks for, as gettext reads it: the first of ``LC_ALL``,
    ``LC_MESSAGES``, ``LANG`` that is set; ``zh…`` -> ``"zh"``, anything else ``"en"``."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def text(msg_id: str, lang: str = "en") -> str:
    """The template of ``msg_id`` in ``lang`` (the English source text when untranslated)."""
    spec = MESSAGES.get(msg_id)
    if spec is None:
        raise KeyError(f"unknown message id {msg_id!r}")
    return spec.en if lang == "en" else _translated(msg_id, spec.en, lang)


@functools.lru_cache(maxsize=4096)
def _translated(msg_id: str, english: str, lang: str) -> str:
    """A message's template in a language other than English, looked up in the catalogue once
    (a memo of a pure function: the catalogue is fixed once loaded; a sentence in Chinese asks
    for a dozen templates and labels)."""
    return _catalogue(lang).pgettext(msg_id, english)


def placeholders(template: str) -> set[str]:
    """The named placeholders of a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# -- field labels ----------------------------------------------------------------------------
def _label_of(description: str | None) -> str | None:
    """A field's Chinese label: its description up to " — ", without a trailing note in
    parentheses or an ", e.g." example."""
    if not description:
        return None
    head = description.split(" — ")[0].split(", e.g.")[0].strip()
    if head.endswith(")") and " (" in head:
        head = head[: head.rindex(" (")].strip()
    return head or None


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (through Optional and tuples), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        m = _model_of(arg)
        if m is not None:
            return m
    return None


@functools.cache
def _roots() -> dict[str, type[BaseModel]]:
    from .model import PolicyCase
    from .rulesets import SUBJECT_MODELS

    roots: dict[str, type[BaseModel]] = {s.value: m for s, m in SUBJECT_MODELS.items()}
    for name, info in PolicyCase.model_fields.items():
        m = _model_of(info.annotation)
        if m is not None:
            roots.setdefault(name, m)
    roots["$case"] = PolicyCase
    return roots


@functools.cache
def _any_label() -> dict[str, str]:
    """Field name -> label over every model reachable from the case (first found wins)."""
    from .model import PolicyCase
    from .rulesets import SUBJECT_MODELS

    out: dict[str, str] = {}
    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = [PolicyCase, *SUBJECT_MODELS.values()]
    while todo:
        m = todo.pop(0)
        if m in seen:
            continue
        seen.add(m)
        for name, info in m.model_fields.items():
            label = _label_of(info.description)
            if label:
                out.setdefault(name, label)
            sub = _model_of(info.annotation)
            if sub is not None:
                todo.append(sub)
    return out


def _step_label(model: type[BaseModel] | None, name: str, lang: str) -> tuple[str, Any]:
    """(label, model below) of one path step."""
    info = model.model_fields.get(name) if model is not None else None
    label = _label_of(info.description) if info is not None else None
    if label is None:
        if f"label.{name}" in MESSAGES:
            label = text(f"label.{name}", lang)
        else:
            label = _any_label().get(name, name)
    return label, _model_of(info.annotation) if info is not None else None


def _resolve(path: str, root: str | None, lang: str) -> tuple[list[str], Any]:
    """The labels of a path's steps and the last field's ``FieldInfo`` (None if unknown)."""
    base = path.partition("|")[0]
    parts = base.split(".")
    roots = _roots()
    if parts[0] == "$case":
        model: Any = roots["$case"]
        parts = parts[1:]
    else:
        model = roots.get(root) if root else None
        if model is not None and parts[0] not in model.model_fields:
            model = roots["$case"] if parts[0] in roots["$case"].model_fields else None
    labels, info = [], None
    for name in parts:
        info = model.model_fields.get(name) if model is not None else None
        label, model = _step_label(model, name, lang)
        labels.append(label)
    return labels, info


def field_label(path: str, lang: str = "zh", root: str | None = None) -> str:
    """How a field path reads: itself in English; in Chinese through the model's labels, each
    step joined with 的 (``destruction_register.approver`` -> 销毁清册的批准人). ``root`` is the
    collection the path is read from (the finding's subject), when known."""
    if lang == "en":
        return path
    return _field_label(path, lang, root)


@functools.lru_cache(maxsize=4096)
def _field_label(path: str, lang: str, root: str | None) -> str:
    """:func:`field_label` in a language other than English, worked out once per path (a memo
    of a pure function of the models' field descriptions and the catalogue: resolving a path
    walks the models step by step, and every Chinese sentence names its fields)."""
    labels, _ = _resolve(path, root, lang)
    out = _SEP[lang]["of"].join(labels)
    agg = path.partition("|")[2]
    return text(f"agg.{agg}", lang).format(path=out) if agg else out


def _enum_of(annotation: Any) -> type[Enum] | None:
    """The enum a field holds (through Optional and tuples), if any."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    for arg in typing.get_args(annotation):
        e = _enum_of(arg)
        if e is not None:
            return e
    return None


# -- rendering -------------------------------------------------------------------------------
def _is_msg(v: Any) -> bool:
    t = type(v)
    if t is tuple:
        return len(v) == 2 and type(v[0]) is str and type(v[1]) is dict
    return t is dict and "id" in v and "args" in v


def _cond_json(c: Any) -> dict[str, Any]:
    """A condition (a ruleset ``Condition`` or its JSON form) as JSON."""
    if isinstance(c, dict):
        return c
    if c.any_of is not None:
        return {"any_of": [_cond_json(x) for x in c.any_of]}
    if c.all_of is not None:
        return {"all_of": [_cond_json(x) for x in c.all_of]}
    out: dict[str, Any] = {"field": c.field, "op": c.op.value}
    if c.value_field is not None:
        out["value_field"] = c.value_field
    elif c.op.value not in ("present", "absent", "nonempty", "empty"):
        out["value"] = _plain(c.value)
    return out


# Type tuples for isinstance on the rendering paths (`list | tuple` written in a call builds a
# union object at every call, doubling the test's cost)
_SCALARS = (bool, int, float, str)
_TEXTED = (dt.date, dt.datetime, Decimal)
_COLLECTIONS = (list, tuple, set, frozenset)
_LISTS = (list, tuple)


def _plain(v: Any) -> Any:
    """A value as JSON: dates as ISO text (as ``str`` shows them), enums as their value."""
    if isinstance(v, Enum):  # first: a str or int enum becomes its plain value
        return v.value
    if v is None or isinstance(v, _SCALARS):
        return v
    if isinstance(v, _TEXTED):
        return str(v)
    if isinstance(v, _COLLECTIONS):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return str(v)


def _render_value(
    value: Any, lang: str, enum: type[Enum] | None, known: Mapping[str, str] | None = None
) -> str:
    """A condition operand as it reads (in Chinese, an enum value through its label; a text
    field's known value through the label its description gives, ``known``)."""
    if isinstance(value, bool):
        return _BOOL[lang][value]
    if isinstance(value, _LISTS):
        return _SEP[lang][","].join(_render_value(x, lang, enum, known) for x in value)
    if enum is not None and f"enum.{enum.__name__}.{value}" in MESSAGES:
        return text(f"enum.{enum.__name__}.{value}", lang)
    if known and isinstance(value, str) and value in known:
        return known[value]
    return str(value)


def _render_cond(c: Any, lang: str, root: str | None) -> str:
    c = _cond_json(c)
    sep = _SEP[lang]
    for group, joiner in (("any_of", "or"), ("all_of", "and")):
        if group in c:
            inner = sep[joiner].join(_render_cond(x, lang, root) for x in c[group])
            return sep["("] + inner + sep[")"]
    field = field_label(c["field"], lang, root)
    if "value_field" in c:
        other = field_label(c["value_field"], lang, root)
        if lang == "en":
            return text("cond.field_value", lang).format(field=field, op=c["op"], other=other)
        return text(f"cond.{c['op']}", lang).format(field=field, value=other)
    value = c.get("value")
    if lang == "en":
        shown = str(value)
    else:
        enum = _field_enum(c["field"], root, lang)
        known = _field_values(c["field"], root) if enum is None else None
        shown = _render_value(value, lang, enum, known)
    return text(f"cond.{c['op']}", lang).format(field=field, value=shown)


@functools.lru_cache(maxsize=4096)
def _field_enum(path: str, root: str | None, lang: str) -> type[Enum] | None:
    """The enum a field path holds, if any, worked out once per path (a memo, as
    :func:`_field_label`: a condition's value is shown through its enum's labels)."""
    info = _resolve(path, root, lang)[1]
    return _enum_of(info.annotation) if info is not None else None


_VALUE_LABEL = re.compile(r"([^\s/()]+) \(([^()]+)\)")


@functools.lru_cache(maxsize=4096)
def _field_values(path: str, root: str | None) -> Mapping[str, str]:
    """The Chinese labels of a text field's known values, as its description lists them after
    its label (``所处阶段 — preparation (准备阶段) / construction (施工阶段) / …``): a field
    that takes codes without being an enum (other values are accepted, and read as they are).
    A memo, as :func:`_field_enum`."""
    info = _resolve(path, root, "zh")[1]
    if info is None or not info.description or " — " not in info.description:
        return _NO_VALUES
    kinds = set(typing.get_args(info.annotation)) or {info.annotation}
    if str not in kinds or not kinds <= {str, type(None)}:
        return _NO_VALUES  # a text field's values only (not a list of texts)
    listed = info.description.partition(" — ")[2]
    return types.MappingProxyType(dict(_VALUE_LABEL.findall(listed)))


_NO_VALUES: Mapping[str, str] = types.MappingProxyType({})


def _render_period(p: Any, lang: str) -> str:
    from .periods import _ZH, PeriodUnit, unit_en

    amount, unit = (p["amount"], p["unit"]) if isinstance(p, dict) else (p.amount, p.unit.value)
    if unit == "same_day":
        return text("period.same_day", lang)
    u = PeriodUnit(unit)
    return text("period.amount", lang).format(
        amount=amount, unit=unit_en(amount, u), unit_zh=_ZH[u]
    )


def _render_subject(subject: str, lang: str) -> str:
    """A finding's subject: ``service_records/S-03`` -> 服务记录 S-03 in Chinese."""
    if lang == "en":
        return subject
    head, _, rest = subject.partition("/")
    first, _, tail = head.partition(" ")
    label = _render_collection(first, lang)
    # the id and what follows the collection's name, each if any, after the label
    if rest:
        return f"{label} {rest} {tail}" if tail else f"{label} {rest}"
    return f"{label} {tail}" if tail else label


def _render_collection(name: str, lang: str) -> str:
    if lang == "en":
        return name
    return _collection_label(name, lang)


@functools.lru_cache(maxsize=1024)
def _collection_label(name: str, lang: str) -> str:
    """A collection's label in ``lang`` (not English), worked out once (a memo, as
    :func:`_field_label`)."""
    if f"label.{name}" in MESSAGES:
        return text(f"label.{name}", lang)
    from .model import PolicyCase

    info = PolicyCase.model_fields.get(name)
    return (_label_of(info.description) if info is not None else None) or name


_AS_IS = frozenset({str, int, dt.date, dt.datetime})


Memo = dict[Any, tuple[Any, Any]]
"""Renderings of the arguments rows share (a rule's conditions, its period...), for the length
of one call: id of the value -> (the value, kept alive, and its rendering)."""


def _render_arg(
    name: str, value: Any, lang: str, root: str | None, memo: Memo | None = None
) -> str:
    if value is None:
        return ""
    t = type(value)
    if t in _AS_IS:
        if lang == "en":  # the common case: shown as it is
            return str(value)
    elif memo is not None:
        key = (id(value), name, lang, root)
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = (value, _render_fresh(name, value, lang, root, memo))
        return hit[1]
    return _render_fresh(name, value, lang, root, memo)


def _render_fresh(name: str, value: Any, lang: str, root: str | None, memo: Memo | None) -> str:
    """:func:`_render_arg` of a value that is not None, without looking it up in ``memo``
    (the values nested in it are)."""
    if type(value) not in _AS_IS and _is_msg(value):  # a text, number or day never is one
        mid, margs = (value["id"], value["args"]) if isinstance(value, dict) else value
        return render(mid, margs, lang, root, memo)
    kind = ARG_TYPES.get(name)
    if kind is None:
        return _BOOL[lang][value] if isinstance(value, bool) and lang == "zh" else str(value)
    # the kinds every Chinese row has first (its fields, its subject); each kind is one case
    if kind == "field":
        return field_label(value, lang, root)
    if kind == "subject":
        return _render_subject(value, lang)
    sep = _SEP[lang]
    if kind == "fields":
        return sep[","].join(field_label(x, lang, root) for x in value)
    if kind in ("conds", "conds;"):
        joiner = sep[";"] if kind == "conds;" else sep[","]
        return joiner.join(_render_cond(c, lang, root) for c in value)
    if kind == "items;":
        return sep[";"].join(_render_item(x, lang, root, memo) for x in value)
    if kind == "values":
        return sep[","].join(item_label(x, lang) for x in value)
    if kind == "period":
        return _render_period(value, lang)
    if kind == "reqitems":
        return _render_reqitems(value, lang, root)
    if kind.startswith("enum."):
        v = value.value if isinstance(value, Enum) else value
        mid = f"{kind}.{v}"
        return text(mid, lang) if mid in MESSAGES else str(v)
    if kind == "collection":
        return _render_collection(value, lang)
    if kind == "num":
        return str(int(value)) if float(value).is_integer() else f"{value:g}"
    if kind == "pct":
        return f"{value:.0%}"
    if kind == "g":
        return f"{value:g}"
    return str(value)


def _render_item(x: Any, lang: str, root: str | None, memo: Memo | None = None) -> str:
    """One element of a ``;``-joined list: a field path, a message, a condition or a list of
    conditions (joined with commas); ``memo`` as for :func:`render`."""
    if isinstance(x, str):
        return field_label(x, lang, root)
    if _is_msg(x):
        return _render_arg("", x, lang, root, memo)
    if isinstance(x, _LISTS):
        return _SEP[lang][","].join(_render_cond(c, lang, root) for c in x)
    return _render_cond(x, lang, root)


def _root_of(subject: Any) -> str | None:
    if not isinstance(subject, str):
        return None
    return subject.partition("/")[0].partition(" ")[0]


def render(
    msg_id: str,
    args: Mapping[str, Any],
    lang: str = "en",
    root: str | None = None,
    memo: Memo | None = None,
) -> str:
    """The sentence of message ``msg_id`` with ``args``, in ``lang`` (``"en"`` or ``"zh"``);
    ``memo`` (one call's) lets rows share the renderings of the arguments they share."""
    tpl = text(msg_id, lang)
    en = lang == "en"
    if not en and "subject" in args:  # field labels are read from the subject's model
        root = _root_of(args["subject"]) or root
    shown = _Missing()
    for k in _used(tpl):
        if k in args:
            v = args[k]
        elif k.endswith("_zh") and k[:-3] in args:
            # a Chinese argument the arguments lack (stored by an older release, which did
            # not have it) reads as the one it is the Chinese of
            v = args[k[:-3]]
        else:
            continue
        if v is None:
            shown[k] = ""
        elif en and type(v) in _AS_IS:  # the common case, inline: shown as it is
            shown[k] = str(v)
        else:
            shown[k] = _render_arg(k, v, lang, root, memo)
    if not en and (label := shown.get("subject")) and _CJK.match(label[-1]):
        raw = args["subject"]  # a name alone (policy, scheme), no record id: 保单的…
        if isinstance(raw, str) and "/" not in raw and " " not in raw:
            tpl = _tight(tpl)
    if not en and shown.get("period") and shown["period"] == text("period.same_day", lang):
        tpl = _same_day(tpl)  # 不晚于发现日期当天, not 发现日期后 当天内
    return tpl.format_map(shown)


_CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
"""A Chinese character or full-width punctuation mark."""


@functools.lru_cache(maxsize=1024)
def _tight(template: str) -> str:
    """``template`` (Chinese) without the space after ``{subject}`` where Chinese follows it,
    for a subject that is a name alone (保单, 事故预防技术服务方案), which takes the next word
    directly; a record's id stays set apart by spaces (服务记录 S-03 的…), whatever it is
    written in. Only the template's own space goes; the values are as they are. A memo of a
    pure function of the text."""
    return re.sub("\\{subject\\} (?=" + _CJK.pattern + ")", "{subject}", template)


_AFTER_TRIGGER = re.compile(r"(应在)?\{trigger\}( \{trigger_value\})? ?后 ?\{period\}内")


@functools.lru_cache(maxsize=256)
def _same_day(template: str) -> str:
    """``template`` (Chinese) for a period that is the trigger's own day: ``{trigger}后
    {period}内`` (after the trigger, within 5 个工作日) reads ``不晚于{trigger}{period}``
    (不晚于发现日期当天), as the texts say it (当天): true of a rule that takes an action before
    its trigger as on time (整改完成 by the day set for it) as of one that does not. A memo
    of a pure function of the text."""

    def bound(m: re.Match[str]) -> str:
        lead, value = "应不晚于" if m.group(1) else "不晚于", m.group(2) or ""
        return f"{lead}{{trigger}}{value}{' ' if value else ''}{{period}}"

    return _AFTER_TRIGGER.sub(bound, template)


@functools.lru_cache(maxsize=1024)
def _used(template: str) -> tuple[str, ...]:
    """The placeholders a template uses, each once (a memo of a pure function of the text)."""
    return tuple(sorted(placeholders(template)))


class _Missing(dict):
    """Format arguments; a placeholder without an argument reads as empty."""

    def __missing__(self, key: str) -> str:
        return ""


def render_message(msg_id: str, args: Mapping[str, Any], lang: str = "en") -> str:
    """Render a finding's (or an obligation's) ``message_id`` and ``message_args`` — as found
    in a :class:`~ansafe_rules.Finding` or :class:`~ansafe_rules.FindingRow`, or their JSON —
    in ``lang``, without evaluating again."""
    return render(msg_id, args, normalise_lang(lang))


def jsonable(args: Mapping[str, Any], memo: Memo | None = None) -> dict[str, Any]:
    """Message arguments as JSON values (conditions, periods and nested messages included);
    ``memo`` as for :func:`render`. Shared values give the same (read-only) JSON objects.
    An argument that is None is left out: :func:`render` reads a missing argument as it
    reads None (as empty), so the sentence is the same, and the JSON is shorter."""
    return {k: _json_arg(k, v, memo) for k, v in args.items() if v is not None}


_JSON_AS_IS = frozenset({str, int, float, bool, type(None)})


def _json_arg(name: str, v: Any, memo: Memo | None = None) -> Any:
    t = type(v)
    if t in _JSON_AS_IS:
        return v
    if t is dt.date or t is dt.datetime:
        return str(v)
    if memo is not None:
        key = (id(v), name)
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = (v, _json_arg(name, v))
        return hit[1]
    if _is_msg(v):
        mid, margs = (v["id"], v["args"]) if isinstance(v, dict) else v
        return {"id": mid, "args": jsonable(margs)}
    kind = ARG_TYPES.get(name)
    if kind in ("conds", "conds;"):
        return [_cond_json(c) for c in v]
    if kind == "items;":
        return [_json_item(x) for x in v]
    if kind == "period" and not isinstance(v, dict):
        return {"amount": v.amount, "unit": v.unit.value}
    return _plain(v)


def _json_item(x: Any) -> Any:
    if isinstance(x, str):
        return x
    if _is_msg(x):
        return _json_arg("", x)
    if isinstance(x, _LISTS):
        return [_cond_json(c) for c in x]
    return _cond_json(x)


def label(kind: str, value: Enum | str, lang: str = "en") -> str:
    """An enum value (status, severity, duty holder...) in ``lang``: ``label("Status",
    "violation", "zh")`` -> 违规."""
    v = value.value if isinstance(value, Enum) else value
    return text(f"enum.{kind}.{v}", lang)


def names(msg_ids: Iterable[str]) -> list[str]:
    """The ids in catalogue order (for tools)."""
    wanted = set(msg_ids)
    return [k for k in MESSAGES if k in wanted]


_register_enums()


# --- zh: bindings, rule descriptions, diff, rules, validate, CLI labels (issue 9) ----------
# Registered after the core catalogue so that merges with other parts stay simple.
# bindings (bindings.py): the 从严适用 line; the English is the note of Binding, byte for byte
_M("binding.cite", "{layer} {clause} ({rule_id})", "layer_name", omit=("layer", "rule_id"))
_M("binding.due", "{rule}: due {value}")
_M("binding.keep", "{rule}: keep until {value}")
_M("binding.rate", "{rule}: at least {min_count} per {per}")
_M("binding.strictest", "the strictest, {rule}, binds")
_M("binding.most_frequent", "the most frequent, {rule}, binds")
_M("binding.agree", "they agree")
_M(
    "binding.note",
    "{obligation} for {subject}: {parts} — {verdict}.",
    "title",
    omit=("obligation",),
)
_M("binding.note_policy", "{obligation}: {parts} — {verdict}.", "title", omit=("obligation",))
# a rule's requirement in one sentence (diff.describe_rule: the diff, the matrix, rule pages)
_M("desc.what_where", "{collection} where {where}")
_M("desc.first", "first {collection}")
_M("desc.ext", ", +{days} days if approved")
_M("desc.deadline", "{action} within {period} of {trigger}{ext} ({what})")
_M("desc.retention", "keep {period} from {anchor} ({what})")
_M("desc.contract", "{collection}: as often as the contract states")
_M(
    "desc.frequency",
    "at least {min_count}{unit} per {per} ({what})",
    "measure",
    "weight",
    omit=("unit",),
)
_M("desc.required", "{what}: requires {items}")
_M("desc.qualification", "{what}: must {requirements}")
_M("desc.prohibition", "{what}: must not {forbid}")
_M("desc.window", "{what}: preferably in {window_ids}")
# diff (diff.format_diff)
_M("diff.title", "{a} (A) vs {b} (B)")
_M("diff.col.obligation", "obligation")
_M("diff.col.title", "title")
_M("diff.col.status", "status")
_M("diff.col.strictness", "strictness")
_M("diff.status.same", "same")
_M("diff.status.different", "different")
_M("diff.status.only_a", "only A")
_M("diff.status.only_b", "only B")
_M("diff.stricter.a", "A stricter")
_M("diff.stricter.b", "B stricter")
_M("diff.stricter.equal", "equal")
_M("diff.stricter.none", "n/a")
_M("diff.cell", "{layer} {clause}: {requirement}")
_M("diff.count", "{n} obligation(s) differ, {same} the same", "many")
# rules (cli.py)
_M("rules.head", "{rule_id}  [{layer} {clause}] {kind}, {severity}, duty holder {holder}{service}")
_M("rules.service", " (service duty, 5.3)")
_M("rules.params", "params: {params}")
_M("rules.interpretive", "interpretive {param}: {reading}")
_M("rules.count_one", "{n} rule in {layers}; jurisdictions available: {available}")
_M("rules.count", "{n} rules in {layers}; jurisdictions available: {available}")
# validate (cli.py)
_M("validate.ok_one", "ok: {file}: {own} rule of its own, {n} with {layers}")
_M("validate.ok", "ok: {file}: {own} rules of its own, {n} with {layers}")
_M(
    "validate.quote_missing",
    "{file}: rule {rule_id} (clause {clause}): quote not found verbatim in {source}: {quote}",
)
_M("validate.no_source", "{file}: source text {source} not found in {where}")
_M("validate.quotes_ok", "quotes: {n} checked against {source}, all verbatim")
_M("validate.quotes_bad", "quotes: {bad} of {n} not verbatim in {source}")
# CLI labels (obligations table, usage errors)
_M("todo.as_of", "as of")
_M("todo.standing", "standing duties")
_M("todo.until", "until")
_M("todo.provisional", "provisional")
_M("enum.TodoStatus.done", "done")
_M("enum.TodoStatus.overdue", "overdue")
_M("enum.TodoStatus.due_soon", "due soon")
_M("enum.TodoStatus.upcoming", "upcoming")
_M("enum.TodoStatus.standing", "standing")
_M("enum.TodoStatus.unknown", "unknown")
_M("enum.AlertKind.obligation_opened", "obligation opened")
_M("enum.AlertKind.due_soon", "due soon")
_M("enum.AlertKind.fulfilled", "fulfilled")
_M("enum.AlertKind.fulfilled_late", "fulfilled late")
_M("enum.AlertKind.lapsed", "lapsed")
_M("enum.AlertKind.violation", "violation")
_M("enum.AlertKind.data_error", "data error")
_M("cli.error", "error: {message}")
_M("cli.warning", "warning: {message}")
_M("cli.xlsx_needs_output", "xlsx needs --output FILE.xlsx")
_M("cli.ics_needs_folder", "several policies: give --output FOLDER for .ics files")
# calendar events (ical.py)
_M("ical.calname", "obligations")
_M("ical.due", "due")
_M("ical.window", "period")
_M("ical.keep", "keep until")
_M("ical.subject", "subject")
_M("ical.duty_holder", "duty holder")
_M("ical.due_at", "due at")
_M("ical.reminder", "reminder")

# the HTTP service's own messages (server/messages.py): problem titles and details
_M("problem.invalid-parameter", "Invalid query parameter")
_M("problem.unsupported-media-type", "Unsupported request body format")
_M("problem.invalid-case", "The policy case cannot be evaluated")
_M("problem.unknown-jurisdiction", "Unknown jurisdiction")
_M("problem.unknown-layer", "The ruleset has no such layer")
_M("problem.unknown-schema", "Unknown schema name")
_M("problem.body-too-large", "Request body too large")
_M("problem.batch-too-long", "Too many lines in the batch")
_M("problem.body-timeout", "Timed out reading the request body")
_M("problem.incomplete-body", "Incomplete request body")
_M("problem.timeout", "Evaluation timed out")
_M("problem.not-found", "No such path")
_M("problem.method-not-allowed", "Method not allowed")
_M("problem.http-error", "Bad request")
_M("problem.internal-error", "Internal error")
_M(
    "server.body_limit",
    "the request body is larger than the limit of {limit:,} bytes (max_body_bytes)",
)
_M(
    "server.batch_limit",
    "the batch has {n:,} lines, more than the limit of {limit:,} (max_batch_lines)",
)
_M(
    "server.body_timeout",
    "the request body did not arrive within {seconds:g} s (read_timeout_seconds)",
)
_M("server.case_timeout", "{where}: evaluation took longer than {seconds:g} s (timeout_seconds)")
_M("server.incomplete_body", "the client went away before sending the whole body")
_M(
    "server.no_ical",
    "request: the policy's obligations cannot be written as iCalendar ({why}); format=json can",
)
_M("server.media_type", "Content-Type is {got!r}; expected {allowed}")
_M(
    "server.unknown_jurisdiction",
    "parameter {field!r}: {name!r} is not a loaded jurisdiction; available: {available}",
)
_M(
    "server.unknown_layer",
    "parameter 'layer': ruleset {ruleset!r} has no layer {layer!r}; its layers: {layers}",
)
_M(
    "server.unknown_in_force_layer",
    "parameter 'in_force': {layer!r} is not a loaded jurisdiction; available: {available}",
)
_M("server.bad_in_force", "parameter 'in_force': expected LAYER=YYYY-MM-DD, got {value!r}")
_M(
    "server.calendar_year",
    "parameter {field!r}: {day} is outside the years the calendar can cover, {first}-{last}",
)
_M(
    "server.calendar_clash",
    "parameters 'holiday'/'workday': {days} listed both as holiday and as workday",
)
_M("server.unknown_schema", "no schema named {name!r}; available: {available}")
_M("server.not_found", "no path {path}; see /v1/openapi.json")
_M("server.method", "{path} does not accept {method}")
_M("server.parameter", "parameter {field!r}: {message}")
# the monitor's table (monitor/cli.py)
_M("monitor.col.date", "date")
_M("monitor.col.alert", "alert")
_M("monitor.col.policy", "policy")
_M("monitor.col.rule", "rule")
_M("monitor.col.duty_holder", "duty holder")
_M("monitor.col.due", "due")
_M("monitor.col.message", "message")

ARG_TYPES.update(
    {
        "parts": "items;",
        "where": "conds;",
        "items": "reqitems",
        "window_ids": "values",
        "what": "collection",
        "holder": "enum.DutyHolder",
    }
)


def _item_enums() -> tuple[type[Enum], ...]:
    """The enums whose values a rule lists as required items (``contains``): their Chinese
    labels come from the catalogue (``enum.<Type>.<value>``), written from the source texts'
    wording (AQ 9010-2019 6.4, 7.4, 8.1; 广东 3.4 and 8.1)."""
    from . import model as m

    return (m.ArchiveDocumentKind, m.ComplaintReplyItem, m.EvaluationReportItem, m.SignatoryRole)


def _register_item_enums() -> None:
    """Item enums and rule kinds as ``enum.<Type>.<value>`` messages (English: the value)."""
    from .rulesets import Kind

    for enum in (*_item_enums(), Kind):
        for v in enum:
            MESSAGES[f"enum.{enum.__name__}.{v.value}"] = Spec(v.value, frozenset())


@functools.cache
def _item_index() -> dict[str, str]:
    """Item value -> its message id (values are unique across the item enums; a test checks)."""
    out: dict[str, str] = {}
    for enum in _item_enums():
        for v in enum:
            out.setdefault(v.value, f"enum.{enum.__name__}.{v.value}")
    return out


def item_label(value: Any, lang: str = "zh") -> str:
    """A listed item (a required document, a reply's or a report's content) as it reads:
    ``service_effect`` -> 服务效果 in Chinese; itself in English or when not an item."""
    v = value.value if isinstance(value, Enum) else value
    if lang == "en" or not isinstance(v, str):
        return str(v)
    mid = _item_index().get(v)
    return text(mid, lang) if mid is not None else v


def _render_reqitems(items: Iterable[str], lang: str, root: str | None) -> str:
    """Required items: listed values through their labels, field paths through the model's."""
    index = _item_index()
    return _SEP[lang][","].join(
        item_label(x, lang) if x in index else field_label(x, lang, root) for x in items
    )


def bilingual(msg_id: str) -> str:
    """A label Chinese first with the English alongside (``仅B规定 only B``), for tables read
    in both languages."""
    zh, en = text(msg_id, "zh"), text(msg_id, "en")
    return zh if zh == en else f"{zh} {en}"


def pair(msg_id: str, **args: Any) -> tuple[str, str]:
    """A message with ``args`` in Chinese and in English: ``(zh, en)``."""
    return text(msg_id, "zh").format(**args), text(msg_id, "en").format(**args)


def where_zh(where: str) -> str:
    """A place an input error names, in Chinese: a case's label ``f.jsonl: line 3`` (a JSON
    Lines line) reads ``f.jsonl：第 3 行``; a file name reads as it is."""
    m = _LINE_AT.fullmatch(where)
    return f"{m[1]}：第 {m[2]} 行" if m else where


_LINE_AT = re.compile(r"(.*): line (\d+)", re.S)


def what_zh(said: str, *, field: bool, line: bool) -> str:
    """What one line of an input error said in Chinese (as :func:`error_at` and the message
    ``input.issue`` write it, the file already taken off) says without where it is: the text
    after ``字段「F」：`` when it names a field, else after ``第 N 行：`` when it names a line."""
    m = (_FIELD_SAID.search(said) if field else None) or (_LINE_SAID.match(said) if line else None)
    return m["msg"] if m else said


_FIELD_SAID = re.compile(r"字段「[^」]*」(?:（[^）]*）)?：(?P<msg>.*)$", re.S)
_LINE_SAID = re.compile(r"第 \d+ 行：(?P<msg>.*)$", re.S)


def both(msg_id: str, **args: Any) -> str:
    """A message in both languages, Chinese first (``已写入 out.xlsx — wrote out.xlsx``), for
    errors and notes printed where no language was chosen."""
    zh, en = pair(msg_id, **args)
    return zh if zh == en else f"{zh} — {en}"


def plural(n: int, one_id: str, many_id: str, lang: str = "en", **args: Any) -> str:
    """``n`` things in ``lang``: the singular message when ``n == 1`` (English), else the plural
    (Chinese has one form: both ids translate alike)."""
    return text(one_id if n == 1 else many_id, lang).format(n=n, **args)


_register_item_enums()
# --- spreadsheets in (workbooks.py) and the checklist XLSX (checklists.py), issue 9 item 4 ---
_M("sheet.readme", "README")
_M("sheet.options", "options")
_M("sheet.at", "sheet {sheet} row {row}")
_M("sheet.cell", "column {column} ({header})")
_M("sheet.bad_date", "not a date: {value} (a date cell, or text YYYY-MM-DD)")
_M("sheet.time_in_date", "{value} has a time of day; the column takes a date")
_M("sheet.bad_datetime", "not a date and time: {value} (a date cell, or text YYYY-MM-DD HH:MM)")
_M("sheet.bad_bool", "not 是/否 (yes/no): {value}")
_M("sheet.bad_int", "not a whole number: {value}")
_M("sheet.bad_number", "not a number: {value}")
_M("sheet.bad_enum", "{value} is not one of: {codes}", "allowed", omit=("codes",))
_M("sheet.invalid", "invalid: {error}")
_M("sheet.unknown_column", "unknown column {header} (ignored)")
_M(
    "sheet.missing_column",
    "missing required column {header} ({field}); the sheet's {n} row(s) were not read",
)
_M("sheet.unknown_field", "unknown field {header} (ignored)")
_M("sheet.duplicate_field", "field {header} is given twice (first in row {first}); ignored")
_M("sheet.unknown_sheet", "unknown sheet {sheet} (ignored)")
_M("sheet.twice", "sheet {sheet} holds the same records as sheet {first}: not read")
_M("sheet.no_policy", "no sheet {sheet} (the policy): a case needs one")
_M("sheet.orphan", "no {parent} with {key} {value}; the row was not read")
_M(
    "sheet.duplicate",
    "id {id} is also used in row(s) {others}; records sharing an id are not evaluated",
)
_M("sheet.unreadable", "cannot read the workbook: {error}")
_M(
    "sheet.not_case",
    "{path} is not a case: pass the folder of CSV files or its {policy}.csv",
)
_M("sheet.kv.field", "field")
_M("sheet.kv.value", "value")
_M("sheet.kv.about", "description")
_M("sheet.format.text", "text")
_M("sheet.format.date", "date (a date cell, or YYYY-MM-DD)")
_M("sheet.format.datetime", "date and time (YYYY-MM-DD HH:MM)")
_M("sheet.format.bool", "是 or 否 (yes or no)")
_M("sheet.format.int", "whole number")
_M("sheet.format.number", "number")
_M("sheet.format.enum", "one of: {codes}", "values", omit=("codes",))
_M("sheet.format.many", "several values separated by {sep}")
_M("sheet.required", "required")
_M("sheet.validation", "choose a value from the list")
_M("sheet.readme.sheet", "sheet")
_M("sheet.readme.column", "column")
_M("sheet.readme.field", "field")
_M("sheet.readme.format", "format")
_M("sheet.readme.required", "required")
_M("sheet.readme.about", "description")
_M(
    "sheet.readme.intro",
    "A policy case for ansafe-rules: one sheet per part of the case. Headers are the Chinese "
    "field labels (English field names are accepted too); dates are date cells or text "
    "YYYY-MM-DD; yes/no is 是/否; a list of values in one cell is separated by {sep}. The "
    "policy, scheme and quote letter sheets list one field a row; the other sheets one record "
    "a row. See docs/spreadsheets.md.",
)
_M("sheet.readme.jurisdiction", "Template for jurisdiction {jurisdiction}.")
_M("sheet.readme.keyvalue", "one field a row")
_M("sheet.readme.table", "one record a row")
_M("sheet.readme.child", "rows belong to a record of {parent}, named by {keys}")
_M("checklist.head.item", "No.")
_M("checklist.head.content", "check content")
_M("checklist.head.point", "check point")
_M("checklist.head.result", "findings")
_M("checklist.meta", "policy {policy_id}; project {project}; insured {insured}; as of {as_of}")
_M("checklist.signature", "inspector:                date:")
_M("checklist.answer.compliant", "complies")
_M("checklist.answer.violation", "does not comply")
_M("checklist.answer.advisory", "does not comply (advisory, not a breach of a duty)")
_M("checklist.answer.pending", "not yet due")
_M("checklist.answer.not_applicable", "not applicable")
_M("checklist.answer.insufficient_data", "cannot tell: data missing")
_M("checklist.answer.data_error", "cannot tell: data error")
_M("checklist.answer.manual", "to be checked on site: {why}")
_M("checklist.records", "records: {records}")
_M("checklist.clauses", "clauses: {clauses}")
_M("checklist.more", "and {n} more")


def _register_sheet_enums() -> None:
    """The enum values the spreadsheets show that :func:`_register_enums` does not register."""
    from . import model as m

    for enum in (
        m.InsuredSize,
        m.Party,
        m.RiskGrade,
        m.ProjectGrade,
        m.ComplaintReplyItem,
        m.ArchiveDocumentKind,
        m.ArchiveMedium,
        m.SignatoryRole,
        m.EvaluationReportItem,
        m.StageKind,
        m.PeriodicReportPeriod,
    ):
        for v in enum:
            MESSAGES.setdefault(f"enum.{enum.__name__}.{v.value}", Spec(v.value, frozenset()))


_register_sheet_enums()
# --- end spreadsheets -----------------------------------------------------------------------

# --- spreadsheets in: usage errors of `template` and `checklist` (cli.py) ---------------------
_M("sheets.unknown_jurisdiction", "unknown jurisdiction {name}; known: {known}")
_M("sheets.xlsx_needs_output", "xlsx needs --output FILE.xlsx")
_M("cli.wrote", "wrote {path}")
_M("report.bad_format", "unknown format {bad}: use html, pdf, xlsx, comma-separated")
_M("xlsx.missing_out", "XLSX output needs openpyxl: pip install 'ansafe-rules[xlsx]'")
_M("xlsx.missing_in", "XLSX input and output need openpyxl: pip install 'ansafe-rules[xlsx]'")

# --- input errors: the reader's own (inputs.py; the English as it always was) and pydantic's ---
_M("input.too_deep", "nested more than {max_depth} levels deep (limit max_depth, docs/limits.md)")
_M("input.unreadable", "cannot be read: {error}")
_M(
    "input.date_too_late",
    "date {value} is after {max_date}, the latest date supported (limit max_date, docs/limits.md)",
)
_M(
    "input.term_too_long",
    "the term {start}..{end} is longer than {max_years} years (limit max_term_years, "
    "docs/limits.md)",
)
_M("input.unknown_section", "unknown section (ignored)")
_M("input.not_a_list", "expected a list of records")
_M(
    "input.duplicate_id",
    "id {id} is also used by {others}; records sharing an id are not evaluated",
    "others_zh",
    omit=("others",),
)
# a whole input that cannot be read (InputError: the file, or a JSON Lines line, is named
# before the message, see error_at; the English as it always was)
_M("ruleset.unknown_jurisdiction", "unknown jurisdiction {name}; available: {known}")
_M("ruleset.no_file", "no such ruleset file")
_M("calendar.not_a_list", "calendar override file must be a list of years")
# a ruleset file's errors (loader.py, rulesets.py): where in the file, then what is wrong
_M("ruleset.field", "field {quoted}", "field", omit=("quoted",))
_M("ruleset.at_item", "{list}[{i}]")
_M("ruleset.at_item_rule", "{list}[{i}] (rule {id})")
_M("ruleset.at_rule", "rule {id}")
_M("ruleset.at_override", "override of rule {id}")
_M("ruleset.at_overrides", "overrides: rule {id}")
_M("ruleset.at_disable", "disable: rule {id}")
_M("ruleset.at_window", "window {id}")
_M("ruleset.at_checklist", "checklist {id}")
_M("ruleset.no_packaged", "no packaged rulesets found (is the package installed correctly?)")
_M("ruleset.not_mapping", "a ruleset file must be a mapping at the top level")
_M("ruleset.id_mismatch", "{id} does not match the file name")
_M("ruleset.not_case_field", "{path} is not a field of the case")
_M("ruleset.not_field_of", "{path} is not a field of {name}")
_M("ruleset.params_misfit", "do not fit kind {kind}")
_M("ruleset.scope_field_alone", "goes with scope_date: event")
_M("ruleset.not_records", "{path} does not list records")
_M("ruleset.stages_alone", "stages and link go with per: stage")
_M(
    "ruleset.reading_unknown",
    "names no parameter of kind {kind} (nor one of {readings})",
    "readings_zh",
    omit=("readings",),
)
_M("ruleset.rule_prefix", "rule ids in {file} must start with '{stem}.'")
_M("ruleset.extends_cycle", "cycle through {id}")
_M("ruleset.duplicate_window", "duplicate window id")
_M("ruleset.no_base_rule", "names no rule of {extends} or its parents")
_M("ruleset.duplicate_rule", "duplicate rule id")
_M("ruleset.unknown_window", "unknown window {id}")
_M("ruleset.unknown_rule", "unknown rule {id}")
_M("ruleset.override_unknown", "override names unknown rule {id}")
_M("ruleset.no_layer", "no layer {layer} in ruleset {id}")
# a rule's own checks (rulesets.py), shown after pydantic's "Value error, "
_M("ruleset.v.both_groups", "give any_of or all_of, not both")
_M("ruleset.v.group_alone", "{name} stands alone (no field, op or value)")
_M("ruleset.v.group_of_one", "{name} needs at least two conditions")
_M("ruleset.v.needs_field_op", "a condition needs field and op (or any_of, all_of)")
_M("ruleset.v.no_value", "op {op} takes no value")
_M("ruleset.v.one_value", "op {op} needs exactly one of value, value_field")
_M("ruleset.v.list_value", "op {op} needs a list value")
_M("ruleset.v.action_or_event", "give exactly one of action, first_event")
_M("ruleset.v.contract_no_count", "from_contract takes neither min_count nor per")
_M("ruleset.v.contract_subject", "from_contract needs subject service_records")
_M("ruleset.v.count_and_per", "min_count and per are required unless from_contract is true")
_M("ruleset.v.fields_or_contains", "give fields, contains or both")
_M("ruleset.v.require_something", "give require, require_counts or both")
_M("ruleset.v.one_window_spec", "give exactly one of annual, after_holiday, from_case")
_M("ruleset.v.rules_or_unanswerable", "give rules or not_answerable (one of them)")
# a calendar override file's entries (calendar.py)
_M("calendar.at_entry", "entry {i}", "n", omit=("i",))  # n: counted from 1
_M("calendar.not_in_year", "date {day} is not in year {year}")
_M("calendar.both_kinds", "dates both holiday and workday: {days}", "listed", omit=("days",))
# a case's own checks (model.py), shown after pydantic's "Value error, "
_M(
    "input.jurisdiction_not_id",
    "{value} is not a jurisdiction id (e.g. 'national'); a ruleset file can be chosen only by "
    "the caller (--jurisdiction FILE), not by the data",
)
_M(
    "input.service_kind_twice",
    "service kind {kind} is listed twice (items {first} and {second}); state one frequency per "
    "service kind",
    "first_n",
    "second_n",
    omit=("first", "second"),
)
_M("input.term_order", "term_end {term_end} is before term_start {term_start}")
_M("input.end_before_start", "end {end} is before start {start}")
# a period's own checks (periods.py): a rule's or an override's period
_M("period.same_day_amount", "same_day takes amount 0")
_M("period.amount_min", "amount must be >= 1 for unit {unit}")
_M(
    "period.amount_max",
    "amount {amount} is too large for unit {unit} (at most {most}; see docs/limits.md)",
)
_M("input.unexpected", "could not be evaluated: {error}")
_M("report.unexpected", "could not be reported: {error}")
# the monitor's own checks of an event (monitor/core.py, monitor/events.py)
_M("monitor.unprocessable", "could not be processed: {error}")
_M("monitor.not_object", "expected a JSON object, got {type}")
_M("monitor.missing", "missing")
_M("monitor.unknown_type", "unknown event type {type}; one of {types}")
_M(
    "monitor.tick_back",
    "tick {day} is before the monitor's clock {clock} (ticks must not go back); ignored",
)
_M("monitor.unknown_policy", "unknown policy {pid}: no policy_issued event for it yet")
_M("monitor.already_issued", "policy {pid} was already issued; send policy_updated to change it")
_M("monitor.policy_id_differs", "{got} differs from the event's policy_id {pid}")
_M("monitor.id_fixed", "a policy's id cannot change")
_M("monitor.single_no_id", "{coll} is a single document: it has no id")
_M("monitor.needs_id", "missing: a {coll} record needs an id")
_M("monitor.id_differs", "differs from the event's id")
# the monitor command's own errors (monitor/cli.py), printed in both languages
_M("monitor.needs_jurisdiction", "monitor needs --jurisdiction (or --events-from)")
_M("monitor.batch_min", "--batch must be >= 1")
_M("monitor.needs_durable", "the monitor needs durable-rules: {install}")
_M(
    "monitor.other_stream",
    "{events}: event {seq} is not the one the state {state} committed as event {seq}: a "
    "different stream; use a new --state",
)
_M(
    "monitor.short_stream",
    "{events}: {seq} events, but the state {state} already took {skip}: a different stream; "
    "use a new --state",
)
_M(
    "monitor.output_changed",
    "{path}: {size} bytes, but the state committed {committed}: the output was changed; use a "
    "new --state and --output",
)
_M(
    "monitor.record_invalid",
    "{label}: {error}; the record is left as it was",
    "error_zh",
    omit=("error",),
)
_M(
    "cli.unreadable",
    "{bad} of {total} input(s) could not be evaluated (see the errors above); the others were",
)
_M("input.no_policy", "policy: field 'policy': missing")
_M("input.not_mapping", "expected a mapping with a 'policy', got {type}")
_M(
    "input.too_many_records",
    "{n} records, more than {max_records} in one case (limit max_records, docs/limits.md)",
)
_M("input.bad_json", "invalid JSON: {error}")
_M("input.duplicate_key", "duplicate key {key} in one object")
_M("input.not_utf8", "not UTF-8 text (byte {byte})")
_M("input.not_utf8_short", "not UTF-8 (byte {byte})")
_M("input.not_utf8_at", "not UTF-8 text (byte 0x{hex} at byte {byte})")
_M("input.not_utf8_in_line", "not UTF-8 text (byte 0x{hex} at byte {byte} of the line)")
_M("input.cannot_read", "cannot read file: {error}")
_M(
    "input.file_too_large",
    "file is {size} bytes, more than the limit of {max_bytes} (limit max_file_bytes, "
    "docs/limits.md)",
)
_M("input.larger_than", "larger than {max_bytes} bytes (limit max_file_bytes, docs/limits.md)")
_M(
    "input.records_over",
    "more than {max_records} records in one case (limit max_records, docs/limits.md)",
)
_M("input.no_such_file", "cannot read file: no such file")
_M("input.no_such_path", "cannot read file: no such file or folder")
_M("input.not_csv_text", "not UTF-8 or GB18030 text")
_M("input.not_csv", "not a CSV file: {error}")
_M("input.empty", "no input")
# a YAML document the strict reader refuses (_yaml.py: case files and rulesets alike)
_M("yaml.recursive_alias", "an alias refers to itself (recursive alias)")
_M(
    "yaml.alias_expansion",
    "aliases expand to {extra} more nodes (at most {most}; limit max_alias_nodes, "
    "docs/limits.md): refused",
)
_M("yaml.unreadable_scalar", "{value} cannot be read as !!{tag} ({error})")
_M("yaml.tag_unsupported", "a scalar tagged {tag} is not supported")
_M("yaml.bad_value", "a value cannot be read ({error})")
_M("yaml.too_deep", "nested too deeply (limit max_depth {max_depth}, docs/limits.md)")
_M(
    "yaml.too_deep_to_read",
    "nested too deeply to read (limit max_depth {max_depth}, docs/limits.md)",
)
_M("yaml.syntax", "{problem}", "problem_zh", omit=("problem",))
_M("yaml.syntax_at", "{problem} (column {column})", "problem_zh", omit=("problem",))
_M("yaml.problem", "{problem}")
_M("yaml.key_not_scalar", "a {kind} cannot be a key; keys must be scalars")
_M("yaml.duplicate_key", "duplicate key {key} (line {line}; first at line {first})")
# the working-day calendar's range (calendar.py)
_M("calendar.outside", "date {day} is outside the calendar range {first}-{last}")
_M("calendar.beyond", "{n} working days after {day} is beyond the calendar range ending {last}")
_M("calendar.no_workday", "no working day on or after {day} within the calendar range")
_M("input.line_too_long", "longer than {limit} bytes (limit max_line_bytes, docs/limits.md)")
_M("input.bad_yaml", "{error}")
_M("input.bad_jurisdiction", "policy: field 'jurisdiction': {error}", "error_zh", omit=("error",))
_M(
    "input.not_registry_name",
    "{name} is not a jurisdiction id (a ruleset file is chosen by the caller, e.g. "
    "--jurisdiction FILE, never by the data)",
)
# where a record is (InputIssue.record and record_zh)
_M("input.at_id", "id {id}")
_M("input.at_line", "line {line}")
_M("input.id_cut", "{id} ({n} characters)")
_M("input.id_digits", "<an integer of {n} digits>")
_M("input.id_too_large", "<a {type} too large to show>")
# pydantic's error types, said in Chinese (the English is pydantic's own message)
_M("pyd.missing", "Field required")
_M("pyd.extra_forbidden", "unknown key")
_M("pyd.date", "Input should be a valid date{why}")
_M("pyd.datetime", "Input should be a valid datetime{why}")
_M("pyd.date_from_datetime_inexact", "Datetimes provided to dates should have zero time")
_M("pyd.bool", "Input should be a valid boolean")
_M("pyd.int", "Input should be a valid integer")
_M("pyd.int_from_float", "Input should be a valid integer, got a number with a fractional part")
_M("pyd.number", "Input should be a valid number")
_M("pyd.finite", "Input should be a finite number")
_M("pyd.string", "Input should be a valid string")
_M("pyd.string_too_short", "String should have at least {min_length} characters")
_M("pyd.string_too_long", "String should have at most {max_length} characters")
_M("pyd.list", "Input should be a valid list")
_M(
    "pyd.too_short",
    "{field_type} should have at least {min_length} item(s), not {actual_length}",
    omit=("field_type",),
)
_M(
    "pyd.too_long",
    "{field_type} should have at most {max_length} item(s), not {actual_length}",
    omit=("field_type",),
)
_M("pyd.mapping", "Input should be a valid dictionary or object")
_M("pyd.enum", "Input should be {expected}")
_M("pyd.ge", "Input should be greater than or equal to {ge}")
_M("pyd.gt", "Input should be greater than {gt}")
_M("pyd.le", "Input should be less than or equal to {le}")
_M("pyd.lt", "Input should be less than {lt}")
_M("pyd.value_error", "{msg}")
_M("pyd.why.day", ", day value is outside expected range")
_M("pyd.why.month", ", month value is outside expected range of 1-12")
_M("pyd.why.short", ", input is too short")
_M("pyd.why.separator", ", invalid date separator")
_M("pyd.why.extra", ", unexpected extra characters at the end of the input")

_PYDANTIC_KINDS = {
    "missing": "pyd.missing",
    "extra_forbidden": "pyd.extra_forbidden",
    "date_from_datetime_parsing": "pyd.date",
    "date_parsing": "pyd.date",
    "date_type": "pyd.date",
    "datetime_from_date_parsing": "pyd.datetime",
    "datetime_parsing": "pyd.datetime",
    "datetime_type": "pyd.datetime",
    "date_from_datetime_inexact": "pyd.date_from_datetime_inexact",
    "bool_parsing": "pyd.bool",
    "bool_type": "pyd.bool",
    "int_parsing": "pyd.int",
    "int_type": "pyd.int",
    "int_from_float": "pyd.int_from_float",
    "float_parsing": "pyd.number",
    "float_type": "pyd.number",
    "decimal_parsing": "pyd.number",
    "finite_number": "pyd.finite",
    "string_type": "pyd.string",
    "string_too_short": "pyd.string_too_short",
    "string_too_long": "pyd.string_too_long",
    "list_type": "pyd.list",
    "tuple_type": "pyd.list",
    "too_short": "pyd.too_short",
    "too_long": "pyd.too_long",
    "dict_type": "pyd.mapping",
    "model_type": "pyd.mapping",
    "model_attributes_type": "pyd.mapping",
    "enum": "pyd.enum",
    "literal_error": "pyd.enum",
    "greater_than_equal": "pyd.ge",
    "greater_than": "pyd.gt",
    "less_than_equal": "pyd.le",
    "less_than": "pyd.lt",
}
_WHY = {  # the context of a date's parsing error -> its message
    "day value is outside expected range": "pyd.why.day",
    "month value is outside expected range of 1-12": "pyd.why.month",
    "input is too short": "pyd.why.short",
    "invalid date separator, expected `-`": "pyd.why.separator",
    "unexpected extra characters at the end of the input": "pyd.why.extra",
}


def enum_at(model: type[BaseModel] | None, field: str) -> type[Enum] | None:
    """The enum of the dotted ``field`` of ``model`` (list indexes skipped), if it is one."""
    annotation: Any = None
    for part in field.split("."):
        if part.isdigit():
            continue
        info = model.model_fields.get(part) if model is not None else None
        if info is None:
            return None
        annotation, model = info.annotation, _model_of(info.annotation)
    return _enum_of(annotation)


def pydantic_error_zh(
    kind: str, ctx: Mapping[str, Any], msg: str, enum: type[Enum] | None = None
) -> str | None:
    """A pydantic validation error (its ``type`` and ``ctx``) in Chinese; None for a type the
    catalogue does not know (the English ``msg`` is then shown). A ``value_error`` (a model's
    own check) is said in Chinese when the check said it in both (``_errors.said``), else
    keeps its English text behind a Chinese lead. With the field's ``enum``, each
    value an ``enum`` error expects is followed by its Chinese label."""
    if kind == "value_error":
        said = getattr(ctx.get("error"), "zh", None)  # a check said in both (errors.said)
        if said is not None:
            return str(said)
        return text("pyd.value_error", "zh").format(msg=msg.removeprefix("Value error, "))
    mid = _PYDANTIC_KINDS.get(kind)
    if mid is None:
        return None
    why = _WHY.get(str(ctx.get("error", "")))
    args = {k: v for k, v in ctx.items() if k != "error"}
    if "expected" in args:  # "'a', 'b' or 'c'" -> a、b、c (their labels when known)
        values = re.findall(r"'([^']*)'", str(args["expected"]))
        if enum is not None:
            names = {m.value: f"enum.{enum.__name__}.{m.value}" for m in enum}
            # the code is what the input must hold; the label says what it means
            values = [
                f"{v}（{text(names[v], 'zh')}）" if names.get(v) in MESSAGES else v for v in values
            ]
        args["expected"] = "、".join(values) if values else args["expected"]
    args["why"] = text(why, "zh") if why else ""
    try:
        return text(mid, "zh").format(**args)
    except (KeyError, IndexError):  # a context without what the message names
        return None

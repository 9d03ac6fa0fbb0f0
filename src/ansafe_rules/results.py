"""Compact results: what the rule kinds produce, one light row per judgement, and the
explanation (a :class:`Finding` with its :class:`Trace`, an :class:`Obligation`) built on
demand, for the rows a caller asks about.

Why: a policy with 50 records yields over a thousand judgements, nine in ten of them
"compliant"; building and validating a pydantic model with a trace for each cost most of an
evaluation. Rows hold references to the rule and the values the kind computed, nothing more;
the models they turn into are exactly what the full :class:`Report` always carried.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from pydantic_core import to_jsonable_python

from .i18n import _JSON_AS_IS, Lang, Memo, Message, _json_arg, normalise_lang, render
from .inputs import InputIssue
from .outputs import (
    Binding,
    Finding,
    FindingRow,
    Obligation,
    ObligationRow,
    Report,
    ReportSummary,
    RulesetStamp,
    Status,
    Trace,
    Window,
)
from .periods import DueDate
from .rulesets import NOT_A_BREACH, DutyHolder, ResolvedRule, ResolvedRuleset, Severity

__all__ = ["Evaluation", "FindingRef", "ObligationRef"]

_MEMO_MAX = 4096
"""Renderings :meth:`Evaluation.rows` keeps between rows (shared values: conditions, periods)."""


def _args(subject: str, msg: Message) -> dict[str, Any]:
    """A message's arguments with the subject it is about (a translation may name it)."""
    return {"subject": subject, **msg[1]}


def _json_args(subject: str, args: dict[str, Any], memo: Memo | None) -> dict[str, Any]:
    """``jsonable(_args(subject, msg), memo)`` in one pass: every row of a report turns its
    arguments into JSON, most of them strings, numbers and dates; those are converted here
    without a call each (what :func:`ansafe_rules.i18n.jsonable` does for them), the others
    (conditions, periods, nested messages) by it, with the memo. Arguments that are None are
    left out, as ``jsonable`` leaves them out."""
    out: dict[str, Any] = {"subject": subject}
    for k, v in args.items():
        t = type(v)
        if v is None:  # an argument without a value is left out: a message reads it as empty
            continue
        if t in _JSON_AS_IS:
            out[k] = v
        elif t is dt.date or t is dt.datetime:
            out[k] = str(v)
        else:
            out[k] = _json_arg(k, v, memo)
    return out


class _RuleRow:
    """What a finding and an obligation of a rule share: the rule's own data, the message (an
    id and its arguments, the English text rendered once when first asked for) and the
    provisional flag. Subclasses declare the slots ``rr``, ``liable_party``, ``subject``,
    ``message``, ``due``, ``why`` and ``_en``."""

    __slots__ = ()
    rr: ResolvedRule
    liable_party: DutyHolder | None
    subject: str
    message: Message
    due: DueDate | None
    why: str | None
    _en: str | None

    # attrgetters, not lambdas: bindings and filters read these of every row
    rule_id = property(operator.attrgetter("rr.rule.id"))
    obligation = property(operator.attrgetter("rr.rule.obligation"))
    layer = property(operator.attrgetter("rr.layer"))
    duty_holder = property(operator.attrgetter("rr.rule.duty_holder"))
    due_date = property(lambda self: self.due.due_date if self.due else None)
    due_at = property(lambda self: self.due.due_at if self.due else None)

    def text(self, lang: Lang = "en", memo: Memo | None = None) -> str:
        """The message in ``lang``."""
        msg = self.message
        if lang != "en":
            return render(msg[0], _args(self.subject, msg), lang, None, memo)
        if self._en is None:
            self._en = render(msg[0], _args(self.subject, msg), "en", None, memo)
        return self._en

    @property
    def message_id(self) -> str:
        return self.message[0]

    @property
    def message_args(self) -> dict[str, Any]:
        """The message's arguments as JSON values (the subject included)."""
        return self.json_args()

    def json_args(self, memo: Memo | None = None) -> dict[str, Any]:
        return _json_args(self.subject, self.message[1], memo)

    @property
    def provisional_reason(self) -> str | None:
        return self.why or (self.due.provisional_reason if self.due else None)

    def _own(self, why: str | None, text: str, lang: Lang, memo: Memo | None) -> dict[str, Any]:
        """The fields of this row's model that differ from another row's of the rule (as a
        model copied from that one takes them, see :meth:`FindingRef.finding`), its sentence
        under the name ``text``; ``why`` is :attr:`provisional_reason`, read once."""
        return {
            "liable_party": self.liable_party,
            "subject": self.subject,
            "provisional": why is not None,
            "provisional_reason": why,
            text: self.text(lang, memo),
            "message_id": self.message[0],
            "message_args": self.json_args(memo),
        }

    @property
    def provisional(self) -> bool:
        return self.provisional_reason is not None


class FindingRef(_RuleRow):
    """One judgement, before its explanation is built: the rule, the status, the subject, the
    reason (a message id and its arguments, rendered on demand), and what the trace will say
    (due date, window, counts, records)."""

    __slots__ = (
        "_en",
        "counted",
        "due",
        "liable_party",
        "message",
        "records",
        "required_count",
        "rr",
        "severity",
        "status",
        "subject",
        "trigger",
        "why",
        "window",
    )

    def __init__(
        self,
        rr: ResolvedRule,
        severity: Severity,
        liable: DutyHolder | None,
        status: Status,
        subject: str,
        message: Message,
        due: DueDate | None,
        why: str | None,
        trigger: dt.date | dt.datetime | None = None,
        window: Window | None = None,
        required_count: int | None = None,
        counted: float | None = None,
        records: tuple[str, ...] = (),
    ) -> None:
        self.rr, self.severity, self.liable_party = rr, severity, liable
        self.status, self.subject, self.message = status, subject, message
        self._en: str | None = None
        self.due, self.why = due, why
        self.trigger, self.window = trigger, window
        self.required_count, self.counted, self.records = required_count, counted, records

    clause = property(operator.attrgetter("rr.rule.citation.clause"))

    @property
    def reason(self) -> str:
        """The judgement in English (rendered once, when first asked for)."""
        return self.text("en")

    @property
    def breach(self) -> bool:
        """A breach of a duty: a violation that is neither advisory nor an assessment item."""
        return self.status is Status.violation and self.severity not in NOT_A_BREACH

    def finding(
        self,
        as_of: dt.date,
        params: dict[str, Any] | None = None,
        lang: Lang = "en",
        memo: Memo | None = None,
        like: Finding | None = None,
    ) -> Finding:
        """The full finding, trace included (``params``: the rule's parameters as dumped), its
        reason in ``lang`` (``memo``: renderings shared by the rows of one call).

        ``like``: a finding of the same rule and as-of date already built (``params`` is then
        not read); what the two share (the rule's data, its parameters, the date) is copied
        from it instead of being validated again (a report builds hundreds per rule). The
        values that differ are given in the types validation would make of them, so the
        result is the same; the two share the trace's ``params``, ``param_sources`` and
        ``interpretive`` mappings (frozen models: not to be changed)."""
        lang = normalise_lang(lang)
        why = self.provisional_reason
        if like is not None:
            base = like.trace
            if base is None or like.rule_id != self.rr.rule.id or base.as_of != as_of:
                raise ValueError("like= must be a finding of the same rule and as-of date")
            counted, need = self.counted, self.required_count
            trace = base.model_copy(
                update={
                    "due": self.due,
                    "trigger": self.trigger,
                    "window": self.window,
                    "required_count": None if need is None else int(need),
                    "counted": None if counted is None else float(counted),
                    "records": tuple(self.records),
                }
            )
            return like.model_copy(
                update={
                    **self._own(why, "reason", lang, memo),
                    "severity": self.severity,
                    "status": self.status,
                    "trace": trace,
                }
            )
        r, rr = self.rr.rule, self.rr
        trace = Trace(
            rule_id=r.id,
            layer=rr.layer,
            kind=r.kind,
            source_file=rr.source_file,
            overridden_by=rr.overridden_by,
            param_sources=rr.param_sources,
            params=params if params is not None else rule_params(rr),
            interpretive=dict(r.interpretive),
            as_of=as_of,
            citation=r.citation,
            due=self.due,
            trigger=self.trigger,
            window=self.window,
            required_count=self.required_count,
            counted=self.counted,
            records=self.records,
        )
        return Finding(
            rule_id=r.id,
            obligation=r.obligation,
            layer=rr.layer,
            title=r.title,
            duty_holder=r.duty_holder,
            liable_party=self.liable_party,
            subject=self.subject,
            provisional=why is not None,
            provisional_reason=why,
            severity=self.severity,
            status=self.status,
            reason=self.text(lang, memo),
            message_id=self.message[0],
            message_args=self.json_args(memo),
            trace=trace,
        )

    def row(self, lang: Lang = "en", memo: Memo | None = None) -> FindingRow:
        """The compact row (no trace), its reason in ``lang``."""
        lang = normalise_lang(lang)
        return FindingRow(
            rule_id=self.rr.rule.id,
            layer=self.rr.layer,
            clause=self.rr.rule.citation.clause,
            severity=self.severity,
            duty_holder=self.rr.rule.duty_holder,
            liable_party=self.liable_party,
            status=self.status,
            subject=self.subject,
            reason=self.text(lang, memo),
            message_id=self.message[0],
            message_args=self.json_args(memo),
            due_date=self.due.due_date if self.due else None,
            due_at=self.due.due_at if self.due else None,
            window=self.window,
            required_count=self.required_count,
            counted=self.counted,
            records=self.records,
            provisional=self.provisional,
        )

    def row_json(self, lang: Lang = "en", memo: Memo | None = None) -> dict[str, Any]:
        """:meth:`row` as JSON: what ``row(lang, memo).model_dump(mode="json",
        exclude_defaults=True)`` gives, key for key and in its order, without building and
        validating the model (the CLI writes one per finding it shows; tests hold the two
        equal)."""
        lang = normalise_lang(lang)
        rule = self.rr.rule
        out: dict[str, Any] = {"rule_id": rule.id, "layer": self.rr.layer}
        clause = rule.citation.clause
        if clause is not None:
            out["clause"] = clause
        out["severity"] = self.severity.value
        if rule.duty_holder is not None:
            out["duty_holder"] = rule.duty_holder.value
        if self.liable_party is not None:
            out["liable_party"] = self.liable_party.value
        out["status"] = self.status.value
        out["subject"] = self.subject
        out["reason"] = self.text(lang, memo)
        out["message_id"] = self.message[0]
        out["message_args"] = self.json_args(memo)  # never empty: the subject is in it
        due = self.due
        if due is not None:
            if due.due_date is not None:
                out["due_date"] = due.due_date.isoformat()
            if due.due_at is not None:
                out["due_at"] = to_jsonable_python(due.due_at)  # pydantic's own form
        if self.window is not None:
            out["window"] = _window_json(self.window)
        if self.required_count is not None:
            out["required_count"] = int(self.required_count)
        if self.counted is not None:
            out["counted"] = float(self.counted)
        if self.records:
            out["records"] = list(self.records)
        if self.provisional:
            out["provisional"] = True
        return out


def _window_json(w: Window) -> dict[str, Any]:
    """``w.model_dump(mode="json", exclude_defaults=True)``, without the model's dump."""
    out: dict[str, Any] = {"start": w.start.isoformat(), "end": w.end.isoformat()}
    out["partial"] = w.partial
    if w.label is not None:
        out["label"] = w.label
    return out


class _InputFinding:
    """A finding about the input itself (a record that failed validation): no rule, no trace."""

    __slots__ = ("issue",)

    rule_id = obligation = "input.validation"
    layer = "input"
    severity = Severity.major
    status = Status.data_error
    duty_holder = liable_party = clause = None
    due = due_date = due_at = window = required_count = counted = None
    records: tuple[str, ...] = ()
    provisional = False
    breach = False

    def __init__(self, issue: InputIssue) -> None:
        self.issue = issue

    subject = property(lambda self: self.issue.record)
    reason = property(lambda self: str(self.issue))
    message_id = "input.issue"

    @property
    def message(self) -> Message:
        i = self.issue
        return (
            "input.issue",
            {
                "source": i.source,
                "record": i.record,
                "record_zh": i.record_zh or i.record,
                "path": i.field,
                "error": i.message,
                "error_zh": i.message_zh or i.message,
            },
        )

    @property
    def message_args(self) -> dict[str, Any]:
        return dict(self.message[1])

    def text(self, lang: Lang = "en", memo: Memo | None = None) -> str:
        return render("input.issue", self.message[1], lang)

    def finding(
        self,
        as_of: dt.date,
        params: dict[str, Any] | None = None,
        lang: Lang = "en",
        memo: Memo | None = None,
    ) -> Finding:
        return Finding(**self._fields(lang), obligation="input.validation", title="输入数据校验")

    def row(self, lang: Lang = "en", memo: Memo | None = None) -> FindingRow:
        return FindingRow(**self._fields(lang))

    def row_json(self, lang: Lang = "en", memo: Memo | None = None) -> dict[str, Any]:
        """:meth:`row` as JSON (as :meth:`FindingRef.row_json`)."""
        f = self._fields(lang)
        return {**f, "severity": f["severity"].value, "status": f["status"].value}

    def _fields(self, lang: Lang) -> dict[str, Any]:
        """What the finding and its row say alike."""
        return {
            "rule_id": "input.validation",
            "layer": "input",
            "severity": Severity.major,
            "status": Status.data_error,
            "subject": self.subject,
            "reason": self.text(normalise_lang(lang)),
            "message_id": self.message_id,
            "message_args": self.message_args,
        }


class ObligationRef(_RuleRow):
    """One obligation, before its model is built."""

    __slots__ = (
        "_en",
        "due",
        "liable_party",
        "message",
        "min_count",
        "retain_until",
        "rr",
        "subject",
        "why",
        "window",
    )

    def __init__(
        self,
        rr: ResolvedRule,
        liable: DutyHolder | None,
        subject: str,
        message: Message,
        due: DueDate | None,
        why: str | None,
        window: Window | None = None,
        min_count: int | None = None,
        retain_until: dt.date | None = None,
    ) -> None:
        self.rr, self.liable_party, self.subject = rr, liable, subject
        self.message, self.due, self.why = message, due, why
        self._en: str | None = None
        self.window, self.min_count, self.retain_until = window, min_count, retain_until

    kind = property(operator.attrgetter("rr.rule.kind"))

    @property
    def requirement(self) -> str:
        """What must be done, in English (rendered once, when first asked for)."""
        return self.text("en")

    def model(
        self, lang: Lang = "en", memo: Memo | None = None, like: Obligation | None = None
    ) -> Obligation:
        """The full obligation, its requirement in ``lang``; ``like`` as for
        :meth:`FindingRef.finding` (an obligation of the same rule already built; the two
        share its ``interpretive`` mapping)."""
        lang = normalise_lang(lang)
        why = self.provisional_reason
        if like is not None:
            if like.rule_id != self.rr.rule.id:
                raise ValueError("like= must be an obligation of the same rule")
            n = self.min_count
            return like.model_copy(
                update={
                    **self._own(why, "requirement", lang, memo),
                    "due_date": self.due_date,
                    "due_at": self.due_at,
                    "window": self.window,
                    "min_count": None if n is None else int(n),
                    "retain_until": self.retain_until,
                }
            )
        r = self.rr.rule
        return Obligation(
            rule_id=r.id,
            obligation=r.obligation,
            layer=self.rr.layer,
            title=r.title,
            duty_holder=r.duty_holder,
            liable_party=self.liable_party,
            subject=self.subject,
            provisional=why is not None,
            provisional_reason=why,
            kind=r.kind,
            requirement=self.text(lang, memo),
            message_id=self.message[0],
            message_args=self.json_args(memo),
            due_date=self.due_date,
            due_at=self.due_at,
            interpretive=dict(r.interpretive),
            citation=r.citation,
            window=self.window,
            min_count=self.min_count,
            retain_until=self.retain_until,
        )

    def row(self, lang: Lang = "en", memo: Memo | None = None) -> ObligationRow:
        lang = normalise_lang(lang)
        why = self.provisional_reason
        return ObligationRow(
            rule_id=self.rr.rule.id,
            layer=self.rr.layer,
            clause=self.rr.rule.citation.clause,
            duty_holder=self.rr.rule.duty_holder,
            liable_party=self.liable_party,
            subject=self.subject,
            requirement=self.text(lang, memo),
            message_id=self.message[0],
            message_args=self.json_args(memo),
            due_date=self.due_date,
            due_at=self.due_at,
            window=self.window,
            min_count=self.min_count,
            retain_until=self.retain_until,
            provisional=why is not None,
        )


def rule_params(rr: ResolvedRule) -> dict[str, Any]:
    """The parameters a trace shows: those set, after all overrides."""
    return rr.rule.params.model_dump(mode="json", exclude_defaults=True)


class LeanObligationRef(ObligationRef):
    """A deadline's obligation in a lean evaluation, kept for what
    :func:`ansafe_rules.bindings.bindings` compares: the rule, subject, parties, due day and
    instant, and the requirement's message (its sentence orders obligations of one subject as
    the full evaluation does). It has no :class:`DueDate` with its explanation and provisional
    flag, so it cannot become a row or a model: those raise, naming
    :attr:`Evaluation.obligations` (evaluated in full). A lean evaluation's obligations are
    read by the bindings only."""

    __slots__ = ("_due_at", "_due_date")

    def __init__(
        self,
        rr: ResolvedRule,
        liable: DutyHolder | None,
        subject: str,
        requirement: Message,
        due_date: dt.date,
        due_at: dt.datetime | None,
    ) -> None:
        super().__init__(rr, liable, subject, requirement, None, None)
        self._due_date, self._due_at = due_date, due_at

    due_date = property(operator.attrgetter("_due_date"))
    due_at = property(operator.attrgetter("_due_at"))

    def _unbuilt(self, *_: Any, **__: Any) -> Any:
        raise RuntimeError(
            f"obligation {self.rule_id} {self.subject} of a lean evaluation has no due-date "
            "explanation or provisional flag: read Evaluation.obligations (evaluated in full)"
        )

    model = row = _unbuilt  # type: ignore[assignment]
    provisional_reason = property(_unbuilt)  # type: ignore[assignment]


AnyFinding = FindingRef | _InputFinding


class Counted(NamedTuple):
    """Compliant findings of one rule counted, not built (a lean evaluation): the rule, who
    bears liability where it differs from the duty holder, and how many."""

    rr: ResolvedRule
    liable_party: DutyHolder | None
    n: int

    @property
    def duty_holder(self) -> DutyHolder:
        return self.rr.rule.duty_holder


_STATUS = operator.attrgetter("status")


class Evaluation:
    """The outcome of judging one case, as rows: cheap to produce, cheap to count and filter.
    :meth:`report` builds the full :class:`Report` (every finding with its trace);
    :meth:`summary` the compact :class:`ReportSummary`, for the rows asked for only. Bindings
    are worked out when first asked for. Sentences are rendered in ``lang`` (``"en"`` or
    ``"zh"``) unless a call asks for another."""

    __slots__ = (
        "_all_obligations",
        "_bindings",
        "_counted",
        "_findings",
        "_full",
        "_obligations",
        "_party",
        "_ruleset",
        "_whole",
        "as_of",
        "counts",
        "input_issues",
        "jurisdiction",
        "lang",
        "layers",
        "note_messages",
        "policy_id",
    )

    def __init__(
        self,
        *,
        ruleset: ResolvedRuleset,
        policy_id: str,
        jurisdiction: str,
        layers: tuple[str, ...],
        as_of: dt.date,
        findings: Sequence[AnyFinding],
        obligations: Sequence[ObligationRef],
        input_issues: tuple[InputIssue, ...],
        notes: tuple[Message, ...],
        party: DutyHolder | None = None,
        all_obligations: Sequence[ObligationRef] | None = None,
        lang: Lang = "en",
        counted: Sequence[Counted] = (),
        full: Callable[[], Evaluation] | None = None,
    ) -> None:
        self._ruleset, self._party = ruleset, party
        self.policy_id, self.jurisdiction, self.layers = policy_id, jurisdiction, layers
        self.as_of = as_of
        self._findings: tuple[AnyFinding, ...] = tuple(findings)
        self._obligations: tuple[ObligationRef, ...] = tuple(obligations)
        # bindings are decided over every obligation, then reduced to the party's
        self._all_obligations = self._obligations if all_obligations is None else all_obligations
        self._bindings: tuple[Binding, ...] | None = None
        self.input_issues, self.note_messages = input_issues, notes
        self.lang: Lang = normalise_lang(lang)
        # a lean evaluation (``full`` given): compliant findings counted, not built (per rule,
        # with who owes them), and only the obligations a binding compares; ``full`` makes
        # the whole evaluation, once, when something else is asked for
        self._counted, self._full = tuple(counted), full
        self._whole: Evaluation | None = None
        counts = dict.fromkeys(Status, 0)  # every status, in order, counted in C below
        counts.update(Counter(map(_STATUS, self._findings)))
        counts[Status.compliant] += sum(c.n for c in self._counted)
        self.counts: dict[Status, int] = counts

    @property
    def lean(self) -> bool:
        """True when compliant findings were counted, not built (``evaluate_rows(lean=True)``):
        :attr:`findings`, :attr:`obligations` and :meth:`report` then evaluate the case again
        in full, once; :meth:`summary`, :meth:`rows` and :meth:`select` of the statuses needing
        attention do not."""
        return self._full is not None

    def _expanded(self) -> Evaluation:
        """This evaluation with every row built (itself unless lean)."""
        if self._full is None:
            return self
        if self._whole is None:
            self._whole = self._full()  # a cache of a pure function: a race builds it twice
        return self._whole

    @property
    def findings(self) -> tuple[AnyFinding, ...]:
        """Every finding row, in report order."""
        return self._expanded()._findings

    @property
    def obligations(self) -> tuple[ObligationRef, ...]:
        """Every obligation row, in report order."""
        return self._expanded()._obligations

    def select(self, statuses: Iterable[Status]) -> list[AnyFinding]:
        """The finding rows with one of ``statuses``, in report order (without building the
        compliant rows of a lean evaluation unless ``statuses`` asks for them)."""
        keep = frozenset(Status(s) for s in statuses)
        rows = self.findings if self.lean and Status.compliant in keep else self._findings
        return [f for f in rows if f.status in keep]

    @property
    def notes(self) -> tuple[str, ...]:
        """The caveats of this evaluation, in :attr:`lang`."""
        return self.notes_in(self.lang)

    def notes_in(self, lang: Lang) -> tuple[str, ...]:
        """The caveats of this evaluation, in ``lang``."""
        return tuple(render(mid, args, lang) for mid, args in self.note_messages)

    def _mine(self, x: Any) -> bool:
        return self._party is None or self._party in (x.duty_holder, x.liable_party)

    @property
    def bindings(self) -> tuple[Binding, ...]:
        """Where several rules regulate one obligation, which binds (as :attr:`Report.bindings`)."""
        if self._bindings is None:
            self._bindings = self.bindings_for()
        return self._bindings

    def bindings_for(
        self, keys: set[tuple[str, str]] | None = None, lang: Lang = "en"
    ) -> tuple[Binding, ...]:
        """The bindings of the (obligation, subject) pairs in ``keys`` (all when None), their
        notes in ``lang``."""
        from .bindings import bindings

        found = bindings(self._ruleset, self._all_obligations, keys, lang)  # normalised there
        return tuple(b for b in found if self._mine(b))

    @staticmethod
    def _bindings_in(binds: tuple[Binding, ...], lang: Lang) -> tuple[Binding, ...]:
        """``binds`` with their notes in ``lang``."""
        from .bindings import in_language

        return tuple(in_language(b, lang) for b in binds)

    @property
    def has_breach(self) -> bool:
        """A breach of a duty or a data error: what makes ``check`` exit with 1."""
        return any(f.breach or f.status is Status.data_error for f in self._findings)

    def report(
        self, select: Callable[[AnyFinding], bool] | None = None, *, lang: Lang | None = None
    ) -> Report:
        """The full report; ``select`` keeps only some findings (``counts`` still count all);
        sentences in ``lang`` (default :attr:`lang`)."""
        if self.lean:
            return self._expanded().report(select, lang=lang)
        lang = self.lang if lang is None else normalise_lang(lang)
        memo: Memo = {}  # renderings the rows of this report share
        first: dict[str, Finding] = {}  # each rule's first finding: what the others share

        def full(f: AnyFinding) -> Finding:
            if isinstance(f, _InputFinding):
                return f.finding(self.as_of, lang=lang)
            rid = f.rr.rule.id
            like = first.get(rid)
            if like is None:
                like = first[rid] = f.finding(self.as_of, rule_params(f.rr), lang, memo)
                return like
            return f.finding(self.as_of, lang=lang, memo=memo, like=like)

        made: dict[str, Obligation] = {}  # each rule's first obligation, likewise

        def model(o: ObligationRef) -> Obligation:
            like = made.get(o.rule_id)
            if like is None:
                like = made[o.rule_id] = o.model(lang, memo)
                return like
            return o.model(lang, memo, like)

        return Report(
            policy_id=self.policy_id,
            jurisdiction=self.jurisdiction,
            layers=self.layers,
            as_of=self.as_of,
            findings=tuple(full(f) for f in self.findings if select is None or select(f)),
            obligations=tuple(model(o) for o in self.obligations),
            bindings=self._bindings_in(self.bindings, lang),
            input_issues=self.input_issues,
            notes=self.notes_in(lang),
            counts=self.counts,
        )

    def summary(
        self,
        stamp: RulesetStamp,
        *,
        statuses: Iterable[Status] | None = None,
        obligations: bool = True,
        lang: Lang | None = None,
        rows: bool = True,
    ) -> ReportSummary:
        """The compact form: finding rows, obligation rows unless ``obligations=False``, the
        ruleset stamped once. With ``statuses``, only the findings with those statuses, and
        only the bindings of their obligations (``counts`` still count every finding).
        Sentences in ``lang`` (default :attr:`lang`). ``rows=False`` leaves the finding rows
        out (everything else as with them), for a caller that streams :meth:`rows`."""
        lang = self.lang if lang is None else normalise_lang(lang)
        memo: Memo = {}
        shown = self._shown(statuses)
        found = [f.row(lang, memo) for f in shown] if rows else []
        if statuses is None:
            binds = self._bindings_in(self.bindings, lang)
        else:  # only these bindings: their notes written in lang at once
            keys = {(f.obligation, f.subject) for f in shown}
            binds = self.bindings_for(keys, lang) if keys else ()
        return ReportSummary(
            policy_id=self.policy_id,
            jurisdiction=self.jurisdiction,
            layers=self.layers,
            as_of=self.as_of,
            ruleset=stamp,
            findings=tuple(found),
            obligations=tuple(o.row(lang, memo) for o in self.obligations) if obligations else (),
            bindings=binds,
            input_issues=self.input_issues,
            notes=self.notes_in(lang),
            counts=self.counts,
        )

    def _shown(self, statuses: Iterable[Status] | None) -> list[AnyFinding]:
        if statuses is None:
            return list(self.findings)
        return self.select(statuses)

    def rows(
        self, statuses: Iterable[Status] | None = None, lang: Lang | None = None
    ) -> Iterator[FindingRow]:
        """The finding rows of :meth:`summary`, one at a time (each built when asked for)."""
        for f, lang_, memo in self._each(statuses, lang):
            yield f.row(lang_, memo)

    def row_dicts(
        self, statuses: Iterable[Status] | None = None, lang: Lang | None = None
    ) -> Iterator[dict[str, Any]]:
        """:meth:`rows` as JSON values, one at a time: each is ``row.model_dump(mode="json",
        exclude_defaults=True)`` of the row :meth:`rows` gives, made without the model (what
        the CLI's JSON writes: about half the cost of a row). Values the rows of one call
        share (a rule's conditions, a counted measure) are one object in each: write the rows
        or read them; copy one before changing what is nested in it."""
        for f, lang_, memo in self._each(statuses, lang):
            yield f.row_json(lang_, memo)

    def _each(
        self, statuses: Iterable[Status] | None, lang: Lang | None
    ) -> Iterator[tuple[AnyFinding, Lang, Memo]]:
        """The findings :meth:`rows` shows, each with the language and the renderings memo
        its row is made with (a cache only: emptied as it grows, so memory stays flat)."""
        lang = self.lang if lang is None else normalise_lang(lang)
        memo: Memo = {}
        for f in self._shown(statuses):
            yield f, lang, memo
            if len(memo) > _MEMO_MAX:
                memo.clear()

    def for_party(self, party: DutyHolder | str) -> Evaluation:
        """Only ``party``'s duties: those it owes and those whose liability it bears (input
        errors are kept), as :meth:`Report.for_party`."""
        p = DutyHolder(party)

        def mine(x: Any) -> bool:
            return p in (x.duty_holder, x.liable_party)

        full = self._full
        return Evaluation(
            ruleset=self._ruleset,
            policy_id=self.policy_id,
            jurisdiction=self.jurisdiction,
            layers=self.layers,
            as_of=self.as_of,
            findings=[f for f in self._findings if f.duty_holder is None or mine(f)],
            obligations=[o for o in self._obligations if mine(o)],
            input_issues=self.input_issues,
            notes=self.note_messages,
            party=p,
            all_obligations=self._all_obligations,
            lang=self.lang,
            counted=[c for c in self._counted if mine(c)],
            full=None if full is None else functools.partial(_expanded_for, self, p),
        )


def _expanded_for(ev: Evaluation, party: DutyHolder) -> Evaluation:
    """``ev`` built in full, reduced to ``party``'s duties (a lean party evaluation's way to
    its rows: a module function, so that the evaluation can be pickled)."""
    return ev._expanded().for_party(party)

"""The monitor: events in, alerts out, state in SQLite.

Each policy's case is kept as facts built from events (one JSON row per policy). An event
changes some facts; durable-rules (:mod:`.matching`) says which rules read them; the library's
own :func:`~ansafe_rules.evaluate` judges those rules for that policy only, at the monitor's
clock; each finding's change of status is an alert. Pending findings are indexed by the day
they may change with time alone (the day after their due date or period) and by the day they
fall due soon, so a tick reads two indexes and re-judges only what lapses.

The monitor's view at day D is ``evaluate(case as known on D, as_of=D)``: statuses other than
``pending`` do not change with time, and a pending one is re-judged the day after its due.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import to_jsonable_python

from .._errors import AnsafeError
from .._version import __version__
from ..calendar import WorkCalendar, default_calendar
from ..evaluate import evaluate_rows
from ..i18n import enum_at, pair, pydantic_error_zh
from ..inputs import parse_case
from ..outputs import Status
from ..results import FindingRef, ObligationRef
from ..rulesets import ResolvedRuleset
from .alerts import KIND_LABELS, Alert, AlertKind, ObligationState, TrackedFinding
from .events import COLLECTIONS, NAMED, SINGLES, EventError, day_of, parse_event
from .matching import Matcher

__all__ = ["Monitor", "MonitorStateError"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, digest TEXT NOT NULL,
    body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alerts (seq INTEGER NOT NULL, n INTEGER NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (seq, n));
CREATE TABLE IF NOT EXISTS policies (policy_id TEXT PRIMARY KEY, facts TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS findings (
    policy_id TEXT NOT NULL, rule_id TEXT NOT NULL, subject TEXT NOT NULL, n INTEGER NOT NULL,
    status TEXT NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL, due_date TEXT,
    recheck_on TEXT, soon_on TEXT, info TEXT NOT NULL,
    PRIMARY KEY (policy_id, rule_id, subject, n));
CREATE INDEX IF NOT EXISTS findings_recheck ON findings (recheck_on)
    WHERE recheck_on IS NOT NULL;
CREATE INDEX IF NOT EXISTS findings_soon ON findings (soon_on) WHERE soon_on IS NOT NULL;
"""

_FACTS_CACHE = 512  # policies whose facts stay decoded in memory (bounded: memory stays flat)
_SUBSETS_CACHE = 512  # rule subsets kept as resolved rulesets


class MonitorStateError(AnsafeError):
    """The state file cannot be used with this ruleset or this input."""


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def canonical(event: Any) -> str:
    """The text an event is stored and compared as (a JSON line as given, a mapping as
    sorted JSON)."""
    if isinstance(event, str | bytes):
        text = event.decode("utf-8", "replace") if isinstance(event, bytes) else event
        return text.strip()
    return json.dumps(to_jsonable_python(event, fallback=str), ensure_ascii=False, sort_keys=True)


def _field_of(message: str) -> str:
    m = re.search(r"field '([^']+)'", message)
    return m.group(1) if m else "(record)"


def info_due(due: Any) -> str:
    return due.due_date.isoformat()


def _timebound(f: FindingRef) -> bool:
    return f.due is not None or f.window is not None


def _point(f: FindingRef) -> dt.date | None:
    """The last day before which the finding may be pending: its due date, else its period's
    end."""
    if f.due is not None:
        return f.due.due_date
    if f.window is not None:
        return f.window.end
    return None


class _Sink:
    """The alerts of one event, numbered."""

    def __init__(self, seq: int, event_id: str | None, event_type: str | None) -> None:
        self.seq, self.event_id, self.event_type = seq, event_id, event_type
        self.alerts: list[Alert] = []

    def add(self, kind: AlertKind, at: dt.date, zh: str, en: str, **kw: Any) -> None:
        label_zh, label_en = KIND_LABELS[kind]
        self.alerts.append(
            Alert(
                alert_id=f"{self.seq}.{len(self.alerts)}",
                seq=self.seq,
                event_id=self.event_id,
                event_type=self.event_type,
                kind=kind,
                at=at,
                message_zh=f"{label_zh}：{zh}",
                message_en=f"{label_en}: {en}",
                **kw,
            )
        )

    def data_error(
        self, at: dt.date, field: str, message: str, message_zh: str | None = None, **kw: Any
    ) -> None:
        """A data error of this event: ``message`` says why (``message_zh`` in Chinese)."""
        what = f"event {self.seq}" + (f" ({self.event_type})" if self.event_type else "")
        why_zh = message if message_zh is None else message_zh
        self.add(
            AlertKind.data_error,
            at,
            f"第 {self.seq} 条事件{f'（{self.event_type}）' if self.event_type else ''}的字段 "
            f"{field} 有误，已跳过：{why_zh}",
            f"{what}: field {field!r}: {message}; skipped",
            field=field,
            reason=message,
            **kw,
        )

    def data_error_id(
        self, at: dt.date, field: str, msg_id: str, args: Mapping[str, Any], **kw: Any
    ) -> None:
        """:meth:`data_error` saying catalogue message ``msg_id`` (with ``args``)."""
        zh, en = pair(msg_id, **args)
        self.data_error(at, field, en, zh, **kw)


class Monitor:
    """A live obligation monitor for one resolved ruleset (all its layers).

    ``state``: an SQLite file holding the event log, the alert log, every policy's facts and
    findings (``None``: in memory). Reopening a file resumes after its last committed event
    (:attr:`last_seq`). ``due_soon_lead``: working days before a due date at which ``due_soon``
    is raised. Thread-safe: every call takes the monitor's lock; two monitors share nothing
    (each has its own durable-rules host and SQLite connection).
    """

    def __init__(
        self,
        ruleset: ResolvedRuleset,
        *,
        state: str | Path | None = None,
        due_soon_lead: int = 3,
        calendar: WorkCalendar | None = None,
    ) -> None:
        if due_soon_lead < 0:
            raise ValueError(f"due_soon_lead must be >= 0, got {due_soon_lead}")
        self.ruleset = ruleset
        self.due_soon_lead = due_soon_lead
        self._cal = calendar or default_calendar()
        self._lock = threading.RLock()
        self._in_batch = False
        self._matcher = Matcher(ruleset)
        self._digest = ruleset.digest
        path = ":memory:" if state is None else str(state)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        if state is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._check_meta(path)
        self._seq = int(self._meta("last_seq") or 0)
        clock = self._meta("clock")
        self._clock: dt.date | None = dt.date.fromisoformat(clock) if clock else None
        self._facts: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._subsets: OrderedDict[frozenset[str], ResolvedRuleset] = OrderedDict()

    # -- state file ----------------------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def _check_meta(self, path: str) -> None:
        want = {
            "ruleset": self.ruleset.id,
            "digest": self._digest,
            "due_soon_lead": str(self.due_soon_lead),
        }
        have = {k: self._meta(k) for k in want}
        if all(v is None for v in have.values()):
            with self._tx():
                for k, v in want.items():
                    self._set_meta(k, v)
                self._set_meta("engine_version", __version__)
            return
        for k, v in want.items():
            if have[k] != v:
                raise MonitorStateError(
                    f"{path}: the state was built with {k} {have[k]!r}, not {v!r}; use another "
                    "--state file (or the same ruleset and lead)"
                )

    @contextlib.contextmanager
    def _tx(self) -> Iterator[None]:
        if self._in_batch:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            self._reload()
            raise
        self._db.execute("COMMIT")

    def _reload(self) -> None:
        """Forget what memory holds beyond the database (after a rollback)."""
        self._facts.clear()
        self._seq = int(self._meta("last_seq") or 0)
        clock = self._meta("clock")
        self._clock = dt.date.fromisoformat(clock) if clock else None

    @contextlib.contextmanager
    def batch(self, extra_meta: Mapping[str, str] | None = None) -> Iterator[dict[str, str]]:
        """Post several events in one transaction (faster; all or none survive a crash).
        Values put in the yielded dict are stored in the state's meta table in the same
        transaction (the command line keeps its output offset there)."""
        with self._lock:
            if self._in_batch:
                raise RuntimeError("batches do not nest")
            meta: dict[str, str] = dict(extra_meta or {})
            self._db.execute("BEGIN IMMEDIATE")
            self._in_batch = True
            try:
                yield meta
                for k, v in meta.items():
                    self._set_meta(k, v)
            except BaseException:
                self._in_batch = False
                self._db.execute("ROLLBACK")
                self._reload()
                raise
            self._in_batch = False
            self._db.execute("COMMIT")

    def meta(self, key: str) -> str | None:
        """A value stored with :meth:`batch`."""
        with self._lock:
            return self._meta(key)

    @property
    def last_seq(self) -> int:
        """Sequence number of the last committed event (0: none)."""
        return self._seq

    @property
    def clock(self) -> dt.date | None:
        """The monitor's clock: the latest tick or event day seen."""
        return self._clock

    def event_digest(self, seq: int) -> str | None:
        """SHA-256 of event ``seq`` as stored (to check a resumed input is the same stream)."""
        with self._lock:
            row = self._db.execute("SELECT digest FROM events WHERE seq = ?", (seq,)).fetchone()
            return row[0] if row else None

    def alerts(self, after_seq: int = 0) -> list[Alert]:
        """The alert log from event ``after_seq + 1`` on."""
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM alerts WHERE seq > ? ORDER BY seq, n", (after_seq,)
            ).fetchall()
        return [Alert.model_validate_json(r[0]) for r in rows]

    def close(self) -> None:
        """Close the state file and free the durable-rules ruleset."""
        with self._lock:
            self._matcher.close()
            self._db.close()

    def __enter__(self) -> Monitor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the view ------------------------------------------------------------------------------
    def findings(self, policy_id: str | None = None) -> list[TrackedFinding]:
        """Every finding the monitor keeps (of one policy, or all), sorted."""
        sql = "SELECT policy_id, rule_id, subject, n, status, state, due_date, reason FROM findings"
        args: tuple[Any, ...] = ()
        if policy_id is not None:
            sql += " WHERE policy_id = ?"
            args = (policy_id,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY policy_id, rule_id, subject, n", args)
            return [
                TrackedFinding(
                    policy_id=r[0],
                    rule_id=r[1],
                    subject=r[2],
                    n=r[3],
                    status=Status(r[4]),
                    state=ObligationState(r[5]),
                    due_date=dt.date.fromisoformat(r[6]) if r[6] else None,
                    reason=r[7],
                )
                for r in rows.fetchall()
            ]

    def open_obligations(self) -> int:
        """How many findings are pending (open) now."""
        with self._lock:
            return self._db.execute(
                "SELECT count(*) FROM findings WHERE status = 'pending'"
            ).fetchone()[0]

    def case(self, policy_id: str) -> dict[str, Any] | None:
        """The case of a policy as the events built it (plain data, as a case file)."""
        with self._lock:
            facts = self._load(policy_id)
            return None if facts is None else _case_data(facts)

    # -- events --------------------------------------------------------------------------------
    def tick(self, at: dt.date | dt.datetime | str) -> list[Alert]:
        """The clock reached ``at``: alerts for what fell due soon or lapsed up to it."""
        return self.post({"type": "tick", "at": at})

    def post(self, event: Any) -> list[Alert]:
        """Take one event (a mapping, or a JSON text) and return its alerts. The event and its
        alerts are stored in one transaction; a bad event gives a ``data_error`` alert."""
        with self._lock, self._tx():
            seq = self._seq + 1
            body = canonical(event)
            ev_id = ev_type = None
            if isinstance(event, Mapping):
                ev_id = event.get("event_id") if isinstance(event.get("event_id"), str) else None
                ev_type = event.get("type") if isinstance(event.get("type"), str) else None
            sink = _Sink(seq, ev_id, ev_type)
            self._db.execute("SAVEPOINT event")
            try:
                self._handle(event, sink)
            except Exception as exc:  # an event never stops the stream
                self._db.execute("ROLLBACK TO event")
                self._facts.clear()
                sink.alerts.clear()
                sink.data_error_id(
                    self._clock or dt.date.min,
                    "(event)",
                    "monitor.unprocessable",
                    {"error": f"{type(exc).__name__}: {exc}"},
                )
            self._db.execute("RELEASE event")
            self._db.execute(
                "INSERT INTO events (seq, digest, body) VALUES (?, ?, ?)",
                (seq, _digest(body), body),
            )
            self._db.executemany(
                "INSERT INTO alerts (seq, n, body) VALUES (?, ?, ?)",
                [(seq, i, a.model_dump_json()) for i, a in enumerate(sink.alerts)],
            )
            self._set_meta("last_seq", str(seq))
            if self._clock is not None:
                self._set_meta("clock", self._clock.isoformat())
            self._seq = seq
            return sink.alerts

    def _handle(self, raw: Any, sink: _Sink) -> None:
        at = self._clock or dt.date.min
        if isinstance(raw, str | bytes):
            with contextlib.suppress(ValueError):
                decoded = json.loads(raw)
                if isinstance(decoded, Mapping):
                    raw = decoded
                    if isinstance(raw.get("type"), str):
                        sink.event_type = raw["type"]
                    if isinstance(raw.get("event_id"), str):
                        sink.event_id = raw["event_id"]
        try:
            ev = parse_event(raw)
        except EventError as exc:
            sink.data_error(at, exc.field, exc.message, exc.message_zh)
            return
        day = day_of(ev.at)
        if ev.type == "tick":
            if self._clock is not None and day < self._clock:
                sink.data_error_id(
                    at, "at", "monitor.tick_back", {"day": day, "clock": self._clock}
                )
                return
            self._advance(day, sink)
            return
        if self._clock is None or day > self._clock:
            self._advance(day, sink)
        facts = self._load(ev.policy_id)
        if ev.type == "policy_issued":
            self._issue(ev, facts, sink)
            return
        if facts is None:
            sink.data_error_id(
                self._now,
                "policy_id",
                "monitor.unknown_policy",
                {"pid": repr(ev.policy_id)},
                policy_id=ev.policy_id,
            )
            return
        if ev.type == "policy_updated":
            self._update_policy(ev, facts, sink)
        else:
            self._update_record(ev, facts, sink)

    @property
    def _now(self) -> dt.date:
        assert self._clock is not None
        return self._clock

    # -- facts ---------------------------------------------------------------------------------
    def _load(self, pid: str) -> dict[str, Any] | None:
        facts = self._facts.get(pid)
        if facts is not None:
            self._facts.move_to_end(pid)
            return facts
        row = self._db.execute("SELECT facts FROM policies WHERE policy_id = ?", (pid,)).fetchone()
        if row is None:
            return None
        facts = json.loads(row[0])
        self._remember(pid, facts)
        return facts

    def _remember(self, pid: str, facts: dict[str, Any]) -> None:
        self._facts[pid] = facts
        self._facts.move_to_end(pid)
        while len(self._facts) > _FACTS_CACHE:
            self._facts.popitem(last=False)

    def _store(self, pid: str, facts: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT INTO policies (policy_id, facts) VALUES (?, ?) "
            "ON CONFLICT(policy_id) DO UPDATE SET facts = excluded.facts",
            (pid, json.dumps(facts, ensure_ascii=False, sort_keys=True)),
        )
        self._remember(pid, facts)

    def _issue(self, ev: Any, facts: dict[str, Any] | None, sink: _Sink) -> None:
        pid = ev.policy_id
        if facts is not None:
            sink.data_error_id(
                self._now, "policy_id", "monitor.already_issued", {"pid": repr(pid)}, policy_id=pid
            )
            return
        policy = to_jsonable_python(ev.policy, fallback=str)
        if policy.setdefault("policy_id", pid) != pid:
            sink.data_error_id(
                self._now,
                "policy.policy_id",
                "monitor.policy_id_differs",
                {"got": repr(policy["policy_id"]), "pid": repr(pid)},
                policy_id=pid,
            )
            return
        new: dict[str, Any] = {"policy": policy}
        for name in SINGLES:
            doc = getattr(ev, name, None)
            if doc is not None:
                new[name] = to_jsonable_python(doc, fallback=str)
        if not self._valid_case(new, sink, pid, "policy"):
            return
        self._store(pid, new)
        self._judge(pid, new, set(self._matcher.rule_ids), sink, cause="event")

    def _update_policy(self, ev: Any, facts: dict[str, Any], sink: _Sink) -> None:
        pid = ev.policy_id
        fields = to_jsonable_python(ev.fields, fallback=str)
        if fields.get("policy_id", pid) != pid:
            sink.data_error_id(self._now, "fields.policy_id", "monitor.id_fixed", {}, policy_id=pid)
            return
        new = {**facts, "policy": {**facts["policy"], **fields}}
        if not self._valid_case(new, sink, pid, "policy"):
            return
        self._store(pid, new)
        self._judge(pid, new, set(self._matcher.rule_ids), sink, cause="event")

    def _update_record(self, ev: Any, facts: dict[str, Any], sink: _Sink) -> None:
        pid = ev.policy_id
        fields = dict(to_jsonable_python(ev.fields, fallback=str))
        if ev.type == "record":
            coll = ev.collection.value
            rid = ev.id
        else:
            coll, date_field = NAMED[ev.type]
            rid = ev.id
            if date_field not in fields:
                at = ev.at
                if date_field != "reported_at" or not isinstance(at, dt.datetime):
                    at = day_of(at)
                fields[date_field] = at.isoformat()
        if coll in SINGLES:
            if rid is not None:
                sink.data_error_id(self._now, "id", "monitor.single_no_id", {"coll": coll})
                return
            old = facts.get(coll)
            record = {**(old or {}), **fields}
            new = {**facts, coll: record}
            label = coll
        else:
            if rid is None:
                sink.data_error_id(
                    self._now, "id", "monitor.needs_id", {"coll": coll}, policy_id=pid
                )
                return
            if fields.get("id", rid) != rid:
                sink.data_error_id(self._now, "fields.id", "monitor.id_differs", {})
                return
            old = facts.get(coll, {}).get(rid)
            record = {**(old or {}), **fields, "id": rid}
            new = {**facts, coll: {**facts.get(coll, {}), rid: record}}
            label = f"{coll}/{rid}"
        changed = [k for k, v in record.items() if old is None or old.get(k) != v]
        if old is not None and not changed:
            return  # nothing new
        if not self._valid_record(coll, record, sink, pid, label):
            return
        self._store(pid, new)
        rules = self._matcher.touched(coll, changed, old is None)
        if rules:
            self._judge(pid, new, rules, sink, cause="event")

    def _valid_record(
        self, coll: str, record: dict[str, Any], sink: _Sink, pid: str, label: str
    ) -> bool:
        model = {**COLLECTIONS, **SINGLES}[coll]
        try:
            model.model_validate(record)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(x) for x in err["loc"]) or "(record)"
            enum = enum_at(model, field) if err["type"] == "enum" else None
            zh = pydantic_error_zh(err["type"], err.get("ctx") or {}, err["msg"], enum)
            sink.data_error_id(
                self._now,
                f"fields.{field}",
                "monitor.record_invalid",
                {"label": label, "error": err["msg"], "error_zh": zh or err["msg"]},
                policy_id=pid,
                subject=label,
            )
            return False
        return True

    def _valid_case(self, facts: dict[str, Any], sink: _Sink, pid: str, label: str) -> bool:
        try:
            parsed = parse_case(_case_data(facts), source=f"policy {pid}")
        except (AnsafeError, ValueError) as exc:
            msg = str(exc)
            zh = exc.zh if isinstance(exc, AnsafeError) else None
            sink.data_error(
                self._now, f"{label}.{_field_of(msg)}", msg, zh, policy_id=pid, subject=label
            )
            return False
        if parsed.issues:
            i = parsed.issues[0]
            field, zh = f"{i.record}.{i.field}", i.message_zh
            sink.data_error(self._now, field, i.message, zh, policy_id=pid, subject=i.record)
            return False
        return True

    # -- judging -------------------------------------------------------------------------------
    def _subset(self, rule_ids: set[str]) -> ResolvedRuleset:
        key = frozenset(rule_ids)
        rs = self._subsets.get(key)
        if rs is None:
            rules = tuple(r for r in self.ruleset.rules if r.rule.id in key)
            rs = self.ruleset.model_copy(update={"rules": rules})
            self._subsets[key] = rs
            while len(self._subsets) > _SUBSETS_CACHE:
                self._subsets.popitem(last=False)
        else:
            self._subsets.move_to_end(key)
        return rs

    def _report(
        self, facts: dict[str, Any], rule_ids: set[str], as_of: dt.date, pid: str
    ) -> tuple[dict[tuple[str, str, int], FindingRef], dict[tuple[str, str], ObligationRef]]:
        parsed = parse_case(_case_data(facts), source=f"policy {pid}")
        rep = evaluate_rows(self._subset(rule_ids), parsed, as_of=as_of, calendar=self._cal)
        found: dict[tuple[str, str, int], FindingRef] = {}
        count: dict[tuple[str, str], int] = {}
        for f in rep.findings:
            if not isinstance(f, FindingRef) or f.rule_id not in rule_ids:
                continue  # input.validation: records are validated when they arrive
            n = count.get((f.rule_id, f.subject), 0)
            count[(f.rule_id, f.subject)] = n + 1
            found[(f.rule_id, f.subject, n)] = f
        obs = {}
        for o in rep.obligations:
            obs.setdefault((o.rule_id, o.subject), o)
        return found, obs

    def _judge(
        self, pid: str, facts: dict[str, Any], rule_ids: set[str], sink: _Sink, *, cause: str
    ) -> None:
        """Re-judge ``rule_ids`` for one policy at the clock; each change is an alert."""
        now = self._now
        found, obs = self._report(facts, rule_ids, now, pid)
        marks = ",".join("?" * len(rule_ids))
        old = {
            (r[0], r[1], r[2]): r
            for r in self._db.execute(
                f"SELECT rule_id, subject, n, status, state, reason, due_date, soon_on "
                f"FROM findings WHERE policy_id = ? AND rule_id IN ({marks})",
                (pid, *rule_ids),
            ).fetchall()
        }
        gone = [k for k in old if k not in found]
        self._db.executemany(
            "DELETE FROM findings WHERE policy_id = ? AND rule_id = ? AND subject = ? AND n = ?",
            [(pid, *k) for k in gone],
        )
        late_checks: dict[dt.date, list[tuple[str, str, int]]] = {}
        rows = []
        for key, f in found.items():
            o = old.get(key)
            if o is not None and o[3] == f.status.value and o[5] == f.reason:
                if cause == "tick":  # still pending: move its recheck on
                    rows.append((key, f, ObligationState(o[4]), None, o))
                continue  # unchanged
            state, kind = self._classify(f, o, cause)
            if kind == "check":  # a violation: lapsed or late? ask the rule as of its due
                point = _point(f)
                assert point is not None
                late_checks.setdefault(point, []).append(key)
                continue
            rows.append((key, f, state, kind, o))
        for point, keys in sorted(late_checks.items()):
            then, _ = self._report(facts, {k[0] for k in keys}, point, pid)
            for key in keys:
                f, o = found[key], old.get(key)
                was_pending = key in then and then[key].status is Status.pending
                state = ObligationState.lapsed if was_pending else ObligationState.fulfilled_late
                kind = None if o is not None and o[4] == state.value else AlertKind(state.value)
                rows.append((key, f, state, kind, o))
        for key, f, state, kind, o in sorted(rows, key=lambda t: t[0]):
            self._save(pid, key, f, state, obs.get((key[0], key[1])), sink, kind, o)

    def _classify(self, f: FindingRef, o: Any, cause: str) -> tuple[ObligationState, Any]:
        """(new state, alert kind or None, or "check") for a changed finding."""
        old_status = o[3] if o is not None else None
        old_state = o[4] if o is not None else None
        s = f.status
        if s is Status.pending:
            due = f.due.due_date.isoformat() if f.due else None
            opened = old_status != "pending" or (o is not None and o[6] != due)
            return ObligationState.open, (AlertKind.obligation_opened if opened else None)
        if s is Status.compliant:
            loud = old_status in ("pending", "violation") or (
                old_status != "compliant" and _timebound(f)
            )
            return ObligationState.fulfilled, (AlertKind.fulfilled if loud else None)
        if s is Status.violation:
            if cause == "tick":
                return ObligationState.lapsed, AlertKind.lapsed
            if _point(f) is None:
                loud = old_state != "violation"
                return ObligationState.violation, (AlertKind.violation if loud else None)
            return ObligationState.lapsed, "check"
        if s is Status.data_error:
            return ObligationState.other, AlertKind.data_error
        return ObligationState.other, None

    def _save(
        self,
        pid: str,
        key: tuple[str, str, int],
        f: FindingRef,
        state: ObligationState,
        ob: ObligationRef | None,
        sink: _Sink,
        kind: AlertKind | None,
        old: Any,
    ) -> None:
        due = f.due
        info = {
            "policy_id": pid,
            "rule_id": f.rule_id,
            "obligation": f.obligation,
            "layer": f.layer,
            "clause": f.clause,
            "title": f.rr.rule.title,
            "duty_holder": f.duty_holder,
            "liable_party": f.liable_party,
            "subject": f.subject,
            "requirement": ob.requirement if ob else None,
            "due_date": due.due_date if due else None,
            "due_at": due.due_at if due else None,
            "window": f.window,
            "provisional": f.provisional,
            "provisional_reason": f.provisional_reason,
        }
        recheck = soon = None
        if f.status is Status.pending:
            point = _point(f)
            recheck = (point or self._now) + dt.timedelta(days=1)
            if due is not None:
                # raised once per due date: a pending finding whose due is unchanged keeps
                # its mark (NULL once raised)
                same = old is not None and old[3] == "pending" and old[6] == info_due(due)
                if same:
                    soon = dt.date.fromisoformat(old[7]) if old[7] else None
                else:
                    soon = self._soon_day(due.due_date)
        self._db.execute(
            "INSERT INTO findings (policy_id, rule_id, subject, n, status, state, reason, "
            "due_date, recheck_on, soon_on, info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(policy_id, rule_id, subject, n) DO UPDATE SET status = excluded.status, "
            "state = excluded.state, reason = excluded.reason, due_date = excluded.due_date, "
            "recheck_on = excluded.recheck_on, soon_on = excluded.soon_on, info = excluded.info",
            (
                pid,
                *key,
                f.status.value,
                state.value,
                f.reason,
                due.due_date.isoformat() if due else None,
                recheck.isoformat() if recheck else None,
                soon.isoformat() if soon else None,
                json.dumps(to_jsonable_python(info), ensure_ascii=False),
            ),
        )
        if kind is not None:
            self._alert(sink, kind, info, f.status, f.reason)
        if soon is not None and due is not None and soon <= self._now <= due.due_date:
            self._due_soon(sink, pid, key, info, f.reason)

    def _alert(
        self, sink: _Sink, kind: AlertKind, info: dict[str, Any], status: Status, reason: str
    ) -> None:
        who = info["duty_holder"]
        due = info["due_at"] or info["due_date"]
        where = f"{info['rule_id']}（{info['clause']}）{info['subject']}"
        when_zh = f"，期限 {due}" if due else ""
        when_en = f", due {due}" if due else ""
        prov_zh = "（暂定日期）" if info["provisional"] else ""
        prov_en = " (provisional date)" if info["provisional"] else ""
        sink.add(
            kind,
            self._now,
            f"{info['title']} — {where}，义务主体 {who}{when_zh}{prov_zh}",
            f"{info['rule_id']} ({info['clause']}) {info['subject']}, owed by {who}"
            f"{when_en}{prov_en}: {reason}",
            status=status,
            reason=reason,
            **{k: v for k, v in info.items()},
        )

    def _due_soon(
        self, sink: _Sink, pid: str, key: tuple[str, str, int], info: dict[str, Any], reason: str
    ) -> None:
        self._alert(sink, AlertKind.due_soon, info, Status.pending, reason)
        self._db.execute(
            "UPDATE findings SET soon_on = NULL WHERE policy_id = ? AND rule_id = ? AND "
            "subject = ? AND n = ?",
            (pid, *key),
        )

    def _soon_day(self, due: dt.date) -> dt.date | None:
        """The first day from which at most ``due_soon_lead`` working days remain before
        ``due`` (working days after that day, up to and including the due date)."""
        try:
            span = self._cal.workdays_between(
                due - dt.timedelta(days=7 * (self.due_soon_lead + 2) + 30), due
            )
        except Exception:  # outside the calendar: no due_soon for it
            return None
        if len(span) <= self.due_soon_lead:
            return None
        return span[-(self.due_soon_lead + 1)]

    # -- time ----------------------------------------------------------------------------------
    def _advance(self, day: dt.date, sink: _Sink) -> None:
        """Move the clock to ``day``: due_soon from the index, then re-judge what lapsed."""
        self._clock = day
        iso = day.isoformat()
        soon = self._db.execute(
            "SELECT policy_id, rule_id, subject, n, info, reason FROM findings "
            "WHERE soon_on IS NOT NULL AND soon_on <= ? AND status = 'pending' AND due_date >= ? "
            "ORDER BY due_date, policy_id, rule_id, subject, n",
            (iso, iso),
        ).fetchall()
        for pid, rule_id, subject, n, info, reason in soon:
            self._due_soon(sink, pid, (rule_id, subject, n), json.loads(info), reason)
        due = self._db.execute(
            "SELECT DISTINCT policy_id, rule_id FROM findings WHERE recheck_on IS NOT NULL "
            "AND recheck_on <= ? ORDER BY policy_id, rule_id",
            (iso,),
        ).fetchall()
        by_policy: dict[str, set[str]] = {}
        for pid, rule_id in due:
            by_policy.setdefault(pid, set()).add(rule_id)
        for pid, rule_ids in by_policy.items():
            facts = self._load(pid)
            assert facts is not None
            self._judge(pid, facts, rule_ids, sink, cause="tick")


def _case_data(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Facts -> case data: collections as lists sorted by id."""
    out: dict[str, Any] = {"policy": facts["policy"]}
    for name in SINGLES:
        if facts.get(name) is not None:
            out[name] = facts[name]
    for name in COLLECTIONS:
        recs = facts.get(name)
        if recs:
            out[name] = [recs[k] for k in sorted(recs)]
    return out

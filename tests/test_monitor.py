"""The live monitor: its view equals the batch evaluator's, example lapses alert on their day,
bad events alert and the stream goes on, two monitors are isolated, the CLI and its schema."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import threading

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import ansafe_rules as ar
from ansafe_rules.testing import cases

from .conftest import ROOT
from .test_examples import AS_OF, EXPECTED

try:
    import durable  # noqa: F401
except ImportError:  # pragma: no cover - exercised without the extra
    if os.environ.get("ANSAFE_REQUIRE_MONITOR") == "1":
        raise
    pytest.skip(
        "durable-rules is not installed (pip install 'ansafe-rules[monitor]')",
        allow_module_level=True,
    )

from ansafe_rules.monitor import AlertKind, Monitor, ObligationState, events_from_case
from ansafe_rules.monitor.events import NAMED

CN = dt.timezone(dt.timedelta(hours=8))
JURISDICTIONS = ("national", "guangdong", "xinzhou", "shaoxing", "xuancheng")
RULESETS = {j: ar.load_ruleset(j) for j in JURISDICTIONS}
EXAMPLES = int(os.environ.get("ANSAFE_MONITOR_EXAMPLES", "12"))

STATE_OF = {
    ar.Status.pending: {ObligationState.open},
    ar.Status.compliant: {ObligationState.fulfilled},
    ar.Status.violation: {
        ObligationState.lapsed,
        ObligationState.fulfilled_late,
        ObligationState.violation,
    },
    ar.Status.not_applicable: {ObligationState.other},
    ar.Status.insufficient_data: {ObligationState.other},
    ar.Status.data_error: {ObligationState.other},
}


def _day(v: object) -> dt.date:
    if isinstance(v, str):
        v = dt.datetime.fromisoformat(v) if "T" in v else dt.date.fromisoformat(v)
    if isinstance(v, dt.datetime):
        return (v.astimezone(CN) if v.tzinfo else v).date()
    assert isinstance(v, dt.date)
    return v


def _known_on(case: ar.PolicyCase, day: dt.date) -> dict:
    """The case as known on ``day``, written apart from the converter: every optional dated
    field after ``day`` left out, and every record whose optional dates all come after it."""

    def cut(model: object) -> dict | None:
        data = model.model_dump(mode="json", exclude_none=True)
        dated = {}
        for name, f in type(model).model_fields.items():
            v = getattr(model, name)
            if not f.is_required() and isinstance(v, dt.date):
                dated[name] = _day(v)
        if dated and min(dated.values()) > day and model is not case.policy:
            return None
        return {k: v for k, v in data.items() if k not in dated or dated[k] <= day}

    out: dict = {"policy": cut(case.policy)}
    for name in ("scheme", "quote_letter"):
        doc = getattr(case, name)
        if doc is not None and (kept := cut(doc)) is not None:
            out[name] = kept
    for name in ar.PolicyCase.model_fields:
        if name in out or name in ("policy", "scheme", "quote_letter"):
            continue
        out[name] = [kept for rec in getattr(case, name) if (kept := cut(rec)) is not None]
    return out


def _view(findings: tuple[ar.Finding, ...]) -> dict:
    seen: dict = {}
    out = {}
    for f in findings:
        n = seen.get((f.rule_id, f.subject), 0)
        seen[(f.rule_id, f.subject)] = n + 1
        due = f.trace.due.due_date if f.trace and f.trace.due else None
        out[(f.rule_id, f.subject, n)] = (f.status, due if f.status is ar.Status.pending else None)
    return out


def _stream(events: list[dict], until: dt.date, rnd: random.Random, tick_share: float) -> list:
    """Events up to ``until``, shuffled within each day (a record's own events keep their
    order, a policy is issued first), with ticks between some days."""
    by_day: dict[dt.date, list[dict]] = {}
    for ev in events:
        if _day(ev["at"]) <= until:
            by_day.setdefault(_day(ev["at"]), []).append(ev)
    out: list = []
    days = sorted(by_day)
    for i, d in enumerate(days):
        chains: dict[tuple, list[dict]] = {}
        for ev in by_day[d]:
            coll = NAMED[ev["type"]][0] if ev["type"] in NAMED else ev.get("collection")
            key = (ev["type"] == "policy_issued", coll, ev.get("id"))
            chains.setdefault(key, []).append(ev)
        order = list(chains)
        rnd.shuffle(order)
        order.sort(key=lambda k: not k[0])  # the policy's issue first
        pools = [list(chains[k]) for k in order]
        head = pools.pop(0) if order[0][0] else []
        out += head
        while pools:  # interleave the chains, each in its own order
            p = rnd.choice(pools)
            out.append(p.pop(0))
            if not p:
                pools.remove(p)
        nxt = days[i + 1] if i + 1 < len(days) else until
        gap = d + dt.timedelta(days=1)
        while gap < nxt:
            if rnd.random() < tick_share:
                out.append({"type": "tick", "at": gap.isoformat()})
            gap += dt.timedelta(days=rnd.choice((1, 1, 3, 17)))
    out.append({"type": "tick", "at": until.isoformat()})
    return out


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # shrinking a case takes minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_monitor_view_equals_evaluate(jurisdiction: str, data: st.DataObject) -> None:
    """Replay the implied events up to D (shuffled within a day, ticks interleaved) and tick
    to D: the monitor's findings are exactly evaluate(case as known on D, as_of=D)'s."""
    case = data.draw(cases(jurisdiction=jurisdiction))
    each_field = data.draw(st.booleans(), label="each_field")
    events = events_from_case(case, each_field=each_field)
    first = _day(events[0]["at"])
    last = max(_day(e["at"]) for e in events)
    until = data.draw(
        st.one_of(
            st.sampled_from(sorted({_day(e["at"]) for e in events})),
            st.dates(first, last + dt.timedelta(days=400)),
        ),
        label="D",
    )
    rnd = random.Random(data.draw(st.integers(0, 2**32), label="seed"))
    rs = RULESETS[jurisdiction]
    with Monitor(rs) as mon:
        alerts = []
        for ev in _stream(events, until, rnd, tick_share=0.3):
            alerts += mon.post(ev)
        assert [a for a in alerts if a.kind is AlertKind.data_error and a.rule_id is None] == []
        got = {
            (t.rule_id, t.subject, t.n): (t.status, t.due_date if t.state == "open" else None)
            for t in mon.findings()
        }
        states = {(t.rule_id, t.subject, t.n): t.state for t in mon.findings()}
    want = _view(ar.evaluate(rs, _known_on(case, until), as_of=until).findings)
    assert got == want
    for key, (status, _) in want.items():
        assert states[key] in STATE_OF[status], (key, status, states[key])


def _replay_daily(mon: Monitor, events: list[dict], until: dt.date) -> list:
    """Every event, with a tick on each day without one, up to ``until``."""
    alerts = []
    day = _day(events[0]["at"])
    i = 0
    while day <= until:
        todays = []
        while i < len(events) and _day(events[i]["at"]) == day:
            todays.append(events[i])
            i += 1
        for ev in todays or [{"type": "tick", "at": day.isoformat()}]:
            alerts += mon.post(ev)
        day += dt.timedelta(days=1)
    return alerts


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_replayed_lapses_alert_on_their_day(name: str) -> None:
    parsed = ar.load_case_file(ROOT / "examples" / name)
    rs = ar.load_ruleset(parsed.case.policy.jurisdiction)
    events = events_from_case(parsed)
    with Monitor(rs) as mon:
        alerts = _replay_daily(mon, events, AS_OF)
        got = {(t.rule_id, t.subject, t.n): t.status for t in mon.findings()}
    rep = ar.evaluate(rs, parsed, as_of=AS_OF)
    assert got == {k: v[0] for k, v in _view(rep.findings).items()}
    breach = {AlertKind.lapsed, AlertKind.fulfilled_late, AlertKind.violation}
    for f in rep.findings:
        if f.status is not ar.Status.violation or f.rule_id not in EXPECTED[name]:
            continue
        mine = [a for a in alerts if (a.rule_id, a.subject) == (f.rule_id, f.subject)]
        bad = [a for a in mine if a.kind in breach]
        assert bad, (f.rule_id, f.subject, "no alert for an announced lapse")
        due = f.trace.due.due_date if f.trace and f.trace.due else None
        end = f.trace.window.end if f.trace and f.trace.window else None
        point = due or end
        if point is not None and bad[0].kind is AlertKind.lapsed:
            # on the day it lapsed: the day after its due date (or period), not before
            assert bad[0].at == point + dt.timedelta(days=1), (f.rule_id, bad[0])
        for a in bad:
            if a.kind in (AlertKind.lapsed, AlertKind.fulfilled_late) and point is not None:
                hourly = f.trace.due is not None and f.trace.due.due_at is not None
                # an hour deadline can be missed on its own day (the clock counts days)
                assert (
                    a.at >= point
                    if hourly and a.kind is AlertKind.fulfilled_late
                    else (a.at > point)
                ), (f.rule_id, a)
    assert {a.rule_id for a in alerts if a.kind in breach} >= EXPECTED[name]


NAT = ar.load_ruleset("national")
POLICY = {
    "policy_id": "P-1",
    "jurisdiction": "national",
    "insurer": "某保险公司",
    "insured": "某建设集团",
    "industry": "construction",
    "above_designated_size": True,
    "term_start": "2025-07-01",
    "term_end": "2026-06-30",
}


def _issue(mon: Monitor, pid: str = "P-1", at: str = "2025-07-01") -> list:
    return mon.post(
        {
            "type": "policy_issued",
            "policy_id": pid,
            "at": at,
            "policy": {**POLICY, "policy_id": pid},
        }
    )


def test_callback_opens_due_soon_lapses_and_is_fulfilled_late() -> None:
    """The README's callback: done Friday 26 September 2025, due 10 October (the National Day
    holiday in between); due_soon when 3 working days are left, lapsed on 11 October, late on
    the 13th."""
    with Monitor(NAT, due_soon_lead=3) as mon:
        _issue(mon)
        opened = mon.post(
            {
                "type": "service_completed",
                "policy_id": "P-1",
                "id": "S-1",
                "at": "2025-09-26",
                "fields": {"kind": "hazard_inspection"},
            }
        )
        cb = [a for a in opened if a.rule_id == "national.service.callback"]
        assert [a.kind for a in cb] == [AlertKind.obligation_opened]
        assert cb[0].due_date == dt.date(2025, 10, 10) and cb[0].clause == "6.3"
        assert cb[0].duty_holder is ar.DutyHolder.insurer and not cb[0].provisional
        assert cb[0].message_zh.startswith("义务产生：") and "期限 2025-10-10" in cb[0].message_zh
        days = {}
        d = dt.date(2025, 9, 27)
        while d <= dt.date(2025, 10, 12):
            days[d] = [a for a in mon.tick(d) if a.rule_id == "national.service.callback"]
            d += dt.timedelta(days=1)
        soon = [d for d, al in days.items() if any(a.kind is AlertKind.due_soon for a in al)]
        # 10-01..10-08 are the National Day holiday: on Monday 09-29 three working days are
        # left (09-30, 10-09, 10-10)
        assert soon == [dt.date(2025, 9, 29)]
        lapsed = [d for d, al in days.items() if any(a.kind is AlertKind.lapsed for a in al)]
        assert lapsed == [dt.date(2025, 10, 11)]
        late = mon.post(
            {"type": "callback_made", "policy_id": "P-1", "id": "S-1", "at": "2025-10-13"}
        )
        cb = [a for a in late if a.rule_id == "national.service.callback"]
        assert [a.kind for a in cb] == [AlertKind.fulfilled_late]
        assert "after the due 2025-10-10" in cb[0].reason


def test_callback_in_time_is_fulfilled() -> None:
    with Monitor(NAT) as mon:
        _issue(mon)
        mon.post(
            {
                "type": "service_completed",
                "policy_id": "P-1",
                "id": "S-1",
                "at": "2025-09-26",
                "fields": {"kind": "hazard_inspection"},
            }
        )
        done = mon.post(
            {"type": "callback_made", "policy_id": "P-1", "id": "S-1", "at": "2025-10-09"}
        )
        cb = [a for a in done if a.rule_id == "national.service.callback"]
        # the event moved the clock from 09-26 to 10-09 first: the index says due soon
        assert [a.kind for a in cb] == [AlertKind.due_soon, AlertKind.fulfilled]
        later = [a for a in mon.tick("2025-12-31") if a.rule_id == "national.service.callback"]
        assert later == []


@pytest.mark.parametrize(
    ("event", "field", "words"),
    [
        ({"type": "nonsense", "at": "2025-07-02"}, "type", "unknown event type 'nonsense'"),
        ({"type": "callback_made", "policy_id": "P-1", "at": "2025-07-02"}, "id", "required"),
        ({"type": "tick", "at": "2025-13-45"}, "at", "date"),
        (
            {"type": "callback_made", "policy_id": "NOPE", "id": "S-1", "at": "2025-07-02"},
            "policy_id",
            "unknown policy 'NOPE'",
        ),
        ({"type": "tick", "at": "2025-06-01"}, "at", "before the monitor's clock 2025-07-05"),
        (
            {"type": "service_completed", "policy_id": "P-1", "id": "S-9", "at": "2025-07-05"},
            "fields.kind",
            "service_records/S-9",
        ),
        ("{not json", "(line)", "invalid JSON"),
    ],
)
def test_bad_event_gives_data_error_and_the_stream_goes_on(
    event: object, field: str, words: str
) -> None:
    with Monitor(NAT) as mon:
        _issue(mon)
        mon.tick("2025-07-05")
        alerts = mon.post(event)
        assert [a.kind for a in alerts] == [AlertKind.data_error]
        assert alerts[0].field == field and words in alerts[0].reason
        assert f"event {mon.last_seq}" in alerts[0].message_en
        assert alerts[0].message_zh.startswith(f"数据错误：第 {mon.last_seq} 条事件")
        assert mon.clock == dt.date(2025, 7, 5)
        ok = mon.post(
            {
                "type": "service_completed",
                "policy_id": "P-1",
                "id": "S-1",
                "at": "2025-07-08",
                "fields": {"kind": "training"},
            }
        )
        assert any(a.rule_id == "national.service.callback" for a in ok)


def test_a_bad_event_is_said_in_chinese_too() -> None:
    """The monitor's own checks and the records' validation, in Chinese (the English is
    asserted above and is unchanged)."""
    events = [
        ({"at": "2025-07-05"}, "第 3 条事件的字段 type 有误，已跳过：缺少必填字段"),
        (
            {"type": "tick", "at": "2025-06-01"},
            "第 4 条事件（tick）的字段 at 有误，已跳过：时钟事件 2025-06-01 早于监测器的当前时钟 "
            "2025-07-05（时钟不能倒退）",
        ),
        (
            {"type": "callback_made", "policy_id": "NOPE", "id": "S-1", "at": "2025-07-05"},
            "第 5 条事件（callback_made）的字段 policy_id 有误，已跳过：未知的保单 'NOPE'：尚未收到"
            "该保单的 policy_issued（出单）事件",
        ),
        (
            {"type": "service_completed", "policy_id": "P-1", "id": "S-9", "at": "2025-07-05"},
            "第 6 条事件（service_completed）的字段 fields.kind 有误，已跳过：service_records/S-9："
            "缺少必填字段；该记录保持原样",
        ),
        (
            {
                "type": "policy_updated",
                "policy_id": "P-1",
                "at": "2025-07-05",
                "fields": {"term_end": "x"},
            },
            "第 7 条事件（policy_updated）的字段 policy.term_end 有误，已跳过：policy P-1：policy："
            "字段「term_end」：不是有效日期（应为 YYYY-MM-DD）：内容过短",
        ),
        (
            [1],
            "第 8 条事件的字段 (event) 有误，已跳过：应为 JSON 对象，实为 list",
        ),
    ]
    with Monitor(NAT) as mon:
        _issue(mon)
        mon.tick("2025-07-05")
        for event, zh in events:
            [alert] = mon.post(event)
            assert alert.message_zh == f"数据错误：{zh}"
        [alert] = mon.post(
            {
                "type": "record",
                "collection": "service_records",
                "policy_id": "P-1",
                "id": "S-7",
                "at": "2025-07-06",
                "fields": {"kind": "nonsense"},
            }
        )
        for event, zh in [
            (
                {"type": "policy_issued", "policy_id": "P-1", "at": "2025-07-06", "policy": POLICY},
                "保单 'P-1' 已出单；如需修改，请发送 policy_updated（保单变更）事件",
            ),
            (
                {
                    "type": "policy_issued",
                    "policy_id": "P-2",
                    "at": "2025-07-06",
                    "policy": {**POLICY, "policy_id": "P-3"},
                },
                "'P-3' 与事件的 policy_id 'P-2' 不一致",
            ),
            (
                {
                    "type": "policy_updated",
                    "policy_id": "P-1",
                    "at": "2025-07-06",
                    "fields": {"policy_id": "P-9"},
                },
                "保单编号不能更改",
            ),
            (
                {
                    "type": "record",
                    "collection": "scheme",
                    "policy_id": "P-1",
                    "id": "X",
                    "at": "2025-07-06",
                    "fields": {},
                },
                "scheme 是单一文档，没有编号",
            ),
            (
                {
                    "type": "record",
                    "collection": "service_records",
                    "policy_id": "P-1",
                    "at": "2025-07-06",
                    "fields": {"kind": "training"},
                },
                "缺少编号：service_records 记录必须有编号",
            ),
            (
                {
                    "type": "record",
                    "collection": "service_records",
                    "policy_id": "P-1",
                    "id": "S-1",
                    "at": "2025-07-06",
                    "fields": {"id": "S-2"},
                },
                "与事件的编号不一致",
            ),
        ]:
            [got] = mon.post(event)
            assert got.message_zh.endswith(f"有误，已跳过：{zh}"), got.message_zh
        # an enumeration's values by their Chinese labels
        assert (
            "service_records/S-7：应为以下之一：training（安全生产宣传教育培训）、"
            in alert.message_zh
        )
        assert alert.message_zh.endswith("other（其他服务）；该记录保持原样")


def test_two_monitors_in_one_process_are_isolated() -> None:
    """Two jurisdictions, two threads, the same policy id: each sees its own facts only."""
    gd, xz = ar.load_ruleset("guangdong"), ar.load_ruleset("xinzhou")
    ev_gd = events_from_case(ar.load_case_file(ROOT / "examples" / "guangdong-housing.yaml"))
    ev_xz = events_from_case(ar.load_case_file(ROOT / "examples" / "xinzhou-municipal.yaml"))
    results: dict[str, list] = {}

    def run(name: str, rs: ar.ResolvedRuleset, events: list[dict]) -> None:
        with Monitor(rs) as mon:
            for ev in events:
                mon.post(ev)
            mon.tick(AS_OF)
            results[name] = [mon.findings(), mon.case(events[0]["policy_id"])]

    threads = [
        threading.Thread(target=run, args=("gd", gd, ev_gd)),
        threading.Thread(target=run, args=("xz", xz, ev_xz)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name, rs, file in (
        ("gd", gd, "guangdong-housing.yaml"),
        ("xz", xz, "xinzhou-municipal.yaml"),
    ):
        rep = ar.evaluate(rs, ar.load_case_file(ROOT / "examples" / file), as_of=AS_OF)
        got = {(t.rule_id, t.subject, t.n): t.status for t in results[name][0]}
        assert got == {k: v[0] for k, v in _view(rep.findings).items()}
        assert {t.rule_id.split(".")[0] for t in results[name][0]} <= {"national", rs.id}


def test_one_monitor_shared_by_threads_serialises_posts() -> None:
    with Monitor(NAT) as mon:
        _issue(mon)
        errors: list[BaseException] = []

        def post(k: int) -> None:
            try:
                for i in range(10):
                    mon.post(
                        {
                            "type": "service_completed",
                            "policy_id": "P-1",
                            "id": f"S-{k}-{i}",
                            "at": "2025-07-02",
                            "fields": {"kind": "training"},
                        }
                    )
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        ts = [threading.Thread(target=post, args=(k,)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert errors == [] and mon.last_seq == 41
        assert len(mon.case("P-1")["service_records"]) == 40


def test_state_file_resumes_and_refuses_another_ruleset(tmp_path) -> None:
    db = tmp_path / "m.db"
    events = events_from_case(ar.load_case_file(ROOT / "examples" / "national-construction.yaml"))
    with Monitor(NAT, state=db) as mon:
        first = [a for ev in events[:20] for a in mon.post(ev)]
    with Monitor(NAT, state=db) as mon:
        assert mon.last_seq == 20 and mon.alerts() == first
        rest = [a for ev in events[20:] for a in mon.post(ev)]
    with Monitor(NAT) as clean:
        assert [a for ev in events for a in clean.post(ev)] == first + rest
    with pytest.raises(ar.AnsafeError, match="ruleset 'national'"):
        Monitor(ar.load_ruleset("guangdong"), state=db)


def test_matching_follows_the_yaml_paths() -> None:
    """A callback touches the callback rules, not the complaint rules; a policy change touches
    every rule; a sixth jurisdiction's YAML needs no Python (every rule has channels)."""
    from ansafe_rules.monitor.matching import Matcher, dependencies

    m = Matcher(NAT)
    try:
        hit = m.touched("service_records", ["callback_on"], new=False)
        assert "national.service.callback" in hit
        assert not any(r.startswith("national.complaint") for r in hit)
        assert m.touched("policy", [], new=False) == {r.rule.id for r in NAT.rules}
        assert m.touched("special_periods", ["name"], new=False) == set()
    finally:
        m.close()
    cb = dependencies(NAT.rule("national.service.callback").rule)
    assert cb == {"service_records": frozenset({"id", "completed_on", "callback_on"})}


def _cli(*args: str, **kw: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ansafe_rules", *args], capture_output=True, text=True, **kw
    )


def test_cli_events_from_case_and_table(tmp_path) -> None:
    case = ROOT / "examples" / "national-construction.yaml"
    p = _cli("monitor", "--events-from", str(case))
    assert p.returncode == 0
    lines = p.stdout.splitlines()
    assert json.loads(lines[0])["type"] == "policy_issued"
    ev = tmp_path / "ev.jsonl"
    ev.write_text(p.stdout + json.dumps({"type": "tick", "at": "2026-07-31"}) + "\n")
    t = _cli("monitor", str(ev), "--jurisdiction", "national", "--state", str(tmp_path / "s.db"),
             "--format", "table")  # fmt: skip
    assert t.returncode == 0, t.stderr
    assert t.stdout.startswith("日期 date")
    assert "已逾期 lapsed" in t.stdout and "保险机构 insurer" in t.stdout
    j = _cli("monitor", str(ev), "--jurisdiction", "national", "--state", str(tmp_path / "j.db"))
    alerts = [json.loads(x) for x in j.stdout.splitlines()]
    assert {a["kind"] for a in alerts} >= {"obligation_opened", "lapsed", "fulfilled"}
    again = _cli(
        "monitor", str(ev), "--jurisdiction", "national", "--state", str(tmp_path / "j.db")
    )
    assert again.returncode == 0 and again.stdout == ""  # nothing twice


def test_cli_refuses_a_different_stream(tmp_path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text('{"type": "tick", "at": "2025-01-01"}\n')
    b.write_text('{"type": "tick", "at": "2025-01-02"}\n')
    db = str(tmp_path / "s.db")
    assert _cli("monitor", str(a), "--jurisdiction", "national", "--state", db).returncode == 0
    p = _cli("monitor", str(b), "--jurisdiction", "national", "--state", db)
    assert p.returncode == 2 and "different stream" in p.stderr and "Traceback" not in p.stderr
    # said in both languages, Chinese first (the monitor command has no --lang)
    assert p.stderr == (
        f"ansafe-rules: 错误：{b}：第 1 条事件不是状态文件 {db} 记录的第 1 条事件："
        f"这是另一个事件流；请使用新的 --state — error: {b}: event 1 is not the one the "
        f"state {db} committed as event 1: a different stream; use a new --state\n"
    )


def test_cli_usage_and_a_changed_output_in_both_languages(tmp_path) -> None:
    ev = tmp_path / "ev.jsonl"
    ev.write_text('{"type": "tick", "at": "2025-01-01"}\n')
    p = _cli("monitor", str(ev))
    assert (p.returncode, p.stderr) == (
        2,
        "ansafe-rules: 错误：监测需要 --jurisdiction（或 --events-from） — error: monitor needs "
        "--jurisdiction (or --events-from)\n",
    )
    p = _cli("monitor", str(ev), "--jurisdiction", "national", "--batch", "0")
    assert p.stderr == "ansafe-rules: 错误：--batch 必须不小于 1 — error: --batch must be >= 1\n"
    made = _cli("monitor", "--events-from", str(ROOT / "examples" / "national-construction.yaml"))
    ev.write_text(made.stdout)
    db, out = str(tmp_path / "s.db"), tmp_path / "out.jsonl"
    args = ("monitor", str(ev), "--jurisdiction", "national", "--state", db, "--output", str(out))
    assert _cli(*args).returncode == 0
    n = out.stat().st_size
    assert n > 0
    out.write_bytes(out.read_bytes()[:-1])  # someone cut the output the state committed
    p = _cli(*args)
    assert (p.returncode, p.stderr) == (
        2,
        f"ansafe-rules: 错误：{out}：{n - 1} 字节，但状态文件记录的是 {n} 字节："
        f"输出文件被改动过；请使用新的 --state 和 --output — error: {out}: {n - 1} bytes, but "
        f"the state committed {n}: the output was changed; use a new --state and --output\n",
    )


def test_schemas_cover_events_and_alerts() -> None:
    from ansafe_rules.monitor import json_schemas

    s = json_schemas()
    assert set(s) == {"MonitorEvent", "MonitorAlert"}
    types = {m["properties"]["type"].get("const") for m in s["MonitorEvent"]["$defs"].values()
             if "type" in m.get("properties", {})}  # fmt: skip
    assert {"tick", "policy_issued", "policy_updated", "record"} <= types
    assert "due_date" in s["MonitorAlert"]["properties"]

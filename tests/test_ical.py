"""iCalendar export: UIDs without dates, SEQUENCE, reminders, timed hour deadlines, provisional
dates marked."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

import ansafe_rules as ar
from ansafe_rules.ical import OFFICIAL_SEQUENCE, parse_reminders, sequence

from .conftest import ROOT, case

STAMP = dt.datetime(2026, 7, 31, tzinfo=dt.UTC)


def _events(data: bytes) -> dict[str, dict]:
    """rule id + subject (from the description) -> the event."""
    out = {}
    for e in Calendar.from_ical(data).walk("VEVENT"):
        desc = str(e["DESCRIPTION"])
        rule = next(x for x in desc.splitlines() if x.startswith("rule: "))[6:]
        subject = next(x for x in desc.splitlines() if x.startswith("对象 subject: "))[12:]
        out[f"{rule} {subject}"] = e
    return out


def _ics(rules: ar.ResolvedRuleset, data, **kw) -> bytes:
    parsed = ar.parse_case(data)
    obligations = ar.obligations(rules, parsed, **kw)
    return ar.obligations_to_ical(parsed.case.policy.policy_id, obligations, stamp=STAMP)


def _service(completed: str) -> dict:
    return case(service_records=[{"id": "S-1", "kind": "training", "completed_on": completed}])


def test_uid_has_no_date_and_sequence_grows_as_the_date_moves_later(national) -> None:
    key = "national.service.callback service_records/S-1"
    before = _events(_ics(national, _service("2025-09-26")))[key]
    after = _events(_ics(national, _service("2025-09-29")))[key]
    assert before.decoded("DTSTART") == dt.date(2025, 10, 10)
    assert after.decoded("DTSTART") == dt.date(2025, 10, 13)
    assert str(before["UID"]) == str(after["UID"])  # the moved event replaces the old one
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    again = _events(_ics(national, _service("2025-09-26")))[key]
    assert int(again["SEQUENCE"]) == int(before["SEQUENCE"])  # unchanged item, same number


def test_provisional_date_becoming_official_raises_sequence_even_when_earlier(national) -> None:
    # finished Mon 2026-12-28; 2027 has no official schedule: 5 working days, skipping the
    # guessed New Year's Day, end Tue 2027-01-05 (provisional)
    data = case(
        policy={"term_start": "2026-07-01", "term_end": "2027-06-30"},
        service_records=[{"id": "S-1", "kind": "training", "completed_on": "2026-12-28"}],
    )
    key = "national.service.callback service_records/S-1"
    guess = _events(_ics(national, data))[key]
    # the (made-up) official 2027 schedule makes Sat 01-02 a working day: due a day earlier
    official = ar.WorkCalendar(
        [
            ar.CalendarOverride(
                year=2027, holidays=[dt.date(2027, 1, 1)], workdays=[dt.date(2027, 1, 2)]
            )
        ]
    )
    real = _events(_ics(national, data, calendar=official))[key]
    assert (guess.decoded("DTSTART"), real.decoded("DTSTART")) == (
        dt.date(2027, 1, 5),
        dt.date(2027, 1, 4),
    )
    assert str(guess["STATUS"]) == "TENTATIVE" and "STATUS" not in real
    assert "暂定 provisional" in str(guess["SUMMARY"]) and "暂定" not in str(real["SUMMARY"])
    assert "暂定 provisional: depends on 2027" in str(guess["DESCRIPTION"])
    assert str(guess["UID"]) == str(real["UID"])
    assert int(real["SEQUENCE"]) > int(guess["SEQUENCE"])


def test_sequence_formula() -> None:
    day = dt.date(2000, 1, 11)
    assert sequence(day, day, provisional=True) == 20
    assert sequence(day, dt.date(2000, 1, 12), provisional=False) == 21 + OFFICIAL_SEQUENCE
    china = dt.timezone(dt.timedelta(hours=8))
    at = dt.datetime(2000, 1, 1, 1, 30, tzinfo=china)
    assert sequence(at, at, provisional=False) == 180 + OFFICIAL_SEQUENCE


def test_window_uids_survive_a_shifted_term(national) -> None:
    def windows(start: str, end: str) -> list[tuple[str, dt.date]]:
        data = case(
            policy={
                "term_start": start,
                "term_end": end,
                "contract_services": [
                    {"service_kind": "hazard_inspection", "min_count": 1, "per": "quarter"}
                ],
            }
        )
        cal = Calendar.from_ical(_ics(national, data))
        return sorted(
            (e.decoded("DTSTART"), str(e["UID"]))
            for e in cal.walk("VEVENT")
            if "hazard_inspection (completed_on)" in str(e["DESCRIPTION"])
        )

    a, b = windows("2025-07-01", "2026-06-30"), windows("2025-08-01", "2026-07-31")
    assert len(a) == len(b) >= 4 and a[0][0] != b[0][0]  # the windows moved…
    assert [u for _, u in a] == [u for _, u in b]  # …and kept their UIDs, in order
    assert len({u for _, u in a}) == len(a)


def _example(name: str, rules: str, **kw) -> Calendar:
    parsed = ar.load_case_file(ROOT / "examples" / f"{name}.yaml")
    obligations = ar.obligations(ar.load_ruleset(rules), parsed)
    return Calendar.from_ical(
        ar.obligations_to_ical(parsed.case.policy.policy_id, obligations, stamp=STAMP, **kw)
    )


def test_hour_deadline_is_a_timed_event_in_china_time() -> None:
    cal = _example("xinzhou-municipal", "xinzhou")
    (ev,) = [e for e in cal.walk("VEVENT") if "xinzhou.incident.report" in str(e["DESCRIPTION"])]
    start = ev.decoded("DTSTART")
    assert start == dt.datetime(2026, 5, 2, 1, 30, tzinfo=dt.UTC)  # 09:30 China time
    assert ev["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert "DTEND" not in ev  # an instant
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Asia/Shanghai"
    std = tz.walk("STANDARD")[0]
    assert std.decoded("TZOFFSETTO") == dt.timedelta(hours=8)
    text = cal.to_ical().decode()
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")
    others = [e for e in cal.walk("VEVENT") if e is not ev]
    assert all(isinstance(e.decoded("DTSTART"), dt.date) for e in others)
    assert not any(isinstance(e.decoded("DTSTART"), dt.datetime) for e in others)


def test_no_timezone_block_without_timed_events() -> None:
    assert not _example("national-construction", "national").walk("VTIMEZONE")


def test_reminders_default_custom_and_none() -> None:
    def triggers(cal: Calendar) -> set[tuple[dt.timedelta, ...]]:
        return {tuple(a.decoded("TRIGGER") for a in e.walk("VALARM")) for e in cal.walk("VEVENT")}

    assert triggers(_example("national-construction", "national")) == {
        (-dt.timedelta(days=3), -dt.timedelta(days=1))
    }
    custom = _example("national-construction", "national", reminders=parse_reminders("2h,1w"))
    assert triggers(custom) == {(-dt.timedelta(weeks=1), -dt.timedelta(hours=2))}
    alarm = custom.walk("VALARM")[0]
    assert str(alarm["ACTION"]) == "DISPLAY" and str(alarm["DESCRIPTION"]).startswith(
        "提醒 reminder: "
    )
    assert triggers(_example("national-construction", "national", reminders=())) == {()}


def test_parse_reminders() -> None:
    assert parse_reminders("3d, 1d,3d") == (dt.timedelta(days=3), dt.timedelta(days=1))
    assert parse_reminders("none") == parse_reminders("") == ()
    assert parse_reminders("90m") == (dt.timedelta(minutes=90),)
    with pytest.raises(ValueError, match=r"提醒时间格式错误 '3 days'.* bad reminder '3 days'"):
        parse_reminders("3d,3 days")


def test_reexport_later_keeps_uids_and_sequences() -> None:
    parsed = ar.load_case_file(ROOT / "examples" / "shaoxing-school.yaml")
    obs = ar.obligations(ar.load_ruleset("shaoxing"), parsed)
    pid = parsed.case.policy.policy_id

    def ids(stamp: dt.datetime) -> list[tuple[str, int]]:
        cal = Calendar.from_ical(ar.obligations_to_ical(pid, obs, stamp=stamp))
        return [(str(e["UID"]), int(e["SEQUENCE"])) for e in cal.walk("VEVENT")]

    first, later = ids(STAMP), ids(STAMP + dt.timedelta(days=30))
    assert first == later and len({u for u, _ in first}) == len(first)


def test_a_policy_id_with_a_line_break_names_the_calendar_on_one_line() -> None:
    """icalendar refused an unescaped line break in X-WR-CALNAME (AssertionError)."""
    rules = ar.load_ruleset("national")
    obs = ar.obligations(rules, case(policy={"policy_id": "AZ\n  2025-1"}))
    data = ar.obligations_to_ical("AZ\n  2025-1", obs, stamp=STAMP)
    cal = Calendar.from_ical(data)
    assert str(cal["X-WR-CALNAME"]) == "安责险义务 AZ 2025-1"
    assert len(_events(data)) >= 1

"""The spec-rules family: a valid query succeeds, and its data keep the spec's rules."""

from __future__ import annotations

from contract_tests.checks import Context
from contract_tests.engine import judge
from contract_tests.findings import Family, Severity

from .answers import EXPIRED, NOW, OK, SPEC, VALID, answer, body, families, judged, query, rules


def test_an_error_envelope_for_a_valid_request_is_a_failure() -> None:
    refused = {"code": 20007, "msg": "Session expired. Please sign in again", "data": None}
    assert rules(VALID, answer(200, refused)) == {"valid-request-succeeds": Severity.FAILURE}
    assert families(answer(200, refused), query(VALID)) == {Family.SPEC_RULES}


def test_refusing_a_long_range_or_unknown_fields_is_a_warning_naming_the_assumption() -> None:
    too_long = {"code": 40002, "msg": "ask for at most 7 days", "data": None}
    long_range = body({"startTime": 1726444800, "endTime": 1726444800 + 40 * 86400})
    extra = body({"startTime": 1726444800, "endTime": 1726704000, "tz": "UTC"})
    for sent, assumption in ((long_range, "longest-range"), (extra, "unknown-fields")):
        [(_, broke)] = judged(answer(200, too_long), query(sent))
        assert (broke.rule, broke.severity, broke.assumption) == (
            "valid-request-succeeds",
            Severity.WARNING,
            assumption,
        )
    # ... but the session-expired code for them is the credentials refused: a failure.
    assert rules(long_range, answer(200, EXPIRED)) == {"valid-request-succeeds": Severity.FAILURE}


def test_data_that_break_a_rule_of_the_page_fail_naming_the_rule() -> None:
    wrong_sum = {**OK, "data": {"countStep": 4, "list": [{"date": "2024-09-16", "y": 3.0}]}}
    [(family, broke)] = judged(answer(200, wrong_sum), query(VALID))
    assert (family, broke.rule, broke.severity) == (Family.SPEC_RULES, "step.countStep-is-sum-of-y", Severity.FAILURE)
    assert broke.says.startswith("aggregate ") and "4" in broke.got


def test_dates_outside_the_asked_range_fail() -> None:
    outside = {**OK, "data": {"countStep": 3, "list": [{"date": "2024-08-01", "y": 3.0}]}}
    assert rules(VALID, answer(200, outside)) == {"step.dates": Severity.FAILURE}


def test_a_success_answer_to_bad_input_is_still_held_to_the_rules_and_the_asked_range() -> None:
    wrong_sum = {**OK, "data": {"countStep": 4, "list": [{"date": "2024-09-16", "y": 3.0}]}}
    found = rules(body({"startTime": "x", "endTime": 1}), answer(200, wrong_sum))
    assert found["step.countStep-is-sum-of-y"] is Severity.FAILURE
    reversed_range = body({"startTime": 1726704000, "endTime": 1726444800})  # start after end: assumed bad
    assert rules(reversed_range, answer(200, OK)) == {
        "assumed-invalid-input-refused": Severity.WARNING,
        "step.dates": Severity.FAILURE,
    }


def test_a_refusal_is_not_held_to_the_data_rules() -> None:
    refused = {"code": 40001, "msg": "startTime must be a number", "data": None}
    assert rules(body({"startTime": "x", "endTime": 1}), answer(200, refused)) == {}


def test_with_a_known_time_zone_dates_are_judged_exactly() -> None:
    day = {**OK, "data": {"countStep": 3, "list": [{"date": "2024-09-17", "y": 3.0}]}}
    one_second = body({"startTime": 1726531200 + 3600, "endTime": 1726531200 + 3601})  # 17 Sep 01:00 UTC
    exchange, case = answer(200, day), query(one_second)
    in_zone = {b.rule for _, b in judge(Context(SPEC, NOW, (0,)), exchange, case)}
    two_hours_west = [b for _, b in judge(Context(SPEC, NOW, (-7200,)), exchange, case)]
    assert in_zone == set()
    assert [b.rule for b in two_hours_west] == ["step.dates"]
    assert "after the asked range" in two_hours_west[0].got and "UTC-02:00" in two_hours_west[0].got


def test_the_current_day_fails_at_any_hour_once_the_zone_is_known() -> None:
    today = {**OK, "data": {"countStep": 3, "list": [{"date": "2026-11-24", "y": 3.0}]}}
    week = body({"startTime": int(NOW) - 7 * 86400, "endTime": int(NOW) + 86400})
    for offset in (-12 * 3600, 0, 14 * 3600):
        for now in (1795478400 - offset + 1800, 1795478400 - offset + 86400 - 1800):  # 00:30 and 23:30 local
            found = [b for _, b in judge(Context(SPEC, now, (offset,)), answer(200, today), query(week))]
            assert [b.rule for b in found] == ["step.dates"], (offset, now)
            assert "current day" in found[0].got

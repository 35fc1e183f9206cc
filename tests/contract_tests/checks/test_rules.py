"""The spec-rules family: a valid query succeeds, and its data keep the spec's rules."""

from __future__ import annotations

from contract_tests.findings import Family, Severity

from .answers import EXPIRED, OK, VALID, answer, body, families, judged, query, rules


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


def test_the_data_of_a_refused_or_invalid_request_are_not_held_to_the_rules() -> None:
    wrong_sum = {**OK, "data": {"countStep": 4, "list": [{"date": "2024-09-16", "y": 3.0}]}}
    assert "step.countStep-is-sum-of-y" not in rules(body({"startTime": "x", "endTime": 1}), answer(200, wrong_sum))

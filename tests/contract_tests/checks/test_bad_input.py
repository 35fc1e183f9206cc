"""The bad-input family: every request is answered without a crash, and bad input never succeeds."""

from __future__ import annotations

from contract_tests.findings import Family, Severity

from .answers import OK, VALID, answer, body, families, judged, query, rules

NOT_A_NUMBER = body({"startTime": "1726444800", "endTime": 1726704000})
NEGATIVE = body({"startTime": -1, "endTime": 5})


def test_accepting_a_body_that_breaks_the_page_is_a_failure() -> None:
    assert rules(NOT_A_NUMBER, answer(200, OK)) == {"invalid-input-refused": Severity.FAILURE}
    assert rules(b"not json", answer(200, OK)) == {"invalid-input-refused": Severity.FAILURE}
    assert families(answer(200, OK), query(NOT_A_NUMBER)) == {Family.BAD_INPUT}


def test_accepting_a_body_that_breaks_an_assumption_is_a_warning_naming_it() -> None:
    empty = {"code": 200, "msg": "success", "data": {"countStep": 0, "list": []}}
    [(_, broke)] = judged(answer(200, empty), query(NEGATIVE))
    assert (broke.rule, broke.severity, broke.assumption) == (
        "assumed-invalid-input-refused",
        Severity.WARNING,
        "timestamp-bounds",
    )


def test_a_refusal_with_another_code_than_the_specs_is_a_warning() -> None:
    other = {"code": 10001, "msg": "bad request", "data": None}
    assert rules(NOT_A_NUMBER, answer(200, other)) == {"bad-input-codes": Severity.WARNING}
    assert rules(NOT_A_NUMBER, answer(200, {"code": 40001, "msg": "Invalid startTime", "data": None})) == {}


def test_a_crash_is_a_failure_and_nothing_else_is_judged() -> None:
    assert rules(NOT_A_NUMBER, answer(500, b"Internal Server Error", "text/html")) == {"server-error": Severity.FAILURE}
    assert rules(VALID, answer(503, {"code": 503, "msg": "down", "data": None})) == {"server-error": Severity.FAILURE}


def test_no_answer_is_a_failure() -> None:
    [(family, broke)] = judged(answer(None, b""), query(VALID))
    assert (family, broke.rule, broke.severity) == (Family.BAD_INPUT, "transport", Severity.FAILURE)
    assert broke.got == "no response: ConnectionError: refused"


def test_a_refusal_whose_code_is_not_a_number_is_judged_not_a_crash_of_the_suite() -> None:
    listed = {"code": [40001], "msg": "Invalid startTime", "data": None}
    assert rules(NOT_A_NUMBER, answer(200, listed))["bad-input-codes"] is Severity.WARNING

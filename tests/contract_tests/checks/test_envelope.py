"""The envelope family: `{code, msg, data}` on every answer; an error has a message and `data: null`."""

from __future__ import annotations

from contract_tests.findings import Family, Severity

from .answers import OK, VALID, answer, body, families, query, rules

BAD = body({"startTime": "x", "endTime": 1})


def test_an_error_envelope_with_data_is_a_failure() -> None:
    with_data = {"code": 40001, "msg": "Invalid startTime", "data": {}}
    assert rules(BAD, answer(200, with_data)) == {"envelope.error-data-null": Severity.FAILURE}
    assert families(answer(200, with_data), query(BAD)) == {Family.ENVELOPE}


def test_an_error_envelope_without_msg_or_with_an_empty_one_is_a_failure() -> None:
    assert rules(BAD, answer(200, {"code": 40001, "data": None})) == {"envelope.fields": Severity.FAILURE}
    assert rules(BAD, answer(200, {"code": 40001, "msg": "", "data": None})) == {"envelope.error-msg": Severity.FAILURE}


def test_a_body_that_is_not_json_is_a_failure_and_nothing_else_is_judged() -> None:
    assert rules(VALID, answer(200, b"<html>ok</html>")) == {"envelope.json": Severity.FAILURE}
    assert rules(VALID, answer(200, b"null")) == {"envelope.fields": Severity.FAILURE}


def test_correct_envelopes_are_not_flagged() -> None:
    assert rules(VALID, answer(200, OK)) == {}
    assert rules(BAD, answer(200, {"code": 40001, "msg": "Invalid startTime", "data": None})) == {}


def test_a_vendor_code_with_another_msg_than_the_pages_fails() -> None:
    assert rules(VALID, answer(200, {**OK, "msg": "ok"})) == {"envelope.vendor-msg": Severity.FAILURE}
    expired = {"code": 20007, "msg": "Session expired", "data": None}
    assert rules(VALID, answer(200, expired)) == {
        "envelope.vendor-msg": Severity.FAILURE,
        "valid-request-succeeds": Severity.FAILURE,
    }
    mock_code = {"code": 40001, "msg": "anything the mock words", "data": None}
    assert "envelope.vendor-msg" not in rules(VALID, answer(200, mock_code))

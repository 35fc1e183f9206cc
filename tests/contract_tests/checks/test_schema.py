"""The schema family: HTTP 200 or a 4xx, `application/json`, and the envelope's schema."""

from __future__ import annotations

from contract_tests.findings import Family, Severity

from .answers import OK, VALID, answer, families, query, rules


def test_a_fraction_where_the_pages_example_shows_a_whole_number_is_a_failure() -> None:
    floats = {**OK, "data": {**OK["data"], "countStep": 3.5}}  # type: ignore[dict-item]
    rules_broken = rules(VALID, answer(200, floats))
    assert rules_broken["response-schema:data.countStep"] is Severity.FAILURE
    whole = {**OK, "data": {**OK["data"], "countStep": 3.0}}  # type: ignore[dict-item]
    assert "response-schema:data.countStep" not in rules(VALID, answer(200, whole))


def test_a_string_where_the_page_shows_a_number_is_a_failure() -> None:
    strings = {**OK, "data": {**OK["data"], "countStep": "3"}}  # type: ignore[dict-item]
    assert rules(VALID, answer(200, strings)) == {"response-schema:data.countStep": Severity.FAILURE}
    assert families(answer(200, strings), query(VALID)) == {Family.SCHEMA}


def test_a_missing_field_is_named_by_its_path() -> None:
    missing = {**OK, "data": {"list": OK["data"]["list"]}}  # type: ignore[index]
    assert "response-schema:data.countStep" in rules(VALID, answer(200, missing))


def test_text_plain_is_a_failure() -> None:
    assert rules(VALID, answer(200, OK, "text/plain; charset=utf-8")) == {"response.content-type": Severity.FAILURE}
    assert rules(VALID, answer(200, OK, "application/json; charset=utf-8")) == {}


def test_a_status_other_than_200_or_a_4xx_is_a_failure() -> None:
    assert rules(VALID, answer(302, OK)) == {"response-status": Severity.FAILURE}
    assert rules(VALID, answer(201, OK)) == {"response-status": Severity.FAILURE}  # a success must be HTTP 200


def test_an_error_envelope_with_a_4xx_is_no_schema_problem() -> None:
    error = {"code": 40001, "msg": "Invalid startTime", "data": None}
    assert rules(b'{"startTime": "x", "endTime": 1}', answer(400, error)) == {}

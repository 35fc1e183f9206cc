"""Strict JSON bodies: what a client is told when its body is not the JSON object it should be."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from cudis_spec import load_spec
from mock_server.http.envelope import BadBody, InvalidField
from mock_server.http.json_body import check_object, decode_object, parse_int
from mock_server.http.ranges import RangeRules, range_rules

JSON = "application/json"


@pytest.fixture(scope="module")
def rules() -> RangeRules:
    return range_rules(load_spec())


@pytest.mark.parametrize(
    ("raw", "got"),
    [(b"null", "null"), (b"[1]", "an array"), (b"3", "a number"), (b'"s"', "a string"), (b"true", "a boolean")],
)
def test_a_body_that_is_not_an_object_is_told_what_it_was(rules: RangeRules, raw: bytes, got: str) -> None:
    with pytest.raises(BadBody) as caught:
        decode_object(raw, JSON, rules.example)
    assert caught.value.detail == f"the body must be a JSON object such as {rules.example} (got {got})"


def test_broken_json_is_located_by_line_and_column(rules: RangeRules) -> None:
    with pytest.raises(BadBody, match=r"^not valid JSON \(Expecting value at line 2 column 7\); send \{"):
        decode_object(b'{\n "a": }', JSON, rules.example)


def test_a_byte_order_mark_is_named_as_the_problem(client: FlaskClient, auth: dict[str, str]) -> None:
    body = b'\xef\xbb\xbf{"startTime": 1726358400, "endTime": 1726704000}'
    response = client.get("/partner/v1/query/step", data=body, headers={**auth, "Content-Type": JSON})
    answer: Any = response.json
    assert answer["code"] == 40000
    assert answer["msg"].startswith("Bad request body: the body starts with a byte order mark (BOM); send UTF-8")


def test_the_first_field_in_the_pages_order_is_reported(rules: RangeRules) -> None:
    with pytest.raises(InvalidField) as caught:
        check_object({"endTime": "y", "startTime": "x"}, rules.validator, rules.messages, rules.fields)
    assert (caught.value.field, caught.value.detail) == ("startTime", 'must be a number of Unix seconds (got "x")')


def test_a_long_value_is_cut_in_the_message(rules: RangeRules) -> None:
    with pytest.raises(InvalidField) as caught:
        check_object({"startTime": "x" * 100, "endTime": 1}, rules.validator, rules.messages, rules.fields)
    assert caught.value.detail == 'must be a number of Unix seconds (got "' + "x" * 36 + "...)"


def test_a_negative_number_too_long_for_python_is_refused_as_negative(rules: RangeRules) -> None:
    huge = "-" + "9" * 5000
    with pytest.raises(InvalidField) as caught:
        check_object({"startTime": parse_int(huge), "endTime": 1}, rules.validator, rules.messages, rules.fields)
    assert caught.value.field == "startTime"
    assert caught.value.detail == (
        "must not be negative (Unix seconds since 1970-01-01) (got " + huge[:37] + "... (5001 characters))"
    )

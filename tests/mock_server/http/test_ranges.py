"""Every kind of bad range input gets the right code and a message naming the field and the fix."""

from __future__ import annotations

import pytest

from cudis_spec import load_spec
from mock_server.http.envelope import ApiError, BadBody, InvalidField, InvalidRange, UnsupportedMedia
from mock_server.http.ranges import QueryRange, RangeMemo, RangeRules, parse_range, range_rules

JSON = "application/json"


@pytest.fixture(scope="module")
def rules() -> RangeRules:
    return range_rules(load_spec())


@pytest.mark.parametrize(
    ("body", "content_type", "error", "field", "words"),
    [
        (b"", JSON, BadBody, "", "no range given"),
        (b"   ", JSON, BadBody, "", "no range given"),
        (b"{", JSON, BadBody, "", "not valid JSON"),
        (b'{"startTime": 1', JSON, BadBody, "", "not valid JSON"),
        (b"[1, 2]", JSON, BadBody, "", "JSON object"),
        (b'"text"', JSON, BadBody, "", "JSON object"),
        (b"\xff\xfe{}", JSON, BadBody, "", "UTF-8"),
        (b"[" * 100_000, JSON, BadBody, "", ""),
        (b'{"startTime": 1}', JSON, InvalidField, "endTime", "is required"),
        (b'{"endTime": 1}', JSON, InvalidField, "startTime", "is required"),
        (b"{}", JSON, InvalidField, "startTime", "is required"),
        (b'{"startTime": "1726444800", "endTime": 1726704000}', JSON, InvalidField, "startTime", "number"),
        (b'{"startTime": 1726444800, "endTime": true}', JSON, InvalidField, "endTime", "number"),
        (b'{"startTime": null, "endTime": 1}', JSON, InvalidField, "startTime", "number"),
        (b'{"startTime": NaN, "endTime": 1}', JSON, InvalidField, "startTime", "finite"),
        (b'{"startTime": 1, "endTime": Infinity}', JSON, InvalidField, "endTime", "finite"),
        (b'{"startTime": 1, "endTime": 1e400}', JSON, InvalidField, "endTime", "finite"),
        (b'{"startTime": -5, "endTime": 10}', JSON, InvalidField, "startTime", "negative"),
        (b'{"startTime": 1726444800000, "endTime": 1726704000000}', JSON, InvalidField, "startTime", "milliseconds"),
        (b'{"startTime": 1, "endTime": 1' + b"0" * 400 + b"}", JSON, InvalidField, "endTime", "milliseconds"),
        (b'{"startTime": 1726704000, "endTime": 1726444800}', JSON, InvalidRange, "", "after endTime"),
        (b'{"startTime": 0, "endTime": 1726444800}', JSON, InvalidRange, "", "3660 days"),
        (b'{"startTime": 1, "endTime": 2}', "text/plain", UnsupportedMedia, "", "application/json"),
        (b"startTime=1&endTime=2", "application/x-www-form-urlencoded", UnsupportedMedia, "", "application/json"),
    ],
)
def test_bad_body_is_refused_with_a_clear_reason(
    rules: RangeRules, body: bytes, content_type: str, error: type[ApiError], field: str, words: str
) -> None:
    with pytest.raises(error) as caught:
        parse_range(body, content_type, {}, rules)
    assert caught.value.field == field
    assert words in caught.value.detail


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"startTime": "abc", "endTime": "1"}, "startTime", "number"),
        ({"startTime": "NaN", "endTime": "1"}, "startTime", "finite"),
        ({"startTime": "1"}, "endTime", "is required"),
        ({"startTime": "1726444800000", "endTime": "1726444800001"}, "startTime", "milliseconds"),
        ({"": "true", "startTime": "1", "endTime": "2"}, "query string", "empty name"),
    ],
)
def test_bad_query_values_are_refused(rules: RangeRules, query: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(InvalidField) as caught:
        parse_range(b"", None, query, rules)
    assert caught.value.field == field
    assert words in caught.value.detail


def test_the_documented_body_is_read(rules: RangeRules) -> None:
    body = b'{"startTime": 1726444800, "endTime": 1726704000, "extra": "ignored"}'
    assert parse_range(body, JSON, {}, rules) == QueryRange(1726444800, 1726704000)
    assert parse_range(body, "application/json; charset=utf-8", {}, rules) == QueryRange(1726444800, 1726704000)
    assert parse_range(body, None, {}, rules) == QueryRange(1726444800, 1726704000)


def test_floats_and_the_query_string_are_accepted(rules: RangeRules) -> None:
    assert parse_range(b'{"startTime": 1726444800.0, "endTime": 1726704000.5}', JSON, {}, rules).end == 1726704000.5
    assert parse_range(b"", None, {"startTime": "1726444800", "endTime": "1726704000"}, rules) == QueryRange(
        1726444800, 1726704000
    )


def test_the_body_wins_but_query_values_beside_it_must_be_valid(rules: RangeRules) -> None:
    body = b'{"startTime": 1726444800, "endTime": 1726704000}'
    assert parse_range(body, JSON, {"startTime": "0"}, rules) == QueryRange(1726444800, 1726704000)
    with pytest.raises(InvalidField, match="milliseconds"):
        parse_range(body, JSON, {"startTime": "100000000000"}, rules)


def test_a_repeated_body_gets_the_range_it_got_first_and_a_refusal_is_worked_out_each_time(rules: RangeRules) -> None:
    memo = RangeMemo(rules, size=2)
    body = b'{"startTime": 1726358400, "endTime": 1726704000}'
    first = memo.parse(body, "application/json", {})
    assert memo.parse(body, "application/json", {}) is first == parse_range(body, "application/json", {}, rules)
    # The Content-Type is part of what decides: the same bytes as text are refused, every time.
    for _ in range(2):
        with pytest.raises(UnsupportedMedia):
            memo.parse(body, "text/plain", {})
    backwards = b'{"startTime": 1726704000, "endTime": 1726358400}'
    for _ in range(2):
        with pytest.raises(InvalidRange):
            memo.parse(backwards, "application/json", {})
    # Query values are read every time (they may be wrong though the body is right).
    with pytest.raises(InvalidField):
        memo.parse(body, "application/json", {"startTime": "soon"})
    # Past its size the memo starts over and still answers the same.
    others = [b'{"startTime": %d, "endTime": 1726704000}' % (1726358400 - i) for i in range(5)]
    assert [memo.parse(b, "application/json", {}).start for b in others] == [1726358400 - i for i in range(5)]
    assert memo.parse(body, "application/json", {}) == first

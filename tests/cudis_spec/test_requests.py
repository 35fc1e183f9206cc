"""What a valid query range is, as the spec's `QueryRange` and its request rules say."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cudis_spec import load_spec

RANGE = load_spec().range
DAY = 86400


def test_the_range_is_read_from_the_spec() -> None:
    assert RANGE.fields == ("startTime", "endTime")
    assert (RANGE.minimum, RANGE.maximum) == (0, 99999999999)
    assert RANGE.longest_days == 3660 and RANGE.longest_seconds == 3660 * DAY
    assert "milliseconds" in RANGE.messages["maximum"]


def test_start_after_end_breaks_the_ordering_rule() -> None:
    broken = RANGE.broken_rules({"startTime": 10 * DAY, "endTime": 9 * DAY})
    assert [rule.id for rule in broken] == ["range.start-not-after-end"]
    assert broken[0].code == 40002 and broken[0].assumption == "bad-input-codes"


def test_the_longest_range_is_served_and_one_second_more_is_not() -> None:
    assert RANGE.broken_rules({"startTime": 0, "endTime": 3660 * DAY}) == []
    broken = RANGE.broken_rules({"startTime": 0, "endTime": 3660 * DAY + 1})
    assert [(rule.id, rule.assumption) for rule in broken] == [("range.longest", "longest-range")]


def test_fields_that_are_not_numbers_are_left_to_the_schema() -> None:
    assert RANGE.broken_rules({"startTime": "10", "endTime": 1}) == []
    assert RANGE.broken_rules({"startTime": True, "endTime": 0}) == []
    assert RANGE.broken_rules({}) == []


@given(start=st.integers(0, 99999999999 - 3660 * DAY), span=st.integers(0, 3660 * DAY))
def test_an_ordered_range_up_to_the_longest_breaks_no_rule(start: int, span: int) -> None:
    assert RANGE.broken_rules({"startTime": start, "endTime": start + span}) == []

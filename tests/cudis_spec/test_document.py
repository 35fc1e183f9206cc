"""A spec document: pointers, `$ref`s with keywords beside them, and validators with or without assumptions."""

from __future__ import annotations

from cudis_spec import load_spec

API = load_spec().api


def test_a_ref_is_followed_and_the_keywords_beside_it_kept() -> None:
    start = API.deref(API.at("#/components/schemas/QueryRange")["properties"]["startTime"])
    assert start["type"] == "number" and start["description"] == "Start of the range (inclusive)."


def test_the_vendor_only_validator_leaves_the_assumed_bounds_out() -> None:
    pointer = load_spec().range.body_pointer
    in_milliseconds = {"startTime": 1726444800000, "endTime": 1726704000000}
    assert [e.validator for e in API.validator(pointer).iter_errors(in_milliseconds)] == ["maximum", "maximum"]
    assert list(API.validator(pointer, vendor_only=True).iter_errors(in_milliseconds)) == []
    assert list(API.validator(pointer, vendor_only=True).iter_errors({"startTime": "x", "endTime": 1}))


def test_the_fast_check_agrees_with_the_validator() -> None:
    pointer = load_spec().range.body_pointer
    check = API.fast_check(pointer)
    for body in ({"startTime": 1, "endTime": 2}, {"startTime": -1, "endTime": 2}, {"endTime": 2}, []):
        assert check(body) == API.validator(pointer).is_valid(body)

"""Read a query range from a request's body or query string, with errors that say what to fix.

Pure: takes bytes and strings, returns numbers or raises the envelope's typed errors.
The schema, its messages and the request rules all come from the spec.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from ..spec import Spec
from .envelope import BadBody, InvalidField, InvalidRange
from .json_body import NonFinite, check_object, decode_object, describe, parse_float, parse_int

FIELDS = ("startTime", "endTime")
EXAMPLE = '{"startTime": <unix seconds>, "endTime": <unix seconds>}'
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_NON_FINITE_WORDS = {"nan", "infinity", "-infinity", "inf", "-inf", "+inf", "+infinity"}
_SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class QueryRange:
    start: float
    end: float


@dataclass(frozen=True)
class RangeRules:
    """What the spec says about a range: its schema, messages and request rules."""

    validator: Draft202012Validator
    messages: dict[str, str]
    rules: tuple[dict[str, Any], ...]
    is_valid: Callable[[Any], bool] | None = None
    """A fast yes/no check of the same schema; `validator` explains what is wrong."""


def _checked(values: Mapping[str, Any], rules: RangeRules) -> QueryRange:
    check_object(values, rules.validator, rules.messages, FIELDS, EXAMPLE, is_valid=rules.is_valid)
    start, end = float(values["startTime"]), float(values["endTime"])
    for rule in rules.rules:
        if rule["kind"] == "ordered" and start > end:
            raise InvalidRange(f"{rule['message']} (startTime {start:.0f} > endTime {end:.0f})")
        if rule["kind"] == "max-span-days" and end - start > rule["value"] * _SECONDS_PER_DAY:
            days = (end - start) / _SECONDS_PER_DAY
            raise InvalidRange(f"{rule['message']} (asked for {days:.0f} days); split it into several queries")
    return QueryRange(start, end)


def _query_number(name: str, text: str) -> Any:
    stripped = text.strip()
    if stripped.lower() in _NON_FINITE_WORDS:
        return NonFinite(stripped)
    if not _NUMBER.fullmatch(stripped):
        raise InvalidField(f"must be a number of Unix seconds (got {describe(text)})", field=name)
    if re.fullmatch(r"-?[0-9]+", stripped):
        return parse_int(stripped)
    return parse_float(stripped)


def parse_range(raw_body: bytes, content_type: str | None, query: Mapping[str, str], rules: RangeRules) -> QueryRange:
    """The range of a query: from the JSON body (the page's form) or the query string.

    Query parameters are the mock's extension; when both are sent, each query value
    is checked and the body wins.
    """
    if "" in query:
        raise InvalidField("a query parameter has an empty name (remove the stray '=' or '&')", field="query string")
    query_values = {name: _query_number(name, query[name]) for name in FIELDS if name in query}
    if raw_body.strip():
        # Each query value sent beside a body must still be valid, but need not be complete.
        if query_values:
            check_object(query_values, rules.validator, rules.messages, FIELDS, EXAMPLE, ignore=frozenset({"required"}))
        return _checked(decode_object(raw_body, content_type, EXAMPLE), rules)
    if not query_values:
        raise BadBody(f"no range given; send a JSON body {EXAMPLE} (the mock also reads ?startTime=&endTime=)")
    return _checked(query_values, rules)


def range_rules(spec: Spec) -> RangeRules:
    """The range rules of the query operations, read from the spec."""
    pointer = spec.request_body_pointer(spec.operations["queryHeartBeat"])
    if pointer is None:
        raise ValueError("queryHeartBeat has no JSON request body in the spec")
    return RangeRules(
        validator=spec.api.validator(pointer),
        messages=spec.schema_messages("#/components/schemas/UnixSeconds"),
        rules=tuple(spec.request_rules("#/components/schemas/QueryRange")),
        is_valid=spec.api.fast_check(pointer),
    )

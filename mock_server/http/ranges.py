"""Read a query range from a request's body or query string, with errors that say what to fix.

Pure: takes bytes and strings, returns numbers or raises the envelope's typed errors.
The schema, its messages and the request rules all come from the spec.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from cudis_spec import RequestRule, Spec
from cudis_spec.requests import SECONDS_PER_DAY

from .envelope import BadBody, InvalidField, InvalidRange
from .json_body import NonFinite, check_object, decode_object, describe, parse_float, parse_int

_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_NON_FINITE_WORDS = {"nan", "infinity", "-infinity", "inf", "-inf", "+inf", "+infinity"}


@dataclass(frozen=True)
class QueryRange:
    start: float
    end: float


@dataclass(frozen=True)
class RangeRules:
    """What the spec says about a range: its fields, schema, messages and request rules."""

    fields: tuple[str, ...]
    validator: Draft202012Validator
    messages: dict[str, str]
    rules: tuple[RequestRule, ...]
    is_valid: Callable[[Any], bool] | None = None
    """A fast yes/no check of the same schema; `validator` explains what is wrong."""

    @property
    def example(self) -> str:
        """A body to show in a message: `{"startTime": <unix seconds>, "endTime": <unix seconds>}`."""
        return "{" + ", ".join(f'"{name}": <unix seconds>' for name in self.fields) + "}"


def _checked(values: Mapping[str, Any], rules: RangeRules) -> QueryRange:
    check_object(values, rules.validator, rules.messages, rules.fields, rules.example, is_valid=rules.is_valid)
    first, second = rules.fields
    start, end = float(values[first]), float(values[second])
    for rule in rules.rules:
        if not rule.broken_by(values):
            continue
        if rule.kind == "ordered":
            raise InvalidRange(f"{rule.message} ({first} {start:.0f} > {second} {end:.0f})")
        days = (end - start) / SECONDS_PER_DAY
        raise InvalidRange(f"{rule.message} (asked for {days:.0f} days); split it into several queries")
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


def parse_range(
    raw_body: bytes,
    content_type: str | None,
    query: Mapping[str, str],
    rules: RangeRules,
    repeated: Collection[str] = (),
) -> QueryRange:
    """The range of a query: from the JSON body (the page's form) or the query string.

    Query parameters are the mock's extension; when both are sent, each query value
    is checked and the body wins. `repeated` names the parameters sent more than once:
    refused, as the authorize endpoint refuses them, rather than one value silently winning.
    """
    if "" in query:
        raise InvalidField("a query parameter has an empty name (remove the stray '=' or '&')", field="query string")
    if repeated:
        name = next(iter(repeated))  # the first in the query string
        raise InvalidField("is given more than once in the query string; send it once", field=name)
    query_values = {name: _query_number(name, query[name]) for name in rules.fields if name in query}
    example = rules.example
    if raw_body.strip():
        # Each query value sent beside a body must still be valid, but need not be complete.
        if query_values:
            check_object(
                query_values, rules.validator, rules.messages, rules.fields, example, ignore=frozenset({"required"})
            )
        return _checked(decode_object(raw_body, content_type, example), rules)
    if not query_values:
        parameters = "&".join(f"{name}=" for name in rules.fields)
        raise BadBody(f"no range given; send a JSON body {example} (the mock also reads ?{parameters})")
    return _checked(query_values, rules)


class RangeMemo:
    """The ranges of bodies read lately. A body's range depends only on its bytes, its Content-Type
    and the spec's rules, and clients repeat the same body (a load test, a retry), so a body seen
    before is not decoded and checked again. Only accepted ranges are kept; a refusal is worked out
    (and worded) every time."""

    MAX_BODY = 512
    """Longer bodies are not kept (a range is about 50 bytes)."""

    def __init__(self, rules: RangeRules, size: int = 1024) -> None:
        self.rules = rules
        self.size = size
        self._known: dict[tuple[bytes, str | None], QueryRange] = {}

    def parse(
        self, raw_body: bytes, content_type: str | None, query: Mapping[str, str], repeated: Collection[str] = ()
    ) -> QueryRange:
        """`parse_range` of the request, from memory when the same body came before without a query."""
        if query or len(raw_body) > self.MAX_BODY:
            return parse_range(raw_body, content_type, query, self.rules, repeated)
        key = (raw_body, content_type)
        found = self._known.get(key)
        if found is None:
            found = parse_range(raw_body, content_type, query, self.rules)
            if len(self._known) >= self.size:
                self._known.clear()
            self._known[key] = found
        return found


def range_rules(spec: Spec) -> RangeRules:
    """The range rules of the query operations, read from the spec."""
    contract = spec.range
    return RangeRules(
        fields=contract.fields,
        validator=spec.api.validator(contract.body_pointer),
        messages=dict(contract.messages),
        rules=contract.rules,
        is_valid=spec.api.fast_check(contract.body_pointer),
    )

"""Fuzzing the pure request parsers: any input gives a value or a typed envelope error, nothing else."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from cudis_spec import load_spec
from mock_server.http.envelope import ApiError, BadBody, InvalidField, InvalidRange, UnsupportedMedia
from mock_server.http.json_body import check_object, decode_object
from mock_server.http.ranges import QueryRange, RangeRules, parse_range, range_rules

SPEC = load_spec()
RULES: RangeRules = range_rules(SPEC)
MAX_SECONDS = 99999999999
MAX_SPAN = 3660 * 86400
RANGE_ERRORS = (BadBody, InvalidField, InvalidRange, UnsupportedMedia)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
timestamps = (
    st.integers(min_value=-(10**12), max_value=10**13)
    | st.integers()
    | st.floats()
    | st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 5000, "1e-400", "0.0", "-0"])
    | json_values
)
content_types = (
    st.none()
    | st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/vnd.api+json",
            "",
            " ",
            "application/json;",
            "APPLICATION/JSON",
            "*/*",
        ]
    )
    | st.text(max_size=30)
)


def _literal(value: Any) -> str:
    """A JSON literal, including the non-standard tokens a client might send."""
    if isinstance(value, str) and (
        value in {"NaN", "Infinity", "-Infinity"} or value.lstrip("-").replace("e", "").replace(".", "").isdigit()
    ):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return json.dumps(value)


@st.composite
def range_bodies(draw: st.DrawFn) -> bytes:
    """Bodies near the valid shape: both fields, one, extra ones, odd values; sometimes mangled."""
    fields = {}
    for name in draw(st.sets(st.sampled_from(["startTime", "endTime", "extra", "starttime", ""]), max_size=4)):
        fields[name] = _literal(draw(timestamps))
    text = "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in fields.items()) + "}"
    raw = text.encode("utf-8", "surrogatepass")
    cut = draw(st.integers(min_value=0, max_value=len(raw)))
    mangle = draw(st.sampled_from(["none", "truncate", "insert", "prefix"]))
    if mangle == "truncate":
        return raw[:cut]
    if mangle == "insert":
        return raw[:cut] + draw(st.binary(min_size=1, max_size=4)) + raw[cut:]
    if mangle == "prefix":
        return draw(st.binary(max_size=4)) + raw
    return raw


bodies = range_bodies() | st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode())
query_values = st.text(max_size=20) | timestamps.map(str)
queries = st.dictionaries(st.sampled_from(["startTime", "endTime", "x", ""]), query_values, max_size=3)


def _assert_valid_range(asked: QueryRange) -> None:
    assert 0 <= asked.start <= asked.end <= MAX_SECONDS
    assert asked.end - asked.start <= MAX_SPAN


def _assert_explains(error: ApiError) -> None:
    info = error.info(SPEC.codes)
    message = info.message(field=error.field or "request", detail=error.detail)
    assert message and "{" not in info.message(field="f", detail="d")
    assert "object at 0x" not in message and "mock_server." not in message, message


@given(body=bodies, content_type=content_types, query=queries)
@example(body=b'{"startTime": ' + b"9" * 5000 + b', "endTime": 1}', content_type="application/json", query={})
@example(body=b"", content_type=None, query={"startTime": "9" * 5000, "endTime": "1"})
@example(body=b"[" * 5000, content_type="application/json", query={})
@example(body=b'{"startTime": 1e400, "endTime": 1}', content_type=None, query={})
@example(body=b'{"startTime": 1, "endTime": 2}', content_type=None, query={"startTime": "NaN"})
def test_parse_range_gives_a_valid_range_or_a_typed_error(
    body: bytes, content_type: str | None, query: dict[str, str]
) -> None:
    try:
        asked = parse_range(body, content_type, query, RULES)
    except RANGE_ERRORS as error:
        _assert_explains(error)
    else:
        _assert_valid_range(asked)


@given(
    start=st.integers(min_value=0, max_value=MAX_SECONDS) | st.floats(min_value=0, max_value=MAX_SECONDS),
    end=st.integers(min_value=0, max_value=MAX_SECONDS) | st.floats(min_value=0, max_value=MAX_SECONDS),
    as_query=st.booleans(),
)
def test_a_range_in_bounds_is_read_exactly_or_refused_as_a_range(start: float, end: float, as_query: bool) -> None:
    body = b"" if as_query else json.dumps({"startTime": start, "endTime": end}).encode()
    query = {"startTime": repr(start), "endTime": repr(end)} if as_query else {}
    try:
        asked = parse_range(body, "application/json", query, RULES)
    except InvalidRange:
        assert start > end or end - start > MAX_SPAN
    else:
        assert (asked.start, asked.end) == (float(start), float(end))


@given(raw=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()), content_type=content_types)
def test_decode_object_gives_a_dict_or_a_typed_error(raw: bytes, content_type: str | None) -> None:
    try:
        document = decode_object(raw, content_type, "{}")
    except (BadBody, UnsupportedMedia) as error:
        _assert_explains(error)
    else:
        assert isinstance(document, dict)


@given(document=st.dictionaries(st.text(max_size=10), json_values, max_size=5))
def test_any_json_object_round_trips_through_decode_object(document: dict[str, Any]) -> None:
    assert decode_object(json.dumps(document).encode(), "application/json", "{}") == document


TOKEN_REQUEST = "#/components/schemas/TokenRequest"


@given(
    document=st.dictionaries(
        st.sampled_from(["client_id", "user_id", "scope", "expires_in", "other"]) | st.text(max_size=5),
        json_values | timestamps,
        max_size=5,
    )
)
def test_check_object_on_the_token_request_names_a_field_or_passes(document: dict[str, Any]) -> None:
    schema = SPEC.admin.at(TOKEN_REQUEST)
    raw = ("{" + ", ".join(f"{json.dumps(k)}: {_literal(v)}" for k, v in document.items()) + "}").encode(
        "utf-8", "surrogatepass"
    )
    try:
        parsed = decode_object(raw, "application/json", "{}")
        check_object(parsed, SPEC.admin.validator(TOKEN_REQUEST), schema.get("x-cudis-messages", {}))
    except BadBody:
        pass
    except InvalidField as error:
        assert error.field in parsed or error.field == "", error  # "" only for the empty key or the whole body
        _assert_explains(error)

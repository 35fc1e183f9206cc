"""Public hypothesis strategies derived from openapi/cudis-v1.yaml.

Nothing here restates a schema: bounds, required fields, item shapes and every consistency
rule are read from the spec (`UnixSeconds`, `QueryRange` and its `x-cudis-request-rules`,
the `*Data` schemas and their `x-cudis-rules`). Realistic value ranges for list items come
from the fixture schema (`openapi/fixtures.schema.yaml`, the largest values the mock pins).

    from hypothesis import given
    from contract_tests import strategies as cs

    @given(cs.success_envelopes("querySleep"))
    def test_my_parser(envelope):
        parsed = my_app.parse_sleep(envelope)
        assert parsed.ratios_total in (0, 100)

See docs/qa-data.md.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from cudis_spec import QueryOperation, load_spec
from cudis_spec.requests import SECONDS_PER_DAY

__all__ = [
    "QueryRequest",
    "invalid_requests",
    "query_operations",
    "success_data",
    "success_envelopes",
    "unix_seconds",
    "valid_ranges",
    "valid_requests",
]


# -- reading the spec -------------------------------------------------------------------------


def _resolve(node: Any) -> Any:
    return load_spec().api.deref(node)


def _schema(pointer: str) -> dict[str, Any]:
    return dict(load_spec().api.at(pointer))


def _fixture_item_bounds() -> dict[str, Any]:
    """The largest values the mock's fixtures may pin, per metric (`pinnedDay` of the fixture schema)."""
    return dict(load_spec().fixtures_schema["$defs"]["pinnedDay"]["properties"])


def query_operations() -> list[tuple[str, str, str]]:
    """(operationId, method, path) of each query endpoint in the spec."""
    return [(op.operation_id, op.method, op.path) for op in load_spec().queries]


def _operation(operation_id: str | None) -> st.SearchStrategy[QueryOperation]:
    spec = load_spec()
    ops = list(spec.queries) if operation_id is None else [spec.query_by_id(operation_id)]
    return st.sampled_from(ops)


# -- requests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryRequest:
    """One query: where to send it, the JSON body, and the envelope code the spec expects back."""

    operation_id: str
    method: str
    path: str
    body: Any
    """The JSON value sent as the body (a dict for a well-formed request)."""
    content_type: str = "application/json"
    expected_code: int = field(default_factory=lambda: load_spec().codes.success.code)
    violates: str = ""
    """For an invalid request: the schema keyword or rule id it breaks."""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> bytes:
        """The body's bytes, as sent."""
        return json.dumps(self.body).encode()


def _time_bounds() -> tuple[int, int]:
    contract = load_spec().range
    return contract.minimum, contract.maximum


def unix_seconds(*, whole: bool = True) -> st.SearchStrategy[float]:
    """A timestamp the spec's `UnixSeconds` accepts (whole seconds unless `whole=False`)."""
    low, high = _time_bounds()
    if whole:
        return st.integers(low, high)
    return st.one_of(st.integers(low, high), st.floats(low, high, allow_nan=False, allow_infinity=False))


@st.composite
def valid_ranges(draw: st.DrawFn, /, *, max_days: int | None = None) -> dict[str, int]:
    """`{"startTime", "endTime"}` obeying the schema and every request rule (ordered, longest span)."""
    low, high = _time_bounds()
    longest = load_spec().range.longest_seconds or (high - low)
    if max_days is not None:
        longest = min(longest, max_days * SECONDS_PER_DAY)
    span = draw(st.one_of(st.integers(0, min(longest, 31 * SECONDS_PER_DAY)), st.integers(0, longest)))
    start = draw(st.integers(low, high - span))
    first, second = load_spec().range.fields
    return {first: start, second: start + span}


@st.composite
def valid_requests(draw: st.DrawFn, /, operation_id: str | None = None) -> QueryRequest:
    """A request the spec says must get the success code (with valid credentials)."""
    op = draw(_operation(operation_id))
    return QueryRequest(op.operation_id, op.method, op.path, draw(valid_ranges()))


def _not_a_number() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.text(max_size=12),
        st.booleans(),
        st.none(),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    )


@st.composite
def invalid_requests(draw: st.DrawFn, /, operation_id: str | None = None) -> QueryRequest:
    """A request the spec says must be refused, with the envelope code it should get and why."""
    op = draw(_operation(operation_id))
    body: Any = dict(draw(valid_ranges()))
    low, high = _time_bounds()
    spec = load_spec()
    names = list(spec.range.fields)
    field_code = spec.codes.by_key("invalid-field").code
    kinds = ["required", "type", "minimum", "maximum", "body", "media", *(r.id for r in spec.range.rules)]
    kind = draw(st.sampled_from(kinds))
    name = draw(st.sampled_from(names))
    content_type, code = "application/json", field_code
    if kind == "required":
        del body[name]
    elif kind == "type":
        body[name] = draw(_not_a_number())
    elif kind == "minimum":
        below = st.floats(max_value=low - 0.001, allow_nan=False, allow_infinity=False)
        body[name] = draw(st.one_of(st.integers(max_value=low - 1), below))
    elif kind == "maximum":
        body[name] = draw(st.integers(min_value=high + 1, max_value=high * 1000 + 999))
    elif kind == "body":
        body, code = draw(st.one_of(st.lists(st.integers(), max_size=3), st.integers(), st.text(max_size=8))), 0
        code = spec.codes.by_key("bad-body").code
    elif kind == "media":
        content_type = draw(st.sampled_from(["text/plain", "application/x-www-form-urlencoded", "application/xml"]))
        code = spec.codes.by_key("unsupported-media").code
    else:
        rule = next(r for r in spec.range.rules if r.id == kind)
        first, second = rule.fields
        code = rule.code
        if rule.kind == "ordered":
            start = draw(st.integers(low + 1, high))
            body = {first: start, second: draw(st.integers(low, start - 1))}
        elif rule.kind == "max-span-days":
            longest = int(rule.span_seconds)
            span = draw(st.integers(longest + 1, high - low))
            start = draw(st.integers(low, high - span))
            body = {first: start, second: start + span}
        else:  # a rule kind this module does not know yet: fall back to a field error
            kind, code = "required", field_code
            del body[name]
    return QueryRequest(
        op.operation_id, op.method, op.path, body, content_type=content_type, expected_code=code, violates=kind
    )


# -- response payloads ------------------------------------------------------------------------


def _item_value(schema: Mapping[str, Any], bounds: Mapping[str, Any], fractional: bool) -> st.SearchStrategy[Any]:
    low = bounds.get("minimum", schema.get("minimum", 0))
    high = bounds.get("maximum", schema.get("maximum", low + 10_000))
    low, high = max(low, schema.get("minimum", low)), min(high, schema.get("maximum", high))
    if schema.get("type") == "integer":
        return st.integers(int(low), int(high))
    whole = st.integers(math.ceil(low), int(high)).map(float)
    if not fractional:
        return whole
    return st.one_of(whole, st.floats(low, high, allow_nan=False).map(lambda v: round(v, 1)))


def _over(item: Mapping[str, Any], over: str | Sequence[str]) -> float:
    names = [over] if isinstance(over, str) else list(over)
    return float(sum(item[name] for name in names))


def _aggregate(fn: str, values: Sequence[float]) -> float:
    if fn == "sum":
        return float(sum(values))
    if fn == "max":
        return max(values)
    if fn == "min":
        return min(values)
    return sum(values) / len(values)


def _fit(value: float, schema: Mapping[str, Any]) -> int | float:
    return round(value) if schema.get("type") == "integer" else value


@st.composite
def success_data(
    draw: st.DrawFn, /, operation_id: str, *, min_days: int = 0, max_days: int = 60, fractional: bool = False
) -> dict[str, Any]:
    """A `data` object obeying the schema and every `x-cudis-rule` of the operation's data schema.

    `fractional=True` also draws values like 72.5 where the schema says `number`
    (the vendor's examples only show whole numbers such as 80.0).
    """
    op = load_spec().query_by_id(operation_id)
    schema = _schema(op.data_pointer)
    properties = {key: _resolve(value) for key, value in schema["properties"].items()}
    item_schema = _resolve(properties["list"]["items"])
    item_props = {key: _resolve(value) for key, value in item_schema["properties"].items()}
    rules = list(schema.get("x-cudis-rules", []))
    bounds = _fixture_item_bounds().get(op.metric, {}).get("properties", {})

    # The list: dates ascending and unique (the `dates` rule), values within bounds.
    date_rule = next((r for r in rules if r["kind"] == "dates"), {"field": "date"})
    count = draw(st.integers(min_days, max_days))
    first = draw(st.dates(date(2015, 1, 1), date(2035, 12, 31)))
    offsets = sorted(draw(st.sets(st.integers(0, max(count, 1) * 3), min_size=count, max_size=count)))
    items: list[dict[str, Any]] = []
    for offset in offsets:
        item: dict[str, Any] = {}
        for key, prop in item_props.items():
            if key == date_rule["field"]:
                item[key] = (first + timedelta(days=offset)).isoformat()
            else:
                item[key] = draw(_item_value(prop, bounds.get(key, {}), fractional))
        for rule in rules:
            if rule["kind"] == "item-ordered":  # e.g. minY <= maxY within each item
                values = sorted(item[f] for f in rule["fields"])
                item.update(zip(rule["fields"], values, strict=True))
        items.append(item)

    data: dict[str, Any] = {}
    empty = next((r for r in rules if r["kind"] == "empty-aggregates"), None)
    for rule in rules:
        if rule["kind"] == "aggregate" and items:
            values = [_over(item, rule["over"]) for item in items]
            data[rule["target"]] = _fit(_aggregate(rule["fn"], values), properties[rule["target"]])
        elif rule["kind"] == "aggregate" and rule.get("when") != "nonempty":
            data[rule["target"]] = _fit(_aggregate(rule["fn"], []), properties[rule["target"]])
        elif rule["kind"] == "shares":
            targets: dict[str, str] = rule["targets"]
            sums = {key: sum(float(item[f]) for item in items) for key, f in targets.items()}
            total = sum(sums.values())
            keys = list(targets)
            ratio_sum = next(
                (int(r["value"]) for r in rules if r["kind"] == "sum-equals" and set(r["fields"]) == set(keys)), 100
            )
            if total > 0:
                # All but the last rounded down, the last takes the rest: the sum is exact, each share within 2.
                shares = {key: math.floor(ratio_sum * sums[key] / total) for key in keys[:-1]}
                shares[keys[-1]] = ratio_sum - sum(shares.values())
            else:
                shares = {key: 0 for key in keys}
            data.update(shares)
    if not items and empty is not None:
        data.update({name: empty["value"] for name in empty["fields"]})
    for rule in rules:  # fields only bounded by neighbours, e.g. minimum <= average <= maximum
        if rule["kind"] == "ordered":
            for index, key in enumerate(rule["fields"]):
                if key in data:
                    continue
                below = [data[k] for k in rule["fields"][:index] if k in data]
                above = [data[k] for k in rule["fields"][index + 1 :] if k in data]
                low, high = (max(below) if below else 0), (min(above) if above else 0)
                data[key] = draw(st.integers(math.ceil(low), math.floor(high))) if low <= high else low
    for key, prop in properties.items():
        if key not in data and key != "list":
            data[key] = draw(_item_value(prop, {}, False))
    data["list"] = items
    return {key: data[key] for key in properties}


@st.composite
def success_envelopes(draw: st.DrawFn, /, operation_id: str, **options: Any) -> dict[str, Any]:
    """A whole success envelope `{code, msg, data}` for the operation."""
    data = draw(success_data(operation_id, **options))
    success = load_spec().codes.success
    return {"code": success.code, "msg": success.msg, "data": data}

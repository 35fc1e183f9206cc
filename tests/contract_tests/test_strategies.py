"""The public strategies: valid requests succeed, invalid ones get the code they promise, payloads obey every rule."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests import strategies as cs
from cudis_spec import check_data, load_spec

OPERATIONS = sorted(op.operation_id for op in load_spec().queries)


def _send(client: FlaskClient, auth: dict[str, str], request: cs.QueryRequest) -> dict[str, Any]:
    response = client.open(
        request.path,
        method=request.method,
        data=request.data,
        headers={**auth, "Content-Type": request.content_type},
    )
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def test_the_strategies_cover_every_query_operation_of_the_spec() -> None:
    assert {op for op, _, _ in cs.query_operations()} == set(OPERATIONS)


def test_valid_requests_get_success(client: FlaskClient, auth: dict[str, str]) -> None:
    @settings(max_examples=40)
    @given(cs.valid_requests())
    def succeed(request: cs.QueryRequest) -> None:
        body = _send(client, auth, request)
        assert body["code"] == 200, (request, body)

    succeed()


def test_invalid_requests_get_the_code_they_promise(client: FlaskClient, auth: dict[str, str]) -> None:
    @settings(max_examples=80)
    @given(cs.invalid_requests())
    def refused(request: cs.QueryRequest) -> None:
        body = _send(client, auth, request)
        assert body["code"] == request.expected_code, (request, body)
        assert body["data"] is None

    refused()


def test_invalid_requests_cover_every_request_rule_of_the_spec() -> None:
    seen: set[str] = set()

    @settings(max_examples=150, database=None)
    @given(cs.invalid_requests())
    def collect(request: cs.QueryRequest) -> None:
        seen.add(request.violates)

    collect()
    rule_ids = {r.id for r in load_spec().range.rules}
    assert rule_ids <= seen
    assert {"required", "type", "minimum", "maximum", "body", "media"} <= seen


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_success_payloads_obey_the_schema_and_every_rule(operation_id: str) -> None:
    spec = load_spec()
    op = spec.operations[operation_id]
    pointer = spec.response_pointer(op, 200)
    assert pointer is not None
    validator = spec.api.validator(pointer)
    rules = load_spec().data_rules(operation_id)
    kinds: set[str] = set()

    @settings(max_examples=60, database=None)
    @given(cs.success_envelopes(operation_id, fractional=True))
    def obey(envelope: dict[str, Any]) -> None:
        assert list(validator.iter_errors(envelope)) == []
        assert check_data(rules, envelope["data"]) == []  # vendor rules and the mock's assumptions
        kinds.add("empty" if not envelope["data"]["list"] else "nonempty")

    obey()
    assert kinds == {"empty", "nonempty"}


@given(st.data())
def test_payload_rules_can_fail_so_the_check_above_means_something(data: st.DataObject) -> None:
    envelope = data.draw(cs.success_envelopes("queryStep", min_days=1))
    envelope["data"]["countStep"] += 2
    violations = check_data(load_spec().data_rules("queryStep"), envelope["data"])
    assert [v.rule_id for v in violations] == ["step.countStep-is-sum-of-y"]


@settings(max_examples=30)
@given(cs.success_envelopes("querySleep", min_days=1))
def test_sleep_ratios_add_up_to_100_when_there_was_sleep(envelope: dict[str, Any]) -> None:
    data = envelope["data"]
    total = sum(n["deepY"] + n["shallowY"] + n["awakeY"] for n in data["list"])
    assert data["deepRatio"] + data["shallowRatio"] + data["awakeRatio"] == (100 if total else 0)
    dates = [n["date"] for n in data["list"]]
    assert dates == sorted(set(dates))

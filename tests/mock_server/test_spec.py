"""The spec is valid OpenAPI 3.1, drives the routes, and its own examples obey its rules."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from cudis_spec import check_data, load_spec
from cudis_spec.files import admin_spec_path
from cudis_spec.files import api_spec_path as spec_path
from mock_server import MockConfig, create_app
from mock_server.views import routing

QUERIES = ["queryHeartBeat", "querySleep", "queryStep"]


@pytest.mark.parametrize("path", [spec_path(), admin_spec_path()], ids=["api", "admin"])
def test_specs_are_valid_openapi(path: Any) -> None:
    validate(yaml.safe_load(path.read_text()))


def test_spec_declares_the_four_documented_operations() -> None:
    ops = {(op.method, op.path) for op in load_spec().operations.values() if op.document == "api"}
    assert {
        ("GET", "/oauth/authorize"),
        ("GET", "/partner/v1/query/heart_beat"),
        ("GET", "/partner/v1/query/step"),
        ("GET", "/partner/v1/query/sleep"),
    } <= ops


@pytest.mark.parametrize("operation_id", QUERIES)
def test_vendor_examples_match_schema_and_rules(operation_id: str) -> None:
    spec = load_spec()
    op = spec.operations[operation_id]
    pointer = spec.response_pointer(op, 200)
    assert pointer is not None
    validator = spec.api.validator(pointer)
    examples = op.raw["responses"]["200"]["content"]["application/json"]["examples"]
    for example in examples.values():
        value = spec.api.deref(example)["value"]
        assert list(validator.iter_errors(value)) == []
        if value["code"] == 200:
            assert check_data(spec.data_rules(operation_id), value["data"]) == []


def test_the_assumptions_the_code_relies_on_are_listed() -> None:
    assert set(load_spec().assumptions) >= {
        "error-http-status",
        "empty-days",
        "date-time-zone",
        "sleep-night-date",
        "bad-input-codes",
        "longest-range",
    }


def test_code_catalogue_marks_vendor_and_mock_codes() -> None:
    codes = load_spec().codes
    assert codes[20007].source == "vendor"
    assert codes[20007].msg == "Session expired. Please sign in again"
    assert all(info.source == "mock" for code, info in codes.items() if code not in (200, 20007))


def test_start_up_fails_when_an_operation_has_no_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_server.views import query

    every = query.handlers
    monkeypatch.setattr(query, "handlers", lambda spec: {k: v for k, v in every(spec).items() if k != "querySleep"})
    with pytest.raises(routing.SpecMismatch, match="querySleep"):
        create_app(MockConfig())


def test_start_up_fails_when_a_handler_has_no_operation(monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_server.views import query

    every = query.handlers
    monkeypatch.setattr(query, "handlers", lambda spec: {**every(spec), "queryCalories": every(spec)["queryStep"]})
    with pytest.raises(routing.SpecMismatch, match="queryCalories"):
        create_app(MockConfig())

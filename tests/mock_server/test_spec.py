"""The spec is valid OpenAPI 3.1, drives the routes, and its own examples obey its rules."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from contract_tests.rules import check_data
from mock_server import MockConfig, create_app
from mock_server.resources import admin_spec_path, spec_path
from mock_server.spec import load_spec
from mock_server.views import routing

SUCCESS = {"queryHeartBeat": "HeartBeatData", "queryStep": "StepData", "querySleep": "SleepData"}


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


@pytest.mark.parametrize("operation_id", sorted(SUCCESS))
def test_vendor_examples_match_schema_and_rules(operation_id: str) -> None:
    spec = load_spec()
    op = spec.operations[operation_id]
    pointer = spec.response_pointer(op, 200)
    assert pointer is not None
    validator = spec.api.validator(pointer)
    examples = op.raw["responses"]["200"]["content"]["application/json"]["examples"]
    for example in examples.values():
        value = spec.api.resolve(example["$ref"])["value"] if "$ref" in example else example["value"]
        assert list(validator.iter_errors(value)) == []
        if value["code"] == 200:
            rules = spec.api.raw["components"]["schemas"][SUCCESS[operation_id]]["x-cudis-rules"]
            assert check_data(rules, value["data"]) == []


def test_every_assumption_has_a_reason() -> None:
    assumptions = load_spec().assumptions()
    assert {a["id"] for a in assumptions} >= {
        "error-http-status",
        "empty-days",
        "date-time-zone",
        "sleep-night-date",
        "bad-input-codes",
        "longest-range",
    }
    assert all(len(a["text"]) > 40 for a in assumptions)


def test_code_catalogue_marks_vendor_and_mock_codes() -> None:
    codes = load_spec().codes
    assert codes[20007].source == "vendor"
    assert codes[20007].msg == "Session expired. Please sign in again"
    assert all(info.source == "mock" for code, info in codes.items() if code not in (200, 20007))


def test_start_up_fails_when_an_operation_has_no_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_server import app as app_module
    from mock_server.views import query

    handlers = {k: v for k, v in query.HANDLERS.items() if k != "querySleep"}
    monkeypatch.setitem(app_module._BLUEPRINTS, "query", handlers)
    with pytest.raises(routing.SpecMismatch, match="querySleep"):
        create_app(MockConfig())


def test_start_up_fails_when_a_handler_has_no_operation(monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_server import app as app_module
    from mock_server.views import query

    handlers = {**query.HANDLERS, "queryCalories": query.query_step}
    monkeypatch.setitem(app_module._BLUEPRINTS, "query", handlers)
    with pytest.raises(routing.SpecMismatch, match="queryCalories"):
        create_app(MockConfig())

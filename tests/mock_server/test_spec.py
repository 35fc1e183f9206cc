"""The spec is valid OpenAPI 3.1, drives the routes, and its own examples obey its rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from cudis_spec import check_data, load_spec
from cudis_spec.files import admin_spec_path
from cudis_spec.files import api_spec_path as spec_path
from cudis_spec.spec import Spec
from mock_server import MockConfig, create_app
from mock_server.views import routing

QUERIES = ["queryHeartBeat", "querySleep", "queryStep"]


@pytest.mark.parametrize("path", [spec_path(), admin_spec_path()], ids=["api", "admin"])
def test_specs_are_valid_openapi(path: Any) -> None:
    validate(yaml.safe_load(path.read_text()))


@pytest.mark.parametrize(
    "path", ["/oauth/authorize", "/partner/v1/query/heart_beat", "/partner/v1/query/step", "/partner/v1/query/sleep"]
)
def test_the_app_serves_the_four_documented_operations(path: str) -> None:
    # Routes come from the spec: an operation it lacks would be a 404 here, another method a 405.
    answer = create_app(MockConfig()).test_client().get(path)
    assert answer.status_code not in (404, 405), (path, answer.status_code)


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


def test_a_rule_naming_an_assumption_the_spec_does_not_list_is_refused_at_load(tmp_path: Path) -> None:
    named = next(rule.assumption for rule in load_spec().range.rules if rule.assumption)
    raw = yaml.safe_load(spec_path().read_text())
    raw["info"]["x-cudis-assumptions"] = [a for a in raw["info"]["x-cudis-assumptions"] if a["id"] != named]
    edited = tmp_path / "cudis-v1.yaml"
    edited.write_text(yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(ValueError, match=named):
        Spec(edited, admin_spec_path())


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

"""The spec is valid OpenAPI 3.1, its own examples obey its rules, and it loads without the mock or the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from cudis_spec import check_data, load_spec
from cudis_spec.files import admin_spec_path
from cudis_spec.files import api_spec_path as spec_path
from cudis_spec.spec import Spec

QUERIES = ["queryHeartBeat", "querySleep", "queryStep"]


@pytest.mark.parametrize("path", [spec_path(), admin_spec_path()], ids=["api", "admin"])
def test_specs_are_valid_openapi(path: Any) -> None:
    validate(yaml.safe_load(path.read_text()))


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


def test_the_spec_layer_needs_neither_flask_nor_the_suite() -> None:
    """`cudis_spec` is pure: loading it imports no web framework and no test tool."""
    code = (
        "import sys; from cudis_spec import load_spec\n"
        "spec = load_spec(); spec.api.validator(spec.range.body_pointer)\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'flask', 'werkzeug', 'schemathesis', 'hypothesis', 'mock_server', 'contract_tests'})\n"
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "[]"

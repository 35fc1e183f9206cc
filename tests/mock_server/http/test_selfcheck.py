"""The self-check: what it finds wrong with a response, and what a client gets when the mock breaks its contract."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask, Response

from cudis_spec import RangeContext, load_spec
from mock_server import MockConfig, create_app
from mock_server.context import mock_context
from mock_server.http.selfcheck import response_problems

from ...conftest import FIXED_NOW

SPEC = load_spec()
STEP = SPEC.operations["queryStep"]
CONTEXT = RangeContext(now=FIXED_NOW)
JSON = "application/json"


def step_answer(count: int, days: list[tuple[str, float]]) -> dict[str, Any]:
    return {"code": 200, "msg": "success", "data": {"countStep": count, "list": [{"date": d, "y": y} for d, y in days]}}


def problems(body: object, status: int = 200, mimetype: str = JSON) -> list[str]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return response_problems(SPEC, STEP, status, mimetype, raw, CONTEXT)


def test_a_consistent_answer_has_no_problems() -> None:
    assert problems(step_answer(9, [("2024-09-14", 4.0), ("2024-09-15", 5.0)])) == []


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (
            step_answer(10, [("2024-09-14", 4.0), ("2024-09-15", 5.0)]),
            "queryStep: step.countStep-is-sum-of-y: countStep is 10 but the sum of list[].y is 9",
        ),
        (
            step_answer(9, [("2024-09-15", 4.0), ("2024-09-14", 5.0)]),
            "queryStep: step.dates: list[1].date 2024-09-14 comes after 2024-09-15 (dates must ascend)",
        ),
    ],
)
def test_a_broken_rule_of_the_spec_is_named_with_its_id(body: dict[str, Any], found: str) -> None:
    assert problems(body) == [found]


@pytest.mark.parametrize(
    ("body", "mimetype", "found"),
    [
        (b"{", JSON, "queryStep: the body is not JSON"),
        (b"<p>hi</p>", "text/html", "queryStep: HTTP 200 should be application/json, not text/html"),
        ({"code": 200, "msg": "success", "data": {"list": []}}, JSON, "queryStep: (root): "),
    ],
)
def test_a_body_of_the_wrong_shape_is_found(body: object, mimetype: str, found: str) -> None:
    (problem,) = problems(body, mimetype=mimetype)
    assert problem.startswith(found)


def test_an_undeclared_status_is_found() -> None:
    found = response_problems(SPEC, SPEC.operations["getClock"], 201, JSON, b"{}", CONTEXT)
    assert found == ["getClock: HTTP 201 is not a declared response"]


def broken_step(app: Flask) -> None:
    bad = json.dumps(step_answer(10, [("2024-09-14", 4.0), ("2024-09-15", 5.0)]))
    app.view_functions["query.queryStep"] = lambda: Response(bad, mimetype=JSON)


def test_a_contract_break_reaches_the_client_as_a_500_and_the_journal(app: Flask) -> None:
    broken_step(app)
    client = app.test_client()
    response = client.get("/partner/v1/query/step")
    rule = "queryStep: step.countStep-is-sum-of-y: countStep is 10 but the sum of list[].y is 9"
    assert response.status_code == 500
    assert response.json == {
        "code": 50000,
        "msg": f"Internal error: the mock's response broke its contract: {rule}",
        "data": None,
    }
    assert mock_context(app).violations == [rule]
    (entry,) = client.get("/__mock__/requests").json["requests"]  # type: ignore[index]
    assert entry["problems"] == [rule]


def test_without_the_self_check_the_answer_goes_out_as_is() -> None:
    app = create_app(MockConfig(validate_responses=False))
    broken_step(app)
    response = app.test_client().get("/partner/v1/query/step")
    assert response.status_code == 200 and response.json["data"]["countStep"] == 10  # type: ignore[index]
    assert mock_context(app).violations == []

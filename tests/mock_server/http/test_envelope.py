"""Typed errors render the envelope the spec's code catalogue declares: its code, its `msg`, `data: null`."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cudis_spec import load_spec
from mock_server import MockConfig, create_app
from mock_server.context import mock_context
from mock_server.http import envelope
from mock_server.http.envelope import ApiError

CODES = load_spec().codes
STEP = "/partner/v1/query/step"


@pytest.mark.parametrize(
    ("error", "body"),
    [
        (envelope.SessionExpired("ignored"), {"code": 20007, "msg": "Session expired. Please sign in again"}),
        (envelope.BadBody("not JSON"), {"code": 40000, "msg": "Bad request body: not JSON"}),
        (
            envelope.InvalidField("must be a number", field="endTime"),
            {"code": 40001, "msg": "Invalid endTime: must be a number"},
        ),
        (envelope.InvalidField("a stray '='"), {"code": 40001, "msg": "Invalid request: a stray '='"}),
        (envelope.InvalidRange("too long"), {"code": 40002, "msg": "Invalid range: too long"}),
        (envelope.NotFound("GET /x"), {"code": 40400, "msg": "No such endpoint: GET /x"}),
        (envelope.UnsupportedMedia("'text/plain'"), {"code": 41500, "msg": "Unsupported content type: 'text/plain'"}),
        (envelope.Internal("boom"), {"code": 50000, "msg": "Internal error: boom"}),
    ],
)
def test_each_typed_error_renders_its_catalogue_entry(error: ApiError, body: dict[str, object]) -> None:
    # Compact JSON, keys in the page's order: code, msg, data.
    assert error.body(CODES) == json.dumps({**body, "data": None}, separators=(",", ":")).encode()


def test_the_reason_stays_out_of_the_envelope() -> None:
    error = envelope.SessionExpired(reason="token expired 5 s ago")
    assert b"expired 5 s" not in error.body(CODES)


def test_the_success_envelope_wraps_data_as_given() -> None:
    body = envelope.success_body_json(CODES, envelope.dumps({"list": [], "maxY": 80.0}))
    assert body == b'{"code":200,"msg":"success","data":{"list":[],"maxY":80.0}}'


def test_an_error_envelope_travels_with_http_200_unless_error_status_is_mapped() -> None:
    headers = {"Cudis-Client-Id": "cudis-wellness", "Content-Type": "text/plain"}
    for mode, status in (("200", 200), ("mapped", 415)):
        app = create_app(MockConfig(error_status=mode))  # type: ignore[arg-type]
        token = app.test_client().post("/__mock__/tokens", json={}).json["access_token"]  # type: ignore[index]
        headers["Authorization"] = f"Bearer {token}"
        response = app.test_client().get(STEP, data=b"startTime=1", headers=headers)
        assert (response.status_code, response.json["code"]) == (status, 41500), mode  # type: ignore[index]
        assert response.json["msg"].startswith("Unsupported content type: 'text/plain'")  # type: ignore[index]


def test_an_unexpected_exception_becomes_a_50000_envelope_without_its_message(app: Flask, client: FlaskClient) -> None:
    def broken() -> None:
        raise RuntimeError("secret internals")

    app.view_functions["query.queryStep"] = broken
    response = client.get(STEP)
    assert response.status_code == 500
    assert response.json == {
        "code": 50000,
        "msg": "Internal error: RuntimeError; the mock logged the details",
        "data": None,
    }
    assert "secret internals" not in response.get_data(as_text=True)
    assert any("secret internals" in text for text in mock_context(app).errors)

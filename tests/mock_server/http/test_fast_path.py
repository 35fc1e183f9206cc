"""Plain queries answered ahead of Flask: the answer, headers and journal entry the app gives, and
every other request handed to the app untouched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request_started
from flask import request as flask_request
from werkzeug.test import EnvironBuilder, run_wsgi_app

from mock_server import MockConfig, create_app
from mock_server.context import mock_context
from mock_server.http.fast_path import QueryFastPath
from mock_server.state.store import ClockState

from ...conftest import FIXED_NOW

DAY = 86400
END = int(FIXED_NOW) // DAY * DAY
HEART = "/partner/v1/query/heart_beat"
JSON = "application/json"


def days(count: int, ago: int = 0) -> dict[str, int]:
    return {"startTime": END - (count + ago) * DAY, "endTime": END - ago * DAY}


@pytest.fixture(params=[True, False], ids=["self-check", "no-self-check"])
def app(request: pytest.FixtureRequest) -> Flask:
    app = create_app(MockConfig(validate_responses=request.param))
    mock_context(app).store.set_clock_state(ClockState(frozen_at=FIXED_NOW))
    return app


@pytest.fixture
def token(app: Flask) -> str:
    minted = app.test_client().post("/__mock__/tokens", json={"user_id": "typical"})
    return str(minted.json["access_token"])  # type: ignore[index]


def call(wsgi: Any, app: Flask, **request: Any) -> tuple[str, list[tuple[str, str]], bytes, list[dict[str, Any]]]:
    """Status, headers and body of one request through `wsgi`, and the journal entries it added (ids left out)."""
    client = app.test_client()
    client.delete("/__mock__/requests")
    environ = EnvironBuilder(**request).get_environ()
    body, status, headers = run_wsgi_app(wsgi, environ, buffered=True)
    entries = client.get("/__mock__/requests").json["requests"]  # type: ignore[index]
    return status, list(headers.items()), b"".join(body), [{k: v for k, v in e.items() if k != "id"} for e in entries]


def plain(token: str, path: str = HEART, body: object = None, **extra: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness", **extra.pop("headers", {})}
    data = json.dumps(days(30) if body is None else body) if not isinstance(body, bytes) else body
    return {"path": path, "method": "GET", "headers": headers, "data": data, "content_type": JSON, **extra}


def requests_of(token: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for metric in ("heart_beat", "step", "sleep"):
        for span in ((1, 0), (30, 0), (365, 0), (7, 400), (3, -2)):
            yield f"{metric} {span}", plain(token, f"/partner/v1/query/{metric}", days(*span))
    yield "spaces in the body", plain(token, body=b'{ "startTime" : %d ,"endTime":%d }' % (END - DAY, END))
    yield "no token", plain("", headers={"Authorization": ""})
    yield "another client", plain(token, headers={"Cudis-Client-Id": "local-dev"})
    yield "unknown token", plain("PHCW3OVMXQZX5FJUR6ZK4FAA2MK2CWWA")
    yield "start after end", plain(token, body={"startTime": END, "endTime": END - DAY})
    yield "not JSON", plain(token, body=b"{start")
    yield "no body", {**plain(token), "data": b""}
    yield "too large", plain(token, body=b" " * (64 * 1024 + 1))
    yield "a query string", plain(token, query_string="startTime=1&endTime=2")
    yield "an Origin", plain(token, headers={"Origin": "http://localhost:3000"})
    yield "a fault header", plain(token, headers={"X-Cudis-Mock-Fault": "status=503"})
    yield "a foreign Host", plain(token, base_url="http://evil.example")
    yield "HEAD", plain(token, method="HEAD")
    yield "POST", plain(token, method="POST")
    yield "a trailing slash", plain(token, path=HEART + "/")


def test_every_request_gets_from_the_fast_path_what_the_app_alone_answers(app: Flask, token: str) -> None:
    fast = app.wsgi_app
    assert isinstance(fast, QueryFastPath)
    for name, request in requests_of(token):
        through_fast = call(fast, app, **request)
        assert through_fast == call(fast.app, app, **request), name
        assert len(through_fast[3]) == 1, name  # one journal entry, though the app may have worked it out twice


def test_a_plain_query_never_enters_flask_and_anything_else_does(app: Flask, token: str) -> None:
    entered: list[str] = []

    def note(_sender: Flask, **_extra: Any) -> None:
        entered.append(flask_request.path)

    with request_started.connected_to(note, app):
        status, _headers, body, _entries = call(app.wsgi_app, app, **plain(token))
        assert status == "200 OK" and json.loads(body)["code"] == 200 and HEART not in entered
        status, _headers, body, _entries = call(app.wsgi_app, app, **plain(token, body={"startTime": 1}))
        assert json.loads(body)["code"] == 40001 and HEART in entered


def test_a_stored_fault_is_met_by_the_app_and_then_the_fast_path_serves_again(app: Flask, token: str) -> None:
    client = app.test_client()
    assert client.post("/__mock__/faults", json={"kind": "status", "status": 503, "times": 1}).status_code == 201
    status, _headers, _body, entries = call(app.wsgi_app, app, **plain(token))
    assert status.startswith("503") and entries[0]["fault"]
    status, _headers, body, _entries = call(app.wsgi_app, app, **plain(token))
    assert status == "200 OK" and json.loads(body)["code"] == 200


def test_an_answer_that_breaks_the_contract_is_refused_as_the_app_refuses_it() -> None:
    app = create_app(MockConfig(validate_responses=True))
    mock = mock_context(app)
    token = app.test_client().post("/__mock__/tokens", json={}).json["access_token"]  # type: ignore[index]
    mock.engine.answer_json = lambda *_args: '{"list":[{"x":"2024-09-14","y":-1}]}'  # type: ignore[method-assign]
    status, _headers, body, entries = call(app.wsgi_app, app, **plain(token))
    assert status.startswith("500") and "broke its contract" in json.loads(body)["msg"]
    assert entries[0]["problems"] and mock.violations
    mock.violations.clear()


def test_with_the_journal_off_a_plain_query_leaves_no_entry() -> None:
    app = create_app(MockConfig(journal_limit=0))
    token = app.test_client().post("/__mock__/tokens", json={}).json["access_token"]  # type: ignore[index]
    status, _headers, _body, entries = call(app.wsgi_app, app, **plain(token))
    assert status == "200 OK" and entries == []


MINT = "/__mock__/tokens"


def mint(**extra: Any) -> dict[str, Any]:
    body = extra.pop("body", {})
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    loopback = {"REMOTE_ADDR": "127.0.0.1", **extra.pop("environ_overrides", {})}
    return {"path": MINT, "method": "POST", "data": data, "content_type": JSON, "environ_overrides": loopback, **extra}


def mints() -> Iterator[tuple[str, dict[str, Any]]]:
    yield "the defaults", mint()
    yield "no body", mint(data=b"", content_type=None)
    yield "a user, a client, a lifetime", mint(body={"user_id": "athlete", "client_id": "local-dev", "expires_in": 60})
    yield "a charset", mint(content_type="application/json; charset=utf-8", body={"user_id": "athlete"})
    yield "an unknown user", mint(body={"user_id": "nobody"})
    yield "a field of the wrong type", mint(body={"expires_in": "soon"})
    yield "not JSON", mint(body=b"{user")
    yield "text/plain", mint(content_type="text/plain", body=b"{}")
    yield "no Content-Type with a body", mint(content_type=None)
    yield "a foreign Origin", mint(headers={"Origin": "http://evil.example"})
    yield "Sec-Fetch-Site: cross-site", mint(headers={"Sec-Fetch-Site": "cross-site"})
    yield "a foreign Host", mint(base_url="http://evil.example")
    yield "from another machine", mint(environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    yield "GET", mint(method="GET", data=b"", content_type=None)
    yield "a trailing slash", mint(path=MINT + "/")


def without_token(answer: tuple[str, list[tuple[str, str]], bytes, list[dict[str, Any]]]) -> tuple[Any, ...]:
    status, headers, body, entries = answer
    try:
        shown = {k: v for k, v in json.loads(body).items() if k != "access_token"}
    except ValueError:
        shown = body
    return status, headers, shown, entries


def test_every_mint_gets_from_the_fast_path_what_the_app_alone_answers(app: Flask) -> None:
    fast, mock = app.wsgi_app, mock_context(app)
    assert isinstance(fast, QueryFastPath)
    for name, request in mints():
        before = mock.issued
        through_fast = call(fast, app, **request)
        issued = mock.issued - before
        assert without_token(through_fast) == without_token(call(fast.app, app, **request)), name
        assert issued == (1 if through_fast[0].startswith("201") else 0), name  # handing over minted nothing


def test_a_plain_mint_never_enters_flask_and_its_token_answers_queries() -> None:
    app = create_app(MockConfig())
    entered: list[str] = []

    def note(_sender: Flask, **_extra: Any) -> None:
        entered.append(flask_request.path)

    with request_started.connected_to(note, app):
        status, _headers, body, _entries = call(app.wsgi_app, app, **mint(body={"user_id": "athlete"}))
        assert status == "201 CREATED" and MINT not in entered
        token = json.loads(body)["access_token"]
        status, _headers, body, _entries = call(app.wsgi_app, app, **plain(token))
        assert status == "200 OK" and json.loads(body)["code"] == 200 and HEART not in entered


def test_with_an_admin_token_every_mint_is_the_apps_to_check() -> None:
    client = create_app(MockConfig(admin_token="s3cret-admin")).test_client()
    refused = client.post(MINT, json={})
    assert refused.status_code == 403 and "admin token" in refused.json["msg"]  # type: ignore[index]
    assert client.post(MINT, json={}, headers={"X-Cudis-Mock-Admin": "s3cret-admin"}).status_code == 201

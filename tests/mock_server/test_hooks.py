"""The control API under /__mock__/ over HTTP, with the state in memory and in SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_server import MockConfig, create_app
from mock_server.context import mock_context
from mock_server.state import MemoryStore, SqliteStore, Store

from ..conftest import FIXED_NOW

RANGE = {"startTime": 1726358400, "endTime": 1726704000}
HEART = "/partner/v1/query/heart_beat"
DAY = 86400


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "state.sqlite")


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def app(config: MockConfig, store: Store, sleeps: list[float]) -> Flask:
    return create_app(config, store=store, sleep=sleeps.append)


@pytest.fixture(autouse=True)
def _no_contract_violations(app: Flask) -> Any:
    yield
    assert mock_context(app).violations == []


def query(client: FlaskClient, auth: dict[str, str], path: str = HEART, **headers: str) -> Any:
    response = client.get(path, json=RANGE, headers={**auth, **headers})
    return response


def code_of(response: Any) -> int:
    return int(response.json["code"])


# tokens
def test_a_revoked_token_gets_20007(client: FlaskClient, mint: Any) -> None:
    token = mint()
    auth = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    assert code_of(query(client, auth)) == 200
    assert client.delete(f"/__mock__/tokens/{token}").status_code == 204
    assert code_of(query(client, auth)) == 20007
    again = client.delete(f"/__mock__/tokens/{token}")
    assert again.status_code == 404 and "no token" in again.json["msg"]


# clock
def test_the_clock_can_be_read_set_and_advanced(client: FlaskClient) -> None:
    real = client.get("/__mock__/clock").json
    assert real["frozen"] is False and real["offset"] == 0
    frozen = client.put("/__mock__/clock", json={"now": FIXED_NOW}).json
    iso = datetime.fromtimestamp(FIXED_NOW, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert frozen == {"now": FIXED_NOW, "iso": iso, "frozen": True, "offset": 0}
    assert client.get("/__mock__/clock").json["now"] == FIXED_NOW
    moved = client.post("/__mock__/clock/advance", json={"seconds": DAY}).json
    assert moved["now"] == FIXED_NOW + DAY and moved["frozen"] is True
    running = client.put("/__mock__/clock", json={"now": FIXED_NOW, "frozen": False}).json
    assert running["frozen"] is False and abs(running["now"] - FIXED_NOW) < 5


def test_token_expiry_follows_the_clock(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post("/__mock__/clock/advance", json={"seconds": 29 * DAY})
    assert code_of(query(client, auth)) == 200
    client.post("/__mock__/clock/advance", json={"seconds": 2 * DAY})
    response = query(client, auth)
    assert code_of(response) == 20007 and "expired" in response.headers["X-Cudis-Mock-Reason"]


@pytest.mark.parametrize(
    ("method", "path", "body", "says"),
    [
        ("PUT", "/__mock__/clock", {}, "Invalid now: is required"),
        ("PUT", "/__mock__/clock", {"now": 1795521600000}, "looks like milliseconds"),
        ("PUT", "/__mock__/clock", {"now": 1, "speed": 2}, "Invalid speed: is not a field"),
        ("POST", "/__mock__/clock/advance", {"seconds": "1d"}, "Invalid seconds: must be a number"),
        ("POST", "/__mock__/faults", {"kind": "explode"}, "Invalid kind: must be one of"),
        ("POST", "/__mock__/faults", {"kind": "status", "status": 404}, "Invalid status: is too small"),
    ],
)
def test_bad_control_requests_say_what_to_fix(
    client: FlaskClient, method: str, path: str, body: dict[str, Any], says: str
) -> None:
    response = client.open(path, method=method, json=body)
    assert response.status_code == 400
    assert says in response.json["msg"]


# faults
def test_503_twice_then_recovery(client: FlaskClient, auth: dict[str, str]) -> None:
    fault = client.post("/__mock__/faults", json={"kind": "status", "status": 503, "times": 2})
    assert fault.status_code == 201 and fault.json["id"] == "f1"
    answers = [query(client, auth) for _ in range(3)]
    assert [(r.status_code, code_of(r)) for r in answers] == [(503, 50300), (503, 50300), (200, 200)]
    assert client.get("/__mock__/faults").json == {"faults": []}


def test_a_fault_scoped_to_an_endpoint(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post("/__mock__/faults", json={"kind": "status", "status": 502, "endpoint": "queryStep"})
    assert code_of(query(client, auth)) == 200
    step = query(client, auth, "/partner/v1/query/step")
    assert (step.status_code, code_of(step)) == (502, 50000)
    listed = client.get("/__mock__/faults").json["faults"]
    assert [(f["hits"], f["fired"]) for f in listed] == [(1, 1)]


def test_rate_limit_comes_with_retry_after(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post("/__mock__/faults", json={"kind": "rate_limit", "retry_after": 7})
    response = query(client, auth)
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert code_of(response) == 42900


def test_a_forced_envelope_code(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post("/__mock__/faults", json={"kind": "code", "code": 20007, "times": 1})
    assert query(client, auth).json == {"code": 20007, "msg": "Session expired. Please sign in again", "data": None}
    assert code_of(query(client, auth)) == 200


def test_a_malformed_body(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post("/__mock__/faults", json={"kind": "malformed"})
    response = query(client, auth)
    assert response.status_code == 200 and response.mimetype == "application/json"
    with pytest.raises(ValueError):
        response.get_json(force=True)


def test_latency_waits_then_answers(client: FlaskClient, auth: dict[str, str], sleeps: list[float]) -> None:
    client.post("/__mock__/faults", json={"kind": "latency", "ms": 250})
    assert code_of(query(client, auth)) == 200
    assert sleeps == [0.25]


def test_a_seeded_percentage_picks_the_same_requests_again(client: FlaskClient, auth: dict[str, str]) -> None:
    def run() -> list[int]:
        client.delete("/__mock__/faults")
        client.post("/__mock__/faults", json={"kind": "status", "status": 503, "percent": 50, "seed": 4})
        return [query(client, auth).status_code for _ in range(12)]

    first = run()
    assert first == run()
    assert 503 in first and 200 in first


def test_faults_are_listed_removed_and_cleared(client: FlaskClient) -> None:
    client.post("/__mock__/faults", json={"kind": "drop", "endpoint": "/partner/v1/query/sleep"})
    client.post("/__mock__/faults", json={"kind": "latency", "min_ms": 10, "max_ms": 20, "seed": 1})
    assert [f["id"] for f in client.get("/__mock__/faults").json["faults"]] == ["f1", "f2"]
    assert client.delete("/__mock__/faults/f1").status_code == 204
    assert client.delete("/__mock__/faults/f1").status_code == 404
    assert [f["kind"] for f in client.get("/__mock__/faults").json["faults"]] == ["latency"]
    assert client.delete("/__mock__/faults").status_code == 204
    assert client.get("/__mock__/faults").json["faults"] == []


def test_faults_never_touch_the_control_api(client: FlaskClient) -> None:
    client.post("/__mock__/faults", json={"kind": "status", "status": 500})
    assert client.get("/__mock__/clock", headers={"X-Cudis-Mock-Fault": "status=500"}).status_code == 200


# the fault header
def test_a_fault_header_applies_to_that_request_only(
    client: FlaskClient, auth: dict[str, str], sleeps: list[float]
) -> None:
    response = query(client, auth, **{"X-Cudis-Mock-Fault": "latency=40, rate_limit=3"})
    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    assert sleeps == [0.04]
    assert code_of(query(client, auth)) == 200


def test_a_bad_fault_header_gets_40001(client: FlaskClient, auth: dict[str, str]) -> None:
    response = query(client, auth, **{"X-Cudis-Mock-Fault": "status=200"})
    assert code_of(response) == 40001 and "HTTP 5xx" not in response.json["msg"]
    assert "status" in response.json["msg"]


# journal
def test_the_journal_records_what_was_sent_and_answered(client: FlaskClient, auth: dict[str, str]) -> None:
    token = auth["Authorization"].split()[1]
    query(client, auth)
    client.post("/__mock__/faults", json={"kind": "code", "code": 20007, "times": 1})
    query(client, auth)
    entries = client.get("/__mock__/requests").json["requests"]
    assert [(e["method"], e["path"], e["status"], e["code"], e["fault"]) for e in entries] == [
        ("GET", HEART, 200, 200, None),
        ("GET", HEART, 200, 20007, "code=20007"),
    ]
    first = entries[0]
    assert first["headers"]["Authorization"] == f"Bearer {token[:4]}…"
    assert token not in str(entries)
    assert first["body"] == '{"startTime": 1726358400, "endTime": 1726704000}'
    assert entries[1]["id"] > first["id"]
    assert client.get("/__mock__/requests?limit=1").json["requests"] == entries[1:]
    assert client.delete("/__mock__/requests").status_code == 204
    assert client.get("/__mock__/requests").json["requests"] == []


def test_the_journal_keeps_the_latest_entries(store: Store) -> None:
    app = create_app(MockConfig(journal_limit=3), store=store)
    client = app.test_client()
    for start in range(5):
        client.get(HEART, query_string={"startTime": start, "endTime": 10})
    assert [e["query"] for e in client.get("/__mock__/requests").json["requests"]] == [
        f"startTime={s}&endTime=10" for s in (2, 3, 4)
    ]
    asked_for_more = client.get("/__mock__/requests?limit=9").json["requests"]
    assert [e["query"] for e in asked_for_more] == [f"startTime={s}&endTime=10" for s in (2, 3, 4)]
    quiet = create_app(MockConfig(journal_limit=0)).test_client()
    quiet.get(HEART)
    assert quiet.get("/__mock__/requests").json["requests"] == []


def test_the_journal_keeps_a_refused_large_body_out(client: FlaskClient) -> None:
    response = client.get(HEART, data=b"x" * 70_000, content_type="application/json")
    assert response.status_code == 413
    (entry,) = client.get("/__mock__/requests").json["requests"]
    assert (entry["status"], entry["code"], entry["body"]) == (413, 41300, "(70000 bytes, not read)")


# reset, users, clients
def test_reset_forgets_tokens_faults_journal_and_clock(client: FlaskClient, auth: dict[str, str]) -> None:
    client.put("/__mock__/clock", json={"now": FIXED_NOW})
    client.post("/__mock__/faults", json={"kind": "drop"})
    client.get("/partner/v1/nowhere")
    assert client.post("/__mock__/reset").status_code == 204
    assert client.get("/__mock__/faults").json["faults"] == []
    assert client.get("/__mock__/requests").json["requests"] == []
    assert client.get("/__mock__/clock").json["frozen"] is False
    assert code_of(query(client, auth)) == 20007


def test_users_and_clients_are_listed(client: FlaskClient) -> None:
    users = client.get("/__mock__/users").json["users"]
    typical = next(u for u in users if u["id"] == "typical")
    assert typical["username"] == "alex" and typical["timezone"] == "America/New_York"
    assert {u["id"] for u in users} >= {"typical", "athlete", "no-data", "doc-example"}
    clients = client.get("/__mock__/clients").json["clients"]
    assert clients[0]["id"] == "cudis-wellness" and "https://example.com/callback" in clients[0]["redirect_uris"]


# admin safety
def test_the_control_api_refuses_other_hosts_without_an_admin_token(client: FlaskClient) -> None:
    response = client.get("/__mock__/clock", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 403 and response.json["code"] == 40300
    assert "--admin-token" in response.json["msg"]
    assert client.get("/__mock__/clock", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_with_an_admin_token_only_requests_carrying_it_get_in() -> None:
    client = create_app(MockConfig(admin_token="s3cret")).test_client()
    assert client.get("/__mock__/clock").status_code == 403
    assert client.get("/__mock__/clock", headers={"X-Cudis-Mock-Admin": "wrong"}).status_code == 403
    remote = {"REMOTE_ADDR": "192.0.2.7"}
    assert (
        client.get("/__mock__/clock", headers={"X-Cudis-Mock-Admin": "s3cret"}, environ_base=remote).status_code == 200
    )
    assert client.get("/__mock__/users", headers={"Authorization": "Bearer s3cret"}).status_code == 200


# every response says which process answered
def test_responses_name_the_worker(client: FlaskClient) -> None:
    import os

    assert client.get("/__mock__/clock").headers["X-Cudis-Mock-Worker"] == str(os.getpid())


def test_the_journal_lists_every_header_as_sent_with_secrets_masked(client: FlaskClient, auth: dict[str, str]) -> None:
    token = auth["Authorization"].split()[1]
    extra = {"X-Cudis-Mock-Admin": "admin-secret", "X-Trace-Id": "t-1"}
    client.get(HEART, json={"startTime": 1726358400, "endTime": 1726704000}, headers={**auth, **extra})
    (entry,) = client.get("/__mock__/requests").json["requests"]
    headers = entry["headers"]
    assert headers["Authorization"] == f"Bearer {token[:4]}…"
    assert headers["X-Cudis-Mock-Admin"] == "admi…"
    assert headers["Content-Type"] == "application/json" and headers["Content-Length"] == "48"
    assert headers["Cudis-Client-Id"] == auth["Cudis-Client-Id"] and headers["X-Trace-Id"] == "t-1"
    assert "admin-secret" not in str(entry)

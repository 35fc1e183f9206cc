"""Who reaches the control API: what a refused caller is told, and which paths the guard covers."""

from __future__ import annotations

import pytest
import requests
from flask.testing import FlaskClient

from mock_server import MockConfig, create_app

from ...servers import MockProcess

REMOTE = {"REMOTE_ADDR": "192.0.2.7"}
ADMIN = "s3cret-admin"


@pytest.fixture
def guarded() -> FlaskClient:
    return create_app(MockConfig(admin_token=ADMIN)).test_client()


def test_a_refusal_from_another_host_names_that_host(client: FlaskClient) -> None:
    response = client.get("/__mock__/faults", environ_base=REMOTE)
    assert response.status_code == 403
    assert response.json == {
        "code": 40300,
        "msg": "Control API refused: the control API answers only on loopback (192.0.2.7 is not);"
        " start the mock with --admin-token TOKEN to reach it from elsewhere",
        "data": None,
    }


def test_without_the_admin_token_the_refusal_says_where_to_send_it(guarded: FlaskClient) -> None:
    missing = guarded.get("/__mock__/clock").json
    assert missing is not None and missing["code"] == 40300
    assert "X-Cudis-Mock-Admin: <token> or Authorization: Bearer <token>" in missing["msg"]
    assert "does not match" not in missing["msg"]


@pytest.mark.parametrize(
    "headers", [{"X-Cudis-Mock-Admin": "s3cret-admiN"}, {"Authorization": "Bearer nope"}, {"X-Cudis-Mock-Admin": "é"}]
)
def test_a_wrong_admin_token_is_told_it_does_not_match_and_not_echoed(
    guarded: FlaskClient, headers: dict[str, str]
) -> None:
    response = guarded.get("/__mock__/clock", headers=headers)
    assert response.status_code == 403 and response.json is not None
    assert response.json["msg"].endswith("(the one given does not match)")
    given = next(iter(headers.values())).removeprefix("Bearer ")
    assert given not in response.get_data(as_text=True)


def test_the_admin_header_wins_over_an_api_bearer_token(guarded: FlaskClient) -> None:
    headers = {"X-Cudis-Mock-Admin": ADMIN, "Authorization": "Bearer PHCW3OVMXQZX5FJUR6ZK4FAA2MK2CWWA"}
    assert guarded.get("/__mock__/clock", headers=headers).status_code == 200


def test_the_guard_covers_only_the_control_api(client: FlaskClient) -> None:
    api = client.get("/partner/v1/query/step", json={"startTime": 1, "endTime": 2}, environ_base=REMOTE).json
    assert api is not None and api["code"] == 20007
    lookalike = client.get("/__mock__", environ_base=REMOTE)
    assert lookalike.status_code == 404 and lookalike.json["code"] == 40400  # type: ignore[index]


@pytest.mark.parametrize(("remote", "status"), [("::1%lo", 200), ("0:0:0:0:0:0:0:1", 200), ("fe80::1%lo", 403)])
def test_a_scoped_or_long_form_address_is_judged_by_its_address(client: FlaskClient, remote: str, status: int) -> None:
    assert client.get("/__mock__/clock", environ_base={"REMOTE_ADDR": remote}).status_code == status


def test_an_ipv4_mapped_loopback_caller_is_loopback(client: FlaskClient) -> None:
    assert client.get("/__mock__/clock", environ_base={"REMOTE_ADDR": "::ffff:127.0.0.1"}).status_code == 200


# ---- what a foreign page can send without a preflight ---------------------------------------------------

STATE_CHANGES = [
    ("POST", "/__mock__/faults", b'{"kind": "status", "status": 503}'),
    ("POST", "/__mock__/clock/advance", b'{"seconds": 86400}'),
    ("PUT", "/__mock__/clock", b'{"now": 1795521600}'),
    ("POST", "/__mock__/tokens", b"{}"),
    ("POST", "/__mock__/reset", b""),
    ("DELETE", "/__mock__/requests", b""),
]


def _unchanged(client: FlaskClient) -> None:
    assert client.get("/__mock__/faults").json == {"faults": []}
    assert client.get("/__mock__/clock").json["offset"] == 0  # type: ignore[index]


@pytest.mark.parametrize(("method", "path", "body"), STATE_CHANGES)
@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Content-Type": "application/json"},
        {"Origin": "null", "Content-Type": "application/json"},
        {"Origin": "http://localhost:3000", "Content-Type": "application/json"},
        {"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"},
        {"Sec-Fetch-Site": "same-site", "Content-Type": "application/json"},
    ],
    ids=["foreign-origin", "null-origin", "other-port-origin", "cross-site", "same-site"],
)
def test_a_state_change_from_another_origin_is_refused(
    client: FlaskClient, method: str, path: str, body: bytes, headers: dict[str, str]
) -> None:
    response = client.open(path, method=method, data=body, headers=headers)
    assert response.status_code == 403, response.data
    assert response.json["code"] == 40300 and "control API" in response.json["msg"]  # type: ignore[index]
    _unchanged(client)


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_a_body_not_declared_json_is_refused(client: FlaskClient, content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    for path, body in (("/__mock__/faults", b'{"kind":"drop"}'), ("/__mock__/clock/advance", b'{"seconds":86400}')):
        response = client.post(path, data=body, headers=headers)
        assert response.status_code == 415, (content_type, response.data)
        assert "application/json" in response.json["msg"]  # type: ignore[index]
    _unchanged(client)


def test_an_empty_form_post_to_reset_is_refused(client: FlaskClient) -> None:
    client.post("/__mock__/faults", json={"kind": "drop"})
    response = client.post("/__mock__/reset", data=b"", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert len(client.get("/__mock__/faults").json["faults"]) == 1  # type: ignore[index]


def test_the_mocks_own_origin_and_plain_clients_get_in(client: FlaskClient) -> None:
    own = client.post(
        "/__mock__/faults",
        json={"kind": "drop"},
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert own.status_code == 201, own.data
    assert client.post("/__mock__/reset").status_code == 204  # curl -X POST, no body and no Content-Type
    assert client.post("/__mock__/clock/advance", json={"seconds": 60}).status_code == 200
    assert client.get("/__mock__/requests", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_with_an_admin_token_the_fault_header_needs_it_too(guarded: FlaskClient) -> None:
    token = guarded.post("/__mock__/tokens", json={}, headers={"X-Cudis-Mock-Admin": ADMIN}).json["access_token"]  # type: ignore[index]
    auth = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness", "X-Cudis-Mock-Fault": "status=503"}
    refused = guarded.get("/partner/v1/query/heart_beat", headers=auth)
    assert refused.status_code == 403 and refused.json["code"] == 40300  # type: ignore[index]
    assert "X-Cudis-Mock-Admin" in refused.json["msg"]  # type: ignore[index]
    allowed = guarded.get("/partner/v1/query/heart_beat", headers={**auth, "X-Cudis-Mock-Admin": ADMIN})
    assert allowed.status_code == 503


def test_without_an_admin_token_the_fault_header_works_as_before(client: FlaskClient) -> None:
    assert client.get("/partner/v1/query/heart_beat", headers={"X-Cudis-Mock-Fault": "status=503"}).status_code == 503


def test_a_dual_stack_mock_answers_its_own_ipv4_callers() -> None:
    # With --host ::, a caller on 127.0.0.1 arrives as ::ffff:127.0.0.1; before, it was refused as not loopback.
    with MockProcess.start("--host", "::") as served:
        port = served.port
        for base in (f"http://127.0.0.1:{port}", f"http://[::1]:{port}"):
            response = requests.post(f"{base}/__mock__/tokens", json={}, timeout=10)
            assert response.status_code == 201, (base, response.text)

"""Who reaches the control API: what a refused caller is told, and which paths the guard covers."""

from __future__ import annotations

import sys

import pytest
from flask.testing import FlaskClient

from mock_server import MockConfig, create_app

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


@pytest.mark.xfail(
    sys.version_info < (3, 13),
    strict=True,
    reason="is_loopback() is False for an IPv4-mapped address before Python 3.13, so a mock started with"
    " --host :: (dual-stack) refuses its own 127.0.0.1 callers, which arrive as ::ffff:127.0.0.1",
)
def test_an_ipv4_mapped_loopback_caller_is_loopback(client: FlaskClient) -> None:
    assert client.get("/__mock__/clock", environ_base={"REMOTE_ADDR": "::ffff:127.0.0.1"}).status_code == 200

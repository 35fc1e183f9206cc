"""The Host guard: a DNS-rebinding page (Host: evil.example) gets a 421 on every path, on IPv4 and IPv6."""

from __future__ import annotations

import socket

import pytest
import requests
from flask.testing import FlaskClient

from mock_server import MockConfig, create_app
from mock_server.http.host_guard import HostNames, host_name
from mock_server.pytest_plugin import ServedApp

EVIL = {"Host": "evil.example"}
PROBES = [
    ("GET", "/__mock__/users", None),
    ("POST", "/__mock__/tokens", {}),
    ("GET", "/__mock__/requests", None),
    ("GET", "/partner/v1/query/heart_beat", None),
    ("GET", "/oauth/authorize", None),
    ("GET", "/", None),
]


@pytest.mark.parametrize(
    ("header", "name"),
    [("LocalHost:8080", "localhost"), ("[::1]:9", "::1"), ("example.org.", "example.org"), ("127.0.0.1", "127.0.0.1")],
)
def test_a_host_header_is_judged_by_its_name(header: str, name: str) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize(
    "host",
    ["localhost", "localhost:8080", "app.localhost:3", "127.0.0.1:1", "127.9.9.9", "[::1]:80", "[::ffff:127.0.0.1]:5"],
)
def test_loopback_names_are_always_the_mocks(host: str) -> None:
    assert HostNames.parse("127.0.0.1", "").allows(host)


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost.evil", "10.0.0.1"]
)
def test_other_names_are_not(host: str) -> None:
    assert not HostNames.parse("127.0.0.1", "").allows(host)


def test_the_bind_host_and_the_allowed_hosts_are_the_mocks_too() -> None:
    names = HostNames.parse("192.0.2.7", "mock, .team.example")
    assert all(names.allows(h) for h in ("192.0.2.7:8080", "mock:80", "ci.team.example", "team.example"))
    assert not names.allows("evil.example") and not names.allows("team.example.evil")
    assert HostNames.parse("127.0.0.1", "*").allows("anything.example")


@pytest.mark.parametrize(("method", "path", "body"), PROBES)
def test_a_foreign_host_is_refused_on_every_path(client: FlaskClient, method: str, path: str, body: object) -> None:
    response = client.open(path, method=method, json=body, headers=EVIL)
    assert response.status_code == 421, response.data
    assert response.json["code"] == 42100 and "--allowed-hosts" in response.json["msg"]  # type: ignore[index]
    assert b"password" not in response.data


def test_a_refused_host_changes_nothing(client: FlaskClient) -> None:
    client.post("/__mock__/faults", json={"kind": "status", "status": 503}, headers=EVIL)
    client.post("/__mock__/clock/advance", json={"seconds": 86400}, headers=EVIL)
    assert client.get("/__mock__/faults").json == {"faults": []}
    assert client.get("/__mock__/clock").json["offset"] == 0  # type: ignore[index]


def test_a_name_given_with_allowed_hosts_is_answered() -> None:
    client = create_app(MockConfig(allowed_hosts="mock.internal")).test_client()
    assert client.get("/__mock__/clock", headers={"Host": "mock.internal:8080"}).status_code == 200
    assert client.get("/__mock__/clock", headers=EVIL).status_code == 421


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.parametrize("bind", ["127.0.0.1", "::1"])
def test_a_rebinding_page_gets_nothing_from_a_live_mock(bind: str) -> None:
    if bind == "::1" and not _ipv6_loopback():
        pytest.skip("this machine has no IPv6 loopback")
    with ServedApp(create_app(MockConfig(host=bind))) as server:
        for path in ("/__mock__/users", "/__mock__/requests"):
            refused = requests.get(server.base_url + path, headers=EVIL, timeout=10)
            assert refused.status_code == 421 and "password" not in refused.text
        minted = requests.post(server.base_url + "/__mock__/tokens", json={}, headers=EVIL, timeout=10)
        assert minted.status_code == 421 and "access_token" not in minted.text
        assert requests.get(server.base_url + "/__mock__/users", timeout=10).status_code == 200

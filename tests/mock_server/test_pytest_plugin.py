"""The pytest plugin, used as an app's tests use it: fixtures `cudis_mock` and `cudis_token`."""

from __future__ import annotations

import time

import pytest
import requests

from mock_server.pytest_plugin import CudisMock, CudisMockError

RANGE = {"startTime": 1726358400, "endTime": 1726704000}
DAY = 86400


def heart_beat(cudis_mock: CudisMock, token: str, **headers: str) -> requests.Response:
    return requests.get(
        f"{cudis_mock.base_url}/partner/v1/query/heart_beat",
        json=RANGE,
        headers={**cudis_mock.auth_headers(token), **headers},
        timeout=10,
    )


def test_the_token_fixture_works_against_the_live_mock(cudis_mock: CudisMock, cudis_token: str) -> None:
    assert cudis_mock.base_url.startswith("http://127.0.0.1:")
    assert heart_beat(cudis_mock, cudis_token).json()["code"] == 200


def test_each_test_starts_from_a_reset_mock(cudis_mock: CudisMock) -> None:
    assert cudis_mock.requests() == [] and cudis_mock.faults() == []
    assert cudis_mock.clock()["frozen"] is False


def test_mint_and_revoke(cudis_mock: CudisMock) -> None:
    token = cudis_mock.mint_token(user_id="athlete", client_id="local-dev")
    assert heart_beat(cudis_mock, token, **{"Cudis-Client-Id": "local-dev"}).json()["code"] == 200
    cudis_mock.revoke_token(token)
    assert heart_beat(cudis_mock, token, **{"Cudis-Client-Id": "local-dev"}).json()["code"] == 20007


def test_set_and_advance_the_clock(cudis_mock: CudisMock, cudis_token: str) -> None:
    assert cudis_mock.set_clock(1726704000)["now"] == 1726704000
    assert cudis_mock.advance_clock(DAY)["now"] == 1726704000 + DAY
    cudis_mock.set_clock(time.time(), frozen=False)
    cudis_mock.advance_clock(31 * DAY)
    assert heart_beat(cudis_mock, cudis_token).json()["code"] == 20007


def test_inject_list_remove_and_clear_faults(cudis_mock: CudisMock, cudis_token: str) -> None:
    fault = cudis_mock.inject_fault("status", status=503, times=1)
    cudis_mock.inject_fault("latency", ms=1)
    assert [f["id"] for f in cudis_mock.faults()] == [fault["id"], "f2"]
    assert heart_beat(cudis_mock, cudis_token).status_code == 503
    assert [f["kind"] for f in cudis_mock.faults()] == ["latency"]
    cudis_mock.remove_fault("f2")
    cudis_mock.inject_fault("rate_limit", retry_after=2)
    assert heart_beat(cudis_mock, cudis_token).headers["Retry-After"] == "2"
    cudis_mock.clear_faults()
    assert heart_beat(cudis_mock, cudis_token).json()["code"] == 200


def test_a_dropped_connection(cudis_mock: CudisMock, cudis_token: str) -> None:
    cudis_mock.inject_fault("drop", times=1)
    with pytest.raises(requests.ConnectionError):
        heart_beat(cudis_mock, cudis_token)
    assert heart_beat(cudis_mock, cudis_token).json()["code"] == 200
    dropped = cudis_mock.requests()[0]
    assert (dropped["status"], dropped["fault"]) == (None, "drop")


def test_a_dropped_request_is_journaled_before_the_connection_closes(
    cudis_mock: CudisMock, cudis_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client retries at once on another thread: the dropped attempt must already be in the journal."""
    from mock_server.context import mock_context
    from mock_server.http import fault_answers

    store = mock_context(cudis_mock.app).store
    seen_at_drop: list[list[str | None]] = []
    original = fault_answers._drop_connection

    def drop_and_look(req: object, sock: object) -> object:
        seen_at_drop.append([entry["fault"] for entry in store.journal()])
        return original(req, sock)  # type: ignore[arg-type]

    monkeypatch.setattr(fault_answers, "_drop_connection", drop_and_look)
    cudis_mock.inject_fault("drop", times=1)
    with pytest.raises(requests.ConnectionError):
        heart_beat(cudis_mock, cudis_token)
    assert seen_at_drop == [["drop"]]


def test_a_fault_by_header_and_a_malformed_body(cudis_mock: CudisMock, cudis_token: str) -> None:
    response = heart_beat(cudis_mock, cudis_token, **{"X-Cudis-Mock-Fault": "malformed"})
    with pytest.raises(requests.JSONDecodeError):
        response.json()
    cudis_mock.inject_fault("code", code=20007)
    assert heart_beat(cudis_mock, cudis_token).json()["code"] == 20007


def test_the_journal(cudis_mock: CudisMock, cudis_token: str) -> None:
    heart_beat(cudis_mock, cudis_token)
    (entry,) = cudis_mock.requests()
    assert entry["path"] == "/partner/v1/query/heart_beat" and entry["code"] == 200
    assert entry["headers"]["Authorization"] == f"Bearer {cudis_token[:4]}…"
    cudis_mock.clear_requests()
    assert cudis_mock.requests() == []


def test_users_clients_and_reset(cudis_mock: CudisMock, cudis_token: str) -> None:
    assert "typical" in {u["id"] for u in cudis_mock.users()}
    assert "cudis-wellness" in {c["id"] for c in cudis_mock.clients()}
    cudis_mock.reset()
    assert heart_beat(cudis_mock, cudis_token).json()["code"] == 20007


def test_a_refused_control_call_raises(cudis_mock: CudisMock) -> None:
    with pytest.raises(CudisMockError, match="Invalid kind"):
        cudis_mock.inject_fault("explode")


PLUGIN_TESTS = """
import requests
from mock_server.context import mock_context

RANGE = {"startTime": 1726358400, "endTime": 1726704000}

def query(cudis_mock, token):
    return requests.get(cudis_mock.base_url + "/partner/v1/query/heart_beat", json=RANGE,
                        headers=cudis_mock.auth_headers(token), timeout=10)

def test_an_exception_inside_the_mock(cudis_mock, cudis_token, monkeypatch):
    def explode(*args):
        raise RuntimeError("engine exploded")
    monkeypatch.setattr(mock_context(cudis_mock.app).engine, "answer_json", explode)
    assert query(cudis_mock, cudis_token).json()["code"] == 50000

def test_a_response_that_breaks_the_contract(cudis_mock, cudis_token, monkeypatch):
    monkeypatch.setattr(mock_context(cudis_mock.app).engine, "answer_json", lambda *a: '{"maximum": "high"}')
    query(cudis_mock, cudis_token)

def test_a_clean_test_passes(cudis_mock, cudis_token):
    assert query(cudis_mock, cudis_token).json()["code"] == 200
"""


def test_errors_inside_the_mock_fail_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=PLUGIN_TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*CudisMockError: the mock failed while the test ran:*",
            "*RuntimeError: engine exploded*",
            "*response broke the contract: queryHeartBeat: *",
        ]
    )

"""`cudis-mock serve --workers 2`: real gunicorn worker processes that share one state."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest
import requests
from urllib3.util import parse_url

from mock_server.cli import main

from ...servers import WORKER_ATTEMPTS, MockProcess, on_each_worker, worker

RANGE = {"startTime": 1726358400, "endTime": 1726704000}
DAY = 86400


def until(call: Callable[[], requests.Response], wanted: Callable[[int], bool]) -> requests.Response:
    """Repeat an idempotent `call` (a new connection each time) until a wanted worker answers it."""
    for _ in range(WORKER_ATTEMPTS):
        response = call()
        if wanted(worker(response)):
            return response
    raise AssertionError(f"no wanted worker answered in {WORKER_ATTEMPTS} attempts")


def query(mock: MockProcess, token: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    return requests.get(f"{mock.base_url}/partner/v1/query/heart_beat", json=RANGE, headers=headers, timeout=10)


def test_a_token_minted_through_one_worker_and_the_clock_moved_through_another_hold_on_both(
    mock: MockProcess,
) -> None:
    started = time.monotonic()
    assert "(2 workers, shared temporary state)" in mock.banner
    minted = requests.post(f"{mock.base_url}/__mock__/tokens", json={}, timeout=10)
    minter = worker(minted)
    token = minted.json()["access_token"]
    # PUT is idempotent, so repeating it until the other worker answers is harmless.
    moved_to = float(minted.json()["expires_at"]) - DAY
    clock = until(
        lambda: requests.put(f"{mock.base_url}/__mock__/clock", json={"now": moved_to}, timeout=10),
        lambda pid: pid != minter,
    )
    mover = worker(clock)
    both = {minter, mover}
    assert len(both) == 2

    clocks = on_each_worker(lambda: requests.get(f"{mock.base_url}/__mock__/clock", timeout=10), both)
    assert {pid: c.json()["now"] for pid, c in clocks.items()} == {minter: moved_to, mover: moved_to}
    answers = on_each_worker(lambda: query(mock, token), both)
    assert {pid: a.json()["code"] for pid, a in answers.items()} == {minter: 200, mover: 200}

    # Two days later by the shared clock, moved through one worker: the token has expired on both.
    advanced = requests.post(f"{mock.base_url}/__mock__/clock/advance", json={"seconds": 2 * DAY}, timeout=10)
    assert advanced.json()["now"] == moved_to + 2 * DAY
    answers = on_each_worker(lambda: query(mock, token), both)
    assert {pid: a.json()["code"] for pid, a in answers.items()} == {minter: 20007, mover: 20007}

    # The journal and the faults are shared too.
    requests.post(f"{mock.base_url}/__mock__/faults", json={"kind": "status", "status": 503}, timeout=10)
    answers = on_each_worker(lambda: query(mock, token), both)
    assert {a.json()["code"] for a in answers.values()} == {50300}
    journal = requests.get(f"{mock.base_url}/__mock__/requests", timeout=10).json()["requests"]
    assert {e["worker"] for e in journal} == both
    assert time.monotonic() - started < 20


def _read_all(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_connections_that_send_nothing_hold_no_worker_and_are_served_when_they_speak(mock: MockProcess) -> None:
    # A browser opens spare connections ahead of time. gunicorn's own sync worker would wait on
    # each until its 60-second timeout killed it: two such sockets stopped both workers.
    url = parse_url(mock.base_url)
    # Each connect returns once the connection is in the listening socket's queue, which is
    # first in, first out: a worker reaches the queries below only past these eight.
    idle = [socket.create_connection((url.host, url.port)) for _ in range(8)]
    try:
        answers = [query(mock, mock.token) for _ in range(10)]
        assert [a.json()["code"] for a in answers] == [200] * 10
        assert len({worker(a) for a in answers}) <= 2
        idle[0].sendall(b"GET /__mock__/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert _read_all(idle[0]).startswith(b"HTTP/1.1 200")
    finally:
        for sock in idle:
            sock.close()


def test_a_dropped_connection_fault_closes_the_socket_without_an_answer(mock: MockProcess) -> None:
    fault = {"kind": "drop", "endpoint": "/partner/v1/query/heart_beat", "times": 1}
    assert requests.post(f"{mock.base_url}/__mock__/faults", json=fault, timeout=10).status_code == 201
    url = parse_url(mock.base_url)
    with socket.create_connection((url.host, url.port)) as sock:
        body = b'{"startTime": 1726358400, "endTime": 1726704000}'
        sock.sendall(
            b"GET /partner/v1/query/heart_beat HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + mock.token.encode()
            + b"\r\nCudis-Client-Id: cudis-wellness\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        assert _read_all(sock) == b""
    assert query(mock, mock.token).json()["code"] == 200
    journal = requests.get(f"{mock.base_url}/__mock__/requests", timeout=10).json()["requests"]
    assert [(e["fault"] is not None, e["status"]) for e in journal] == [(True, None), (False, 200)]


def test_zero_workers_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--workers", "0"]) == 2
    assert "workers must be at least 1" in capsys.readouterr().err


def test_a_scenario_given_at_start_holds_on_every_worker_from_the_first_request() -> None:
    # The arbiter applies it once, before either worker has built its Flask app.
    with MockProcess.start("--workers", "2", "--scenario", "step-and-sleep-not-yet-available") as mock:
        headers = {"Authorization": f"Bearer {mock.token}", "Cudis-Client-Id": "cudis-wellness"}

        def ask(metric: str) -> Callable[[], requests.Response]:
            url = f"{mock.base_url}/partner/v1/query/{metric}"
            return lambda: requests.get(url, json=RANGE, headers=headers, timeout=10)

        steps = on_each_worker(ask("step"), 2)
        hearts = on_each_worker(ask("heart_beat"), 2)
    assert [answer.json()["code"] for answer in steps.values()] == [50100, 50100]
    assert [answer.json()["code"] for answer in hearts.values()] == [200, 200]

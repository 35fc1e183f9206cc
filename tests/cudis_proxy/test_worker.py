"""The worker of `cudis-mock proxy --workers N` waits for the upstream in its selector: a query the upstream
holds does not hold up other connections, a connection's answers still go out in order, and an idle
upstream connection the upstream closed is replaced."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import requests
from flask import Flask, Response, request

from ..servers import in_thread
from .conftest import journal, last_days, proxy_workers
from .test_plain_http import BODY, _answer, scripted

HELD = 3
"""Queries the upstream holds at once: more than the proxy's two workers."""


class _Holding:
    """An upstream that holds each query sent with `X-Hold` until released, and says how many it holds."""

    def __init__(self) -> None:
        self.arrived = threading.Condition()
        self.held = 0
        self.release = threading.Event()
        self.app = Flask(__name__)
        self.app.add_url_rule("/partner/v1/query/<metric>", view_func=self._query)

    def _query(self, metric: str) -> Response:
        if request.headers.get("X-Hold"):
            with self.arrived:
                self.held += 1
                self.arrived.notify_all()
            self.release.wait(30)
        body = {"code": 200, "msg": "success", "data": {"n": request.headers.get("X-N", "")}}
        return Response(json.dumps(body), mimetype="application/json")

    def wait_held(self, count: int) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: self.held >= count, timeout=20)


def _query(proxy: str, headers: dict[str, str]) -> requests.Response:
    sent = {"Authorization": "Bearer " + "T" * 32, "Cudis-Client-Id": "cudis-wellness", **headers}
    return requests.get(f"{proxy}/partner/v1/query/step", json=last_days(3), headers=sent, timeout=30)


@contextmanager
def _holding() -> Iterator[tuple[_Holding, str]]:
    upstream = _Holding()
    try:
        with in_thread(upstream.app) as url:
            yield upstream, url
    finally:
        upstream.release.set()


def test_queries_the_upstream_holds_do_not_hold_up_another_connection() -> None:
    with _holding() as (upstream, url), proxy_workers(url) as proxy, ThreadPoolExecutor(HELD) as pool:
        held = [pool.submit(_query, proxy, {"X-Hold": "1"}) for _ in range(HELD)]
        # One worker answering one request at a time would have sent the upstream two of them at most.
        assert upstream.wait_held(HELD), f"the upstream got {upstream.held} of {HELD} queries"
        answer = _query(proxy, {})
        assert answer.status_code == 200 and answer.json()["data"] == {"n": ""}
        assert not any(future.done() for future in held)
        upstream.release.set()
        assert all(future.result().json()["code"] == 200 for future in held)
        assert len(journal(proxy)) == HELD + 1


def _workers_of(upstream: str) -> list[int]:
    """The worker processes of the proxy in front of `upstream` (forked from the arbiter: its command line)."""

    def cmdline(pid: str) -> bytes:
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return b""

    def parent(pid: str) -> str:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1]
        except (OSError, IndexError):
            return ""

    ours = {pid for pid in os.listdir("/proc") if pid.isdigit() and upstream.encode() in cmdline(pid)}
    return [int(pid) for pid in ours if parent(pid) in ours]


def _delivered(pid: int, signum: int) -> bool:
    """The signal is no longer pending for the process: its handler has run or is about to."""
    status = Path(f"/proc/{pid}/status").read_text()
    pending = [int(line.split()[1], 16) for line in status.splitlines() if line.startswith(("SigPnd:", "ShdPnd:"))]
    return not any(mask & (1 << (signum - 1)) for mask in pending)


def test_a_worker_told_to_stop_answers_the_queries_at_the_upstream_first() -> None:
    with _holding() as (upstream, url), proxy_workers(url) as proxy, ThreadPoolExecutor(1) as pool:
        held = pool.submit(_query, proxy, {"X-Hold": "1"})
        assert upstream.wait_held(1)
        workers = _workers_of(url)
        assert workers
        for pid in workers:  # as the arbiter does on SIGTERM: each worker finishes and exits
            os.kill(pid, signal.SIGTERM)
        for pid in workers:
            while not _delivered(pid, signal.SIGTERM):
                time.sleep(0.01)
        upstream.release.set()
        answer = held.result()
        assert answer.status_code == 200 and answer.json()["code"] == 200


def test_answers_on_one_connection_go_out_in_the_order_of_its_requests() -> None:
    body = json.dumps(last_days(3)).encode()

    def raw(n: int, hold: bool) -> bytes:
        return (
            b"GET /partner/v1/query/step HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
            b"Cudis-Client-Id: cudis-wellness\r\nContent-Type: application/json\r\nX-N: %d\r\n%s"
            b"Content-Length: %d\r\n\r\n%s" % (b"T" * 32, n, b"X-Hold: 1\r\n" if hold else b"", len(body), body)
        )

    with _holding() as (upstream, url), proxy_workers(url) as proxy:
        address = urlsplit(proxy)
        with socket.create_connection((address.hostname, address.port), timeout=20) as sock:
            sock.sendall(raw(1, hold=True) + raw(2, hold=False))  # pipelined: the first one held
            assert upstream.wait_held(1)
            upstream.release.set()
            received = b""
            while received.count(b'"n": ') < 2:
                data = sock.recv(65536)
                assert data, received
                received += data
    first, second = received.index(b'"n": "1"'), received.index(b'"n": "2"')
    assert received.startswith(b"HTTP/1.1 200") and first < second


def test_an_idle_upstream_connection_the_upstream_closed_is_replaced() -> None:
    # Each answer without `Connection: close`, its connection closed right after: the proxy keeps it, and
    # finds it closed (in its selector while idle, or when it sends the next query on it).
    with (
        scripted([_answer()] * 4, close_after_each=True) as (client, accepted),
        proxy_workers(f"http://127.0.0.1:{client.address[1]}") as proxy,
    ):
        answers = [_query(proxy, {}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200] * 4 and all(a.content == BODY for a in answers)
    assert len(accepted) == 4

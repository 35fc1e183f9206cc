"""Upstream down, slow or answering garbage: the app gets a clear envelope, the journal an entry, and the proxy
keeps serving; the same from the proxy in a thread and from its `--workers` (whose worker waits for the
upstream in its selector, worker.py)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, Response

from ..servers import in_thread
from .conftest import journal, last_days, proxy_served, query


@pytest.fixture(params=[1, 2], ids=["threads", "workers"])
def workers(request: pytest.FixtureRequest) -> int:
    workers: int = request.param
    return workers


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _upstream(answer: Response | None = None, delay: float = 0.0) -> Flask:
    app = Flask(__name__)

    @app.route("/partner/v1/query/<metric>")
    def _query(metric: str) -> Response:
        time.sleep(delay)
        return answer or Response(b'{"code":200,"msg":"success","data":{}}', mimetype="application/json")

    return app


@contextmanager
def _babbler() -> Iterator[str]:
    """A TCP server that answers every connection with bytes that are not HTTP."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"\x00\x01garbage, not HTTP\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        server.close()
        thread.join(5)


def _failed(proxy: str, words: str) -> dict[str, object]:
    """Query through the proxy; assert the upstream-failure envelope; its journal entry."""
    started = time.monotonic()
    answer = query(proxy, "heart_beat", last_days(3), "T" * 32, "cudis-wellness")
    assert time.monotonic() - started < 5
    assert answer.status_code == 502
    envelope = answer.json()
    assert envelope["code"] == 50200 and envelope["data"] is None
    assert envelope["msg"].startswith("Upstream failed: ") and words in envelope["msg"], envelope["msg"]
    assert answer.headers["X-Cudis-Contract"].startswith("fail; ")
    entry = journal(proxy)[-1]
    assert entry["status"] == 502 and entry["code"] == 50200 and words in str(entry["upstream_failure"])
    assert "T" * 32 not in str(entry)
    return entry


def test_an_upstream_that_is_down(workers: int) -> None:
    with proxy_served(f"http://127.0.0.1:{_closed_port()}", workers) as proxy:
        entry = _failed(proxy, "cannot connect")
        assert entry["verdict"] == "fail; transport" and entry["upstream_status"] is None
        _failed(proxy, "cannot connect")  # and again: the proxy still serves
        assert len(journal(proxy)) == 2


def test_an_upstream_slower_than_the_timeout(workers: int) -> None:
    with in_thread(_upstream(delay=1.5)) as slow, proxy_served(slow, workers, upstream_timeout=0.3) as proxy:
        entry = _failed(proxy, "no answer within 0.3 s")
        assert entry["verdict"] == "fail; transport"


def test_an_upstream_answering_html(workers: int) -> None:
    html = Response(b"<html><body>502 Bad Gateway</body></html>", status=200, mimetype="text/html")
    with in_thread(_upstream(html)) as broken, proxy_served(broken, workers) as proxy:
        entry = _failed(proxy, "not JSON: '<html><body>502 Bad Gateway")
        assert entry["upstream_status"] == 200 and entry["verdict"].startswith("fail; ")


def test_an_upstream_answering_bytes_that_are_not_http(workers: int) -> None:
    with _babbler() as babbler, proxy_served(babbler, workers) as proxy:
        _failed(proxy, "")


def test_the_same_proxy_serves_on_once_the_upstream_recovers(workers: int) -> None:
    slow = threading.Event()
    slow.set()
    app = Flask(__name__)

    @app.route("/partner/v1/query/<metric>")
    def _query(metric: str) -> Response:
        if slow.is_set():
            time.sleep(1.0)
        return Response(
            b'{"code":20007,"msg":"Session expired. Please sign in again","data":null}', mimetype="application/json"
        )

    with in_thread(app) as flaky, proxy_served(flaky, workers, upstream_timeout=0.2) as proxy:
        for _ in range(3):
            _failed(proxy, "no answer within 0.2 s")
        slow.clear()
        answer = query(proxy, "step", last_days(3), "T" * 32, "cudis-wellness")
        assert answer.status_code == 200 and answer.json()["code"] == 20007
        assert answer.headers["X-Cudis-Contract"] == "pass"
        assert [e["status"] for e in journal(proxy)] == [502, 502, 502, 200]


def test_an_upstream_whose_tls_fails(workers: int) -> None:
    # https:// to a server that speaks plain HTTP: the TLS handshake fails.
    with in_thread(_upstream()) as plain, proxy_served(plain.replace("http://", "https://"), workers) as proxy:
        entry = _failed(proxy, "TLS failed")
        assert entry["verdict"] == "fail; transport"

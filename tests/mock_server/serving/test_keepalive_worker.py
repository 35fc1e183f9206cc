"""`cudis-mock serve --workers 2` over raw sockets: connections kept alive, and clients that trickle,
stall or idle never take the workers from everyone else."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from mock_server.serving import keepalive_worker

from ...servers import MockProcess

BODY = b'{"startTime": 1726358400, "endTime": 1726704000}'


def query(mock: MockProcess, metric: str = "heart_beat", extra: bytes = b"") -> bytes:
    return (
        b"GET /partner/v1/query/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
        b"Cudis-Client-Id: cudis-wellness\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n%s"
        % (metric.encode(), mock.token.encode(), extra, len(BODY), BODY)
    )


class Client:
    """One connection; reads answers by their Content-Length."""

    def __init__(self, mock: MockProcess) -> None:
        self.sock = socket.create_connection((mock.host, mock.port), timeout=10)
        self.buf = b""

    def answer(self) -> tuple[bytes, bytes]:
        """The next answer's head and body."""
        while b"\r\n\r\n" not in self.buf:
            self._more()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        length = int(next(v for k, _, v in (h.partition(b": ") for h in head.split(b"\r\n")) if k == b"Content-Length"))
        while len(self.buf) < length:
            self._more()
        body, self.buf = self.buf[:length], self.buf[length:]
        return head, body

    def closed(self) -> bool:
        """Whether the server closes the connection with nothing more sent."""
        while chunk := self.sock.recv(65536):
            self.buf += chunk
        return self.buf == b""

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed; unread {self.buf[:200]!r}")
        self.buf += chunk


def test_one_connection_carries_many_queries_and_pipelined_ones_come_back_in_order(mock: MockProcess) -> None:
    client = Client(mock)
    with client.sock:
        for metric in ["heart_beat", "step", "sleep"] * 10:
            client.sock.sendall(query(mock, metric))
            head, body = client.answer()
            assert head.startswith(b"HTTP/1.1 200 OK") and b"Connection: close" not in head
            assert body.startswith(b'{"code":200,')
        client.sock.sendall(query(mock, "step") + query(mock, "sleep") + b"GET /__mock__/clock HTTP/1.1\r\n\r\n")
        answers = [client.answer() for _ in range(3)]
        assert [head.split(b"\r\n")[0] for head, _ in answers] == [b"HTTP/1.1 200 OK"] * 3
        assert answers[0][1] != answers[1][1]
        assert b'"now"' in answers[2][1]
    journal = requests.get(f"{mock.base_url}/__mock__/requests", timeout=10).json()["requests"]
    assert [e["path"].rsplit("/", 1)[1] for e in journal][-2:] == ["step", "sleep"]
    assert len(journal) == 32


def test_http_1_0_and_connection_close_end_the_connection_after_the_answer(mock: MockProcess) -> None:
    for extra, request in (
        (b"Connection: close\r\n", None),
        (b"", b"GET /__mock__/clock HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"),
    ):
        client = Client(mock)
        with client.sock:
            client.sock.sendall(request or query(mock, extra=extra))
            head, _ = client.answer()
            assert head.startswith(b"HTTP/1.") and b" 200 " in head.split(b"\r\n")[0]
            assert client.closed()


def test_a_chunked_body_is_read_by_gunicorns_parser_and_answered(mock: MockProcess) -> None:
    client = Client(mock)
    with client.sock:
        head = query(mock).split(b"Content-Length")[0]
        chunks = b"%x\r\n%s\r\n0\r\n\r\n" % (len(BODY), BODY)
        client.sock.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n" + chunks)
        status, body = client.answer()
        assert status.startswith(b"HTTP/1.1 200") and body.startswith(b'{"code":200,')


def test_a_declared_body_over_the_limit_is_refused_without_waiting_for_it(mock: MockProcess) -> None:
    client = Client(mock)
    with client.sock:
        client.sock.sendall(query(mock).split(b"Content-Length")[0] + b"Content-Length: 10000000\r\n\r\n{")
        head, body = client.answer()
        assert head.startswith(b"HTTP/1.1 413") and b'"code"' in body
        assert client.closed()


def test_a_drop_fault_closes_a_kept_alive_connection_after_the_answers_before_it(mock: MockProcess) -> None:
    fault = {"kind": "drop", "endpoint": "/partner/v1/query/step", "times": 1}
    assert requests.post(f"{mock.base_url}/__mock__/faults", json=fault, timeout=10).status_code == 201
    client = Client(mock)
    with client.sock:
        client.sock.sendall(query(mock, "heart_beat"))
        assert client.answer()[0].startswith(b"HTTP/1.1 200")
        client.sock.sendall(query(mock, "step"))
        assert client.closed()  # no status line: the connection just ends


def _trickle(sock: socket.socket, data: bytes, every: float, stop: threading.Event) -> None:
    for byte in data:
        if stop.wait(every):
            return
        try:
            sock.send(bytes([byte]))
        except OSError:
            return


def test_slow_and_idle_clients_hold_no_worker(mock: MockProcess) -> None:
    # Two workers. Each trickling client sends a byte every 0.2 s and would need minutes for its
    # head; before this worker, two of them stopped every other request for a minute.
    stop = threading.Event()
    slow = [socket.create_connection((mock.host, mock.port), timeout=10) for _ in range(30)]
    idle = [Client(mock) for _ in range(50)]
    threads = [threading.Thread(target=_trickle, args=(s, query(mock), 0.2, stop), daemon=True) for s in slow]
    try:
        for client in idle:
            client.sock.sendall(query(mock))
            assert client.answer()[0].startswith(b"HTTP/1.1 200")
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # every slow client has begun its request
        session = requests.Session()
        for _ in range(40):
            started = time.monotonic()
            answer = session.get(
                f"{mock.base_url}/partner/v1/query/heart_beat",
                data=BODY,
                headers={"Authorization": f"Bearer {mock.token}", "Cudis-Client-Id": "cudis-wellness"},
                timeout=5,
            )
            assert answer.json()["code"] == 200
            assert time.monotonic() - started < 2.0  # milliseconds, unless the machine is very busy
        for client in idle:  # the idle connections are still open and still served
            client.sock.sendall(query(mock, "sleep"))
            assert client.answer()[0].startswith(b"HTTP/1.1 200")
    finally:
        stop.set()
        for sock in slow + [c.sock for c in idle]:
            sock.close()


@pytest.mark.slow
def test_a_request_that_trickles_is_cut_off_at_the_bound_on_the_whole_request(mock: MockProcess) -> None:
    # A byte every 0.5 s never leaves a read waiting long: only a bound on the whole request ends it.
    bound = keepalive_worker.REQUEST_SECONDS
    stop = threading.Event()
    sock = socket.create_connection((mock.host, mock.port), timeout=bound + 20)
    thread = threading.Thread(target=_trickle, args=(sock, query(mock), 0.5, stop), daemon=True)
    started = time.monotonic()
    thread.start()
    try:
        assert sock.recv(1) == b""  # closed, no answer
        elapsed = time.monotonic() - started
        assert bound - 1 <= elapsed <= bound + 10
    finally:
        stop.set()
        sock.close()


def test_a_connection_is_closed_after_its_share_of_answers_saying_so(mock: MockProcess) -> None:
    # So that a client reconnects and the less busy worker takes it (keep-alive connections stick).
    limit = keepalive_worker.REQUESTS_PER_CONNECTION
    client = Client(mock)
    with client.sock:
        heads = []
        for _ in range(limit):
            client.sock.sendall(b"GET /__mock__/clock HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            heads.append(client.answer()[0])
        assert [b"Connection: close" in head for head in heads] == [False] * (limit - 1) + [True]
        assert all(head.startswith(b"HTTP/1.1 200") for head in heads)
        assert client.closed()


def test_a_client_library_on_a_kept_alive_connection_sees_a_drop_as_a_dropped_connection(mock: MockProcess) -> None:
    # requests (urllib3) reuses the pooled connection and does not retry a read that got nothing:
    # the drop reaches the caller as before, when every request had a connection of its own.
    fault = {"kind": "drop", "endpoint": "/partner/v1/query/sleep", "times": 1}
    assert requests.post(f"{mock.base_url}/__mock__/faults", json=fault, timeout=10).status_code == 201
    headers = {"Authorization": f"Bearer {mock.token}", "Cudis-Client-Id": "cudis-wellness"}
    with requests.Session() as session:
        url = f"{mock.base_url}/partner/v1/query"
        assert session.get(f"{url}/step", data=BODY, headers=headers, timeout=10).json()["code"] == 200
        with pytest.raises(requests.ConnectionError):
            session.get(f"{url}/sleep", data=BODY, headers=headers, timeout=10)
        assert session.get(f"{url}/sleep", data=BODY, headers=headers, timeout=10).json()["code"] == 200

"""The worker of `cudis-mock proxy --workers N`: the mock's keep-alive worker, waiting for the upstream in its selector.

The mock's worker answers one request at a time, right for the mock, whose work is CPU. A proxied
query is mostly a wait for the upstream, so this worker sends the query, goes on reading,
forwarding and answering other connections, and finishes the query (verdict, journal, answer) when
the upstream's answer is whole. A connection's next request waits until its answer is sent: answers
go out in order. Whatever else comes (HEAD, the journal, an https upstream, a request only gunicorn's
parser reads) is answered as the mock's worker answers it, waiting for the upstream in the call.

Connections to a plain-http upstream are kept alive and stay in the selector while open: an idle one
that turns readable was closed by the upstream (or sent something unasked) and is closed. A
connection reused from the idle ones that closes before any byte of the answer is replaced once, as
plain_http.PlainHttp does. Connecting is a blocking call (`--upstream-timeout` bounds it); an upstream
silent for `--upstream-timeout` while the answer is under way gets the app the same 502 as without
workers, and a journal entry.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import time

from flask import Flask

from mock_server.serving import http1
from mock_server.serving.keepalive_worker import KeepAliveWorker, _Connection

from .app import Forwarding, query_front
from .plain_http import CLOSED_UNANSWERED, Answer, Broke, ClosedEarly, PlainHttp, answer_in

_RECV = 256 * 1024


class _Link:
    """One kept-alive connection to the upstream, and the query it carries (None while idle)."""

    __slots__ = ("buf", "call", "out", "sock", "worker")

    def __init__(self, sock: socket.socket, worker: ProxyWorker) -> None:
        self.sock = sock
        self.worker = worker
        self.buf = bytearray()
        self.out = b""
        """What is still to be sent of the request (a large body the socket did not take at once)."""
        self.call: _Call | None = None

    def __call__(self) -> None:
        """The selector's event on the socket."""
        try:
            self.worker._on_link(self)
        except Exception:
            self.worker.log.exception("proxy worker: the upstream connection failed")
            call = self.call
            self.worker._drop(self)
            if call is not None:
                self.worker._close(call.connection)


class _Call:
    """A query under way at the upstream."""

    __slots__ = ("connection", "deadline", "forwarding", "raw", "request", "reused")

    def __init__(self, connection: _Connection, request: http1.Request, forwarding: Forwarding, raw: bytes) -> None:
        self.connection = connection
        self.request = request
        self.forwarding = forwarding
        self.raw = raw
        self.reused = False
        """Sent on a connection taken from the idle ones (replaced once if it turns out closed)."""
        self.deadline = 0.0
        """When the upstream has been silent for too long."""


class ProxyWorker(KeepAliveWorker):
    """The keep-alive worker with any number of queries at the upstream at once."""

    @property
    def alive(self) -> bool:
        """Until told to stop, and then until the queries at the upstream are answered (the mock's worker,
        too, finishes the request it is on); the arbiter's graceful timeout bounds that."""
        return self._alive or bool(getattr(self, "calls", None))

    @alive.setter
    def alive(self, value: bool) -> None:
        self._alive = value

    def run(self) -> None:
        app: Flask = self.wsgi
        self.front = query_front(app)
        self.plain: PlainHttp | None = self.front.proxy.upstream.plain
        self.idle: list[_Link] = []
        self.calls: dict[_Link, _Call] = {}
        try:
            super().run()
        finally:
            for link in [*self.idle, *self.calls]:
                link.sock.close()

    def _answer(self, sock: socket.socket, request: http1.Request) -> bool:
        if not self._alive:
            return False  # stopping: a request behind the ones under way is not begun (as the mock's worker)
        begun = self.front.begin(request.environ) if self.plain is not None else None
        if begun is None:
            return super()._answer(sock, request)
        self._count_request()
        if not isinstance(begun, Forwarding):
            return self._send(sock, request, begun)
        assert self.plain is not None
        out = begun.outgoing
        call = _Call(
            self.connections[sock], request, begun, self.plain.encode(out.method, out.target, out.headers, out.body)
        )
        try:
            self._start(call)
        except Broke as exc:
            return self._send(sock, request, self.front.finish(begun, out.exchange(str(exc))))
        call.connection.waiting = True
        return True

    def _start(self, call: _Call) -> None:
        """Send `call` on an idle connection or a new one; Broke when no connection takes it."""
        assert self.plain is not None
        while self.idle:
            link = self.idle.pop()
            call.reused = True
            if self._send_on(link, call):
                return
        call.reused = False
        link = self._connect()
        if not self._send_on(link, call):
            raise Broke(CLOSED_UNANSWERED)

    def _connect(self) -> _Link:
        assert self.plain is not None
        sock = self.plain.connect()
        sock.setblocking(False)
        link = _Link(sock, self)
        self.selector.register(sock, selectors.EVENT_READ, link)
        return link

    def _send_on(self, link: _Link, call: _Call) -> bool:
        """Start sending `call` on `link`; False (the link closed) when the upstream had closed it."""
        assert self.plain is not None
        try:
            sent = link.sock.send(call.raw)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._drop(link)
            return False
        link.call = call
        self.calls[link] = call
        call.deadline = time.monotonic() + self.plain.timeout
        if sent < len(call.raw):
            link.out = call.raw[sent:]
            self.selector.modify(link.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, link)
        return True

    def _on_link(self, link: _Link) -> None:
        assert self.plain is not None
        call = link.call
        if call is None:  # idle: closed by the upstream, or something unasked came
            self.idle.remove(link)
            self._drop(link)
            return
        if link.out:
            try:
                sent = link.sock.send(link.out)
            except BlockingIOError:
                sent = 0
            except OSError as exc:
                self._failed(link, call, exc)
                return
            link.out = link.out[sent:]
            if not link.out:
                self.selector.modify(link.sock, selectors.EVENT_READ, link)
        try:
            data = link.sock.recv(_RECV)
        except BlockingIOError:
            return
        except OSError as exc:
            self._failed(link, call, exc)
            return
        link.buf += data
        try:
            found = answer_in(link.buf, call.forwarding.outgoing.method, self.plain.heads, closed=not data)
        except ClosedEarly:
            self._failed(link, call, None)
            return
        except Broke as exc:
            self._drop(link)
            self._finish(call, str(exc))
            return
        if found is None:
            call.deadline = time.monotonic() + self.plain.timeout
            return
        answer, keep, used = found
        del link.buf[:used]
        del self.calls[link]
        link.call = None
        if keep and not link.buf and not link.out:
            self.idle.append(link)
        else:
            self._drop(link)
        self._finish(call, answer)

    def _failed(self, link: _Link, call: _Call, error: OSError | None) -> None:
        """The link broke under `call` (`error`; None: closed before any byte of the answer)."""
        unanswered = error is None or (isinstance(error, (BrokenPipeError, ConnectionResetError)) and not link.buf)
        self._drop(link)
        if unanswered and call.reused:
            try:
                self._start(call)
            except Broke as exc:
                self._finish(call, str(exc))
            return
        self._finish(call, CLOSED_UNANSWERED if unanswered else f"the connection broke mid-answer: {error}")

    def _drop(self, link: _Link) -> None:
        if link.call is not None:
            self.calls.pop(link, None)
            link.call = None
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(link.sock)
        link.sock.close()

    def _finish(self, call: _Call, got: Answer | str) -> None:
        """Answer the app with what the upstream gave (or why not), then go on with its connection."""
        forwarding = call.forwarding
        response = self.front.finish(forwarding, forwarding.outgoing.exchange(got))
        connection = call.connection
        if self.connections.get(connection.sock) is not connection:
            return  # the app left meanwhile; the exchange is journalled all the same
        try:
            keep = self._send(connection.sock, call.request, response)
        except OSError:
            self._close(connection)
            return
        self.resume(connection, keep)

    def _due(self, now: float, tick: float) -> float:
        """Queries the upstream left silent for `--upstream-timeout` are answered so; the wait until the next."""
        if not self.calls or self.plain is None:
            return tick
        for link, call in [(link, call) for link, call in self.calls.items() if now >= call.deadline]:
            self._drop(link)
            self._finish(call, self.plain.no_answer)
        return max(0.0, min([tick, *(call.deadline - now for call in self.calls.values())]))

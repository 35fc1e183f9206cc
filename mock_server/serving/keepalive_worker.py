"""The gunicorn worker of `--workers`: one thread, connections kept alive, requests read whole first.

Every connection waits in one selector. A worker reads whatever a client sends into that
connection's buffer without blocking, and calls the app only once a whole request (head and body,
framing.py) is there, so a client that trickles its request, or sends nothing, costs the worker a
buffer and never its time: it goes on answering everyone else. A request must arrive whole within
`REQUEST_SECONDS` of its first byte, however it trickles; an open connection with no request under
way is closed after `IDLE_SECONDS`. A worker holds at most gunicorn's `worker_connections`; past
that, the connection silent the longest is closed to make room.

The request is parsed by gunicorn's parser and answered by gunicorn's response, with the client's
socket (blocking, `WRITE_SECONDS` for the whole answer) as `gunicorn.socket` in the environ: the
`drop` fault shuts it down and the client sees the connection close with no status line. The app is
called in the worker's only thread: the mock's work is CPU-bound, so threads would only queue on
the GIL. With keep-alive, the connection-level cost of a request (connect, accept, close) is paid
once per connection instead of once per request.
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formatdate
from typing import Any

from gunicorn import http, util
from gunicorn.http import wsgi
from gunicorn.workers.base import Worker

from . import http1
from .bounds import IDLE_SECONDS, REQUEST_SECONDS, WRITE_SECONDS
from .framing import HEAD_END, Extent, request_extent

REQUESTS_PER_CONNECTION = 100
"""Answers on one connection before the worker closes it (saying so: `Connection: close`). Connections
stick to the worker that accepted them, and the cores a worker gets vary (the load generator, other
processes): without this, a worker left with most connections and less CPU set everyone's p99. A
client that reconnects is accepted by whichever worker reaches the listener first, the less busy one."""
MAX_HEAD = 64 * 1024
"""The longest head buffered; a longer one goes to gunicorn's parser, which refuses it."""
MAX_BODY = 1024 * 1024
"""The longest body buffered when the app does not say (Flask's MAX_CONTENT_LENGTH)."""
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"

__all__ = ["IDLE_SECONDS", "REQUEST_SECONDS", "WRITE_SECONDS", "KeepAliveWorker"]


@dataclass(eq=False)
class _Connection:
    sock: socket.socket
    address: Any
    server: Any
    seen: float
    """When the client last sent something (or connected)."""
    started: float | None = None
    """When the first byte of the request under way came; None between requests."""
    environ: dict[str, Any] = field(default_factory=dict)
    """What the environ of every request on this connection shares."""
    buf: bytearray = field(default_factory=bytearray)
    continued: bool = False
    """`100 Continue` was sent for the request under way."""
    answered: int = 0
    waiting: bool = False
    """A subclass answers the request under way later (`resume`); the requests behind it wait in `buf`."""


class KeepAliveWorker(Worker):  # type: ignore[misc]
    """Answers one request at a time; reads every connection's requests as they come."""

    def init_process(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.connections: dict[socket.socket, _Connection] = {}
        self.fast = not self.cfg.accesslog  # the plain path writes no access log: gunicorn's does
        self._date = (0, "")
        self.heads: http1.HeadMemo = {}
        super().init_process()

    def run(self) -> None:
        for listener in self.sockets:
            listener.setblocking(False)
            self.selector.register(listener, selectors.EVENT_READ, listener)
        self.selector.register(self.PIPE[0], selectors.EVENT_READ, None)
        self.max_body = int(getattr(self.wsgi, "config", {}).get("MAX_CONTENT_LENGTH") or MAX_BODY)
        tick = min(self.timeout / 2 if self.timeout else 1.0, 1.0)  # notify the arbiter this often
        next_sweep = next_notify = 0.0
        try:
            while self.alive:
                now = time.monotonic()
                if now >= next_notify:  # a syscall (utime): not once per request, the arbiter's timeout is 60 s
                    self.notify()
                    next_notify = now + tick / 2
                if now >= next_sweep:
                    if not self._parent_alive():
                        return
                    self._close_expired(now)
                    next_sweep = now + min(tick, 0.5)
                try:
                    events = self.selector.select(self._due(now, tick))
                except OSError:  # the listeners closed under us: the worker is stopping
                    return
                for key, _ in events:
                    if not self.alive:
                        return
                    if isinstance(key.data, _Connection):
                        self._read(key.data)
                    elif key.data is None:
                        with contextlib.suppress(BlockingIOError):
                            os.read(self.PIPE[0], 512)
                    elif callable(key.data):  # a subclass's own socket
                        key.data()
                    else:
                        self._accept(key.data)
        finally:
            for connection in list(self.connections.values()):
                self._close(connection)
            self.selector.close()

    def _due(self, _now: float, tick: float) -> float:
        """Do what a subclass has due at `_now`; how long the selector may wait (at most `tick`)."""
        return tick

    def _parent_alive(self) -> bool:
        return bool(self.ppid == os.getppid())

    def _accept(self, listener: Any) -> None:
        try:
            client, address = listener.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return  # another worker took it
        util.close_on_exec(client)
        # Reads happen only when the selector says there is data; the timeout bounds sendall.
        client.settimeout(WRITE_SECONDS)
        with contextlib.suppress(OSError):  # not on a Unix socket
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if len(self.connections) >= self.cfg.worker_connections:
            self._close(min(self.connections.values(), key=lambda c: c.seen))
        server = listener.getsockname()
        connection = _Connection(client, address, server, time.monotonic())
        connection.environ = http1.base_environ(server, address)
        connection.environ["gunicorn.socket"] = client
        self.connections[client] = connection
        self.selector.register(client, selectors.EVENT_READ, connection)

    def _read(self, connection: _Connection) -> None:
        try:
            data = connection.sock.recv(256 * 1024)
        except (BlockingIOError, InterruptedError, TimeoutError):
            return
        except OSError:
            self._close(connection)
            return
        if not data:
            self._close(connection)
            return
        now = time.monotonic()
        connection.seen = now
        if connection.started is None:
            connection.started = now
        connection.buf += data
        self._serve(connection)

    def _serve(self, connection: _Connection) -> None:
        """Answer the whole requests in the connection's buffer, in order."""
        while connection.buf and self.alive and not connection.waiting:
            found = request_extent(connection.buf, MAX_HEAD, self.max_body)
            if not isinstance(found, Extent):
                if found.expects_continue and not connection.continued:
                    connection.continued = True
                    with contextlib.suppress(OSError):
                        connection.sock.send(_CONTINUE)
                return
            raw = bytes(connection.buf[: found.length])
            del connection.buf[: found.length]
            connection.answered += 1
            last = found.close_after or connection.answered >= REQUESTS_PER_CONNECTION
            keep = self._handle(connection, raw, last) and not last
            if connection.waiting:
                connection.started = None
                return
            if not keep:
                self._close(connection)
                return
            connection.continued = False
            connection.started = time.monotonic() if connection.buf else None

    def resume(self, connection: _Connection, keep: bool) -> None:
        """The answer a subclass kept `waiting` was sent: close the connection, or go on with its requests."""
        connection.waiting = False
        if not keep or not self.alive:
            self._close(connection)
            return
        connection.continued = False
        connection.started = time.monotonic() if connection.buf else None
        self._serve(connection)

    def _handle(self, connection: _Connection, raw: bytes, last: bool) -> bool:
        """Parse and answer one whole request (`last`: tell the client the connection closes after
        it); whether the connection may serve another."""
        sock = connection.sock
        req = None
        try:
            if self.fast:
                request = http1.parse(raw, raw.find(HEAD_END), connection.environ, self.heads)
                if request is not None:
                    request.keep_alive = request.keep_alive and not last
                    return self._answer(sock, request)
            parser = http.get_parser(self.cfg, [raw], connection.address)
            req = next(parser)
            if connection.continued:
                req._expected_100_continue = False
            return self._respond(connection, req, last)
        except http.errors.NoMoreData:
            return False
        except StopIteration:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN, errno.EBADF, None):
                self.log.exception("Socket error processing request.")
            return False
        except Exception as exc:
            with contextlib.suppress(OSError):
                self.handle_error(req, sock, connection.address, exc)
            return False

    def _count_request(self) -> None:
        self.nr += 1
        if self.nr >= self.max_requests:
            self.log.info("Autorestarting worker after current request.")
            self.alive = False

    def _answer(self, sock: socket.socket, request: http1.Request) -> bool:
        """Answer a plain request (http1.py) with one write."""
        self._count_request()
        return self._send(sock, request, self.wsgi)

    def _send(self, sock: socket.socket, request: http1.Request, app: Any) -> bool:
        """Write `app`'s answer to `request` in one piece; whether the connection stays open."""
        answer = http1.Answer()
        chunks = app(request.environ, answer.start_response)
        try:
            data, keep_alive = answer.render(request, chunks, self._date_header())
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        sock.sendall(data)
        return keep_alive and self.alive

    def _date_header(self) -> str:
        now = int(time.time())
        if self._date[0] != now:
            self._date = (now, formatdate(now, usegmt=True))
        return self._date[1]

    def _respond(self, connection: _Connection, req: Any, last: bool) -> bool:
        sock = connection.sock
        request_start = datetime.now()
        resp, environ = wsgi.create(req, sock, connection.address, connection.server, self.cfg)
        self._count_request()
        if last or not self.alive:
            resp.force_close()
        respiter = self.wsgi(environ, resp.start_response)
        try:
            for item in respiter:
                resp.write(item)
            resp.close()
        finally:
            self.log.access(resp, req, environ, datetime.now() - request_start)
            if hasattr(respiter, "close"):
                respiter.close()
        return not resp.should_close()

    def _close_expired(self, now: float) -> None:
        for connection in list(self.connections.values()):
            if connection.started is not None:
                expired = now - connection.started > REQUEST_SECONDS
            else:
                expired = now - connection.seen > IDLE_SECONDS
            if expired:
                self._close(connection)

    def _close(self, connection: _Connection) -> None:
        if self.connections.pop(connection.sock, None) is None:
            return
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.selector.unregister(connection.sock)
        with contextlib.suppress(OSError):
            connection.sock.close()

"""The gunicorn worker of `--workers`: the sync worker, except that an idle connection never holds it.

gunicorn's sync worker reads a new connection's request as soon as it accepts it and blocks until
the request comes: a client that connects and sends nothing (a browser's speculative connection,
a port probe, a client that hangs) holds the worker until gunicorn's timeout kills it, so two such
sockets stop a two-worker mock for a minute, which the threaded development server never does.
Here a connection with nothing to read waits in the worker's selector beside the listening
sockets, for up to `IDLE_SECONDS`; the worker reads only a request that has begun to arrive, and
gives up on one whose client goes silent for `READ_TIMEOUT` (as the development server does).
Everything else, from parsing to the response and the worker's life cycle, is gunicorn's own.
"""

from __future__ import annotations

import contextlib
import os
import select
import selectors
import socket
import time
from typing import Any

from gunicorn import util
from gunicorn.workers.sync import SyncWorker

IDLE_SECONDS = 60.0
"""How long a connection may stay open without sending anything."""
READ_TIMEOUT = 10.0
"""How long a client may go silent once its request has begun (the development server's figure)."""

_Waiting = tuple[Any, Any, float]
"""The listener that accepted a waiting connection, the client's address, and its deadline."""


def _has_data(client: socket.socket) -> bool:
    return bool(select.select([client], [], [], 0)[0])


class PatientSyncWorker(SyncWorker):  # type: ignore[misc]
    """One request at a time, like gunicorn's sync worker; idle connections wait outside it."""

    def run(self) -> None:
        selector = selectors.DefaultSelector()
        for listener in self.sockets:
            listener.setblocking(False)
            selector.register(listener, selectors.EVENT_READ, None)
        selector.register(self.PIPE[0], selectors.EVENT_READ, None)
        waiting: dict[socket.socket, _Waiting] = {}
        tick = min(self.timeout or 0.5, 1.0)  # notify the arbiter at least this often
        try:
            while self.alive:
                self.notify()
                if not self.is_parent_alive():
                    return
                self._close_expired(selector, waiting)
                try:
                    events = selector.select(tick)
                except OSError:  # the listeners closed under us: the worker is stopping
                    return
                for key, _ in events:
                    if not self.alive:
                        return
                    item = key.fileobj
                    if item == self.PIPE[0]:
                        with contextlib.suppress(BlockingIOError):
                            os.read(self.PIPE[0], 1)
                    elif item in waiting:
                        assert isinstance(item, socket.socket)
                        selector.unregister(item)
                        listener, address, _ = waiting.pop(item)
                        self._serve(listener, item, address)
                    else:  # a listener (gunicorn's wrapper of the listening socket)
                        self._accept_all(item, selector, waiting)
        finally:
            for client in waiting:
                with contextlib.suppress(OSError):
                    client.close()
            selector.close()

    def _accept_all(
        self, listener: Any, selector: selectors.BaseSelector, waiting: dict[socket.socket, _Waiting]
    ) -> None:
        """Accept every connection queued on `listener`: serve those with data, park the others."""
        while self.alive:
            try:
                client, address = listener.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            util.close_on_exec(client)
            if _has_data(client):
                self._serve(listener, client, address)
                self.notify()
            else:
                waiting[client] = (listener, address, time.monotonic() + IDLE_SECONDS)
                selector.register(client, selectors.EVENT_READ, None)

    def _serve(self, listener: Any, client: socket.socket, address: Any) -> None:
        client.settimeout(READ_TIMEOUT)
        self.handle(listener, client, address)  # gunicorn's: parse, call the app, respond, close

    @staticmethod
    def _close_expired(selector: selectors.BaseSelector, waiting: dict[socket.socket, _Waiting]) -> None:
        now = time.monotonic()
        for client in [c for c, (_, _, deadline) in waiting.items() if deadline <= now]:
            selector.unregister(client)
            del waiting[client]
            with contextlib.suppress(OSError):
                client.close()

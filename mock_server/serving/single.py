"""`cudis-mock serve` in one process: werkzeug's threaded server (the default, `--workers 1`)."""

from __future__ import annotations

import signal
from collections.abc import Callable

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ..app import app_for
from ..config import MockConfig
from ..context import MockContext
from .banner import announce


class _RequestHandler(WSGIRequestHandler):
    timeout = 10
    """Seconds a client may stay silent mid-request. Without it a client that declares a body and
    never sends it (or a slow-loris) holds a thread forever, e.g. in werkzeug's drain after a 413."""


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def serve_single(mock: MockContext, config: MockConfig) -> None:
    """Serve the app of `mock` from this process with werkzeug's threaded server."""
    server = make_server(config.host, config.port, app_for(mock), threaded=True, request_handler=_RequestHandler)
    run_until_stopped(server, lambda port: announce(mock, config, port))


def run_until_stopped(server: BaseWSGIServer, announce_port: Callable[[int], None]) -> None:
    """Serve until SIGTERM or Ctrl-C, having announced the port it listens on; then close the server."""
    signal.signal(signal.SIGTERM, _interrupt)  # stop as on Ctrl-C: close the store cleanly
    announce_port(server.server_port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

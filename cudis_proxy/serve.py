"""`cudis-mock proxy`: the proxy app on werkzeug's threaded server, with a banner saying where it listens."""

from __future__ import annotations

import signal

import click
from werkzeug.serving import make_server

from mock_server.serving.server import _RequestHandler

from .app import create_proxy_app
from .config import ProxyConfig


class _KeepAliveHandler(_RequestHandler):
    # HTTP/1.1: an app's connection stays open across requests (one thread each), as a client pool
    # expects; werkzeug's HTTP/1.0 default would cost a connection and a thread per request.
    protocol_version = "HTTP/1.1"


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def serve_proxy(config: ProxyConfig) -> None:
    """Serve until SIGTERM or Ctrl-C."""
    app = create_proxy_app(config)
    server = make_server(config.host, config.port, app, threaded=True, request_handler=_KeepAliveHandler)
    signal.signal(signal.SIGTERM, _interrupt)
    url = f"http://{config.host}:{server.server_port}"
    lines = [
        f"cudis-mock proxy at {url} -> {config.upstream}",
        f"  every answer carries X-Cudis-Contract; the journal: curl -s {url}/__mock__/requests",
    ]
    if config.record is not None:
        lines.append(f"  recording into {config.record} as user {config.record_user!r}")
    click.echo("\n".join(lines) + "\n", nl=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

"""`cudis-mock proxy`: the proxy app on werkzeug's threaded server (`--workers 1`) or on the mock's
keep-alive gunicorn worker waiting for the upstream in its selector (`--workers N`, worker.py), with a
banner saying where it listens."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask
from werkzeug.serving import make_server

from mock_server.serving.server import _worker_runner
from mock_server.serving.single import _RequestHandler, run_until_stopped

from .app import create_proxy_app
from .config import ProxyConfig


class _KeepAliveHandler(_RequestHandler):
    # HTTP/1.1: an app's connection stays open across requests (one thread each), as a client pool
    # expects; werkzeug's HTTP/1.0 default would cost a connection and a thread per request.
    protocol_version = "HTTP/1.1"


def _announce(config: ProxyConfig, port: int) -> None:
    url = f"http://{config.host}:{port}"
    lines = [
        f"cudis-mock proxy at {url} -> {config.upstream}",
        f"  every answer carries X-Cudis-Contract; the journal: curl -s {url}/__mock__/requests",
    ]
    if config.workers > 1:
        lines.append(f"  {config.workers} worker processes")
    if config.record is not None:
        lines.append(f"  recording into {config.record} as user {config.record_user!r}")
    click.echo("\n".join(lines) + "\n", nl=True)


@contextmanager
def _journal_file() -> Iterator[Path]:
    """A journal file for the workers to share, removed when the proxy stops."""
    owner = os.getpid()
    directory = tempfile.mkdtemp(prefix="cudis-proxy-")
    try:
        yield Path(directory) / "journal.jsonl"
    finally:
        if os.getpid() == owner:  # a forked worker unwinds through here too
            for name in os.listdir(directory):
                os.unlink(os.path.join(directory, name))
            os.rmdir(directory)


def serve_proxy(config: ProxyConfig) -> None:
    """Serve until SIGTERM or Ctrl-C. Raises WorkersUnavailable for `--workers N` without gunicorn."""
    if config.workers == 1:
        _serve_single(create_proxy_app(config), config)
        return
    _worker_runner(config.workers)  # WorkersUnavailable without gunicorn, which these imports need
    from mock_server.serving.workers import run_workers

    from .worker import ProxyWorker

    with _journal_file() as journal:
        app = create_proxy_app(config, journal=journal)
        announce = lambda port: _announce(config, port)  # noqa: E731
        run_workers(app, config.host, config.port, config.workers, announce, worker_class=ProxyWorker)


def _serve_single(app: Flask, config: ProxyConfig) -> None:
    server = make_server(config.host, config.port, app, threaded=True, request_handler=_KeepAliveHandler)
    run_until_stopped(server, lambda port: _announce(config, port))

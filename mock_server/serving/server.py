"""`cudis-mock serve`: the store the mock runs on, and the server in front of it (one process or gunicorn workers)."""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from ..app import create_app
from ..config import MockConfig
from ..state import MemoryStore, SqliteStore, Store
from ..state.locations import open_location
from .banner import announce

RunWorkers = Callable[[Flask, str, int, int, Callable[[int], None]], None]


class WorkersUnavailable(RuntimeError):
    """`--workers N` without gunicorn, which comes with the `workers` extra."""


class _RequestHandler(WSGIRequestHandler):
    timeout = 10
    """Seconds a client may stay silent mid-request. Without it a client that declares a body and
    never sends it (or a slow-loris) holds a thread forever, e.g. in werkzeug's drain after a 413."""


@contextmanager
def open_store(config: MockConfig) -> Iterator[Store]:
    """The store `config` asks for: its --state file or Redis URL, a temporary file for workers, or memory."""
    if config.state is not None:
        yield open_location(config.state)
    elif config.workers > 1:
        owner = os.getpid()
        directory = tempfile.mkdtemp(prefix="cudis-mock-")
        try:
            yield SqliteStore(Path(directory) / "state.sqlite")
        finally:
            if os.getpid() == owner:  # a forked worker unwinds through here too
                for name in os.listdir(directory):
                    os.unlink(os.path.join(directory, name))
                os.rmdir(directory)
    else:
        yield MemoryStore()


def _worker_runner(workers: int) -> RunWorkers:
    """serving.workers.run_workers, or WorkersUnavailable when gunicorn is not installed."""
    try:
        from .workers import run_workers
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != "gunicorn":
            raise
        raise WorkersUnavailable(
            f"--workers {workers} serves through gunicorn, which is not installed: pip install 'cudis-mock[workers]'"
        ) from None
    return run_workers


def serve(config: MockConfig) -> None:
    """Serve the mock as `config` says until SIGTERM or Ctrl-C.

    Raises FixtureError or ValueError for fixtures, a state file or a scenario that cannot be
    used, and WorkersUnavailable for `--workers` without gunicorn; all before anything listens.
    """
    run_workers = _worker_runner(config.workers) if config.workers > 1 else None
    with open_store(config) as store:
        app = create_app(config, store=store)
        if run_workers is None:
            serve_single(app, config)
        else:
            run_workers(app, config.host, config.port, config.workers, lambda port: announce(app, config, port))


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def serve_single(app: Flask, config: MockConfig) -> None:
    """Serve `app` from this process with werkzeug's threaded server (the default, `--workers 1`)."""
    server = make_server(config.host, config.port, app, threaded=True, request_handler=_RequestHandler)
    signal.signal(signal.SIGTERM, _interrupt)  # stop as on Ctrl-C: close the store cleanly
    announce(app, config, server.server_port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

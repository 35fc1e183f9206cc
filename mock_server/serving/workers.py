"""`cudis-mock serve --workers N`: the same app under gunicorn, N processes sharing one SQLite store."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from .bounds import WORKER_TIMEOUT
from .keepalive_worker import KeepAliveWorker

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


class _MockApplication(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: WSGIApplication, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> WSGIApplication:
        return self._app


def bound_port(arbiter: Arbiter) -> int:
    """The port gunicorn listens on (the one the OS picked for port 0)."""
    return int(arbiter.LISTENERS[0].sock.getsockname()[1])


def run_workers(
    app: WSGIApplication,
    host: str,
    port: int,
    workers: int,
    on_ready: Callable[[int], None],
    worker_class: type[KeepAliveWorker] = KeepAliveWorker,
    *,
    post_fork: Callable[[], None] | None = None,
) -> None:
    """Serve `app` with `workers` processes of the keep-alive worker (keepalive_worker.py, or a subclass);
    `on_ready(port)` runs once it listens, `post_fork()` in each worker as it starts.

    The app is built before the fork (like `--preload`): the spec and fixtures are loaded once.
    Its store must be shared between processes (SQLite).
    """
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options: dict[str, Any] = {
        "bind": bind,
        "workers": workers,
        "worker_class": worker_class,
        "preload_app": True,
        "proc_name": "cudis-mock",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": WORKER_TIMEOUT,
        "graceful_timeout": 5,
        "control_socket_disable": True,
        "when_ready": lambda arbiter: on_ready(bound_port(arbiter)),
    }
    if post_fork is not None:
        options["post_fork"] = lambda _arbiter, _worker: post_fork()
    # What the app loaded (spec, fixtures, validators) lives as long as the process: out of the
    # collector's sight, a full collection in a worker scans only what requests made (a pause of
    # tens of milliseconds otherwise), and the workers' copies of those pages stay shared.
    gc.collect()
    gc.freeze()
    _MockApplication(app, options).run()

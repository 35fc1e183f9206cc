"""`cudis-mock serve --workers N`: the same app under gunicorn, N processes sharing one SQLite store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from .sync_worker import PatientSyncWorker


class _MockApplication(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._app


def bound_port(arbiter: Arbiter) -> int:
    """The port gunicorn listens on (the one the OS picked for port 0)."""
    return int(arbiter.LISTENERS[0].sock.getsockname()[1])


WORKER_TIMEOUT = 60
"""Seconds gunicorn lets a worker spend on one request before killing it; the spec's
`x-cudis-max-total-delay-ms` (injected delay) stays well under it."""


def run_workers(app: Flask, host: str, port: int, workers: int, on_ready: Callable[[int], None]) -> None:
    """Serve `app` with `workers` sync worker processes (idle connections wait outside them, see
    sync_worker.py); `on_ready(port)` runs once it listens.

    The app is built before the fork (like `--preload`): the spec and fixtures are loaded once.
    Its store must be shared between processes (SQLite).
    """
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options: dict[str, Any] = {
        "bind": bind,
        "workers": workers,
        "worker_class": PatientSyncWorker,
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
    _MockApplication(app, options).run()

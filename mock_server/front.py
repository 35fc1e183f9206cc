"""What meets every request first, without Flask: the fast path (http/fast_path.py) and the merged
slashes (http/paths.py), then the Flask app.

Flask and werkzeug take longer to import than the rest of the mock takes to start. Under
`--workers`, the arbiter builds the context (context.py) and this front only, and each worker
builds its Flask app in a background thread as it starts (`DeferredApp`): meanwhile it answers
plain queries and mints, and a request that needs the app waits for it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from .context import MockContext
from .http.fast_path import QueryFastPath
from .http.logmask import install_log_masking
from .http.paths import MergeSlashes

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

BUILD_AFTER = 0.25
"""Seconds a worker answers with the front alone before it builds its app: the import takes the
core (and the GIL) for a fifth of a second, and the first token and query of a client that just saw
the mock start come in that time. A request that needs the app sooner builds it at once."""


def front(app: WSGIApplication, mock: MockContext) -> QueryFastPath:
    """`app` (the Flask app's WSGI callable) behind the fast path."""
    install_log_masking()
    return QueryFastPath(MergeSlashes(app), mock, self_check=mock.config.validate_responses)


class DeferredApp:
    """A WSGI app built on first need, or ahead of it by `start()`, once per process."""

    def __init__(self, build: Callable[[], WSGIApplication]) -> None:
        self._build = build
        self._app: WSGIApplication | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Build the app in a background thread, `BUILD_AFTER` seconds from now (a worker calls this as it starts)."""
        timer = threading.Timer(BUILD_AFTER, self._build_and_freeze)
        timer.daemon = True
        timer.start()

    def _build_and_freeze(self) -> None:
        try:
            self.get()
        except Exception:  # the request that needs the app builds it again and reports the error
            return
        gc.freeze()  # what the app holds lives as long as the process, as in serving/workers.py

    def get(self) -> WSGIApplication:
        app = self._app
        if app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._build()
                app = self._app
        return app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self.get()(environ, start_response)


def deferred_front(mock: MockContext) -> tuple[QueryFastPath, DeferredApp]:
    """The front of `mock` with its Flask app deferred; start the latter in each worker."""

    def build() -> WSGIApplication:
        from .app import flask_app

        return flask_app(mock).wsgi_app

    deferred = DeferredApp(build)
    return front(deferred, mock), deferred

"""The app factory: the context (context.py), the blueprints and the hooks, behind the front (front.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response
from flask.sessions import SessionInterface

from . import hooks
from .config import MockConfig
from .context import EXTENSION_KEY, MockContext, build_context
from .front import front
from .state import Store
from .views import admin, explorer, index, oauth, query
from .views.routing import check_coverage, operation_blueprint


class _NoSessions(SessionInterface):
    """The mock keeps no session: its one signed value, the consent form, travels in the form itself."""

    def open_session(self, app: Flask, request: Any) -> None:
        return None  # Flask hands out a read-only empty session; no cookie is parsed

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        pass


class MockFlask(Flask):
    """Flask with the per-request bookkeeping the mock does not need taken out of the hot path."""

    session_interface = _NoSessions()

    def __init__(self, import_name: str) -> None:
        super().__init__(import_name)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # Flask asks inspect.iscoroutinefunction of every hook and view on every request.
        sync = self._sync.get(func)
        if sync is None:
            sync = self._sync[func] = super().ensure_sync(func)
        return sync


def create_app(
    config: MockConfig | None = None,
    *,
    store: Store | None = None,
    time_source: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> Flask:
    """Build a mock: spec and fixtures loaded and checked, state in `store` (memory by default).

    With `config.scenario`, its faults (and clock) replace those in the store.
    """
    return app_for(build_context(config, store=store, time_source=time_source, sleep=sleep))


def app_for(mock: MockContext) -> Flask:
    """The Flask app of `mock`, behind the front."""
    app = flask_app(mock)
    app.wsgi_app = front(app.wsgi_app, mock)  # type: ignore[method-assign]
    return app


def flask_app(mock: MockContext) -> Flask:
    """The Flask app of `mock`: the blueprints bound from the spec, and the hooks."""
    app = MockFlask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = mock.config.max_body_bytes + 1  # see limit_body
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION_KEY] = mock
    spec = mock.spec
    handled: set[str] = set()
    blueprints = {
        "query": query.handlers(spec),
        "oauth": oauth.HANDLERS,
        "admin": admin.HANDLERS,
        "explorer": explorer.HANDLERS,
        "index": index.HANDLERS,
    }
    for name, handlers in blueprints.items():
        app.register_blueprint(operation_blueprint(name, spec, handlers))
        handled |= set(handlers)
    check_coverage(spec, handled)
    hooks.register(app, self_check=mock.config.validate_responses)
    return app

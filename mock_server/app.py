"""The app factory: spec, fixtures, store and blueprints; the hooks give every failure one error path."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response
from flask.sessions import SessionInterface

from cudis_spec import load_spec

from . import hooks
from .config import MockConfig
from .context import EXTENSION_KEY, MockContext, mock_context
from .http.fast_path import QueryFastPath
from .http.fault_answers import fault_from_body
from .http.logmask import install_log_masking
from .http.paths import MergeSlashes
from .http.ranges import RangeMemo, range_rules
from .people import load_fixtures
from .state import MemoryStore, Store
from .state.clock import MockClock
from .state.scenarios import load_scenario
from .synth import DataEngine
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
    config = config or MockConfig()
    spec = load_spec()
    fixtures = load_fixtures(config.fixtures)
    if config.replay_only and not fixtures.recordings:
        raise ValueError(f"--replay-only: {fixtures.source} holds no recordings.yaml (see cudis-mock proxy --record)")
    if config.auto_approve is not None and config.auto_approve not in fixtures.users:
        raise ValueError(f"--auto-approve: unknown user {config.auto_approve!r} (known: {', '.join(fixtures.users)})")
    store = store or MemoryStore()
    install_log_masking()
    app = MockFlask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes + 1  # see limit_body
    app.json.sort_keys = False  # type: ignore[attr-defined]
    rules = range_rules(spec)
    app.extensions[EXTENSION_KEY] = MockContext(
        config=config,
        spec=spec,
        fixtures=fixtures,
        engine=DataEngine(config.seed, fixtures.users),
        store=store,
        clock=MockClock(store, time_source),
        range_rules=rules,
        ranges=RangeMemo(rules),
        sleep=sleep,
    )
    mock = mock_context(app)
    if config.scenario is not None:
        with app.app_context():
            mock.scenario = load_scenario(config.scenario, spec, lambda body: fault_from_body(mock, body, "check"))
            admin.apply_scenario(mock)
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
    hooks.register(app, self_check=config.validate_responses)
    app.wsgi_app = QueryFastPath(  # type: ignore[method-assign]
        MergeSlashes(app.wsgi_app), mock, self_check=config.validate_responses
    )
    return app

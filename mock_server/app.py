"""The app factory: spec, fixtures, store and blueprints; one error path for every failure."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, request
from flask.sessions import SessionInterface
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from contract_tests.rules import RangeContext

from . import hooks as control
from .config import MockConfig
from .context import EXTENSION_KEY, MockContext, mock_context
from .http import envelope
from .http.envelope import ApiError
from .http.logmask import install_log_masking
from .http.ranges import range_rules
from .http.selfcheck import response_problems
from .people import load_fixtures
from .spec import load_spec
from .state import MemoryStore, Store
from .state.clock import MockClock
from .state.scenarios import load_scenario
from .synth import DataEngine
from .views import admin, explorer, oauth, query
from .views.routing import check_coverage, operation_blueprint

log = logging.getLogger("cudis_mock")

_BLUEPRINTS = {
    "query": query.HANDLERS,
    "oauth": oauth.HANDLERS,
    "admin": admin.HANDLERS,
    "explorer": explorer.HANDLERS,
}


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


def _envelope_response(mock: MockContext, error: ApiError) -> Response:
    status = envelope.http_status(mock.spec, error.code, mock.config.error_status)
    body = envelope.error_body(error.code, envelope.error_message(mock.spec, error))
    response = Response(body, status=status, mimetype="application/json", headers=error.headers)
    if error.reason:
        response.headers["X-Cudis-Mock-Reason"] = error.reason
    return response


def _is_admin_path(path: str) -> bool:
    return path.startswith("/__mock__/")


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        mock = mock_context()
        if _is_admin_path(request.path):
            # The control API is not CUDIS: its errors always carry their HTTP status.
            status = mock.spec.codes[error.code].http
            body = envelope.error_body(error.code, envelope.error_message(mock.spec, error))
            return Response(body, status=status, mimetype="application/json")
        return _envelope_response(mock, error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        mock = mock_context()
        api_error: ApiError
        if isinstance(error, MethodNotAllowed):
            allowed = sorted(m for m in (error.valid_methods or []) if m not in {"HEAD", "OPTIONS"})
            api_error = envelope.MethodNotAllowed(
                f"{request.method} {request.path}; use {', '.join(allowed)}", headers={"Allow": ", ".join(allowed)}
            )
        elif isinstance(error, RequestEntityTooLarge):
            api_error = envelope.TooLarge(f"the mock reads at most {mock.config.max_body_bytes} bytes")
        elif isinstance(error, NotFound):
            api_error = envelope.NotFound(f"{request.method} {request.path}")
        else:
            api_error = envelope.BadBody(error.description or error.name)
        return _envelope_response(mock, api_error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        text = "".join(traceback.format_exception(error))
        mock_context().errors.append(f"{request.method} {request.path}: {text}")
        control.record_problem(f"{type(error).__name__}: {error}")
        return _envelope_response(
            mock_context(), envelope.Internal(f"{type(error).__name__}; the mock logged the details")
        )


def _self_check(app: Flask) -> None:
    @app.after_request
    def check_response(response: Response) -> Response:
        mock = mock_context()
        endpoint = request.url_rule.endpoint if request.url_rule else ""
        op = mock.spec.operations.get(endpoint.rsplit(".", 1)[-1])
        if op is None or response.direct_passthrough or g.get("cudis_injected"):
            return response
        context = RangeContext(now=mock.clock.now())
        problems = response_problems(
            mock.spec, op, response.status_code, response.mimetype or "", response.get_data(), context
        )
        if problems:
            mock.violations.extend(problems)
            for problem in problems:
                control.record_problem(problem)
            log.error("response breaks the contract: %s", "; ".join(problems))
            body = envelope.error_body(
                envelope.INTERNAL, "Internal error: the mock's response broke its contract: " + "; ".join(problems)
            )
            return Response(body, status=500, mimetype="application/json")
        return response


def _guard(app: Flask) -> None:
    @app.before_request
    def limit_body() -> None:
        mock = mock_context()
        limit = mock.config.max_body_bytes
        length = request.content_length
        if length is not None and length > limit:
            # Refused from the header alone: not one byte of the body is read.
            raise envelope.TooLarge(f"{length} bytes sent; the mock reads at most {limit}")
        # A chunked body has no length to check up front. Werkzeug's stream stops quietly at
        # MAX_CONTENT_LENGTH, which would hand a truncated body to the parser; it is set one
        # byte past the limit so that reading limit + 1 bytes tells an oversized body apart.
        chunked = length is None and request.environ.get("wsgi.input_terminated")
        if chunked and len(request.get_data(cache=True)) > limit:
            raise envelope.TooLarge(f"the chunked body is longer than {limit} bytes; the mock reads at most {limit}")


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
    if config.auto_approve is not None and config.auto_approve not in fixtures.users:
        raise ValueError(f"--auto-approve: unknown user {config.auto_approve!r} (known: {', '.join(fixtures.users)})")
    store = store or MemoryStore()
    install_log_masking()
    app = MockFlask(__name__)
    # From the store, so every worker signs and checks consent forms with the same key.
    app.secret_key = store.secret()
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes + 1  # see limit_body
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION_KEY] = MockContext(
        config=config,
        spec=spec,
        fixtures=fixtures,
        engine=DataEngine(config.seed, fixtures.users),
        store=store,
        clock=MockClock(store, time_source),
        range_rules=range_rules(spec),
        sleep=sleep,
    )
    mock = mock_context(app)
    if config.scenario is not None:
        with app.app_context():
            mock.scenario = load_scenario(
                config.scenario, spec, lambda body: control.fault_from_body(mock, body, "check")
            )
            admin.apply_scenario(mock)
    handled: set[str] = set()
    for name, handlers in _BLUEPRINTS.items():
        app.register_blueprint(operation_blueprint(name, spec, handlers))
        handled |= set(handlers)
    check_coverage(spec, handled)
    _guard(app)
    _register_error_handlers(app)
    control.install(app)
    if config.validate_responses:
        _self_check(app)
    return app

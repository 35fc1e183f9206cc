"""The proxy as a WSGI app: the query endpoints forwarded and judged, the journal, the authorize redirect."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, redirect, request

from contract_tests.cases import BodyKind, Case
from contract_tests.transport import Exchange
from cudis_spec import QueryOperation, Spec, load_spec
from mock_server.http.admin_guard import is_loopback
from mock_server.http.envelope import (
    ApiError,
    ControlForbidden,
    InvalidField,
    MethodNotAllowed,
    NotFound,
    UpstreamFailure,
    dumps,
)
from mock_server.http.journal import masked_headers
from mock_server.http.logmask import install_log_masking, mask_secrets

from .config import ProxyConfig
from .journal import Journal, masked_text
from .recording import Recorder
from .upstream import DROPPED_ANSWER_HEADERS, Upstream, unusable_answer
from .verdict import HEADER, Judge, Verdict, data_text

EXTENSION_KEY = "cudis_proxy"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
log = logging.getLogger("cudis_mock")


class ProxyContext:
    """What the proxy's views need, hung off the app (no module state)."""

    def __init__(
        self, config: ProxyConfig, spec: Spec, time_source: Callable[[], float], journal: Path | None = None
    ) -> None:
        self.config = config
        self.spec = spec
        self.upstream = Upstream(config.upstream, config.upstream_timeout)
        self.judge = Judge(spec)
        self.journal = Journal(config.journal_limit, journal)
        self.recorder = (
            Recorder(config.record, config.record_user, config.upstream, spec) if config.record is not None else None
        )
        self.now = time_source


def _context(app: Flask) -> ProxyContext:
    context: ProxyContext = app.extensions[EXTENSION_KEY]
    return context


def _envelope(spec: Spec, error: ApiError, verdict: str | None = None) -> Response:
    info = error.info(spec.codes)
    response = Response(error.body(spec.codes), status=info.http_status("200"), mimetype="application/json")
    if verdict is not None:
        response.headers[HEADER] = verdict
    return response


def _range(case: Case, query: dict[str, str]) -> tuple[float, float] | None:
    """The range a successful query asked for: from its body, or (no body) from its query string."""
    if case.body.kind is BodyKind.VALID:
        return case.body.range
    if case.body.value is None and {"startTime", "endTime"} <= set(query):
        try:
            return float(query["startTime"]), float(query["endTime"])
        except ValueError:
            return None
    return None


def _forward(operation: QueryOperation) -> Response:
    proxy = _context(current_app)
    spec = proxy.spec
    path = request.full_path if request.query_string else request.path
    body = request.get_data(cache=True)
    headers = {name: value for name, value in request.headers.items()}
    exchange = proxy.upstream.send(request.method, path, headers, body if body else None)
    now = proxy.now()
    case, verdict = proxy.judge.judge(operation, exchange, now)
    problems: list[str] = []
    failure = unusable_answer(exchange)
    if failure is not None:
        log.warning("upstream failure on %s %s: %s", request.method, request.path, failure)
        response = _envelope(spec, UpstreamFailure(failure), verdict.header)
    else:
        response = Response(exchange.content, status=exchange.status)
        response.headers.clear()
        for name, value in exchange.response_headers.items():
            if name.lower() not in DROPPED_ANSWER_HEADERS:
                response.headers.add(name, value)
        response.headers[HEADER] = verdict.header
        problems += _record(proxy, operation, case, exchange, now)
        for problem in problems:
            log.warning("%s %s: %s", request.method, request.path, problem)
    _journal(proxy, exchange, response, verdict, failure, problems, now)
    return response


def _record(proxy: ProxyContext, operation: QueryOperation, case: Case, exchange: Exchange, now: float) -> list[str]:
    """Record a successful exchange, when recording; the problems to journal."""
    if proxy.recorder is None or case.probe is not None or exchange.method != operation.method:
        return []
    document = exchange.json()
    if not isinstance(document, dict) or document.get("code") != proxy.spec.codes.success.code:
        return []
    asked = _range(case, dict(request.args))
    data = data_text(exchange.content)
    client_id = request.headers.get("Cudis-Client-Id", "")
    if asked is None or data is None:
        return ["not recorded: the range or the data could not be read"]
    try:
        outcome = proxy.recorder.add(operation.operation_id, asked[0], asked[1], client_id, data, now)
    except OSError as exc:
        return [f"not recorded: {exc}"]
    return [outcome.problem] if outcome.problem else []


def _journal(
    proxy: ProxyContext,
    exchange: Exchange,
    response: Response,
    verdict: Verdict,
    failure: str | None,
    problems: list[str],
    now: float,
) -> None:
    proxy.journal.append(
        {
            "time": now,
            "method": request.method,
            "path": mask_secrets(request.path),
            "query": mask_secrets(request.query_string.decode("latin-1")),
            "headers": masked_headers(request.environ),
            "body": masked_text(request.get_data(cache=True)),
            "upstream_status": exchange.status,
            "status": response.status_code,
            "code": _code(response),
            "verdict": verdict.header,
            "broken": [{**b, "got": mask_secrets(b["got"] or "")} for b in verdict.journal()],
            "upstream_failure": mask_secrets(failure) if failure else None,
            "problems": problems,
        }
    )


def _code(response: Response) -> int | None:
    try:
        document = json.loads(response.get_data())
    except (ValueError, UnicodeDecodeError):
        return None
    code = document.get("code") if isinstance(document, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _loopback_only() -> None:
    if not is_loopback(request.remote_addr):
        raise ControlForbidden("the proxy's journal answers on loopback only")


def _list_requests() -> Response:
    _loopback_only()
    raw = request.args.get("limit")
    if raw is not None and (not raw.isdigit() or int(raw) < 1):
        raise InvalidField(f"must be a whole number of at least 1 (got {raw!r})", field="limit")
    entries = _context(current_app).journal.entries(int(raw) if raw else None)
    return Response(dumps({"requests": entries}), mimetype="application/json")


def _clear_requests() -> Response:
    _loopback_only()
    _context(current_app).journal.clear()
    return Response(status=204)


def _authorize() -> Any:
    target = _context(current_app).config.authorize_upstream
    if target is None:
        raise NotFound(
            "/oauth/authorize (start the proxy with --authorize-upstream URL to send it to the sign-in page)"
        )
    query = request.query_string.decode("latin-1")
    return redirect(target + ("&" if "?" in target else "?") + query if query else target, code=302)


def create_proxy_app(
    config: ProxyConfig,
    *,
    spec: Spec | None = None,
    time_source: Callable[[], float] = time.time,
    journal: Path | None = None,
) -> Flask:
    """The proxy in front of `config.upstream`; its journal in the file `journal` when given (shared by workers)."""
    spec = spec or load_spec()
    install_log_masking()
    app = Flask(__name__)
    app.extensions[EXTENSION_KEY] = ProxyContext(config, spec, time_source, journal)
    for operation in spec.queries:
        app.add_url_rule(
            operation.path,
            endpoint=operation.operation_id,
            view_func=partial(_forward, operation),
            methods=METHODS,
            provide_automatic_options=False,
        )
    app.add_url_rule("/__mock__/requests", "listRequests", _list_requests, methods=["GET"])
    app.add_url_rule("/__mock__/requests", "clearRequests", _clear_requests, methods=["DELETE"])
    app.add_url_rule("/oauth/authorize", "authorize", _authorize, methods=["GET"])

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return _envelope(spec, error)

    @app.errorhandler(404)
    def _not_found(_error: Exception) -> Response:
        return _envelope(spec, NotFound(f"{request.path} (the proxy forwards the query endpoints only)"))

    @app.errorhandler(405)
    def _not_allowed(_error: Exception) -> Response:
        return _envelope(spec, MethodNotAllowed(f"{request.method} {request.path}"))

    @app.errorhandler(Exception)
    def _crash(error: Exception) -> Response:
        log.exception("proxy error on %s %s", request.method, request.path)
        return _envelope(spec, UpstreamFailure(f"the proxy failed: {type(error).__name__}: {error}"))

    return app

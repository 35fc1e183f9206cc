"""The proxy as a WSGI app: the query endpoints forwarded and judged, the journal, the authorize redirect."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, redirect, request
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request
from werkzeug.wsgi import get_input_stream

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
from mock_server.http.host_guard import HostNames
from mock_server.http.logmask import install_log_masking, mask_secrets
from mock_server.http.masks import RAW_HEAD, MaskMemo, environ_headers, environ_key

from .config import ProxyConfig
from .journal import Journal, masked_text
from .recording import Recorder
from .upstream import DROPPED_ANSWER_HEADERS, Outgoing, Upstream, read_answer
from .verdict import HEADER, Judge, Verdict, data_text

EXTENSION_KEY = "cudis_proxy"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
FRONT_METHODS = frozenset(METHODS)
HEADERS_MEMO_SIZE = 1024
log = logging.getLogger("cudis_mock")


class ProxyContext:
    """What the proxy's views need, hung off the app (no module state)."""

    def __init__(
        self, config: ProxyConfig, spec: Spec, time_source: Callable[[], float], journal: Path | None = None
    ) -> None:
        self.config = config
        self.spec = spec
        self.upstream = Upstream(config.upstream, config.upstream_timeout)
        self.judge = Judge(spec, read_answer)
        self.journal = Journal(config.journal_limit, journal)
        self.masks = MaskMemo()
        self.headers: dict[bytes, dict[str, str]] = {}
        """Request headers by raw head (Incoming.headers)."""
        self.recorder = (
            Recorder(config.record, config.record_user, config.upstream, spec) if config.record is not None else None
        )
        self.now = time_source
        self.hosts = HostNames.parse(config.host, config.allowed_hosts)
        self.host_allowed = lru_cache(maxsize=64)(self.hosts.allows)


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


class PassedOn:
    """The upstream's answer as the proxy hands it on: a WSGI app that writes it, the headers the
    way werkzeug's Response would (the upstream's in order, the verdict, then Content-Length)."""

    def __init__(self, status: int, headers: list[tuple[str, str]], content: bytes) -> None:
        self.status_code = status
        self.headers = headers
        self.content = content

    def __call__(self, _environ: dict[str, Any], start_response: Any) -> list[bytes]:
        status = self.status_code
        headers = self.headers
        has_length = any(name.lower() == "content-length" for name, _ in headers)  # a HEAD's, the upstream's
        if not (100 <= status < 200 or status in (204, 304) or has_length):
            headers = [*headers, ("Content-Length", str(len(self.content)))]
        start_response(f"{status} {HTTP_STATUS_CODES.get(status, 'unknown').upper()}", headers)
        return [self.content]


@dataclass(frozen=True)
class Incoming:
    """What the proxy reads of a request, from the WSGI environ directly: building werkzeug's Request
    and its headers cost the proxy more than forwarding the request."""

    environ: dict[str, Any]
    method: str
    path: str
    """As werkzeug decodes PATH_INFO."""
    query_string: str
    """The raw query string, as the environ holds it (latin-1 text)."""
    body: bytes

    @classmethod
    def of(cls, environ: dict[str, Any], path: str | None = None) -> Incoming:
        declared = environ.get("CONTENT_LENGTH")
        if declared and declared.isdigit():
            body = _read_exactly(environ["wsgi.input"], int(declared))
        else:  # chunked, or no body: werkzeug's stream knows when it ends
            body = get_input_stream(environ).read()
        return cls(
            environ,
            environ.get("REQUEST_METHOD", "GET").upper(),
            path if path is not None else Request(environ).path,
            environ.get("QUERY_STRING", ""),
            body,
        )

    @property
    def target(self) -> str:
        """The path and query string the upstream is asked for, the query string's bytes as they came."""
        return f"{self.path}?{self.query_string}" if self.query_string else self.path

    def headers(self, memo: dict[bytes, dict[str, str]] | None = None) -> dict[str, str]:
        """The request's headers (a new dict), from `memo` when the server gave the raw head that keys it."""
        head = self.environ.get(RAW_HEAD)
        found = memo.get(head) if memo is not None and head is not None else None
        if found is None:
            found = {name: value for _key, name, value in environ_headers(self.environ)}
            if memo is not None and head is not None:
                if len(memo) >= HEADERS_MEMO_SIZE:
                    memo.clear()
                memo[head] = found
        return dict(found)

    def header(self, name: str) -> str | None:
        return self.environ.get(environ_key(name))

    def args(self) -> dict[str, str]:
        """The query string's parameters, the first value of each, as werkzeug parses them."""
        return Request(self.environ).args.to_dict() if self.query_string else {}


def _read_exactly(stream: Any, length: int) -> bytes:
    parts, left = [], length
    while left > 0:
        part = stream.read(left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


@dataclass(frozen=True)
class Forwarding:
    """A query on its way: what the app asked, and what the upstream is sent for it."""

    operation: QueryOperation
    incoming: Incoming
    outgoing: Outgoing


def prepare(proxy: ProxyContext, operation: QueryOperation, incoming: Incoming) -> Forwarding:
    """What the upstream is to be sent for `incoming`."""
    body = incoming.body
    headers = incoming.headers(proxy.headers)
    return Forwarding(operation, incoming, proxy.upstream.outgoing(incoming.method, incoming.target, headers, body))


def forward(proxy: ProxyContext, operation: QueryOperation, incoming: Incoming) -> Response | PassedOn:
    """Forward `incoming` to the upstream and hand back its answer (or an envelope saying why not),
    with the verdict; journal and record the exchange."""
    forwarding = prepare(proxy, operation, incoming)
    return conclude(proxy, forwarding, proxy.upstream.send_outgoing(forwarding.outgoing))


def conclude(proxy: ProxyContext, forwarding: Forwarding, exchange: Exchange) -> Response | PassedOn:
    """The upstream's answer handed on (or an envelope saying why not), with the verdict; the exchange
    journalled and recorded."""
    spec = proxy.spec
    operation, incoming = forwarding.operation, forwarding.incoming
    body = incoming.body
    now = proxy.now()
    judged = proxy.judge.judge(operation, exchange, now)
    verdict = judged.verdict
    problems: list[str] = []
    response: Response | PassedOn
    if judged.failure is not None:
        log.warning("upstream failure on %s %s: %s", incoming.method, incoming.path, judged.failure)
        response = _envelope(spec, UpstreamFailure(judged.failure), verdict.header)
        code = _code(response)
    else:
        # A HEAD's answer has no body: the length it states is the upstream's, handed on as it is.
        dropped = DROPPED_ANSWER_HEADERS - {"content-length"} if incoming.method == "HEAD" else DROPPED_ANSWER_HEADERS
        passed = [(n, v) for n, v in exchange.response_headers.items() if n.lower() not in dropped]
        passed.append((HEADER, verdict.header))
        response = PassedOn(exchange.status or 0, passed, exchange.content)
        code = judged.code
        problems += _record(proxy, operation, judged.case, exchange, incoming, now)
        for problem in problems:
            log.warning("%s %s: %s", incoming.method, incoming.path, problem)
    _journal(proxy, incoming, body, exchange, response.status_code, code, verdict, judged.failure, problems, now)
    return response


def _record(
    proxy: ProxyContext, operation: QueryOperation, case: Case, exchange: Exchange, incoming: Incoming, now: float
) -> list[str]:
    """Record a successful exchange, when recording; the problems to journal."""
    if proxy.recorder is None or case.probe is not None or exchange.method != operation.method:
        return []
    document = exchange.json()
    if not isinstance(document, dict) or document.get("code") != proxy.spec.codes.success.code:
        return []
    asked = _range(case, incoming.args())
    data = data_text(exchange.content)
    client_id = incoming.header(proxy.spec.client_id_header) or ""
    if asked is None or data is None:
        return ["not recorded: the range or the data could not be read"]
    try:
        outcome = proxy.recorder.add(operation.operation_id, asked[0], asked[1], client_id, data, now)
    except OSError as exc:
        return [f"not recorded: {exc}"]
    return [outcome.problem] if outcome.problem else []


def _journal(
    proxy: ProxyContext,
    incoming: Incoming,
    body: bytes,
    exchange: Exchange,
    status: int,
    code: int | None,
    verdict: Verdict,
    failure: str | None,
    problems: list[str],
    now: float,
) -> None:
    if not proxy.journal.limit:
        return
    masks = proxy.masks
    proxy.journal.append(
        {
            "time": now,
            "method": incoming.method,
            "path": masks.text(incoming.path),
            "query": masks.text(incoming.query_string),
            "headers": masks.headers(incoming.environ)[0],
            "body": masked_text(body, masks.text),
            "upstream_status": exchange.status,
            "status": status,
            "code": code,
            "verdict": verdict.header,
            "broken": [{**b, "got": masks.text(b["got"] or "")} for b in verdict.journal()],
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


class _QueryFront:
    """The query endpoints answered straight from the WSGI environ, around Flask's own dispatch
    (its request context, routing, signals and teardown cost more than the proxy's own work);
    anything else, HEAD included, goes on to Flask, whose rules for the same paths do the same."""

    def __init__(self, flask_wsgi: Any, proxy: ProxyContext, routes: dict[str, QueryOperation]) -> None:
        self.flask_wsgi = flask_wsgi
        self.proxy = proxy
        self.routes = routes

    def begin(self, environ: dict[str, Any]) -> Forwarding | Response | PassedOn | None:
        """What to send the upstream for a query endpoint's request (or the envelope of a failure to
        say so); None for any other request, which Flask answers."""
        operation = self.routes.get(environ.get("PATH_INFO", ""))
        if (
            operation is None
            or environ.get("REQUEST_METHOD") not in FRONT_METHODS
            or not self.proxy.host_allowed(environ.get("HTTP_HOST"))
        ):
            return None
        incoming = Incoming.of(environ, operation.path)
        try:
            return prepare(self.proxy, operation, incoming)
        except Exception as error:
            return self._failed(incoming, error)

    def finish(self, forwarding: Forwarding, exchange: Exchange) -> Response | PassedOn:
        """The answer to a query the upstream answered (`exchange`)."""
        try:
            return conclude(self.proxy, forwarding, exchange)
        except Exception as error:
            return self._failed(forwarding.incoming, error)

    def _failed(self, incoming: Incoming, error: Exception) -> Response:
        if isinstance(error, ApiError):
            return _envelope(self.proxy.spec, error)
        log.exception("proxy error on %s %s", incoming.method, incoming.path)
        return _envelope(self.proxy.spec, _crashed(error))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        begun = self.begin(environ)
        if begun is None:
            return self.flask_wsgi(environ, start_response)
        if isinstance(begun, Forwarding):
            begun = self.finish(begun, self.proxy.upstream.send_outgoing(begun.outgoing))
        return begun(environ, start_response)


def query_front(app: Flask) -> _QueryFront:
    """The query endpoints answered ahead of Flask (for a server that waits for the upstream itself)."""
    front: _QueryFront = app.wsgi_app  # type: ignore[assignment]
    return front


def _crashed(error: Exception) -> UpstreamFailure:
    return UpstreamFailure(f"the proxy failed: {type(error).__name__}: {error}")


def _view(operation: QueryOperation) -> Response | PassedOn:
    """A query endpoint through Flask (a HEAD; _QueryFront answers the others)."""
    return forward(_context(current_app), operation, Incoming.of(request.environ, request.path))


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
            view_func=partial(_view, operation),
            methods=METHODS,
            provide_automatic_options=False,
        )

    @app.before_request
    def _guard_host() -> None:
        # A page whose name rebinds to 127.0.0.1 must not read the journal or use the proxy (as the mock's guard).
        proxy = _context(current_app)
        host = request.environ.get("HTTP_HOST")
        if not proxy.host_allowed(host):
            raise proxy.hosts.refusal(host)

    app.add_url_rule("/__mock__/requests", "listRequests", _list_requests, methods=["GET"])
    app.add_url_rule("/__mock__/requests", "clearRequests", _clear_requests, methods=["DELETE"])
    app.add_url_rule("/oauth/authorize", "authorize", _authorize, methods=["GET"])

    app.wsgi_app = _QueryFront(  # type: ignore[method-assign]
        app.wsgi_app, app.extensions[EXTENSION_KEY], {operation.path: operation for operation in spec.queries}
    )

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
        return _envelope(spec, _crashed(error))

    return app

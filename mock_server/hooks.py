"""The app-level Flask hooks: Host guard, body limit, admin guard, faults, journal, worker header, self-check, errors.

Every request reads the store once (`Store.snapshot`: the clock and the fault list); only a
request that a stored fault matches writes to it (the fault's hit count), and every API
request appends one journal entry unless `--journal-limit 0`.
"""

from __future__ import annotations

import logging
import os
import traceback

from flask import Flask, Request, Response, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from cudis_spec import RangeContext

from .context import MockContext, mock_context
from .http import cors, envelope
from .http.admin_guard import ADMIN_HEADER, check_admin, check_same_origin, has_admin_token, is_admin_path
from .http.envelope import ApiError, ControlForbidden
from .http.fault_answers import REASON_HEADER, effect_of, fault_answer
from .http.headers import WORKER_HEADER
from .http.host_guard import HostNames
from .http.journal import journal_request, record_problem
from .http.paths import literal_paths, suggest
from .http.selfcheck import response_problems
from .state import faults
from .state.store import StoreUnavailable

log = logging.getLogger("cudis_mock")


def register(app: Flask, *, self_check: bool) -> None:
    """Install every hook; the self-check last, so the journal (an earlier after-hook) sees its verdict.

    The Host guard first: it refuses a foreign Host (DNS rebinding), and a foreign page's control request,
    before any other hook answers, CORS's preflight included. CORS next: its preflight answers before the
    remaining hooks run, and its grant (after-hooks run in reverse) is added to whatever answer the others
    settled on, a fault's or the self-check's included.
    """
    _guard_host(app)
    cors.register(app)
    _limit_body(app)
    _render_errors(app)
    _control(app)
    if self_check:
        _check_responses(app)


def _operation_id(req: Request) -> str:
    endpoint = req.url_rule.endpoint if req.url_rule else ""
    return endpoint.rsplit(".", 1)[-1]


def envelope_response(mock: MockContext, error: ApiError) -> Response:
    """An API error as its envelope, with the HTTP status `--error-status` gives its code."""
    status = error.info(mock.spec.codes).http_status(mock.config.error_status)
    response = Response(error.body(mock.spec.codes), status=status, mimetype="application/json", headers=error.headers)
    if error.reason:
        response.headers[REASON_HEADER] = error.reason
    return envelope.with_challenge(response)


def _guard_host(app: Flask) -> None:
    config = mock_context(app).config
    names = HostNames.parse(config.host, config.allowed_hosts)

    @app.before_request
    def guard_host() -> None:
        host = request.environ.get("HTTP_HOST")
        if not names.allows(host):
            g.cudis_refused = True  # not an answer of the operation: the self-check leaves it alone
            raise names.refusal(host)
        if is_admin_path(request.path):
            # Before the body limit and everything else: a foreign page learns nothing, not even a 413.
            check_same_origin(request)


def _limit_body(app: Flask) -> None:
    mock = mock_context(app)  # set once by create_app: no current_app look-up per request

    @app.before_request
    def limit_body() -> None:
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


def _render_errors(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        mock = mock_context()
        if is_admin_path(request.path):
            # The control API is not CUDIS: its errors always carry their HTTP status.
            status = error.info(mock.spec.codes).http
            return Response(error.body(mock.spec.codes), status=status, mimetype="application/json")
        return envelope_response(mock, error)

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
            meant = suggest(request.path, [*literal_paths(op.path for op in mock.spec.operations.values())])
            hint = f"did you mean {meant}?" if meant else "GET / lists the endpoints"
            api_error = envelope.NotFound(f"{request.method} {request.path}; {hint}")
        else:
            api_error = envelope.BadBody(error.description or error.name)
        return envelope_response(mock, api_error)

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(error: StoreUnavailable) -> Response:
        log.warning("%s %s: %s", request.method, request.path, error)
        return envelope_response(mock_context(), envelope.Unavailable(str(error)))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        text = "".join(traceback.format_exception(error))
        mock_context().errors.append(f"{request.method} {request.path}: {text}")
        record_problem(f"{type(error).__name__}: {error}")
        return envelope_response(
            mock_context(), envelope.Internal(f"{type(error).__name__}; the mock logged the details")
        )


def _control(app: Flask) -> None:
    mock = mock_context(app)

    @app.before_request
    def control_request() -> Response | None:
        req: Request = request._get_current_object()  # type: ignore[attr-defined]
        snapshot = mock.store.snapshot()
        mock.clock.hold(snapshot.clock)
        if is_admin_path(req.path):
            check_admin(req, mock.config.admin_token)
            return None
        admin_token = mock.config.admin_token
        if admin_token and faults.HEADER in req.headers and not has_admin_token(req, admin_token):
            raise ControlForbidden(
                f"{faults.HEADER} changes answers like the control API: send the admin token in {ADMIN_HEADER}"
            )
        effect = effect_of(mock, req, _operation_id(req), snapshot.faults)
        if effect.labels:
            g.cudis_fault_labels = effect.labels
        if effect.delay:
            mock.sleep(effect.delay)
        if effect.fault is None:
            return None
        g.cudis_injected = True
        return fault_answer(mock, req, effect.fault)

    @app.after_request
    def control_response(response: Response) -> Response:
        response.headers[WORKER_HEADER] = str(os.getpid())
        if not is_admin_path(request.path) and mock.config.journal_limit > 0 and not g.get("cudis_journaled"):
            try:
                journal_request(mock, request._get_current_object(), response)  # type: ignore[attr-defined]
            except StoreUnavailable as error:  # an after-request hook's error would skip the handlers
                log.warning("%s %s: %s", request.method, request.path, error)
                return envelope_response(mock, envelope.Unavailable(str(error)))
        return response

    @app.teardown_request
    def release_clock(_error: BaseException | None) -> None:
        mock.clock.hold(None)


def _check_responses(app: Flask) -> None:
    @app.after_request
    def check_response(response: Response) -> Response:
        mock = mock_context()
        op = mock.spec.operations.get(_operation_id(request))
        if op is None or response.direct_passthrough or g.get("cudis_injected") or g.get("cudis_refused"):
            return response
        context = RangeContext(now=mock.clock.now())
        problems = response_problems(
            mock.spec, op, response.status_code, response.mimetype or "", response.get_data(), context
        )
        if problems:
            mock.violations.extend(problems)
            for problem in problems:
                record_problem(problem)
            log.error("response breaks the contract: %s", "; ".join(problems))
            error = envelope.Internal("the mock's response broke its contract: " + "; ".join(problems))
            return Response(error.body(mock.spec.codes), status=500, mimetype="application/json")
        return response

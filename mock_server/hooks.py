"""Per-request test control: the admin guard, injected faults, the request journal, the worker header.

Every request reads the store once (`Store.snapshot`: the clock and the fault list); only a
request that a stored fault matches writes to it (the fault's hit count), and every API
request appends one journal entry unless `--journal-limit 0`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import re
import secrets
import socket
from collections.abc import Mapping
from typing import Any

from flask import Flask, Request, Response, g, request
from werkzeug.exceptions import HTTPException

from .context import MockContext, mock_context
from .http import envelope
from .http.envelope import ApiError, InvalidField
from .http.json_body import check_object
from .http.logmask import mask_secrets
from .oauth.tokens import bearer_token, mask
from .state import faults
from .state.faults import Effect, Fault, FaultError

log = logging.getLogger("cudis_mock")

ADMIN_PREFIX = "/__mock__/"
ADMIN_HEADER = "X-Cudis-Mock-Admin"
WORKER_HEADER = "X-Cudis-Mock-Worker"
_CODE_PREFIX = re.compile(rb'^\{"code":(-?\d+)')
NOT_YET_AVAILABLE = 50100


class ControlForbidden(ApiError):
    code = 40300


def is_admin_path(path: str) -> bool:
    return path.startswith(ADMIN_PREFIX)


def fault_from_body(mock: MockContext, body: Mapping[str, Any], fault_id: str) -> Fault:
    """A fault from a POST /__mock__/faults body (or a header item, or a scenario entry); InvalidField if bad."""
    pointer = "#/components/schemas/FaultRequest"
    schema = mock.spec.admin.resolve(pointer)
    check_object(body, mock.spec.admin.validator(pointer), schema.get("x-cudis-messages", {}), order=("kind",))
    try:
        return faults.build(fault_id, body, list(mock.spec.codes))
    except FaultError as exc:
        raise InvalidField(exc.problem, field=exc.field) from None


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _check_admin(mock: MockContext) -> None:
    expected = mock.config.admin_token
    if expected:
        given = request.headers.get(ADMIN_HEADER) or bearer_token(request.headers.get("Authorization")) or ""
        if not secrets.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode()):
            raise ControlForbidden(
                f"send the admin token in {ADMIN_HEADER}: <token> or Authorization: Bearer <token>"
                + (" (the one given does not match)" if given else "")
            )
    elif not _is_loopback(request.remote_addr):
        raise ControlForbidden(
            f"the control API answers only on loopback ({request.remote_addr} is not);"
            " start the mock with --admin-token TOKEN to reach it from elsewhere"
        )


def _operation_id() -> str:
    endpoint = request.url_rule.endpoint if request.url_rule else ""
    return endpoint.rsplit(".", 1)[-1]


def _effect(mock: MockContext, stored: tuple[Fault, ...]) -> Effect:
    op, path = _operation_id(), request.path
    header = request.headers.get(faults.HEADER)
    from_header = Effect()
    if header:
        try:
            bodies = faults.header_bodies(header)
        except FaultError as exc:
            raise InvalidField(exc.problem, field=exc.field) from None
        listed = [fault_from_body(mock, body, f"header-{i}") for i, body in enumerate(bodies)]
        from_header = faults.step(listed, op, path)[1]
    effect = from_header
    if any(faults.matches(f, op, path) for f in stored):
        decided = from_header.fault is not None
        stored_effect = mock.store.update_faults(lambda current: faults.step(current, op, path, decided))
        effect = Effect(
            delay=from_header.delay + stored_effect.delay,
            fault=from_header.fault or stored_effect.fault,
            labels=from_header.labels + stored_effect.labels,
        )
    return effect


def _drop_connection() -> Response:
    sock = request.environ.get("werkzeug.socket") or request.environ.get("gunicorn.socket")
    if not isinstance(sock, socket.socket):
        raise envelope.Internal("this server cannot drop a connection; use cudis-mock serve or the pytest plugin")
    request.get_data(cache=True)  # read the body first: the journal keeps it
    with contextlib.suppress(OSError):  # the client may be gone already
        sock.shutdown(socket.SHUT_RDWR)
    # The server's write of this (empty) answer fails on the closed socket, which it ignores.
    return Response(b"", status=500)


def _answer(mock: MockContext, fault: Fault) -> Response:
    if fault.kind == "drop":
        # Journal before the socket closes: the client's retry arrives at once on another thread,
        # and its entry must come after this one.
        if mock.config.journal_limit > 0:
            _journal(mock, None)
            g.cudis_journaled = True
        return _drop_connection()
    if fault.kind == "malformed":
        return Response(faults.MALFORMED_BODY, status=200, mimetype="application/json")
    code = faults.envelope_code(fault)
    detail = {
        "status": f"injected HTTP {fault.status} fault",
        "rate_limit": f"injected fault; retry after {fault.retry_after} s",
        "code": f"injected fault ({fault.describe()})",
    }[fault.kind]
    if code == NOT_YET_AVAILABLE:
        detail = f"the vendor's page marks {request.path} In Development, Not Yet Available (injected fault)"
    info = mock.spec.codes[code]
    msg = info.msg.format(field="request", detail=detail)
    status = fault.status if fault.kind == "status" and fault.status is not None else None
    status = status or envelope.http_status(mock.spec, code, mock.config.error_status)
    response = Response(envelope.error_body(code, msg), status=status, mimetype="application/json")
    if fault.kind == "rate_limit":
        response.headers["Retry-After"] = str(fault.retry_after)
    response.headers["X-Cudis-Mock-Reason"] = f"injected fault {fault.id}: {fault.describe()}"
    return response


_MASKED_ENVIRON = {"HTTP_AUTHORIZATION", "HTTP_X_CUDIS_MOCK_ADMIN", "HTTP_COOKIE"}
_ENVIRON_BODY_HEADERS = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}


def _masked_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """The request's headers as `request.headers.items()` lists them (read from the WSGI environ
    directly, which is several times cheaper), secrets masked."""
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                continue
            name = key[5:].replace("_", "-").title()
        elif key in _ENVIRON_BODY_HEADERS and value:
            name = _ENVIRON_BODY_HEADERS[key]
        else:
            continue
        if key in _MASKED_ENVIRON:
            token = bearer_token(value)
            value = f"Bearer {mask(token)}" if token else mask(value)
        headers[name] = value
    return headers


def _envelope_code(response: Response) -> int | None:
    if response.direct_passthrough or response.mimetype != "application/json":
        return None
    match = _CODE_PREFIX.match(response.get_data()[:24])
    return int(match.group(1)) if match else None


def _body_text(mock: MockContext, req: Request) -> str:
    length = req.content_length
    if length is not None and length > mock.config.max_body_bytes:
        return f"({length} bytes, not read)"
    try:
        return req.get_data(cache=True).decode("utf-8", "replace")
    except HTTPException as exc:  # the body was too large or the client went away mid-way
        return f"(not read: {exc.name})"


def _journal(mock: MockContext, response: Response | None) -> None:
    state = g._get_current_object()  # one proxy look-up, not one per field
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    labels: tuple[str, ...] = state.get("cudis_fault_labels", ())
    dropped = bool(state.get("cudis_dropped", False))
    entry = {
        "time": mock.clock.now(),
        "method": req.method,
        # A token can reach a URL or a body (a client following the authorize redirect to the mock,
        # a consent form's password): the journal keeps only its first characters.
        "path": mask_secrets(req.path),
        "query": mask_secrets(req.query_string.decode("latin-1")),
        "headers": _masked_headers(req.environ),
        "body": mask_secrets(_body_text(mock, req)),
        "status": None if dropped or response is None else response.status_code,
        "code": None if dropped or response is None else _envelope_code(response),
        "fault": ", ".join(labels) or None,
        "reason": None if response is None else response.headers.get("X-Cudis-Mock-Reason"),
        "problems": list(state.get("cudis_problems", [])),
        "worker": os.getpid(),
    }
    mock.store.append_journal(entry, mock.config.journal_limit)


def record_problem(problem: str) -> None:
    """Note an error inside the mock for the journal of the current request."""
    g.setdefault("cudis_problems", []).append(problem)


def install(app: Flask) -> None:
    """Register the control hooks; call before the self-check so the journal sees its verdict."""

    @app.before_request
    def control_request() -> Response | None:
        mock = mock_context()
        snapshot = mock.store.snapshot()
        mock.clock.hold(snapshot.clock)
        if is_admin_path(request.path):
            _check_admin(mock)
            return None
        effect = _effect(mock, snapshot.faults)
        if effect.labels:
            g.cudis_fault_labels = effect.labels
        if effect.delay:
            mock.sleep(effect.delay)
        if effect.fault is None:
            return None
        g.cudis_injected = True
        g.cudis_dropped = effect.fault.kind == "drop"
        return _answer(mock, effect.fault)

    @app.after_request
    def control_response(response: Response) -> Response:
        mock = mock_context()
        response.headers[WORKER_HEADER] = str(os.getpid())
        if not is_admin_path(request.path) and mock.config.journal_limit > 0 and not g.get("cudis_journaled"):
            _journal(mock, response)
        return response

    @app.teardown_request
    def release_clock(_error: BaseException | None) -> None:
        mock_context().clock.hold(None)

"""Injected faults at the HTTP edge: which ones a request meets, and the answer each gives."""

from __future__ import annotations

import contextlib
import socket

from flask import Request, Response, g

from ..context import MockContext
from ..state import faults
from ..state.control import fault_from_body
from ..state.faults import Effect, Fault, FaultError
from .envelope import Internal, InvalidField, error_body, with_challenge
from .journal import journal_request

REASON_HEADER = "X-Cudis-Mock-Reason"


def effect_of(mock: MockContext, req: Request, operation_id: str, stored: tuple[Fault, ...]) -> Effect:
    """What the faults of the request's header and of the store do to it (moving stored counts on)."""
    path = req.path
    header = req.headers.get(faults.HEADER)
    from_header = Effect()
    if header:
        try:
            bodies = faults.header_bodies(header)
        except FaultError as exc:
            raise InvalidField(exc.problem, field=exc.field) from None
        listed = [fault_from_body(mock, body, f"header-{i}") for i, body in enumerate(bodies)]
        delaying = listed + [f for f in stored if faults.matches(f, operation_id, path)]
        try:
            faults.check_total_delay(delaying, mock.spec.max_fault_delay_ms, faults.HEADER)
        except FaultError as exc:
            raise InvalidField(exc.problem, field=exc.field) from None
        from_header = faults.step(listed, operation_id, path)[1]
    effect = from_header
    if any(faults.matches(f, operation_id, path) for f in stored):
        decided = from_header.fault is not None
        stored_effect = mock.store.update_faults(lambda current: faults.step(current, operation_id, path, decided))
        effect = Effect(
            delay=from_header.delay + stored_effect.delay,
            fault=from_header.fault or stored_effect.fault,
            labels=from_header.labels + stored_effect.labels,
        )
    return effect


def _client_socket(req: Request) -> socket.socket:
    sock = req.environ.get("werkzeug.socket") or req.environ.get("gunicorn.socket")
    if not isinstance(sock, socket.socket):
        raise Internal("this server cannot drop a connection; use cudis-mock serve or the pytest plugin")
    return sock


def _drop_connection(req: Request, sock: socket.socket) -> Response:
    req.get_data(cache=True)  # read the body first: the journal keeps it
    with contextlib.suppress(OSError):  # the client may be gone already
        sock.shutdown(socket.SHUT_RDWR)
    # The server's write of this (empty) answer fails on the closed socket, which it ignores.
    return Response(b"", status=500)


def fault_answer(mock: MockContext, req: Request, fault: Fault) -> Response:
    """The answer a decisive fault gives in place of the endpoint's."""
    codes = mock.spec.codes
    if fault.kind == "drop":
        sock = _client_socket(req)  # a server that cannot drop answers 500, and the journal says so
        g.cudis_dropped = True
        # Journal before the socket closes: the client's retry arrives at once on another thread,
        # and its entry must come after this one.
        if mock.config.journal_limit > 0:
            journal_request(mock, req, None)
        return _drop_connection(req, sock)
    if fault.kind == "malformed":
        return Response(faults.malformed_body(codes), status=200, mimetype="application/json")
    info = codes[faults.envelope_code(fault, codes)]
    detail = {
        "status": f"injected HTTP {fault.status} fault",
        "rate_limit": f"injected fault; retry after {fault.retry_after} s",
        "code": f"injected fault ({fault.describe()})",
    }[fault.kind]
    if info.key == "not-yet-available":
        detail = f"the vendor's page marks {req.path} In Development, Not Yet Available (injected fault)"
    status = fault.status if fault.kind == "status" and fault.status is not None else None
    status = status or info.http_status(mock.config.error_status)
    response = Response(error_body(info.code, info.message(detail=detail)), status=status, mimetype="application/json")
    if fault.kind == "rate_limit":
        response.headers["Retry-After"] = str(fault.retry_after)
    response.headers[REASON_HEADER] = f"injected fault {fault.id}: {fault.describe()}"
    return with_challenge(response)

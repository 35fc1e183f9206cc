"""The control API under /__mock__/ (openapi/mock-admin.yaml)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, request

from ..context import MockContext, mock_context
from ..http.envelope import InvalidField, NotFound, dumps
from ..oauth.tokens import token_digest
from ..state import control, faults
from ..state.control import (
    TOKEN_EXAMPLE,
    admin_body,
    apply_clock,
    apply_reset,
    check_total_delay,
    fault_from_body,
)
from ..state.store import ClockState
from .routing import Handler


def _json(payload: object, status: int) -> Response:
    return Response(dumps(payload), status=status, mimetype="application/json")


def mint_token() -> Response:
    mock = mock_context()
    return _json(control.mint_token(mock, _body(mock, "TokenRequest", TOKEN_EXAMPLE, example_in_required=False)), 201)


def _body(mock: MockContext, schema_name: str, example: str, *, example_in_required: bool = True) -> dict[str, Any]:
    """The request body (none is `{}`), checked against `schema_name` of mock-admin.yaml."""
    raw = request.get_data(cache=True)
    content_type = request.headers.get("Content-Type")
    return admin_body(mock, raw, content_type, schema_name, example, example_in_required=example_in_required)


def _no_content() -> Response:
    return Response(status=204)


def revoke_token(token: str) -> Response:
    if not mock_context().store.revoke_token(token_digest(token)):
        raise NotFound(f"no token {token[:4]}… is issued (already revoked, or reset)")
    return _no_content()


def _clock_json(mock: MockContext, state: ClockState) -> Response:
    now = mock.clock.at(state)
    return _json(
        {
            "now": now,
            "iso": datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z"),
            "frozen": state.frozen_at is not None,
            "offset": state.offset,
        },
        200,
    )


def get_clock() -> Response:
    mock = mock_context()
    return _clock_json(mock, mock.store.clock_state())


def set_clock() -> Response:
    mock = mock_context()
    body = _body(mock, "ClockRequest", '{"now": 1795521600}')
    return _clock_json(mock, apply_clock(mock, body))


def advance_clock() -> Response:
    mock = mock_context()
    body = _body(mock, "AdvanceRequest", '{"seconds": 86400}')
    seconds = float(body["seconds"])
    # Every request reads the clock: one that left the timestamps the API serves would fail them all.
    low, high = mock.spec.range.minimum, mock.spec.range.maximum
    reached = mock.clock.at(mock.store.clock_state().advanced(seconds))
    if not low <= reached <= high:
        raise InvalidField(
            f"would move the clock to {reached:.0f}, outside the timestamps the mock serves ({low} to {high})",
            field="seconds",
        )
    return _clock_json(mock, mock.store.advance_clock(seconds))


def list_faults() -> Response:
    return _json({"faults": [f.to_json() for f in mock_context().store.snapshot().faults]}, 200)


def add_fault() -> Response:
    mock = mock_context()
    body = _body(mock, "FaultRequest", '{"kind": "status", "status": 503, "times": 2}')
    fault_from_body(mock, body, "f0")  # refuse a bad fault before taking the store's lock

    def append(current: list[faults.Fault]) -> tuple[list[faults.Fault], faults.Fault]:
        fault = fault_from_body(mock, body, faults.next_id(current))
        check_total_delay([*current, fault], mock, "ms" if "ms" in body else "max_ms")
        return [*current, fault], fault

    return _json(mock.store.update_faults(append).to_json(), 201)


def clear_faults() -> Response:
    mock_context().store.update_faults(lambda current: ([], None))
    return _no_content()


def remove_fault(fault_id: str) -> Response:
    def remove(current: list[faults.Fault]) -> tuple[list[faults.Fault], bool]:
        kept = [f for f in current if f.id != fault_id]
        return kept, len(kept) < len(current)

    mock = mock_context()
    if not mock.store.update_faults(remove):
        known = ", ".join(f.id for f in mock.store.snapshot().faults) or "none"
        raise NotFound(f"no fault {fault_id!r} (faults now: {known})")
    return _no_content()


def list_requests() -> Response:
    raw = request.args.get("limit")
    if raw is not None and (not raw.isdigit() or int(raw) < 1):
        raise InvalidField(f"must be a whole number of at least 1 (got {raw!r})", field="limit")
    mock = mock_context()
    limit = int(raw) if raw else None
    keep = mock.config.journal_limit
    # A shared store trims its file now and then, so it may hold more than the latest `keep`.
    if keep and (limit is None or limit > keep):
        limit = keep
    return _json({"requests": mock.store.journal(limit)}, 200)


def clear_requests() -> Response:
    mock_context().store.clear_journal()
    return _no_content()


def reset_mock() -> Response:
    apply_reset(mock_context())
    return _no_content()


def list_users() -> Response:
    mock = mock_context()
    users = []
    for user in mock.fixtures.users.values():
        account = mock.fixtures.accounts.get(user.id)
        users.append(
            {
                "id": user.id,
                "name": user.name,
                "username": account.username if account else "",
                "password": account.password if account else "",
                "timezone": user.timezone,
                "persona": user.persona.name,
                "joined": user.joined.isoformat() if user.joined else None,
                "description": account.description if account else "",
            }
        )
    return _json({"users": users}, 200)


def list_clients() -> Response:
    clients = [
        {
            "id": c.id,
            "name": c.name,
            "description": c.description,
            "redirect_uris": list(c.redirect_uris),
            "scopes": list(c.scopes),
        }
        for c in mock_context().fixtures.clients.values()
    ]
    return _json({"clients": clients}, 200)


HANDLERS: dict[str, Handler] = {
    "mintToken": mint_token,
    "revokeToken": revoke_token,
    "getClock": get_clock,
    "setClock": set_clock,
    "advanceClock": advance_clock,
    "listFaults": list_faults,
    "addFault": add_fault,
    "clearFaults": clear_faults,
    "removeFault": remove_fault,
    "listRequests": list_requests,
    "clearRequests": clear_requests,
    "resetMock": reset_mock,
    "listUsers": list_users,
    "listClients": list_clients,
}

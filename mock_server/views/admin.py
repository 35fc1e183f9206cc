"""The control API under /__mock__/ (openapi/mock-admin.yaml)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Response, request

from ..context import MockContext, mock_context
from ..http.envelope import InvalidField, NotFound
from ..http.fault_answers import fault_from_body
from ..http.json_body import check_object, decode_object
from ..oauth.tokens import DAILY, mint, parse_scopes, token_digest
from ..state import faults
from ..state.store import ClockState
from .routing import Handler

_TOKEN_EXAMPLE = '{"client_id": "cudis-wellness", "user_id": "typical", "scope": "daily", "expires_in": 2592000}'


def _json(payload: object, status: int) -> Response:
    return Response(json.dumps(payload, separators=(",", ":")), status=status, mimetype="application/json")


def mint_token() -> Response:
    mock = mock_context()
    body = _body(mock, "TokenRequest", _TOKEN_EXAMPLE, example_in_required=False)
    client_id = body.get("client_id", mock.fixtures.default_client.id)
    user_id = body.get("user_id", mock.fixtures.default_user.id)
    if client_id not in mock.fixtures.clients:
        raise InvalidField(
            f"unknown client {client_id!r} (known: {', '.join(mock.fixtures.clients)})", field="client_id"
        )
    if user_id not in mock.fixtures.users:
        raise InvalidField(f"unknown user {user_id!r} (known: {', '.join(mock.fixtures.users)})", field="user_id")
    scopes = parse_scopes(body.get("scope", DAILY))
    lifetime = int(body.get("expires_in", mock.config.token_lifetime))
    now = mock.clock.now()
    token, record = mint(client_id, user_id, scopes, now, lifetime)
    mock.issue_token(record)
    return _json(
        {
            "access_token": token,
            "token_type": "bearer",
            "scope": "+".join(scopes),
            "expires_at": int(record.expires_at),
            "expires_in": lifetime,
            "client_id": client_id,
            "user_id": user_id,
        },
        201,
    )


def _body(mock: MockContext, schema_name: str, example: str, *, example_in_required: bool = True) -> dict[str, Any]:
    """The request body (none is `{}`), checked against `schema_name` of mock-admin.yaml."""
    raw = request.get_data(cache=True)
    body: dict[str, Any] = decode_object(raw, request.headers.get("Content-Type"), example) if raw.strip() else {}
    pointer = f"#/components/schemas/{schema_name}"
    messages = mock.spec.schema_messages(pointer, document="admin")
    check_object(body, mock.spec.admin.validator(pointer), messages, example=example if example_in_required else "")
    return body


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


def apply_clock(mock: MockContext, body: Mapping[str, Any]) -> ClockState:
    """Set the clock from a ClockRequest body."""
    now = float(body["now"])
    if body.get("frozen", True):
        state = ClockState(frozen_at=now)
    else:
        state = ClockState(offset=now - mock.clock.at(ClockState()))
    mock.store.set_clock_state(state)
    return state


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
        _check_total_delay([*current, fault], mock, "ms" if "ms" in body else "max_ms")
        return [*current, fault], fault

    return _json(mock.store.update_faults(append).to_json(), 201)


def _check_total_delay(stored: list[faults.Fault], mock: MockContext, field: str) -> None:
    # Any endpoint: the stored faults that match one request are at most all of them.
    try:
        faults.check_total_delay(stored, mock.spec.max_fault_delay_ms, field)
    except faults.FaultError as exc:
        raise InvalidField(exc.problem, field=exc.field) from None


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


def apply_reset(mock: MockContext) -> None:
    """Back to the start-up state: no token, no journal, real time, the scenario's faults."""
    mock.store.reset()
    mock.violations.clear()
    mock.errors.clear()
    if mock.scenario is not None:
        apply_scenario(mock)


def apply_scenario(mock: MockContext) -> None:
    """Replace the faults (and set the clock) as the `--scenario` says."""
    scenario = mock.scenario
    if scenario is None:
        return
    if scenario.clock is not None:
        apply_clock(mock, scenario.clock)

    def replace_all(_current: list[faults.Fault]) -> tuple[list[faults.Fault], None]:
        built: list[faults.Fault] = []
        for body in scenario.faults:
            built.append(fault_from_body(mock, body, faults.next_id(built)))
        _check_total_delay(built, mock, "faults")
        return built, None

    mock.store.update_faults(replace_all)


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

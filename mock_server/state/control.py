"""What the control API does to a mock's state, apart from HTTP: bodies checked, tokens minted,
the clock set, faults built, the scenario applied, a reset. The control views (views/admin.py),
the start-up (context.py) and the fast path (http/fast_path.py) call these."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..http.envelope import InvalidField
from ..http.json_body import check_object, decode_object
from ..oauth.tokens import DAILY, mint, parse_scopes
from . import faults
from .store import ClockState

if TYPE_CHECKING:
    from ..context import MockContext

_FAULT_REQUEST = "#/components/schemas/FaultRequest"
TOKEN_EXAMPLE = '{"client_id": "cudis-wellness", "user_id": "typical", "scope": "daily", "expires_in": 2592000}'


def admin_body(
    mock: MockContext,
    raw: bytes,
    content_type: str | None,
    schema_name: str,
    example: str,
    *,
    example_in_required: bool = True,
) -> dict[str, Any]:
    """A control request's body (none is `{}`), checked against `schema_name` of mock-admin.yaml."""
    body: dict[str, Any] = decode_object(raw, content_type, example) if raw.strip() else {}
    pointer = f"#/components/schemas/{schema_name}"
    messages = mock.spec.schema_messages(pointer, document="admin")
    admin = mock.spec.admin
    example = example if example_in_required else ""
    check_object(body, admin.validator(pointer), messages, example=example, is_valid=admin.fast_check(pointer))
    return body


def mint_token(mock: MockContext, body: Mapping[str, Any]) -> dict[str, Any]:
    """Mint and keep a token as a checked TokenRequest body asks; the TokenResponse."""
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
    token, record = mint(client_id, user_id, scopes, mock.clock.now(), lifetime)
    mock.issue_token(record)
    return {
        "access_token": token,
        "token_type": "bearer",
        "scope": "+".join(scopes),
        "expires_at": int(record.expires_at),
        "expires_in": lifetime,
        "client_id": client_id,
        "user_id": user_id,
    }


def fault_from_body(mock: MockContext, body: Mapping[str, Any], fault_id: str) -> faults.Fault:
    """A fault from a POST /__mock__/faults body (or a header item, or a scenario entry); InvalidField if bad."""
    messages = mock.spec.schema_messages(_FAULT_REQUEST, document="admin")
    check_object(body, mock.spec.admin.validator(_FAULT_REQUEST), messages, order=("kind",))
    try:
        return faults.build(fault_id, body, mock.spec.codes)
    except faults.FaultError as exc:
        raise InvalidField(exc.problem, field=exc.field) from None


def check_total_delay(stored: list[faults.Fault], mock: MockContext, field: str) -> None:
    # Any endpoint: the stored faults that match one request are at most all of them.
    try:
        faults.check_total_delay(stored, mock.spec.max_fault_delay_ms, field)
    except faults.FaultError as exc:
        raise InvalidField(exc.problem, field=exc.field) from None


def apply_clock(mock: MockContext, body: Mapping[str, Any]) -> ClockState:
    """Set the clock from a ClockRequest body."""
    now = float(body["now"])
    if body.get("frozen", True):
        state = ClockState(frozen_at=now)
    else:
        state = ClockState(offset=now - mock.clock.at(ClockState()))
    mock.store.set_clock_state(state)
    return state


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
        check_total_delay(built, mock, "faults")
        return built, None

    mock.store.update_faults(replace_all)

"""What the suite meant by a request: its operation and method, its body as the contract sees it, its credentials.

A check judges an exchange against its `Case`, as a schemathesis check judges a response
against the generated case.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cudis_spec import QueryOperation, Spec, load_spec

from .schema_errors import assumption_of, error_text

RANGE_FIELDS = ("startTime", "endTime")


class BodyKind(StrEnum):
    VALID = "valid"
    """Keeps everything the contract says of a range."""
    ASSUMED_INVALID = "assumed-invalid"
    """Breaks only what the spec assumed (bounds, required fields, request rules, no body)."""
    INVALID = "invalid"
    """Breaks what the page states: not JSON, not an object, a field not a number."""


@dataclass(frozen=True)
class RequestBody:
    """What a query's body is, as the contract sees it."""

    kind: BodyKind
    reason: str
    value: Any = None
    assumption: str | None = None

    @property
    def range(self) -> tuple[float, float] | None:
        if not isinstance(self.value, Mapping):
            return None
        numbers = [
            float(v)
            for v in (self.value.get(name) for name in RANGE_FIELDS)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        ]
        return (numbers[0], numbers[1]) if len(numbers) == 2 else None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def classify_body(spec: Spec, operation: QueryOperation, body: bytes | None, content_type: str) -> RequestBody:
    """Whether a query body keeps the contract, breaks an assumption, or breaks what the page states."""
    if body is None or not body.strip():
        return RequestBody(BodyKind.ASSUMED_INVALID, "no body (the page always sends one)", None, "bad-input-codes")
    try:
        value = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError):
        return RequestBody(BodyKind.INVALID, "the body is not JSON")
    vendor_errors = list(spec.api.validator(operation.body_pointer, vendor_only=True).iter_errors(value))
    if vendor_errors:
        return RequestBody(BodyKind.INVALID, error_text(vendor_errors[0]), value)
    errors = list(spec.api.validator(operation.body_pointer).iter_errors(value))
    if errors:
        error = errors[0]
        assumption = assumption_of(error) or "bad-input-codes"
        return RequestBody(BodyKind.ASSUMED_INVALID, error_text(error), value, assumption)
    broken = spec.range.broken_rules(value)
    if broken:
        return RequestBody(BodyKind.ASSUMED_INVALID, broken[0].message, value, broken[0].assumption)
    if "json" not in content_type.lower():
        return RequestBody(BodyKind.ASSUMED_INVALID, f"sent as {content_type or 'no Content-Type'}", value)
    return RequestBody(BodyKind.VALID, "a valid range", value)


class AuthProbe(StrEnum):
    """Bad credentials sent in place of the valid ones, with a valid range."""

    NO_TOKEN = "no-token"
    WRONG_TOKEN = "wrong-token"
    TOKEN_START_CHANGED = "token-start-changed"
    TOKEN_END_CHANGED = "token-end-changed"
    NO_CLIENT_ID = "no-client-id"
    WRONG_CLIENT_ID = "wrong-client-id"
    EXPIRED_TOKEN = "expired-token"


def _other_character(character: str) -> str:
    return "B" if character == "A" else "A"


def auth_probes(
    token: str, client_id: str, expired_token: str | None, foreign_token: str
) -> list[tuple[AuthProbe, dict[str, str]]]:
    """The credentials each probe sends in place of the valid ones."""
    bearer = f"Bearer {token}"
    client = load_spec().client_id_header
    probes = [
        (AuthProbe.NO_TOKEN, {client: client_id}),
        (AuthProbe.WRONG_TOKEN, {"Authorization": f"Bearer {foreign_token}", client: client_id}),
        (
            AuthProbe.TOKEN_START_CHANGED,
            {"Authorization": f"Bearer {_other_character(token[:1])}{token[1:]}", client: client_id},
        ),
        (
            AuthProbe.TOKEN_END_CHANGED,
            {"Authorization": f"Bearer {token[:-1]}{_other_character(token[-1:])}", client: client_id},
        ),
        (AuthProbe.NO_CLIENT_ID, {"Authorization": bearer}),
        (AuthProbe.WRONG_CLIENT_ID, {"Authorization": bearer, client: f"not-{client_id}"}),
    ]
    if expired_token:
        probes.append((AuthProbe.EXPIRED_TOKEN, {"Authorization": f"Bearer {expired_token}", client: client_id}))
    return probes


@dataclass(frozen=True)
class Case:
    """What the suite meant by one request to a query operation (sent with any method: see the exchange's)."""

    operation: QueryOperation
    body: RequestBody
    probe: AuthProbe | None = None
    """The bad credentials sent in place of the valid ones; None when the valid ones were sent."""

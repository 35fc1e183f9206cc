"""The control API under /__mock__/ (openapi/mock-admin.yaml)."""

from __future__ import annotations

import json

from flask import Response, request

from ..context import mock_context
from ..envelope import InvalidField
from ..json_body import check_object, decode_object
from ..tokens import DAILY, mint, parse_scopes

_TOKEN_EXAMPLE = '{"client_id": "cudis-wellness", "user_id": "typical", "scope": "daily", "expires_in": 2592000}'


def _json(payload: object, status: int) -> Response:
    return Response(json.dumps(payload, separators=(",", ":")), status=status, mimetype="application/json")


def mint_token() -> Response:
    mock = mock_context()
    raw = request.get_data(cache=True)
    body = decode_object(raw, request.headers.get("Content-Type"), _TOKEN_EXAMPLE) if raw.strip() else {}
    pointer = "#/components/schemas/TokenRequest"
    schema = mock.spec.admin.resolve(pointer)
    check_object(body, mock.spec.admin.validator(pointer), schema.get("x-cudis-messages", {}))
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
    mock.store.add_token(record)
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


HANDLERS = {"mintToken": mint_token}

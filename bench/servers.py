"""WSGI apps `make bench` serves with gunicorn: the mock with a known token, and the two floors.

- `mock_app()`: the mock as `mock_server.wsgi` builds it, plus the access tokens given in
  `CUDIS_BENCH_TOKENS` (`token:user,...`, client cudis-wellness), added in every worker (until
  all workers share one store, a token minted over HTTP would be known to one worker only).
- `bare_app`: a bare WSGI callable returning a fixed JSON body (what the server alone can do).
- `flask_app()`: a minimal Flask route returning the same fixed body (the framework floor).

The fixed body is read from the file in `CUDIS_BENCH_BODY` (a real 30-day answer of the mock).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask, Response

QUERY_PATHS = ("/partner/v1/query/heart_beat", "/partner/v1/query/step", "/partner/v1/query/sleep")


def _body() -> bytes:
    return Path(os.environ["CUDIS_BENCH_BODY"]).read_bytes()


def mock_app() -> Any:
    from mock_server.context import mock_context
    from mock_server.oauth.tokens import TokenRecord, mask, token_digest
    from mock_server.wsgi import app

    mock = mock_context(app)
    now = mock.clock.now()
    for pair in filter(None, os.environ.get("CUDIS_BENCH_TOKENS", "").split(",")):
        token, _, user = pair.partition(":")
        mock.store.add_token(
            TokenRecord(
                digest=token_digest(token),
                client_id="cudis-wellness",
                user_id=user,
                scopes=("daily",),
                issued_at=now,
                expires_at=now + 30 * 86400,
                hint=mask(token),
            )
        )
    return app


_FIXED = _body() if "CUDIS_BENCH_BODY" in os.environ else b""
_HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(_FIXED)))]


def bare_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    environ["wsgi.input"].read()
    start_response("200 OK", list(_HEADERS))
    return [_FIXED]


def flask_app() -> Flask:
    app = Flask(__name__)

    def fixed() -> Response:
        return Response(_FIXED, status=200, mimetype="application/json")

    for i, path in enumerate(QUERY_PATHS):
        app.add_url_rule(path, endpoint=f"q{i}", view_func=fixed, methods=["GET"])
    return app

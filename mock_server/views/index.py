"""`GET /`: what the mock serves and where to start, as a short page (or JSON when asked for)."""

from __future__ import annotations

import json
import shlex
from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, render_template, request

from ..context import mock_context
from .explorer import SECURITY_HEADERS

DOCS = (
    "README.md",
    "docs/authorize-flow.md",
    "docs/test-control.md",
    "docs/qa-data.md",
    "openapi/cudis-v1.yaml",
    "examples/spa/ (a browser app)",
)
"""In the checkout (or the sdist): the mock serves no docs of its own."""
SPA_CALLBACK = "http://localhost:3000/callback"
"""The `local-dev` client's callback: where examples/spa is served."""


def _index(base: str) -> dict[str, Any]:
    mock = mock_context()
    client = mock.fixtures.default_client.id
    authorize = {"response_type": "token", "client_id": "local-dev", "redirect_uri": SPA_CALLBACK, "state": "RANDOM"}
    body = json.dumps({"client_id": client, "user_id": "typical"})
    return {
        "name": "cudis-mock: a local fake of the CUDIS Ring partner API (V1)",
        "endpoints": [
            {"method": op.method, "path": op.path, "summary": str(mock.spec.operations[op.operation_id].raw["summary"])}
            for op in mock.spec.queries
        ],
        "consent_page": f"{base}/oauth/authorize?{urlencode(authorize)}",
        "explorer": f"{base}/__mock__/explorer",
        "mint_token": (
            f"curl -s -X POST {base}/__mock__/tokens -H 'Content-Type: application/json' -d {shlex.quote(body)}"
        ),
        "docs": list(DOCS),
    }


def index() -> Response:
    base = request.host_url.rstrip("/")
    values = _index(base)
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify(values)
    return Response(render_template("index.html", **values), mimetype="text/html", headers=SECURITY_HEADERS)


HANDLERS = {"index": index}

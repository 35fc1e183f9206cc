"""One journal entry per API request: what came in and what went out, secrets masked."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from flask import Request, Response, g
from werkzeug.exceptions import HTTPException

from ..context import MockContext
from ..oauth.tokens import bearer_token, mask
from .logmask import mask_secrets

_CODE_PREFIX = re.compile(rb'^\{"code":(-?\d+)')
_MASKED_ENVIRON = {"HTTP_AUTHORIZATION", "HTTP_X_CUDIS_MOCK_ADMIN", "HTTP_COOKIE"}
_ENVIRON_BODY_HEADERS = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}


def masked_headers(environ: Mapping[str, Any]) -> dict[str, str]:
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


def record_problem(problem: str) -> None:
    """Note an error inside the mock for the journal of the current request."""
    g.setdefault("cudis_problems", []).append(problem)


def journal_request(mock: MockContext, req: Request, response: Response | None) -> None:
    """Append the entry of `req` (answered with `response`; None when its connection was dropped)."""
    state = g._get_current_object()  # one proxy look-up, not one per field
    labels: tuple[str, ...] = state.get("cudis_fault_labels", ())
    dropped = bool(state.get("cudis_dropped", False))
    entry = {
        "time": mock.clock.now(),
        "method": req.method,
        # A token can reach a URL or a body (a client following the authorize redirect to the mock,
        # a consent form's password): the journal keeps only its first characters.
        "path": mask_secrets(req.path),
        "query": mask_secrets(req.query_string.decode("latin-1")),
        "headers": masked_headers(req.environ),
        "body": mask_secrets(_body_text(mock, req)),
        "status": None if dropped or response is None else response.status_code,
        "code": None if dropped or response is None else _envelope_code(response),
        "fault": ", ".join(labels) or None,
        "reason": None if response is None else response.headers.get("X-Cudis-Mock-Reason"),
        "problems": list(state.get("cudis_problems", [])),
        "worker": os.getpid(),
    }
    mock.store.append_journal(entry, mock.config.journal_limit)
    g.cudis_journaled = True

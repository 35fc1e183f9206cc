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
_SECRET_HEADER = re.compile(r"AUTH|TOKEN|SECRET|KEY|COOKIE|SESSION|PASSWORD|CREDENTIAL|ADMIN")
"""A header named like this holds a credential whatever its value looks like: it keeps only a hint."""
_ENVIRON_BODY_HEADERS = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}


def cut(text: str, limit: int) -> tuple[str, bool]:
    """`text` cut to `limit` bytes of UTF-8 and marked (`…(N more bytes)`), and whether it was cut."""
    data = text.encode("utf-8", "surrogateescape")
    if len(data) <= limit:
        return text, False
    kept = data[:limit].decode("utf-8", "ignore")
    return f"{kept}…({len(data) - limit} more bytes)", True


def _masked_value(key: str, value: str) -> str:
    if _SECRET_HEADER.search(key):
        token = bearer_token(value)
        return f"{value.split(None, 1)[0]} {mask(token)}" if token else mask(value)
    return mask_secrets(value)  # a Referer with ?access_token=, a token-shaped value


def masked_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """The request's headers as `request.headers.items()` lists them, every value masked for secrets."""
    return kept_headers(environ, 1 << 62, 1 << 62)[0]


def kept_headers(environ: Mapping[str, Any], value_bytes: int, count: int) -> tuple[dict[str, str], bool]:
    """The request's headers as `request.headers.items()` lists them (read from the WSGI environ
    directly, which is several times cheaper), every value masked for secrets; the first `count`
    headers, each cut to `value_bytes`; and whether anything was cut."""
    headers: dict[str, str] = {}
    truncated = False
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                continue
            name = key[5:].replace("_", "-").title()
        elif key in _ENVIRON_BODY_HEADERS and value:
            name = _ENVIRON_BODY_HEADERS[key]
        else:
            continue
        if len(headers) == count:
            truncated = True
            break
        value, was_cut = cut(_masked_value(key, value), value_bytes)
        truncated |= was_cut
        headers[name] = value
    return headers, truncated


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
    limits = mock.spec.journal_field_bytes
    # A token can reach a URL or a body (a client following the authorize redirect to the mock,
    # a consent form's password): the journal keeps only its first characters.
    path, path_cut = cut(mask_secrets(req.path), limits["path"])
    query, query_cut = cut(mask_secrets(req.query_string.decode("latin-1")), limits["query"])
    headers, headers_cut = kept_headers(req.environ, limits["header"], limits["headers"])
    body, body_cut = cut(mask_secrets(_body_text(mock, req)), limits["body"])
    entry = {
        "time": mock.clock.now(),
        "method": req.method,
        "path": path,
        "query": query,
        "headers": headers,
        "body": body,
        "status": None if dropped or response is None else response.status_code,
        "code": None if dropped or response is None else _envelope_code(response),
        "fault": ", ".join(labels) or None,
        "reason": None if response is None else response.headers.get("X-Cudis-Mock-Reason"),
        "problems": list(state.get("cudis_problems", [])),
        "worker": os.getpid(),
    }
    cuts = {"path": path_cut, "query": query_cut, "headers": headers_cut, "body": body_cut}
    truncated = [name for name, was_cut in cuts.items() if was_cut]
    if truncated:
        entry["truncated"] = truncated
    mock.store.append_journal(entry, mock.config.journal_limit, mock.config.journal_bytes)
    g.cudis_journaled = True

"""One journal entry per API request: what came in and what went out, secrets masked."""

from __future__ import annotations

import os
import re

from flask import Request, Response, g
from werkzeug.exceptions import HTTPException

from ..context import MockContext
from .masks import MaskMemo, cut, kept_headers, masked_headers

__all__ = ["MaskMemo", "cut", "journal_request", "kept_headers", "masked_headers", "record_problem"]

_CODE_PREFIX = re.compile(rb'^\{"code":(-?\d+)')


def _envelope_code(response: Response) -> int | None:
    if response.direct_passthrough or response.mimetype != "application/json":
        return None
    chunks = response.response
    # The first chunk when it holds the prefix: get_data() would join (copy) the whole body first.
    if isinstance(chunks, list) and chunks and isinstance(chunks[0], bytes) and len(chunks[0]) >= 24:
        head = chunks[0][:24]
    else:
        head = response.get_data()[:24]
    match = _CODE_PREFIX.match(head)
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
    masks = mock.masks
    # A token can reach a URL or a body (a client following the authorize redirect to the mock,
    # a consent form's password): the journal keeps only its first characters.
    path, path_cut = cut(masks.text(req.path), limits["path"])
    query, query_cut = cut(masks.text(req.query_string.decode("latin-1")), limits["query"])
    headers, headers_cut = masks.headers(req.environ, limits["header"], limits["headers"])
    body, body_cut = cut(masks.text(_body_text(mock, req)), limits["body"])
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

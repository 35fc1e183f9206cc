"""One journal entry per API request: what came in and what went out, secrets masked."""

from __future__ import annotations

import re

from flask import Request, Response, g
from werkzeug.exceptions import HTTPException

from ..context import MockContext
from .journal_entry import journal_entry
from .masks import MaskMemo, cut, kept_headers, masked_headers

__all__ = ["MaskMemo", "cut", "journal_entry", "journal_request", "kept_headers", "masked_headers", "record_problem"]

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
    dropped = bool(state.get("cudis_dropped", False))
    answered = not dropped and response is not None
    entry = journal_entry(
        mock,
        req.environ,
        req.path,
        _body_text(mock, req),
        status=response.status_code if answered and response is not None else None,
        code=_envelope_code(response) if answered and response is not None else None,
        labels=state.get("cudis_fault_labels", ()),
        reason=None if response is None else response.headers.get("X-Cudis-Mock-Reason"),
        problems=list(state.get("cudis_problems", [])),
    )
    mock.store.append_journal(entry, mock.config.journal_limit, mock.config.journal_bytes)
    g.cudis_journaled = True

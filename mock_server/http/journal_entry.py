"""The journal entry of one request, built from its WSGI environ (the Flask hooks and the fast path both write it)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..context import MockContext
from .masks import cut


def journal_entry(
    mock: MockContext,
    environ: Mapping[str, Any],
    path: str,
    body_text: str,
    *,
    status: int | None,
    code: int | None,
    labels: tuple[str, ...] = (),
    reason: str | None = None,
    problems: list[str] | None = None,
) -> dict[str, Any]:
    """The journal entry of a request: its method, path (as werkzeug decodes it), query string,
    headers and body text from `environ`, masked and cut to the spec's limits, and what it got."""
    limits = mock.spec.journal_field_bytes
    masks = mock.masks
    # A token can reach a URL or a body (a client following the authorize redirect to the mock,
    # a consent form's password): the journal keeps only its first characters.
    path, path_cut = cut(masks.text(path), limits["path"])
    query, query_cut = cut(masks.text(environ.get("QUERY_STRING", "")), limits["query"])
    headers, headers_cut = masks.headers(environ, limits["header"], limits["headers"])
    body, body_cut = cut(masks.text(body_text), limits["body"])
    entry: dict[str, Any] = {
        "time": mock.clock.now(),
        "method": environ.get("REQUEST_METHOD", "GET").upper(),
        "path": path,
        "query": query,
        "headers": headers,
        "body": body,
        "status": status,
        "code": code,
        "fault": ", ".join(labels) or None,
        "reason": reason,
        "problems": problems or [],
        "worker": os.getpid(),
    }
    cuts = {"path": path_cut, "query": query_cut, "headers": headers_cut, "body": body_cut}
    truncated = [name for name, was_cut in cuts.items() if was_cut]
    if truncated:
        entry["truncated"] = truncated
    return entry

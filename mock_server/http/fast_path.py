"""The query endpoints answered from the WSGI environ, ahead of Flask, when the request is plain.

Flask's request machinery (the request context, routing, hooks, the `Response` object) cost about
as much per query as the mock's own work. A plain query (the spec's path and method exactly, an
allowed Host, no `Origin`, no fault header and no stored fault, no query string, a body with a
Content-Length within the limit) needs none of it. Anything else goes to the Flask app untouched,
and so does a plain query that is refused, fails, or (self-check on) breaks the contract: the app
works it out again from the start, with the body put back, and answers and journals it as it
always did. The fast path writes nothing before it has its answer, so handing over loses nothing:
it only ever gives the answer the app would give, with the same headers and journal entry.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from werkzeug.http import HTTP_STATUS_CODES

from cudis_spec import Operation, RangeContext

from ..context import MockContext
from ..hooks import WORKER_HEADER
from ..state import faults
from ..views.query import query_body
from .host_guard import HostNames
from .journal import journal_entry
from .masks import environ_key
from .selfcheck import response_problems

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_HANDED_OVER = (
    environ_key("Origin"),  # CORS: cors.py grants it
    environ_key(faults.HEADER),  # a per-request fault: hooks.py and fault_answers.py
)


class QueryFastPath:
    """WSGI middleware in front of the app: plain queries answered here, everything else by `app`."""

    def __init__(self, app: WSGIApplication, mock: MockContext, *, self_check: bool) -> None:
        self.app = app
        self.mock = mock
        self.self_check = self_check
        spec = mock.spec
        self.routes: dict[str, tuple[str, str, Operation]] = {
            op.path: (op.method.upper(), op.metric, spec.operations[op.operation_id]) for op in spec.queries
        }
        self.http = spec.codes.success.http
        self.status = f"{self.http} {HTTP_STATUS_CODES[self.http]}"
        names = HostNames.parse(mock.config.host, mock.config.allowed_hosts)
        self.host_allowed = lru_cache(maxsize=64)(names.allows)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        route = self.routes.get(environ.get("PATH_INFO", ""))
        if (
            route is None
            or environ.get("REQUEST_METHOD") != route[0]
            or environ.get("QUERY_STRING")
            or any(key in environ for key in _HANDED_OVER)
            or not self.host_allowed(environ.get("HTTP_HOST"))
        ):
            return self.app(environ, start_response)
        raw = self._body(environ)
        answer = None if raw is None else self._answer(environ, route[1], route[2], raw)
        if answer is None:
            if raw is not None:
                environ["wsgi.input"] = io.BytesIO(raw)
            return self.app(environ, start_response)
        start_response(
            self.status,
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(answer))),
                (WORKER_HEADER, str(os.getpid())),
            ],
        )
        return [answer]

    def _body(self, environ: WSGIEnvironment) -> bytes | None:
        """The whole body when its declared length is within the limit, else None (the app refuses it)."""
        declared = environ.get("CONTENT_LENGTH")
        if not declared:
            # No length and a terminated stream: a chunked body (or none), which the app reads and limits.
            return None if environ.get("wsgi.input_terminated") else b""
        try:
            length = int(declared)
        except ValueError:
            return None
        if not 0 <= length <= self.mock.config.max_body_bytes:
            return None
        raw = environ["wsgi.input"].read(length) if length else b""
        return raw if len(raw) == length else None

    def _answer(self, environ: WSGIEnvironment, metric: str, op: Operation, raw: bytes) -> bytes | None:
        """The success envelope, checked and journaled; None to hand the request to the app."""
        mock = self.mock
        try:
            snapshot = mock.store.snapshot()
            if snapshot.faults:
                return None
            mock.clock.hold(snapshot.clock)
            try:
                body = query_body(mock, metric, environ, raw, {})  # type: ignore[arg-type]
                if self.self_check and response_problems(
                    mock.spec, op, self.http, "application/json", body, RangeContext(now=mock.clock.now())
                ):
                    return None
                if mock.config.journal_limit > 0:
                    text = raw.decode("utf-8", "replace")
                    code = mock.spec.codes.success.code
                    entry = journal_entry(mock, environ, op.path, text, status=self.http, code=code)
                    mock.store.append_journal(entry, mock.config.journal_limit, mock.config.journal_bytes)
            finally:
                mock.clock.hold(None)
        except Exception:  # a refusal, the store away, a bug: the app answers (and records) it as it always has
            return None
        return body

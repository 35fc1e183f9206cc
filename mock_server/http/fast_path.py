"""The query endpoints and the token mint answered from the WSGI environ, ahead of Flask, when the request is plain.

Flask's request machinery (the request context, routing, hooks, the `Response` object) cost about
as much per query as the mock's own work. A plain query (the spec's path and method exactly, an
allowed Host, no `Origin`, no fault header and no stored fault, no query string, a body with a
Content-Length within the limit) needs none of it. Anything else goes to the Flask app untouched,
and so does a plain query that is refused, fails, or (self-check on) breaks the contract: the app
works it out again from the start, with the body put back, and answers and journals it as it
always did. The fast path writes nothing before it has its answer, so handing over loses nothing:
it only ever gives the answer the app would give, with the same headers and journal entry.

A plain mint (`POST /__mock__/tokens` from a loopback peer, no admin token set, no `Origin` or
`Sec-Fetch-Site`, a JSON body or none, self-check off) is answered the same way, by the same
functions the control view calls (state/control.py); a body they refuse goes to the app. It is
there so that a client's first steps, a token then a query, need nothing Flask: under `--workers`
the app is still loading then (front.py).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from functools import lru_cache
from http import HTTPStatus
from typing import TYPE_CHECKING

from cudis_spec import Operation, RangeContext

from ..context import MockContext
from ..state import control, faults
from .envelope import dumps
from .headers import WORKER_HEADER
from .host_guard import HostNames, is_loopback_address
from .journal_entry import journal_entry
from .masks import environ_key
from .queries import query_body
from .selfcheck import response_problems

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_HANDED_OVER = (
    environ_key("Origin"),  # CORS: cors.py grants it
    environ_key(faults.HEADER),  # a per-request fault: hooks.py and fault_answers.py
)


def status_line(code: int) -> str:
    """The status as werkzeug writes it (`201 CREATED`), so that the fast path's answers are the app's."""
    return f"{code} {HTTPStatus(code).phrase.upper()}"


_CREATED = status_line(201)
_FOREIGN_MARKS = (environ_key("Origin"), environ_key("Sec-Fetch-Site"))  # admin_guard.py judges them


class QueryFastPath:
    """WSGI middleware in front of the app: plain queries and mints answered here, everything else by `app`."""

    def __init__(self, app: WSGIApplication, mock: MockContext, *, self_check: bool) -> None:
        self.app = app
        self.mock = mock
        self.self_check = self_check
        spec = mock.spec
        self.routes: dict[str, tuple[str, str, Operation]] = {
            op.path: (op.method.upper(), op.metric, spec.operations[op.operation_id]) for op in spec.queries
        }
        self.http = spec.codes.success.http
        self.status = status_line(self.http)
        names = HostNames.parse(mock.config.host, mock.config.allowed_hosts)
        self.host_allowed = lru_cache(maxsize=64)(names.allows)
        mint = spec.operations["mintToken"]
        self.mint_path = mint.path if not (self_check or mock.config.admin_token) else None
        self.mint_method = mint.method.upper()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == self.mint_path:
            return self._mint(environ, start_response)
        route = self.routes.get(path)
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

    def _mint(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("REQUEST_METHOD") != self.mint_method
            or environ.get("QUERY_STRING")
            or any(key in environ for key in _FOREIGN_MARKS)
            or not self.host_allowed(environ.get("HTTP_HOST"))
            or not is_loopback_address(environ.get("REMOTE_ADDR"))
        ):
            return self.app(environ, start_response)
        content_type = environ.get("CONTENT_TYPE")
        raw = self._body(environ)
        answer = None
        if raw is not None and (
            content_type.partition(";")[0].strip().lower() == "application/json" if content_type else not raw
        ):
            answer = self._minted(content_type, raw)
        if answer is None:
            if raw is not None:
                environ["wsgi.input"] = io.BytesIO(raw)
            return self.app(environ, start_response)
        start_response(
            _CREATED,
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(answer))),
                (WORKER_HEADER, str(os.getpid())),
            ],
        )
        return [answer]

    def _minted(self, content_type: str | None, raw: bytes) -> bytes | None:
        """The TokenResponse of a mint (the token kept); None, having kept nothing, to hand it to the app."""
        mock = self.mock
        try:
            mock.clock.hold(mock.store.snapshot().clock)
            try:
                body = control.admin_body(
                    mock, raw, content_type, "TokenRequest", control.TOKEN_EXAMPLE, example_in_required=False
                )
                return dumps(control.mint_token(mock, body)).encode()
            finally:
                mock.clock.hold(None)
        except Exception:  # a refusal, the store away, a bug: the app answers it as it always has
            return None

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

"""Forwarding one request to the upstream: an `Exchange`, with why nothing usable came back when it did not."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from contract_tests.transport import Exchange

from .plain_http import Answer, Broke, PlainHttp

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        # The upstream answers uncompressed, so the app gets the very bytes the proxy judged.
        "accept-encoding",
    }
)
"""Request headers that belong to one connection, not to the request the app meant."""

DROPPED_ANSWER_HEADERS = frozenset({*HOP_BY_HOP, "date", "server", "content-encoding"})
"""Answer headers the proxy's own server writes (or that would no longer be true)."""


@dataclass(frozen=True)
class Outgoing:
    """A request as the upstream is sent it."""

    method: str
    url: str
    target: str
    """The path and query string on the upstream's server (its base URL's path first)."""
    headers: dict[str, str]
    body: bytes | None

    def exchange(self, got: Answer | str) -> Exchange:
        """The exchange, with the answer a plain-http upstream gave or why there was none."""
        if isinstance(got, str):
            return Exchange(self.method, self.url, self.headers, self.body, error=got)
        return Exchange(
            self.method,
            self.url,
            self.headers,
            self.body,
            status=got.status,
            response_headers=got.headers,
            content=got.content,
        )


class Upstream:
    """A pool of kept-alive connections to one base URL, one per process (a worker forked from the
    process that built it opens its own); `send` never raises for anything the network does."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._timeout = urllib3.Timeout(connect=timeout, read=timeout)
        self._pool: tuple[int, urllib3.PoolManager] | None = None
        self._plain: tuple[int, PlainHttp] | None = None
        parsed = urllib3.util.parse_url(self.base_url)
        self._prefix = parsed.path or ""
        self._address = (parsed.host or "", parsed.port or 80) if parsed.scheme == "http" else None

    def _plain_http(self) -> PlainHttp | None:
        if self._address is None:
            return None
        if self._plain is None or self._plain[0] != os.getpid():
            self._plain = (os.getpid(), PlainHttp(*self._address, self.timeout))
        return self._plain[1]

    def _manager(self) -> urllib3.PoolManager:
        if self._pool is None or self._pool[0] != os.getpid():
            self._pool = (os.getpid(), urllib3.PoolManager(num_pools=4, maxsize=32, retries=False))
        return self._pool[1]

    @property
    def plain(self) -> PlainHttp | None:
        """This process's own client for a plain-http upstream; None for https (urllib3)."""
        return self._plain_http()

    def outgoing(self, method: str, path: str, headers: Mapping[str, str], body: bytes | None) -> Outgoing:
        """The request the upstream is sent for the app's: its URL, the headers that are not the connection's."""
        sent = {name: value for name, value in headers.items() if name.lower() not in HOP_BY_HOP}
        return Outgoing(method, self.base_url + path, self._prefix + path, sent, body or None)

    def send(self, method: str, path: str, headers: Mapping[str, str], body: bytes | None) -> Exchange:
        return self.send_outgoing(self.outgoing(method, path, headers, body))

    def send_outgoing(self, outgoing: Outgoing) -> Exchange:
        """Send `outgoing` and wait for the answer."""
        plain = self._plain_http()
        if plain is not None:
            try:
                got = plain.request(outgoing.method, outgoing.target, outgoing.headers, outgoing.body)
            except Broke as exc:
                return outgoing.exchange(str(exc))
            return outgoing.exchange(got)
        method, url, sent, body = outgoing.method, outgoing.url, outgoing.headers, outgoing.body
        try:
            answer = self._manager().request(
                method,
                url,
                headers=sent,
                body=body,
                redirect=False,
                retries=False,
                timeout=self._timeout,
                decode_content=True,
            )
        except HTTPError as exc:
            return Exchange(method, url, sent, body, error=describe_failure(exc, self.timeout))
        return Exchange(
            method, url, sent, body, status=answer.status, response_headers=dict(answer.headers), content=answer.data
        )

    def close(self) -> None:
        if self._plain is not None and self._plain[0] == os.getpid():
            self._plain[1].close()
        if self._pool is not None and self._pool[0] == os.getpid():
            self._pool[1].clear()


def describe_failure(exc: Exception, timeout: float) -> str:
    """What went wrong, in words an app developer acts on."""
    if isinstance(exc, NewConnectionError):  # before ConnectTimeoutError, which it subclasses
        return f"cannot connect: {exc.__context__ or exc}"
    if isinstance(exc, (ReadTimeoutError, ConnectTimeoutError)):
        return f"no answer within {timeout:g} s (--upstream-timeout)"
    if isinstance(exc, SSLError):
        return f"TLS failed: {exc}"
    if isinstance(exc, ProtocolError):
        return f"the connection broke mid-answer: {exc}"
    return f"{type(exc).__name__}: {exc}"


def unusable_answer(exchange: Exchange) -> str | None:
    """Why an answer that came back cannot be handed on as the API's (None when it can): not JSON."""
    return read_answer(exchange)[0]


def read_answer(exchange: Exchange) -> tuple[str | None, int | None]:
    """Why the answer cannot be handed on (as unusable_answer), and the `code` of its envelope when it can."""
    if exchange.status is None:
        return exchange.error, None
    if exchange.method == "HEAD":
        return None, None  # an answer without a body, by definition
    try:
        document = json.loads(exchange.content)
    except (ValueError, UnicodeDecodeError):
        start = exchange.content[:80].decode("utf-8", "replace")
        kind = exchange.content_type or "no Content-Type"
        return f"the upstream answered HTTP {exchange.status} ({kind}) with something that is not JSON: {start!r}", None
    code = document.get("code") if isinstance(document, dict) else None
    return None, code if isinstance(code, int) and not isinstance(code, bool) else None

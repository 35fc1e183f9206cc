"""The journal's masking of what a request sent: its headers, path, query and body, secrets cut short."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from ..oauth.tokens import bearer_token, mask
from .logmask import mask_secrets

_SECRET_HEADER = re.compile(r"AUTH|TOKEN|SECRET|KEY|COOKIE|SESSION|PASSWORD|CREDENTIAL|ADMIN")
"""A header named like this holds a credential whatever its value looks like: it keeps only a hint."""
_ENVIRON_BODY_HEADERS = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}
_UNLIMITED = 1 << 62
RAW_HEAD = "cudis.raw_head"
"""Environ key of the request's raw head (request line and headers), set by a server that read it
(serving/http1.py): the headers in the environ are a function of those bytes alone, so the bytes key
what is worked out from the headers."""


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
    return kept_headers(environ, _UNLIMITED, _UNLIMITED)[0]


@cache
def environ_key(header: str) -> str:
    """Where WSGI puts a request header (`Cudis-Client-Id` -> `HTTP_CUDIS_CLIENT_ID`)."""
    return "HTTP_" + header.upper().replace("-", "_")


def environ_headers(environ: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """The request's headers as `request.headers.items()` lists them, read from the WSGI environ
    directly (several times cheaper): (environ key, name, value)."""
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                continue
            yield key, key[5:].replace("_", "-").title(), value
        elif key in _ENVIRON_BODY_HEADERS and value:
            yield key, _ENVIRON_BODY_HEADERS[key], value


def kept_headers(environ: Mapping[str, Any], value_bytes: int, count: int) -> tuple[dict[str, str], bool]:
    """The request's headers (`environ_headers`), every value masked for secrets; the first `count`
    headers, each cut to `value_bytes`; and whether anything was cut."""
    headers: dict[str, str] = {}
    truncated = False
    for key, name, value in environ_headers(environ):
        if len(headers) == count:
            truncated = True
            break
        masked, was_cut = cut(_masked_value(key, value), value_bytes)
        truncated |= was_cut
        headers[name] = masked
    return headers, truncated


class MaskMemo:
    """Masked texts and header sets seen lately. Masking is a pure function of the text (of the
    header items), and clients repeat the same path, body and headers, so a repeat is not searched
    for secrets again (the search costs more than the rest of the entry)."""

    MAX_TEXT = 1024
    """Longer texts are masked each time and not kept."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._texts: dict[str, str] = {}
        self._headers: dict[tuple[Any, ...], tuple[dict[str, str], bool]] = {}

    def text(self, text: str) -> str:
        """`mask_secrets(text)`."""
        if len(text) > self.MAX_TEXT:
            return mask_secrets(text)
        found = self._texts.get(text)
        if found is None:
            found = mask_secrets(text)
            if len(self._texts) >= self.size:
                self._texts.clear()
            self._texts[text] = found
        return found

    def headers(
        self, environ: Mapping[str, Any], value_bytes: int = _UNLIMITED, count: int = _UNLIMITED
    ) -> tuple[dict[str, str], bool]:
        """`kept_headers(environ, value_bytes, count)`, a new dict each time."""
        head = environ.get(RAW_HEAD)
        key = (
            (value_bytes, count, head)
            if head is not None
            else (
                value_bytes,
                count,
                *(item for item in environ.items() if item[0].startswith("HTTP_") or item[0] in _ENVIRON_BODY_HEADERS),
            )
        )
        found = self._headers.get(key)
        if found is None:
            found = kept_headers(environ, value_bytes, count)
            if len(self._headers) >= self.size:
                self._headers.clear()
            self._headers[key] = found
        return dict(found[0]), found[1]

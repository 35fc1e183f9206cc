"""The journal's masking of what a request sent: its headers, path, query and body, secrets cut short."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..oauth.tokens import bearer_token, mask
from .logmask import mask_secrets

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


class MaskMemo:
    """Masked texts and header sets seen lately. Masking is a pure function of the text (of the
    header items), and clients repeat the same path, body and headers, so a repeat is not searched
    for secrets again (the search costs more than the rest of the entry)."""

    MAX_TEXT = 1024
    """Longer texts are masked each time and not kept."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._texts: dict[str, str] = {}
        self._headers: dict[tuple[tuple[str, Any], ...], dict[str, str]] = {}

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

    def headers(self, environ: Mapping[str, Any]) -> dict[str, str]:
        """`masked_headers(environ)`, a new dict each time."""
        key = tuple(item for item in environ.items() if item[0].startswith("HTTP_") or item[0] in _ENVIRON_BODY_HEADERS)
        found = self._headers.get(key)
        if found is None:
            found = masked_headers(environ)
            if len(self._headers) >= self.size:
                self._headers.clear()
            self._headers[key] = found
        return dict(found)

"""Who may use the control API (`/__mock__/`): loopback callers, or anyone with the admin token; never a foreign page.

A page on another site can make a browser send requests that need no CORS preflight: a form
post, `fetch(..., {mode: "no-cors"})` with a text, Blob or byte body, `navigator.sendBeacon`.
The browser marks those with `Origin` and `Sec-Fetch-Site`, and none of them can declare its
body `application/json`; so a state-changing control request is refused when it comes from
another origin or carries a body not declared JSON. curl and test clients send neither header.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..oauth.tokens import bearer_token
from .envelope import ControlForbidden, UnsupportedMedia
from .host_guard import host_name, is_loopback_address

if TYPE_CHECKING:
    from flask import Request

ADMIN_PREFIX = "/__mock__/"
ADMIN_HEADER = "X-Cudis-Mock-Admin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FOREIGN_FETCH_SITES = frozenset({"cross-site", "same-site"})
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def is_admin_path(path: str) -> bool:
    return path.startswith(ADMIN_PREFIX)


def is_loopback(address: str | None) -> bool:
    """Whether a peer address is loopback (`host_guard.is_loopback_address`)."""
    return is_loopback_address(address)


def has_admin_token(request: Request, admin_token: str) -> bool:
    """Whether `request` carries `admin_token` (X-Cudis-Mock-Admin or a bearer token), compared in constant time."""
    given = request.headers.get(ADMIN_HEADER) or bearer_token(request.headers.get("Authorization")) or ""
    return secrets.compare_digest(given.encode("utf-8", "surrogateescape"), admin_token.encode())


def check_admin(request: Request, admin_token: str | None) -> None:
    """Raise ControlForbidden unless `request` may use the control API (the Host guard checked its origin)."""
    if admin_token:
        if not has_admin_token(request, admin_token):
            given = request.headers.get(ADMIN_HEADER) or request.headers.get("Authorization")
            raise ControlForbidden(
                f"send the admin token in {ADMIN_HEADER}: <token> or Authorization: Bearer <token>"
                + (" (the one given does not match)" if given else "")
            )
    elif not is_loopback(request.remote_addr):
        raise ControlForbidden(
            f"the control API answers only on loopback ({request.remote_addr} is not);"
            " start the mock with --admin-token TOKEN to reach it from elsewhere"
        )
    if request.method not in SAFE_METHODS:
        check_json_declared(request)


def _authority(scheme: str, netloc: str) -> str:
    name = host_name(netloc)
    port = netloc.rpartition(":")[2] if netloc.rpartition(":")[2].isdigit() and not netloc.endswith("]") else ""
    return f"{name}:{port or _DEFAULT_PORTS.get(scheme, '')}"


def check_same_origin(request: Request) -> None:
    """Refuse a request a browser sent on behalf of another origin (its Origin, or Sec-Fetch-Site on a state change)."""
    origin = request.headers.get("Origin")
    if origin is not None:
        parts = urlsplit(origin)
        own = _authority(request.scheme, request.host)
        if origin == "null" or not parts.netloc or _authority(parts.scheme, parts.netloc) != own:
            raise ControlForbidden(f"a page on {origin} may not use the control API; only the mock's own pages may")
    site = request.headers.get("Sec-Fetch-Site", "").lower()
    if request.method not in SAFE_METHODS and site in _FOREIGN_FETCH_SITES:
        raise ControlForbidden(
            f"the browser marked this request Sec-Fetch-Site: {site};"
            " a page on another site may not change the control API"
        )


def check_json_declared(request: Request) -> None:
    """Refuse a state-changing body not declared application/json: a browser sends none such without a preflight."""
    declared = request.headers.get("Content-Type")
    has_body = bool(request.content_length) or bool(
        request.environ.get("wsgi.input_terminated") and request.get_data(cache=True)
    )
    if (declared is not None or has_body) and request.mimetype != "application/json":
        shown = declared if declared else "no Content-Type"
        raise UnsupportedMedia(
            f"{shown} on {request.method} {request.path}; the control API takes bodies sent with"
            " Content-Type: application/json (curl: -H 'Content-Type: application/json')"
        )

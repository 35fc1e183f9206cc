"""The client-side ("implicit") authorize flow as pure decisions (RFC 6749 section 4.2).

The order of checks follows RFC 6749 4.2.2.1: a bad client or redirect URI gets an
error page and never a redirect; every other problem redirects with `error=`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

from .fixtures import Client
from .tokens import KNOWN_SCOPES, parse_scopes

TokenPlacement = Literal["query", "fragment"]


@dataclass(frozen=True)
class ErrorPage:
    """Shown to the user; the client is not told (no redirect)."""

    title: str
    detail: str


@dataclass(frozen=True)
class ConsentRequest:
    client: Client
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None


@dataclass(frozen=True)
class RedirectError:
    redirect_uri: str
    error: str
    description: str
    state: str | None


def _has_control_chars(value: str) -> bool:
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def redirect_matches(registered: str, asked: str) -> bool:
    """Exact match, except that a loopback URI matches on any port (RFC 8252 section 7.3)."""
    if registered == asked:
        return True
    reg, got = urlsplit(registered), urlsplit(asked)
    if not (_is_loopback(reg.hostname) and reg.hostname == got.hostname and reg.scheme == got.scheme == "http"):
        return False
    try:
        got.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return False
    return (reg.path, reg.query, reg.fragment, reg.username, reg.password) == (
        got.path,
        got.query,
        got.fragment,
        got.username,
        got.password,
    )


def check_authorize(
    clients: dict[str, Client],
    response_type: str | None,
    client_id: str | None,
    redirect_uri: str | None,
    scope: str | None,
    state: str | None,
) -> ErrorPage | RedirectError | ConsentRequest:
    """What to do with an authorize request."""
    if not client_id:
        return ErrorPage(
            "Missing client_id",
            "The authorize link has no client_id parameter. Ask the app's developer to fix the link.",
        )
    client = clients.get(client_id)
    if client is None:
        return ErrorPage("Unknown application", f"No application is registered with the client_id {client_id!r}.")
    if redirect_uri is None or redirect_uri == "":
        target = client.redirect_uris[0]
    elif _has_control_chars(redirect_uri) or not any(redirect_matches(r, redirect_uri) for r in client.redirect_uris):
        return ErrorPage(
            "Redirect URI not registered",
            f"The redirect_uri {redirect_uri!r} is not registered for {client.name}."
            f" Registered: {', '.join(client.redirect_uris)}.",
        )
    else:
        target = redirect_uri
    if state is not None and _has_control_chars(state):
        return RedirectError(target, "invalid_request", "state must not contain control characters", None)
    if not response_type:
        return RedirectError(target, "invalid_request", "response_type is required and must be 'token'", state)
    if response_type != "token":
        return RedirectError(
            target, "unsupported_response_type", "only response_type=token (the client-side flow) is supported", state
        )
    scopes = parse_scopes(scope)
    unknown = [s for s in scopes if s not in KNOWN_SCOPES or s not in client.scopes]
    if unknown or not scopes:
        return RedirectError(
            target,
            "invalid_scope",
            f"unknown scope {' '.join(unknown) or '(empty)'}; the API knows: {' '.join(KNOWN_SCOPES)}",
            state,
        )
    return ConsentRequest(client=client, redirect_uri=target, scopes=scopes, state=state)


def redirect_url(redirect_uri: str, params: dict[str, str], placement: TokenPlacement) -> str:
    """`redirect_uri` with `params` added to its query or put in its fragment."""
    parts = urlsplit(redirect_uri)
    # The page shows scope as a plus-separated list: keep '+' literal rather than %2B there (it
    # decodes to the space that separates scopes). Everything else, state above all, must come
    # back exactly as sent, so a '+' in it (base64 states have them) is encoded as %2B.
    encoded = "&".join(urlencode({key: value}, safe="+" if key == "scope" else "") for key, value in params.items())
    if placement == "fragment":
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, encoded))
    query = f"{parts.query}&{encoded}" if parts.query else encoded
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def error_params(error: RedirectError) -> dict[str, str]:
    params = {"error": error.error, "error_description": error.description}
    if error.state is not None:
        params["state"] = error.state
    return params

"""The client-side ("implicit") authorize flow as pure decisions (RFC 6749 section 4.2).

The order of checks follows RFC 6749 4.2.2.1: a bad client or redirect URI gets an
error page and never a redirect; every other problem redirects with `error=`.
Every value that goes into a Location header is percent-encoded here, so CR, LF or any
other byte a client sends can never end a header line.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

from ..people import Client
from .tokens import KNOWN_SCOPES, parse_scopes

TokenPlacement = Literal["query", "fragment"]
Decision = Literal["approve", "deny"]
DESCRIPTION_LIMIT = 200
_URI_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


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
    return any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in value)


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
    if _has_control_chars(asked) or not asked.isascii():
        return False
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


def safe_description(text: str) -> str:
    """`text` cut to the characters RFC 6749 allows in error_description (%x20-21 / %x23-5B / %x5D-7E)."""
    allowed = "".join(ch if 0x20 <= ord(ch) <= 0x7E and ch not in '"\\' else "?" for ch in text)
    return allowed if len(allowed) <= DESCRIPTION_LIMIT else allowed[: DESCRIPTION_LIMIT - 3] + "..."


def check_authorize(
    clients: dict[str, Client],
    response_type: str | None,
    client_id: str | None,
    redirect_uri: str | None,
    scope: str | None,
    state: str | None,
    repeated: Collection[str] = (),
) -> ErrorPage | RedirectError | ConsentRequest:
    """What to do with an authorize request; `repeated` names the parameters sent more than once."""
    if not client_id:
        return ErrorPage(
            "Missing client_id",
            "The authorize link has no client_id parameter. Ask the app's developer to fix the link.",
        )
    if "client_id" in repeated:
        return ErrorPage("Ambiguous application", "The authorize link has client_id more than once; send it once.")
    client = clients.get(client_id)
    if client is None:
        return ErrorPage("Unknown application", f"No application is registered with the client_id {client_id!r}.")
    registered = ", ".join(client.redirect_uris)
    if "redirect_uri" in repeated:
        return ErrorPage(
            "Ambiguous redirect URI",
            f"The authorize link has redirect_uri more than once; send one of: {registered}.",
        )
    if redirect_uri is None or redirect_uri == "":
        target = client.redirect_uris[0]
    elif not any(redirect_matches(r, redirect_uri) for r in client.redirect_uris):
        return ErrorPage(
            "Redirect URI not registered",
            f"The redirect_uri {redirect_uri!r} is not registered for {client.name}. Registered: {registered}"
            " (a loopback URI may use any port).",
        )
    else:
        target = redirect_uri
    others = sorted(set(repeated) & {"response_type", "scope", "state"})
    if others:
        return RedirectError(target, "invalid_request", f"{others[0]} was sent more than once; send it once", state)
    if not response_type:
        return RedirectError(target, "invalid_request", "response_type is required and must be 'token'", state)
    if response_type != "token":
        return RedirectError(
            target,
            "unsupported_response_type",
            safe_description(f"response_type {response_type!r} is not supported; send response_type=token"),
            state,
        )
    scopes = parse_scopes(scope)
    if not scopes:
        return RedirectError(
            target, "invalid_scope", f"scope is empty; ask for {' '.join(client.scopes)} or leave scope out", state
        )
    unknown = [s for s in scopes if s not in KNOWN_SCOPES or s not in client.scopes]
    if unknown:
        return RedirectError(
            target,
            "invalid_scope",
            safe_description(
                f"unknown scope {' '.join(unknown)!r}; {client.name} may ask for: {' '.join(client.scopes)}"
            ),
            state,
        )
    return ConsentRequest(client=client, redirect_uri=target, scopes=scopes, state=state)


def parse_decision(value: str | None) -> Decision | None:
    """The consent form's button: approve, deny, or None when the form did not say."""
    if value == "approve":
        return "approve"
    if value == "deny":
        return "deny"
    return None


def granted_scopes(requested: Iterable[str], switched_on: Collection[str]) -> tuple[str, ...]:
    """The requested scopes the user left switched on, in the order they were requested."""
    return tuple(s for s in requested if s in switched_on)


def _encode(params: dict[str, str]) -> str:
    # Form encoding, as clients parse it (parse_qs, URLSearchParams). The page shows scope as a
    # plus-separated list, and '+' decodes to ' ', the RFC 6749 scope separator, so scope keeps
    # literal '+' (its values are known scope names); every other value is encoded in full.
    return "&".join(
        f"{quote_plus(k)}={quote(v, safe='+') if k == 'scope' else quote_plus(v, safe='')}" for k, v in params.items()
    )


def redirect_url(redirect_uri: str, params: dict[str, str], placement: TokenPlacement) -> str:
    """`redirect_uri` with `params` added to its query or put in its fragment; always printable ASCII."""
    parts = urlsplit(redirect_uri)
    encoded = _encode(params)
    if placement == "fragment":
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, encoded))
    else:
        query = f"{parts.query}&{encoded}" if parts.query else encoded
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    # A registered URI may be an IRI: encode what a header cannot carry, keep what is already encoded.
    return quote(url, safe=_URI_SAFE)


def success_params(
    token: str, scopes: tuple[str, ...], state: str | None, placement: TokenPlacement, expires_in: int
) -> dict[str, str]:
    """The parameters of an approval: the page's `access_token` and `scope`, plus RFC 6749's in the fragment."""
    params = {"access_token": token, "scope": "+".join(scopes)}
    if placement == "fragment":
        params.update(token_type="bearer", expires_in=str(expires_in))
    if state is not None:
        params["state"] = state
    return params


def error_params(error: RedirectError) -> dict[str, str]:
    params = {"error": error.error, "error_description": safe_description(error.description)}
    if error.state is not None:
        params["state"] = error.state
    return params

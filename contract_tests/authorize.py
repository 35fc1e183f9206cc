"""The authorize endpoint: the documented success redirect, and the requests it must never redirect.

The page shows one URL, `{authorize}?response_type=token&client_id=...&redirect_uri=...`, and the
redirect `URI?access_token=<letters and digits>&scope=daily`. What it shows, and what RFC 6749
§4.2.2.1 and RFC 9700 require of any implicit grant (an unknown client or an unregistered
redirect URI is never redirected to), are failures; what neither states (the `state` echo, the
`error` codes) are warnings. An endpoint that shows a login page needs a person for the success
path: the suite says so and checks the error paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, urlencode, urlsplit

from .findings import Break, Severity
from .transport import Exchange

STATE = "cudis-contract-state"
_TOKEN = re.compile(r"[A-Za-z0-9]+")
_UNREGISTERED = "https://unregistered.cudis-contract.invalid/callback"


class AuthorizeProbe(StrEnum):
    SUCCESS = "success"
    """The client's own id and registered redirect URI, `response_type=token`."""
    RESPONSE_TYPE = "response-type"
    """`response_type=code`: this endpoint issues tokens only."""
    UNKNOWN_CLIENT = "unknown-client"
    UNREGISTERED_REDIRECT = "unregistered-redirect"


@dataclass(frozen=True)
class AuthorizeRequest:
    probe: AuthorizeProbe
    query: dict[str, str]
    redirect_uri: str


def authorize_requests(client_id: str, redirect_uri: str) -> list[AuthorizeRequest]:
    """The requests the suite sends to the authorize endpoint (none follows a redirect)."""
    base = {"response_type": "token", "client_id": client_id, "redirect_uri": redirect_uri, "state": STATE}
    return [
        AuthorizeRequest(AuthorizeProbe.SUCCESS, {**base, "scope": "daily"}, redirect_uri),
        AuthorizeRequest(AuthorizeProbe.RESPONSE_TYPE, {**base, "response_type": "code"}, redirect_uri),
        AuthorizeRequest(AuthorizeProbe.UNKNOWN_CLIENT, {**base, "client_id": f"not-{client_id}"}, redirect_uri),
        AuthorizeRequest(AuthorizeProbe.UNREGISTERED_REDIRECT, {**base, "redirect_uri": _UNREGISTERED}, _UNREGISTERED),
    ]


def url_of(authorize_url: str, request: AuthorizeRequest) -> str:
    return f"{authorize_url}?{urlencode(request.query)}"


def _location(exchange: Exchange) -> str | None:
    if exchange.status is None or not 300 <= exchange.status < 400:
        return None
    return next((v for k, v in exchange.response_headers.items() if k.lower() == "location"), "")


def _to(location: str, redirect_uri: str) -> bool:
    """Whether `location` sends the browser to `redirect_uri` (its scheme, host and path)."""
    target, wanted = urlsplit(location), urlsplit(redirect_uri)
    return (target.scheme, target.netloc, target.path) == (wanted.scheme, wanted.netloc, wanted.path)


def _params(location: str) -> tuple[dict[str, str], dict[str, str]]:
    """The query's and the fragment's parameters of a redirect."""
    parts = urlsplit(location)
    return _single(parts.query), _single(parts.fragment)


def _single(text: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


def a_login_page(exchange: Exchange) -> bool:
    return exchange.status == 200 and "html" in exchange.content_type.lower()


def judge_authorize(
    request: AuthorizeRequest, exchange: Exchange, token_works: Callable[[str], bool]
) -> Iterator[Break]:
    """The rules one authorize exchange broke; `token_works` sends an issued token to a query endpoint."""
    location = _location(exchange)
    rule = f"authorize.{request.probe.value}"
    if exchange.status is None or exchange.status >= 500:
        yield Break(rule, Severity.FAILURE, "the authorize endpoint answers without a crash", exchange.summary())
        return
    if request.probe is AuthorizeProbe.SUCCESS:
        yield from _success(rule, exchange, location, request.redirect_uri, token_works)
        return
    if location is not None and _to(location, request.redirect_uri):
        query, fragment = _params(location)
        if request.probe is not AuthorizeProbe.RESPONSE_TYPE:
            says = (
                "an unknown client_id or an unregistered redirect_uri is never redirected to "
                "(RFC 6749 §4.2.2.1, RFC 9700)"
            )
            yield Break(rule, Severity.FAILURE, says, f"HTTP {exchange.status} Location: {location}")
            return
        if "access_token" in query or "access_token" in fragment:
            says = "a response_type other than `token` is refused"
            yield Break(rule, Severity.FAILURE, says, f"HTTP {exchange.status} Location: {location}")
            return
        error = query.get("error", fragment.get("error"))
        if error is None:
            says = "a response_type other than `token` is refused"
            yield Break(rule, Severity.FAILURE, says, f"a redirect without `error`: {location}")
        elif error != "unsupported_response_type":
            says = "the refusal says `error=unsupported_response_type` (RFC 6749 §4.2.2.1; the page is silent)"
            yield Break(rule + "-code", Severity.WARNING, says, f"error={error}", "authorize-errors")
        if query.get("state", fragment.get("state")) != STATE:
            says = "an error redirect echoes `state` (RFC 6749; the page is silent)"
            yield Break("authorize.state", Severity.WARNING, says, location, "authorize-errors")
        return
    if request.probe is AuthorizeProbe.RESPONSE_TYPE and a_login_page(exchange):
        says = "a response_type other than `token` is refused, not shown the login page"
        yield Break(rule, Severity.FAILURE, says, exchange.summary(150))


def _success(
    rule: str, exchange: Exchange, location: str | None, redirect_uri: str, token_works: Callable[[str], bool]
) -> Iterator[Break]:
    says = f"redirects to {redirect_uri}?access_token=<letters and digits>&scope=... (the page's example)"
    if a_login_page(exchange):
        return  # a person must sign in; the runner notes it
    if location is None or not _to(location, redirect_uri):
        yield Break(rule, Severity.FAILURE, says + ", or shows a login page", exchange.summary(200))
        return
    query, fragment = _params(location)
    token = query.get("access_token")
    if token is None:
        where = " (it is in the fragment)" if "access_token" in fragment else ""
        yield Break(rule, Severity.FAILURE, says + ", in the query", f"Location: {location}{where}")
        return
    if not _TOKEN.fullmatch(token) or "scope" not in query:
        yield Break(rule, Severity.FAILURE, says, f"Location: {location}")
        return
    if query.get("state") != STATE:
        says_state = "the success redirect echoes `state` (RFC 6749; the page is silent)"
        yield Break("authorize.state", Severity.WARNING, says_state, f"Location: {location}", "authorize-errors")
    if not token_works(token):
        yield Break(
            "authorize.token-works",
            Severity.FAILURE,
            "the token the redirect carries is accepted by the query endpoints",
            f"refused: {token[:4]}... from {location.split('?', 1)[0]}",
        )

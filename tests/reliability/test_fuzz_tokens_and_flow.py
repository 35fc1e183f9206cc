"""Fuzzing token handling and the authorize decisions: typed outcomes only, and no way around the rules."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlsplit

from hypothesis import example, given
from hypothesis import strategies as st

from mock_server.http.envelope import SessionExpired
from mock_server.oauth.flow import (
    ConsentRequest,
    ErrorPage,
    RedirectError,
    check_authorize,
    error_params,
    redirect_matches,
    redirect_url,
    success_params,
)
from mock_server.oauth.tokens import TOKEN_ALPHABET, bearer_token, check_access, mint, token_digest
from mock_server.people import Client, load_fixtures

FIXTURES = load_fixtures()
CLIENTS = FIXTURES.clients
REGISTERED = sorted({uri for c in CLIENTS.values() for uri in c.redirect_uris})
NOW = 1_795_521_600.0

any_text = st.text(alphabet=st.characters(codec=None), max_size=60)
header_text = st.text(alphabet=st.characters(max_codepoint=0xFF), max_size=60)  # WSGI headers are latin-1


@given(header=st.none() | any_text | header_text | st.builds(lambda t: "Bearer " + t, any_text))
@example(header="Bearer \t X \t")
@example(header="bearer")
@example(header="BEARER  abc  def")
def test_bearer_token_is_none_or_a_stripped_non_empty_value(header: str | None) -> None:
    token = bearer_token(header)
    if token is not None:
        assert token and token == token.strip()
        assert header is not None and header.strip().lower().startswith("bearer")


@given(token=st.text(alphabet=TOKEN_ALPHABET, min_size=1, max_size=64))
def test_a_bearer_header_gives_back_its_token(token: str) -> None:
    assert bearer_token(f"Bearer {token}") == token
    assert bearer_token(f"bearer   {token}  ") == token


@given(client_id=st.none() | any_text | header_text, now=st.floats(allow_nan=False), scope=any_text)
@example(client_id="\ud800", now=NOW, scope="daily")
@example(client_id="cudis-wellness\x00", now=NOW, scope="daily")
def test_check_access_grants_only_the_exact_client_in_time_with_the_scope(
    client_id: str | None, now: float, scope: str
) -> None:
    _, record = mint("cudis-wellness", "typical", ("daily",), NOW, 3600)
    try:
        granted = check_access(record, client_id, now, scope)
    except SessionExpired as refused:
        assert refused.reason
    else:
        assert granted is record
        assert client_id == "cudis-wellness" and now < NOW + 3600 and scope == "daily"


@given(text=any_text)
def test_token_digest_takes_any_string(text: str) -> None:
    digest = token_digest(text)
    assert len(digest) == 64 and int(digest, 16) >= 0


@given(st.data())
def test_minted_tokens_have_the_shape_and_the_store_never_sees_them(data: st.DataObject) -> None:
    lifetime = data.draw(st.integers(min_value=1, max_value=315360000))
    token, record = mint("cudis-wellness", "typical", ("daily",), NOW, lifetime)
    assert re.fullmatch(r"[A-Z0-9]{32}", token), token  # the shape of the vendor's tokens, not the module's constants
    assert token not in repr(record)
    assert record.digest == token_digest(token) and record.hint == token[:4] + "…"


# ---- redirect URIs ---------------------------------------------------------------------------------

hosts = st.sampled_from(
    [
        "example.com",
        "evil.test",
        "127.0.0.1",
        "localhost",
        "[::1]",
        "127.0.0.2",
        "example.com@evil.test",
        "127.0.0.1@evil.test",
        "evil.test#@127.0.0.1",
        "[::ffff:127.0.0.1]",
        "0x7f000001",
        "127.1",
        "",
        "EXAMPLE.COM",
    ]
)
ports = st.sampled_from(["", ":80", ":443", ":8080", ":0", ":99999", ":-1", ":abc", ":", ":80:80"])
paths = st.sampled_from(["/callback", "/oauth/callback", "/callback/", "/Callback", "/callback/../x", "", "/%2e%2e"])
tails = st.sampled_from(["", "?x=1", "#f", "?", "\r\n", "\x00", " "])
schemes = st.sampled_from(["https://", "http://", "HTTP://", "//", "javascript:", "https:\\\\", ""])
uris = st.builds(lambda *p: "".join(p), schemes, hosts, ports, paths, tails) | any_text | st.sampled_from(REGISTERED)


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@given(registered=st.sampled_from(REGISTERED), asked=uris)
@example(registered="http://127.0.0.1/callback", asked="http://127.0.0.1:8080/callback")
@example(registered="https://example.com/callback", asked="https://example.com@evil.test/callback")
def test_redirect_matches_is_exact_but_for_a_loopback_port(registered: str, asked: str) -> None:
    if not redirect_matches(registered, asked):
        return
    if asked == registered:
        return
    reg, got = urlsplit(registered), urlsplit(asked)
    # Only a loopback URI may differ, and then only in its port.
    assert _is_loopback(reg.hostname) and reg.scheme == got.scheme == "http"
    assert got.hostname == reg.hostname and got.username is None and got.password is None
    assert (got.path, got.query, got.fragment) == (reg.path, reg.query, reg.fragment)
    assert got.netloc.rsplit(":", 1)[0] == reg.netloc.rsplit(":", 1)[0]


@given(
    response_type=st.none() | st.sampled_from(["token", "code", "TOKEN", ""]) | any_text,
    client_id=st.none() | st.sampled_from(sorted(CLIENTS)) | any_text,
    redirect_uri=st.none() | uris,
    scope=st.none() | st.sampled_from(["daily", "daily+daily", "", "admin", "daily admin"]) | any_text,
    state=st.none() | any_text,
)
def test_check_authorize_never_sends_anyone_to_an_unregistered_uri(
    response_type: str | None, client_id: str | None, redirect_uri: str | None, scope: str | None, state: str | None
) -> None:
    decision = check_authorize(CLIENTS, response_type, client_id, redirect_uri, scope, state)
    if isinstance(decision, ErrorPage):
        assert decision.title and decision.detail
        return
    assert client_id in CLIENTS
    client: Client = CLIENTS[client_id]
    target = decision.redirect_uri
    assert any(redirect_matches(r, target) for r in client.redirect_uris)
    assert not any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)
    # State is echoed exactly (RFC 6749), whatever it holds; encoding keeps it out of the header.
    assert decision.state == state
    if isinstance(decision, RedirectError):
        assert decision.error in {"invalid_request", "unsupported_response_type", "invalid_scope"}
        url = redirect_url(target, error_params(decision), "query")
    else:
        assert isinstance(decision, ConsentRequest)
        assert response_type == "token" and decision.scopes and set(decision.scopes) <= set(client.scopes)
        url = redirect_url(target, success_params("T" * 32, decision.scopes, state, "query", 60), "query")
    assert url.isascii() and url.isprintable() and " " not in url
    assert urlsplit(url).netloc == urlsplit(target).netloc


params = st.dictionaries(
    st.sampled_from(["access_token", "state", "error", "error_description", "token_type"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30),
    max_size=4,
)


@given(
    uri=st.sampled_from([*REGISTERED, "https://example.com/cb?keep=1"]),
    extra=params,
    placement=st.sampled_from(["query", "fragment"]),
)
@example(uri="https://example.com/callback", extra={"state": "q+8/Zz=="}, placement="query")
def test_redirect_url_hands_back_every_value_exactly(uri: str, extra: dict[str, str], placement: str) -> None:
    url = redirect_url(uri, extra, placement)  # type: ignore[arg-type]
    parts, base = urlsplit(url), urlsplit(uri)
    assert (parts.scheme, parts.netloc, parts.path) == (base.scheme, base.netloc, base.path)
    assert not any(c in url for c in '\r\n <>"')
    sent = parts.fragment if placement == "fragment" else parts.query
    got = dict(parse_qsl(sent, keep_blank_values=True))
    for key, value in extra.items():
        assert got[key] == value
    if placement == "query" and base.query:
        assert parts.query.startswith(base.query + "&") or not extra

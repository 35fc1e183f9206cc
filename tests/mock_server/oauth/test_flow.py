"""The authorize flow's pure decisions: RFC 6749 4.2 and 4.2.2.1, RFC 8252 loopback redirects."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_server.oauth.flow import (
    DESCRIPTION_LIMIT,
    ConsentRequest,
    ErrorPage,
    RedirectError,
    check_authorize,
    error_params,
    granted_scopes,
    parse_decision,
    redirect_matches,
    redirect_url,
    safe_description,
    success_params,
)
from mock_server.people import Client

APP = Client(
    id="app",
    name="Example Partner App",
    redirect_uris=(
        "https://example.com/callback",
        "http://127.0.0.1/callback",
        "http://[::1]/cb",
        "http://localhost/cb",
    ),
)
CLIENTS = {"app": APP}
PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]*")


def decide(**overrides: object) -> ErrorPage | RedirectError | ConsentRequest:
    args: dict[str, object] = {
        "response_type": "token",
        "client_id": "app",
        "redirect_uri": None,
        "scope": None,
        "state": None,
    }
    args.update(overrides)
    return check_authorize(CLIENTS, **args)  # type: ignore[arg-type]


# --- redirect URIs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "asked",
    [
        "https://example.com/callback",
        "http://127.0.0.1/callback",
        "http://127.0.0.1:5000/callback",
        "http://127.0.0.1:65535/callback",
        "http://[::1]:8123/cb",
        "http://localhost:3000/cb",
    ],
)
def test_registered_uri_and_loopback_on_any_port_match(asked: str) -> None:
    assert any(redirect_matches(r, asked) for r in APP.redirect_uris)


@pytest.mark.parametrize(
    "asked",
    [
        "https://example.com:8443/callback",  # a port on a non-loopback host is a different URI
        "https://example.com/callback/",
        "https://example.com/callback?x=1",
        "https://EXAMPLE.com/callback",
        "https://example.com.evil.test/callback",
        "http://example.com/callback",
        "http://127.0.0.1:5000/other",
        "https://127.0.0.1:5000/callback",  # RFC 8252: loopback redirects are http
        "http://127.0.0.1:5000@evil.test/callback",
        "http://evil.test@127.0.0.1:5000/callback",
        "http://127.0.0.1:99999/callback",
        "http://127.0.0.1:5x/callback",
        "http://127.0.0.1:\u0665\u0660/callback",  # Arabic-Indic digits are not a port
        "http://127.0.0.1:5000/callback#frag",
        "http://127.0.0.1:5000/callback\r\nSet-Cookie: a=b",
        "http://localhost:5000/callback",  # localhost is registered with /cb, not /callback
        "http://127.0.0.2:5000/callback",  # another loopback address is another host
    ],
)
def test_anything_else_does_not_match(asked: str) -> None:
    assert not any(redirect_matches(r, asked) for r in APP.redirect_uris)


# --- the order of RFC 6749 4.2.2.1 -------------------------------------------------------------


@pytest.mark.parametrize("client_id", [None, ""])
def test_missing_client_id_gets_an_error_page_even_with_other_errors(client_id: str | None) -> None:
    page = decide(client_id=client_id, response_type="code", scope="nope", state="s")
    assert isinstance(page, ErrorPage)
    assert "client_id" in page.title + page.detail


def test_unknown_client_gets_an_error_page_naming_it() -> None:
    page = decide(client_id="nobody", response_type=None)
    assert isinstance(page, ErrorPage)
    assert "'nobody'" in page.detail


def test_unregistered_redirect_uri_gets_an_error_page_listing_the_registered_ones() -> None:
    page = decide(redirect_uri="https://evil.test/callback", response_type="code", state="s")
    assert isinstance(page, ErrorPage)
    assert "https://example.com/callback" in page.detail and "any port" in page.detail


@pytest.mark.parametrize("name", ["client_id", "redirect_uri"])
def test_a_repeated_client_id_or_redirect_uri_is_never_redirected_to(name: str) -> None:
    assert isinstance(decide(repeated={name}), ErrorPage)


@pytest.mark.parametrize("name", ["response_type", "scope", "state"])
def test_a_repeated_parameter_redirects_with_invalid_request(name: str) -> None:
    error = decide(repeated={name}, state="xyz")
    assert isinstance(error, RedirectError)
    assert (error.error, error.state) == ("invalid_request", "xyz")
    assert name in error.description


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"response_type": None}, "invalid_request"),
        ({"response_type": ""}, "invalid_request"),
        ({"response_type": "code"}, "unsupported_response_type"),
        ({"response_type": "TOKEN"}, "unsupported_response_type"),
        ({"response_type": "token id_token"}, "unsupported_response_type"),
        ({"scope": "daily+weekly"}, "invalid_scope"),
        ({"scope": "openid"}, "invalid_scope"),
        ({"scope": ""}, "invalid_scope"),
        ({"response_type": "code", "scope": "nope"}, "unsupported_response_type"),  # response_type first
    ],
)
def test_other_problems_redirect_with_the_rfc_error_and_echo_state(overrides: dict[str, object], error: str) -> None:
    decision = decide(state="opaque 123", **overrides)
    assert isinstance(decision, RedirectError)
    assert (decision.error, decision.state) == (error, "opaque 123")
    assert decision.redirect_uri == "https://example.com/callback"


def test_a_scope_the_client_may_not_ask_for_is_invalid() -> None:
    limited = Client(id="ltd", name="Limited", redirect_uris=("https://x.test/cb",), scopes=())
    decision = check_authorize({"ltd": limited}, "token", "ltd", None, "daily", None)
    assert isinstance(decision, RedirectError) and decision.error == "invalid_scope"


def test_a_good_request_asks_for_consent_with_defaults() -> None:
    assert decide() == ConsentRequest(
        client=APP, redirect_uri="https://example.com/callback", scopes=("daily",), state=None
    )


@pytest.mark.parametrize("scope", ["daily", "daily daily", "daily+daily", " daily ", "daily,daily"])
def test_scope_spellings(scope: str) -> None:
    consent = decide(scope=scope, redirect_uri="http://127.0.0.1:8000/callback", state="")
    assert isinstance(consent, ConsentRequest)
    assert (consent.scopes, consent.redirect_uri, consent.state) == (("daily",), "http://127.0.0.1:8000/callback", "")


def test_state_with_control_characters_is_kept_for_the_redirect_to_encode() -> None:
    consent = decide(state="a\r\nSet-Cookie: x=1")
    assert isinstance(consent, ConsentRequest) and consent.state == "a\r\nSet-Cookie: x=1"


# --- the redirect ------------------------------------------------------------------------------


def test_approval_looks_exactly_like_the_pages_example() -> None:
    token = "PHCW3OVMXQZX5FJUR6ZK4FAA2MK2CWWA"
    url = redirect_url("https://example.com/callback", success_params(token, ("daily",), None, "query", 1), "query")
    assert url == "https://example.com/callback?access_token=PHCW3OVMXQZX5FJUR6ZK4FAA2MK2CWWA&scope=daily"


def test_scopes_are_plus_separated_which_clients_decode_as_space() -> None:
    url = redirect_url("https://x.test/cb", success_params("T", ("daily", "other"), "a+b", "query", 1), "query")
    assert "scope=daily+other" in url
    assert parse_qs(urlsplit(url).query) == {"access_token": ["T"], "scope": ["daily other"], "state": ["a+b"]}


def test_fragment_placement_adds_token_type_and_expires_in_and_keeps_the_query() -> None:
    params = success_params("T", ("daily",), "s", "fragment", 2592000)
    url = redirect_url("http://127.0.0.1:9/cb?app=1", params, "fragment")
    parts = urlsplit(url)
    assert parts.query == "app=1"
    assert parse_qs(parts.fragment) == {
        "access_token": ["T"],
        "scope": ["daily"],
        "token_type": ["bearer"],
        "expires_in": ["2592000"],
        "state": ["s"],
    }


def test_query_placement_keeps_an_existing_query() -> None:
    url = redirect_url("https://x.test/cb?app=1", {"error": "access_denied"}, "query")
    assert url == "https://x.test/cb?app=1&error=access_denied"


def test_error_params_echo_state_only_when_sent() -> None:
    with_state = RedirectError("https://x.test/cb", "access_denied", "the user denied access", "")
    assert error_params(with_state)["state"] == ""
    assert "state" not in error_params(RedirectError("https://x.test/cb", "access_denied", "no", None))


@given(state=st.text(), description=st.text(), placement=st.sampled_from(["query", "fragment"]))
def test_any_state_round_trips_and_the_url_is_printable_ascii(state: str, description: str, placement: str) -> None:
    error = RedirectError("https://example.com/callback", "invalid_request", description, state)
    url = redirect_url(error.redirect_uri, error_params(error), placement)  # type: ignore[arg-type]
    assert PRINTABLE_ASCII.fullmatch(url), url
    parts = urlsplit(url)
    decoded = parse_qs(parts.fragment if placement == "fragment" else parts.query, keep_blank_values=True)
    assert decoded["state"] == [state]
    assert decoded["error"] == ["invalid_request"]


def test_an_iri_redirect_uri_is_percent_encoded_in_the_location() -> None:
    url = redirect_url("https://example.com/rückruf", {"error": "access_denied"}, "query")
    assert url == "https://example.com/r%C3%BCckruf?error=access_denied"


@given(st.text())
def test_error_descriptions_keep_to_the_rfc_character_set(text: str) -> None:
    cleaned = safe_description(text)
    assert len(cleaned) <= DESCRIPTION_LIMIT
    assert all(0x20 <= ord(ch) <= 0x7E and ch not in '"\\' for ch in cleaned)


def test_a_short_description_is_kept() -> None:
    assert safe_description("unknown scope 'weekly'") == "unknown scope 'weekly'"


# --- the consent form's decision ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decision"), [("approve", "approve"), ("deny", "deny"), ("", None), (None, None), ("yes", None)]
)
def test_parse_decision(value: str | None, decision: str | None) -> None:
    assert parse_decision(value) == decision


def test_granted_scopes_are_the_requested_ones_left_on_in_request_order() -> None:
    assert granted_scopes(("daily", "other"), ["other", "daily", "forged"]) == ("daily", "other")
    assert granted_scopes(("daily",), []) == ()
    assert granted_scopes(("daily",), ["forged"]) == ()

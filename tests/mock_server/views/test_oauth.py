"""GET and POST /oauth/authorize over HTTP: the consent page, the redirects, the tokens they carry."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from mock_server import MockConfig, create_app
from mock_server.context import mock_context
from mock_server.oauth.tokens import token_digest
from mock_server.views.oauth import CONSENT_MAX_AGE

from ...conftest import FIXED_NOW, LiveMock

DOC_EXAMPLE = (
    "/oauth/authorize?response_type=token&client_id=JDS734JSNDPW&redirect_uri=https%3A%2F%2Fexample.com%2Fcallback"
)
TOKEN = re.compile(r"[A-Z0-9]{32}")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DAY = 86400
RANGE = {"startTime": 1726358400, "endTime": 1726704000}


def authorize(client: FlaskClient, **params: str) -> TestResponse:
    query = {"response_type": "token", "client_id": "JDS734JSNDPW", **params}
    return client.get("/oauth/authorize?" + urlencode({k: v for k, v in query.items() if v is not None}))


def csrf_of(page: TestResponse) -> str:
    assert page.status_code == 200, page.text
    match = CSRF.search(page.text)
    assert match, page.text
    return match.group(1)


def decide(client: FlaskClient, csrf: str, **form: str | list[str]) -> TestResponse:
    return client.post("/oauth/authorize", data={"csrf_token": csrf, **form})


def approve(client: FlaskClient, **params: str) -> TestResponse:
    csrf = csrf_of(authorize(client, **params))
    return decide(client, csrf, user="typical", grant="daily", decision="approve")


def sent_back(response: TestResponse, part: str = "query") -> tuple[str, dict[str, list[str]]]:
    """The redirect's target (without query/fragment) and its parameters."""
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    parts = urlsplit(location)
    raw = parts.fragment if part == "fragment" else parts.query
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(raw, keep_blank_values=True)


def query(client: FlaskClient, token: str, client_id: str = "JDS734JSNDPW") -> dict[str, object]:
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": client_id}
    response = client.get("/partner/v1/query/heart_beat", headers=headers, json=RANGE)
    assert response.status_code == 200
    return response.json  # type: ignore[return-value]


@pytest.fixture(scope="module")
def shared() -> FlaskClient:
    """One app for the tests that change no state (error pages and error redirects)."""
    return create_app(MockConfig(validate_responses=True)).test_client()


# --- the consent page ----------------------------------------------------------------------------


def test_the_consent_page_names_the_app_the_scope_the_users_and_the_way_back(client: FlaskClient) -> None:
    page = authorize(client, redirect_uri="http://127.0.0.1:8765/callback")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.text
    assert "Example Partner App wants to access your CUDIS account" in text
    assert re.search(
        r'<input class="switch" type="checkbox" role="switch" id="scope-daily" name="grant" value="daily" checked>',
        text,
    )
    assert "Daily summaries of sleep, step and heartbeat" in text
    assert "enable or disable each scope" in text
    assert '<option value="typical"' in text and '<option value="athlete"' in text
    assert 'name="username"' in text and 'type="password"' in text
    assert 'value="approve"' in text and 'value="deny"' in text
    assert "Access lasts 30 days" in text
    assert "<code>http://127.0.0.1:8765/callback</code>" in text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text


def test_the_consent_page_is_not_framed_cached_or_scripted(client: FlaskClient) -> None:
    headers = authorize(client).headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none' forbids scripts
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_each_page_load_gets_its_own_form_token(client: FlaskClient) -> None:
    assert csrf_of(authorize(client, state="a")) != csrf_of(authorize(client, state="b"))


# --- approve -----------------------------------------------------------------------------------


def test_approve_redirects_exactly_like_the_pages_example_and_the_token_reads_data(client: FlaskClient) -> None:
    response = approve(client, redirect_uri="https://example.com/callback")
    location = response.headers["Location"]
    assert re.fullmatch(r"https://example\.com/callback\?access_token=[A-Z0-9]{32}&scope=daily", location)
    token = parse_qs(urlsplit(location).query)["access_token"][0]
    assert query(client, token)["code"] == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_redirect_uri_defaults_to_the_clients_first_registered_one(client: FlaskClient) -> None:
    target, params = sent_back(approve(client))
    assert target == "https://example.com/callback"
    assert TOKEN.fullmatch(params["access_token"][0])


def test_a_loopback_redirect_on_any_port_is_honoured(client: FlaskClient) -> None:
    target, _ = sent_back(approve(client, redirect_uri="http://127.0.0.1:49152/callback", state="s1"))
    assert target == "http://127.0.0.1:49152/callback"


def test_state_is_echoed_exactly(client: FlaskClient) -> None:
    state = "a+b c&d=é/%2B"
    _, params = sent_back(approve(client, state=state))
    assert params["state"] == [state]


def test_a_new_token_each_time_and_all_of_them_work(client: FlaskClient) -> None:
    tokens = [sent_back(approve(client))[1]["access_token"][0] for _ in range(3)]
    assert len(set(tokens)) == 3
    assert all(query(client, t)["code"] == 200 for t in tokens)


def test_the_token_belongs_to_the_chosen_user_and_client_with_the_granted_scope(
    app: Flask, client: FlaskClient
) -> None:
    csrf = csrf_of(authorize(client, client_id="cudis-wellness"))
    _, params = sent_back(decide(client, csrf, user="athlete", grant="daily", decision="approve"))
    record = mock_context(app).store.get_token(token_digest(params["access_token"][0]))
    assert record is not None
    assert (record.user_id, record.client_id, record.scopes) == ("athlete", "cudis-wellness", ("daily",))


def test_sign_in_with_username_and_password(app: Flask, client: FlaskClient) -> None:
    csrf = csrf_of(authorize(client))
    # The typed username wins over the picked account.
    response = decide(client, csrf, user="typical", username="bea", password="cudis", grant="daily", decision="approve")
    record = mock_context(app).store.get_token(token_digest(sent_back(response)[1]["access_token"][0]))
    assert record is not None and record.user_id == "athlete"


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ({"username": "bea", "password": "wrong"}, "Wrong password for that username."),
        ({"username": "nobody", "password": "cudis"}, "No user has that username."),
        ({"user": "ghost"}, "Pick a user to sign in as."),
        ({}, "Pick a user to sign in as."),
    ],
)
def test_a_failed_sign_in_shows_the_page_again_saying_what_to_fix(
    client: FlaskClient, form: dict[str, str], problem: str
) -> None:
    csrf = csrf_of(authorize(client, state="kept"))
    page = decide(client, csrf, decision="approve", grant="daily", **form)
    assert page.status_code == 200 and "Location" not in page.headers
    assert f'<p class="alert" role="alert">{problem}</p>' in page.text
    if "username" in form:
        assert f'value="{form["username"]}"' in page.text and "<details open>" in page.text
    # The new form still carries the request: approving now works and echoes state.
    _, params = sent_back(decide(client, csrf_of(page), user="typical", grant="daily", decision="approve"))
    assert params["state"] == ["kept"]


@pytest.mark.parametrize("decision", [None, "", "yes", "APPROVE"])
def test_a_form_without_approve_or_deny_asks_again(client: FlaskClient, decision: str | None) -> None:
    csrf = csrf_of(authorize(client))
    form = {"user": "typical", "grant": "daily"} | ({} if decision is None else {"decision": decision})
    page = decide(client, csrf, **form)
    assert page.status_code == 200 and "Location" not in page.headers
    assert "Press Approve or Deny" in page.text
    assert '<option value="typical" selected>' in page.text


def test_the_page_asked_again_keeps_a_withheld_scope_off(client: FlaskClient) -> None:
    page = decide(client, csrf_of(authorize(client)), user="ghost", decision="approve")
    assert re.search(r'value="daily">', page.text)  # not checked


def test_fragment_mode_puts_the_token_and_rfc_fields_in_the_fragment() -> None:
    client = create_app(MockConfig(token_in="fragment", validate_responses=True)).test_client()
    response = approve(client, redirect_uri="http://localhost:5173/callback", state="xyz")
    location = response.headers["Location"]
    assert urlsplit(location).query == ""
    _, params = sent_back(response, "fragment")
    assert TOKEN.fullmatch(params["access_token"][0])
    assert {k: v for k, v in params.items() if k != "access_token"} == {
        "scope": ["daily"],
        "token_type": ["bearer"],
        "expires_in": ["2592000"],
        "state": ["xyz"],
    }
    assert query(client, params["access_token"][0])["code"] == 200


def test_fragment_mode_puts_errors_in_the_fragment_too() -> None:
    client = create_app(MockConfig(token_in="fragment")).test_client()
    _, params = sent_back(authorize(client, response_type="code", state="s"), "fragment")
    assert params["error"] == ["unsupported_response_type"] and params["state"] == ["s"]


def test_a_native_app_gets_the_token_on_its_private_use_scheme(client: FlaskClient) -> None:
    response = approve(client, client_id="cudis-mobile-demo", redirect_uri="com.example.cudisdemo:/oauth/callback")
    assert re.fullmatch(
        r"com\.example\.cudisdemo:/oauth/callback\?access_token=[A-Z0-9]{32}&scope=daily", response.headers["Location"]
    )


# --- errors: RFC 6749 4.2.2.1 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "title"),
    [
        ({"client_id": ""}, "Missing client_id"),
        ({"client_id": "NOPE"}, "Unknown application"),
        ({"redirect_uri": "https://evil.test/callback"}, "Redirect URI not registered"),
        ({"redirect_uri": "https://example.com:444/callback"}, "Redirect URI not registered"),
        ({"redirect_uri": "http://127.0.0.1:8000/elsewhere"}, "Redirect URI not registered"),
        ({"redirect_uri": "http://127.0.0.1:8000/callback\r\nSet-Cookie: x=1"}, "Redirect URI not registered"),
    ],
)
def test_a_bad_client_or_redirect_uri_gets_an_error_page_and_never_a_redirect(
    shared: FlaskClient, params: dict[str, str], title: str
) -> None:
    # Even with other errors and state present, the client is not told.
    page = authorize(shared, response_type="code", scope="nope", state="s", **params)
    assert page.status_code == 400 and "Location" not in page.headers
    assert page.mimetype == "text/html"
    assert f'<h1 class="error">{title}</h1>' in page.text


def test_a_missing_client_id_parameter_gets_the_error_page(client: FlaskClient) -> None:
    page = client.get("/oauth/authorize?response_type=token")
    assert page.status_code == 400 and "Missing client_id" in page.text


def test_repeated_client_id_or_redirect_uri_gets_the_error_page(shared: FlaskClient) -> None:
    for query_string in [
        "response_type=token&client_id=JDS734JSNDPW&client_id=cudis-wellness",
        "response_type=token&client_id=JDS734JSNDPW&redirect_uri=https%3A%2F%2Fexample.com%2Fcallback&redirect_uri=x",
    ]:
        page = shared.get("/oauth/authorize?" + query_string)
        assert page.status_code == 400 and "Location" not in page.headers, query_string


@pytest.mark.parametrize(
    ("query_string", "error"),
    [
        ("client_id=JDS734JSNDPW", "invalid_request"),
        ("client_id=JDS734JSNDPW&response_type=", "invalid_request"),
        ("client_id=JDS734JSNDPW&response_type=code", "unsupported_response_type"),
        ("client_id=JDS734JSNDPW&response_type=token&response_type=code", "invalid_request"),
        ("client_id=JDS734JSNDPW&response_type=token&scope=weekly", "invalid_scope"),
        ("client_id=JDS734JSNDPW&response_type=token&scope=daily+weekly", "invalid_scope"),
        ("client_id=JDS734JSNDPW&response_type=token&scope=", "invalid_scope"),
        ("client_id=JDS734JSNDPW&response_type=token&scope=daily&scope=daily", "invalid_request"),
    ],
)
@pytest.mark.parametrize("state", [None, "", "xyz", "a b+c&d=e\r\n"])
def test_other_errors_redirect_with_the_rfc_error_and_always_echo_state(
    shared: FlaskClient, query_string: str, error: str, state: str | None
) -> None:
    suffix = "" if state is None else "&" + urlencode({"state": state})
    target, params = sent_back(
        shared.get(f"/oauth/authorize?{query_string}{suffix}&redirect_uri=http%3A%2F%2F127.0.0.1%3A7777%2Fcallback")
    )
    assert target == "http://127.0.0.1:7777/callback"
    assert params["error"] == [error]
    assert params["error_description"][0]  # says what to fix
    assert params.get("state") == (None if state is None else [state])
    assert "access_token" not in params


def test_deny_redirects_with_access_denied_and_state(client: FlaskClient) -> None:
    csrf = csrf_of(
        authorize(client, state="st8", redirect_uri="http://[::1]:9000/callback", client_id="cudis-wellness")
    )
    target, params = sent_back(decide(client, csrf, user="typical", grant="daily", decision="deny"))
    assert target == "http://[::1]:9000/callback"
    assert params == {"error": ["access_denied"], "error_description": ["the user denied access"], "state": ["st8"]}


def test_deny_needs_no_sign_in(client: FlaskClient) -> None:
    _, params = sent_back(decide(client, csrf_of(authorize(client)), decision="deny"))
    assert params["error"] == ["access_denied"]


def test_withholding_every_scope_is_access_denied(client: FlaskClient) -> None:
    csrf = csrf_of(authorize(client, state="w"))
    _, params = sent_back(decide(client, csrf, user="typical", decision="approve"))  # the switch left off
    assert params["error"] == ["access_denied"] and params["state"] == ["w"]


def test_a_forged_scope_in_the_form_is_not_granted(app: Flask, client: FlaskClient) -> None:
    csrf = csrf_of(authorize(client))
    _, params = sent_back(decide(client, csrf, user="typical", grant=["daily", "admin"], decision="approve"))
    assert params["scope"] == ["daily"]
    record = mock_context(app).store.get_token(token_digest(params["access_token"][0]))
    assert record is not None and record.scopes == ("daily",)


# --- the CSRF token --------------------------------------------------------------------------------


@pytest.mark.parametrize("csrf", ["", "garbage", "eyJjbGllbnRfaWQiOiJKRFM3MzRKU05EUFcifQ.forged"])
def test_a_form_without_a_valid_token_is_refused(client: FlaskClient, csrf: str) -> None:
    page = decide(client, csrf, user="typical", grant="daily", decision="approve")
    assert page.status_code == 403 and "Location" not in page.headers
    assert "This form cannot be used" in page.text


def test_a_tampered_token_is_refused(client: FlaskClient) -> None:
    csrf = csrf_of(authorize(client))
    head, _, signature = csrf.rpartition(".")
    tampered = f"{head}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert decide(client, tampered, user="typical", grant="daily", decision="approve").status_code == 403


def test_a_form_from_another_server_is_refused(client: FlaskClient) -> None:
    other = create_app(MockConfig()).test_client()
    csrf = csrf_of(authorize(other))
    assert decide(client, csrf, user="typical", grant="daily", decision="approve").status_code == 403


def test_no_form_post_at_all_is_refused(client: FlaskClient) -> None:
    assert client.post("/oauth/authorize").status_code == 403


def test_a_form_expires_after_an_hour_by_the_mocks_clock(client: FlaskClient, freeze) -> None:  # type: ignore[no-untyped-def]
    freeze(FIXED_NOW)
    csrf = csrf_of(authorize(client))
    freeze(FIXED_NOW + CONSENT_MAX_AGE)
    assert decide(client, csrf, user="typical", decision="deny").status_code == 302
    freeze(FIXED_NOW + CONSENT_MAX_AGE + 1)
    page = decide(client, csrf, user="typical", grant="daily", decision="approve")
    assert page.status_code == 403 and "This form has expired" in page.text


# --- escaping: every value a client or user supplies ------------------------------------------------

NASTY = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def test_a_client_id_is_escaped_on_the_error_page(shared: FlaskClient) -> None:
    page = authorize(shared, client_id=NASTY)
    assert "<script>" not in page.text and "<img" not in page.text
    assert "&lt;script&gt;" in page.text


def test_a_redirect_uri_is_escaped_on_the_error_page(shared: FlaskClient) -> None:
    page = authorize(shared, redirect_uri="https://evil.test/" + NASTY)
    assert page.status_code == 400
    assert "<script>" not in page.text and "<img" not in page.text


def test_a_typed_username_is_escaped_when_the_page_is_shown_again(client: FlaskClient) -> None:
    page = decide(client, csrf_of(authorize(client)), username=NASTY, password="x", decision="approve")
    assert page.status_code == 200
    assert "<script>" not in page.text and "<img" not in page.text
    assert "&#34;&gt;&lt;script&gt;" in page.text


def test_state_never_appears_on_the_page(client: FlaskClient) -> None:
    assert "onerror" not in authorize(client, state=NASTY).text


def test_fixture_names_are_escaped_too(tmp_path: Path) -> None:
    builtin = Path(__file__).resolve().parents[3] / "fixtures"
    for name in ("users.yaml", "personas.yaml"):
        shutil.copy(builtin / name, tmp_path / name)
    (tmp_path / "clients.yaml").write_text(
        "clients:\n  - id: evil\n    name: '<b>Evil</b> & Co'\n    redirect_uris: ['https://x.test/cb?a=1&b=\"2']\n"
    )
    client = create_app(MockConfig(fixtures=tmp_path)).test_client()
    page = authorize(client, client_id="evil")
    assert page.status_code == 200
    assert "<b>Evil</b>" not in page.text and "&lt;b&gt;Evil&lt;/b&gt; &amp; Co wants" in page.text
    assert "a=1&amp;b=&#34;2" in page.text


# --- CR/LF never reaches a header ------------------------------------------------------------------

PARAMS = ["response_type", "client_id", "redirect_uri", "scope", "state"]
VALUES = st.one_of(
    st.sampled_from(
        ["token", "JDS734JSNDPW", "http://127.0.0.1:5000/callback", "daily", "\r\n", "x\r\nSet-Cookie: a=1"]
    ),
    st.text(max_size=40),
)


@pytest.fixture(scope="module")
def header_clients() -> dict[str, FlaskClient]:
    """One app per placement, shared by the examples (hypothesis runs many per test)."""
    return {
        "query": create_app(MockConfig()).test_client(),
        "fragment": create_app(MockConfig(token_in="fragment", auto_approve="typical")).test_client(),
    }


@settings(max_examples=150)
@given(params=st.dictionaries(st.sampled_from(PARAMS), VALUES), mode=st.sampled_from(["query", "fragment"]))
def test_no_parameter_breaks_a_header_or_the_server(
    header_clients: dict[str, FlaskClient], params: dict[str, str], mode: str
) -> None:
    client = header_clients[mode]
    response = client.get("/oauth/authorize?" + urlencode(params))
    assert response.status_code in {200, 302, 400}
    for name, value in response.headers.items():
        assert "\r" not in value and "\n" not in value, (name, value)
    if response.status_code == 302:
        location = response.headers["Location"]
        assert re.fullmatch(r"[\x21-\x7e]+", location)
        assert location.startswith(("https://example.com/callback", "http://127.0.0.1"))


# --- tokens: 30 days, by the mock's clock; scopes -------------------------------------------------


def test_a_token_lives_30_days_by_the_mocks_clock(client: FlaskClient, freeze) -> None:  # type: ignore[no-untyped-def]
    freeze(FIXED_NOW)
    token = sent_back(approve(client))[1]["access_token"][0]
    freeze(FIXED_NOW + 30 * DAY - 1)
    assert query(client, token)["code"] == 200
    freeze(FIXED_NOW + 30 * DAY)
    response = client.get(
        "/partner/v1/query/heart_beat",
        headers={"Authorization": f"Bearer {token}", "Cudis-Client-Id": "JDS734JSNDPW"},
        json=RANGE,
    )
    assert response.json == {"code": 20007, "msg": "Session expired. Please sign in again", "data": None}
    assert "expired" in response.headers["X-Cudis-Mock-Reason"]


def test_a_token_is_only_good_for_its_client(client: FlaskClient) -> None:
    token = sent_back(approve(client))[1]["access_token"][0]
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    assert client.get("/partner/v1/query/heart_beat", headers=headers, json=RANGE).json["code"] == 20007  # type: ignore[index]


def test_a_token_without_daily_cannot_read_the_query_endpoints(client: FlaskClient, mint) -> None:  # type: ignore[no-untyped-def]
    token = mint(client_id="JDS734JSNDPW", scope="")
    for metric in ("heart_beat", "step", "sleep"):
        response = client.get(
            f"/partner/v1/query/{metric}",
            headers={"Authorization": f"Bearer {token}", "Cudis-Client-Id": "JDS734JSNDPW"},
            json=RANGE,
        )
        assert response.json["code"] == 20007  # type: ignore[index]
        assert "daily" in response.headers["X-Cudis-Mock-Reason"]


def test_there_is_no_refresh_token(client: FlaskClient) -> None:
    _, params = sent_back(approve(client))
    assert "refresh_token" not in params


# --- --auto-approve, for CI ------------------------------------------------------------------------


@pytest.fixture
def auto_client() -> FlaskClient:
    return create_app(MockConfig(auto_approve="typical", validate_responses=True)).test_client()


def test_the_pages_own_example_url_works_with_auto_approve(auto_client: FlaskClient) -> None:
    response = auto_client.get(DOC_EXAMPLE)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert re.fullmatch(r"https://example\.com/callback\?access_token=[A-Z0-9]{32}&scope=daily", location)
    assert query(auto_client, parse_qs(urlsplit(location).query)["access_token"][0])["code"] == 200


def test_auto_approve_still_refuses_what_it_must(auto_client: FlaskClient) -> None:
    assert authorize(auto_client, client_id="NOPE").status_code == 400
    assert authorize(auto_client, redirect_uri="https://evil.test/cb").status_code == 400
    _, params = sent_back(authorize(auto_client, response_type="code", state="s"))
    assert params["error"] == ["unsupported_response_type"] and params["state"] == ["s"]
    _, params = sent_back(authorize(auto_client, scope="weekly"))
    assert params["error"] == ["invalid_scope"]


def test_auto_approve_as_an_unknown_user_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="--auto-approve: unknown user 'ghost'"):
        create_app(MockConfig(auto_approve="ghost"))


# --- a script drives the form over real HTTP, as the README shows ----------------------------------


def test_a_script_gets_a_token_by_posting_the_form(live_mock: LiveMock) -> None:
    base = live_mock.base_url
    with requests.Session() as http:
        page = http.get(
            f"{base}/oauth/authorize",
            params={
                "response_type": "token",
                "client_id": "JDS734JSNDPW",
                "redirect_uri": "http://127.0.0.1:8000/callback",
                "state": "xyz",
            },
            timeout=10,
        )
        match = CSRF.search(page.text)
        assert match
        answer = http.post(
            f"{base}/oauth/authorize",
            data={"csrf_token": match.group(1), "user": "typical", "grant": "daily", "decision": "approve"},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302
        location = answer.headers["Location"]
        assert re.fullmatch(
            r"http://127\.0\.0\.1:8000/callback\?access_token=[A-Z0-9]{32}&scope=daily&state=xyz", location
        )
        token = parse_qs(urlsplit(location).query)["access_token"][0]
        data = http.get(
            f"{base}/partner/v1/query/heart_beat",
            headers={"Authorization": f"Bearer {token}", "Cudis-Client-Id": "JDS734JSNDPW"},
            json=RANGE,
            timeout=10,
        )
        assert data.json()["code"] == 200


# --- an RFC 6749 client library reads the fragment -------------------------------------------------


def test_oauthlib_reads_the_fragment_mode_redirect(monkeypatch: pytest.MonkeyPatch) -> None:
    from oauthlib.oauth2 import MobileApplicationClient

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the callback is http on loopback
    client = create_app(MockConfig(token_in="fragment", auto_approve="typical")).test_client()
    oauth = MobileApplicationClient("cudis-mobile-demo")
    uri = oauth.prepare_request_uri(
        "http://127.0.0.1/oauth/authorize", redirect_uri="http://127.0.0.1:8123/callback", scope=["daily"], state="s-1"
    )
    response = client.get(uri.removeprefix("http://127.0.0.1"))
    token = oauth.parse_request_uri_response(response.headers["Location"], state="s-1", scope=["daily"])
    assert TOKEN.fullmatch(token["access_token"])
    assert (token["token_type"], token["expires_in"], token["scope"]) == ("bearer", 2592000, ["daily"])
    assert "refresh_token" not in token


@pytest.mark.parametrize("decision", ["approve", "deny"])
def test_state_with_cr_lf_comes_back_encoded_from_the_form_too(client: FlaskClient, decision: str) -> None:
    state = "x\r\nSet-Cookie: stolen=1"
    response = decide(client, csrf_of(authorize(client, state=state)), user="typical", grant="daily", decision=decision)
    location = response.headers["Location"]
    assert "\r" not in location and "\n" not in location and "Set-Cookie" not in response.headers
    assert sent_back(response)[1]["state"] == [state]

"""The authorize flow under attack, over real HTTP: no open redirect, no header injection, no script.

Every HTML page must escape what it shows and forbid scripts and framing; every refusal of a
bad redirect URI is an error page and never a redirect (RFC 6749 4.2.2.1).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
import yaml

from cudis_spec.files import admin_spec_path
from cudis_spec.files import api_spec_path as spec_path
from mock_server.people.files import builtin_fixtures_dir

from .harness import RawResponse, ServedMock

SCRIPT = "<script>alert(1)</script>"
PAYLOADS = [
    SCRIPT,
    '"><script>alert(2)</script>',
    "'><img src=x onerror=alert(3)>",
    "javascript:alert(4)",
    "</textarea><svg onload=alert(5)>",
    "{{7*7}}{% raw %}",
    '" onmouseover="alert(6)',
    "' onfocus='alert(7)",
]
RAW_MARKERS = ("<script", "<img src=x", "<svg onload", '" onmouseover=', "' onfocus=")


def _authorize(mock: ServedMock, **params: str) -> RawResponse:
    params = {"response_type": "token", "client_id": "cudis-wellness", **params}
    return mock.raw().request("GET", "/oauth/authorize?" + urlencode(params, quote_via=quote), b"")


def assert_safe_html(response: RawResponse) -> str:
    """An HTML page that escapes what it shows and forbids scripts and framing."""
    assert (response.header("Content-Type") or "").startswith("text/html"), response.headers
    csp = response.header("Content-Security-Policy") or ""
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert "frame-ancestors 'none'" in directives.get("frame-ancestors", ""), csp
    script_src = directives.get("script-src", directives.get("default-src", ""))
    assert "'unsafe-inline'" not in script_src and "*" not in script_src, csp
    assert "default-src" in directives or "script-src" in directives, csp
    assert response.header("X-Frame-Options") == "DENY"
    assert response.header("X-Content-Type-Options") == "nosniff"
    page = response.body.decode("utf-8")
    for marker in RAW_MARKERS:
        assert marker not in page, f"unescaped {marker!r} in the page"
    return page


def _no_injected_header(response: RawResponse) -> None:
    names = [k.lower() for k, _ in response.headers]
    assert "set-cookie" not in names or all("x=1" not in v for k, v in response.headers if k.lower() == "set-cookie")
    assert "x-injected" not in names
    assert all("\r" not in v and "\n" not in v for _, v in response.headers)


OPEN_REDIRECTS = [
    "https://evil.test/callback",
    "https://example.com@evil.test/callback",
    "https://example.com%40evil.test/callback",
    "https://example.com:443@evil.test/callback",
    "https://example.com\\@evil.test/callback",
    "https:\\\\evil.test\\callback",
    "https:/\\evil.test/callback",
    "//evil.test/callback",
    "///evil.test/callback",
    "/\\evil.test/callback",
    "https://evil.test\\.example.com/callback",
    "https://example.com.evil.test/callback",
    "https://example.com/callback.evil.test",
    "https://example.com/callback/../../evil",
    "https://example.com/callback%2f..%2fevil",
    "https://example.com/callback?next=https://evil.test",
    "https://example.com/callback#@evil.test",
    "https://EXAMPLE.com/callback",
    "http://example.com/callback",
    "https://example.com:8443/callback",
    "https://example.com/Callback",
    "https://example.com/callback/",
    " https://example.com/callback",
    "https://example.com/callback ",
    "https://exam\u200bple.com/callback",
    "https://еxample.com/callback",  # Cyrillic e
    "javascript:alert(1)//https://example.com/callback",
    "data:text/html,<script>alert(1)</script>",
    "http://127.0.0.1.evil.test/callback",
    "http://localhost.evil.test/callback",
    "http://127.0.0.1@evil.test/callback",
    "http://evil.test#@127.0.0.1/callback",
    "http://127.1/callback",
    "http://2130706433/callback",
    "http://0x7f000001/callback",
    "http://0177.0.0.1/callback",
    "http://[::ffff:127.0.0.1]/callback",
    "http://127.0.0.2/callback",
    "http://0.0.0.0/callback",
    "http://localhost./callback",
    "https://127.0.0.1/callback",
    "http://user:pass@127.0.0.1/callback",
    "http://127.0.0.1:99999/callback",
    "http://127.0.0.1:-1/callback",
    "http://127.0.0.1:80:80/callback",
    "http://127.0.0.1/callback/../../evil",
    "http://127.0.0.1/callback?x=1",
    "http://127.0.0.1/callback\x00",
    "https://example.com/callback\r\nX-Injected: 1",
    "https://example.com/callback%0d%0aX-Injected:%201",
    "https://example.com/callback\nLocation: https://evil.test",
]


@pytest.mark.parametrize("redirect_uri", OPEN_REDIRECTS)
def test_an_unregistered_redirect_uri_gets_an_error_page_never_a_redirect(mock: ServedMock, redirect_uri: str) -> None:
    response = _authorize(mock, redirect_uri=redirect_uri, state="xyz")
    assert response.status == 400, (response.status, response.header("Location"))
    assert response.header("Location") is None
    page = assert_safe_html(response)
    assert "not registered" in page
    _no_injected_header(response)


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://example.com/callback",
        "http://127.0.0.1:5173/callback",
        "http://localhost:3000/callback",
        "http://[::1]:8000/callback",
    ],
)
def test_registered_redirect_uris_still_work(mock: ServedMock, redirect_uri: str) -> None:
    response = _authorize(mock, redirect_uri=redirect_uri)
    assert response.status == 200
    assert_safe_html(response)


@pytest.mark.parametrize("state", ["a\r\nX-Injected: 1", "a\nSet-Cookie: x=1", "a\rb", "\x00", "a\x7fb"])
def test_control_characters_in_state_never_reach_a_header(mock: ServedMock, state: str) -> None:
    response = _authorize(mock, state=state)
    _no_injected_header(response)
    if response.status == 200:  # the consent page; state travels on, signed, to the redirect
        fields = consent_form(assert_safe_html(response))
        response = post_decision(
            mock, {**fields, "decision": "approve", "user": "typical", "grant": "daily"}, cookies_of(response)
        )
    assert response.status == 302
    _no_injected_header(response)
    location = response.header("Location") or ""
    assert location.startswith("https://example.com/callback?")
    assert not any(c in location for c in "\r\n\x00\x7f")
    query = parse_qs(urlsplit(location).query, keep_blank_values=True)
    # Echoed exactly (RFC 6749), percent-encoded; or dropped with an invalid_request error.
    assert query.get("state") == [state] or query.get("error") == ["invalid_request"]


@pytest.mark.parametrize("client_id", PAYLOADS)
def test_script_in_client_id_is_escaped_on_the_error_page(mock: ServedMock, client_id: str) -> None:
    response = _authorize(mock, client_id=client_id)
    assert response.status == 400
    page = assert_safe_html(response)
    if "<" in client_id:
        assert "&lt;" in page, "the payload is neither shown escaped nor left out"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_in_redirect_uri_is_escaped_on_the_error_page(mock: ServedMock, payload: str) -> None:
    response = _authorize(mock, redirect_uri=f"https://example.com/callback?x={payload}")
    assert response.status == 400
    assert_safe_html(response)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_in_scope_is_percent_encoded_in_the_error_redirect(mock: ServedMock, payload: str) -> None:
    response = _authorize(mock, scope=payload, state=payload)
    assert response.status == 302
    location = response.header("Location") or ""
    assert not any(c in location for c in "<>\"' ")
    query = parse_qs(urlsplit(location).query)
    assert query["error"] == ["invalid_scope"] and query["state"] == [payload]


# ---- the consent form ------------------------------------------------------------------------


def consent_form(page: str) -> dict[str, str]:
    """The hidden fields of the consent page's form."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]*)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields[html.unescape(name.group(1))] = html.unescape(value.group(1) if value else "")
    return fields


def cookies_of(response: RawResponse) -> str:
    return "; ".join(v.split(";", 1)[0] for k, v in response.headers if k.lower() == "set-cookie")


def post_decision(
    mock: ServedMock, fields: dict[str, str | list[str]], cookie: str = "", body: bytes | None = None
) -> RawResponse:
    data = body if body is not None else urlencode(fields, doseq=True).encode()
    headers = [("Content-Type", "application/x-www-form-urlencoded")]
    if cookie:
        headers.append(("Cookie", cookie))
    return mock.raw().request("POST", "/oauth/authorize", data, headers)


@pytest.fixture
def consent(mock: ServedMock) -> Iterator[tuple[dict[str, str], str]]:
    response = _authorize(mock, state="s-1", redirect_uri="http://127.0.0.1:9/callback")
    assert response.status == 200
    yield consent_form(assert_safe_html(response)), cookies_of(response)


@pytest.mark.parametrize("state", [*PAYLOADS, "é🙂", "a" * 2000, "a&b=c#d", "%0d%0a", "q+8/Zz==", "a b+c"])
def test_any_printable_state_round_trips_percent_encoded(mock: ServedMock, state: str) -> None:
    response = _authorize(mock, state=state)
    page = assert_safe_html(response)
    fields = consent_form(page)
    approved = post_decision(
        mock, {**fields, "decision": "approve", "user": "typical", "grant": "daily"}, cookies_of(response)
    )
    assert approved.status == 302, approved.body[:300]
    _no_injected_header(approved)
    location = approved.header("Location") or ""
    assert not any(c in location for c in "<>\"' \r\n")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [state]
    assert re.fullmatch(r"[A-Z0-9]{32}", query["access_token"][0])


def test_approval_without_the_csrf_token_is_refused(mock: ServedMock, consent: tuple[dict[str, str], str]) -> None:
    fields, cookie = consent
    fields = {k: v for k, v in fields.items() if "csrf" not in k}
    response = post_decision(mock, {**fields, "decision": "approve", "user": "typical", "grant": "daily"}, cookie)
    assert response.status == 403 and response.header("Location") is None
    assert_safe_html(response)


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: t.split(".")[0] + ".x.y",
        lambda t: "",
        lambda t: SCRIPT,
        lambda t: "eyJjbGllbnRfaWQiOiJjdWRpcy13ZWxsbmVzcyIsInJlZGlyZWN0X3VyaSI6Imh0dHBzOi8vZXZpbC50ZXN0In0.AAAA.BBBB",
        lambda t: t * 50,
    ],
    ids=["flipped-signature", "garbage-signature", "empty", "script", "unsigned-evil-redirect", "repeated"],
)
def test_a_forged_csrf_token_is_refused(mock: ServedMock, consent: tuple[dict[str, str], str], forge) -> None:  # type: ignore[no-untyped-def]
    fields, cookie = consent
    name = next(k for k in fields if "csrf" in k)
    fields[name] = forge(fields[name])
    response = post_decision(mock, {**fields, "decision": "approve", "user": "typical", "grant": "daily"}, cookie)
    assert response.status == 403 and response.header("Location") is None
    assert_safe_html(response)


def test_a_csrf_token_from_another_mock_is_refused(mock: ServedMock) -> None:
    """Each mock signs with its own secret: a form from one is worthless on another."""
    with ServedMock.start() as other:
        foreign = _authorize(other, state="s")
        fields = consent_form(assert_safe_html(foreign))
    response = post_decision(
        mock, {**fields, "decision": "approve", "user": "typical", "grant": "daily"}, cookies_of(foreign)
    )
    assert response.status == 403 and response.header("Location") is None


@pytest.mark.parametrize(
    "extra",
    [
        {"username": SCRIPT, "password": SCRIPT},
        {"username": "alex", "password": SCRIPT},
        {"user": SCRIPT},
        {"user": "typical", "grant": SCRIPT},
        {"user": "typical", "decision": SCRIPT},
        {"user": "typical", "redirect_uri": "https://evil.test/callback", "grant": "daily"},
        {"user": "typical", "client_id": "local-dev", "grant": "daily"},
    ],
    ids=[
        "script-credentials",
        "script-password",
        "script-user",
        "script-grant",
        "script-decision",
        "smuggled-redirect-uri",
        "smuggled-client-id",
    ],
)
def test_hostile_form_values_are_escaped_or_ignored(
    mock: ServedMock, consent: tuple[dict[str, str], str], extra: dict[str, str]
) -> None:
    fields, cookie = consent
    response = post_decision(mock, {**fields, "decision": "approve", **extra}, cookie)
    assert response.status in {200, 302}, response.body[:300]
    if response.status == 200:
        assert_safe_html(response)
    else:
        location = response.header("Location") or ""
        # Whatever the form says, the user goes back only to the URI the consent page was signed for.
        assert location.startswith("http://127.0.0.1:9/callback?"), location
        assert "evil" not in location


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\x00csrf_token=\xff&decision=approve",
        b"csrf_token=%ZZ&decision=%",
        b"&&&==&=&decision",
        b"a=" + b"%00" * 10000,
        b"&".join(b"f%d=1" % i for i in range(5000)),
        b'{"csrf_token": "x", "decision": "approve"}',
    ],
    ids=["non-utf8", "broken-percent", "empty-pairs", "nul-bytes", "5000-fields", "json"],
)
def test_a_malformed_form_gets_a_clear_refusal(mock: ServedMock, body: bytes) -> None:
    response = post_decision(mock, {}, body=body)
    assert response.status in {403, 413}, (response.status, response.body[:300])
    if response.status == 403:
        assert_safe_html(response)
    else:
        assert response.envelope["code"] == 41300


# ---- fixture values shown on the pages ----------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in fixtures with a script payload in every value a page shows."""
    root = tmp_path_factory.mktemp("hostile-fixtures")
    builtin = builtin_fixtures_dir()
    (root / "personas.yaml").write_text((builtin / "personas.yaml").read_text())
    clients = {
        "clients": [
            {
                "id": "evil-app",
                "name": '<script>alert("name")</script>',
                "description": "<img src=x onerror=alert(1)>",
                "redirect_uris": ['https://example.com/cb?x="><script>alert(2)</script>', "http://127.0.0.1/cb"],
            }
        ]
    }
    users = yaml.safe_load((builtin / "users.yaml").read_text())
    users["users"][0]["name"] = "<svg onload=alert(3)>"
    users["users"][0]["username"] = '"><script>alert(4)</script>'
    users["users"][0]["description"] = "<script>alert(5)</script>"
    (root / "clients.yaml").write_text(yaml.safe_dump(clients))
    (root / "users.yaml").write_text(yaml.safe_dump(users, allow_unicode=True))
    return root


def test_fixture_values_are_escaped_on_the_consent_page(hostile_fixtures: Path) -> None:
    with ServedMock.start("--fixtures", str(hostile_fixtures), "--validate-responses") as evil:
        redirect = 'https://example.com/cb?x="><script>alert(2)</script>'
        response = _authorize(evil, client_id="evil-app", redirect_uri=redirect)
        assert response.status == 200, response.body[:300]
        page = assert_safe_html(response)
        assert html.escape('<script>alert("name")</script>') in page or "&lt;script&gt;" in page
        # A wrong password re-renders the page with the problem: still escaped.
        fields = consent_form(page)
        again = post_decision(
            evil,
            {**fields, "decision": "approve", "username": '"><script>alert(4)</script>', "password": "wrong"},
            cookies_of(response),
        )
        assert again.status == 200
        assert_safe_html(again)
        error = _authorize(evil, client_id="evil-app", redirect_uri="https://evil.test/")
        assert error.status == 400
        assert_safe_html(error)


# ---- every HTML page the specs declare ---------------------------------------------------------------


def _html_get_operations() -> list[tuple[str, list[str]]]:
    """(path, query parameter names) of every GET operation that answers text/html."""
    found = []
    for path in (spec_path(), admin_spec_path()):
        document = yaml.safe_load(path.read_text())
        for route, item in document.get("paths", {}).items():
            operation = item.get("get")
            if not operation or "{" in route:
                continue
            if any("text/html" in (r.get("content") or {}) for r in operation.get("responses", {}).values()):
                names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
                found.append((route, names))
    return found


HTML_PAGES = _html_get_operations()


@pytest.mark.parametrize(("route", "names"), HTML_PAGES, ids=[r for r, _ in HTML_PAGES])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_html_page_escapes_script_in_every_parameter(
    mock: ServedMock, route: str, names: list[str], payload: str
) -> None:
    for name in names or ["q"]:
        response = mock.raw().request("GET", f"{route}?{urlencode({name: payload})}", b"")
        assert response.status < 500, (route, name, response.status)
        if (response.header("Content-Type") or "").startswith("text/html"):
            assert_safe_html(response)

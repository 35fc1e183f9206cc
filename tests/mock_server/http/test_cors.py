"""CORS: the query endpoints answer pages on other origins; /oauth/*, / and the control API never do."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from cudis_spec import load_spec
from mock_server import MockConfig, create_app
from mock_server.cli import main
from mock_server.config import config_from_env

APP_ORIGIN = "http://localhost:3000"
QUERY_PATHS = [op.path for op in load_spec().queries]
ASKED = "authorization,cudis-client-id,content-type"


def _client(**config: object) -> FlaskClient:
    return create_app(MockConfig(validate_responses=True, **config)).test_client()  # type: ignore[arg-type]


def _preflight(client: FlaskClient, path: str, origin: str = APP_ORIGIN, method: str = "GET"):  # type: ignore[no-untyped-def]
    return client.options(
        path,
        headers={"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": ASKED},
    )


def _cors_headers(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


@pytest.mark.parametrize("path", QUERY_PATHS)
def test_a_preflight_from_any_origin_is_granted_what_it_asks(path: str) -> None:
    response = _preflight(_client(), path)
    assert response.status_code == 204 and response.data == b""
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == "GET"
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert set(ASKED.split(",")) <= allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize("path", QUERY_PATHS)
def test_every_answer_to_an_origin_grants_it_and_exposes_the_reason(path: str) -> None:
    client = _client()
    refused = client.get(path, headers={"Origin": APP_ORIGIN})  # no token: 20007
    assert refused.json["code"] == 20007  # type: ignore[index]
    assert refused.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "X-Cudis-Mock-Reason" in refused.headers["Access-Control-Expose-Headers"]
    token = client.post("/__mock__/tokens", json={}).json["access_token"]  # type: ignore[index]
    answered = client.get(
        f"{path}?startTime=1726358400&endTime=1726704000",
        headers={"Origin": APP_ORIGIN, "Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"},
    )
    assert answered.json["code"] == 200  # type: ignore[index]
    assert answered.headers["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_an_injected_fault_is_granted_too_so_the_page_can_read_it() -> None:
    response = _client().get(QUERY_PATHS[0], headers={"Origin": APP_ORIGIN, "X-Cudis-Mock-Fault": "rate_limit=5"})
    assert response.status_code == 429
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]


def test_a_request_without_origin_gets_no_cors_header() -> None:
    assert _cors_headers(_client().get(QUERY_PATHS[0])) == {}


def test_listed_origins_only() -> None:
    client = _client(cors_origins="http://localhost:3000, https://app.example.com")
    for origin in (APP_ORIGIN, "https://app.example.com"):
        assert _preflight(client, QUERY_PATHS[0], origin).headers["Access-Control-Allow-Origin"] == origin
    other = "http://localhost:4000"
    preflight = _preflight(client, QUERY_PATHS[0], other)
    assert preflight.status_code == 405 and _cors_headers(preflight) == {}
    assert _cors_headers(client.get(QUERY_PATHS[0], headers={"Origin": other})) == {}


def test_none_turns_cors_off() -> None:
    client = _client(cors_origins="none")
    preflight = _preflight(client, QUERY_PATHS[0])
    assert preflight.status_code == 405 and preflight.json["code"] == 40500  # type: ignore[index]
    assert _cors_headers(preflight) == {}
    assert _cors_headers(client.get(QUERY_PATHS[0], headers={"Origin": APP_ORIGIN})) == {}


def test_a_plain_options_is_still_the_apis_405() -> None:
    response = _client().options(QUERY_PATHS[0], headers={"Origin": APP_ORIGIN})
    assert response.status_code == 405 and response.headers["Allow"] == "GET"


def _control_and_page_requests() -> list[tuple[str, str]]:
    spec = load_spec()
    paths = [
        (op.method, op.path.replace("{token}", "X").replace("{fault_id}", "f1")) for op in spec.operations.values()
    ]
    return [(m, p) for m, p in paths if p not in QUERY_PATHS]


@pytest.mark.parametrize(("method", "path"), _control_and_page_requests())
def test_the_control_api_the_oauth_pages_and_the_index_never_grant_a_foreign_origin(method: str, path: str) -> None:
    client = _client()
    for origin in (APP_ORIGIN, "null", "https://evil.example"):
        assert _cors_headers(_preflight(client, path, origin, method)) == {}, (method, path, origin)
        response = client.open(path, method=method, headers={"Origin": origin}, json={})
        assert _cors_headers(response) == {}, (method, path, origin, response.status_code)


@pytest.mark.parametrize("bad", ["localhost:3000", "http://localhost:3000/app", "http://a.test,ftp://b.test", ""])
def test_a_malformed_origin_list_is_a_usage_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0", "--cors-origins", bad]) == 2
    assert "scheme://host[:port]" in capsys.readouterr().err


def test_the_setting_is_also_an_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDIS_MOCK_CORS_ORIGINS", "none")
    client = create_app(config_from_env()).test_client()
    assert _cors_headers(client.get(QUERY_PATHS[0], headers={"Origin": APP_ORIGIN})) == {}
    monkeypatch.setenv("CUDIS_MOCK_CORS_ORIGINS", APP_ORIGIN)
    client = create_app(config_from_env()).test_client()
    assert _preflight(client, QUERY_PATHS[0]).headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert _cors_headers(_preflight(client, QUERY_PATHS[0], "http://localhost:3001")) == {}

"""Shared fixtures: the app, its test client, the session's live mock, a browser; the Hypothesis profiles."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from mock_server import MockConfig, create_app
from mock_server.context import mock_context
from mock_server.pytest_plugin import CudisMock
from mock_server.state.store import ClockState
from scale_out.redis_server import RedisServer

# Every run of the gate (`make test`, CI or not) draws the same examples: a failure is the code's, never luck's,
# and a saved failing example from another run cannot change the outcome. `make fuzz` (HYPOTHESIS_PROFILE=fuzz)
# explores: new draws each run, more of them, and failures kept in .hypothesis/ to replay.
settings.register_profile(
    "gate",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz", max_examples=500, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "gate")
if os.environ.get("CUDIS_FUZZ_SEED"):
    # `make fuzz` seeds each round; schemathesis draws its own seed unless given one, so it gets this one too
    # and `make fuzz FUZZ_SEED=N` replays a round's schemathesis cases as well as its Hypothesis ones.
    from schemathesis.config import SchemathesisConfig

    SchemathesisConfig.shared_seed = int(os.environ["CUDIS_FUZZ_SEED"])

# Thursday 2026-11-19 12:00 UTC: a fixed "now" for tests that need one.
FIXED_NOW = 1795089600.0


@pytest.fixture
def config() -> MockConfig:
    return MockConfig(validate_responses=True)


@pytest.fixture
def app(config: MockConfig) -> Flask:
    return create_app(config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def freeze(app: Flask):  # type: ignore[no-untyped-def]
    """Freeze the app's clock at an instant (default FIXED_NOW)."""

    def _freeze(instant: float = FIXED_NOW) -> float:
        mock_context(app).store.set_clock_state(ClockState(frozen_at=instant))
        return instant

    return _freeze


@pytest.fixture
def mint(client: FlaskClient):  # type: ignore[no-untyped-def]
    """Mint a token through the control API and return it."""

    def _mint(**fields: object) -> str:
        response = client.post("/__mock__/tokens", json=fields)
        assert response.status_code == 201, response.data
        return str(response.json["access_token"])  # type: ignore[index]

    return _mint


@pytest.fixture
def auth(mint) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Headers of a valid token for the default user and client."""
    return {"Authorization": f"Bearer {mint()}", "Cudis-Client-Id": "cudis-wellness"}


@dataclass
class LiveMock:
    """The session's mock on a real loopback port: its URL and its app (for its state and its clock)."""

    base_url: str
    app: Flask

    def mint(self, **fields: object) -> str:
        response = self.app.test_client().post("/__mock__/tokens", json=fields)
        assert response.status_code == 201, response.data
        return str(response.json["access_token"])  # type: ignore[index]


@contextmanager
def frozen(live: LiveMock, instant: float = FIXED_NOW) -> Iterator[None]:
    """Freeze a live mock's clock at `instant` for the block."""
    store = mock_context(live.app).store
    store.set_clock_state(ClockState(frozen_at=instant))
    try:
        yield
    finally:
        store.set_clock_state(ClockState())


@pytest.fixture
def live_mock(cudis_mock: CudisMock) -> LiveMock:
    """The one in-thread mock of the session (the plugin's `cudis_mock_server`), reset for this test.

    Through `cudis_mock`, an error or a contract break inside the mock while the test runs fails it.
    """
    assert cudis_mock.app is not None
    return LiveMock(base_url=cudis_mock.base_url, app=cudis_mock.app)


CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
BROWSER_WAIT = 15.0


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium through the system chromedriver, once per session; tests set the window size."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run `make browser-deps` (or leave these out with -m 'not browser')")
    with tempfile.TemporaryDirectory(prefix="cudis-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",  # this machine's network is closed: no background calls
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        driver.set_page_load_timeout(BROWSER_WAIT)
        try:
            yield driver
        finally:
            driver.quit()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """Debian's redis-server on a free port for the whole session (the Redis store's tests, tests/scale_out)."""
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied: a URL for `--state`."""
    import redis

    with redis.Redis(port=redis_server.port) as client:
        client.flushall()
    return redis_server.url

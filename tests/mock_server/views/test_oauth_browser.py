"""The authorize flow in a real browser: Debian's chromium, driven by selenium through the system chromedriver.

`make test` installs both (`make browser-deps`); `-m 'not browser'` leaves these tests out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from ...conftest import BROWSER_WAIT as WAIT
from ...conftest import LiveMock
from ...screens import DESKTOP as SCREEN_DESKTOP
from ...screens import PHONE as SCREEN_PHONE
from ...screens import save, screen, scrolls_sideways
from ...servers import in_thread

pytestmark = pytest.mark.browser

DOC_EXAMPLE = (
    "/oauth/authorize?response_type=token&client_id=JDS734JSNDPW&redirect_uri=https%3A%2F%2Fexample.com%2Fcallback"
)
PHONE = (390, 844)


@dataclass
class Callback:
    """A loopback HTTP server standing in for the app's redirect URI; it records the requests it gets."""

    port: int
    paths: list[str] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}/callback"


class _Page:
    """The callback's page as a WSGI body; its close() (after the body is sent) says the browser has arrived."""

    def __init__(self, body: bytes, arrived: threading.Event | None) -> None:
        self.body, self.arrived = body, arrived

    def __iter__(self) -> Iterator[bytes]:
        yield self.body

    def close(self) -> None:
        if self.arrived is not None:
            self.arrived.set()


@pytest.fixture
def callback() -> Iterator[Callback]:
    received: list[str] = []
    arrived = threading.Event()

    def app(environ: dict[str, Any], start_response: Callable[..., object]) -> _Page:
        path, query = environ["PATH_INFO"], environ.get("QUERY_STRING", "")
        if path.startswith("/callback"):
            received.append(f"{path}?{query}" if query else path)
        body = b"<!doctype html><title>Callback</title><h1>Signed in</h1>"
        start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))])
        return _Page(body, arrived if received else None)

    with in_thread(app) as base_url:
        yield Callback(port=urlsplit(base_url).port or 80, paths=received, arrived=arrived)


def _screenshot(driver: WebDriver, size: tuple[int, int], path: Path) -> None:
    driver.set_window_size(*size)
    path.parent.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(path)), path


def test_sign_in_approve_and_use_the_token(
    browser: WebDriver, live_mock: LiveMock, callback: Callback, tmp_path: Path
) -> None:
    params = {
        "response_type": "token",
        "client_id": "JDS734JSNDPW",
        "redirect_uri": callback.redirect_uri,
        "state": "browser-state-1",
    }
    browser.set_window_size(*PHONE)
    browser.get(f"{live_mock.base_url}/oauth/authorize?{urlencode(params)}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Example Partner App wants to access your CUDIS account"
    _screenshot(browser, PHONE, tmp_path / "consent-flow.png")

    Select(browser.find_element(By.ID, "user")).select_by_value("athlete")
    switch = browser.find_element(By.ID, "scope-daily")
    assert switch.is_selected()  # withhold nothing
    # On a phone-sized screen the buttons fit side by side inside the viewport width.
    approve = browser.find_element(By.CSS_SELECTOR, "button[value=approve]")
    deny = browser.find_element(By.CSS_SELECTOR, "button[value=deny]")
    width = browser.execute_script("return document.documentElement.clientWidth")
    assert approve.rect["x"] + approve.rect["width"] <= width and deny.rect["x"] >= 0
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width  # no sideways scrolling
    approve.click()

    assert callback.arrived.wait(WAIT), "the browser never reached the callback"
    landed = urlsplit(browser.current_url)
    assert (landed.hostname, landed.port, landed.path) == ("127.0.0.1", callback.port, "/callback")
    answer = parse_qs(urlsplit(callback.paths[-1]).query)
    assert "access_token" in answer, callback.paths
    assert answer["scope"] == ["daily"] and answer["state"] == ["browser-state-1"]
    token = answer["access_token"][0]
    assert len(token) == 32 and token.isalnum() and token.isupper()

    data = requests.get(
        f"{live_mock.base_url}/partner/v1/query/heart_beat",
        headers={"Authorization": f"Bearer {token}", "Cudis-Client-Id": "JDS734JSNDPW"},
        json={"startTime": 1726358400, "endTime": 1726704000},
        timeout=WAIT,
    ).json()
    assert data["code"] == 200 and data["data"]["list"]


def test_deny_in_the_browser_lands_on_the_callback_with_access_denied(
    browser: WebDriver, live_mock: LiveMock, callback: Callback
) -> None:
    params = {
        "response_type": "token",
        "client_id": "cudis-wellness",
        "redirect_uri": callback.redirect_uri,
        "state": "d",
    }
    browser.get(f"{live_mock.base_url}/oauth/authorize?{urlencode(params)}")
    browser.find_element(By.CSS_SELECTOR, "button[value=deny]").click()
    assert callback.arrived.wait(WAIT)
    assert parse_qs(urlsplit(callback.paths[-1]).query) == {
        "error": ["access_denied"],
        "error_description": ["the user denied access"],
        "state": ["d"],
    }


def test_screenshots_of_the_pages_example_consent_page(browser: WebDriver, live_mock: LiveMock) -> None:
    """docs/consent-page.png and docs/consent-page-phone.png: the page the vendor's example URL opens."""
    for size, name in ((SCREEN_DESKTOP, "consent-page.png"), (SCREEN_PHONE, "consent-page-phone.png")):
        with screen(browser, size):
            browser.get(live_mock.base_url + DOC_EXAMPLE)
            assert "Example Partner App" in browser.title
            assert not scrolls_sideways(browser)
            assert save(browser, name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

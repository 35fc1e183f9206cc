"""examples/spa in a real Chromium: the page on one origin (`http.server`), the mock on another.

The app signs in (consent page, or `--auto-approve` with the token in the fragment), draws 30 days of
the three metrics from code-200 answers, and asks to sign in again once the mock's clock has moved past
the token's 30 days. `CUDIS_RETAKE_SCREENSHOTS=1` retakes docs/spa.png and docs/spa-phone.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from mock_server import MockConfig, create_app
from mock_server.pytest_plugin import CudisMock

from ..conftest import BROWSER_WAIT
from ..screens import DESKTOP, PHONE, save, screen, scrolls_sideways
from ..servers import in_thread, static_site

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SPA = ROOT / "examples" / "spa"
METRICS = ("heart_beat", "step", "sleep")
MONTH_AND_A_DAY = 31 * 86400


@pytest.fixture(scope="module")
def spa_port() -> Iterator[int]:
    with static_site(SPA) as port:
        yield port


def _open(browser: WebDriver, port: int, mock_url: str) -> None:
    """The app as a user opens it: `localhost`, another origin than the mock's `127.0.0.1`."""
    browser.delete_all_cookies()
    browser.get(f"http://localhost:{port}/?{urlencode({'mock': mock_url})}")
    browser.execute_script(
        "window.sessionStorage.clear(); window.sessionStorage.setItem('mock', arguments[0])", mock_url
    )
    browser.get(f"http://localhost:{port}/")


def _wait(browser: WebDriver, condition, what: str) -> None:  # type: ignore[no-untyped-def]
    WebDriverWait(browser, BROWSER_WAIT).until(lambda _: condition(), message=what)


def _visible(browser: WebDriver, element_id: str) -> bool:
    return bool(browser.find_element(By.ID, element_id).is_displayed())


def _charts_drawn(browser: WebDriver) -> dict[str, str]:
    """Each panel's status once all three say code 200; every chart has shapes of some size."""
    _wait(
        browser,
        lambda: all(
            browser.find_element(By.CSS_SELECTOR, f"#panel-{m} .status").text.startswith("code 200 ·") for m in METRICS
        ),
        "three code-200 charts",
    )
    for css in ("#panel-heart_beat polygon.hr-band", "#panel-step rect.step-bar", "#panel-sleep rect.sleep-deep"):
        shapes = [s for s in browser.find_elements(By.CSS_SELECTOR, css) if s.size["width"] > 0]
        assert shapes, css
    return {m: browser.find_element(By.CSS_SELECTOR, f"#panel-{m} .status").text for m in METRICS}


def test_sign_in_on_the_consent_page_draw_30_days_and_sign_in_again_after_expiry(
    browser: WebDriver, cudis_mock: CudisMock, spa_port: int
) -> None:
    with screen(browser, DESKTOP):
        _open(browser, spa_port, cudis_mock.base_url)
        assert _visible(browser, "sign-in") and not _visible(browser, "expired")
        browser.find_element(By.ID, "sign-in").click()

        _wait(browser, lambda: urlsplit(browser.current_url).path == "/oauth/authorize", "the consent page")
        assert urlsplit(browser.current_url).port == urlsplit(cudis_mock.base_url).port
        assert "Local Dev App" in browser.find_element(By.TAG_NAME, "h1").text
        Select(browser.find_element(By.ID, "user")).select_by_value("athlete")
        browser.find_element(By.CSS_SELECTOR, "button[value=approve]").click()

        _wait(browser, lambda: browser.current_url == f"http://localhost:{spa_port}/", "back on the app")
        statuses = _charts_drawn(browser)
        days = [int(s.split("·")[1].split()[0]) for s in statuses.values()]
        assert all(25 <= n <= 30 for n in days), statuses  # athlete wears the ring most days of 30
        assert browser.find_element(By.ID, "scope").text == "daily"
        assert browser.find_element(By.ID, "client").text == "local-dev"
        # The token is kept for the session: a reload draws again without signing in.
        browser.refresh()
        _charts_drawn(browser)
        save(browser, "spa.png", varies=True)
    with screen(browser, PHONE):
        browser.find_element(By.ID, "refresh").click()  # drawn again at the phone's width
        _charts_drawn(browser)
        assert not scrolls_sideways(browser)
        save(browser, "spa-phone.png", varies=True)

    cudis_mock.advance_clock(MONTH_AND_A_DAY)
    browser.find_element(By.ID, "refresh").click()
    _wait(browser, lambda: _visible(browser, "expired"), "the session-expired notice")
    assert _visible(browser, "sign-in") and not _visible(browser, "charts")
    assert browser.execute_script("return window.sessionStorage.getItem('token')") is None


def test_auto_approve_with_the_token_in_the_fragment(browser: WebDriver, spa_port: int) -> None:
    app = create_app(MockConfig(auto_approve="sedentary", token_in="fragment", validate_responses=True))
    with in_thread(app) as mock_url:
        _open(browser, spa_port, mock_url)
        browser.find_element(By.ID, "sign-in").click()
        _wait(browser, lambda: browser.current_url == f"http://localhost:{spa_port}/", "back on the app")
        _charts_drawn(browser)
        assert browser.find_element(By.ID, "expires").text.startswith(", expires ")

        requests.post(f"{mock_url}/__mock__/clock/advance", json={"seconds": MONTH_AND_A_DAY}, timeout=10)
        browser.find_element(By.ID, "refresh").click()
        _wait(browser, lambda: _visible(browser, "expired"), "the session-expired notice")


def test_a_denied_sign_in_is_explained_and_leaves_the_app_signed_out(
    browser: WebDriver, cudis_mock: CudisMock, spa_port: int
) -> None:
    _open(browser, spa_port, cudis_mock.base_url)
    browser.find_element(By.ID, "sign-in").click()
    _wait(browser, lambda: urlsplit(browser.current_url).path == "/oauth/authorize", "the consent page")
    browser.find_element(By.CSS_SELECTOR, "button[value=deny]").click()
    _wait(browser, lambda: browser.current_url == f"http://localhost:{spa_port}/", "back on the app")
    _wait(browser, lambda: _visible(browser, "problem"), "the problem")
    assert browser.find_element(By.ID, "problem").text == "Sign-in failed: access_denied (the user denied access)."
    assert _visible(browser, "sign-in") and not _visible(browser, "charts")

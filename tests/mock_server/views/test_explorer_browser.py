"""A real Chromium opens the explorer, picks a user and sees the charts drawn."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LiveMock

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="needs chromium and chromedriver (make browser-deps)"
    ),
]


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="cudis-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1100,1800",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def test_explorer_draws_the_charts_of_the_picked_user(browser, live_mock: LiveMock) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    browser.get(f"{live_mock.base_url}/__mock__/explorer")
    assert "Explorer" in browser.title
    Select(browser.find_element(By.ID, "user")).select_by_value("qa-edge")
    for name, value in (("from", "2024-02-20"), ("to", "2024-05-31")):
        field = browser.find_element(By.ID, name)
        browser.execute_script("arguments[0].value = arguments[1]", field, value)
    browser.find_element(By.ID, "show").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("user=qa-edge"))

    def drawn(css: str) -> list[object]:
        shapes = browser.find_elements(By.CSS_SELECTOR, css)
        return [s for s in shapes if s.size["width"] > 0 and s.size["height"] > 0]

    # 20 Feb to 31 May with a 45-day gap in April and May: the band breaks in two shapes.
    assert len(drawn("#chart-heart_beat polygon.hr-band")) >= 2
    steps = drawn("#chart-step rect.step-bar")
    assert 40 <= len(steps) <= 57, len(steps)
    # The zero-step day has a bar of no height: it is listed but not drawn.
    assert len(browser.find_elements(By.CSS_SELECTOR, "#chart-step rect.step-bar")) == len(steps) + 1
    for stage in ("sleep-deep", "sleep-shallow", "sleep-awake"):
        assert drawn(f"#chart-sleep rect.{stage}"), stage
    shown = browser.find_element(By.ID, "json-step").get_attribute("textContent")
    assert shown.startswith('{"code":200,"msg":"success","data":{"countStep":')
    assert '{"date":"2024-02-29","y":2929.0}' in shown
    assert browser.execute_script("return document.scripts.length") == 0

    screenshot = os.environ.get("CUDIS_EXPLORER_SCREENSHOT")
    if screenshot:
        browser.save_screenshot(screenshot)

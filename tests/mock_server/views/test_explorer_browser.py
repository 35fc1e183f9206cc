"""A real Chromium opens the explorer, picks a user and sees the charts drawn."""

from __future__ import annotations

import pytest

from tests.conftest import LiveMock, frozen
from tests.screens import DESKTOP, PHONE, save, screen, scrolls_sideways

pytestmark = pytest.mark.browser


def test_explorer_draws_the_charts_of_the_picked_user(browser, live_mock: LiveMock) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    browser.set_window_size(1100, 1800)
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


TICK_HEIGHTS = """
return Array.from(document.querySelectorAll(arguments[0] + ' text.tick'))
  .map((t) => t.getBoundingClientRect().height);
"""


@pytest.mark.parametrize(
    ("size", "shown", "hidden", "screenshot"),
    [
        (DESKTOP, "", "-narrow", "explorer.png"),
        (PHONE, "-narrow", "", "explorer-phone.png"),
    ],
)
def test_the_explorer_is_readable_on_a_phone_and_a_desktop(  # type: ignore[no-untyped-def]
    browser, live_mock: LiveMock, size: tuple[int, int], shown: str, hidden: str, screenshot: str
) -> None:
    from selenium.webdriver.common.by import By

    with frozen(live_mock), screen(browser, size):
        browser.get(f"{live_mock.base_url}/__mock__/explorer?user=typical")
        assert not scrolls_sideways(browser)
        width = browser.execute_script("return document.documentElement.clientWidth")
        for metric in ("heart_beat", "step", "sleep"):
            chart = browser.find_element(By.ID, f"chart-{metric}{shown}")
            assert chart.is_displayed() and chart.rect["x"] > 0 and chart.rect["x"] + chart.rect["width"] <= width
            assert not browser.find_element(By.ID, f"chart-{metric}{hidden}").is_displayed()
            heights = browser.execute_script(TICK_HEIGHTS, f"#chart-{metric}{shown}")
            assert heights and min(heights) >= 10, heights  # labels drawn at a readable size, in CSS pixels
        save(browser, screenshot)

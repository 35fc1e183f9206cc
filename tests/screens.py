"""Screen sizes for the browser tests and the screenshots in docs/: the viewport exactly, not the window."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[1] / "docs"
DESKTOP = (1280, 900)
PHONE = (390, 844)


@contextmanager
def screen(browser: Any, size: tuple[int, int]) -> Iterator[None]:
    """The page laid out on a `size` viewport (a phone's is a mobile one) until the block ends."""
    width, height = size
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    try:
        yield
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def save(browser: Any, name: str) -> Path:
    """A screenshot of the viewport into docs/NAME."""
    path = DOCS / name
    path.write_bytes(browser.get_screenshot_as_png())
    return path


def scrolls_sideways(browser: Any) -> bool:
    """Whether the page is wider than its viewport."""
    return bool(
        browser.execute_script("return document.documentElement.scrollWidth > document.documentElement.clientWidth")
    )

"""Screen sizes for the browser tests and the screenshots in docs/: the viewport exactly, not the window."""

from __future__ import annotations

import os
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


RETAKE = "CUDIS_RETAKE_SCREENSHOTS"
"""Set to retake the screenshots whose content changes from run to run (today's data, a random port)."""


def save(browser: Any, name: str, *, varies: bool = False) -> Path:
    """A screenshot of the viewport into docs/NAME; one that `varies` only when RETAKE is set, so that
    `make test` leaves the checkout as it found it."""
    png = browser.get_screenshot_as_png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    path = DOCS / name
    if not varies or os.environ.get(RETAKE):
        path.write_bytes(png)
    return path


def scrolls_sideways(browser: Any) -> bool:
    """Whether the page is wider than its viewport."""
    return bool(
        browser.execute_script("return document.documentElement.scrollWidth > document.documentElement.clientWidth")
    )

"""The serving tests' shared server: one `cudis-mock serve --workers 2` per module, reset for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ...servers import MockProcess


@pytest.fixture(scope="module")
def served() -> Iterator[MockProcess]:
    """One `cudis-mock serve --workers 2` for the module; whatever the tests did, it logged no traceback."""
    with MockProcess.start("--workers", "2") as mock:
        yield mock
    assert "Traceback" not in mock.log_text(), mock.log_text()


@pytest.fixture
def mock(served: MockProcess) -> MockProcess:
    """The module's two-worker mock, reset (its shared state too) for this test."""
    served.reset()
    return served

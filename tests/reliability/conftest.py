"""One real `cudis-mock serve --validate-responses` for the whole battery, reset before each test.

With `--validate-responses` a response that breaks the spec becomes a 500, so "never a 5xx"
also means "never off-contract".
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import ServedMock


@pytest.fixture(scope="session")
def served_mock() -> Iterator[ServedMock]:
    with ServedMock.start("--validate-responses") as mock:
        yield mock


@pytest.fixture
def mock(served_mock: ServedMock) -> Iterator[ServedMock]:
    """The shared server, reset (no token but a new `token`, no fault, an empty journal, real time);
    after the test it must still be up and answer a valid query."""
    served_mock.reset()
    yield served_mock
    served_mock.assert_serving()

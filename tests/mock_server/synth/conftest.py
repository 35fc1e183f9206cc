from __future__ import annotations

import pytest

from mock_server.people import Fixtures, load_fixtures
from mock_server.synth import DataEngine


@pytest.fixture(scope="session")
def fixtures() -> Fixtures:
    return load_fixtures()


@pytest.fixture(scope="session")
def engine(fixtures: Fixtures) -> DataEngine:
    return DataEngine(42, fixtures.users)

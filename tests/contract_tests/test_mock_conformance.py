"""schemathesis, with the spec, against the running mock: it finds nothing, the contract's own checks included."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from schemathesis import Case

from contract_tests.schemathesis_checks import (
    BUILTINS_BY_ENVELOPE,
    BUILTINS_REPLACED,
    Credentials,
    ignored_auth_by_envelope,
    keeps_the_contract,
)
from cudis_spec.files import api_spec_path as spec_path
from mock_server.context import mock_context
from mock_server.pytest_plugin import CudisMock, CudisMockServer

from ..conftest import LiveMock

# Module-level: `schemathesis.pytest.from_fixture` breaks on pytest >= 9.2 (Node._nodeid is gone).
schema = schemathesis.openapi.from_path(spec_path())


@pytest.fixture(scope="module")
def module_mock(cudis_mock_server: CudisMockServer) -> Iterator[LiveMock]:
    """The session's in-thread mock, reset once for the module: Hypothesis refuses a function-scoped
    fixture in its tests (it would run once for all of a test's examples)."""
    control = CudisMock(cudis_mock_server.base_url, cudis_mock_server.app)
    control.reset()
    yield LiveMock(base_url=cudis_mock_server.base_url, app=cudis_mock_server.app)
    control.close()


@pytest.fixture(scope="module")
def credentials(module_mock: LiveMock) -> Credentials:
    token = module_mock.mint(user_id="typical")
    return Credentials(token, "cudis-wellness", now=lambda: mock_context(module_mock.app).clock.now())


@schema.parametrize()
def test_mock_keeps_its_contract(case: Case, module_mock: LiveMock, credentials: Credentials) -> None:
    headers = credentials.headers_for(case)
    case.call_and_validate(
        base_url=module_mock.base_url,
        headers=headers,
        excluded_checks=list(BUILTINS_REPLACED),
        additional_checks=[
            *BUILTINS_BY_ENVELOPE,
            keeps_the_contract(credentials),
            ignored_auth_by_envelope(credentials),
        ],
    )
    assert mock_context(module_mock.app).violations == []

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


# Cases that random runs found before the gate was derandomized, kept as explicit examples so that
# every run of the gate tries them (see docs/reliability.md, "A deterministic gate").
HEART_BEAT = schema["/partner/v1/query/heart_beat"]["GET"]


@pytest.mark.parametrize(
    "query",
    [
        {"startTime": [0, "abc"], "endTime": [1, "[]"]},  # the case that flipped `make test`
        {"startTime": [1726358400, 1726358400], "endTime": [1726704000, 1726704000]},
        {"startTime": [1726358400], "endTime": [1726704000, 0]},
    ],
    ids=["first-valid-then-garbage", "the-same-value-twice", "a-second-end-before-start"],
)
def test_repeated_query_parameters_are_refused_within_the_contract(
    module_mock: LiveMock, credentials: Credentials, query: dict[str, list[object]]
) -> None:
    case = HEART_BEAT.Case(query=query, headers=credentials.headers())
    response = case.call_and_validate(
        base_url=module_mock.base_url,
        headers=credentials.headers(),
        excluded_checks=list(BUILTINS_REPLACED),
        additional_checks=[*BUILTINS_BY_ENVELOPE, keeps_the_contract(credentials)],
    )
    assert response.json()["code"] == 40001, response.text
    assert response.json()["msg"].startswith(("Invalid startTime", "Invalid endTime")), response.text
    assert mock_context(module_mock.app).violations == []

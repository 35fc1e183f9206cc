"""The httpx steps report against the live mock of the cudis_mock pytest plugin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cudis_httpx import StepsReport

from mock_server.pytest_plugin import CudisMock

JAN_2026 = 1768435200  # 2026-01-15 00:00 UTC


@pytest.fixture
def logins() -> list[str]:
    return []


@pytest.fixture
def report(cudis_mock: CudisMock, logins: list[str]) -> Iterator[StepsReport]:
    cudis_mock.set_clock(JAN_2026)

    def login() -> str:
        logins.append(cudis_mock.mint_token(user_id="athlete"))
        return logins[-1]

    report = StepsReport(cudis_mock.base_url, "cudis-wellness", login, sleep=lambda _s: None)
    yield report
    report.close()


def test_a_year_month_by_month(report: StepsReport, cudis_mock: CudisMock) -> None:
    totals = report.monthly_steps(2025)
    assert list(totals) == list(range(1, 13))
    assert all(100_000 < steps < 1_000_000 for steps in totals.values())  # an athlete: ~13,000 a day
    journal = cudis_mock.requests()
    assert len(journal) == 12 and {e["code"] for e in journal} == {200}
    assert report.monthly_steps(2025) == totals  # the mock's data are a pure function of the date


def test_retries_on_503_and_a_dropped_connection(report: StepsReport, cudis_mock: CudisMock) -> None:
    cudis_mock.inject_fault("status", status=503, times=2, endpoint="queryStep")
    cudis_mock.inject_fault("drop", times=1, endpoint="queryStep")
    report.monthly_steps(2025)
    faults = [e["fault"] for e in cudis_mock.requests()]
    assert faults[:4] == ["status=503", "status=503", "drop", None]
    assert len(faults) == 15


def test_signs_in_again_on_20007(report: StepsReport, cudis_mock: CudisMock, logins: list[str]) -> None:
    cudis_mock.inject_fault("code", code=20007, times=1)
    report.monthly_steps(2025)
    assert len(logins) == 2
    assert [e["code"] for e in cudis_mock.requests()][:2] == [20007, 200]


def test_a_seeded_flaky_api_gives_the_same_report(report: StepsReport, cudis_mock: CudisMock) -> None:
    calm = report.monthly_steps(2025)
    cudis_mock.inject_fault("status", status=503, percent=30, seed=5)
    assert report.monthly_steps(2025) == calm
    assert any(e["code"] == 50300 for e in cudis_mock.requests())

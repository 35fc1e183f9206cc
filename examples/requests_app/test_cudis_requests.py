"""The requests client against the live mock of the cudis_mock pytest plugin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from cudis_requests import CudisClient, CudisError, CudisUnavailable

from mock_server.pytest_plugin import CudisMock

JAN_2026 = 1768435200  # 2026-01-15 00:00 UTC
RANGE = (1767225600 - 7 * 86400, 1767225600)  # the last week of 2025


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def logins() -> list[str]:
    return []


@pytest.fixture
def app(cudis_mock: CudisMock, sleeps: list[float], logins: list[str]) -> Iterator[CudisClient]:
    cudis_mock.set_clock(JAN_2026)

    def login() -> str:  # stands in for the app's sign-in flow
        logins.append(cudis_mock.mint_token(user_id="typical"))
        return logins[-1]

    client = CudisClient(cudis_mock.base_url, "cudis-wellness", login, sleep=sleeps.append)
    yield client
    client.close()


def test_retries_on_503_then_succeeds(app: CudisClient, cudis_mock: CudisMock, sleeps: list[float]) -> None:
    cudis_mock.inject_fault("status", status=503, times=2)
    assert app.query("heart_beat", *RANGE)["list"]
    assert [r["code"] for r in cudis_mock.requests()] == [50300, 50300, 200]
    assert sleeps == [0.2, 0.4]


def test_waits_as_long_as_retry_after_says(app: CudisClient, cudis_mock: CudisMock, sleeps: list[float]) -> None:
    cudis_mock.inject_fault("rate_limit", retry_after=3, times=1)
    app.query("step", *RANGE)
    assert sleeps == [3.0]


def test_survives_a_dropped_connection(app: CudisClient, cudis_mock: CudisMock) -> None:
    cudis_mock.inject_fault("drop", times=1)
    assert app.query("sleep", *RANGE)["list"]
    assert [r["fault"] for r in cudis_mock.requests()] == ["drop", None]


def test_gives_up_after_its_retries(app: CudisClient, cudis_mock: CudisMock) -> None:
    cudis_mock.inject_fault("status", status=503)
    with pytest.raises(CudisUnavailable):
        app.query("heart_beat", *RANGE)
    assert len(cudis_mock.requests()) == 1 + app.retries


def test_signs_in_again_on_20007(app: CudisClient, cudis_mock: CudisMock, logins: list[str]) -> None:
    cudis_mock.inject_fault("code", code=20007, times=1)
    assert app.query("heart_beat", *RANGE)["list"]
    assert len(logins) == 2
    sent = [r["headers"]["Authorization"] for r in cudis_mock.requests()]
    assert sent == [f"Bearer {logins[0][:4]}…", f"Bearer {logins[1][:4]}…"]


def test_signs_in_again_when_the_token_really_expires(
    app: CudisClient, cudis_mock: CudisMock, logins: list[str]
) -> None:
    cudis_mock.advance_clock(31 * 86400)
    assert app.query("heart_beat", *RANGE)["list"]
    assert len(logins) == 2


def test_signs_in_only_once_per_query(app: CudisClient, cudis_mock: CudisMock, logins: list[str]) -> None:
    cudis_mock.inject_fault("code", code=20007)
    with pytest.raises(CudisError, match="20007"):
        app.query("heart_beat", *RANGE)
    assert len(logins) == 2


def test_pages_through_a_year(app: CudisClient, cudis_mock: CudisMock) -> None:
    days = app.days("step", date(2025, 1, 1), date(2025, 12, 31))
    pages = cudis_mock.requests()
    assert len(pages) == 13 and all(p["code"] == 200 for p in pages)
    dates = [d["date"] for d in days]
    assert dates == sorted(set(dates))
    assert dates[0] <= "2025-01-01" and dates[-1] >= "2025-12-31"
    # The pages add up to what one long query answers: the same days, the same values.
    whole = app.query("step", 1735689600, 1767225600)["list"]
    assert days == whole

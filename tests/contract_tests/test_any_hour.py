"""The suite is exact about days at any hour, in any zone: no false alarm on a correct implementation (the
reference, the mock) and every day defect killed, with the server's clock at 23:30 and 00:30 in the user's zone
and in UTC, for users in UTC-12, UTC and UTC+14. The clock is injected into the server and the suite, and the
generated requests are seeded: the same requests on every run, whatever the wall-clock hour."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contract_tests.runner import Report, SuiteOptions, run_suite
from mock_server.context import mock_context
from mock_server.oauth.tokens import mint

from ..conftest import LiveMock, frozen
from ..servers import in_thread
from .implementations.reference import (
    CLIENT_ID,
    EXPIRED_TOKEN,
    REDIRECT_URI,
    TOKEN,
    Behaviour,
    Defect,
    create_reference_app,
)

MAX_EXAMPLES = 25
DAY = datetime(2026, 11, 20, tzinfo=UTC).timestamp()
ZONES = {"UTC-12": -12, "UTC": 0, "UTC+14": 14}
MOCK_USERS = {"UTC-12": "baker-island", "UTC": "extreme", "UTC+14": "kiritimati"}


def clock_at(zone_hours: int, hour: int, minute: int, *, local: bool) -> float:
    """The instant it is hour:minute on 20 Nov 2026 in the user's zone (or in UTC)."""
    return DAY + hour * 3600 + minute * 60 - (zone_hours * 3600 if local else 0)


CLOCKS = [
    pytest.param(zone, hour, local, id=f"{name}-{hour:02d}:30-{'local' if local else 'utc'}")
    for name, zone in ZONES.items()
    for local in (True, False)
    for hour in (23, 0)
    if local or zone != 0
]


def judge_reference(behaviour: Behaviour, now: float, **extra: object) -> Report:
    with in_thread(create_reference_app(behaviour, lambda: now)) as base_url:
        return run_suite(
            SuiteOptions(
                base_url=base_url,
                client_id=CLIENT_ID,
                token=TOKEN,
                expired_token=EXPIRED_TOKEN,
                max_examples=MAX_EXAMPLES,
                seed=15,
                clock=lambda: now,
                **extra,  # type: ignore[arg-type]
            )
        )


@pytest.mark.slow
@pytest.mark.parametrize(("zone", "hour", "local"), CLOCKS)
def test_the_reference_passes_at_any_hour_in_any_zone(zone: int, hour: int, local: bool) -> None:
    report = judge_reference(Behaviour(zone_hours=zone), clock_at(zone, hour, 30, local=local))
    assert report.findings.all() == []
    assert report.boundary is not None and report.boundary.offsets == (zone * 3600,)


DAY_DEFECTS: dict[Defect, set[str]] = {
    "includes-today": {"heart.dates", "step.dates", "sleep.dates"},
    "drops-first-day": {"consistency.presence"},
    "day-after-range": {"heart.dates", "step.dates", "sleep.dates"},
    "outside-range": {"heart.dates", "step.dates", "sleep.dates"},
    "answers-reversed-range": {"heart.dates", "step.dates", "sleep.dates", "assumed-invalid-input-refused"},
    "range-dependent-values": {"consistency.values"},
}


LOCAL_CLOCKS = [clock for clock in CLOCKS if clock.values[2]]
"""Midnight in the user's zone, where a day defect would hide if anywhere."""


@pytest.mark.slow
@pytest.mark.parametrize("defect", list(DAY_DEFECTS))
@pytest.mark.parametrize(("zone", "hour", "local"), LOCAL_CLOCKS)
def test_each_day_defect_is_killed_at_any_hour(defect: Defect, zone: int, hour: int, local: bool) -> None:
    report = judge_reference(Behaviour(zone_hours=zone, defect=defect), clock_at(zone, hour, 30, local=local))
    assert report.exit_code() == 1
    assert {f.rule for f in report.failures} & DAY_DEFECTS[defect]


@pytest.mark.parametrize("zone", list(ZONES.values()))
def test_a_day_included_only_in_the_last_hour_before_midnight_is_killed(zone: int) -> None:
    behaviour = Behaviour(zone_hours=zone, defect="includes-today-near-midnight")
    report = judge_reference(behaviour, clock_at(zone, 23, 30, local=True))
    assert {f.rule for f in report.failures} == {"heart.dates", "step.dates", "sleep.dates"}
    assert any("current day" in f.got for f in report.failures)
    assert judge_reference(behaviour, clock_at(zone, 12, 0, local=True)).findings.all() == []


@pytest.mark.parametrize(
    "defect",
    [
        "authorize-unknown-client-redirects",
        "authorize-open-redirect",
        "authorize-any-response-type",
        "authorize-token-refused",
        "authorize-token-in-fragment",
    ],
)
def test_each_authorize_defect_is_killed(defect: Defect) -> None:
    report = judge_reference(Behaviour(defect=defect), clock_at(0, 12, 0, local=True), redirect_uri=REDIRECT_URI)
    assert report.exit_code() == 1
    assert {f.operation for f in report.failures} == {"GET /oauth/authorize"}


def test_a_correct_authorize_endpoint_passes_and_a_login_page_is_said_to_need_a_person() -> None:
    now = clock_at(0, 12, 0, local=True)
    assert judge_reference(Behaviour(), now, redirect_uri=REDIRECT_URI).findings.all() == []
    report = judge_reference(Behaviour(login_page=True), now, redirect_uri=REDIRECT_URI)
    assert report.findings.all() == []
    assert any("needs a person" in note for note in report.notes)


@pytest.mark.slow
@pytest.mark.parametrize("user", list(MOCK_USERS))
@pytest.mark.parametrize(("hour", "local"), [(23, True), (0, True), (23, False), (0, False)])
def test_the_mock_passes_at_any_hour_for_users_in_any_zone(
    live_mock: LiveMock, user: str, hour: int, local: bool
) -> None:
    zone = ZONES[user]
    now = clock_at(zone, hour, 30, local=local)
    mock = mock_context(live_mock.app)
    with frozen(live_mock, now):
        expired, record = mint("cudis-wellness", MOCK_USERS[user], ("daily",), now - 100, 1)
        mock.store.add_token(record)
        report = run_suite(
            SuiteOptions(
                base_url=live_mock.base_url,
                client_id="cudis-wellness",
                token=live_mock.mint(user_id=MOCK_USERS[user]),
                expired_token=expired,
                max_examples=MAX_EXAMPLES,
                seed=15,
                clock=lambda: now,
            )
        )
    assert report.findings.all() == []
    assert report.boundary is not None and report.boundary.offsets == (zone * 3600,)
    assert mock.violations == []

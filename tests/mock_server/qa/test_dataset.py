"""Datasets: each user's answers over a window of local dates, per range or per day, one user at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mock_server.people import load_fixtures
from mock_server.qa.dataset import DatasetRequest, Window, dataset, user_answers
from mock_server.synth import UserProfile

from ...conftest import FIXED_NOW


@pytest.fixture(scope="module")
def users() -> dict[str, UserProfile]:
    return dict(load_fixtures().users)


def test_a_window_is_inclusive_at_both_ends() -> None:
    window = Window(date(2026, 2, 27), date(2026, 3, 1))
    assert window.days == 3
    assert list(window.dates()) == [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1)]
    assert Window(date(2026, 3, 1), date(2026, 3, 1)).days == 1


def test_per_range_one_answer_per_endpoint_per_day_one_per_endpoint_and_day(users: dict[str, UserProfile]) -> None:
    window = Window(date(2026, 11, 1), date(2026, 11, 4))
    per_range = user_answers(DatasetRequest(42, window, FIXED_NOW), users["athlete"])
    assert [a.metric for a in per_range.answers] == ["heart_beat", "step", "sleep"]
    per_day = user_answers(DatasetRequest(42, window, FIXED_NOW, granularity="day"), users["athlete"])
    assert len(per_day.answers) == 3 * 4
    # The days' answers hold the same items as the whole range's.
    for metric_index, whole in enumerate(per_range.answers):
        days = per_day.answers[metric_index::3]
        assert whole.data is not None
        assert [item for day in days if day.data for item in day.data["list"]] == whole.data["list"]


def test_the_current_day_and_later_are_never_answered(users: dict[str, UserProfile]) -> None:
    profile = users["typical"]
    today = datetime.fromtimestamp(FIXED_NOW, ZoneInfo(profile.timezone)).date()
    window = Window(today - timedelta(days=3), today + timedelta(days=2))
    answers = user_answers(DatasetRequest(42, window, FIXED_NOW, empty_days="zero"), profile)
    dates = {item["date"] for a in answers.answers if a.data for item in a.data["list"]}
    assert dates and max(dates) < today.isoformat()


def test_the_same_seed_gives_the_same_answers_and_another_seed_others(users: dict[str, UserProfile]) -> None:
    window = Window(date(2026, 10, 1), date(2026, 10, 7))
    first = user_answers(DatasetRequest(42, window, FIXED_NOW), users["typical"])
    again = user_answers(DatasetRequest(42, window, FIXED_NOW), users["typical"])
    other = user_answers(DatasetRequest(7, window, FIXED_NOW), users["typical"])
    assert [a.body for a in first.answers] == [a.body for a in again.answers]
    assert [a.body for a in first.answers] != [a.body for a in other.answers]


def test_users_are_read_one_at_a_time_as_the_answers_are_consumed(users: dict[str, UserProfile]) -> None:
    taken: list[str] = []

    def lazily() -> Iterator[UserProfile]:
        for user_id in ("typical", "athlete", "sleepy-nonexistent"):
            taken.append(user_id)
            yield users[user_id]

    answers = dataset(DatasetRequest(42, Window(date(2026, 10, 1), date(2026, 10, 2)), FIXED_NOW), lazily())
    assert next(answers).profile.id == "typical" and taken == ["typical"]
    assert next(answers).profile.id == "athlete" and taken == ["typical", "athlete"]

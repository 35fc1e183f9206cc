"""The synthetic population matches the published figures the issue anchors on."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from mock_server.people import Fixtures
from mock_server.synth import DataEngine, DayValues, UserProfile

START = date(2025, 1, 6)  # a Monday
DAYS = 84  # twelve whole weeks


@dataclass(frozen=True)
class Population:
    days: list[DayValues]
    per_person_steps: list[float]


def population(fixtures: Fixtures, persona: str, people: int = 150) -> Population:
    profiles = {
        f"{persona}-{i}": UserProfile(id=f"{persona}-{i}", persona=fixtures.personas[persona], timezone="UTC")
        for i in range(people)
    }
    engine = DataEngine(42, profiles)
    days, medians = [], []
    for uid in profiles:
        mine = [engine.day_values(uid, START + timedelta(days=d)) for d in range(DAYS)]
        days += mine
        steps = [v.step.y for v in mine if v.step]
        medians.append(statistics.median(steps))
    return Population(days, medians)


@pytest.fixture(scope="module")
def typical(fixtures: Fixtures) -> Population:
    return population(fixtures, "typical")


def test_steps_are_right_skewed_around_5000_with_a_wide_spread_between_people(typical: Population) -> None:
    steps = [v.step.y for v in typical.days if v.step]
    assert 4000 <= statistics.median(steps) <= 6000
    assert statistics.mean(steps) > statistics.median(steps) * 1.05  # right skew
    spread = statistics.pstdev(typical.per_person_steps) / statistics.mean(typical.per_person_steps)
    assert spread > 0.25


def test_resting_heart_rate_is_around_65_within_40_to_110(fixtures: Fixtures, typical: Population) -> None:
    lows = [v.heart_beat.minY for v in typical.days if v.heart_beat]
    assert 58 <= statistics.mean(lows) <= 68  # the day's lowest sits a few bpm under resting
    for persona in ("typical", "athlete", "sedentary", "night_shift", "sparse"):
        pop = population(fixtures, persona, people=40)
        assert all(40 <= v.heart_beat.minY <= 110 for v in pop.days if v.heart_beat), persona
        assert all(v.heart_beat.minY < v.heart_beat.maxY for v in pop.days if v.heart_beat)


def test_nights_last_6_to_8_5_hours_with_realistic_stages(typical: Population) -> None:
    nights = [v.sleep for v in typical.days if v.sleep]
    hours = sorted(n.total / 60 for n in nights)
    assert 6.0 <= statistics.mean(hours) <= 8.5
    assert hours[len(hours) // 10] >= 5.0 and hours[9 * len(hours) // 10] <= 9.0
    assert 0.13 <= statistics.mean(n.deepY / n.total for n in nights) <= 0.23
    assert 0.05 <= statistics.mean(n.awakeY / n.total for n in nights) <= 0.10


def test_weekends_have_fewer_steps_and_longer_nights_for_office_workers(typical: Population) -> None:
    weekend = [v for v in typical.days if v.day.weekday() >= 5]
    weekday = [v for v in typical.days if v.day.weekday() < 5]
    assert statistics.median(v.step.y for v in weekend if v.step) < statistics.median(
        v.step.y for v in weekday if v.step
    )
    assert statistics.mean(v.sleep.total for v in weekend if v.sleep) > statistics.mean(
        v.sleep.total for v in weekday if v.sleep
    )


def test_a_short_night_raises_the_next_days_heart_rate(fixtures: Fixtures) -> None:
    pop = population(fixtures, "night_shift", people=60)
    worn = [v for v in pop.days if v.sleep and v.heart_beat]
    short = [v.heart_beat.minY for v in worn if v.sleep.total < 5.5 * 60]
    long = [v.heart_beat.minY for v in worn if v.sleep.total > 7 * 60]
    assert statistics.mean(short) >= statistics.mean(long) + 2


def test_the_sparse_wearer_misses_most_nights_and_many_days(fixtures: Fixtures) -> None:
    pop = population(fixtures, "sparse", people=30)
    day_share = sum(1 for v in pop.days if v.step) / len(pop.days)
    night_share = sum(1 for v in pop.days if v.sleep) / len(pop.days)
    assert 0.35 <= day_share <= 0.55
    assert 0.2 <= night_share <= 0.4

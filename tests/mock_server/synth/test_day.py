"""The day model: its three entry points agree, and its values look like a ring's."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mock_server.people import Fixtures, load_fixtures
from mock_server.synth import METRICS, DayValues, HeartDay, Metric, SleepNight, StepDay
from mock_server.synth.day import generate_day, generate_metric, generate_metric_days, user_traits

USERS = sorted(load_fixtures().users)

seeds = st.integers(min_value=0, max_value=2**32)
users = st.sampled_from(USERS)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


def test_one_metric_alone_is_that_metric_of_the_whole_day(fixtures: Fixtures) -> None:
    first = date(2023, 11, 1)
    for seed in (42, 7):
        for profile in fixtures.users.values():
            traits = user_traits(seed, profile)
            for offset in range(0, 900, 5):
                day = first + timedelta(days=offset)
                whole = generate_day(seed, profile, traits, day)
                for metric in METRICS:
                    assert generate_metric(seed, profile, traits, day, metric) == getattr(whole, metric)


def test_a_run_of_days_generated_at_once_is_each_whole_day(fixtures: Fixtures) -> None:
    run = [date(2016, 2, 27) + timedelta(days=offset) for offset in range(400)]
    for profile in fixtures.users.values():
        traits = user_traits(42, profile)
        whole = [generate_day(42, profile, traits, day) for day in run]
        for metric in METRICS:
            assert generate_metric_days(42, profile, traits, run, metric) == [getattr(v, metric) for v in whole]


@given(
    seed=seeds,
    user=users,
    metric=st.sampled_from(METRICS),
    day=days,
    before=st.integers(0, 40),
    after=st.integers(0, 40),
)
def test_a_days_value_is_the_same_whatever_run_of_days_it_is_generated_in(
    fixtures: Fixtures, seed: int, user: str, metric: Metric, day: date, before: int, after: int
) -> None:
    profile = fixtures.users[user]
    traits = user_traits(seed, profile)
    run = [day + timedelta(days=offset) for offset in range(-before, after + 1)]
    assert generate_metric_days(seed, profile, traits, run, metric)[before] == getattr(
        generate_day(seed, profile, traits, day), metric
    )


@given(seed=seeds, user=users, day=days)
def test_values_stay_within_the_personas_bounds(fixtures: Fixtures, seed: int, user: str, day: date) -> None:
    profile = fixtures.users[user]
    persona = profile.persona
    values = generate_day(seed, profile, user_traits(seed, profile), day)
    if values.step is not None:
        assert 0 <= values.step.y <= persona.steps.cap
        assert values.step.y == int(values.step.y)
    if values.heart_beat is not None:
        h = values.heart_beat
        assert persona.heart.floor <= h.minY <= persona.heart.ceiling - 10
        assert h.minY + 8 <= h.maxY <= max(persona.heart.ceiling, h.minY + 8)
        assert h.minY < h.mean < h.maxY
    if values.sleep is not None:
        n = values.sleep
        assert round(persona.sleep.min_hours * 60) <= n.total <= round(persona.sleep.max_hours * 60)
        assert min(n.deepY, n.shallowY, n.awakeY) >= 0
        assert n.deepY <= 0.4 * n.total + 0.5 and n.awakeY <= 0.4 * n.total + 0.5
    assert (values.step is None) == (values.heart_beat is None)  # both come from the ring worn by day


def test_the_seeds_world_does_not_change_between_versions(fixtures: Fixtures) -> None:
    """Datasets recorded from the mock stay valid: these days are what seed 42 has always given."""
    known = {
        ("typical", date(2025, 3, 3)): DayValues(date(2025, 3, 3), None, None, SleepNight(76, 317, 19)),
        ("athlete", date(2025, 3, 8)): DayValues(
            date(2025, 3, 8), HeartDay(177.0, 47.0, 82.10664480536019), StepDay(16783.0), SleepNight(107, 389, 25)
        ),
        ("sparse", date(2024, 7, 14)): DayValues(
            date(2024, 7, 14), HeartDay(133.0, 65.0, 81.6477821784133), StepDay(8266.0), None
        ),
    }
    for (user, day), values in known.items():
        profile = fixtures.users[user]
        assert generate_day(42, profile, user_traits(42, profile), day) == values

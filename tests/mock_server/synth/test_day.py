"""`generate_day` (written out in one function for speed) draws exactly what the plain composition did."""

from __future__ import annotations

from datetime import date, timedelta

from mock_server.people import Fixtures
from mock_server.synth.day import (
    DayValues,
    HeartDay,
    SleepNight,
    StepDay,
    UserTraits,
    generate_day,
    generate_metric,
    generate_metric_days,
    user_traits,
)
from mock_server.synth.profiles import Persona, UserProfile
from mock_server.synth.rng import KeyedRandom


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _night(persona: Persona, rng: KeyedRandom, day: date) -> tuple[SleepNight, float]:
    traits = persona.sleep
    weekend = day.weekday() >= 5
    hours = rng.gauss(traits.hours + (traits.weekend_extra_hours if weekend else 0.0), traits.hours_sd)
    hours = _clamp(hours, traits.min_hours, traits.max_hours)
    total = round(hours * 60)
    deep_share = _clamp(rng.gauss(traits.deep_share, traits.deep_sd), 0.0, 0.4)
    awake_share = _clamp(rng.gauss(traits.awake_share, traits.awake_sd), 0.0, 0.4)
    deep = round(total * deep_share)
    awake = round(total * awake_share)
    return SleepNight(deepY=deep, shallowY=total - deep - awake, awakeY=awake), hours


def reference_day(seed: int, profile: UserProfile, traits: UserTraits, day: date) -> DayValues:
    """The generator as first written, on KeyedRandom's methods (the definition of the data)."""
    persona = profile.persona
    rng = KeyedRandom(seed, profile.id, day.isoformat())
    night, hours_slept = _night(persona, rng, day)
    years = (day - persona.trend.anchor).days / 365.25
    weekend = day.weekday() >= 5
    step_traits = persona.steps
    median = traits.steps_median * (1.0 + persona.trend.steps_per_year * years)
    if weekend:
        median *= step_traits.weekend_factor
    tired = max(0.0, 7.0 - hours_slept)
    steps = median * rng.lognormal_factor(step_traits.spread) * (1.0 - 0.04 * tired)
    steps = round(_clamp(steps, 0.0, step_traits.cap))
    heart = persona.heart
    resting = (
        traits.resting
        + persona.trend.resting_per_year * years
        + rng.gauss(0.0, heart.day_sd)
        + heart.short_night_bpm_per_hour * tired
    )
    low = round(_clamp(resting - 4.0 + rng.gauss(0.0, 1.5), heart.floor, heart.ceiling - 10))
    activity = min(1.0, steps / 15000.0)
    peak = resting + 25.0 + heart.peak_over_resting * activity + abs(rng.gauss(0.0, 8.0))
    high = round(_clamp(peak, low + 8, heart.ceiling))
    mean = low + (high - low) * _clamp(0.22 + rng.gauss(0.0, 0.04), 0.05, 0.6)
    day_worn = rng.chance(persona.wear.day)
    night_worn = rng.chance(persona.wear.night)
    return DayValues(
        day=day,
        heart_beat=HeartDay(maxY=float(high), minY=float(low), mean=mean) if day_worn else None,
        step=StepDay(y=float(steps)) if day_worn else None,
        sleep=night if night_worn else None,
    )


def test_every_fixture_user_gets_the_reference_values_day_for_day(fixtures: Fixtures) -> None:
    first = date(2023, 11, 1)
    for seed in (42, 7):
        for profile in fixtures.users.values():
            traits = user_traits(seed, profile)
            for offset in range(0, 900, 3):
                day = first + timedelta(days=offset)
                assert generate_day(seed, profile, traits, day) == reference_day(seed, profile, traits, day)


def test_one_metric_alone_is_that_metric_of_the_whole_day(fixtures: Fixtures) -> None:
    first = date(2023, 11, 1)
    for seed in (42, 7):
        for profile in fixtures.users.values():
            traits = user_traits(seed, profile)
            for offset in range(0, 900, 5):
                day = first + timedelta(days=offset)
                whole = generate_day(seed, profile, traits, day)
                for metric in ("heart_beat", "step", "sleep"):
                    assert generate_metric(seed, profile, traits, day, metric) == getattr(whole, metric)


def test_a_run_of_days_generated_at_once_is_each_day_generated_alone(fixtures: Fixtures) -> None:
    days = [date(2016, 2, 27) + timedelta(days=offset) for offset in range(400)]
    for profile in fixtures.users.values():
        traits = user_traits(42, profile)
        for metric in ("heart_beat", "step", "sleep"):
            alone = [generate_metric(42, profile, traits, day, metric) for day in days]
            assert generate_metric_days(42, profile, traits, days, metric) == alone

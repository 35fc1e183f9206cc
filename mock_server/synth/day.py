"""One user's values for one date: a pure function of (seed, user, date).

Nothing here looks at any other date than the one asked for (and the night that
ends on it), so a day's values never depend on the range a caller asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .profiles import Persona, PinnedDay, UserProfile
from .rng import KeyedRandom


@dataclass(frozen=True, slots=True)
class HeartDay:
    maxY: float
    minY: float
    mean: float
    """The day's mean rate; feeds the range's `average`."""


@dataclass(frozen=True, slots=True)
class StepDay:
    y: float


@dataclass(frozen=True, slots=True)
class SleepNight:
    deepY: int
    shallowY: int
    awakeY: int

    @property
    def total(self) -> int:
        return self.deepY + self.shallowY + self.awakeY


@dataclass(frozen=True, slots=True)
class DayValues:
    """What the ring recorded for one local date; None where it recorded nothing."""

    day: date
    heart_beat: HeartDay | None
    step: StepDay | None
    sleep: SleepNight | None


@dataclass(frozen=True, slots=True)
class UserTraits:
    """Per-person constants drawn once from (seed, user)."""

    steps_median: float
    resting: float


def user_traits(seed: int, profile: UserProfile) -> UserTraits:
    rng = KeyedRandom(seed, profile.id, "traits")
    persona = profile.persona
    return UserTraits(
        steps_median=persona.steps.median * rng.lognormal_factor(persona.steps.between_people),
        resting=persona.heart.resting + rng.gauss(0.0, persona.heart.between_people),
    )


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _years_since(anchor: date, day: date) -> float:
    return (day - anchor).days / 365.25


def _night(persona: Persona, rng: KeyedRandom, day: date) -> tuple[SleepNight, float]:
    """The night ending on `day` and its length in hours (also when not recorded)."""
    traits = persona.sleep
    weekend = day.weekday() >= 5  # nights ending on Saturday or Sunday
    hours = rng.gauss(traits.hours + (traits.weekend_extra_hours if weekend else 0.0), traits.hours_sd)
    hours = _clamp(hours, traits.min_hours, traits.max_hours)
    total = round(hours * 60)
    deep_share = _clamp(rng.gauss(traits.deep_share, traits.deep_sd), 0.0, 0.4)
    awake_share = _clamp(rng.gauss(traits.awake_share, traits.awake_sd), 0.0, 0.4)
    deep = round(total * deep_share)
    awake = round(total * awake_share)
    return SleepNight(deepY=deep, shallowY=total - deep - awake, awakeY=awake), hours


def generate_day(seed: int, profile: UserProfile, traits: UserTraits, day: date) -> DayValues:
    """The generated values of `day`, before pins, joins and wear are applied."""
    persona = profile.persona
    rng = KeyedRandom(seed, profile.id, day.isoformat())
    night, hours_slept = _night(persona, rng, day)

    years = _years_since(persona.trend.anchor, day)
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


def apply_pins(values: DayValues, pinned: PinnedDay | None) -> DayValues:
    """Override generated values with a fixture's pinned ones."""
    if pinned is None:
        return values
    heart = values.heart_beat
    if pinned.heart_beat is not None:
        p = pinned.heart_beat
        average = p.average if p.average is not None else (p.maxY + p.minY) / 2
        heart = HeartDay(maxY=float(p.maxY), minY=float(p.minY), mean=average)
    step = StepDay(y=float(pinned.step.y)) if pinned.step is not None else values.step
    sleep = values.sleep
    if pinned.sleep is not None:
        sleep = SleepNight(pinned.sleep.deepY, pinned.sleep.shallowY, pinned.sleep.awakeY)
    return DayValues(
        day=values.day,
        heart_beat=None if "heart_beat" in pinned.missing else heart,
        step=None if "step" in pinned.missing else step,
        sleep=None if "sleep" in pinned.missing else sleep,
    )

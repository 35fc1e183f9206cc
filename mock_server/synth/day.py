"""One user's values for one date: a pure function of (seed, user, date).

Each metric is one function of the persona, the person's traits, the date and its draws of the
day's `KeyedRandom(seed, user, date)` stream; a whole day, one metric of a day and one metric over
years all call those functions, and differ only in how many draws `draws` computes at once.
Nothing here looks at any other date than the one asked for (and the night that ends on it), so
a day's values never depend on the range a caller asked for.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Literal

from .draws import DrawSet, draws
from .profiles import Persona, PinnedDay, SleepTraits, UserProfile
from .rng import _TWO_PI, KeyedRandom

Metric = Literal["heart_beat", "step", "sleep"]
METRICS: tuple[Metric, ...] = ("heart_beat", "step", "sleep")


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


Record = HeartDay | StepDay | SleepNight


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


# Where each quantity takes its draws in the day's stream. The layout is the data's definition:
# moving a draw changes every answer. A normal takes two draws, a chance one.
HOURS = (0, 1)
DEEP_SHARE = (2, 3)
AWAKE_SHARE = (4, 5)
STEPS = (6, 7)
RESTING = (8, 9)
LOW_NOISE = (10, 11)
PEAK_NOISE = (12, 13)
MEAN_SHARE = (14, 15)
WORN_BY_DAY = (16,)
WORN_BY_NIGHT = (17,)

_sqrt, _log, _cos, _exp = math.sqrt, math.log, math.cos, math.exp


def _normal(mu: float, sigma: float, u1: float, u2: float) -> float:
    """`KeyedRandom.gauss(mu, sigma)` on its two draws (Box-Muller; a u1 of 0 becomes 1e-12)."""
    return mu + sigma * _sqrt(-2.0 * _log(u1 or 1e-12)) * _cos(_TWO_PI * u2)


def _hours_slept(sleep: SleepTraits, day: date, u0: float, u1: float) -> float:
    """The length of the night ending on `day` (longer on Saturdays and Sundays)."""
    mu = sleep.hours + (sleep.weekend_extra_hours if day.weekday() >= 5 else 0.0)
    return max(sleep.min_hours, min(sleep.max_hours, _normal(mu, sleep.hours_sd, u0, u1)))


def _years(persona: Persona, day: date) -> float:
    """Years from the persona's trend anchor to `day`."""
    return (day - persona.trend.anchor).days / 365.25


def _step_count(persona: Persona, traits: UserTraits, day: date, hours: float, u6: float, u7: float) -> int:
    """The day's steps, fewer after a short night."""
    step_traits = persona.steps
    median = traits.steps_median * (1.0 + persona.trend.steps_per_year * _years(persona, day))
    if day.weekday() >= 5:
        median *= step_traits.weekend_factor
    tired = max(0.0, 7.0 - hours)
    count = median * _exp(_normal(0.0, step_traits.spread, u6, u7)) * (1.0 - 0.04 * tired)
    return round(max(0.0, min(step_traits.cap, count)))


NIGHT_DRAWS = DrawSet(HOURS + DEEP_SHARE + AWAKE_SHARE + WORN_BY_NIGHT)


def night(persona: Persona, traits: UserTraits, day: date, u: Sequence[float]) -> SleepNight | None:
    """The night ending on `day`, from NIGHT_DRAWS; None if the ring was off."""
    u0, u1, u2, u3, u4, u5, worn = u
    if not worn < persona.wear.night:
        return None
    sleep = persona.sleep
    total = round(_hours_slept(sleep, day, u0, u1) * 60)
    deep = round(total * max(0.0, min(0.4, _normal(sleep.deep_share, sleep.deep_sd, u2, u3))))
    awake = round(total * max(0.0, min(0.4, _normal(sleep.awake_share, sleep.awake_sd, u4, u5))))
    return SleepNight(deepY=deep, shallowY=total - deep - awake, awakeY=awake)


STEP_DRAWS = DrawSet(HOURS + STEPS + WORN_BY_DAY)


def steps(persona: Persona, traits: UserTraits, day: date, u: Sequence[float]) -> StepDay | None:
    """The steps of `day`, from STEP_DRAWS; None if the ring was off."""
    u0, u1, u6, u7, worn = u
    if not worn < persona.wear.day:
        return None
    return StepDay(y=float(_step_count(persona, traits, day, _hours_slept(persona.sleep, day, u0, u1), u6, u7)))


HEART_DRAWS = DrawSet(HOURS + STEPS + RESTING + LOW_NOISE + PEAK_NOISE + MEAN_SHARE + WORN_BY_DAY)


def heart_rate(persona: Persona, traits: UserTraits, day: date, u: Sequence[float]) -> HeartDay | None:
    """The heart rate of `day`, from HEART_DRAWS: resting up after a short night, peak up with steps."""
    u0, u1, u6, u7, u8, u9, u10, u11, u12, u13, u14, u15, worn = u
    if not worn < persona.wear.day:
        return None
    heart = persona.heart
    hours = _hours_slept(persona.sleep, day, u0, u1)
    resting = (
        traits.resting
        + persona.trend.resting_per_year * _years(persona, day)
        + _normal(0.0, heart.day_sd, u8, u9)
        + heart.short_night_bpm_per_hour * max(0.0, 7.0 - hours)
    )
    low = round(max(heart.floor, min(heart.ceiling - 10, resting - 4.0 + _normal(0.0, 1.5, u10, u11))))
    activity = min(1.0, _step_count(persona, traits, day, hours, u6, u7) / 15000.0)
    peak = resting + 25.0 + heart.peak_over_resting * activity + abs(_normal(0.0, 8.0, u12, u13))
    high = round(max(low + 8, min(heart.ceiling, peak)))
    mean = low + (high - low) * max(0.05, min(0.6, _normal(0.22, 0.04, u14, u15)))
    return HeartDay(maxY=float(high), minY=float(low), mean=mean)


@dataclass(frozen=True, slots=True)
class MetricModel:
    """A metric's function and the draws it takes, in the order it takes them."""

    value: Callable[[Persona, UserTraits, date, Sequence[float]], Record | None]
    draws: DrawSet


MODELS: dict[Metric, MetricModel] = {
    "heart_beat": MetricModel(heart_rate, HEART_DRAWS),
    "step": MetricModel(steps, STEP_DRAWS),
    "sleep": MetricModel(night, NIGHT_DRAWS),
}

_WHOLE_DAY = DrawSet(tuple(range(18)))
"""Every draw of a day, so that a draw's position is its index."""
_HEART_OF, _STEP_OF, _NIGHT_OF = (itemgetter(*MODELS[metric].draws.positions) for metric in METRICS)


def generate_day(seed: int, profile: UserProfile, traits: UserTraits, day: date) -> DayValues:
    """The generated values of `day`, before pins, joins and wear are applied."""
    persona = profile.persona
    u = draws(seed, profile.id, (day.isoformat(),), _WHOLE_DAY)
    return DayValues(
        day=day,
        heart_beat=heart_rate(persona, traits, day, _HEART_OF(u)),
        step=steps(persona, traits, day, _STEP_OF(u)),
        sleep=night(persona, traits, day, _NIGHT_OF(u)),
    )


def generate_metric_days(
    seed: int, profile: UserProfile, traits: UserTraits, days: Sequence[date], metric: Metric
) -> list[Record | None]:
    """`metric` of each of `days` (what `generate_day` gives), the draws of all of them computed at once."""
    value, wanted = MODELS[metric].value, MODELS[metric].draws
    persona = profile.persona
    flat = draws(seed, profile.id, [day.isoformat() for day in days], wanted)
    by_day = zip(*[iter(flat)] * len(wanted), strict=True)  # one tuple of len(wanted) draws per day
    return [value(persona, traits, day, u) for day, u in zip(days, by_day, strict=True)]


def generate_metric(seed: int, profile: UserProfile, traits: UserTraits, day: date, metric: Metric) -> Record | None:
    """`metric` of `day` alone (what `generate_day` gives), drawing only what that metric takes."""
    model = MODELS[metric]
    return model.value(profile.persona, traits, day, draws(seed, profile.id, (day.isoformat(),), model.draws))


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

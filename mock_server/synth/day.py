"""One user's values for one date: a pure function of (seed, user, date).

Nothing here looks at any other date than the one asked for (and the night that
ends on it), so a day's values never depend on the range a caller asked for.
"""

from __future__ import annotations

import hashlib
import math
import struct
from dataclasses import dataclass
from datetime import date

from .profiles import PinnedDay, UserProfile
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


_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB
_UNIT = 1.0 / (1 << 53)
_TWO_PI = 2.0 * math.pi
_DRAWS = 18
"""Uniform draws one day takes: eight normals (two each) and two chances, in this order."""
_sqrt, _log, _cos, _exp = math.sqrt, math.log, math.cos, math.exp
_blake2b = hashlib.blake2b


# The draws of one day are computed side by side in one big integer: lane i of 128 bits holds the
# SplitMix64 state after i + 1 steps. A lane's product of two 64-bit numbers fits in its 128 bits and
# the bits a right shift moves into a neighbour's lane are masked off, so every lane computes what
# the step-by-step generator does (tests/mock_server/synth/test_day.py checks them against it).
_LANES = sum(1 << (128 * i) for i in range(_DRAWS))
_STEPS = sum(((i + 1) * _GOLDEN) << (128 * i) for i in range(_DRAWS))
_LANE_MASK = _MASK * _LANES
_LOW_WORDS = struct.Struct("<" + "Q8x" * _DRAWS)


def _uniforms(seed: int, user_id: str, iso_day: str) -> list[float]:
    """The first `_DRAWS` numbers of `KeyedRandom(seed, user_id, iso_day).random()`, in order."""
    material = f"{seed}\x1f{user_id}\x1f{iso_day}".encode()
    state = int.from_bytes(_blake2b(material, digest_size=8).digest(), "big")
    z = (state * _LANES + _STEPS) & _LANE_MASK
    z = ((z ^ (z >> 30)) & _LANE_MASK) * _MIX1 & _LANE_MASK
    z = ((z ^ (z >> 27)) & _LANE_MASK) * _MIX2 & _LANE_MASK
    z = (z ^ (z >> 31)) & _LANE_MASK
    return [(word >> 11) * _UNIT for word in _LOW_WORDS.unpack(z.to_bytes(16 * _DRAWS, "little"))]


def generate_day(seed: int, profile: UserProfile, traits: UserTraits, day: date) -> DayValues:
    """The generated values of `day`, before pins, joins and wear are applied.

    The draws of `KeyedRandom(seed, user, date)` in a fixed order: the night (hours, deep and
    awake shares), the day's steps, four heart-rate normals, then whether the ring was worn by
    day and by night. Written out in one function (a cold 10-year query generates 3,650 days);
    every float operation is the one `KeyedRandom.gauss` and friends do, in the same order.
    """
    persona = profile.persona
    iso_day = day.isoformat()
    u = _uniforms(seed, profile.id, iso_day)
    # KeyedRandom.gauss(mu, sigma) on draws (u[i], u[i + 1]); u1 of 0 becomes 1e-12.
    weekend = day.weekday() >= 5  # Saturday or Sunday (for the night: the one ending on it)

    # The night ending on `day`.
    sleep = persona.sleep
    mu = sleep.hours + (sleep.weekend_extra_hours if weekend else 0.0)
    hours = mu + sleep.hours_sd * _sqrt(-2.0 * _log(u[0] or 1e-12)) * _cos(_TWO_PI * u[1])
    hours = max(sleep.min_hours, min(sleep.max_hours, hours))
    total = round(hours * 60)
    share = sleep.deep_share + sleep.deep_sd * _sqrt(-2.0 * _log(u[2] or 1e-12)) * _cos(_TWO_PI * u[3])
    deep = round(total * max(0.0, min(0.4, share)))
    share = sleep.awake_share + sleep.awake_sd * _sqrt(-2.0 * _log(u[4] or 1e-12)) * _cos(_TWO_PI * u[5])
    awake = round(total * max(0.0, min(0.4, share)))
    night = SleepNight(deepY=deep, shallowY=total - deep - awake, awakeY=awake)

    trend = persona.trend
    years = (day - trend.anchor).days / 365.25
    step_traits = persona.steps
    median = traits.steps_median * (1.0 + trend.steps_per_year * years)
    if weekend:
        median *= step_traits.weekend_factor
    tired = max(0.0, 7.0 - hours)
    factor = _exp(0.0 + step_traits.spread * _sqrt(-2.0 * _log(u[6] or 1e-12)) * _cos(_TWO_PI * u[7]))
    steps = median * factor * (1.0 - 0.04 * tired)
    steps = round(max(0.0, min(step_traits.cap, steps)))

    heart = persona.heart
    resting = (
        traits.resting
        + trend.resting_per_year * years
        + (0.0 + heart.day_sd * _sqrt(-2.0 * _log(u[8] or 1e-12)) * _cos(_TWO_PI * u[9]))
        + heart.short_night_bpm_per_hour * tired
    )
    noise = 0.0 + 1.5 * _sqrt(-2.0 * _log(u[10] or 1e-12)) * _cos(_TWO_PI * u[11])
    low = round(max(heart.floor, min(heart.ceiling - 10, resting - 4.0 + noise)))
    activity = min(1.0, steps / 15000.0)
    noise = 0.0 + 8.0 * _sqrt(-2.0 * _log(u[12] or 1e-12)) * _cos(_TWO_PI * u[13])
    peak = resting + 25.0 + heart.peak_over_resting * activity + abs(noise)
    high = round(max(low + 8, min(heart.ceiling, peak)))
    share = 0.22 + 0.04 * _sqrt(-2.0 * _log(u[14] or 1e-12)) * _cos(_TWO_PI * u[15])
    mean = low + (high - low) * max(0.05, min(0.6, share))

    wear = persona.wear
    if u[16] < wear.day:
        return DayValues(
            day=day,
            heart_beat=HeartDay(maxY=float(high), minY=float(low), mean=mean),
            step=StepDay(y=float(steps)),
            sleep=night if u[17] < wear.night else None,
        )
    return DayValues(day=day, heart_beat=None, step=None, sleep=night if u[17] < wear.night else None)


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

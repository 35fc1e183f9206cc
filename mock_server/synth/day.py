"""One user's values for one date: a pure function of (seed, user, date).

Nothing here looks at any other date than the one asked for (and the night that
ends on it), so a day's values never depend on the range a caller asked for.
"""

from __future__ import annotations

import hashlib
import math
import struct
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .profiles import PinnedDay, UserProfile
from .rng import _GOLDEN, _MASK, _MIX1, _MIX2, _TWO_PI, _UNIT, KeyedRandom  # one SplitMix64, two speeds


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


@dataclass(frozen=True, slots=True)
class _Lanes:
    """Which of a day's draws to compute (their positions in the stream), laid out side by side."""

    draws: tuple[int, ...]
    ones: int
    steps: int
    mask: int
    words: struct.Struct

    @classmethod
    def of(cls, draws: tuple[int, ...]) -> _Lanes:
        ones = sum(1 << (128 * lane) for lane in range(len(draws)))
        steps = sum(((draw + 1) * _GOLDEN) << (128 * lane) for lane, draw in enumerate(draws))
        return cls(draws, ones, steps, _MASK * ones, struct.Struct("<" + "Q8x" * len(draws)))


_STEP_DRAWS = _Lanes.of((0, 1, 6, 7, 16))
"""A day's steps: the night's length (0, 1), the steps (6, 7), worn by day (16)."""
_SLEEP_DRAWS = _Lanes.of((0, 1, 2, 3, 4, 5, 17))
"""A night: its length and shares (0-5), worn by night (17)."""
_HEART_DRAWS = _Lanes.of(tuple(range(_DRAWS)))
_METRIC_DRAWS = {"step": _STEP_DRAWS, "sleep": _SLEEP_DRAWS, "heart_beat": _HEART_DRAWS}


def _many_uniforms(seed: int, user_id: str, iso_days: list[str], lanes: _Lanes) -> list[list[float]]:
    """`_some_uniforms(seed, user_id, d, lanes)` for every d of `iso_days`, all in one integer;
    returned lane by lane (the first list holds every day's first draw)."""
    width, count = len(lanes.draws), len(iso_days)
    prefix = f"{seed}\x1f{user_id}\x1f".encode()
    states = [int.from_bytes(_blake2b(prefix + day.encode(), digest_size=8).digest(), "big") for day in iso_days]
    words = array("Q", bytes(16 * width * count))
    for lane, draw in enumerate(lanes.draws):
        offset = ((draw + 1) * _GOLDEN) & _MASK
        words[2 * lane :: 2 * width] = array("Q", [(state + offset) & _MASK for state in states])
    size = len(words) * 8
    mask = int.from_bytes((b"\xff" * 8 + b"\x00" * 8) * (width * count), "little")
    z = int.from_bytes(words.tobytes(), "little")
    z = ((z ^ (z >> 30)) & mask) * _MIX1 & mask
    z = ((z ^ (z >> 27)) & mask) * _MIX2 & mask
    z = (z ^ (z >> 31)) & mask
    low = array("Q", z.to_bytes(size, "little"))
    return [[(word >> 11) * _UNIT for word in low[2 * lane :: 2 * width]] for lane in range(width)]


def _some_uniforms(seed: int, user_id: str, iso_day: str, lanes: _Lanes) -> tuple[float, ...]:
    """Some of `_uniforms(...)`: those `lanes` was made of, in its order."""
    material = f"{seed}\x1f{user_id}\x1f{iso_day}".encode()
    state = int.from_bytes(_blake2b(material, digest_size=8).digest(), "big")
    mask = lanes.mask
    z = (state * lanes.ones + lanes.steps) & mask
    z = ((z ^ (z >> 30)) & mask) * _MIX1 & mask
    z = ((z ^ (z >> 27)) & mask) * _MIX2 & mask
    z = (z ^ (z >> 31)) & mask
    return tuple((word >> 11) * _UNIT for word in lanes.words.unpack(z.to_bytes(lanes.words.size, "little")))


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


def generate_metric(
    seed: int, profile: UserProfile, traits: UserTraits, day: date, metric: str
) -> HeartDay | StepDay | SleepNight | None:
    """`getattr(generate_day(...), metric)`, computing only what that metric depends on.

    A query asks for one metric: steps need the night's length and their own draw, the heart
    rate everything but the sleep shares, the sleep only the night. Same draws, same float
    operations in the same order as generate_day (tests/mock_server/synth/test_day.py).
    """
    draws = _some_uniforms(seed, profile.id, day.isoformat(), _METRIC_DRAWS[metric])
    return _metric_of(profile, traits, day, metric, draws)


def generate_metric_days(
    seed: int, profile: UserProfile, traits: UserTraits, days: list[date], metric: str
) -> list[HeartDay | StepDay | SleepNight | None]:
    """`generate_metric` for each of `days`, the draws of all of them computed at once.

    Steps (a long range's usual question) have their own loop, with every constant read once;
    the float operations are those of `_metric_of`, in the same order.
    """
    by_lane = _many_uniforms(seed, profile.id, [day.isoformat() for day in days], _METRIC_DRAWS[metric])
    if metric != "step":
        return [
            _metric_of(profile, traits, day, metric, draws)
            for day, draws in zip(days, zip(*by_lane, strict=True), strict=True)
        ]
    persona = profile.persona
    sleep, step_traits, trend = persona.sleep, persona.steps, persona.trend
    worn_by_day = persona.wear.day
    hours_sd, min_hours, max_hours = sleep.hours_sd, sleep.min_hours, sleep.max_hours
    weekday_mu, weekend_mu = sleep.hours + 0.0, sleep.hours + sleep.weekend_extra_hours
    steps_median, steps_per_year, anchor = traits.steps_median, trend.steps_per_year, trend.anchor
    weekend_factor, spread, cap = step_traits.weekend_factor, step_traits.spread, step_traits.cap
    sqrt, log, cos, exp, two_pi = _sqrt, _log, _cos, _exp, _TWO_PI
    out: list[HeartDay | StepDay | SleepNight | None] = []
    for day, u0, u1, u6, u7, u16 in zip(days, *by_lane, strict=True):
        if not u16 < worn_by_day:
            out.append(None)
            continue
        weekend = day.weekday() >= 5
        mu = weekend_mu if weekend else weekday_mu
        hours = mu + hours_sd * sqrt(-2.0 * log(u0 or 1e-12)) * cos(two_pi * u1)
        hours = max(min_hours, min(max_hours, hours))
        years = (day - anchor).days / 365.25
        median = steps_median * (1.0 + steps_per_year * years)
        if weekend:
            median *= weekend_factor
        tired = max(0.0, 7.0 - hours)
        factor = exp(0.0 + spread * sqrt(-2.0 * log(u6 or 1e-12)) * cos(two_pi * u7))
        steps = median * factor * (1.0 - 0.04 * tired)
        out.append(StepDay(y=float(round(max(0.0, min(cap, steps))))))
    return out


def _metric_of(
    profile: UserProfile, traits: UserTraits, day: date, metric: str, draws: Sequence[float]
) -> HeartDay | StepDay | SleepNight | None:
    """One metric of `day` from its draws (those `_METRIC_DRAWS[metric]` lists, in its order)."""
    persona = profile.persona
    weekend = day.weekday() >= 5
    sleep = persona.sleep
    mu = sleep.hours + (sleep.weekend_extra_hours if weekend else 0.0)
    if metric == "sleep":
        u0, u1, u2, u3, u4, u5, u17 = draws
        if not u17 < persona.wear.night:
            return None
        hours = mu + sleep.hours_sd * _sqrt(-2.0 * _log(u0 or 1e-12)) * _cos(_TWO_PI * u1)
        hours = max(sleep.min_hours, min(sleep.max_hours, hours))
        total = round(hours * 60)
        share = sleep.deep_share + sleep.deep_sd * _sqrt(-2.0 * _log(u2 or 1e-12)) * _cos(_TWO_PI * u3)
        deep = round(total * max(0.0, min(0.4, share)))
        share = sleep.awake_share + sleep.awake_sd * _sqrt(-2.0 * _log(u4 or 1e-12)) * _cos(_TWO_PI * u5)
        awake = round(total * max(0.0, min(0.4, share)))
        return SleepNight(deepY=deep, shallowY=total - deep - awake, awakeY=awake)
    u: Sequence[float]
    if metric == "step":
        u0, u1, u6, u7, u16 = draws
        u = [u0, u1, 0.0, 0.0, 0.0, 0.0, u6, u7]
    else:
        u = draws
        u16 = u[16]
    if not u16 < persona.wear.day:
        return None
    hours = mu + sleep.hours_sd * _sqrt(-2.0 * _log(u[0] or 1e-12)) * _cos(_TWO_PI * u[1])
    hours = max(sleep.min_hours, min(sleep.max_hours, hours))
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
    if metric == "step":
        return StepDay(y=float(steps))
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
    return HeartDay(maxY=float(high), minY=float(low), mean=mean)


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

"""The user's day boundary, learnt from the implementation's own answers, and what answers to different ranges
must agree on.

The page serves daily-level data in the user's days, "not including the current day", without
saying in which time zone. The suite asks 1-second ranges on both sides of candidate midnights
(a binary search over every quarter-hour offset from UTC-12 to UTC+14) and reads which date each
answer lists, on several days so that a day without data does not mislead. It does so near the
server's now (the offset that decides "the current day") and half a year earlier (a zone with
daylight saving has a second offset); the dates of any answer are then judged exactly.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cudis_spec.rules import local_date, local_midnight, zone_name

DAY = 86400
OFFSETS = tuple(range(-12 * 3600, 14 * 3600 + 1, 900))
"""Every UTC offset in use, in quarter hours, from UTC-12 to UTC+14."""
_PAST = (2, 3, 9, 10)
"""Days back from the one asked about: several, so a day without data does not mislead."""
_HALF_YEAR = 182 * DAY
_EXACT_FOR = 400 * DAY
"""How far back from now the inferred offsets are held exact: a little over the year the two inferences span."""

Ask = Callable[[float, float], list[date] | None]
"""Send a valid range; the dates the success answer lists (None when it was not a success)."""


@dataclass(frozen=True)
class DayBoundary:
    """The UTC offsets that map instants to the user's dates; None when unknown (then the rules' slack is used)."""

    offsets: tuple[int, ...] | None
    """The first is the offset at the server's now, which decides "the current day"."""
    how: str
    end_reading: str | None = None
    """"inclusive" when the day that begins at `endTime` is listed, "exclusive" when it is not, None if unseen."""
    since: float | None = None
    """The offsets hold from this instant on; earlier dates are judged with the slack (zones change over years)."""

    def describe(self) -> str:
        if self.offsets is None:
            return f"time zone unknown ({self.how}): dates judged with the spec's 14 hours of slack"
        zones = " and ".join(dict.fromkeys(zone_name(o) for o in self.offsets))
        reading = {
            "inclusive": "; the day that begins at endTime is listed (endTime belongs to the range)",
            "exclusive": "; the day that begins at endTime is not listed (endTime is outside the range)",
        }.get(self.end_reading or "", "")
        since = f" since {local_date(self.since, 0)}" if self.since is not None else ""
        return f"the user's days are {zones}{since} ({self.how}){reading}"


def parse_offset(text: str) -> int:
    """`+05:45`, `-12`, `UTC+14`, `0` -> seconds east of UTC."""
    raw = text.strip().upper().removeprefix("UTC").strip() or "0"
    sign = -1 if raw.startswith("-") else 1
    hours, _, minutes = raw.lstrip("+-").partition(":")
    try:
        offset = sign * (int(hours) * 3600 + int(minutes or 0) * 60)
    except ValueError:
        raise ValueError(f"not a UTC offset: {text!r} (e.g. +05:45, -12, UTC+14)") from None
    if not OFFSETS[0] <= offset <= OFFSETS[-1]:
        raise ValueError(f"{text!r} is outside UTC-12 .. UTC+14")
    return offset


def _side(ask: Ask, midnight: float, candidate: int) -> bool | None:
    """Whether the user's offset is at least `candidate`: is an instant just after `candidate`'s midnight already
    on the new date?"""
    for back in _PAST:
        m = midnight - back * DAY
        day = local_date(m, 0)
        instant = m - candidate + 450  # between two quarter hours, so never exactly a midnight
        listed = ask(instant, instant + 1)
        if listed == [day]:
            return True
        if listed == [day - timedelta(days=1)]:
            return False
    for back in _PAST:  # no 1-second answer had a day: the last day of a longer range is the day of its end
        m = midnight - back * DAY
        day = local_date(m, 0)
        instant = m - candidate + 450
        listed = ask(instant - 3 * DAY, instant + 1)
        if listed and listed[-1] in (day, day - timedelta(days=1)):
            return listed[-1] == day
    return None


def infer_offset(ask: Ask, around: float) -> int | None:
    """The user's UTC offset on the days before `around`, from the answers; None when no answer lists a day."""
    midnight = around - around % DAY
    low, high = 0, len(OFFSETS) - 1
    while low < high:
        middle = (low + high + 1) // 2
        side = _side(ask, midnight, OFFSETS[middle])
        if side is None:
            return None
        low, high = (middle, high) if side else (low, middle - 1)
    return OFFSETS[low]


def infer_end_reading(ask: Ask, now: float, offset: int) -> str | None:
    """Whether the day that begins exactly at `endTime` is listed, on ranges ending at the user's midnights."""
    today = local_date(now, offset)
    for back in _PAST:
        day = today - timedelta(days=back)
        end = local_midnight(day, offset)
        listed = ask(end - 2 * DAY, end)
        if listed and day in listed:
            return "inclusive"
        if listed and day - timedelta(days=1) in listed:
            return "exclusive"
    return None


def infer_boundary(ask: Ask, now: float) -> DayBoundary:
    """The day boundary the implementation's answers show, near `now` and half a year before."""
    current = infer_offset(ask, now)
    if current is None:
        return DayBoundary(None, "no answer listed a day near now, so nothing could be inferred")
    earlier = infer_offset(ask, now - _HALF_YEAR)
    offsets = (current,) if earlier in (None, current) else (current, earlier)
    return DayBoundary(offsets, "inferred from the answers", infer_end_reading(ask, now, current), now - _EXACT_FOR)


def given_boundary(offset: int, ask: Ask, now: float) -> DayBoundary:
    return DayBoundary((offset,), "given with --timezone", infer_end_reading(ask, now, offset), now - _EXACT_FOR)


@dataclass(frozen=True)
class Answer:
    """One success answer to a valid range: its days and their values."""

    start: float
    end: float
    now: float
    days: Mapping[date, Any]
    curl: str


@dataclass(frozen=True)
class Disagreement:
    rule: str
    says: str
    got: str
    curl: str


def _surely_covered(answer: Answer, offsets: tuple[int, ...]) -> tuple[date, date] | None:
    """The first and last date the range covers under every offset and either reading of endTime, before today."""
    if answer.end <= answer.start:
        return None
    firsts, lasts = [], []
    for offset in offsets:
        last = local_date(answer.end, offset)
        if local_midnight(last, offset) >= answer.end:
            last -= timedelta(days=1)
        yesterday = local_date(answer.now, offset) - timedelta(days=1)
        firsts.append(local_date(answer.start, offset))
        lasts.append(min(last, yesterday))
    first, last = max(firsts), min(lasts)
    return (first, last) if first <= last else None


@dataclass
class Ledger:
    """Every success answer to a valid range of one operation, to compare them once the run is over."""

    answers: list[Answer] = field(default_factory=list)

    def add(self, answer: Answer) -> None:
        self.answers.append(answer)

    def disagreements(self, boundary: DayBoundary) -> Iterator[Disagreement]:
        """A date's values differ between two answers; a date one answer lists is missing from another that covers
        it. Each kind once, with the first example found."""
        first_seen: dict[date, Answer] = {}
        for answer in self.answers:
            for day in answer.days:
                first_seen.setdefault(day, answer)
        known = sorted(first_seen)
        yield from self._values(first_seen)
        yield from self._presence(first_seen, known, boundary)

    def _values(self, first_seen: dict[date, Answer]) -> Iterator[Disagreement]:
        for answer in self.answers:
            for day, values in answer.days.items():
                other = first_seen[day]
                if other.days[day] != values:
                    yield Disagreement(
                        "consistency.values",
                        "a date has the same values in every answer whose range covers it (daily-level data)",
                        f"{day}: {values} for range {answer.start:.0f}..{answer.end:.0f}, but "
                        f"{other.days[day]} for {other.start:.0f}..{other.end:.0f}",
                        answer.curl,
                    )
                    return

    def _presence(
        self, first_seen: dict[date, Answer], known: list[date], boundary: DayBoundary
    ) -> Iterator[Disagreement]:
        for answer in self.answers:
            exact = boundary.offsets is not None and (boundary.since is None or answer.start >= boundary.since)
            covered = _surely_covered(answer, boundary.offsets if exact and boundary.offsets else OFFSETS)
            if covered is None:
                continue
            for day in known[bisect.bisect_left(known, covered[0]) : bisect.bisect_right(known, covered[1])]:
                if day not in answer.days:
                    other = first_seen[day]
                    yield Disagreement(
                        "consistency.presence",
                        "a date listed in one answer is listed in every answer whose range covers it "
                        "(the day of startTime included)",
                        f"{day} is missing from the answer for {answer.start:.0f}..{answer.end:.0f}, "
                        f"but listed for {other.start:.0f}..{other.end:.0f}",
                        answer.curl,
                    )
                    return

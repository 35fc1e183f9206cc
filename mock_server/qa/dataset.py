"""Stream the mock's answers for many users over a date window, one user at a time.

Memory stays flat whatever the number of users: each user gets a fresh one-user
DataEngine (the same code the server runs), their answers are written, and both
are dropped before the next user.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from cudis_spec import Spec, load_spec

from ..synth import METRICS, DataEngine, EmptyDays, UserProfile
from .answers import RecordedAnswer, answer_range, local_range

Granularity = Literal["range", "day"]


@dataclass(frozen=True)
class Window:
    """The local dates asked for, inclusive at both ends, in each user's own time zone."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def dates(self) -> Iterator[date]:
        for offset in range(self.days):
            yield self.first + timedelta(days=offset)


@dataclass(frozen=True)
class UserAnswers:
    """Everything the mock answers one user for the window."""

    profile: UserProfile
    answers: tuple[RecordedAnswer, ...]


@dataclass(frozen=True)
class DatasetRequest:
    seed: int
    window: Window
    now: float
    """The mock's clock: the current day and later are never answered."""
    empty_days: EmptyDays = "omit"
    granularity: Granularity = "range"
    """`range`: one query per user and endpoint for the whole window; `day`: one query per local day."""


def user_answers(request: DatasetRequest, profile: UserProfile, spec: Spec | None = None) -> UserAnswers:
    """One user's answers: per endpoint for the window, or per endpoint and local day."""
    spec = spec or load_spec()
    engine = DataEngine(request.seed, {profile.id: profile})
    tz = engine.timezone(profile.id)
    windows = (
        [(request.window.first, request.window.last)]
        if request.granularity == "range"
        else [(day, day) for day in request.window.dates()]
    )
    answers = []
    for first, last in windows:
        start, end = local_range(tz, first, last)
        body = {"startTime": start, "endTime": end}
        for metric in METRICS:
            answers.append(answer_range(engine, metric, profile.id, body, request.now, request.empty_days, spec))
    return UserAnswers(profile=profile, answers=tuple(answers))


def dataset(request: DatasetRequest, users: Iterable[UserProfile]) -> Iterator[UserAnswers]:
    """Each user's answers in turn; nothing is held beyond the current user."""
    spec = load_spec()
    for profile in users:
        yield user_answers(request, profile, spec)

"""The engine's pre-serialised answers are byte for byte what serialising `answer()` gives."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from hypothesis import given
from hypothesis import strategies as st

from mock_server.people import Fixtures, load_fixtures
from mock_server.synth import METRICS, DataEngine, Metric, UserProfile

from ...conftest import FIXED_NOW

DAY = 86400
USERS = sorted(load_fixtures().users)


@given(
    user=st.sampled_from(USERS),
    metric=st.sampled_from(METRICS),
    start=st.floats(min_value=FIXED_NOW - 800 * DAY, max_value=FIXED_NOW + 2 * DAY),
    span=st.floats(min_value=0, max_value=400 * DAY),
    empty=st.sampled_from(["omit", "zero"]),
)
def test_cached_bytes_equal_serialised_answer(
    fixtures: Fixtures, user: str, metric: Metric, start: float, span: float, empty: str
) -> None:
    warm = DataEngine(42, fixtures.users)
    warm.answer_json(metric, user, start - 30 * DAY, start + span + 30 * DAY, FIXED_NOW, empty)  # type: ignore[arg-type]
    fresh = DataEngine(42, fixtures.users)
    expected = fresh.answer(metric, user, start, start + span, FIXED_NOW, empty)  # type: ignore[arg-type]
    cached = warm.answer_json(metric, user, start, start + span, FIXED_NOW, empty)  # type: ignore[arg-type]
    assert cached == json.dumps(expected, separators=(",", ":"))


def test_pinned_days_come_out_of_the_cache_as_pinned(fixtures: Fixtures) -> None:
    engine = DataEngine(42, fixtures.users)
    start = 1726358400  # 2024-09-15 UTC, the vendor page's example range of doc-example
    for _ in range(2):  # uncached, then cached
        data = json.loads(engine.answer_json("heart_beat", "doc-example", start, start + 4 * DAY, FIXED_NOW, "omit"))
        assert data["list"][0] == {"date": "2024-09-16", "maxY": 80.0, "minY": 70.0}


class _Recording(Mapping[str, UserProfile]):
    """The fixture users, noting each one the engine reads."""

    def __init__(self, users: Mapping[str, UserProfile]) -> None:
        self._users = users
        self.read: set[str] = set()

    def __getitem__(self, user_id: str) -> UserProfile:
        self.read.add(user_id)
        return self._users[user_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._users)

    def __len__(self) -> int:
        return len(self._users)


def test_per_user_state_is_made_only_for_users_asked_about(fixtures: Fixtures) -> None:
    users = _Recording(fixtures.users)
    engine = DataEngine(42, users)
    engine.answer_json("step", "typical", FIXED_NOW - 30 * DAY, FIXED_NOW, FIXED_NOW, "omit")
    # Reading a user of a large fixture file builds it (people/user_table.py): the others stay unread.
    assert users.read == {"typical"}


@given(
    user=st.sampled_from(USERS),
    metric=st.sampled_from(METRICS),
    days=st.integers(min_value=0, max_value=420),
    later=st.integers(min_value=0, max_value=3),
    empty=st.sampled_from(["omit", "zero"]),
)
def test_a_repeated_answer_is_the_fresh_answer_also_when_today_moved(
    fixtures: Fixtures, user: str, metric: Metric, days: int, later: int, empty: str
) -> None:
    engine = DataEngine(42, fixtures.users)
    start, end = FIXED_NOW - days * DAY, FIXED_NOW + 5 * DAY
    for now in (FIXED_NOW, FIXED_NOW, FIXED_NOW + later * DAY):  # the same dates twice, then a later today
        fresh = DataEngine(42, fixtures.users).answer(metric, user, start, end, now, empty)  # type: ignore[arg-type]
        assert engine.answer_json(metric, user, start, end, now, empty) == json.dumps(fresh, separators=(",", ":"))  # type: ignore[arg-type]


def test_a_long_range_generated_in_one_go_is_the_day_by_day_answer(fixtures: Fixtures) -> None:
    for user in ("kiritimati", "typical", "doc-example", "qa-edge"):  # no join date, joined, pinned, gaps
        for metric in METRICS:
            for empty in ("omit", "zero"):
                start, end = FIXED_NOW - 1500 * DAY, FIXED_NOW
                long = DataEngine(42, fixtures.users).answer_json(metric, user, start, end, FIXED_NOW, empty)  # type: ignore[arg-type]
                expected = DataEngine(42, fixtures.users).answer(metric, user, start, end, FIXED_NOW, empty)  # type: ignore[arg-type]
                assert long == json.dumps(expected, separators=(",", ":"))

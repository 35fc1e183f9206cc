"""`draws` computes, lane by lane, exactly the numbers `KeyedRandom` draws one after another."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mock_server.synth.day import HEART_DRAWS, NIGHT_DRAWS, STEP_DRAWS
from mock_server.synth.draws import DrawSet, draws
from mock_server.synth.rng import KeyedRandom


def stream(seed: int, user_id: str, iso_day: str, length: int) -> list[float]:
    rng = KeyedRandom(seed, user_id, iso_day)
    return [rng.random() for _ in range(length)]


@given(
    seed=st.integers(min_value=-(2**70), max_value=2**70),
    user_id=st.text(max_size=20),
    first=st.dates(min_value=date(1970, 1, 1), max_value=date(2100, 1, 1)),
    count=st.integers(min_value=0, max_value=12),
    positions=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=24),
)
def test_lane_draws_are_keyed_randoms_stream_at_those_positions(
    seed: int, user_id: str, first: date, count: int, positions: list[int]
) -> None:
    iso_days = [(first + timedelta(days=offset)).isoformat() for offset in range(count)]
    got = draws(seed, user_id, iso_days, DrawSet(tuple(positions)))
    expected = []
    for iso_day in iso_days:
        drawn = stream(seed, user_id, iso_day, max(positions) + 1)
        expected += [drawn[n] for n in positions]
    assert got == expected


@given(seed=st.integers(min_value=0, max_value=2**64), user_id=st.text(max_size=12), day=st.dates())
def test_each_metrics_draws_are_its_positions_of_the_days_stream(seed: int, user_id: str, day: date) -> None:
    drawn = stream(seed, user_id, day.isoformat(), 18)
    for wanted in (NIGHT_DRAWS, STEP_DRAWS, HEART_DRAWS):
        assert draws(seed, user_id, [day.isoformat()], wanted) == [drawn[n] for n in wanted.positions]


def test_days_far_apart_in_one_call_are_each_their_own_stream() -> None:
    iso_days = ["0001-01-01", "2024-02-29", "2026-06-15", "9999-12-31", "2024-02-29"]
    got = draws(123456789, "typical", iso_days, HEART_DRAWS)
    width = len(HEART_DRAWS)
    for index, iso_day in enumerate(iso_days):
        drawn = stream(123456789, "typical", iso_day, 18)
        assert got[index * width : (index + 1) * width] == [drawn[n] for n in HEART_DRAWS.positions]

"""The mock's clock: real time shifted or frozen through the store, and held for one request per thread."""

from __future__ import annotations

import threading

from mock_server.state import ClockState, MemoryStore
from mock_server.state.clock import MockClock


def test_real_time_shifted_by_the_stores_offset() -> None:
    store = MemoryStore()
    clock = MockClock(store, time_source=lambda: 1000.0)
    assert clock.now() == 1000.0
    store.advance_clock(3600)
    assert clock.now() == 4600.0
    store.advance_clock(-7200)
    assert clock.now() == -2600.0


def test_a_frozen_clock_stands_still_whatever_the_real_time() -> None:
    store = MemoryStore()
    real = [1000.0]
    clock = MockClock(store, time_source=lambda: real[0])
    store.set_clock_state(ClockState(frozen_at=50.0, offset=999.0))
    real[0] = 2000.0
    assert clock.now() == 50.0
    store.advance_clock(10)
    assert clock.now() == 60.0
    store.set_clock_state(ClockState())
    assert clock.now() == 2000.0


def test_every_clock_on_one_store_tells_the_same_time() -> None:
    store = MemoryStore()
    one, other = MockClock(store, lambda: 1000.0), MockClock(store, lambda: 1000.0)
    store.set_clock_state(ClockState(frozen_at=123.0))
    assert one.now() == other.now() == 123.0


def test_a_held_state_is_read_in_its_thread_only_until_released() -> None:
    store = MemoryStore()
    clock = MockClock(store, time_source=lambda: 1000.0)
    clock.hold(ClockState(frozen_at=5.0))
    store.advance_clock(60)  # a change during the request is not seen by it...
    assert clock.now() == 5.0
    seen: list[float] = []
    other = threading.Thread(target=lambda: seen.append(clock.now()))
    other.start()
    other.join()
    assert seen == [1060.0]  # ...nor does another thread see the held state
    clock.hold(None)
    assert clock.now() == 1060.0


def test_at_gives_the_time_under_any_state() -> None:
    clock = MockClock(MemoryStore(), time_source=lambda: 1000.0)
    assert clock.at(ClockState(offset=-1000.0)) == 0.0
    assert clock.at(ClockState(frozen_at=7.0, offset=100.0)) == 7.0

"""The mock's clock: real time, shifted or frozen through the store so every worker agrees."""

from __future__ import annotations

import time
from collections.abc import Callable

from .store import Store


class MockClock:
    def __init__(self, store: Store, time_source: Callable[[], float] = time.time) -> None:
        self._store = store
        self._time_source = time_source

    def now(self) -> float:
        state = self._store.clock_state()
        if state.frozen_at is not None:
            return state.frozen_at
        return self._time_source() + state.offset

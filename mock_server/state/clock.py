"""The mock's clock: real time, shifted or frozen through the store so every worker agrees."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .store import ClockState, Store


class MockClock:
    def __init__(self, store: Store, time_source: Callable[[], float] = time.time) -> None:
        self._store = store
        self._time_source = time_source
        self._held = threading.local()

    def now(self) -> float:
        state: ClockState | None = getattr(self._held, "state", None)
        return self.at(state if state is not None else self._store.clock_state())

    def at(self, state: ClockState) -> float:
        """The mock's time under `state`."""
        if state.frozen_at is not None:
            return state.frozen_at
        return self._time_source() + state.offset

    def hold(self, state: ClockState | None) -> None:
        """Read the clock from `state` in this thread until `hold(None)`: one store read per request."""
        self._held.state = state

"""The mock's mutable state: issued tokens and the clock. Owned by the app, never global."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from .tokens import TokenRecord


@dataclass(frozen=True)
class ClockState:
    frozen_at: float | None = None
    """When set, the mock's time stands still at this instant."""
    offset: float = 0.0
    """Otherwise, seconds added to the real time."""


class Store(Protocol):
    def add_token(self, record: TokenRecord) -> None: ...
    def get_token(self, digest: str) -> TokenRecord | None: ...
    def revoke_token(self, digest: str) -> bool: ...
    def clock_state(self) -> ClockState: ...
    def set_clock_state(self, state: ClockState) -> None: ...
    def reset(self) -> None: ...


class MemoryStore:
    """State in this process's memory: the zero-configuration default."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, TokenRecord] = {}
        self._clock = ClockState()

    def add_token(self, record: TokenRecord) -> None:
        with self._lock:
            self._tokens[record.digest] = record

    def get_token(self, digest: str) -> TokenRecord | None:
        return self._tokens.get(digest)

    def revoke_token(self, digest: str) -> bool:
        with self._lock:
            return self._tokens.pop(digest, None) is not None

    def clock_state(self) -> ClockState:
        return self._clock

    def set_clock_state(self, state: ClockState) -> None:
        with self._lock:
            self._clock = state

    def reset(self) -> None:
        with self._lock:
            self._tokens.clear()
            self._clock = ClockState()

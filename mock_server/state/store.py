"""The mock's mutable state: tokens, clock, faults, journal. Owned by the app, never global.

`MemoryStore` is the zero-configuration default; `SqliteStore` (store_sqlite.py) keeps the same
state in a file that every worker process shares and that survives a restart.
"""

from __future__ import annotations

import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from ..oauth.tokens import TokenRecord
from .faults import Fault

T = TypeVar("T")
JournalEntry = dict[str, Any]
FaultUpdate = Callable[[list[Fault]], tuple[list[Fault], T]]


@dataclass(frozen=True)
class ClockState:
    frozen_at: float | None = None
    """When set, the mock's time stands still at this instant."""
    offset: float = 0.0
    """Otherwise, seconds added to the real time."""

    def advanced(self, seconds: float) -> ClockState:
        if self.frozen_at is not None:
            return replace(self, frozen_at=self.frozen_at + seconds)
        return replace(self, offset=self.offset + seconds)


@dataclass(frozen=True)
class Snapshot:
    """What every request reads: the clock and the faults, in one go."""

    clock: ClockState
    faults: tuple[Fault, ...]


class Store(Protocol):
    def add_token(self, record: TokenRecord) -> None: ...
    def get_token(self, digest: str) -> TokenRecord | None: ...
    def revoke_token(self, digest: str) -> bool: ...
    def clock_state(self) -> ClockState: ...
    def set_clock_state(self, state: ClockState) -> None: ...
    def advance_clock(self, seconds: float) -> ClockState: ...
    def snapshot(self) -> Snapshot: ...
    def update_faults(self, change: FaultUpdate[T]) -> T:
        """Apply `change` to the fault list atomically (across workers) and return its result."""
        ...

    def append_journal(self, entry: JournalEntry, keep: int) -> None:
        """Record `entry` with the next id; keep only the latest `keep` entries."""
        ...

    def journal(self, limit: int | None = None) -> list[JournalEntry]: ...
    def clear_journal(self) -> None: ...
    def secret(self) -> str:
        """A secret shared by every worker (signs the consent form); created once."""
        ...

    def reset(self) -> None:
        """Forget tokens, faults and the journal; the clock back to real time. The secret stays."""
        ...


class MemoryStore:
    """State in this process's memory: the zero-configuration default."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, TokenRecord] = {}
        self._snapshot = Snapshot(ClockState(), ())
        self._journal: deque[JournalEntry] = deque()
        self._next_id = 1
        self._secret = secrets.token_hex(32)

    def add_token(self, record: TokenRecord) -> None:
        with self._lock:
            self._tokens[record.digest] = record

    def get_token(self, digest: str) -> TokenRecord | None:
        return self._tokens.get(digest)

    def revoke_token(self, digest: str) -> bool:
        with self._lock:
            return self._tokens.pop(digest, None) is not None

    def clock_state(self) -> ClockState:
        return self._snapshot.clock

    def set_clock_state(self, state: ClockState) -> None:
        with self._lock:
            self._snapshot = replace(self._snapshot, clock=state)

    def advance_clock(self, seconds: float) -> ClockState:
        with self._lock:
            clock = self._snapshot.clock.advanced(seconds)
            self._snapshot = replace(self._snapshot, clock=clock)
            return clock

    def snapshot(self) -> Snapshot:
        return self._snapshot

    def update_faults(self, change: FaultUpdate[T]) -> T:
        with self._lock:
            faults, result = change(list(self._snapshot.faults))
            self._snapshot = replace(self._snapshot, faults=tuple(faults))
            return result

    def append_journal(self, entry: JournalEntry, keep: int) -> None:
        with self._lock:
            self._journal.append({"id": self._next_id, **entry})
            self._next_id += 1
            while len(self._journal) > keep:
                self._journal.popleft()

    def journal(self, limit: int | None = None) -> list[JournalEntry]:
        with self._lock:
            entries = list(self._journal)
        return entries[-limit:] if limit else entries

    def clear_journal(self) -> None:
        with self._lock:
            self._journal.clear()

    def secret(self) -> str:
        return self._secret

    def reset(self) -> None:
        with self._lock:
            self._tokens.clear()
            self._snapshot = Snapshot(ClockState(), ())
            self._journal.clear()

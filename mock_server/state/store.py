"""The mock's mutable state: tokens, clock, faults, journal. Owned by the app, never global.

`Store` is what every store offers, with the records it holds. `MemoryStore` (memory.py) is the
zero-configuration default; `SqliteStore` (sqlite_store.py) keeps the same state in a file that
every worker process shares and that survives a restart; `RedisStore` (redis_store.py) keeps it
in Redis for processes on several hosts.
"""

from __future__ import annotations

import json
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


class StoreUnavailable(RuntimeError):
    """The store cannot be reached now (Redis down); the message names it. The request gets a 503."""


class Store(Protocol):
    def add_token(self, record: TokenRecord) -> None: ...
    def get_token(self, digest: str) -> TokenRecord | None: ...
    def revoke_token(self, digest: str) -> bool: ...
    def prune_tokens(self, before: float) -> int:
        """Forget the tokens that expired before `before` (Unix seconds); how many went."""
        ...

    def clock_state(self) -> ClockState: ...
    def set_clock_state(self, state: ClockState) -> None: ...
    def advance_clock(self, seconds: float) -> ClockState: ...
    def snapshot(self) -> Snapshot: ...
    def update_faults(self, change: FaultUpdate[T]) -> T:
        """Apply `change` to the fault list atomically (across workers) and return its result."""
        ...

    def append_journal(self, entry: JournalEntry, keep: int, keep_bytes: int | None = None) -> None:
        """Record `entry` with the next id; `journal(limit=keep)` then gives the latest `keep` entries,
        and with `keep_bytes` the oldest go too while the entries (as compact JSON, `entry_bytes`) add up to more.

        A store may hold more for a while (the SQLite store trims its file now and then).
        """
        ...

    def journal(self, limit: int | None = None) -> list[JournalEntry]: ...
    def clear_journal(self) -> None: ...
    def secret(self) -> str:
        """A secret shared by every worker (signs the consent form); a new one after each reset."""
        ...

    def reset(self) -> None:
        """Forget tokens, faults and the journal; the clock back to real time; a new secret (so a consent
        form signed before the reset is refused after it, like its token)."""
        ...


def entry_bytes(entry: JournalEntry) -> int:
    """The size of a journal entry as compact JSON: what `keep_bytes` counts."""
    return len(json.dumps(entry, separators=(",", ":")).encode())

"""The state in this process's memory: the zero-configuration default."""

from __future__ import annotations

import secrets
import threading
from collections import deque
from dataclasses import replace

from ..oauth.tokens import TokenRecord
from .store import ClockState, FaultUpdate, JournalEntry, Snapshot, T, entry_bytes


class MemoryStore:
    """State in this process's memory: the zero-configuration default."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, TokenRecord] = {}
        self._snapshot = Snapshot(ClockState(), ())
        self._journal: deque[tuple[JournalEntry, int]] = deque()
        self._journal_bytes = 0
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

    def prune_tokens(self, before: float) -> int:
        with self._lock:
            expired = [digest for digest, record in self._tokens.items() if record.expires_at < before]
            for digest in expired:
                del self._tokens[digest]
            return len(expired)

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

    def append_journal(self, entry: JournalEntry, keep: int, keep_bytes: int | None = None) -> None:
        size = entry_bytes(entry) if keep_bytes is not None else 0
        with self._lock:
            self._journal.append(({"id": self._next_id, **entry}, size))
            self._journal_bytes += size
            self._next_id += 1
            while len(self._journal) > keep or (keep_bytes is not None and self._journal_bytes > keep_bytes):
                self._journal_bytes -= self._journal.popleft()[1]

    def journal(self, limit: int | None = None) -> list[JournalEntry]:
        with self._lock:
            entries = [entry for entry, _size in self._journal]
        return entries[-limit:] if limit else entries

    def clear_journal(self) -> None:
        with self._lock:
            self._journal.clear()
            self._journal_bytes = 0

    def secret(self) -> str:
        return self._secret

    def reset(self) -> None:
        with self._lock:
            self._tokens.clear()
            self._snapshot = Snapshot(ClockState(), ())
            self._journal.clear()
            self._journal_bytes = 0
            self._secret = secrets.token_hex(32)

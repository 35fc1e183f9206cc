"""The mock's state: tokens, the clock, faults and the request journal, in memory, SQLite or Redis.

`clock` reads the mock's time from the store, `faults` is the pure fault core (matching,
counting, seeded choices) and `scenarios` loads the fault files applied at start-up.

`store` says what every store offers (`Store`) and the records it holds; `memory`,
`sqlite_store` and `redis_store` (imported only for a Redis URL: redis-py is an extra) are the
stores, and `locations` opens the one `--state` names. The SQLite store's parts: `connections` (pooled per
process), `stamp` (what a process may keep reading without SQL), `file_lock` (workers taking
turns), `checkpoints` (the write-ahead log kept small) and `journal_file` (the request journal).
"""

from .journal_file import JournalFileError, JournalLog
from .memory import MemoryStore
from .sqlite_store import SqliteStore
from .state_file import StateFileError
from .store import ClockState, FaultUpdate, JournalEntry, Snapshot, Store

__all__ = [
    "ClockState",
    "FaultUpdate",
    "JournalEntry",
    "JournalFileError",
    "JournalLog",
    "MemoryStore",
    "Snapshot",
    "SqliteStore",
    "StateFileError",
    "Store",
]

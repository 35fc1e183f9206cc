"""The mock's state in an SQLite file: shared by every worker process, kept across restarts.

WAL mode lets readers go on while one writer writes; every read-modify-write (a fault's hit
count, the clock moved forward) runs in one `BEGIN IMMEDIATE` transaction, so workers never
lose each other's updates. Connections are pooled per process (a forked worker opens its own)
and reused across requests and threads, one per concurrently busy thread.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .faults import Fault
from .store import ClockState, FaultUpdate, JournalEntry, Snapshot, T
from .tokens import TokenRecord

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY, client_id TEXT NOT NULL, user_id TEXT NOT NULL, scopes TEXT NOT NULL,
    issued_at REAL NOT NULL, expires_at REAL NOT NULL, hint TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS control (
    id INTEGER PRIMARY KEY CHECK (id = 1), frozen_at REAL, offset REAL NOT NULL, faults TEXT NOT NULL
);
INSERT OR IGNORE INTO control (id, frozen_at, offset, faults) VALUES (1, NULL, 0, '[]');
CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
"""
_TRIM_EVERY = 64


class StateFileError(ValueError):
    """A --state file that is not the mock's (or not SQLite at all)."""


class SqliteStore:
    """State in an SQLite file (WAL): the store of `--state FILE` and of `--workers N`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._idle: list[sqlite3.Connection] = []
        self._faults_cache: tuple[str, tuple[Fault, ...]] = ("[]", ())
        try:
            with self._connection() as db:
                db.executescript(_SCHEMA)
                db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                db.execute("INSERT OR IGNORE INTO meta VALUES ('secret', ?)", (secrets.token_hex(32),))
                version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StateFileError(f"--state {path}: not a cudis-mock state file ({exc})") from None
        if version != SCHEMA_VERSION:
            raise StateFileError(f"--state {path}: written by another version (schema {version}); use a new file")

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if os.getpid() != self._pid:
                # A forked worker must not use its parent's connections (SQLite forbids it).
                self._pid, self._idle = os.getpid(), []
            db = self._idle.pop() if self._idle else None
        db = db or self._open()
        try:
            yield db
        finally:
            if db.in_transaction:
                db.rollback()
            with self._lock:
                self._idle.append(db)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")

    # tokens
    def add_token(self, record: TokenRecord) -> None:
        with self._connection() as db:
            db.execute(
                "INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record.digest,
                    record.client_id,
                    record.user_id,
                    " ".join(record.scopes),
                    record.issued_at,
                    record.expires_at,
                    record.hint,
                ),
            )

    def get_token(self, digest: str) -> TokenRecord | None:
        with self._connection() as db:
            row = db.execute("SELECT * FROM tokens WHERE digest = ?", (digest,)).fetchone()
        if row is None:
            return None
        return TokenRecord(row[0], row[1], row[2], tuple(row[3].split()), row[4], row[5], row[6])

    def revoke_token(self, digest: str) -> bool:
        with self._connection() as db:
            return db.execute("DELETE FROM tokens WHERE digest = ?", (digest,)).rowcount > 0

    # clock and faults
    def _parse_faults(self, text: str) -> tuple[Fault, ...]:
        cached_text, cached = self._faults_cache
        if text == cached_text:
            return cached
        faults = tuple(Fault.from_json(item) for item in json.loads(text))
        self._faults_cache = (text, faults)
        return faults

    def snapshot(self) -> Snapshot:
        with self._connection() as db:
            frozen_at, offset, faults = db.execute("SELECT frozen_at, offset, faults FROM control").fetchone()
        return Snapshot(ClockState(frozen_at, offset), self._parse_faults(faults))

    def clock_state(self) -> ClockState:
        return self.snapshot().clock

    def set_clock_state(self, state: ClockState) -> None:
        with self._connection() as db:
            db.execute("UPDATE control SET frozen_at = ?, offset = ?", (state.frozen_at, state.offset))

    def advance_clock(self, seconds: float) -> ClockState:
        with self._connection() as db:
            # One statement, so atomic; on the right-hand side the columns hold their old values.
            frozen_at, offset = db.execute(
                "UPDATE control SET frozen_at = frozen_at + ?,"
                " offset = CASE WHEN frozen_at IS NULL THEN offset + ? ELSE offset END"
                " RETURNING frozen_at, offset",
                (seconds, seconds),
            ).fetchall()[0]
        return ClockState(frozen_at, offset)

    def update_faults(self, change: FaultUpdate[T]) -> T:
        with self._transaction() as db:
            (text,) = db.execute("SELECT faults FROM control").fetchone()
            faults, result = change(list(self._parse_faults(text)))
            db.execute("UPDATE control SET faults = ?", (json.dumps([f.to_json() for f in faults]),))
        return result

    # journal
    def append_journal(self, entry: JournalEntry, keep: int) -> None:
        with self._connection() as db:
            row_id = db.execute("INSERT INTO journal (entry) VALUES (?)", (json.dumps(entry),)).lastrowid or 0
            if row_id % _TRIM_EVERY == 0:
                db.execute("DELETE FROM journal WHERE id <= ?", (row_id - keep,))

    def journal(self, limit: int | None = None) -> list[JournalEntry]:
        with self._connection() as db:
            if limit:
                rows = db.execute("SELECT id, entry FROM journal ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
                rows.reverse()
            else:
                rows = db.execute("SELECT id, entry FROM journal ORDER BY id").fetchall()
        return [{"id": row_id, **json.loads(entry)} for row_id, entry in rows]

    def clear_journal(self) -> None:
        with self._connection() as db:
            db.execute("DELETE FROM journal")

    def secret(self) -> str:
        with self._connection() as db:
            return str(db.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()[0])

    def reset(self) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM tokens")
            db.execute("DELETE FROM journal")
            db.execute("UPDATE control SET frozen_at = NULL, offset = 0, faults = '[]'")

    def close(self) -> None:
        """Close this process's idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()

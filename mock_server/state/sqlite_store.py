"""The mock's state in an SQLite file: shared by every worker process, kept across restarts.

WAL mode lets readers go on while one writer writes; every read-modify-write (a fault's hit
count, the clock moved forward) runs in one `BEGIN IMMEDIATE` transaction, so workers never
lose each other's updates. Connections are pooled per process (connections.py), and the
write-ahead log is checkpointed by a thread of each writing process (checkpoints.py).

The hot path reads no SQL for the clock, the faults and tokens: every change to them writes a
new change stamp (stamp.py) into a small memory-mapped file beside the state (`FILE-stamp`)
after it commits, and each process keeps what it read under the stamp it saw before reading.
Writes take an `flock` on the same file first (file_lock.py), so two workers queue in the
kernel instead of in SQLite's busy handler, which sleeps a millisecond or more. The request
journal is a file of its own beside the state (journal_file.py).
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..oauth.tokens import TokenRecord
from .checkpoints import CheckpointThread
from .connections import ConnectionPool
from .faults import Fault
from .file_lock import ProcessFile, flocked
from .journal_file import JournalLog
from .stamp import ChangeStamp
from .state_file import StateFileError, check_state_file, create_private, side_files
from .store import ClockState, FaultUpdate, JournalEntry, Snapshot, T

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
"""
_TOKEN_CACHE_SIZE = 4096


class SqliteStore:
    """State in an SQLite file (WAL): the store of `--state FILE` and of `--workers N`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        check_state_file(path, SCHEMA_VERSION)  # before anything is written to it or beside it
        create_private(path)
        self._pool = ConnectionPool(self._open)
        self._faults_cache: tuple[str, tuple[Fault, ...]] = ("[]", ())
        try:
            with self._pool.connection() as db:
                db.executescript(_SCHEMA)
                db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                db.execute("INSERT OR IGNORE INTO meta VALUES ('secret', ?)", (secrets.token_hex(32),))
                version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StateFileError(f"--state {path}: not a cudis-mock state file ({exc})") from None
        if version != SCHEMA_VERSION:
            raise StateFileError(f"--state {path}: written by another version (schema {version}); use a new file")
        sides = side_files(path)
        self._journal = JournalLog(sides["journal"])  # "-requests", not "-journal": SQLite's own file name
        stamp_path = str(sides["stamp"])
        self._stamp = ChangeStamp(stamp_path)
        self._write_lock = ProcessFile(stamp_path, os.O_RDWR)
        self._checkpoints = CheckpointThread(self)
        self._seen: tuple[bytes, Snapshot | None, dict[str, TokenRecord | None]] = (b"", None, {})

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA wal_autocheckpoint=0")  # the checkpoint thread does it, off the request path
        db.execute("PRAGMA journal_size_limit=4194304")  # the log restarts after a checkpoint: keep 4 MB of it
        return db

    def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database (readers and writers go on meanwhile).

        True when the whole log is in the database, so the next write starts the log afresh;
        False when another checkpoint (another thread or process) was busy or a reader held frames back.
        """
        self._checkpoints.checkpointing()
        with self._pool.connection() as db:
            busy, log, done = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return bool(busy == 0 and log == done)

    @contextmanager
    def _writing(self, *, changes: bool = True) -> Iterator[sqlite3.Connection]:
        """A connection for one write; with `changes`, a new stamp once it is committed."""
        lock = self._write_lock.descriptor()
        self._checkpoints.start()
        with self._pool.connection() as db:
            try:
                with flocked(lock):
                    yield db
                    if changes:
                        self._stamp.renew()
            finally:
                self._checkpoints.written()

    def _cached(self) -> tuple[bytes, Snapshot | None, dict[str, TokenRecord | None]]:
        """What this process read under the current stamp (emptied when the stamp moved)."""
        stamp = self._stamp.current()
        seen = self._seen
        if seen[0] != stamp:
            seen = self._seen = (stamp, None, {})
        return seen

    # tokens
    def add_token(self, record: TokenRecord) -> None:
        with self._writing() as db:
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
        _stamp, _snapshot, tokens = self._cached()
        if digest in tokens:
            return tokens[digest]
        with self._pool.connection() as db:
            row = db.execute("SELECT * FROM tokens WHERE digest = ?", (digest,)).fetchone()
        record = None if row is None else TokenRecord(row[0], row[1], row[2], tuple(row[3].split()), *row[4:7])
        if len(tokens) < _TOKEN_CACHE_SIZE:
            tokens[digest] = record
        return record

    def revoke_token(self, digest: str) -> bool:
        with self._writing() as db:
            return db.execute("DELETE FROM tokens WHERE digest = ?", (digest,)).rowcount > 0

    def prune_tokens(self, before: float) -> int:
        with self._writing() as db:
            return int(db.execute("DELETE FROM tokens WHERE expires_at < ?", (before,)).rowcount)

    # clock and faults
    def _parse_faults(self, text: str) -> tuple[Fault, ...]:
        cached_text, cached = self._faults_cache
        if text == cached_text:
            return cached
        faults = tuple(Fault.from_json(item) for item in json.loads(text))
        self._faults_cache = (text, faults)
        return faults

    def snapshot(self) -> Snapshot:
        stamp, snapshot, tokens = self._cached()
        if snapshot is not None:
            return snapshot
        with self._pool.connection() as db:
            frozen_at, offset, faults = db.execute("SELECT frozen_at, offset, faults FROM control").fetchone()
        snapshot = Snapshot(ClockState(frozen_at, offset), self._parse_faults(faults))
        if self._seen[0] == stamp:
            self._seen = (stamp, snapshot, tokens)
        return snapshot

    def clock_state(self) -> ClockState:
        return self.snapshot().clock

    def set_clock_state(self, state: ClockState) -> None:
        with self._writing() as db:
            db.execute("UPDATE control SET frozen_at = ?, offset = ?", (state.frozen_at, state.offset))

    def advance_clock(self, seconds: float) -> ClockState:
        with self._writing() as db:
            # One statement, so atomic; on the right-hand side the columns hold their old values.
            frozen_at, offset = db.execute(
                "UPDATE control SET frozen_at = frozen_at + ?,"
                " offset = CASE WHEN frozen_at IS NULL THEN offset + ? ELSE offset END"
                " RETURNING frozen_at, offset",
                (seconds, seconds),
            ).fetchall()[0]
        return ClockState(frozen_at, offset)

    def update_faults(self, change: FaultUpdate[T]) -> T:
        with self._writing() as db:
            db.execute("BEGIN IMMEDIATE")
            (text,) = db.execute("SELECT faults FROM control").fetchone()
            faults, result = change(list(self._parse_faults(text)))
            db.execute("UPDATE control SET faults = ?", (json.dumps([f.to_json() for f in faults]),))
            db.execute("COMMIT")
        return result

    # journal
    def append_journal(self, entry: JournalEntry, keep: int, keep_bytes: int | None = None) -> None:
        self._journal.append(entry, keep, keep_bytes)

    def journal(self, limit: int | None = None) -> list[JournalEntry]:
        return self._journal.entries(limit)

    def clear_journal(self) -> None:
        self._journal.clear()

    def secret(self) -> str:
        with self._pool.connection() as db:
            return str(db.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()[0])

    def reset(self) -> None:
        with self._writing() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM tokens")
            db.execute("UPDATE control SET frozen_at = NULL, offset = 0, faults = '[]'")
            db.execute("UPDATE meta SET value = ? WHERE key = 'secret'", (secrets.token_hex(32),))
            db.execute("COMMIT")
        self._journal.clear()

    def close(self) -> None:
        """Close this process's idle connections (and stop checkpointing)."""
        self._checkpoints.stop()
        self._pool.close()
        self._journal.close()

"""SQLite connections pooled per process: reused across requests and threads, opened in each fork."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class ConnectionPool:
    """This process's connections to one database: one per concurrently busy thread, kept when idle."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._idle: list[sqlite3.Connection] = []

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """An idle connection, or a new one; back to the pool (any open transaction rolled back) after."""
        with self._lock:
            if os.getpid() != self._pid:
                # A forked worker must not use its parent's connections (SQLite forbids it).
                self._pid, self._idle = os.getpid(), []
            db = self._idle.pop() if self._idle else None
        db = db or self._connect()
        try:
            yield db
        finally:
            if db.in_transaction:
                db.rollback()
            with self._lock:
                self._idle.append(db)

    def close(self) -> None:
        """Close this process's idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()

"""Checkpoints of an SQLite write-ahead log, from a daemon thread of each process that writes.

SQLite would checkpoint (and fsync, tens of milliseconds at times) inside whichever write
crossed 1,000 pages: a request. The store turns that off (`wal_autocheckpoint=0`), and this
thread checkpoints instead, off the request path, only when something was written.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import weakref
from typing import Protocol

CHECKPOINT_EVERY = 0.25
"""Seconds between checkpoints of the write-ahead log."""


class Checkpointed(Protocol):
    def checkpoint(self) -> bool: ...


class CheckpointThread:
    """Calls `store.checkpoint()` every `CHECKPOINT_EVERY` s after writes, while the store lives and is open."""

    def __init__(self, store: Checkpointed) -> None:
        self._store = weakref.ref(store)  # a store nobody uses goes away, and its thread ends
        self._lock = threading.Lock()
        self._pid = 0
        """The process whose thread runs (threads do not survive a fork)."""
        self._written = threading.Event()
        self._closed = threading.Event()

    def start(self) -> None:
        """Run the thread in this process, if it does not run yet; a store calls this before each write."""
        pid = os.getpid()
        if self._pid == pid:
            return
        with self._lock:
            if self._pid == pid:
                return
            self._pid = pid
        threading.Thread(target=self._run, name="cudis-mock-checkpoint", daemon=True).start()

    def written(self) -> None:
        """Something was written: checkpoint at the next round."""
        self._written.set()

    def checkpointing(self) -> None:
        """A checkpoint begins: what is written from now on waits for the next one."""
        self._written.clear()

    def stop(self) -> None:
        self._closed.set()

    def _run(self) -> None:
        """Checkpoint while the store lives and is open; idle when nothing was written."""
        while True:
            if self._store() is None or self._closed.is_set():
                return
            # Hold no reference to the store while waiting.
            if self._closed.wait(CHECKPOINT_EVERY) or not self._written.is_set():
                continue
            store = self._store()
            if store is None:
                return
            with contextlib.suppress(sqlite3.Error):  # a busy or vanished file: the next round tries again
                store.checkpoint()
            del store

"""A change stamp: eight random bytes in a small file that every process of one state maps.

A store writes a fresh stamp after each change it commits, and each process keeps what it read
under the stamp it saw before reading. While the stamp stays the same, that copy is current: a
stamp value is random and written once, so it never comes back, and a change through any
worker is seen by the next read on every worker.
"""

from __future__ import annotations

import mmap
import os
import secrets

STAMP_SIZE = 8


class ChangeStamp:
    """The stamp in the file at `path` (created when missing), mapped into this process's memory."""

    def __init__(self, path: str) -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < STAMP_SIZE:
                os.ftruncate(fd, STAMP_SIZE)
            self._map = mmap.mmap(fd, STAMP_SIZE)  # shared with every process that maps the file
        finally:
            os.close(fd)

    def current(self) -> bytes:
        """The stamp now: what was read under an equal one is still current."""
        return self._map[:STAMP_SIZE]

    def renew(self) -> None:
        """Write a new stamp (after a change is committed): every process's copies are outdated."""
        self._map[:STAMP_SIZE] = secrets.token_bytes(STAMP_SIZE)

"""The request journal of a shared state: one JSON line per request, appended to a file.

An append is one write(2) on a descriptor opened with O_APPEND, under a shared `flock`
(file_lock.py): worker processes append side by side, without SQL and without waiting for each
other, and an entry is in the file before its response leaves, so a journal read through any
worker sees it. Trimming to the latest entries, clearing and reading take the exclusive lock.

The first line is a header holding the id of the entry on the next line; an entry's id is its
line number counted from there, so ids keep growing across trims, clears and restarts. Each
entry starts with its newline rather than ending with one: a line cut short by a process killed
mid-write stays a line of its own, skipped on reading, instead of swallowing the next entry.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .file_lock import ProcessFile, flocked
from .store import JournalEntry

_CHECK_EVERY = 64
"""Appends (per process) between two looks at the file's size."""
_SLACK = 2
"""The file is trimmed to the latest `keep` entries once it holds about `_SLACK` times that."""
_MIN_TRIM_BYTES = 1 << 20
_LINE = json.JSONEncoder(separators=(",", ":"))
"""Built once: `json.dumps` with any option builds a new encoder per call (same output)."""


class JournalFileError(ValueError):
    """A journal file that is not the mock's."""


def _header(first_id: int) -> bytes:
    return json.dumps({"cudis_mock_journal": 1, "first_id": first_id}).encode()


class JournalLog:
    """The journal in an append-only file shared by every process of one state."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        """Threads of one process share a descriptor, and so its flock: they take turns here first."""
        self._file = ProcessFile(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC)
        self._appends = 0
        self._line_bytes = 256
        with self._exclusive() as fd:
            if os.fstat(fd).st_size == 0:
                os.write(fd, _header(1))
            else:
                self._read(fd)  # refuses a file that is not a journal

    @contextmanager
    def _exclusive(self) -> Iterator[int]:
        with self._lock:
            fd = self._file.descriptor()
            with flocked(fd):
                yield fd

    def append(self, entry: JournalEntry, keep: int, keep_bytes: int | None = None) -> None:
        """Add `entry` as the newest; now and then trim the file to about the latest `keep` (and `keep_bytes`)."""
        line = b"\n" + _LINE.encode(entry).encode()
        with self._lock:
            fd = self._file.descriptor()
            fcntl.flock(fd, fcntl.LOCK_SH)  # as flocked(), without a generator per request
            try:
                view = memoryview(line)
                while view:  # a regular file takes the whole line at once; this only guards the rare rest
                    view = view[os.write(fd, view) :]
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
            self._appends += 1
            check = self._appends % _CHECK_EVERY == 0
            self._line_bytes = (self._line_bytes * 7 + len(line)) // 8
        budget = _SLACK * keep * self._line_bytes
        if keep_bytes is not None:
            budget = min(budget, _SLACK * keep_bytes)
        if check and os.fstat(fd).st_size > max(_MIN_TRIM_BYTES, budget):
            self.trim(keep, keep_bytes)

    def _read(self, fd: int) -> tuple[int, list[bytes]]:
        """The first entry's id and the entry lines (a caller holds the exclusive lock)."""
        size = os.fstat(fd).st_size
        chunks, offset = [], 0
        while offset < size:
            chunk = os.pread(fd, size - offset, offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
        header, _, rest = b"".join(chunks).partition(b"\n")
        try:
            first_id = int(json.loads(header)["first_id"])
        except (ValueError, KeyError, TypeError):
            raise JournalFileError(f"{self.path}: not a cudis-mock journal (first line {header[:60]!r})") from None
        return first_id, rest.splitlines()

    def _rewrite(self, fd: int, first_id: int, lines: list[bytes]) -> None:
        os.ftruncate(fd, 0)
        os.write(fd, _header(first_id) + b"".join(b"\n" + line for line in lines))

    def trim(self, keep: int, keep_bytes: int | None = None) -> None:
        """Drop all but the latest `keep` entries, and then the oldest while they take more than `keep_bytes`."""
        with self._exclusive() as fd:
            first_id, lines = self._read(fd)
            dropped = max(0, len(lines) - keep)
            if keep_bytes is not None:
                size = sum(len(line) for line in lines[dropped:])
                while dropped < len(lines) and size > keep_bytes:
                    size -= len(lines[dropped])
                    dropped += 1
            if dropped:
                self._rewrite(fd, first_id + dropped, lines[dropped:])

    def entries(self, limit: int | None = None) -> list[JournalEntry]:
        """The entries, oldest first, each with its id; only the latest `limit` when given."""
        with self._exclusive() as fd:
            first_id, lines = self._read(fd)
        start = max(0, len(lines) - limit) if limit else 0
        entries = []
        for i in range(start, len(lines)):
            try:
                entries.append({"id": first_id + i, **json.loads(lines[i])})
            except ValueError:  # a line cut short when a process was killed mid-write
                continue
        return entries

    def clear(self) -> None:
        with self._exclusive() as fd:
            first_id, lines = self._read(fd)
            self._rewrite(fd, first_id + len(lines), [])

    def close(self) -> None:
        with self._lock:
            self._file.close()

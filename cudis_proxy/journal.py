"""The proxy's journal: each exchange with its verdict and the rules it broke, secrets masked as the mock masks them."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mock_server.http.logmask import mask_secrets
from mock_server.state.journal_file import JournalLog


class Journal:
    """The latest `limit` entries, newest last (0 keeps none): in memory, or in a journal file
    (`path`) that the worker processes of `--workers` append to side by side, as the mock's do."""

    def __init__(self, limit: int, path: Path | None = None) -> None:
        self.limit = limit
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit or 1)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._file = JournalLog(path) if path is not None and limit else None

    def append(self, entry: dict[str, Any]) -> None:
        if not self.limit:
            return
        if self._file is not None:
            self._file.append(entry, self.limit)
            return
        with self._lock:
            self._entries.append({"id": next(self._ids), **entry})

    def entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        if self._file is not None:
            # The file is trimmed now and then, so it may hold more than `limit` entries.
            return self._file.entries(min(limit, self.limit) if limit else self.limit)
        with self._lock:
            entries = list(self._entries)
        return entries[-limit:] if limit else entries

    def clear(self) -> None:
        if self._file is not None:
            self._file.clear()
            return
        with self._lock:
            self._entries.clear()


def masked_text(data: bytes | None, mask: Callable[[str], str] = mask_secrets, limit: int = 64 * 1024) -> str:
    if data is None:
        return ""
    if len(data) > limit:
        return f"({len(data)} bytes)"
    return mask(data.decode("utf-8", "replace"))

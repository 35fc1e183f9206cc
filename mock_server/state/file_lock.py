"""`flock` on a file shared by worker processes, each process through its own descriptor.

An flock belongs to the open file, and a forked worker shares its parent's open files: through
an inherited descriptor, parent and child would hold each other's lock. So each process opens
the file again (`ProcessFile`) before it locks it.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ProcessFile:
    """A file opened once per process: `descriptor()` is this process's own."""

    def __init__(self, path: str | Path, flags: int, mode: int = 0o600) -> None:
        self.path = path
        self._flags, self._mode = flags, mode
        self._lock = threading.Lock()
        self._fd: tuple[int, int] | None = None
        """(the process that opened it, the descriptor)"""

    def descriptor(self) -> int:
        """This process's descriptor of the file, opened on first use."""
        with self._lock:
            if self._fd is None or self._fd[0] != os.getpid():
                self._fd = (os.getpid(), os.open(self.path, self._flags, self._mode))
            return self._fd[1]

    def close(self) -> None:
        """Close this process's descriptor (one inherited from a parent is left to the parent)."""
        with self._lock:
            if self._fd is not None and self._fd[0] == os.getpid():
                os.close(self._fd[1])
            self._fd = None


@contextmanager
def flocked(fd: int, operation: int = fcntl.LOCK_EX) -> Iterator[None]:
    """Hold an flock (`LOCK_EX` or `LOCK_SH`) on `fd` for the block; other processes queue in the kernel."""
    fcntl.flock(fd, operation)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)

"""The per-process flock: a forked worker locks through its own descriptor, so processes exclude each other."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
from pathlib import Path

from mock_server.state.file_lock import ProcessFile, flocked


def _try_lock(file: ProcessFile, inherited: int, answer: multiprocessing.SimpleQueue[str]) -> None:
    fd = file.descriptor()
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        answer.put("own descriptor, held by the parent" if fd != inherited else "inherited descriptor")
    else:
        answer.put("locked while the parent held it")


def test_a_forked_process_waits_for_the_lock_its_parent_holds(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    path.touch()
    file = ProcessFile(path, os.O_RDWR)
    context = multiprocessing.get_context("fork")
    answer: multiprocessing.SimpleQueue[str] = context.SimpleQueue()
    with flocked(file.descriptor()):
        child = context.Process(target=_try_lock, args=(file, file.descriptor(), answer))
        child.start()
        child.join(30)
    assert child.exitcode == 0
    assert answer.get() == "own descriptor, held by the parent"
    file.close()

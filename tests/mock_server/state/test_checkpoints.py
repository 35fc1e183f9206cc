"""The checkpoint thread: checkpoints after writes, off the request path, and ends with its store."""

from __future__ import annotations

import gc
import sqlite3
import threading
from collections.abc import Iterator

import pytest

from mock_server.state import checkpoints
from mock_server.state.checkpoints import CheckpointThread

WITHIN = 10.0
"""Seconds a test waits for the thread to act (it acts within a few rounds of CHECKPOINT_EVERY)."""


class FakeStore:
    """Counts checkpoints and signals each; can fail the first `failures` of them."""

    def __init__(self, failures: int = 0) -> None:
        self.thread = CheckpointThread(self)
        self.calls = 0
        self.failures = failures
        self.called = threading.Semaphore(0)

    def checkpoint(self) -> bool:
        self.thread.checkpointing()
        self.calls += 1
        self.called.release()
        if self.calls <= self.failures:
            raise sqlite3.OperationalError("database is locked")
        return True


@pytest.fixture(autouse=True)
def quick_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoints, "CHECKPOINT_EVERY", 0.01)


def started(store: FakeStore) -> threading.Thread:
    """Start the store's thread and return it."""
    before = set(threading.enumerate())
    store.thread.start()
    (thread,) = [t for t in threading.enumerate() if t not in before]
    assert thread.name == "cudis-mock-checkpoint" and thread.daemon
    return thread


@pytest.fixture
def store() -> Iterator[FakeStore]:
    fake = FakeStore()
    yield fake
    fake.thread.stop()


def test_a_write_is_checkpointed_once_and_idle_rounds_checkpoint_nothing(store: FakeStore) -> None:
    thread = started(store)
    store.thread.written()
    assert store.called.acquire(timeout=WITHIN)
    store.thread.stop()
    thread.join(WITHIN)
    assert not thread.is_alive()
    assert store.calls == 1  # idle rounds after the checkpoint did not checkpoint again


def test_starting_again_in_the_same_process_runs_no_second_thread(store: FakeStore) -> None:
    started(store)
    before = set(threading.enumerate())
    store.thread.start()
    assert set(threading.enumerate()) == before


def test_a_failed_checkpoint_is_tried_again_after_the_next_write() -> None:
    store = FakeStore(failures=1)
    thread = started(store)
    store.thread.written()
    assert store.called.acquire(timeout=WITHIN)
    assert thread.is_alive()
    store.thread.written()
    assert store.called.acquire(timeout=WITHIN)
    assert store.calls == 2
    store.thread.stop()
    thread.join(WITHIN)


def test_the_thread_ends_when_its_store_is_gone() -> None:
    store = FakeStore()
    thread = started(store)
    del store
    gc.collect()
    thread.join(WITHIN)
    assert not thread.is_alive()

"""The request journal of a shared state: an append-only file several processes write at once."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from mock_server.state.journal_file import JournalFileError, JournalLog


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite-requests"


def test_entries_come_back_oldest_first_with_growing_ids(path: Path) -> None:
    log = JournalLog(path)
    for n in range(5):
        log.append({"n": n}, keep=100)
    assert log.entries() == [{"id": i + 1, "n": i} for i in range(5)]
    assert [e["n"] for e in log.entries(limit=2)] == [3, 4]


def test_ids_keep_growing_after_a_clear_a_trim_and_a_reopen(path: Path) -> None:
    log = JournalLog(path)
    for n in range(10):
        log.append({"n": n}, keep=100)
    log.clear()
    assert log.entries() == []
    log.append({"n": 10}, keep=100)
    assert log.entries() == [{"id": 11, "n": 10}]
    for n in range(11, 20):
        log.append({"n": n}, keep=100)
    log.trim(3)
    assert [(e["id"], e["n"]) for e in log.entries()] == [(18, 17), (19, 18), (20, 19)]
    log.close()
    assert [e["id"] for e in JournalLog(path).entries()] == [18, 19, 20]


def test_the_file_stays_near_the_latest_keep_entries(path: Path) -> None:
    log = JournalLog(path)
    body = "x" * 2000
    for n in range(3000):
        log.append({"n": n, "body": body}, keep=100)
    # Trimmed now and then, not at every append: at most a few times `keep` entries on disk.
    assert path.stat().st_size < 3 * 100 * 2100 + (1 << 20)
    assert [e["n"] for e in log.entries(limit=100)] == list(range(2900, 3000))
    assert log.entries(limit=1)[0]["id"] == 3000


def _append_many(path: str, worker: int, count: int) -> None:
    log = JournalLog(Path(path))
    for n in range(count):
        # Some lines far longer than a pipe's atomic write: appends must not interleave even so.
        log.append({"worker": worker, "n": n, "body": str(worker) * (70_000 if n % 50 == 0 else 50)}, keep=1_000_000)


def test_processes_appending_at_once_lose_and_mix_nothing(path: Path) -> None:
    JournalLog(path)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_many, args=(str(path), w, 400)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    entries = JournalLog(path).entries()
    assert len(entries) == 1600
    assert [e["id"] for e in entries] == list(range(1, 1601))
    for worker in range(4):
        mine = [e for e in entries if e["worker"] == worker]
        assert [e["n"] for e in mine] == list(range(400))  # each process's own order kept
        assert all(set(e["body"]) == {str(worker)} for e in mine)


def test_a_line_cut_short_by_a_killed_process_is_skipped(path: Path) -> None:
    log = JournalLog(path)
    log.append({"n": 0}, keep=10)
    with path.open("ab") as raw:
        raw.write(b'\n{"n":1,"bo')  # the process died mid-write
    log.append({"n": 2}, keep=10)
    assert [(e["id"], e["n"]) for e in log.entries()] == [(1, 0), (3, 2)]


def test_a_file_that_is_not_a_journal_is_refused(path: Path) -> None:
    path.write_text(json.dumps({"something": "else"}) + "\n")
    with pytest.raises(JournalFileError, match="not a cudis-mock journal"):
        JournalLog(path)

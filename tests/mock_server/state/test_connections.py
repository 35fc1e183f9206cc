"""The per-process SQLite connection pool: reused, rolled back, closed, and opened afresh after a fork."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from mock_server.state.connections import ConnectionPool


class Counted:
    """A connect function that counts the connections it opens."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.opened = 0

    def __call__(self) -> sqlite3.Connection:
        self.opened += 1
        return sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)


@pytest.fixture
def connect(tmp_path: Path) -> Counted:
    path = tmp_path / "pool.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (v TEXT)")
    db.close()
    return Counted(path)


def test_an_idle_connection_is_reused_and_a_busy_one_is_not_shared(connect: Counted) -> None:
    pool = ConnectionPool(connect)
    with pool.connection() as first, pool.connection() as second:
        assert second is not first
    with pool.connection() as again:
        assert again in (first, second)
    assert connect.opened == 2
    pool.close()


def test_a_transaction_left_open_is_rolled_back_when_the_connection_returns(connect: Counted) -> None:
    pool = ConnectionPool(connect)
    with pool.connection() as db:
        db.execute("BEGIN")
        db.execute("INSERT INTO t VALUES ('lost')")
    with pool.connection() as db:
        assert not db.in_transaction
        assert db.execute("SELECT count(*) FROM t").fetchone() == (0,)
    pool.close()


def test_close_closes_the_idle_connections_and_the_pool_opens_new_ones(connect: Counted) -> None:
    pool = ConnectionPool(connect)
    with pool.connection() as old:
        pass
    pool.close()
    with pytest.raises(sqlite3.ProgrammingError):
        old.execute("SELECT 1")
    with pool.connection() as db:
        assert db.execute("SELECT 1").fetchone() == (1,)
    assert connect.opened == 2
    pool.close()


def _in_child(pool: ConnectionPool, connect: Counted, answer: multiprocessing.SimpleQueue[tuple[int, int]]) -> None:
    opened_before = connect.opened
    with pool.connection() as db:
        db.execute("INSERT INTO t VALUES ('from the child')")
    answer.put((opened_before, connect.opened))


def test_a_forked_worker_opens_its_own_connection_and_its_writes_arrive(connect: Counted) -> None:
    pool = ConnectionPool(connect)
    with pool.connection() as parent_db:
        parent_db.execute("SELECT count(*) FROM t").fetchone()
    context = multiprocessing.get_context("fork")
    answer: multiprocessing.SimpleQueue[tuple[int, int]] = context.SimpleQueue()
    child = context.Process(target=_in_child, args=(pool, connect, answer))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert answer.get() == (1, 2)  # the parent's idle connection was not used in the child
    with pool.connection() as db:
        assert db is parent_db  # the parent keeps its own
        assert db.execute("SELECT v FROM t").fetchall() == [("from the child",)]
    pool.close()

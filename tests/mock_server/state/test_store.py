"""The Store protocol: the memory, SQLite and Redis stores keep tokens, clock, faults and journal alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_server import MockConfig, create_app
from mock_server.oauth.tokens import mint
from mock_server.state import ClockState, MemoryStore, SqliteStore, Store
from mock_server.state.faults import Fault
from mock_server.state.redis_store import RedisStore


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param == "redis":
        redis_store = RedisStore(request.getfixturevalue("redis_url"))
        yield redis_store
        redis_store.close()
        return
    sqlite = SqliteStore(tmp_path / "state.sqlite")
    yield sqlite
    sqlite.close()


def test_a_token_is_found_by_its_digest_until_it_is_revoked(store: Store) -> None:
    _token, record = mint("cudis-wellness", "typical", ("daily",), 1000.0, 3600)
    assert store.get_token(record.digest) is None
    store.add_token(record)
    assert store.get_token(record.digest) == record
    assert store.revoke_token(record.digest) is True
    assert store.get_token(record.digest) is None
    assert store.revoke_token(record.digest) is False


def test_advancing_moves_a_frozen_clock_or_else_the_offset(store: Store) -> None:
    assert store.clock_state() == ClockState()
    assert store.advance_clock(60) == ClockState(offset=60.0)
    assert store.advance_clock(-15) == ClockState(offset=45.0)
    store.set_clock_state(ClockState(frozen_at=1000.0, offset=45.0))
    assert store.advance_clock(3600) == ClockState(frozen_at=4600.0, offset=45.0)
    assert store.snapshot().clock == store.clock_state() == ClockState(frozen_at=4600.0, offset=45.0)


def test_a_fault_update_returns_its_result_and_applies_in_one_go(store: Store) -> None:
    added = store.update_faults(lambda faults: ([*faults, Fault("f1", "latency", ms=5)], "added"))
    assert added == "added"
    assert [f.id for f in store.snapshot().faults] == ["f1"]
    seen = store.update_faults(lambda faults: ([*faults, Fault("f2", "latency", ms=7)], [f.id for f in faults]))
    assert seen == ["f1"]
    assert [(f.id, f.ms) for f in store.snapshot().faults] == [("f1", 5), ("f2", 7)]


def test_a_fault_update_that_fails_changes_nothing(store: Store) -> None:
    store.update_faults(lambda _faults: ([Fault("f1", "latency", ms=5)], None))

    def broken(faults: list[Fault]) -> tuple[list[Fault], None]:
        faults.clear()
        raise RuntimeError("the change failed half-way")

    with pytest.raises(RuntimeError):
        store.update_faults(broken)
    assert [f.id for f in store.snapshot().faults] == ["f1"]
    # ...and the store still takes the next update.
    store.update_faults(lambda _faults: ([], None))
    assert store.snapshot().faults == ()


def test_the_journal_gives_the_latest_entries_oldest_first_with_growing_ids(store: Store) -> None:
    for n in range(5):
        store.append_journal({"path": f"/{n}"}, keep=3)
    # A shared store trims its file only now and then: asked for `keep` entries, both give the latest.
    assert [(e["id"], e["path"]) for e in store.journal(limit=3)] == [(3, "/2"), (4, "/3"), (5, "/4")]
    assert [e["id"] for e in store.journal(limit=2)] == [4, 5]
    store.clear_journal()
    assert store.journal() == []
    store.append_journal({"path": "/after"}, keep=3)
    assert [e["id"] for e in store.journal()] == [6]


def test_the_journal_shows_only_the_configured_number_of_requests(store: Store) -> None:
    client = create_app(MockConfig(journal_limit=2), store=store).test_client()
    for metric in ("heart_beat", "step", "sleep"):
        client.get(f"/partner/v1/query/{metric}", json={"startTime": 0, "endTime": 1})
    listed = client.get("/__mock__/requests").json["requests"]  # type: ignore[index]
    assert [e["path"] for e in listed] == ["/partner/v1/query/step", "/partner/v1/query/sleep"]


def test_reset_forgets_tokens_faults_journal_and_clock_and_rotates_the_secret(store: Store) -> None:
    secret = store.secret()
    _token, record = mint("cudis-wellness", "typical", ("daily",), 1000.0, 3600)
    store.add_token(record)
    store.set_clock_state(ClockState(frozen_at=5.0))
    store.update_faults(lambda _faults: ([Fault("f1", "latency", ms=5)], None))
    store.append_journal({"path": "/a"}, keep=10)
    store.reset()
    assert store.get_token(record.digest) is None
    assert store.snapshot() == store.snapshot().__class__(ClockState(), ())
    assert store.journal() == []
    assert store.secret() != secret and len(store.secret()) == len(secret) == 64


def test_expired_tokens_are_pruned_and_live_ones_kept(store: Store) -> None:
    records = [mint("cudis-wellness", "typical", ("daily",), 1000.0, lifetime)[1] for lifetime in (10, 20, 5000)]
    for record in records:
        store.add_token(record)
    assert store.prune_tokens(1015.0) == 1
    assert [store.get_token(r.digest) is not None for r in records] == [False, True, True]
    assert store.prune_tokens(1015.0) == 0


def test_the_journal_keeps_at_most_keep_bytes_of_the_latest_entries(store: Store) -> None:
    for i in range(50):
        store.append_journal({"path": f"/{i}", "body": "x" * 1000}, keep=1000, keep_bytes=10_000)
    if isinstance(store, SqliteStore):
        store._journal.trim(1000, 10_000)  # the file is trimmed now and then; the bound is the same
    kept = store.journal()
    assert 5 <= len(kept) <= 9 and kept[-1]["path"] == "/49"
    assert sum(len(str(e)) for e in kept) < 12_000

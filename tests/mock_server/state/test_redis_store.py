"""The Redis store beyond the common contract (test_store.py): two stores on one Redis, round trips, outages."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from mock_server import MockConfig, create_app
from mock_server.oauth.tokens import mint
from mock_server.state import ClockState
from mock_server.state.faults import Fault
from mock_server.state.locations import describe
from mock_server.state.redis_store import PREFIX, TOKEN_TTL_SLACK, RedisStore, StateStoreError
from mock_server.state.store import StoreUnavailable
from scale_out.ports import free_port
from scale_out.redis_server import RedisServer


@pytest.fixture
def two(redis_url: str) -> Iterator[tuple[RedisStore, RedisStore]]:
    """Two stores on one Redis, as two mock processes would have."""
    first, second = RedisStore(redis_url), RedisStore(redis_url)
    yield first, second
    first.close()
    second.close()


def test_a_change_through_one_store_is_seen_at_once_through_the_other(two: tuple[RedisStore, RedisStore]) -> None:
    first, second = two
    _token, record = mint("cudis-wellness", "typical", ("daily",), 1000.0, 3600)
    first.add_token(record)
    assert second.snapshot().clock == ClockState() and second.get_token(record.digest) == record  # now copied
    first.set_clock_state(ClockState(frozen_at=5.0))
    assert second.clock_state() == ClockState(frozen_at=5.0)
    first.update_faults(lambda _faults: ([Fault("f1", "latency", ms=5)], None))
    assert [f.id for f in second.snapshot().faults] == ["f1"]
    assert first.revoke_token(record.digest) is True
    assert second.get_token(record.digest) is None
    first.add_token(record)
    assert second.get_token(record.digest) == record
    second.reset()
    assert first.get_token(record.digest) is None and first.snapshot().faults == ()


def test_fault_updates_from_two_stores_never_lose_a_hit(two: tuple[RedisStore, RedisStore]) -> None:
    first, second = two
    first.update_faults(lambda _faults: ([Fault("f1", "latency", ms=1, times=100)], None))

    def hit(faults: list[Fault]) -> tuple[list[Fault], None]:
        return [Fault(f.id, f.kind, ms=f.ms, times=(f.times or 0) - 1, hits=f.hits + 1) for f in faults], None

    for _ in range(20):  # the second store's copy goes stale after each of the first's updates
        first.update_faults(hit)
        second.update_faults(hit)
    (fault,) = first.snapshot().faults
    assert (fault.hits, fault.times) == (40, 60)


def test_a_query_costs_one_redis_command_once_the_token_and_state_are_copied(redis_url: str) -> None:
    store = RedisStore(redis_url)
    app = create_app(MockConfig(), store=store)
    client = app.test_client()
    token = client.post("/__mock__/tokens", json={}).json["access_token"]  # type: ignore[index]
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    body = {"startTime": 1726444800, "endTime": 1726704000}
    for _ in range(3):
        assert client.get("/partner/v1/query/heart_beat", json=body, headers=headers).json["code"] == 200  # type: ignore[index]
    before = store.command_counts()
    for _ in range(50):
        client.get("/partner/v1/query/step", json=body, headers=headers)
    # One round trip each: the journal entry, a script that takes the next id, adds it to the stream and
    # counts its bytes (the commands it runs inside are counted too, but cost no round trip).
    assert _delta(before, store.command_counts()) == {"evalsha": 50, "incr": 50, "xadd": 50, "incrby": 50, "xlen": 50}
    quiet = RedisStore(redis_url)
    unjournaled = create_app(MockConfig(journal_limit=0), store=quiet).test_client()
    unjournaled.get("/partner/v1/query/step", json=body, headers=headers)
    before = quiet.command_counts()
    for _ in range(20):
        assert unjournaled.get("/partner/v1/query/step", json=body, headers=headers).json["code"] == 200  # type: ignore[index]
    assert _delta(before, quiet.command_counts()) == {}
    store.close()
    quiet.close()


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """The commands run between two readings, without the INFO that took the second."""
    changed = {name: calls - before.get(name, 0) for name, calls in after.items()}
    return {name: n for name, n in changed.items() if n and name != "info"}


def test_token_keys_expire_in_redis_after_their_lifetime_and_a_margin(redis_url: str) -> None:
    store = RedisStore(redis_url)
    _token, record = mint("cudis-wellness", "typical", ("daily",), 1000.0, 3600)
    store.add_token(record)
    with redis.Redis.from_url(redis_url) as client:
        (key,) = client.keys(f"{PREFIX}token:*")
        assert 3600 + TOKEN_TTL_SLACK - 5 <= client.ttl(key) <= 3600 + TOKEN_TTL_SLACK
    store.close()


def test_the_journal_stream_stays_near_its_limit(redis_url: str) -> None:
    store = RedisStore(redis_url)
    for n in range(2000):
        store.append_journal({"path": f"/{n}"}, keep=50)
    assert [e["id"] for e in store.journal(limit=50)] == list(range(1951, 2001))
    with redis.Redis.from_url(redis_url) as client:
        assert client.xlen(f"{PREFIX}journal") == 50
    store.close()


def test_the_journal_stream_keeps_to_its_byte_limit(redis_url: str) -> None:
    store = RedisStore(redis_url)
    entry = {"path": "/" + "x" * 990}
    size = len(json.dumps(entry, separators=(",", ":")).encode())
    for _ in range(100):
        store.append_journal(entry, keep=1000, keep_bytes=10 * size)
    assert [e["id"] for e in store.journal()] == list(range(91, 101))
    store.reset()
    store.append_journal(entry, keep=1000, keep_bytes=10 * size)
    assert len(store.journal()) == 1  # the byte count went with the reset


def test_reset_rotates_the_shared_secret(redis_url: str) -> None:
    first, second = RedisStore(redis_url), RedisStore(redis_url)
    before = first.secret()
    assert second.secret() == before
    second.reset()
    assert first.secret() == second.secret() != before
    first.close()
    second.close()


def test_redis_down_raises_store_unavailable_naming_it_and_the_store_recovers(tmp_path: Path) -> None:
    with RedisServer(tmp_path, append_only=True) as server:
        store = RedisStore(server.url)
        store.set_clock_state(ClockState(offset=60.0))
        client = create_app(MockConfig(), store=store).test_client()
        server.stop(signal.SIGKILL)
        with pytest.raises(StoreUnavailable, match=rf"the state store \(Redis at {server.url}\) is unreachable"):
            store.snapshot()
        answer = client.get("/partner/v1/query/step", json={"startTime": 0, "endTime": 1})
        assert answer.status_code == 503 and answer.json["code"] == 50300  # type: ignore[index]
        assert "Service unavailable: the state store (Redis at" in answer.json["msg"]  # type: ignore[index]
        server.start()
        assert store.clock_state() == ClockState(offset=60.0)
        assert client.get("/__mock__/clock").status_code == 200
        store.close()


def test_an_unreachable_redis_is_refused_at_start_up() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(StateStoreError, match=rf"^--state {url}: cannot use Redis there \("):
        RedisStore(url)


def test_a_password_in_the_url_is_never_shown() -> None:
    assert describe("redis://:s3cret@10.0.0.5:6379/2") == "redis://:***@10.0.0.5:6379/2"
    assert describe("rediss://mock:s3cret@redis.internal/0") == "rediss://mock:***@redis.internal/0"
    assert describe("redis://10.0.0.5:6379/0") == "redis://10.0.0.5:6379/0"
    assert describe("/tmp/state.sqlite") == "/tmp/state.sqlite"
    with pytest.raises(StateStoreError) as refused:
        RedisStore(f"redis://:s3cret@127.0.0.1:{free_port()}/0")
    assert "s3cret" not in str(refused.value) and ":***@" in str(refused.value)


def test_a_password_in_the_url_is_used_and_a_wrong_one_refused_without_showing_it(tmp_path: Path) -> None:
    with RedisServer(tmp_path, password="s3cret") as server:
        store = RedisStore(server.url)
        store.set_clock_state(ClockState(offset=5.0))
        assert RedisStore(server.url).clock_state() == ClockState(offset=5.0)
        store.close()
        wrong = server.url.replace("s3cret", "guess")
        with pytest.raises(StateStoreError) as refused:
            RedisStore(wrong)
        assert "guess" not in str(refused.value) and f"redis://:***@127.0.0.1:{server.port}/0" in str(refused.value)

"""The in-memory store: each app its own state, safe under the threads of one server."""

from __future__ import annotations

import threading

from mock_server import MockConfig, create_app
from mock_server.state import MemoryStore
from mock_server.state.faults import Fault, step


def test_two_apps_in_one_process_share_nothing() -> None:
    one = create_app(MockConfig(), store=MemoryStore()).test_client()
    other = create_app(MockConfig(), store=MemoryStore()).test_client()
    token = one.post("/__mock__/tokens", json={}).json["access_token"]  # type: ignore[index]
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    body = {"startTime": 1726358400, "endTime": 1726704000}
    assert one.get("/partner/v1/query/heart_beat", json=body, headers=headers).json["code"] == 200  # type: ignore[index]
    assert other.get("/partner/v1/query/heart_beat", json=body, headers=headers).json["code"] != 200  # type: ignore[index]
    one.post("/__mock__/clock/advance", json={"seconds": 3600})
    assert other.get("/__mock__/clock").json["offset"] == 0  # type: ignore[index]


def test_each_store_has_its_own_secret() -> None:
    first, second = MemoryStore(), MemoryStore()
    assert first.secret() == first.secret()
    assert first.secret() != second.secret()
    assert len(first.secret()) == 64 and int(first.secret(), 16) >= 0


def test_threads_counting_fault_hits_lose_none() -> None:
    store = MemoryStore()
    store.update_faults(lambda _faults: ([Fault("f1", "latency", ms=0)], None))

    def hammer() -> None:
        for _ in range(200):
            store.update_faults(lambda faults: step(faults, "queryStep", "/partner/v1/query/step"))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (fault,) = store.snapshot().faults
    assert (fault.hits, fault.fired) == (800, 800)


def test_threads_appending_to_the_journal_get_distinct_ids_in_order() -> None:
    store = MemoryStore()

    def append(worker: int) -> None:
        for n in range(100):
            store.append_journal({"worker": worker, "n": n}, keep=1000)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = store.journal()
    assert [e["id"] for e in entries] == list(range(1, 401))
    for worker in range(4):
        assert [e["n"] for e in entries if e["worker"] == worker] == list(range(100))


def test_a_journal_limit_of_zero_entries_kept_holds_nothing() -> None:
    store = MemoryStore()
    store.append_journal({"path": "/a"}, keep=0)
    assert store.journal() == []

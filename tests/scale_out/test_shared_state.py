"""Three mock processes over one Redis act as one mock: tokens, clock, faults, journal and reset."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from mock_server.state import faults
from mock_server.state.faults import Fault
from tests.servers import MockProcess, on_each_worker

from .conftest import QUERY, query


def test_a_token_minted_through_one_process_is_valid_on_every_process(three_mocks: list[MockProcess]) -> None:
    first, *others = three_mocks
    token = first.mint(user_id="athlete")
    for mock in three_mocks:
        answer = query(mock.base_url, token).json()
        assert answer["code"] == 200, (mock.base_url, answer)
    assert requests.delete(f"{others[0].base_url}/__mock__/tokens/{token}", timeout=10).status_code == 204
    for mock in three_mocks:
        assert query(mock.base_url, token).json()["code"] != 200, mock.base_url


def test_a_clock_change_through_one_process_is_seen_by_the_next_request_on_every_other(
    three_mocks: list[MockProcess],
) -> None:
    for mock in three_mocks:
        requests.get(f"{mock.base_url}/__mock__/clock", timeout=10)  # each keeps a copy of the clock
    for round_, mover in enumerate(three_mocks, start=1):
        instant = 1795521600 + round_ * 86400
        assert requests.put(f"{mover.base_url}/__mock__/clock", json={"now": instant}, timeout=10).status_code == 200
        for mock in three_mocks:
            clock = requests.get(f"{mock.base_url}/__mock__/clock", timeout=10).json()
            assert (clock["now"], clock["frozen"]) == (instant, True), mock.base_url
        advanced = requests.post(f"{mover.base_url}/__mock__/clock/advance", json={"seconds": 60}, timeout=10)
        assert advanced.json()["now"] == instant + 60
        assert {requests.get(f"{m.base_url}/__mock__/clock", timeout=10).json()["now"] for m in three_mocks} == {
            instant + 60
        }


def test_a_fault_for_the_next_n_requests_fires_exactly_n_times_across_processes(
    three_mocks: list[MockProcess],
) -> None:
    token = three_mocks[0].token
    for mock in three_mocks:
        assert query(mock.base_url, token).json()["code"] == 200  # each keeps a copy of the (empty) faults
    added = requests.post(
        f"{three_mocks[1].base_url}/__mock__/faults", json={"kind": "status", "status": 503, "times": 25}, timeout=10
    )
    assert added.status_code == 201, added.text
    # 90 requests from 9 threads, spread over the three processes at once.
    targets = [three_mocks[i % 3].base_url for i in range(90)]
    with ThreadPoolExecutor(9) as pool:
        statuses = list(pool.map(lambda url: query(url, token).status_code, targets))
    assert statuses.count(503) == 25 and statuses.count(200) == 65
    assert requests.get(f"{three_mocks[2].base_url}/__mock__/faults", timeout=10).json()["faults"] == []


def test_a_percent_fault_picks_the_same_requests_as_one_process_would(three_mocks: list[MockProcess]) -> None:
    token = three_mocks[0].token
    body = {"kind": "status", "status": 503, "percent": 30, "seed": 7}
    assert requests.post(f"{three_mocks[0].base_url}/__mock__/faults", json=body, timeout=10).status_code == 201
    statuses = [query(three_mocks[i % 3].base_url, token).status_code for i in range(40)]
    # The same fault stepped 40 times in this process: its draws depend on the hit count only.
    alone: list[Fault] = [Fault("f1", "status", percent=30, seed=7, status=503)]
    expected = []
    for _ in range(40):
        alone, effect = faults.step(alone, "heartBeat", QUERY)
        expected.append(503 if effect.fault else 200)
    assert statuses == expected and 0 < statuses.count(503) < 40


def test_the_journal_read_through_any_process_shows_every_request(three_mocks: list[MockProcess]) -> None:
    token = three_mocks[0].token
    requests.delete(f"{three_mocks[0].base_url}/__mock__/requests", timeout=10)
    workers = [query(mock.base_url, token).headers["X-Cudis-Mock-Worker"] for mock in three_mocks * 2]
    assert len(set(workers)) == 3
    for mock in three_mocks:
        entries = requests.get(f"{mock.base_url}/__mock__/requests", timeout=10).json()["requests"]
        assert [e["path"] for e in entries] == [QUERY] * 6
        ids = [e["id"] for e in entries]
        assert ids == sorted(ids) and len(set(ids)) == 6


def test_a_reset_through_one_process_is_seen_by_every_other(three_mocks: list[MockProcess]) -> None:
    first, second, third = three_mocks
    token = first.mint()
    requests.put(f"{second.base_url}/__mock__/clock", json={"now": 1795521600}, timeout=10)
    requests.post(f"{third.base_url}/__mock__/faults", json={"kind": "latency", "ms": 1}, timeout=10)
    for mock in three_mocks:
        assert query(mock.base_url, token).json()["code"] == 200
    assert requests.post(f"{third.base_url}/__mock__/reset", timeout=10).status_code < 300
    for mock in three_mocks:
        assert requests.get(f"{mock.base_url}/__mock__/requests", timeout=10).json()["requests"] == []
    for mock in three_mocks:
        assert query(mock.base_url, token).json()["code"] != 200, mock.base_url
        assert requests.get(f"{mock.base_url}/__mock__/clock", timeout=10).json()["frozen"] is False
        assert requests.get(f"{mock.base_url}/__mock__/faults", timeout=10).json()["faults"] == []


def test_worker_processes_and_single_processes_share_one_redis(redis_url: str) -> None:
    with (
        MockProcess.start("--state", redis_url, "--workers", "2") as pooled,
        MockProcess.start("--state", redis_url) as single,
    ):
        token = single.mint(user_id="athlete")
        # Both forked workers find the token, each with a subscription of its own.
        answers = on_each_worker(lambda: query(pooled.base_url, token), 2)
        assert [a.json()["code"] for a in answers.values()] == [200, 200]
        requests.put(f"{single.base_url}/__mock__/clock", json={"now": 1795521600}, timeout=10)
        clocks = on_each_worker(lambda: requests.get(f"{pooled.base_url}/__mock__/clock", timeout=10), 2)
        assert [c.json()["now"] for c in clocks.values()] == [1795521600, 1795521600]

"""A mock of three processes sharing one Redis, behind haproxy: started and stopped by these fixtures.

`three_mocks` runs three `cudis-mock serve --state redis://...` on free ports over the session's
Redis (emptied for each test); `Cluster` puts haproxy in front of them. Tests that stop Redis
start one of their own (`RedisServer`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from scale_out.balancer import Balancer
from tests.servers import MockProcess

CLIENT_ID = "cudis-wellness"
QUERY = "/partner/v1/query/heart_beat"
RANGE = {"startTime": 1726444800, "endTime": 1726704000}


def query(base_url: str, token: str, session: requests.Session | None = None) -> requests.Response:
    """GET heart_beat for a three-day range, as a partner backend would."""
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": CLIENT_ID}
    return (session or requests).get(base_url + QUERY, json=RANGE, headers=headers, timeout=30)


@contextmanager
def mocks(state: str, count: int = 3) -> Iterator[list[MockProcess]]:
    """`count` mock processes on free ports sharing the state at `state`."""
    with ExitStack() as stack:
        yield [stack.enter_context(MockProcess.start("--state", state)) for _ in range(count)]


@pytest.fixture
def three_mocks(redis_url: str) -> Iterator[list[MockProcess]]:
    with mocks(redis_url) as started:
        yield started


@contextmanager
def balanced(directory: Path, processes: list[MockProcess]) -> Iterator[Balancer]:
    with Balancer(directory, [(p.host, p.port) for p in processes]) as balancer:
        yield balancer


@dataclass
class Load:
    """Threads sending queries through `base_url` until stopped; every answer that is not a success is kept."""

    base_url: str
    token: str
    threads: int = 4
    answered: int = 0
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Load:
        self._workers = [threading.Thread(target=self._run, daemon=True) for _ in range(self.threads)]
        for worker in self._workers:
            worker.start()
        return self

    def _run(self) -> None:
        with requests.Session() as session:
            while not self._stop.is_set():
                try:
                    response = query(self.base_url, self.token, session)
                    ok = response.status_code == 200 and response.json().get("code") == 200
                    outcome = "" if ok else f"{response.status_code} {response.text[:200]}"
                except (requests.RequestException, ValueError) as exc:
                    outcome = f"{type(exc).__name__}: {exc}"
                with self._lock:
                    self.answered += 1
                    if outcome:
                        self.failures.append(outcome)

    def wait_for(self, answered: int, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        while self.answered < answered:
            assert time.monotonic() < deadline, f"only {self.answered} answers within {within} s"
            time.sleep(0.02)

    def stop(self) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(60)


def eventually(check: Callable[[], bool], within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, f"not within {within} s"
        time.sleep(0.05)

"""`cudis-mock serve --workers 2`: real gunicorn worker processes that share one state."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_server.cli import main

from .serving import Served, serving

RANGE = {"startTime": 1726358400, "endTime": 1726704000}
DAY = 86400
ATTEMPTS = 300


def worker(response: requests.Response) -> int:
    return int(response.headers["X-Cudis-Mock-Worker"])


def until(call: Callable[[], requests.Response], wanted: Callable[[int], bool]) -> requests.Response:
    """Repeat an idempotent `call` (a new connection each time) until a wanted worker answers it."""
    for _ in range(ATTEMPTS):
        response = call()
        if wanted(worker(response)):
            return response
    raise AssertionError(f"no wanted worker answered in {ATTEMPTS} attempts")


def query(mock: Served, token: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    return requests.get(f"{mock.base_url}/partner/v1/query/heart_beat", json=RANGE, headers=headers, timeout=10)


def on_each_worker(call: Callable[[], requests.Response], workers: set[int]) -> dict[int, Any]:
    """The answer of `call` from each worker in `workers`."""
    answers: dict[int, Any] = {}
    for _ in range(ATTEMPTS):
        response = call()
        answers.setdefault(worker(response), response.json())
        if set(answers) >= workers:
            return answers
    raise AssertionError(f"only workers {sorted(answers)} answered, not all of {sorted(workers)}")


def test_a_token_minted_through_one_worker_and_the_clock_moved_through_another_hold_on_both(
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    with serving("--workers", "2", log=tmp_path / "stderr.log") as mock:
        assert "(2 workers, shared temporary state)" in mock.banner
        minted = requests.post(f"{mock.base_url}/__mock__/tokens", json={}, timeout=10)
        minter = worker(minted)
        token = minted.json()["access_token"]
        # PUT is idempotent, so repeating it until the other worker answers is harmless.
        moved_to = float(minted.json()["expires_at"]) - DAY
        clock = until(
            lambda: requests.put(f"{mock.base_url}/__mock__/clock", json={"now": moved_to}, timeout=10),
            lambda pid: pid != minter,
        )
        mover = worker(clock)
        both = {minter, mover}
        assert len(both) == 2

        clocks = on_each_worker(lambda: requests.get(f"{mock.base_url}/__mock__/clock", timeout=10), both)
        assert {pid: c["now"] for pid, c in clocks.items()} == {minter: moved_to, mover: moved_to}
        answers = on_each_worker(lambda: query(mock, token), both)
        assert {pid: a["code"] for pid, a in answers.items()} == {minter: 200, mover: 200}

        # Two days later by the shared clock, moved through one worker: the token has expired on both.
        advanced = requests.post(f"{mock.base_url}/__mock__/clock/advance", json={"seconds": 2 * DAY}, timeout=10)
        assert advanced.json()["now"] == moved_to + 2 * DAY
        answers = on_each_worker(lambda: query(mock, token), both)
        assert {pid: a["code"] for pid, a in answers.items()} == {minter: 20007, mover: 20007}

        # The journal and the faults are shared too.
        requests.post(f"{mock.base_url}/__mock__/faults", json={"kind": "status", "status": 503}, timeout=10)
        answers = on_each_worker(lambda: query(mock, token), both)
        assert {a["code"] for a in answers.values()} == {50300}
        journal = requests.get(f"{mock.base_url}/__mock__/requests", timeout=10).json()["requests"]
        assert {e["worker"] for e in journal} == both
    assert time.monotonic() - started < 20
    log = (tmp_path / "stderr.log").read_text()
    assert "Traceback" not in log, log


def test_zero_workers_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--workers", "0"]) == 2
    assert "workers must be at least 1" in capsys.readouterr().err

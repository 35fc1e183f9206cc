"""What a client of the cluster sees when a mock process, every process or Redis goes away."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
import requests

from scale_out.processes import free_port
from scale_out.redis_server import RedisServer
from tests.servers import SERVE, MockProcess

from .conftest import Load, balanced, eventually, mocks, query

pytestmark = pytest.mark.slow


def test_a_mock_process_killed_under_load_fails_no_request_behind_the_balancer(
    three_mocks: list[MockProcess], tmp_path: Path
) -> None:
    with balanced(tmp_path, three_mocks) as balancer:
        load = Load(balancer.base_url, three_mocks[0].token, threads=6).start()
        try:
            load.wait_for(150)
            three_mocks[1].stop(signal.SIGKILL)
            before = load.answered
            load.wait_for(before + 300)
        finally:
            load.stop()
    assert load.failures == []
    assert load.answered >= 450


def test_tokens_outlive_a_restart_of_every_mock_process_and_of_redis(tmp_path: Path) -> None:
    with RedisServer(tmp_path / "redis", append_only=True) as redis_server:
        with mocks(redis_server.url) as first:
            tokens = [
                mock.mint(user_id=user) for mock, user in zip(first, ("typical", "athlete", "typical"), strict=True)
            ]
            tokens += [mock.token for mock in first]
        redis_server.stop(signal.SIGKILL)  # as on a crash: only the append-only file keeps the state
        redis_server.start()
        with mocks(redis_server.url) as second:
            for mock in second:
                for token in tokens:
                    assert query(mock.base_url, token).json()["code"] == 200, (mock.base_url, token)


def test_redis_down_gives_clear_503s_and_the_mock_recovers_when_it_returns(tmp_path: Path) -> None:
    with (
        RedisServer(tmp_path / "redis", append_only=True) as redis_server,
        mocks(redis_server.url, 2) as two,
        balanced(tmp_path / "haproxy", two) as balancer,
    ):
        token = two[0].token
        load = Load(balancer.base_url, token, threads=2).start()
        try:
            load.wait_for(50)
            redis_server.stop()
            answer = query(two[1].base_url, token)
            assert answer.status_code == 503
            body = answer.json()
            assert body["code"] == 50300 and body["data"] is None
            assert "the state store (Redis at redis://127.0.0.1:" in body["msg"]
            assert "is unreachable" in body["msg"]
            admin = requests.get(f"{two[0].base_url}/__mock__/clock", timeout=10)
            assert admin.status_code == 503 and "state store" in admin.json()["msg"]
            redis_server.start()
            failed = len(load.failures)
            eventually(lambda: query(balancer.base_url, token).json()["code"] == 200)
            recovered = load.answered
            load.wait_for(recovered + 50)
        finally:
            load.stop()
        assert failed > 0 and all(f.startswith("503 ") for f in load.failures), load.failures[:3]
        assert all(mock.process.poll() is None for mock in two)
        # After recovery, no more failures than in the outage (a few in flight when it ended).
        assert len(load.failures) <= failed + 4


def test_starting_against_an_unreachable_redis_fails_with_a_clear_message() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    started = subprocess.run([*SERVE, "--state", url], capture_output=True, text=True, timeout=60, check=False)
    assert started.returncode == 2
    assert f"--state {url}: cannot use Redis there (" in started.stderr
    assert "Traceback" not in started.stderr

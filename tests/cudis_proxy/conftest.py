"""The proxy in a thread of this process (or its --workers in a child process) in front of a real upstream;
requests as an app would send them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pytest
import requests

from cudis_proxy import ProxyConfig, create_proxy_app

from ..servers import MockProcess, in_thread

DAY = 86400
PROXY = (sys.executable, "-m", "mock_server.cli", "proxy", "--port", "0")


@contextmanager
def proxy_workers(upstream: str, *args: str) -> Iterator[str]:
    """`cudis-mock proxy --workers 2` in front of `upstream`, its base URL until the block ends."""
    with subprocess.Popen(
        [*PROXY, "--upstream", upstream, "--workers", "2", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    ) as process:
        try:
            assert process.stdout is not None
            found = re.match(r"cudis-mock proxy at (http://\S+) -> ", process.stdout.readline())
            assert found, "no banner"
            assert "2 worker processes" in process.stdout.readline() + process.stdout.readline()
            yield found.group(1)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def proxy_served(upstream: str, workers: int, **settings: Any) -> Iterator[str]:
    """The base URL of a proxy in front of `upstream`: in a thread here (1), or `--workers 2` in a child process."""
    if workers == 1:
        with proxy_to(upstream, **settings) as url:
            yield url
        return
    flags = [item for name, value in settings.items() for item in (f"--{name.replace('_', '-')}", str(value))]
    with proxy_workers(upstream, *flags) as url:
        yield url


@contextmanager
def proxy_to(upstream: str, **settings: Any) -> Iterator[str]:
    """The base URL of a proxy in front of `upstream` until the block ends."""
    with in_thread(create_proxy_app(ProxyConfig(upstream=upstream, port=0, **settings))) as url:
        yield url


def query(base_url: str, metric: str, body: object, token: str, client_id: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": client_id}
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    if data is not None:
        headers["Content-Type"] = "application/json"
    return requests.get(f"{base_url}/partner/v1/query/{metric}", data=data, headers=headers, timeout=30, **kwargs)


def journal(base_url: str) -> list[dict[str, Any]]:
    response = requests.get(f"{base_url}/__mock__/requests", timeout=10)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["requests"]
    return entries


def last_days(days: int, ago: int = 0) -> dict[str, int]:
    end = int(time.time()) // DAY * DAY - ago * DAY
    return {"startTime": end - days * DAY, "endTime": end}


@pytest.fixture(scope="module")
def mock_process() -> Iterator[MockProcess]:
    """`cudis-mock serve` in a child process: the upstream that is the mock itself."""
    with MockProcess.start() as mock:
        yield mock

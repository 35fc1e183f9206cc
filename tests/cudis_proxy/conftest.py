"""The proxy in a thread of this process in front of a real upstream; requests as an app would send them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from cudis_proxy import ProxyConfig, create_proxy_app

from ..servers import MockProcess, in_thread

DAY = 86400


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

"""pytest plugin (entry point `pytest11`): a live cudis-mock for the tests of an app that uses CUDIS.

One mock on a free loopback port per session, reset before each test. Fixtures:

* `cudis_mock`: the running mock (`base_url`, `mint_token()`, `set_clock()`, `advance_clock()`,
  `inject_fault()`, `requests()`, ...). Errors inside the mock while a test runs (a response that
  breaks the contract, an unexpected exception) fail that test, with the mock's traceback.
* `cudis_token`: a fresh access token for the default user and client.
* `cudis_mock_config`: the MockConfig the session's mock runs with; override it in a conftest.py.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any, Self

import pytest
import requests
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from .app import create_app
from .config import MockConfig
from .context import mock_context

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["CudisMock", "CudisMockError", "CudisMockServer", "ServedApp"]


class CudisMockError(AssertionError):
    """Something went wrong inside the mock while the test ran."""


class ServedApp:
    """A WSGI app served by a thread of this process; the port is bound before the constructor returns."""

    def __init__(self, app: WSGIApplication, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        shown = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{shown}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name=self.base_url, daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class CudisMockServer(ServedApp):
    """A mock served by a thread of this process on a free loopback port."""

    def __init__(self, config: MockConfig) -> None:
        self.app: Flask = create_app(config)
        super().__init__(self.app, config.host, config.port)


class CudisMock:
    """The test's handle on the mock: every call goes through the control API (/__mock__/)."""

    def __init__(self, base_url: str, app: Flask | None = None, admin_token: str | None = None) -> None:
        self.base_url = base_url
        self.app = app
        self.client_id = "cudis-wellness"
        self._http = requests.Session()
        if admin_token:
            self._http.headers["X-Cudis-Mock-Admin"] = admin_token

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, json: Any = None, **params: Any) -> Any:
        response = self._http.request(method, f"{self.base_url}/__mock__/{path}", json=json, params=params, timeout=30)
        if response.status_code >= 400:
            raise CudisMockError(f"{method} /__mock__/{path} answered {response.status_code}: {response.text}")
        return response.json() if response.content else None

    # tokens
    def mint_token(self, user_id: str | None = None, client_id: str | None = None, **fields: Any) -> str:
        """A new access token (default user and client unless given); `scope`, `expires_in` pass through."""
        body = {"user_id": user_id, "client_id": client_id, **fields}
        grant = self._call("POST", "tokens", {k: v for k, v in body.items() if v is not None})
        return str(grant["access_token"])

    def revoke_token(self, token: str) -> None:
        self._call("DELETE", f"tokens/{token}")

    def auth_headers(self, token: str, client_id: str | None = None) -> dict[str, str]:
        """The two headers a query needs."""
        return {"Authorization": f"Bearer {token}", "Cudis-Client-Id": client_id or self.client_id}

    # clock
    def clock(self) -> dict[str, Any]:
        return dict(self._call("GET", "clock"))

    def set_clock(self, now: float, frozen: bool = True) -> dict[str, Any]:
        """Set the mock's time to `now` (Unix seconds), frozen there unless `frozen=False`."""
        return dict(self._call("PUT", "clock", {"now": now, "frozen": frozen}))

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return dict(self._call("POST", "clock/advance", {"seconds": seconds}))

    # faults
    def inject_fault(self, kind: str, **params: Any) -> dict[str, Any]:
        """Inject a fault, e.g. `inject_fault("status", status=503, times=2)`; returns it with its id."""
        return dict(self._call("POST", "faults", {"kind": kind, **params}))

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "faults")["faults"])

    def remove_fault(self, fault_id: str) -> None:
        self._call("DELETE", f"faults/{fault_id}")

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    # journal, fixtures, reset
    def requests(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The requests the mock has received since the last reset, oldest first."""
        params = {"limit": limit} if limit else {}
        return list(self._call("GET", "requests", **params)["requests"])

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def users(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "users")["users"])

    def clients(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "clients")["clients"])

    def reset(self) -> None:
        self._call("POST", "reset")

    def problems(self) -> list[str]:
        """Errors inside the mock since the last reset, with tracebacks where the mock runs in this process."""
        if self.app is not None:
            mock = mock_context(self.app)
            problems = [f"response broke the contract: {v}" for v in mock.violations] + list(mock.errors)
            dropped = mock.violations.dropped + mock.errors.dropped
            return problems + ([f"(and {dropped} earlier problems, not kept)"] if dropped else [])
        return [f"{e['method']} {e['path']}: {p}" for e in self.requests() for p in e["problems"]]

    def check(self) -> None:
        """Raise CudisMockError if anything went wrong inside the mock (like pytest-httpserver's check)."""
        problems = self.problems()
        if problems:
            raise CudisMockError("the mock failed while the test ran:\n" + "\n".join(problems))


@pytest.fixture(scope="session")
def cudis_mock_config() -> MockConfig:
    """How the session's mock runs: loopback, a free port, the self-check on. Override to change."""
    return MockConfig(host="127.0.0.1", port=0, validate_responses=True)


@pytest.fixture(scope="session")
def cudis_mock_server(cudis_mock_config: MockConfig) -> Iterator[CudisMockServer]:
    server = CudisMockServer(cudis_mock_config).start()
    yield server
    server.stop()


@pytest.fixture
def cudis_mock(cudis_mock_server: CudisMockServer, cudis_mock_config: MockConfig) -> Iterator[CudisMock]:
    """The session's mock, reset: no token, no fault, no journal, real time."""
    mock = CudisMock(cudis_mock_server.base_url, cudis_mock_server.app, cudis_mock_config.admin_token)
    mock.reset()
    yield mock
    mock.close()


@pytest.fixture
def cudis_token(cudis_mock: CudisMock) -> str:
    """An access token for the default user (`typical`) and client (`cudis-wellness`)."""
    return cudis_mock.mint_token()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Fail a passing test that made the mock fail; show the mock's errors beside a failing one."""
    mock = getattr(item, "funcargs", {}).get("cudis_mock")
    try:
        result = yield
    except BaseException:
        if isinstance(mock, CudisMock) and mock.app is not None and (problems := mock.problems()):
            item.add_report_section("call", "cudis-mock", "\n".join(problems))
        raise
    if isinstance(mock, CudisMock):
        mock.check()
    return result

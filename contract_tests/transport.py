"""HTTP to the implementation under test: requests, rate limiting, curl reproductions, the mock's token minting."""

from __future__ import annotations

import json
import shlex
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import click
import requests

from cudis_spec import load_spec

DEFAULT_TIMEOUT = 10.0


class ContractUsageError(click.ClickException):
    """A problem with how the suite was started, or a target it cannot reach: exit code 2."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"cudis-contract: {self.message}", err=file is None, file=file)


@dataclass(frozen=True)
class Exchange:
    """One request and what came back (`status` None when nothing did)."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None
    status: int | None = None
    response_headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""
    error: str | None = None
    """Why no response came back (connection refused, reset, timed out)."""

    @property
    def content_type(self) -> str:
        for name, value in self.response_headers.items():
            if name.lower() == "content-type":
                return value
        return ""

    def json(self) -> Any:
        """The response body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.content)
        except ValueError:
            return None

    def summary(self, limit: int = 300) -> str:
        """`HTTP 200 application/json: {...}`, shortened."""
        if self.status is None:
            return f"no response: {self.error}"
        text = self.content.decode("utf-8", "replace")
        if len(text) > limit:
            text = text[:limit] + f"... ({len(self.content)} bytes)"
        return f"HTTP {self.status} {self.content_type or '(no Content-Type)'}: {text or '(empty body)'}"


def parse_rate_limit(text: str) -> float:
    """Requests per second from `R`, `R/s`, `R/m` or `R/h`."""
    number, _, unit = text.strip().partition("/")
    try:
        rate = float(number)
    except ValueError:
        raise ContractUsageError(f"--rate-limit: {text!r} is not a number of requests (e.g. 20, 20/s, 600/m)") from None
    seconds = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}.get(unit.strip())
    if seconds is None or rate <= 0:
        raise ContractUsageError(f"--rate-limit: {text!r}; use a positive number per s, m or h (e.g. 20/s, 600/m)")
    return rate / seconds


@dataclass
class _Pacer:
    """At most `rate` requests per second, spread evenly."""

    rate: float | None
    _next: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self) -> None:
        if not self.rate:
            return
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + 1.0 / self.rate
        if delay > 0:
            time.sleep(delay)


class Transport:
    """Sends requests to one base URL; knows which header values are secrets for the curl commands."""

    def __init__(
        self,
        base_url: str,
        *,
        rate_limit: float | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        secrets: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.secrets = dict(secrets or {})
        """Header value -> shell variable that stands for it in curl commands."""
        self.requests_sent = 0
        self._pacer = _Pacer(rate_limit)
        self._session = requests.Session()

    def close(self) -> None:
        self._session.close()

    def send(self, method: str, path: str, headers: Mapping[str, str], body: bytes | None = None) -> Exchange:
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        self._pacer.wait()
        self.requests_sent += 1
        sent = dict(headers)
        try:
            response = self._session.request(
                method, url, headers=sent, data=body, timeout=self.timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            return Exchange(method, url, sent, body, error=f"{type(exc).__name__}: {exc}")
        return Exchange(
            method,
            url,
            sent,
            body,
            status=response.status_code,
            response_headers=dict(response.headers),
            content=response.content,
        )

    def curl(self, exchange: Exchange) -> str:
        """A curl command that sends the same request; secrets appear as shell variables."""
        parts = ["curl", "-sS", "-i", "-X", exchange.method, shlex.quote(exchange.url)]
        for name, value in exchange.headers.items():
            header = f"{name}: {value}"
            for secret, variable in self.secrets.items():
                if secret and secret in value:
                    header = f"{name}: {value.replace(secret, '${' + variable + '}')}"
                    parts += ["-H", '"' + header.replace('"', '\\"') + '"']
                    break
            else:
                parts += ["-H", shlex.quote(header)]
        if exchange.body is not None:
            text = exchange.body.decode("utf-8", "surrogateescape")
            if text.isprintable():
                parts += ["--data-raw", shlex.quote(text)]
            else:
                parts = ["printf", shlex.quote(_printf_escape(exchange.body)), "|", *parts, "--data-binary", "@-"]
        return " ".join(parts)


def _printf_escape(data: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 and b not in (0x25, 0x5C) else f"\\{b:03o}" for b in data)


def _envelope_code(response: requests.Response) -> object:
    try:
        document = response.json()
    except ValueError:
        return None
    return document.get("code") if isinstance(document, dict) else None


@dataclass(frozen=True)
class MockGrant:
    access_token: str
    client_id: str
    expires_in: int
    expires_at: float
    """By the mock's clock."""


def check_reachable(base_url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Raise ContractUsageError unless something answers HTTP at `base_url`."""
    if not base_url.startswith(("http://", "https://")):
        raise ContractUsageError(f"--base-url: {base_url!r} must start with http:// or https://")
    try:
        requests.get(base_url.rstrip("/") + "/", timeout=timeout, allow_redirects=False).close()
    except requests.RequestException as exc:
        raise ContractUsageError(f"cannot reach {base_url}: {type(exc).__name__}: {exc}") from None


def mint_mock_token(
    base_url: str, client_id: str | None, *, expires_in: int | None = None, timeout: float = DEFAULT_TIMEOUT
) -> MockGrant | None:
    """A token from cudis-mock's control API (POST /__mock__/tokens), or None when the target is no mock."""
    request: dict[str, Any] = {}
    if client_id:
        request["client_id"] = client_id
    if expires_in is not None:
        request["expires_in"] = expires_in
    try:
        response = requests.post(base_url.rstrip("/") + "/__mock__/tokens", json=request, timeout=timeout)
    except requests.RequestException:
        return None
    if response.status_code != 201:
        if response.status_code == 400 and _envelope_code(response) == load_spec().codes.by_key("invalid-field").code:
            raise ContractUsageError(f"the mock refused to mint a token: {response.json().get('msg')}")
        return None
    try:
        grant = response.json()
        return MockGrant(
            str(grant["access_token"]), str(grant["client_id"]), int(grant["expires_in"]), float(grant["expires_at"])
        )
    except (ValueError, KeyError, TypeError):
        return None


def mock_now(base_url: str, timeout: float = DEFAULT_TIMEOUT) -> float | None:
    """cudis-mock's current time (GET /__mock__/clock), or None when it does not say."""
    try:
        response = requests.get(base_url.rstrip("/") + "/__mock__/clock", timeout=timeout)
        now = response.json()["now"] if response.status_code == 200 else None
    except (requests.RequestException, ValueError, KeyError, TypeError):
        return None
    return float(now) if isinstance(now, (int, float)) and not isinstance(now, bool) else None

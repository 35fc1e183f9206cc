"""The proxy's settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mock_server.serving.bounds import WORKER_TIMEOUT

DEFAULT_UPSTREAM_TIMEOUT = 10.0
"""Seconds the proxy waits for the upstream (the spec's assumption `proxy-upstream-timeout`)."""
DEFAULT_RECORD_USER = "recorded"


@dataclass(frozen=True)
class ProxyConfig:
    upstream: str
    host: str = "127.0.0.1"
    port: int = 8080
    upstream_timeout: float = DEFAULT_UPSTREAM_TIMEOUT
    record: Path | None = None
    record_user: str = DEFAULT_RECORD_USER
    authorize_upstream: str | None = None
    journal_limit: int = 1000
    allowed_hosts: str = ""
    """Host names the proxy answers besides loopback ones and `host` (as the mock's --allowed-hosts)."""
    workers: int = 1
    """1: werkzeug's threaded server; N > 1: N processes of the mock's keep-alive gunicorn worker."""

    def __post_init__(self) -> None:
        for name in ("upstream", "authorize_upstream"):
            url = getattr(self, name)
            if url is not None and not url.startswith(("http://", "https://")):
                flag = "--" + name.replace("_", "-")
                raise ValueError(f"{flag}: {url!r} must start with http:// or https://")
        if self.upstream_timeout <= 0:
            raise ValueError(f"--upstream-timeout must be more than 0 seconds (got {self.upstream_timeout:g})")
        if self.workers < 1:
            raise ValueError(f"--workers must be at least 1 (got {self.workers})")
        # A worker waits in its only thread to connect, and for an https upstream or a HEAD (connect,
        # then read): both waits together must end before gunicorn's arbiter takes the worker for hung.
        if self.workers > 1 and 2 * self.upstream_timeout >= WORKER_TIMEOUT:
            raise ValueError(
                f"--upstream-timeout must be under {WORKER_TIMEOUT / 2:g} seconds with --workers "
                f"(got {self.upstream_timeout:g})"
            )
        if self.journal_limit < 0:
            raise ValueError(f"--journal-limit must be 0 (off) or more (got {self.journal_limit})")

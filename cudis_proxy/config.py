"""The proxy's settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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

    def __post_init__(self) -> None:
        for name in ("upstream", "authorize_upstream"):
            url = getattr(self, name)
            if url is not None and not url.startswith(("http://", "https://")):
                flag = "--" + name.replace("_", "-")
                raise ValueError(f"{flag}: {url!r} must start with http:// or https://")
        if self.upstream_timeout <= 0:
            raise ValueError(f"--upstream-timeout must be more than 0 seconds (got {self.upstream_timeout:g})")
        if self.journal_limit < 0:
            raise ValueError(f"--journal-limit must be 0 (off) or more (got {self.journal_limit})")

"""Where `--state` keeps the state: an SQLite file, or Redis for a URL (`redis://`, `rediss://`, `unix://`)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .sqlite_store import SqliteStore
from .store import Store

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class RedisUnavailable(ValueError):
    """A Redis URL without redis-py, which comes with the `redis` extra."""


def is_redis(location: str) -> bool:
    return location.startswith(REDIS_SCHEMES)


def open_location(location: str) -> Store:
    """The store at `location`; ValueError (with the reason) when it cannot be used."""
    if not is_redis(location):
        return SqliteStore(Path(location))
    try:
        from .redis_store import RedisStore
    except ModuleNotFoundError as exc:
        if exc.name != "redis":
            raise
        raise RedisUnavailable(
            f"--state {describe(location)} needs redis-py: pip install 'cudis-mock[redis]'"
        ) from None
    return RedisStore(location)


def describe(location: str) -> str:
    """`location` as a banner may show it: a Redis URL without its password."""
    if not is_redis(location):
        return location
    parts = urlsplit(location)
    if parts.password is None:
        return location
    host = parts.hostname or ""
    netloc = (f"{parts.username}:***@" if parts.username else ":***@") + (f"[{host}]" if ":" in host else host)
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))

"""The mock's state in Redis: one mock made of any number of processes on any number of hosts.

Keys (under `cudis-mock:`): `control` holds the clock and the faults as one JSON text, so a
change to either is one SET that never half-applies; `generation` counts resets and is part of
every token's key (`token:GEN:DIGEST`, with a Redis TTL), so a reset orphans every token in one
step; `journal` is a capped stream whose ids come from the counter `journal:id`; `secret` is set
once.

A request should cost one round trip: each process keeps what it read (the control text, the
tokens it found) until a change notification on the `changes` channel says otherwise. Every
change publishes one in the same script or transaction, and the subscription is polled without
blocking before the copy is used, so a change through any process is seen by the next request on
every other (the notification reaches a process long before a client's next request can).
A fault's hit, the clock and reset are compare-and-set scripts against the control text.

Redis unreachable: every method raises StoreUnavailable, naming the store.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.client import PubSub
from redis.retry import Retry

from ..oauth.tokens import TokenRecord
from .faults import Fault
from .locations import describe
from .store import ClockState, FaultUpdate, JournalEntry, Snapshot, StoreUnavailable, T

PREFIX = "cudis-mock:"
TOKEN_TTL_SLACK = 7 * 24 * 3600
"""Seconds a token's key outlives its lifetime: the mock's clock may be frozen or moved back, so a
token can be valid in mock time after its real-time expiry. Redis forgets it after that."""
_TOKEN_CACHE_SIZE = 4096
_CAS_ATTEMPTS = 100
_DEFAULT_CONTROL = json.dumps({"frozen_at": None, "offset": 0.0, "faults": []})
_R = TypeVar("_R")

# KEYS: control, changes channel. ARGV: the text read (or "" when missing), the new text.
# Returns {1} when written, else {0, the current text}.
_SWAP = """
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return {0, current} end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', KEYS[2], 'control')
return {1}
"""
# KEYS: journal stream, its id counter, its byte count. ARGV: the entry's JSON, how many to keep,
# its size, how many bytes to keep (-1: no byte limit). The oldest entries go, exactly, while either
# limit is passed, as in the memory store; one round trip whatever is trimmed.
_APPEND = """
local id = redis.call('INCR', KEYS[2])
local size = tonumber(ARGV[3])
redis.call('XADD', KEYS[1], '*', 'id', id, 'entry', ARGV[1], 'size', size)
local total = redis.call('INCRBY', KEYS[3], size)
local keep = tonumber(ARGV[2])
local keep_bytes = tonumber(ARGV[4])
local length = redis.call('XLEN', KEYS[1])
while length > 0 and (length > keep or (keep_bytes >= 0 and total > keep_bytes)) do
  local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
  local fields = oldest[2]
  local gone = 0
  for i = 1, #fields, 2 do
    if fields[i] == 'size' then gone = tonumber(fields[i + 1]) end
  end
  redis.call('XDEL', KEYS[1], oldest[1])
  total = redis.call('DECRBY', KEYS[3], gone)
  length = length - 1
end
return id
"""
# KEYS: control, generation, journal stream, changes channel, journal byte count, secret.
# ARGV: the default control text, the new secret.
_RESET = """
redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[3], KEYS[5])
redis.call('SET', KEYS[6], ARGV[2])
redis.call('PUBLISH', KEYS[4], 'reset')
return 1
"""


class StateStoreError(ValueError):
    """A Redis state store that cannot be used at start-up (unreachable, refused the password, ...)."""


def _control_json(clock: ClockState, faults: list[Fault] | tuple[Fault, ...]) -> str:
    return json.dumps(
        {"frozen_at": clock.frozen_at, "offset": clock.offset, "faults": [f.to_json() for f in faults]},
        separators=(",", ":"),
    )


def _parse_control(text: str) -> Snapshot:
    data = json.loads(text or _DEFAULT_CONTROL)
    return Snapshot(ClockState(data["frozen_at"], data["offset"]), tuple(Fault.from_json(f) for f in data["faults"]))


def _token_json(record: TokenRecord) -> str:
    return json.dumps(
        [record.client_id, record.user_id, list(record.scopes), record.issued_at, record.expires_at, record.hint]
    )


def _token_record(digest: str, text: str) -> TokenRecord:
    client_id, user_id, scopes, issued_at, expires_at, hint = json.loads(text)
    return TokenRecord(digest, client_id, user_id, tuple(scopes), issued_at, expires_at, hint)


def _batches(items: Iterator[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Copy:
    """What this process read since the last change notification."""

    def __init__(self) -> None:
        self.control: tuple[str, Snapshot] | None = None
        self.generation: int | None = None
        self.tokens: dict[str, TokenRecord] = {}


class RedisStore:
    """State in Redis (`--state redis://HOST:PORT/DB`): the store of several mock hosts."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = f"the state store (Redis at {describe(url)})"
        try:
            self._redis = redis.Redis.from_url(
                url,
                socket_connect_timeout=2,
                socket_timeout=5,
                # A subscription that died without a word (a NAT or firewall forgetting it) would keep a stale
                # copy: the kernel's keepalive and a PING on an idle connection every 30 s find it.
                socket_keepalive=True,
                health_check_interval=30,
                # One retry, at once: after Redis restarts a pooled connection fails once, then reconnects.
                retry=Retry(NoBackoff(), 1),
                retry_on_error=[redis.ConnectionError, redis.TimeoutError],
                decode_responses=True,
            )
            self._redis.ping()
            self._redis.set(self._key("secret"), os.urandom(32).hex(), nx=True)
        except (redis.RedisError, ValueError) as exc:
            raise StateStoreError(f"--state {describe(url)}: cannot use Redis there ({exc})") from None
        self._swap = self._redis.register_script(_SWAP)
        self._append = self._redis.register_script(_APPEND)
        self._reset = self._redis.register_script(_RESET)
        self._lock = threading.Lock()
        self._pubsub: tuple[int, PubSub] | None = None
        self._subscribed = False
        self._copy = _Copy()

    def _key(self, name: str) -> str:
        return PREFIX + name

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        try:
            yield
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            with self._lock:
                self._drop_subscription()
            raise StoreUnavailable(f"{self.name} is unreachable ({exc})") from None

    # the copy and its notifications
    def _drop_subscription(self) -> None:
        """Forget the subscription and the copy (the lock is held): notifications may have been missed."""
        if self._pubsub is not None and self._pubsub[0] == os.getpid():
            with suppress(redis.RedisError):
                self._pubsub[1].close()
        self._pubsub = None
        self._subscribed = False
        self._copy = _Copy()

    def _current_copy(self) -> _Copy | None:
        """This process's copy, emptied by any notification; None while it cannot be trusted yet.

        The lock is held. Raises redis errors.
        """
        if self._pubsub is None or self._pubsub[0] != os.getpid():  # none yet, or made before a fork
            self._pubsub = (os.getpid(), self._redis.pubsub())  # type: ignore[no-untyped-call]
            self._subscribed = False
            self._copy = _Copy()
            self._pubsub[1].subscribe(self._key("changes"))
            self._await_subscription(self._pubsub[1])
        pubsub = self._pubsub[1]
        while (message := pubsub.get_message(timeout=0.0)) is not None:
            if message["type"] == "subscribe":
                self._subscribed = True
            self._copy = _Copy()
        return self._copy if self._subscribed else None

    def _await_subscription(self, pubsub: PubSub) -> None:
        """Wait for Redis to confirm the subscription: only what is read after it may be kept."""
        deadline = time.monotonic() + 5
        while not self._subscribed:
            left = deadline - time.monotonic()
            if left <= 0:
                raise redis.TimeoutError("no confirmation of the subscription to change notifications")
            message = pubsub.get_message(timeout=left)
            if message is not None and message["type"] == "subscribe":
                self._subscribed = True

    def _cached(
        self, read: Callable[[_Copy], _R | None], fetch: Callable[[], _R], keep: Callable[[_Copy, _R], None]
    ) -> _R:
        """`read(copy)` if the copy holds it, else `fetch()`, kept in the copy if no change came meanwhile."""
        with self._reachable():
            with self._lock:
                copy = self._current_copy()
                if copy is not None and (found := read(copy)) is not None:
                    return found
            value = fetch()
            with self._lock:
                if copy is not None and self._copy is copy:
                    keep(copy, value)
            return value

    def _changed(self) -> None:
        """After a write of this process: its own copy goes at once (the notification follows)."""
        with self._lock:
            self._copy = _Copy()

    # control: the clock and the faults
    def _control(self) -> tuple[str, Snapshot]:
        def fetch() -> tuple[str, Snapshot]:
            text = str(self._redis.get(self._key("control")) or "")
            return text, _parse_control(text)

        return self._cached(lambda copy: copy.control, fetch, lambda copy, value: setattr(copy, "control", value))

    def snapshot(self) -> Snapshot:
        return self._control()[1]

    def clock_state(self) -> ClockState:
        return self.snapshot().clock

    def _update(self, change: Callable[[Snapshot], tuple[Snapshot, _R]]) -> _R:
        """Apply `change` to the control state by compare-and-set: it applies whole or not at all."""
        text, current = self._control()
        with self._reachable():
            for _attempt in range(_CAS_ATTEMPTS):
                new, result = change(current)
                reply = self._swap(
                    keys=[self._key("control"), self._key("changes")],
                    args=[text, _control_json(new.clock, new.faults)],
                )
                if reply[0] == 1:
                    self._changed()
                    return result
                text = reply[1]
                current = _parse_control(text)
        raise StoreUnavailable(f"{self.name}: a change kept colliding with others ({_CAS_ATTEMPTS} attempts)")

    def set_clock_state(self, state: ClockState) -> None:
        self._update(lambda snap: (Snapshot(state, snap.faults), None))

    def advance_clock(self, seconds: float) -> ClockState:
        def advance(snap: Snapshot) -> tuple[Snapshot, ClockState]:
            clock = snap.clock.advanced(seconds)
            return Snapshot(clock, snap.faults), clock

        return self._update(advance)

    def update_faults(self, change: FaultUpdate[T]) -> T:
        def apply(snap: Snapshot) -> tuple[Snapshot, T]:
            faults, result = change(list(snap.faults))
            return Snapshot(snap.clock, tuple(faults)), result

        return self._update(apply)

    # tokens
    def _generation(self) -> int:
        def fetch() -> int:
            return int(self._redis.get(self._key("generation")) or 0)

        return self._cached(lambda copy: copy.generation, fetch, lambda copy, value: setattr(copy, "generation", value))

    def _token_key(self, digest: str) -> str:
        return self._key(f"token:{self._generation()}:{digest}")

    def add_token(self, record: TokenRecord) -> None:
        ttl = max(1, int(record.expires_at - record.issued_at)) + TOKEN_TTL_SLACK
        key = self._token_key(record.digest)
        with self._reachable():
            self._redis.set(key, _token_json(record), ex=ttl)

    def get_token(self, digest: str) -> TokenRecord | None:
        def fetch() -> TokenRecord | None:
            text = self._redis.get(self._token_key(digest))
            return None if text is None else _token_record(digest, str(text))

        def keep(copy: _Copy, record: TokenRecord | None) -> None:
            # Only found tokens: one minted through another process must be found at once.
            if record is not None and len(copy.tokens) < _TOKEN_CACHE_SIZE:
                copy.tokens[digest] = record

        return self._cached(lambda copy: copy.tokens.get(digest), fetch, keep)

    def revoke_token(self, digest: str) -> bool:
        key = self._token_key(digest)
        with self._reachable():
            pipe = self._redis.pipeline(transaction=True)
            pipe.delete(key)
            pipe.publish(self._key("changes"), "token")
            deleted, _receivers = pipe.execute()
        self._changed()
        return bool(deleted)

    # journal
    def append_journal(self, entry: JournalEntry, keep: int, keep_bytes: int | None = None) -> None:
        text = json.dumps(entry, separators=(",", ":"))
        with self._reachable():
            self._append(
                keys=[self._key("journal"), self._key("journal:id"), self._key("journal:bytes")],
                args=[text, keep, len(text.encode()), -1 if keep_bytes is None else keep_bytes],
            )

    def journal(self, limit: int | None = None) -> list[JournalEntry]:
        with self._reachable():
            items: list[tuple[str, dict[str, str]]]
            if limit:
                items = list(reversed(self._redis.xrevrange(self._key("journal"), count=limit) or []))  # type: ignore[arg-type]
            else:
                items = self._redis.xrange(self._key("journal")) or []  # type: ignore[assignment]
        return [{"id": int(fields["id"]), **json.loads(fields["entry"])} for _id, fields in items]

    def clear_journal(self) -> None:
        with self._reachable():
            self._redis.delete(self._key("journal"), self._key("journal:bytes"))

    def secret(self) -> str:
        with self._reachable():
            pipe = self._redis.pipeline(transaction=False)
            pipe.set(self._key("secret"), os.urandom(32).hex(), nx=True)  # Redis may have lost it
            pipe.get(self._key("secret"))
            return str(pipe.execute()[1])

    def reset(self) -> None:
        with self._reachable():
            self._reset(
                keys=[
                    self._key("control"),
                    self._key("generation"),
                    self._key("journal"),
                    self._key("changes"),
                    self._key("journal:bytes"),
                    self._key("secret"),
                ],
                args=[_DEFAULT_CONTROL, os.urandom(32).hex()],
            )
        self._changed()

    def prune_tokens(self, before: float) -> int:
        """Forget the tokens that expired before `before` in the mock's time. Redis' own TTLs (the
        lifetime plus `TOKEN_TTL_SLACK`, in real time) bound memory anyway; this keeps the store's
        contract when the mock's clock runs ahead of real time."""
        prefix = self._key(f"token:{self._generation()}:")
        expired: list[str] = []
        with self._reachable():
            for keys in _batches(self._redis.scan_iter(match=prefix + "*", count=1000), 1000):
                for key, text in zip(keys, self._redis.mget(keys), strict=True):
                    if text is not None and _token_record("", str(text)).expires_at < before:
                        expired.append(key)
            for keys in _batches(iter(expired), 1000):
                self._redis.delete(*keys)
        if expired:
            self._changed()
        return len(expired)

    # for operators and tests
    def command_counts(self) -> dict[str, int]:
        """How often Redis has run each command since it started (INFO commandstats), for measuring.

        A script's own commands count too: one EVALSHA (one round trip) running INCR and XADD is three.
        """
        with self._reachable():
            stats: dict[str, Any] = self._redis.info("commandstats")
        return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}

    def close(self) -> None:
        with self._lock:
            self._drop_subscription()
        self._redis.close()

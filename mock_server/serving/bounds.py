"""How long the server of `--workers N` waits for clients and for its workers (no gunicorn import:
anything may read these, e.g. to keep a latency fault below the worker timeout)."""

from __future__ import annotations

WORKER_TIMEOUT = 60
"""Seconds a worker may spend on one request before gunicorn's arbiter kills it (gunicorn's
`timeout`). Anything that makes a request wait (a latency fault) must stay below it."""
REQUEST_SECONDS = 10.0
"""How long a request (head and body together) may take to arrive, from its first byte."""
IDLE_SECONDS = 60.0
"""How long an open connection may stay silent between requests."""
WRITE_SECONDS = 10.0
"""How long the client may take to accept one whole answer."""

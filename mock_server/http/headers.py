"""The mock's own response headers that both the Flask hooks and the fast path write."""

WORKER_HEADER = "X-Cudis-Mock-Worker"
"""The process that answered (its pid, as the journal's `worker`): which of `--workers` served a request."""

"""`cudis-mock serve`: the store the mock runs on, and the server in front of it (one process or gunicorn workers).

With `--workers`, nothing here imports Flask: the arbiter serves the front (front.py).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..config import MockConfig
from ..context import build_context
from ..front import deferred_front
from ..state import MemoryStore, SqliteStore, Store
from ..state.locations import open_location
from .banner import announce

RunWorkers = Callable[..., None]


class WorkersUnavailable(RuntimeError):
    """`--workers N` without gunicorn, which comes with the `workers` extra."""


@contextmanager
def open_store(config: MockConfig) -> Iterator[Store]:
    """The store `config` asks for: its --state file or Redis URL, a temporary file for workers, or memory."""
    if config.state is not None:
        yield open_location(config.state)
    elif config.workers > 1:
        owner = os.getpid()
        directory = tempfile.mkdtemp(prefix="cudis-mock-")
        try:
            yield SqliteStore(Path(directory) / "state.sqlite")
        finally:
            if os.getpid() == owner:  # a forked worker unwinds through here too
                for name in os.listdir(directory):
                    os.unlink(os.path.join(directory, name))
                os.rmdir(directory)
    else:
        yield MemoryStore()


def _worker_runner(workers: int) -> RunWorkers:
    """serving.workers.run_workers, or WorkersUnavailable when gunicorn is not installed."""
    try:
        from .workers import run_workers
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != "gunicorn":
            raise
        raise WorkersUnavailable(
            f"--workers {workers} serves through gunicorn, which is not installed: pip install 'cudis-mock[workers]'"
        ) from None
    return run_workers


def serve(config: MockConfig) -> None:
    """Serve the mock as `config` says until SIGTERM or Ctrl-C.

    Raises FixtureError or ValueError for fixtures, a state file or a scenario that cannot be
    used, and WorkersUnavailable for `--workers` without gunicorn; all before anything listens.
    """
    run_workers = _worker_runner(config.workers) if config.workers > 1 else None
    with open_store(config) as store:
        mock = build_context(config, store=store)
        if run_workers is None:
            from .single import serve_single  # werkzeug's server: the workers never import it

            serve_single(mock, config)
        else:
            wsgi, deferred = deferred_front(mock)
            on_ready = lambda port: announce(mock, config, port)  # noqa: E731
            run_workers(wsgi, config.host, config.port, config.workers, on_ready, post_fork=deferred.start)

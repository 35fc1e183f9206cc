"""The tests' real servers: any WSGI app in a thread of this process, or `cudis-mock serve` in a child.

Neither sleeps for a port. The in-thread server has bound its port before it is returned (it is
the pytest plugin's `ServedApp`, the same server `cudis_mock` runs on); the child prints its
banner once it listens, so reading the banner, under a deadline, is the wait.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, Self, TypeVar
from urllib.parse import urlsplit

import requests

from mock_server.pytest_plugin import ServedApp

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["SERVE", "MockProcess", "in_thread", "on_each_worker", "static_site", "worker"]

SERVE = (sys.executable, "-m", "mock_server.cli", "serve", "--port", "0")
"""`cudis-mock serve` on a free loopback port, with this interpreter (and so this checkout)."""
START_WITHIN = 60.0
"""Seconds a child may take to print its banner."""
STOP_WITHIN = 10.0
"""Seconds a child may take to exit after SIGTERM, before it is killed."""

_URL = re.compile(r"\bat (http://\S+)")
_TOKEN = re.compile(r"^access token for .*: ([A-Z0-9]{32})$")
T = TypeVar("T")


@contextmanager
def in_thread(app: WSGIApplication) -> Iterator[str]:
    """The base URL of `app`, served by a thread of this process until the block ends."""
    with ServedApp(app) as server:
        yield server.base_url


class _Lines:
    """What a child writes to a pipe, line by line, read by a thread (so the child never blocks on a
    full pipe); each line wakes the waiters."""

    def __init__(self, pipe: IO[bytes]) -> None:
        self.lines: list[str] = []
        self.closed = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe: IO[bytes]) -> None:
        try:
            for raw in pipe:
                with self._changed:
                    self.lines.append(raw.decode("utf-8", "replace"))
                    self._changed.notify_all()
        finally:
            pipe.close()
            with self._changed:
                self.closed = True
                self._changed.notify_all()

    def wait_for(self, found: Callable[[list[str]], T | None], within: float) -> T | None:
        """`found(lines)` once it is not None; None if the pipe closes or `within` seconds pass first."""
        deadline = time.monotonic() + within
        with self._changed:
            while (result := found(self.lines)) is None and not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return result

    def text(self) -> str:
        with self._changed:
            return "".join(self.lines)

    def join(self, within: float) -> bool:
        """Whether the pipe closed (every writer exited) within `within` seconds."""
        self._thread.join(within)
        return not self._thread.is_alive()


def _banner(lines: list[str]) -> list[str] | None:
    """The banner's lines once it is complete: from the line naming the URL to the blank line ending it."""
    start = next((i for i, line in enumerate(lines) if line.startswith("cudis-mock serving ")), None)
    if start is None:
        return None
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), None)
    return None if end is None else lines[start:end]


class MockProcess:
    """`cudis-mock serve` in a child process: where it listens, a valid token, its banner and its log.

    Start it with `MockProcess.start(...)` (a subclass's `start` makes one of its own kind); as a
    context manager it stops the child at the end of the block.
    """

    def __init__(
        self, process: subprocess.Popen[bytes], stdout: _Lines, log: Path, banner: list[str], *, temporary_log: bool
    ) -> None:
        self.process = process
        self._stdout = stdout
        self.log = log
        """The file the child's stderr goes to (its access log and errors); a temporary one is gone after stop()."""
        self._temporary_log = temporary_log
        self._last_log: str | None = None
        self.banner = "".join(banner)
        """The banner as printed (its lines, without the blank line that ends it)."""
        url = _URL.search(banner[0])
        token = next((m.group(1) for line in banner if (m := _TOKEN.match(line.strip()))), None)
        assert url and token, self.banner
        self.base_url = url.group(1)
        self.token = token
        """A valid token for the default user and client: the banner's, and a new one after each reset()."""

    @classmethod
    def start(
        cls,
        *args: str,
        command: Sequence[str] = SERVE,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        log: Path | None = None,
        within: float = START_WITHIN,
    ) -> Self:
        """Run `command ARGS` and return once it has printed its banner (so it listens).

        `env` is added to this process's environment; `cwd` is where it runs. Stderr (the access log)
        goes to `log`, or to a temporary file; a line is there once the child has written it, so a
        request's log line is there when its response has arrived. The child leads a process group of its own, so
        that what it starts (gunicorn's workers; the mock under make) is stopped with it.
        """
        temporary_log = log is None
        if log is None:
            handle, name = tempfile.mkstemp(prefix="cudis-mock-", suffix=".log")
            os.close(handle)
            log = Path(name)
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [*command, *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
                cwd=cwd,
                start_new_session=True,
            )
        assert process.stdout is not None
        stdout = _Lines(process.stdout)
        banner = stdout.wait_for(_banner, within)
        if banner is None:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_WITHIN)
            stdout.join(STOP_WITHIN)
            printed = stdout.text() + log.read_text(errors="replace")
            if temporary_log:
                log.unlink()
            raise RuntimeError(
                f"`{' '.join([*command, *args])}` printed no banner within {within} s "
                f"(exit {process.returncode}):\n{printed}"
            )
        return cls(process, stdout, log, banner, temporary_log=temporary_log)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return urlsplit(self.base_url).port or 80

    def log_text(self) -> str:
        """What the child has written to stderr so far (its access log and errors)."""
        if self._last_log is not None:
            return self._last_log
        return self.log.read_text(encoding="utf-8", errors="replace")

    def mint(self, **fields: object) -> str:
        """A new token through the control API (`user_id`, `client_id`, `scope`, `expires_in`)."""
        response = requests.post(f"{self.base_url}/__mock__/tokens", json=fields, timeout=10)
        assert response.status_code == 201, response.text
        return str(response.json()["access_token"])

    def reset(self) -> None:
        """Reset the mock (no token, fault or journal; real time), then mint a new `token`."""
        response = requests.post(f"{self.base_url}/__mock__/reset", timeout=10)
        assert response.status_code < 300, response.text
        self.token = self.mint()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send `sig` (SIGKILL to the whole group if it is not gone within STOP_WITHIN); the exit code."""
        code = _stop(self.process, sig)
        if not self._stdout.join(STOP_WITHIN):
            # Something the child started still holds its stdout: the group is still there, end it.
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self._stdout.join(STOP_WITHIN)
        if self._temporary_log and self._last_log is None:
            self._last_log = self.log_text()
            self.log.unlink()
        return code

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _stop(process: subprocess.Popen[bytes], sig: int) -> int:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=STOP_WITHIN)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_WITHIN)
    return process.returncode


_SERVING = re.compile(r"^Serving HTTP on \S+ port (\d+)")


@contextmanager
def static_site(directory: Path, host: str = "127.0.0.1") -> Iterator[int]:
    """`python3 -m http.server 0 -b HOST -d DIRECTORY` (the README's command for examples/spa, on a free port)
    in a child until the block ends; its port, once it listens (it says so on stdout)."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "-b", host, "-d", str(directory)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert process.stdout is not None
    stdout = _Lines(process.stdout)
    try:
        port = stdout.wait_for(lambda lines: next((int(m[1]) for x in lines if (m := _SERVING.match(x))), None), 30)
        assert port is not None, f"http.server printed no address: {stdout.text()!r}"
        yield port
    finally:
        _stop(process, signal.SIGTERM)
        stdout.join(STOP_WITHIN)


WORKER_ATTEMPTS = 300
"""Requests `on_each_worker` may send before it gives up on a worker that never answers."""


def worker(response: requests.Response) -> int:
    """The process id of the worker that answered."""
    return int(response.headers["X-Cudis-Mock-Worker"])


def on_each_worker(call: Callable[[], requests.Response], workers: set[int] | int) -> dict[int, requests.Response]:
    """An answer to the idempotent `call` (a new connection each time) from each of `workers`: the
    workers' process ids, or how many there are.

    Which worker accepts a connection is the kernel's choice, and one after another it may pick the
    same worker ten times in a row; calls sent four at a time keep both busy, so both accept.
    """
    answers: dict[int, requests.Response] = {}
    with ThreadPoolExecutor(4) as pool:
        for _ in range(0, WORKER_ATTEMPTS, 4):
            for response in pool.map(lambda _: call(), range(4)):
                answers.setdefault(worker(response), response)
            if (set(answers) >= workers) if isinstance(workers, set) else len(answers) >= workers:
                return answers
    raise AssertionError(f"only workers {sorted(answers)} answered, not all of {workers}")

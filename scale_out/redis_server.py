"""Debian's `redis-server` on a free loopback port, with its files in a directory of its own."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Self

from .processes import free_port, stop_process

START_WITHIN = 10.0


class RedisServer:
    """`redis-server` with its data (and, with `append_only`, its append-only file) in `directory`.

    `stop()` and `start()` again keep the port and the files, as a restarted Redis would.
    """

    def __init__(self, directory: Path, *, append_only: bool = False, password: str | None = None) -> None:
        self.directory = directory
        self.append_only = append_only
        self.password = password
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> Self:
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server is not installed (Debian: apt-get install redis-server; or make test)")
        self.directory.mkdir(parents=True, exist_ok=True)
        for _attempt in range(5):
            port = self.port or free_port()
            command = [
                executable,
                "--port", str(port),
                "--bind", "127.0.0.1",
                "--dir", str(self.directory),
                "--save", "",
                "--appendonly", "yes" if self.append_only else "no",
                "--appendfsync", "always",
                "--daemonize", "no",
                "--logfile", str(self.directory / "redis.log"),
            ]  # fmt: skip
            if self.password:
                command += ["--requirepass", self.password]
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            if self._answers(port, process):
                self.port, self.process = port, process
                return self
            process.kill()
            process.wait()
            if self.port:  # a restart must keep its port: another server took it meanwhile
                break
        log = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"redis-server did not start in {self.directory}:\n{log}")

    def _answers(self, port: int, process: subprocess.Popen[bytes]) -> bool:
        import redis

        client = redis.Redis(port=port, password=self.password, socket_connect_timeout=0.2, socket_timeout=1)
        deadline = time.monotonic() + START_WITHIN
        try:
            while process.poll() is None and time.monotonic() < deadline:
                try:
                    client.ping()
                    return True
                except redis.BusyLoadingError:
                    time.sleep(0.02)
                except redis.ConnectionError:
                    time.sleep(0.02)
            return False
        finally:
            client.close()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it (SIGTERM: a clean shutdown; SIGKILL: as on a crash); the files stay."""
        stop_process(self.process, sig)
        self.process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

"""Debian's `haproxy` on a free loopback port, spreading requests over mock processes round-robin.

A request whose server fails before answering (refused, reset, closed without a response) is
sent again to another server (`retry-on` with `redispatch`), and health checks take a dead server
out of the rotation within a fraction of a second: clients see no failed request when one mock
process dies under load. Two settings make that hold for every request: `http-buffer-request`
(a query is a GET with a body, sent after its headers; only a request held whole can be sent
again) and `http-reuse safe` (with `always`, a request sent on a server connection that died
while idle is answered by closing the client's connection, for the client to retry).
Only abnormal requests are logged (retried, redispatched or failed).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Self

from .processes import free_port, stop_process

START_WITHIN = 10.0

_CONFIG = """\
global
    maxconn 4096
    log stderr format short local0 info

defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 10s
    retries 3
    option redispatch 1
    retry-on all-retryable-errors
    http-reuse safe
    option http-buffer-request

frontend mock
    bind 127.0.0.1:{port}
    default_backend mocks

backend mocks
    balance roundrobin
    # The mock answers GET / with a 404 envelope: enough to know it is up.
    option httpchk GET /
    http-check expect rstatus ^[24]
    default-server check inter 250ms fall 1 rise 2
{servers}
"""


def config_text(port: int, servers: Sequence[tuple[str, int]]) -> str:
    lines = [f"    server mock{i} {host}:{server_port}" for i, (host, server_port) in enumerate(servers, start=1)]
    return _CONFIG.format(port=port, servers="\n".join(lines))


class Balancer:
    """`haproxy` in front of `servers` (host, port), its configuration file in `directory`."""

    def __init__(self, directory: Path, servers: Sequence[tuple[str, int]], port: int = 0) -> None:
        self.directory = directory
        self.servers = list(servers)
        self.port = port
        """Where it listens; 0 picks a free port."""
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        executable = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(executable).exists():
            raise RuntimeError("haproxy is not installed (Debian: apt-get install haproxy; or make test)")
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self.directory / "haproxy.cfg"
        log = self.directory / "haproxy.log"
        for _attempt in range(1 if self.port else 5):
            port = self.port or free_port()
            config.write_text(config_text(port, self.servers))
            with log.open("ab") as stderr:
                process = subprocess.Popen(
                    [executable, "-db", "-f", str(config)], stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr
                )
            if self._listens(port, process):
                self.port, self.process = port, process
                return self
            process.kill()
            process.wait()
        raise RuntimeError(
            f"haproxy did not start (port {self.port or 'free'}):\n{log.read_text(errors='replace')[-2000:]}"
        )

    def _listens(self, port: int, process: subprocess.Popen[bytes]) -> bool:
        deadline = time.monotonic() + START_WITHIN
        while process.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return True
            except OSError:
                time.sleep(0.02)
        return False

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

"""Run `cudis-mock serve` as a real process on loopback and read where it listens from its banner."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Served:
    base_url: str
    token: str
    """The token the banner printed."""
    banner: str
    process: subprocess.Popen[str]


@contextmanager
def serving(*args: str, log: Path) -> Iterator[Served]:
    """`cudis-mock serve --port 0 ARGS`, stopped with SIGTERM at the end; stderr goes to `log`."""
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            assert process.stdout is not None
            lines = []
            for line in process.stdout:  # blocks until the banner (the port is bound by then); ends on a blank line
                if not line.strip():
                    break
                lines.append(line)
            url = re.search(r"at (http://\S+)", lines[0] if lines else "")
            assert url, f"no banner: {lines!r} {log.read_text()}"
            yield Served(url.group(1), lines[1].rsplit(" ", 1)[-1].strip(), "".join(lines), process)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()

"""`make cluster`: Redis, three `cudis-mock serve --state redis://...` and haproxy in front, until Ctrl-C.

Prints the balancer's URL with a token and a curl command (the first mock's banner, pointed at
the balancer). Redis keeps an append-only file in the cluster's directory; everything started
here is stopped on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

import click

from .balancer import Balancer
from .redis_server import RedisServer

BANNER_WITHIN = 60.0
_URL = re.compile(r"\bat (http://\S+)")


def _banner(stdout: IO[bytes]) -> list[str]:
    """The banner's lines (from `cudis-mock serving` to the blank line); the rest of stdout is drained."""
    lines: list[str] = []
    for raw in stdout:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        if lines and not line.strip():
            break
        if lines or line.startswith("cudis-mock serving "):
            lines.append(line)
    threading.Thread(target=lambda: all(stdout), daemon=True).start()
    return lines


@contextmanager
def mock_process(args: tuple[str, ...], log: Path) -> Iterator[list[str]]:
    """`cudis-mock serve --port 0 ARGS` until the block ends; its banner's lines (stderr goes to `log`)."""
    command = [sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", *args]
    with log.open("ab") as stderr:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr)
    assert process.stdout is not None
    timer = threading.Timer(BANNER_WITHIN, process.kill)
    timer.start()
    try:
        lines = _banner(process.stdout)
        timer.cancel()
        if not lines:
            raise click.ClickException(f"a mock process did not start: see {log}")
        yield lines
    finally:
        timer.cancel()
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _address(banner: list[str]) -> tuple[str, tuple[str, int]]:
    match = _URL.search(banner[0])
    if match is None:
        raise click.ClickException(f"no URL in the banner: {banner[0]}")
    url = match.group(1)
    host, _, port = url.removeprefix("http://").rpartition(":")
    return url, (host.strip("[]"), int(port))


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@click.command()
@click.option("--mocks", default=3, show_default=True, help="mock processes behind the balancer")
@click.option("--port", default=8080, show_default=True, help="the balancer's port (0 picks a free one)")
@click.option("--workers", default=1, show_default=True, help="gunicorn workers in each mock process")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="keep Redis' append-only file and the logs here (default: a temporary directory)",
)
def main(mocks: int, port: int, workers: int, directory: Path | None) -> None:
    """Serve one mock from several processes sharing Redis, behind haproxy, until Ctrl-C."""
    signal.signal(signal.SIGTERM, _stop)
    with ExitStack() as stack:
        if directory is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cudis-cluster-")))
        directory.mkdir(parents=True, exist_ok=True)
        try:
            redis_server = stack.enter_context(RedisServer(directory / "redis", append_only=True))
            extra = ("--workers", str(workers)) if workers > 1 else ()
            banners = [
                stack.enter_context(mock_process(("--state", redis_server.url, *extra), directory / f"mock{i}.log"))
                for i in range(1, mocks + 1)
            ]
            addresses = [_address(banner) for banner in banners]
            balancer = stack.enter_context(Balancer(directory / "haproxy", [a for _url, a in addresses], port))
            first_url = addresses[0][0]
            print("\n".join(line.replace(first_url, balancer.base_url) for line in banners[0]))
            print(
                f"({mocks} mock processes behind haproxy, state in Redis at {redis_server.url}, files in {directory})"
            )
            print(f"mocks: {', '.join(url for url, _a in addresses)}\n", flush=True)
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None


if __name__ == "__main__":
    main()

"""The figures of docs/scale-out.md: wrk against one mock process and against three behind haproxy.

Three runs, each after a warm-up: one process with its state in memory; one process with its
state in Redis; three processes sharing Redis behind haproxy. For the Redis runs INFO
commandstats is read before and after, so each command's count per request is measured, not
assumed. Prints a Markdown table with the load average (the machine may be shared).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import click
import redis

from .balancer import Balancer
from .cluster import mock_process
from .redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[1]
MIX = ROOT / "bench" / "mix.lua"
"""The wrk script of `make bench`: GET with a JSON body and both headers over three endpoints; counts non-successes."""
_TOKEN = re.compile(r"^access token for .*: ([A-Z0-9]{32})$")
_URL = re.compile(r"\bat (http://\S+)")


@dataclass(frozen=True)
class Run:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    failed: int
    requests: int
    commands: dict[str, float]
    """Redis commands per request, by name (empty for the memory run)."""


def wrk(base_url: str, token: str, connections: int, duration: float) -> dict[str, int]:
    """One wrk run of the bench's request mix (seven days per query); its BENCH_RESULT figures."""
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_DAYS": "7", "BENCH_END": str(int(time.time()) - 2 * 86400)}
    argv = [shutil.which("wrk") or "wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--timeout", "5s"]
    result = subprocess.run(
        [*argv, "-s", str(MIX), base_url], capture_output=True, text=True, env=env, timeout=duration + 60, check=True
    )
    match = re.search(r"BENCH_RESULT (\{.*\})", result.stdout)
    if match is None:
        raise click.ClickException(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")
    return dict(json.loads(match.group(1)))


def _counts(client: redis.Redis | None) -> dict[str, int]:
    if client is None:
        return {}
    stats = client.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}


def _address(banner: list[str]) -> tuple[str, str]:
    """The base URL and the token a mock's banner prints."""
    url = _URL.search(banner[0])
    token = next((m.group(1) for line in banner if (m := _TOKEN.match(line.strip()))), None)
    if url is None or token is None:
        raise click.ClickException("a mock printed no URL or token:\n" + "\n".join(banner))
    return url.group(1), token


def measure(name: str, base_url: str, token: str, client: redis.Redis | None, duration: float, connections: int) -> Run:
    wrk(base_url, token, connections, min(3.0, duration))  # warm-up: days cached, copies made, connections open
    before = _counts(client)
    raw = wrk(base_url, token, connections, duration)
    after = _counts(client)
    requests = max(1, raw["requests"])
    commands = {k: (v - before.get(k, 0)) / requests for k, v in after.items() if k != "info" and v > before.get(k, 0)}
    return Run(
        name=name,
        rps=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        failed=raw["errors"] + raw["not_ok"],
        requests=raw["requests"],
        commands=commands,
    )


def table(runs: list[Run]) -> str:
    lines = [
        "| run | requests/s | p50 ms | p99 ms | requests | failed | Redis commands per request |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        commands = ", ".join(f"{name} {n:.2f}" for name, n in sorted(run.commands.items())) or "none"
        lines.append(
            f"| {run.name} | {run.rps:,.0f} | {run.p50_ms:.1f} | {run.p99_ms:.1f} | {run.requests:,}"
            f" | {run.failed} | {commands} |"
        )
    return "\n".join(lines)


@click.command()
@click.option("--duration", default=15.0, show_default=True, help="seconds of each measured wrk run")
@click.option("--connections", default=16, show_default=True, help="wrk connections")
@click.option("--mocks", default=3, show_default=True, help="mock processes behind haproxy")
def main(duration: float, connections: int, mocks: int) -> None:
    """Measure one mock process (memory, Redis) and MOCKS processes behind haproxy; print a Markdown table."""
    load_before = os.getloadavg()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="cudis-measure-") as folder, ExitStack() as stack:
        directory = Path(folder)
        server = stack.enter_context(RedisServer(directory / "redis"))
        client = stack.enter_context(redis.Redis(port=server.port))
        with mock_process((), directory / "memory.log") as banner:
            runs.append(measure("1 process, state in memory", *_address(banner), None, duration, connections))
        with mock_process(("--state", server.url), directory / "single.log") as banner:
            runs.append(measure("1 process, state in Redis", *_address(banner), client, duration, connections))
        with ExitStack() as cluster:
            banners = [
                cluster.enter_context(mock_process(("--state", server.url), directory / f"mock{i}.log"))
                for i in range(mocks)
            ]
            addresses = [_address(banner) for banner in banners]
            hosts = [
                (url.removeprefix("http://").rpartition(":")[0], int(url.rpartition(":")[2])) for url, _ in addresses
            ]
            balancer = cluster.enter_context(Balancer(directory / "haproxy", hosts))
            name = f"{mocks} processes behind haproxy, state in Redis"
            runs.append(measure(name, balancer.base_url, addresses[0][1], client, duration, connections))
    load_after = os.getloadavg()
    print(table(runs))
    print()
    print(f"wrk: 1 thread, {connections} connections, {duration:g} s per run after a warm-up; {os.cpu_count()} cores")
    print("load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}".format(*load_before))
    print("load average (1, 5, 15 min) after:  {:.2f} {:.2f} {:.2f}".format(*load_after))


if __name__ == "__main__":
    main()

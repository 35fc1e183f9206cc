"""`make bench`: the mock beside Prism, Mockoon and two floors, under the same load; and start-up,
memory and long-range figures. Prints markdown tables and writes them to bench/out/.

Everything listens on 127.0.0.1. Every load run is bounded in time (`--duration`).
Run through `make bench`, which installs wrk, Prism and Mockoon first.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests
import slow_clients

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
BIN = Path(sys.executable).parent
NODE_BIN = BENCH / "node_modules" / ".bin"
SPEC = ROOT / "openapi" / "cudis-v1.yaml"
DAY = 86400
CLIENT = "cudis-wellness"
METRICS = ("heart_beat", "step", "sleep")
WORKERS = 2
LONG_USER = "kiritimati"
WORKER_CLASS = "mock_server.serving.keepalive_worker.KeepAliveWorker"
"""The mock's worker (one thread, keep-alive, requests read whole first): the floors run on it too."""
"""A built-in user with data every day back to 1970 (no join date), for the 10-year query."""
TARGETS = {
    "vs_prism": 2.0,
    "vs_mockoon": 1.5,
    "vs_flask_floor": 0.5,
    "p99_365_c16_ms": 10.0,
    "p99_365_c64_ms": 30.0,
    "slow_p99_ms": 50.0,
    "cold_start_s": 0.3,
    "fixture_start_s": 0.2,
    "rss_mb": 150.0,
    "ten_years_ms": 50.0,
    "proxy_overhead_p50_c16_ms": 2.0,
}


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def range_body(days: int, end: int) -> str:
    return json.dumps({"startTime": end - days * DAY, "endTime": end})


def query_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Cudis-Client-Id": CLIENT, "Content-Type": "application/json"}


@dataclass
class Server:
    """A server process this run started (in its own process group, stopped by its id)."""

    name: str
    argv: list[str]
    port: int
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    log_path: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        self.log_path = OUT / f"{self.name}.log"
        handle = self.log_path.open("wb")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def check_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            tail = self.log_path.read_text(errors="replace")[-2000:] if self.log_path else ""
            raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{tail}")


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_until(server: Server, probe: Callable[[], bool], timeout: float = 60.0) -> float:
    """Seconds from the process start until `probe()` is true (polled every few ms)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        server.check_alive()
        with contextlib.suppress(requests.RequestException, ValueError):
            if probe():
                return time.perf_counter() - server.started
        time.sleep(0.005)
    raise TimeoutError(f"{server.name} did not answer within {timeout:.0f} s; see {server.log_path}")


def query_ok(base_url: str, token: str, days: int, end: int, metric: str = "heart_beat", envelope: bool = True) -> bool:
    response = requests.get(
        f"{base_url}/partner/v1/query/{metric}",
        data=range_body(days, end),
        headers=query_headers(token),
        timeout=30,
    )
    if response.status_code != 200:
        return False
    return not envelope or response.json().get("code") == 200


# --- the servers -------------------------------------------------------------------------


def cli_has_workers() -> bool:
    """Whether `cudis-mock serve` has `--workers` (the production server of the control-plane issue)."""
    result = subprocess.run(
        [str(BIN / "cudis-mock"), "serve", "--help"], capture_output=True, text=True, check=False, cwd=ROOT
    )
    return "--workers" in result.stdout


def gunicorn(name: str, app: str, env: dict[str, str] | None = None) -> Server:
    port = free_port()
    argv = [
        str(BIN / "gunicorn"),
        "--workers",
        str(WORKERS),
        "--worker-class",
        WORKER_CLASS,
        "--bind",
        f"127.0.0.1:{port}",
        "--pythonpath",
        str(BENCH),
        "--log-level",
        "warning",
        app,
    ]
    return Server(name, argv, port, env=env or {})


@dataclass
class Target:
    server: Server
    token: str
    envelope: bool
    """Whether a success must also carry `"code": 200` (the mock); the others mock statically."""
    mint_over_http: bool = False


def mock_target(token: str, body_file: Path) -> Target:
    if cli_has_workers():
        port = free_port()
        argv = [str(BIN / "cudis-mock"), "serve", "--workers", str(WORKERS), "--port", str(port)]
        return Target(Server("mock", argv, port), token="", envelope=True, mint_over_http=True)
    env = {"CUDIS_BENCH_TOKENS": f"{token}:typical,{token}L:{LONG_USER}"}
    return Target(gunicorn("mock", "servers:mock_app()", env), token=token, envelope=True)


def ready(target: Target, end: int) -> float:
    """Cold start: seconds from the process start to the first successful 30-day query."""
    server = target.server

    def probe() -> bool:
        if target.mint_over_http and not target.token:
            response = requests.post(
                f"{server.base_url}/__mock__/tokens", json={"client_id": CLIENT, "user_id": "typical"}, timeout=10
            )
            if response.status_code != 201:
                return False
            target.token = response.json()["access_token"]
        return query_ok(server.base_url, target.token or "x", 30, end, envelope=target.envelope)

    return wait_until(server, probe)


def targets(token: str, body_file: Path) -> dict[str, Callable[[], Target]]:
    floor_env = {"CUDIS_BENCH_BODY": str(body_file)}
    return {
        "mock": lambda: mock_target(token, body_file),
        "flask floor": lambda: Target(gunicorn("flask-floor", "servers:flask_app()", floor_env), token, False),
        "bare WSGI floor": lambda: Target(gunicorn("bare-floor", "servers:bare_app", floor_env), token, False),
        "prism": lambda: Target(prism_server(), token, False),
        "mockoon": lambda: Target(mockoon_server(), token, False),
    }


def prism_server() -> Server:
    port = free_port()
    argv = [str(NODE_BIN / "prism"), "mock", "-h", "127.0.0.1", "-p", str(port), "-v", "warn", str(SPEC)]
    return Server("prism", argv, port)


def mockoon_server() -> Server:
    port = free_port()
    argv = [str(NODE_BIN / "mockoon-cli"), "start", "-d", str(SPEC), "-p", str(port), "-l", "127.0.0.1", "-X"]
    return Server("mockoon", argv, port)


# --- load ----------------------------------------------------------------------------------


@dataclass
class LoadResult:
    server: str
    days: int
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    not_code_200: int = 0
    """Answers that were not an HTTP 200 with `"code": 200` first in the body (for the mock, errors too)."""


def wrk(target: Target, days: int, connections: int, duration: float, end: int, pace_ms: int = 0) -> LoadResult:
    """A wrk run; with `pace_ms`, each connection waits that long after an answer before its next request."""
    env = {
        **os.environ,
        "BENCH_TOKEN": target.token,
        "BENCH_CLIENT": CLIENT,
        "BENCH_DAYS": str(days),
        "BENCH_END": str(end),
        "BENCH_PACE_MS": str(pace_ms),
    }
    argv = [
        shutil.which("wrk") or "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",  # wrk takes whole seconds
        "--timeout",
        "5s",
        "-s",
        str(BENCH / "mix.lua"),
        target.server.base_url,
    ]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=duration + 60, check=True)
    match = re.search(r"BENCH_RESULT (\{.*\})", result.stdout)
    if match is None:
        raise RuntimeError(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")
    raw = json.loads(match.group(1))
    return LoadResult(
        server=target.server.name,
        days=days,
        connections=connections,
        rps=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        errors=raw["errors"] + (raw["not_ok"] if target.envelope else 0),
        requests=raw["requests"],
        not_code_200=raw["not_ok"],
    )


def load_runs(
    make: dict[str, Callable[[], Target]],
    duration: float,
    warmup: float,
    end: int,
    slow: dict[str, Any] | None = None,
) -> tuple[list[LoadResult], dict[str, float]]:
    """The four cells of each server; for the mock, also the slow-client run into `slow`."""
    results: list[LoadResult] = []
    cold: dict[str, float] = {}
    for label, factory in make.items():
        target = factory()
        target.server.name = label
        with running(target.server):
            cold[label] = ready(target, end)
            for metric in METRICS:  # every endpoint and range answers before load, as the load sends it
                for days in (30, 365):
                    if not query_ok(target.server.base_url, target.token, days, end, metric, target.envelope):
                        raise RuntimeError(f"{label}: {metric} {days} days did not succeed")
            log(f"{label}: ready in {cold[label]:.2f} s; warming up {warmup:g} s")
            wrk(target, 30, 16, warmup, end)
            for days in (30, 365):
                for connections in (16, 64):
                    result = wrk(target, days, connections, duration, end)
                    log(
                        f"{label}: {days} d c{connections}: {result.rps:,.0f} req/s, "
                        f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, errors {result.errors}, "
                        f"not code 200 {result.not_code_200}"
                    )
                    results.append(result)
            if label == "mock" and slow is not None:
                slow.update(under_slow_clients(target, max(duration, 12.0), end))
    return results, cold


# --- the proxy's overhead ---------------------------------------------------------------------


PROXY_WORKERS = 2


def proxy_server(upstream: str) -> Server:
    """`cudis-mock proxy --workers 2` in front of `upstream` (no recording: the overhead of forwarding and judging)."""
    port = free_port()
    argv = [str(BIN / "cudis-mock"), "proxy", "--upstream", upstream, "--port", str(port)]
    return Server("proxy", [*argv, "--workers", str(PROXY_WORKERS)], port)


def group_cpu_seconds(server: Server) -> float:
    """User and system CPU of every live process in the server's process group (its workers too)."""
    assert server.proc is not None
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == server.proc.pid:  # pgrp: the session leader's pid (start_new_session)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


PACE_MS = 5
"""The paced load: each of the 16 connections waits 5 ms after an answer (about 3,000 queries/s in all,
within what the proxy serves on these two cores)."""
LOADS = {"paced": PACE_MS, "saturated": 0}


def proxy_overhead(end: int, duration: float, warmup: float, rounds: int = 3) -> dict[str, Any]:
    """p50 and p99 of 30-day queries at 16 connections: the mock alone and the proxy in front of the same mock,
    in alternating runs (so that a change in the machine's load falls on both), the median of each; under a
    paced load (the latency the hop adds to a request) and as fast as answers come (saturated: there the p50
    is the queue of two saturated cores, set by the CPU per request of mock and proxy together).

    Each answer through the proxy is judged (the verdict of an identical exchange is kept for a
    minute, as a polling app's are); the overhead is the difference of the two median p50s.
    """
    token = "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(32))
    mock = mock_target(token, OUT / "fixed-body.json")
    runs: dict[tuple[str, str], list[LoadResult]] = {(load, label): [] for load in LOADS for label in ("mock", "proxy")}
    cpu_ms: dict[tuple[str, str], list[float]] = {key: [] for key in runs}
    """CPU per request of the process the run loaded: the mock alone, or the proxy (its own, not the mock's)."""
    with running(mock.server):
        ready(mock, end)
        proxied = Target(proxy_server(mock.server.base_url), mock.token, envelope=True)
        with running(proxied.server):
            wait_until(proxied.server, lambda: query_ok(proxied.server.base_url, proxied.token, 30, end))
            for target in (mock, proxied):
                wrk(target, 30, 16, warmup, end)
            for _ in range(rounds):
                for load, pace in LOADS.items():
                    for label, target in (("mock", mock), ("proxy", proxied)):
                        before = group_cpu_seconds(target.server)
                        result = wrk(target, 30, 16, duration / rounds, end, pace)
                        used = (group_cpu_seconds(target.server) - before) * 1000 / max(result.requests, 1)
                        cpu_ms[(load, label)].append(used)
                        runs[(load, label)].append(result)
                        log(
                            f"{label}: 30 d c16, {load}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
                            f"p99 {result.p99_ms:.2f} ms, errors {result.errors}, CPU {used:.2f} ms/request"
                        )
    figure: dict[str, Any] = {"workers": PROXY_WORKERS, "pace_ms": PACE_MS, "load_average": os.getloadavg()}
    for load in LOADS:
        part: dict[str, Any] = {
            label: {
                "p50_ms": statistics.median(r.p50_ms for r in runs[(load, label)]),
                "p99_ms": statistics.median(r.p99_ms for r in runs[(load, label)]),
                "rps": statistics.median(r.rps for r in runs[(load, label)]),
                "errors": sum(r.errors for r in runs[(load, label)]),
                "cpu_ms_per_request": statistics.median(cpu_ms[(load, label)]),
                "runs": [asdict(r) for r in runs[(load, label)]],
            }
            for label in ("mock", "proxy")
        }
        part["overhead_p50_ms"] = part["proxy"]["p50_ms"] - part["mock"]["p50_ms"]
        figure[load] = part
        log(f"proxy overhead at p50, {load}: {part['overhead_p50_ms']:.2f} ms")
    return figure


def proxy_only(args: argparse.Namespace) -> int:
    """`--proxy-only`: just the proxy's overhead, printed as JSON."""
    OUT.mkdir(parents=True, exist_ok=True)
    end = int(time.time()) // DAY * DAY
    print(json.dumps(proxy_overhead(end, args.duration, args.warmup), indent=2))
    return 0


INTERLEAVED = ("mock", "prism", "flask floor")


def interleaved(
    make: dict[str, Callable[[], Target]], rounds: int, seconds: float, end: int
) -> dict[str, dict[str, float]]:
    """The mock, Prism and the Flask floor running at once (an idle server costs nothing), each cell
    loaded `rounds` times in turn for `seconds` each: the median req/s of each server per cell. On a
    machine shared with other work, servers measured minutes apart see different machines; these
    ratios see the same one."""
    targets = {label: make[label]() for label in INTERLEAVED}
    for label, target in targets.items():
        target.server.name = f"{label} (interleaved)"
    medians: dict[str, dict[str, float]] = {}
    with contextlib.ExitStack() as stack:
        for target in targets.values():
            stack.enter_context(running(target.server))
            ready(target, end)
        for target in targets.values():
            wrk(target, 30, 16, 1.0, end)  # warm-up
        for days in (30, 365):
            for connections in (16, 64):
                cell = f"{days} d c{connections}"
                runs: dict[str, list[float]] = {label: [] for label in targets}
                for _ in range(rounds):
                    for label, target in targets.items():
                        result = wrk(target, days, connections, seconds, end)
                        if result.errors:
                            raise RuntimeError(f"{label}: {result.errors} errors in the interleaved run")
                        runs[label].append(result.rps)
                medians[cell] = {label: statistics.median(values) for label, values in runs.items()}
                log(f"interleaved {cell}: " + ", ".join(f"{k} {v:,.0f}" for k, v in medians[cell].items()))
    return medians


# --- the other figures ------------------------------------------------------------------------

SLOW = 100
IDLE = 100


def under_slow_clients(target: Target, duration: float, end: int) -> dict[str, Any]:
    """Ordinary 30-day queries at 16 connections while SLOW slow-loris and IDLE idle keep-alive
    connections are held against the mock (bench/slow_clients.py)."""
    address = ("127.0.0.1", target.server.port)
    body = range_body(30, end).encode()
    with slow_clients.held(
        address, path="/partner/v1/query/heart_beat", token=target.token, client=CLIENT, body=body, slow=SLOW, idle=IDLE
    ) as tally:
        result = wrk(target, 30, 16, duration, end)
    log(
        f"with {SLOW} slow-loris and {IDLE} idle connections: {result.rps:,.0f} req/s, p99 {result.p99_ms:.1f} ms, "
        f"errors {result.errors}; slow clients closed by the server {tally.slow_closed_by_server}, "
        f"idle still open {tally.idle_open_at_end}"
    )
    return {**asdict(result), **asdict(tally)}


def cold_starts(make: dict[str, Callable[[], Target]], end: int, rounds: int) -> dict[str, float]:
    """Median seconds from process start to the first successful query."""
    medians = {}
    for label in ("mock", "prism", "mockoon"):
        times = []
        for _ in range(rounds):
            target = make[label]()
            with running(target.server):
                times.append(ready(target, end))
        medians[label] = statistics.median(times)
        log(f"cold start {label}: {', '.join(f'{t:.2f}' for t in times)} s")
    # The single-process development server (`cudis-mock serve`): token from its banner.
    times = []
    for _ in range(rounds):
        port = free_port()
        server = Server("mock-dev", [str(BIN / "cudis-mock"), "serve", "--port", str(port)], port)
        with running(server):

            def probe(server: Server = server) -> bool:
                assert server.log_path is not None
                found = re.search(r"access token for user '[^']+', client '[^']+': (\S+)", server.log_path.read_text())
                return found is not None and query_ok(server.base_url, found.group(1), 30, end)

            times.append(wait_until(server, probe))
    medians["mock (cudis-mock serve, 1 process)"] = statistics.median(times)
    return medians


FIXTURE_TEST = """
import json, os, time
from pathlib import Path

import pytest
import requests


@pytest.fixture(scope="session")
def t0():
    return time.perf_counter()


def first_query(t0, base_url, token):
    end = int(time.time()) // 86400 * 86400
    response = requests.get(
        base_url + "/partner/v1/query/heart_beat",
        data=json.dumps({"startTime": end - 30 * 86400, "endTime": end}),
        headers={"Authorization": "Bearer " + token, "Cudis-Client-Id": "cudis-wellness",
                 "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.json()["code"] == 200
    Path(os.environ["BENCH_FIXTURE_OUT"]).write_text(str(time.perf_counter() - t0))


def test_plugin(t0, cudis_mock, cudis_token):
    first_query(t0, cudis_mock.base_url, cudis_token)


def test_live_mock(t0, live_mock):
    first_query(t0, live_mock.base_url, live_mock.mint(user_id="typical", client_id="cudis-wellness"))
"""
FIXTURES = {
    "plugin": "the cudis_mock and cudis_token fixtures of the pytest plugin (mock_server/pytest_plugin.py)",
    "live_mock": "the live_mock fixture of tests/conftest.py",
}


def fixture_start(rounds: int) -> dict[str, float]:
    """Each session fixture in a fresh pytest: from the first fixture of the session to the first query
    answered (create the app, serve it on loopback, reset, mint, query)."""
    medians = {}
    with tempfile.TemporaryDirectory(prefix="cudis-bench-") as tmp:
        test_file = Path(tmp) / "test_fixture_start.py"
        test_file.write_text(FIXTURE_TEST)
        out = Path(tmp) / "seconds"
        for name in FIXTURES:
            times = []
            for _ in range(rounds):
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "pytest",
                        "-q",
                        "-p",
                        "tests.conftest",
                        "-p",
                        "no:cacheprovider",
                        "--rootdir",
                        tmp,
                        f"{test_file}::test_{name}",
                    ],
                    cwd=ROOT,
                    env={**os.environ, "BENCH_FIXTURE_OUT": str(out), "PYTHONPATH": str(ROOT)},
                    capture_output=True,
                    check=True,
                    timeout=120,
                )
                times.append(float(out.read_text()))
            log(f"fixture start, {name}: {', '.join(f'{t:.3f}' for t in times)} s")
            medians[name] = statistics.median(times)
    return medians


def write_user_fixtures(directory: Path, count: int) -> None:
    """clients and personas from the built-in set; `count` users spread over personas and zones."""
    builtin = ROOT / "fixtures"
    shutil.copy(builtin / "clients.yaml", directory / "clients.yaml")
    shutil.copy(builtin / "personas.yaml", directory / "personas.yaml")
    personas = ("typical", "athlete", "sedentary", "night_shift", "sparse")
    zones = ("America/New_York", "Europe/Berlin", "Asia/Tokyo", "UTC", "Europe/London", "Australia/Sydney")
    with (directory / "users.yaml").open("w", encoding="utf-8") as handle:
        handle.write("users:\n")
        for i in range(count):
            handle.write(
                f"  - id: user-{i:06d}\n    username: user{i}\n    password: cudis\n"
                f"    persona: {personas[i % len(personas)]}\n    timezone: {zones[i % len(zones)]}\n"
                f'    joined: "2020-01-01"\n'
            )


def peak_rss(users: int | None, end: int, queries: int) -> tuple[float, float]:
    """Peak RSS (MB) of `cudis-mock serve` after `queries` 365-day queries over distinct user-years.

    Returns (peak RSS, start-up seconds). The same workload runs whatever the number of users:
    150 years of days with data, so the day and answer caches hold as many entries in both runs.
    """
    with tempfile.TemporaryDirectory(prefix="cudis-bench-users-") as tmp:
        argv = [str(BIN / "cudis-mock"), "serve"]
        if users is not None:
            write_user_fixtures(Path(tmp), users)
            argv += ["--fixtures", tmp]
        port = free_port()
        server = Server(f"rss-{users or 'builtin'}", [*argv, "--port", str(port)], port)
        with running(server):
            session = requests.Session()
            user_ids = [f"user-{i:06d}" for i in range(0, users, max(1, users // queries))] if users else []
            if not user_ids:  # the built-in users with data every day (no join date): the same days cached
                user_ids = ["kiritimati", "baker-island", "extreme", "doc-example"]
            mint = {"client_id": CLIENT, "user_id": user_ids[0]}
            started = wait_until(
                server,
                lambda: session.post(f"{server.base_url}/__mock__/tokens", json=mint, timeout=5).status_code == 201,
                600,
            )
            tokens: dict[str, str] = {}
            for i in range(queries):
                user = user_ids[i % len(user_ids)]
                years_back = i // len(user_ids)
                if user not in tokens:
                    response = session.post(
                        f"{server.base_url}/__mock__/tokens", json={"client_id": CLIENT, "user_id": user}, timeout=10
                    )
                    response.raise_for_status()
                    tokens[user] = response.json()["access_token"]
                stop = end - years_back * 365 * DAY
                response = session.get(
                    f"{server.base_url}/partner/v1/query/heart_beat",
                    data=range_body(365, stop),
                    headers=query_headers(tokens[user]),
                    timeout=30,
                )
                if response.json().get("code") != 200:
                    raise RuntimeError(f"query for {user} failed: {response.text[:200]}")
            assert server.proc is not None
            status = Path(f"/proc/{server.proc.pid}/status").read_text()
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            assert match is not None
            return int(match.group(1)) / 1024, started


def ten_year_query(target: Target, end: int) -> tuple[float, float]:
    """(first, best of three repeats) milliseconds of a 10-year step query that nobody asked for yet.

    Every worker first answers a few ordinary 30-day queries (for another user): a worker's very
    first request after the fork costs 10-30 ms more whatever it asks, which is start-up, not
    the query (the cold start figure covers start-up).
    """
    assert target.mint_over_http or target.token
    workers: set[str] = set()
    for _ in range(50):
        if len(workers) >= WORKERS:
            break
        warm = requests.get(
            f"{target.server.base_url}/partner/v1/query/heart_beat",
            data=range_body(30, end),
            headers=query_headers(target.token),
            timeout=10,
        )
        workers.add(warm.headers.get("X-Cudis-Mock-Worker", ""))
    url = f"{target.server.base_url}/partner/v1/query/step"
    token = target.token + "L"
    if target.mint_over_http:
        token = requests.post(
            f"{target.server.base_url}/__mock__/tokens", json={"client_id": CLIENT, "user_id": LONG_USER}, timeout=10
        ).json()["access_token"]
    body = range_body(3650, end)
    times = []
    for _ in range(4):
        started = time.perf_counter()
        response = requests.get(url, data=body, headers=query_headers(token), timeout=30)
        times.append((time.perf_counter() - started) * 1000)
        data = response.json()
        if data.get("code") != 200 or len(data["data"]["list"]) < 3000:
            raise RuntimeError(f"10-year query failed: {response.text[:200]}")
    return times[0], min(times[1:])


def contract_wall_time() -> tuple[str, float]:
    """Wall time of `cudis-contract run` (defaults: 100 examples per operation) against the mock
    as the load runs serve it, from the command's start to its exit."""
    port = free_port()
    server = Server(
        "contract-mock", [str(BIN / "cudis-mock"), "serve", "--workers", str(WORKERS), "--port", str(port)], port
    )
    with running(server):
        wait_until(server, lambda: requests.get(f"{server.base_url}/__mock__/requests", timeout=5).status_code == 200)
        command = [str(BIN / "cudis-contract"), "run", "--base-url", server.base_url]
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=900)
        elapsed = time.perf_counter() - started
    (OUT / "contract.log").write_text(result.stdout + result.stderr)
    found = re.search(r"(\d+) operations, (\d+) requests", result.stdout + result.stderr)
    what = f"`cudis-contract run` against `cudis-mock serve --workers {WORKERS}`"
    if found:
        what += f" ({found.group(1)} operations, {found.group(2)} requests)"
    if result.returncode != 0:
        what += f" -- FAILED (exit {result.returncode}, see bench/out/contract.log)"
    return what, elapsed


# --- report -----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        mem = f"{int(match.group(1)) / 1024 / 1024:.0f} GB" if match else ""

    def version(argv: list[str]) -> str:
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
        except OSError:
            return "?"
        return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else "?"

    return {
        "cpu": f"{cpu} x {os.cpu_count()}",
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "wrk": version(["wrk", "-v"]),
        "node": version(["node", "--version"]),
        "prism": version([str(NODE_BIN / "prism"), "--version"]),
        "mockoon-cli": version([str(NODE_BIN / "mockoon-cli"), "--version"]),
        "gunicorn": version([str(BIN / "gunicorn"), "--version"]),
    }


def mark(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(data: dict[str, Any]) -> str:
    lines = ["## Load (wrk, 1 thread, GET with JSON body and both headers, three endpoints in turn)", ""]
    lines += [
        "| server | range | connections | req/s | p50 ms | p99 ms | errors | not code 200 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    by_key = {(r["server"], r["days"], r["connections"]): r for r in data["load"]}
    servers = list(dict.fromkeys(r["server"] for r in data["load"]))
    for r in data["load"]:
        lines.append(
            f"| {r['server']} | {r['days']} d | {r['connections']} | {r['rps']:,.0f} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['errors']} | {r.get('not_code_200', 0)} |"
        )
    lines += ["", "## Ratios of the mock's req/s", ""]
    others = [s for s in servers if s != "mock"]
    lines += ["| range | connections | " + " | ".join(f"mock / {s}" for s in others) + " |"]
    lines += ["|---|---|" + "---|" * len(others)]
    for days in (30, 365):
        for connections in (16, 64):
            mock = by_key[("mock", days, connections)]["rps"]
            cells = [f"{mock / by_key[(s, days, connections)]['rps']:.2f}x" for s in others]
            lines.append(f"| {days} d | {connections} | " + " | ".join(cells) + " |")
    if data.get("interleaved"):
        lines += ["", "## Side by side: mock, Prism and the Flask floor up at once, cells loaded in turn (medians)", ""]
        lines += ["| cell | mock req/s | prism req/s | flask floor req/s | mock / prism | mock / flask floor |"]
        lines += ["|---|---|---|---|---|---|"]
        for cell, m in data["interleaved"].items():
            lines.append(
                f"| {cell} | {m['mock']:,.0f} | {m['prism']:,.0f} | {m['flask floor']:,.0f} | "
                f"{m['mock'] / m['prism']:.2f}x | {m['mock'] / m['flask floor']:.2f}x |"
            )
    f = data["figures"]
    lines += ["", "## Other figures", "", "| figure | value | target | |", "|---|---|---|---|"]
    for label, seconds in f["cold_start_s"].items():
        target = f"< {TARGETS['cold_start_s']} s" if label == "mock" else ""
        verdict = mark(seconds < TARGETS["cold_start_s"]) if label == "mock" else ""
        lines.append(f"| cold start, {label} (process start to first query) | {seconds:.2f} s | {target} | {verdict} |")
    for name, seconds in f["fixture_start_s"].items():
        lines.append(
            f"| pytest fixture start, {FIXTURES[name]}: to the first query answered | {seconds:.3f} s | "
            f"< {TARGETS['fixture_start_s']} s | {mark(seconds < TARGETS['fixture_start_s'])} |"
        )
    rss_b, rss_u = f["rss_mb"]["builtin"], f["rss_mb"]["100000"]
    lines.append(f"| peak RSS, built-in fixtures (11 users), same query load | {rss_b:.0f} MB | | |")
    lines.append(
        f"| peak RSS, 100,000 users | {rss_u:.0f} MB (+{rss_u - rss_b:.0f} MB) | < {TARGETS['rss_mb']:.0f} MB | "
        f"{mark(rss_u < TARGETS['rss_mb'])} |"
    )
    lines.append(f"| start-up with 100,000 users (`cudis-mock serve --fixtures`) | {f['users_start_s']:.1f} s | | |")
    first, warm = f["ten_years_ms"]
    lines.append(
        f"| one 10-year step query (first / repeated) | {first:.0f} ms / {warm:.0f} ms | "
        f"< {TARGETS['ten_years_ms']:.0f} ms | {mark(first < TARGETS['ten_years_ms'])} |"
    )
    what, seconds = f["contract"]
    lines.append(f"| contract suite wall time: {what} | {seconds:.1f} s | | |")
    if "proxy" in f:
        limit = TARGETS["proxy_overhead_p50_c16_ms"]
        for load, how in (
            ("paced", f"each connection pausing {f['proxy']['pace_ms']} ms between requests"),
            ("saturated", "as fast as answers come"),
        ):
            part = f["proxy"][load]
            added = part["overhead_p50_ms"]
            mock_run, proxy_run = part["mock"], part["proxy"]
            lines.append(
                f"| proxy overhead, p50 of 30-day queries at 16 connections, {how} (proxy in front of the mock, "
                f"minus the mock) | {added:.2f} ms (mock {mock_run['p50_ms']:.2f} ms at {mock_run['rps']:,.0f}/s, "
                f"proxied {proxy_run['p50_ms']:.2f} ms at {proxy_run['rps']:,.0f}/s; CPU per request: "
                f"mock {mock_run['cpu_ms_per_request']:.2f} ms, proxy {proxy_run['cpu_ms_per_request']:.2f} ms) "
                f"| < {limit:g} ms | {mark(added < limit)} |"
            )
    lines += ["", "## Targets on the load", "", "| target | worst case | |", "|---|---|---|"]
    for other, key in (("prism", "vs_prism"), ("mockoon", "vs_mockoon"), ("flask floor", "vs_flask_floor")):
        worst = min(by_key[("mock", d, c)]["rps"] / by_key[(other, d, c)]["rps"] for d in (30, 365) for c in (16, 64))
        lines.append(f"| mock >= {TARGETS[key]}x {other} req/s | {worst:.2f}x | {mark(worst >= TARGETS[key])} |")
        if other in INTERLEAVED and data.get("interleaved"):
            paired = min(m["mock"] / m[other] for m in data["interleaved"].values())
            lines.append(
                f"| mock >= {TARGETS[key]}x {other} req/s, side by side | {paired:.2f}x | "
                f"{mark(paired >= TARGETS[key])} |"
            )
    p99 = by_key[("mock", 365, 16)]["p99_ms"]
    lines.append(
        f"| mock p99 < {TARGETS['p99_365_c16_ms']:.0f} ms, 365-day queries, 16 connections | {p99:.1f} ms | "
        f"{mark(p99 < TARGETS['p99_365_c16_ms'])} |"
    )
    p99_64 = by_key[("mock", 365, 64)]["p99_ms"]
    lines.append(
        f"| mock p99 < {TARGETS['p99_365_c64_ms']:.0f} ms, 365-day queries, 64 connections | {p99_64:.1f} ms | "
        f"{mark(p99_64 < TARGETS['p99_365_c64_ms'])} |"
    )
    slow = data.get("slow_clients") or {}
    if slow:
        ok = slow["p99_ms"] < TARGETS["slow_p99_ms"] and slow["errors"] == 0
        lines.append(
            f"| with {slow['slow']} slow-loris + {slow['idle']} idle keep-alive connections: 30-day queries at "
            f"16 connections, p99 < {TARGETS['slow_p99_ms']:.0f} ms and none failed | p99 {slow['p99_ms']:.1f} ms, "
            f"{slow['rps']:,.0f} req/s, {slow['errors']} failed of {slow['requests']:,} | {mark(ok)} |"
        )
        lines.append(
            f"| (slow-loris connections the mock closed at its request bound, each reconnecting: "
            f"{slow['slow_closed_by_server']}; idle connections still open at the end: "
            f"{slow['idle_open_at_end']}) | | |"
        )
    lines += ["", "## Machine", ""] + [f"- {k}: {v}" for k, v in data["machine"].items()]
    lines += [f"- mock server: {data['mock_server']}", f"- duration per load run: {data['duration']:g} s"]
    return "\n".join(lines) + "\n"


def quick_load(args: argparse.Namespace) -> int:
    """`--load-only`: the load runs of some servers, printed as they finish."""
    OUT.mkdir(parents=True, exist_ok=True)
    end = int(time.time()) // DAY * DAY
    token = "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(32))
    body_file = OUT / "fixed-body.json"
    if not body_file.exists():
        body_file.write_bytes(b'{"code":200,"msg":"success","data":{}}')
    make = targets(token, body_file)
    wanted = [name.strip() for name in args.load_only.split(",")]
    unknown = [name for name in wanted if name not in make]
    if unknown:
        raise SystemExit(f"unknown server(s) {', '.join(unknown)}; known: {', '.join(make)}")
    load_runs({name: make[name] for name in wanted}, args.duration, args.warmup, end, slow={})
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=float(os.environ.get("BENCH_DURATION", "8")))
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each cold-start measurement")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--rss-queries", type=int, default=150)
    parser.add_argument("--skip-load", action="store_true", help="only the start-up, memory and long-range figures")
    parser.add_argument("--proxy-only", action="store_true", help="only the proxy's overhead over the mock")
    parser.add_argument(
        "--load-only",
        metavar="SERVER,...",
        help="only the load runs, of these servers (e.g. 'mock,flask floor'); a quick comparison, no report",
    )
    args = parser.parse_args()
    if args.load_only:
        return quick_load(args)
    if args.proxy_only:
        return proxy_only(args)

    OUT.mkdir(parents=True, exist_ok=True)
    end = int(time.time()) // DAY * DAY
    token = "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(32))
    data: dict[str, Any] = {"machine": machine(), "duration": args.duration}
    data["mock_server"] = (
        f"cudis-mock serve --workers {WORKERS}"
        if cli_has_workers()
        else f"gunicorn --workers {WORKERS} --worker-class {WORKER_CLASS} mock_server.wsgi (bench/servers.py)"
    )

    # The floors answer the mock's own 30-day heart_beat body.
    body_file = OUT / "fixed-body.json"
    mock = mock_target(token, body_file)
    body_file.write_bytes(b"{}")
    with running(mock.server):
        ready(mock, end)
        response = requests.get(
            f"{mock.server.base_url}/partner/v1/query/heart_beat",
            data=range_body(30, end),
            headers=query_headers(mock.token),
            timeout=10,
        )
        body_file.write_bytes(response.content)
        data["figures"] = {"ten_years_ms": ten_year_query(mock, end)}
    log(f"10-year query: first {data['figures']['ten_years_ms'][0]:.0f} ms")

    make = targets(token, body_file)
    data["load"] = []
    if not args.skip_load:
        data["slow_clients"] = {}
        results, _ = load_runs(make, args.duration, args.warmup, end, slow=data["slow_clients"])
        data["load"] = [asdict(r) for r in results]
        data["machine"]["load average after the load runs"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        data["interleaved"] = interleaved(make, args.rounds, max(2.0, args.duration / 4), end)
    figures = data["figures"]
    figures["cold_start_s"] = cold_starts(make, end, args.rounds)
    figures["fixture_start_s"] = fixture_start(args.rounds)
    rss_builtin, _ = peak_rss(None, end, args.rss_queries)
    rss_users, users_start = peak_rss(args.users, end, args.rss_queries)
    figures["rss_mb"] = {"builtin": rss_builtin, str(args.users): rss_users}
    figures["rss_mb"].setdefault("100000", rss_users)
    figures["users_start_s"] = users_start
    log(f"peak RSS: built-in {rss_builtin:.0f} MB, {args.users} users {rss_users:.0f} MB")
    (OUT / "results.json").write_text(json.dumps(data, indent=2))  # kept if the contract run hangs
    if not args.skip_load:
        figures["proxy"] = proxy_overhead(end, args.duration, args.warmup)
    figures["contract"] = contract_wall_time()
    log(f"contract suite: {figures['contract'][1]:.1f} s")

    (OUT / "results.json").write_text(json.dumps(data, indent=2))
    if args.skip_load:
        print(json.dumps(figures, indent=2))
        return 0
    text = report(data)
    (OUT / "results.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

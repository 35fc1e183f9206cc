"""Load and faults against `cudis-mock serve --workers 2`, on loopback, bounded in count and time.

Run with `make soak`. Each test prints one `SOAK ...` line with its figures (pytest -s).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ..reliability.harness import RANGE, ServedMock, auth_headers

HERE = Path(__file__).resolve().parent
SOAK_REQUESTS = int(os.environ.get("SOAK_REQUESTS", "100000"))
SOAK_CONNECTIONS = int(os.environ.get("SOAK_CONNECTIONS", "64"))
SOAK_SECONDS_MAX = float(os.environ.get("SOAK_SECONDS_MAX", "300"))


def report(name: str, figures: dict[str, Any]) -> None:
    line = f"SOAK {name} {json.dumps(figures, sort_keys=True)}"
    print(line, flush=True)
    results = os.environ.get("SOAK_RESULTS")
    if results:
        with open(results, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers under its arbiter)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class RssSampler:
    """Samples the RSS of every worker of `master` every `interval` seconds in a thread."""

    def __init__(self, master: int, interval: float = 0.5) -> None:
        self.master, self.interval = master, interval
        self.samples: list[tuple[float, dict[int, int]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._start = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            sizes = {pid: rss for pid in children(self.master) if (rss := rss_kib(pid)) is not None}
            self.samples.append((time.monotonic() - self._start, sizes))


def answering_worker(mock: ServedMock) -> int | None:
    """The pid of the worker that answers a valid query on a new connection (None: no answer)."""
    try:
        response = mock.query()
    except OSError:
        return None
    worker = response.header("X-Cudis-Mock-Worker")
    return int(worker) if response.status == 200 and worker else None


def wait_for_workers(mock: ServedMock, count: int = 2, within: float = 30.0) -> list[int]:
    """The pids of `count` workers, once each has answered (gunicorn announces before it forks them)."""
    seen: set[int] = set()
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and len(seen) < count:
        seen.add(answering_worker(mock) or 0)
        seen.discard(0)
    assert len(seen) == count, f"only workers {sorted(seen)} answered in {within} s"
    return sorted(seen)


def wait_for_a_new_worker(mock: ServedMock, old: set[int], within: float = 30.0) -> int | None:
    """The pid of the first worker not in `old` to answer a query; None if none does within `within` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        worker = answering_worker(mock)
        if worker is not None and worker not in old:
            return worker
    return None


@pytest.fixture
def workers() -> Iterator[ServedMock]:
    with ServedMock.start("--workers", "2") as mock:
        wait_for_workers(mock)
        yield mock


def _wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        pytest.fail("wrk is not installed: `make soak` installs it (Debian package wrk)")
    return path


def run_wrk(mock: ServedMock, requests: int, connections: int, max_seconds: float) -> tuple[str, float]:
    """wrk until `requests` responses (count.lua says so on stderr), then SIGINT so it prints its summary and closes."""
    started = time.monotonic()
    wrk = subprocess.Popen(
        [
            _wrk(),
            "-t1",
            f"-c{connections}",
            f"-d{int(max_seconds)}s",
            "--timeout",
            "10s",
            "-s",
            str(HERE / "count.lua"),
            mock.base_url,
        ],
        env={**os.environ, "SOAK_TOKEN": mock.token, "SOAK_REQUESTS": str(requests)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wrk.stderr is not None
    errors: list[str] = []
    done = threading.Event()

    def read_stderr() -> None:
        assert wrk.stderr is not None
        with wrk.stderr:
            for line in wrk.stderr:
                errors.append(line)
                if line.startswith("SOAK_DONE"):
                    done.set()
        done.set()  # wrk has exited (or closed stderr): nothing more to wait for

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    done.wait(max_seconds + 5)
    elapsed = time.monotonic() - started
    if wrk.poll() is None:
        wrk.send_signal(signal.SIGINT)
    assert wrk.stdout is not None
    stdout = wrk.stdout.read()  # until wrk exits: its summary and done()'s SOAK_RESULT line
    wrk.stdout.close()
    wrk.wait(timeout=60)
    reader.join(timeout=10)
    return stdout + "".join(errors), elapsed


def test_soak_100k_requests_at_64_connections_zero_errors_flat_memory(workers: ServedMock) -> None:
    # A short warm-up so that first-use allocations (caches, the SQLite journal) are not read as growth.
    run_wrk(workers, 2000, 16, 60)
    with RssSampler(workers.process.pid) as sampler:
        output, elapsed = run_wrk(workers, SOAK_REQUESTS, SOAK_CONNECTIONS, SOAK_SECONDS_MAX)
    line = next((ln for ln in output.splitlines() if ln.startswith("SOAK_RESULT ")), None)
    assert line, output
    result = json.loads(line.removeprefix("SOAK_RESULT "))
    series = [sum(sizes.values()) for _, sizes in sampler.samples if len(sizes) == 2]
    assert len(series) >= 6, sampler.samples
    tenth = max(1, len(series) // 10)
    early, late = max(series[:tenth]), max(series[-tenth:])
    figures = {
        "requests": result["requests"],
        "responses_checked": result["responses"],
        "bad_responses": result["bad"],
        "socket_errors": {k: result[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")},
        "non_2xx": result["status_errors"],
        "seconds": round(elapsed, 1),
        "req_per_s": round(result["responses"] / elapsed),
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "max_ms": result["max_us"] / 1000,
        "workers_rss_mib_first_tenth": round(early / 1024, 1),
        "workers_rss_mib_last_tenth": round(late / 1024, 1),
        "workers_rss_mib_max": round(max(series) / 1024, 1),
        "rss_samples": len(series),
        "worker_pids_stable": len({tuple(sorted(s)) for _, s in sampler.samples if len(s) == 2}) == 1,
    }
    report("soak", figures)
    assert result["responses"] >= SOAK_REQUESTS, figures
    assert result["bad"] == 0 and result["status_errors"] == 0, figures
    assert all(result[k] == 0 for k in ("connect_errors", "read_errors", "write_errors", "timeouts")), figures
    assert figures["worker_pids_stable"], "a worker died or was replaced during the soak"
    # Flat: the last tenth of the run within 10 % (or 8 MiB) of the first tenth.
    assert late - early <= max(0.10 * early, 8 * 1024), figures
    workers.assert_serving()


def _loadgen(
    mock: ServedMock, token: str, seconds: float, connections: int, out: Path, mark: int
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.soak.loadgen",
            mock.base_url,
            token,
            "--connections",
            str(connections),
            "--duration",
            str(seconds),
            "--out",
            str(out),
            "--mark",
            str(mark),
        ],
        cwd=HERE.parent.parent,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_worker_killed_mid_load_and_the_service_continues(workers: ServedMock) -> None:
    tokens = [workers.mint() for _ in range(20)]
    before = children(workers.process.pid)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "load.json")
        load_started = time.monotonic()
        # Kill mid-load: once the load generator says it has 1,500 answers, not after a fixed sleep.
        with _loadgen(workers, tokens[0], seconds=12, connections=16, out=out, mark=1500) as load:
            assert load.stdout is not None
            marked = load.stdout.readline()
            assert marked.startswith("MARK "), f"the load ended before 1,500 answers: {marked!r}"
            served_before_kill = int(marked.split()[1])
            victim = before[0]
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            replacement = wait_for_a_new_worker(workers, set(before))
            replacement_seen = None if replacement is None else time.monotonic() - killed_at
            load.stdout.read()
        assert load.returncode == 0
        result = json.loads(out.read_text())
    outcomes = Counter(outcome for _, outcome in result["outcomes"])
    failures = [(round(t, 2), o) for t, o in result["outcomes"] if o != "ok"]
    after = [o for t, o in result["outcomes"] if t > result["elapsed"] - 4]
    figures = {
        "requests": sum(outcomes.values()),
        "served_before_kill": served_before_kill,
        "killed_at_s": round(killed_at - load_started, 2),
        "outcomes": dict(outcomes),
        "failures_around_the_kill": failures[:10],
        "replacement_worker_after_s": None if replacement_seen is None else round(replacement_seen, 2),
        "ok_in_last_4_s": sum(1 for o in after if o == "ok"),
        "last_4_s_all_ok": all(o == "ok" for o in after),
    }
    report("sigkill-worker", figures)
    assert replacement_seen is not None, "gunicorn did not replace the killed worker"
    # Only what the killed worker had in hand may fail: a sync worker holds one request at a time.
    assert len(failures) <= 2, figures
    assert figures["last_4_s_all_ok"] and figures["ok_in_last_4_s"] > 0, figures
    for token in tokens:  # state lives in the shared store, not in the dead worker
        assert workers.query(token).envelope["code"] == 200
    workers.assert_serving()


def _mint_many(mock: ServedMock, count: int, threads: int) -> list[str]:
    def mint(i: int) -> str:
        return mock.mint(user_id=("typical", "athlete", "sedentary")[i % 3])

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(mint, range(count)))


def test_concurrent_minting_no_duplicates_no_losses(workers: ServedMock) -> None:
    started = time.monotonic()
    minted = _mint_many(workers, 2000, threads=32)
    elapsed = time.monotonic() - started
    duplicates = len(minted) - len(set(minted))
    refused = []
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda t: workers.query(t).envelope["code"], minted))
    refused = [t[:4] for t, code in zip(minted, answers, strict=True) if code != 200]
    figures = {
        "minted": len(minted),
        "threads": 32,
        "seconds": round(elapsed, 2),
        "duplicates": duplicates,
        "refused_afterwards": len(refused),
    }
    report("concurrent-mint", figures)
    assert duplicates == 0 and not refused, figures


def _authorize_token(mock: ServedMock) -> str:
    """A token through the real consent flow (a second source of tokens besides the control API)."""
    from ..reliability.test_hostile_oauth import consent_form, cookies_of, post_decision

    page = mock.raw().request("GET", "/oauth/authorize?response_type=token&client_id=cudis-wellness&state=r", b"")
    approved = post_decision(
        mock,
        {**consent_form(page.body.decode()), "decision": "approve", "user": "athlete", "grant": "daily"},
        cookies_of(page),
    )
    location = approved.header("Location") or ""
    assert approved.status == 302 and "access_token=" in location, (approved.status, approved.body[:200])
    return location.split("access_token=", 1)[1].split("&", 1)[0]


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_a_restart_with_state_keeps_every_issued_token(how: str, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    mock = ServedMock.start("--workers", "2", "--state", str(state))
    try:
        minted = _mint_many(mock, 300, threads=16)
        minted += [_authorize_token(mock) for _ in range(20)]
        minted.append(mock.token)
        revoked = minted[:10]
        for token in revoked:
            assert mock.raw().request("DELETE", f"/__mock__/tokens/{token}", b"").status in {200, 204}
        kept = minted[10:]
        for token in kept[:5]:
            assert mock.query(token).envelope["code"] == 200
    finally:
        if how == "sigkill":  # a crash: the arbiter and its workers die at once, nothing is flushed on exit
            workers = children(mock.process.pid)
            for pid in [mock.process.pid, *workers]:
                os.kill(pid, signal.SIGKILL)
            mock.process.wait(timeout=15)
        mock.stop()
    started = time.monotonic()
    with ServedMock.start("--workers", "2", "--state", str(state)) as again:
        restart = time.monotonic() - started
        with ThreadPoolExecutor(max_workers=16) as pool:
            codes = list(pool.map(lambda t: again.query(t).envelope["code"], kept + revoked))
    lost = [t[:4] for t, c in zip(kept, codes[: len(kept)], strict=True) if c != 200]
    revived = [t[:4] for t, c in zip(revoked, codes[len(kept) :], strict=True) if c != 20007]
    figures = {
        "stop": how,
        "tokens_issued": len(minted),
        "revoked": len(revoked),
        "valid_after_restart": len(kept) - len(lost),
        "lost": len(lost),
        "revoked_still_refused": len(revoked) - len(revived),
        "restart_to_ready_s": round(restart, 2),
    }
    report("restart-with-state", figures)
    assert not lost and not revived, figures


def test_stalled_clients_do_not_take_the_threaded_server_down() -> None:
    """Clients that open a request and go silent: the threaded server keeps answering others and
    drops them after its socket timeout."""
    with ServedMock.start() as mock:
        stalled = []
        for _ in range(50):
            sock = mock.raw().connect()
            sock.sendall(b"GET /partner/v1/query/step HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{")
            stalled.append(sock)
        started = time.monotonic()
        ok = sum(1 for _ in range(20) if mock.query().envelope["code"] == 200)
        answered_in = time.monotonic() - started
        closed = 0
        for sock in stalled:
            sock.settimeout(20)
            try:
                data = sock.recv(65536)
                while data and not data.endswith(b"}"):
                    more = sock.recv(65536)
                    if not more:
                        break
                    data += more
                closed += 1
            except OSError:
                pass
            sock.close()
        figures = {
            "stalled": len(stalled),
            "valid_answered": ok,
            "valid_seconds": round(answered_in, 2),
            "stalled_closed_by_server": closed,
        }
        report("stalled-clients-threaded", figures)
        assert ok == 20 and closed == len(stalled), figures
        mock.assert_serving()


def test_hostile_load_does_not_disturb_valid_load(workers: ServedMock) -> None:
    """Valid queries while another process floods the mock with hostile requests: all valid ones succeed."""
    from ..reliability.test_hostile_http import BODIES

    stop = threading.Event()
    hostile_sent = Counter()

    def flood() -> None:
        raw = workers.raw()
        i = 0
        while not stop.is_set():
            body = BODIES[i % len(BODIES)][1]
            response = raw.request("GET", "/partner/v1/query/heart_beat", body, auth_headers(workers.token))
            hostile_sent["5xx" if response.status >= 500 else "ok"] += 1
            i += 1

    flooders = [threading.Thread(target=flood) for _ in range(4)]
    for thread in flooders:
        thread.start()
    try:
        valid = Counter(workers.query().envelope["code"] for _ in range(300))
    finally:
        stop.set()
        for thread in flooders:
            thread.join()
    figures = {"valid": dict(valid), "hostile": dict(hostile_sent)}
    report("hostile-beside-valid", figures)
    assert valid == Counter({200: 300}) and hostile_sent["5xx"] == 0, figures
    assert RANGE  # the valid body the harness sends

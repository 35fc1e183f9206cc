"""`cudis-mock generate` streams: its peak memory does not grow with the number of users.

`make test` compares 10 and 150 users over 365 days; `make bench-generate` runs the
issue's full size (100 and 10,000 users over 365 days, bench/test_generate_memory_full.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import FIXED_NOW


@dataclass(frozen=True)
class Run:
    users: int
    peak_rss_mib: float
    seconds: float
    lines: int
    size_mib: float


def measure(users: int, out: Path, days: tuple[str, str] = ("2025-01-01", "2025-12-31")) -> Run:
    """Run generate in a child process and read its own peak RSS from wait4 (not the max over all children)."""
    command = [
        sys.executable, "-m", "mock_server.cli", "generate", "--seed", "42", "--population", str(users),
        "--from", days[0], "--to", days[1], "--now", str(FIXED_NOW), "--format", "ndjson", "--out", str(out),
    ]  # fmt: skip
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - started
    assert child.stderr is not None
    error = child.stderr.read().decode()
    child.stderr.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, error
    with out.open("rb") as handle:
        lines = sum(1 for _ in handle)
    return Run(users, usage.ru_maxrss / 1024, seconds, lines, out.stat().st_size / 2**20)


def test_peak_memory_is_flat_from_10_to_150_users_over_a_year(tmp_path: Path) -> None:
    small = measure(10, tmp_path / "small.ndjson")
    large = measure(150, tmp_path / "large.ndjson")
    assert (small.lines, large.lines) == (30, 450)
    assert large.size_mib > 12 * small.size_mib  # the output grew with the users...
    print(f"\n{small}\n{large}\nratio {large.peak_rss_mib / small.peak_rss_mib:.3f}")
    # ...the memory did not: a per-user leak of even one answer (~40 KB) would add 6 MiB here.
    assert large.peak_rss_mib / small.peak_rss_mib < 1.08
    assert large.peak_rss_mib - small.peak_rss_mib < 4

"""`cudis-mock generate` streams: its peak memory does not grow with the number of users.

`make test` compares 50 and 250 users over 365 days; `make bench-generate` runs the
issue's full size (100 and 10,000 users over 365 days, bench/test_generate_memory_full.py).
"""

from __future__ import annotations

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


# The child reports its own high-water mark. Not ru_maxrss from wait4: on Linux a child's
# ru_maxrss keeps the parent's (pytest's) peak from before exec, which would hide a small leak.
_WRAPPER = """
import sys
from mock_server.cli import main
code = main(sys.argv[1:])
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print("peak-rss-kib", peak.split()[1], file=sys.stderr)
raise SystemExit(code)
"""


def measure(users: int, out: Path, days: tuple[str, str] = ("2025-01-01", "2025-12-31")) -> Run:
    """Run generate in a child process; its peak RSS is the VmHWM it reports when done."""
    command = [
        sys.executable, "-c", _WRAPPER, "generate", "--seed", "42", "--population", str(users),
        "--from", days[0], "--to", days[1], "--now", str(FIXED_NOW), "--format", "ndjson", "--out", str(out),
    ]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    peak_kib = int(done.stderr.rsplit("peak-rss-kib ", 1)[1].split()[0])
    with out.open("rb") as handle:
        lines = sum(1 for _ in handle)
    return Run(users, peak_kib / 1024, seconds, lines, out.stat().st_size / 2**20)


def test_peak_memory_is_flat_from_50_to_250_users_over_a_year(tmp_path: Path) -> None:
    # From about 50 users every persona and time zone has been met once (a one-off ~3 MiB of
    # zone data and allocator arenas); after that nothing more should be kept.
    small = measure(50, tmp_path / "small.ndjson")
    large = measure(250, tmp_path / "large.ndjson")
    assert (small.lines, large.lines) == (150, 750)
    assert large.size_mib > 4 * small.size_mib  # the output grew with the users...
    print(f"\n{small}\n{large}\nratio {large.peak_rss_mib / small.peak_rss_mib:.3f}")
    # ...the memory did not: keeping even one answer per user (~40 KB) would add 8 MiB here.
    assert large.peak_rss_mib / small.peak_rss_mib < 1.05
    assert large.peak_rss_mib - small.peak_rss_mib < 2

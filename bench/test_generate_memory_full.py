"""The issue's full size: 10,000 users by 365 days to a file, memory flat against 100 users.

Heavy (minutes of CPU): run with `make bench-generate`, not in `make test`.
"""

from __future__ import annotations

from pathlib import Path

from tests.mock_server.qa.test_generate_memory import measure


def test_10000_users_by_365_days_keep_memory_flat(tmp_path: Path) -> None:
    small = measure(100, tmp_path / "small.ndjson")
    large = measure(10_000, tmp_path / "large.ndjson")
    assert (small.lines, large.lines) == (300, 30_000)
    ratio = large.peak_rss_mib / small.peak_rss_mib
    print(f"\n{small}\n{large}\npeak RSS ratio 10,000 / 100 users: {ratio:.3f}")
    assert ratio < 1.05
    assert large.peak_rss_mib - small.peak_rss_mib < 2

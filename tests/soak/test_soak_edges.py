"""The edges under load (`make soak`): oversized input, minting, and the fault header against real servers.

Each test prints one `SOAK ...` line with its figures, RSS before and after included.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

from ..reliability.harness import ServedMock, auth_headers
from .test_soak import children, report, rss_kib, wait_for_workers

BURST = int(os.environ.get("SOAK_BURST", "200"))
BURSTS = 5
SETTLED = 3
"""Bursts after which the heap has grown to what the burst takes; the rest must leave it flat."""
MINTS = int(os.environ.get("SOAK_MINTS", "20000"))
MIB = 1024


def _big_headers(count: int = 40, size: int = 50_000) -> list[tuple[str, str]]:
    return [(f"X-Big-{i}", "v" * size) for i in range(count)]


def test_an_oversized_input_burst_leaves_memory_bounded() -> None:
    with ServedMock.start("--journal-bytes", str(8 * 1024 * 1024)) as mock:
        pid = mock.process.pid
        mock.assert_serving()
        before = rss_kib(pid) or 0
        token = mock.token
        secret_headers = [
            ("Referer", f"http://app.example/cb?access_token={token}"),
            ("X-Access-Token", token),
            ("Proxy-Authorization", f"Bearer {token}"),
        ]

        def one(_: int) -> int:
            headers = [*auth_headers(token), *secret_headers, *_big_headers()]
            return (
                mock.raw(timeout=30).request("GET", "/partner/v1/query/heart_beat?q=" + "a" * 4000, b"", headers).status
            )

        # The first bursts grow the heap to what 8 requests of 2 MB of headers at once take (the allocator
        # keeps it, and how far one burst gets depends on how the threads overlap); bounded means flat from
        # there: the last bursts must find it enough.
        statuses: list[int] = []
        rss: list[int] = []
        with ThreadPoolExecutor(8) as pool:
            for _ in range(BURSTS):
                statuses += pool.map(one, range(BURST))
                rss.append(rss_kib(pid) or 0)
        first, after = rss[SETTLED - 1], rss[-1]
        journal = mock.raw(timeout=60).request("GET", "/__mock__/requests", b"")
        report(
            "oversized-burst",
            {
                "requests": BURSTS * BURST,
                "rss_before_mib": round(before / MIB, 1),
                "rss_after_each_burst_mib": [round(r / MIB, 1) for r in rss],
                "journal_json_mib": round(len(journal.body) / 2**20, 2),
                "statuses": sorted(set(statuses)),
            },
        )
        assert all(s < 500 for s in statuses)
        assert journal.status == 200 and len(journal.body) < 9 * 2**20
        assert token.encode() not in journal.body
        assert after - first < 24 * MIB, (before, first, after)
        mock.assert_serving()


def test_minting_many_tokens_that_expire_keeps_memory_flat() -> None:
    with ServedMock.start() as mock:
        pid = mock.process.pid
        raw = mock.raw()

        def mint(_: int) -> int:
            return (
                mock.raw()
                .request("POST", "/__mock__/tokens", b'{"expires_in": 1}', [("Content-Type", "application/json")])
                .status
            )

        def batch() -> None:
            with ThreadPoolExecutor(8) as pool:
                assert set(pool.map(mint, range(MINTS // 2))) == {201}
            advanced = raw.request(
                "POST", "/__mock__/clock/advance", b'{"seconds": 172800}', [("Content-Type", "application/json")]
            )
            assert advanced.status == 200

        batch()
        middle = rss_kib(pid) or 0
        batch()
        batch()
        after = rss_kib(pid) or 0
        report(
            "expired-tokens",
            {
                "mints": MINTS // 2 * 3,
                "rss_after_first_mib": round(middle / MIB, 1),
                "rss_after_all_mib": round(after / MIB, 1),
            },
        )
        assert after - middle < 16 * MIB, (middle, after)


def test_a_fault_header_asking_minutes_is_refused_and_no_worker_dies() -> None:
    with ServedMock.start("--workers", "2") as mock:
        workers = set(wait_for_workers(mock))
        headers = [*auth_headers(mock.token), ("X-Cudis-Mock-Fault", "latency=60000,latency=60000")]
        started = time.monotonic()
        with ThreadPoolExecutor(2) as pool:
            answers = list(
                pool.map(
                    lambda _: mock.raw(timeout=90).request("GET", "/partner/v1/query/heart_beat", b"", headers),
                    range(2),
                )
            )
        took = time.monotonic() - started
        report("fault-header-cap", {"seconds": round(took, 2), "codes": [a.envelope["code"] for a in answers]})
        assert [a.envelope["code"] for a in answers] == [40001, 40001] and took < 5
        assert set(children(mock.process.pid)) == workers
        mock.assert_serving()

"""CPU per query in-process: the mock as `--workers` runs it (shared SQLite state, journal on) and the
two floors, each request read by the keep-alive worker's `http1.py` and answered through the app,
no socket. `time.process_time` over N requests, the three endpoints in turn.

    .venv/bin/python bench/per_request.py [--requests 3000] [--days 30] [--profile] [--proxy]

`--profile` prints cProfile's top functions of the mock's loop (by internal time). `--proxy` measures
`cudis-mock proxy --workers N` instead: the proxy app (journal file on) in front of an upstream that
answers at once with the mock's bytes, so only the proxy's own work is counted (its verdicts cached,
as for a polling app).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from mock_server.app import create_app  # noqa: E402
from mock_server.config import MockConfig  # noqa: E402
from mock_server.serving import http1  # noqa: E402
from mock_server.serving.server import open_store  # noqa: E402

DAY = 86400
METRICS = ("heart_beat", "step", "sleep")


def raw_queries(token: str, days: int) -> list[bytes]:
    end = int(time.time()) // DAY * DAY
    body = json.dumps({"startTime": end - days * DAY, "endTime": end}).encode()
    return [
        b"GET /partner/v1/query/%s HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nAuthorization: Bearer %s\r\n"
        b"Cudis-Client-Id: cudis-wellness\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
        % (metric.encode(), token.encode(), len(body), body)
        for metric in METRICS
    ]


def answer(app: Callable[..., Any], raw: bytes, base: dict[str, Any], heads: http1.HeadMemo | None = None) -> bytes:
    request = http1.parse(raw, raw.find(b"\r\n\r\n"), base, heads)
    assert request is not None
    response = http1.Answer()
    chunks = app(request.environ, response.start_response)
    try:
        return response.render(request, chunks, "Thu, 01 Jan 2026 00:00:00 GMT")[0]
    finally:
        if hasattr(chunks, "close"):
            chunks.close()


def micros(app: Callable[..., Any], raws: list[bytes], count: int) -> float:
    base = http1.base_environ(("127.0.0.1", 8000), ("127.0.0.1", 50000))
    heads: http1.HeadMemo = {}  # as the worker keeps them
    for raw in raws:
        head = answer(app, raw, base, heads)
        assert head.startswith(b"HTTP/1.1 200"), head[:300]
    started = time.process_time()
    for i in range(count):
        answer(app, raws[i % len(raws)], base, heads)
    return (time.process_time() - started) / count * 1e6


def proxy_micros(mock: Callable[..., Any], raws: list[bytes], count: int, profile: bool) -> None:
    """The proxy's own CPU per request, its upstream answering at once with what the mock answered."""
    import tempfile

    from contract_tests.transport import Exchange
    from cudis_proxy import ProxyConfig, create_proxy_app
    from cudis_proxy.app import EXTENSION_KEY

    base = http1.base_environ(("127.0.0.1", 8000), ("127.0.0.1", 50000))
    answers: dict[str, tuple[int, dict[str, str], bytes]] = {}
    for raw in raws:
        head, _, body = answer(mock, raw, base).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:])
        answers[raw.split(b" ", 2)[1].decode()] = (int(lines[0].split()[1]), headers, body)

    class Canned:
        """The upstream, answering at once."""

        def send(self, method: str, path: str, headers: Any, body: bytes | None) -> Exchange:
            status, answered, content = answers[path]
            url = "http://upstream" + path
            return Exchange(method, url, dict(headers), body, status=status, response_headers=answered, content=content)

    with tempfile.TemporaryDirectory() as directory:
        proxy = create_proxy_app(ProxyConfig(upstream="http://upstream", workers=2), journal=Path(directory) / "j")
        proxy.extensions[EXTENSION_KEY].upstream = Canned()
        print(f"proxy, {len(raws)} queries in turn: {micros(proxy, raws, count):.0f} µs per request")
        if profile:
            profiler = cProfile.Profile()
            profiler.runcall(micros, proxy, raws, count)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--proxy", action="store_true", help="the proxy's own CPU per request instead")
    args = parser.parse_args()
    config = MockConfig(workers=2)
    with open_store(config) as store:
        app = create_app(config, store=store)
        minted = app.test_client().post("/__mock__/tokens", json={"client_id": "cudis-wellness", "user_id": "typical"})
        raws = raw_queries(minted.get_json()["access_token"], args.days)
        if args.proxy:
            proxy_micros(app, raws, args.requests, args.profile)
            return 0
        fixed = answer(app, raws[0], http1.base_environ(("127.0.0.1", 8000), ("127.0.0.1", 50000)))
        os.environ["CUDIS_BENCH_BODY"] = os.devnull
        import servers  # the floors, as `make bench` serves them

        flask_floor = servers.flask_app()
        print(f"mock, {args.days}-day queries: {micros(app, raws, args.requests):.0f} µs per request")
        print(f"flask floor: {micros(flask_floor, raws, args.requests):.0f} µs per request")
        print(f"bare WSGI floor: {micros(servers.bare_app, raws, args.requests):.0f} µs per request")
        body = fixed.partition(b"\r\n\r\n")[2]
        print(f"(the mock's answer to the first query: {len(body):,} bytes)")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(micros, app, raws, args.requests)
            pstats.Stats(profile).sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

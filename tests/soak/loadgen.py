"""A bounded load generator in its own process: threads sending valid queries over fresh connections.

`python -m tests.soak.loadgen URL TOKEN --connections 16 --duration 15 --out FILE` writes one JSON
document: per-request outcomes with their time, so a test can see what happened around a fault.
With `--mark N` it prints `MARK N` once N requests have their outcome, so a test can act mid-load.
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from urllib.parse import urlsplit

BODY = b'{"startTime": 1726358400, "endTime": 1726704000}'
PATHS = ("/partner/v1/query/heart_beat", "/partner/v1/query/step", "/partner/v1/query/sleep")


def one_request(host: str, port: int, path: str, token: str, timeout: float) -> str:
    """`ok`, `code:<n>`, `http:<status>` or `error:<kind>` for one query."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Cudis-Client-Id: cudis-wellness\r\nContent-Type: application/json\r\nContent-Length: {len(BODY)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + BODY
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(request)
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
    except TimeoutError:
        return "error:timeout"
    except ConnectionRefusedError:
        return "error:refused"
    except ConnectionResetError:
        return "error:reset"
    except OSError as exc:
        return f"error:{type(exc).__name__}"
    if not data:
        return "error:empty"
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1].decode() if b" " in head else "?"
    if status != "200":
        return f"http:{status}"
    if not body.startswith(b'{"code":200,'):
        return f"code:{body[8:14].decode(errors='replace')}"
    return "ok"


def run(
    url: str, token: str, connections: int, duration: float, limit: int, timeout: float, mark: int | None = None
) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    outcomes: list[tuple[float, str]] = []
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + duration
    sent = [0]

    def worker(index: int) -> None:
        n = index
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= limit:
                    return
                sent[0] += 1
            outcome = one_request(host, port, PATHS[n % len(PATHS)], token, timeout)
            n += 1
            with lock:
                outcomes.append((time.monotonic() - start, outcome))
                if len(outcomes) == mark:
                    print(f"MARK {mark}", flush=True)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"elapsed": time.monotonic() - start, "outcomes": outcomes}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--limit", type=int, default=10**9)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--mark", type=int, help="print `MARK N` once N requests have their outcome")
    args = parser.parse_args()
    result = run(args.url, args.token, args.connections, args.duration, args.limit, args.timeout, args.mark)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()

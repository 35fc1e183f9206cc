#!/usr/bin/env python3
"""Golden-set recorder: prove that a change of the code changes no observable behaviour.

    python tools/golden.py record OUTDIR --code-root DIR [--python PY]
    python tools/golden.py compare A B

`record` drives a version of the code purely from the outside (subprocesses with
PYTHONPATH=DIR, HTTP on loopback; nothing here imports mock_server or contract_tests), so it
works on any version of the code:

  http/       the mock's answers (status, Content-Type, headers, exact body) to a fixed list of
              requests: every fixture user x heart_beat/step/sleep x many ranges, both request
              forms, bad input, credentials, methods, faults, control API, authorize flow;
              one server with the defaults, one with --empty-days zero --error-status mapped,
              one with a built-in scenario. The mock's clock is frozen at FROZEN_NOW.
  serve/      the start-up banners (normalised).
  generate/   `cudis-mock generate` outputs (edge cases, datasets), all with --now FROZEN_NOW.
  contract/   `cudis-contract run` reports (text + JUnit XML, normalised) against the mock and
              against every implementation of tests/contract_tests/implementations.
  raw/        the same reports and logs before normalisation (ignored by `compare` unless
              --include-raw: they hold wall-clock timings, ports and tokens).

`compare A B` compares two recorded directories file by file; exit 1 on any difference.

What is frozen, and what is normalised (everything else is recorded byte for byte):
  * the mock's clock: PUT /__mock__/clock {"now": FROZEN_NOW} before any request (`generate`
    gets --now FROZEN_NOW); the environment of every subprocess: TZ=UTC, no CUDIS_* variables.
  * the contract suite runs through SUITE_SHIM: time.time frozen at CONTRACT_NOW, Hypothesis's
    "local constants" off; the mock's clock or the reference implementation's frozen there too.
  * HTTP records: minted tokens -> <TOKEN:label> (and their 4-character masks -> <MASKED:label>),
    the server's port -> <PORT>, the consent form's csrf_token -> <CSRF>, the journal's worker
    PID -> <PID>, a granted token in a redirect -> <TOKEN:granted>, the one answer of a running
    clock -> <RUNNING>; Content-Length of a body so changed -> "<scrubbed body>"; response
    headers Date, Server, Connection, Keep-Alive and X-Cudis-Mock-Worker are left out.
  * contract reports and banners: durations -> <S>, 9-11 digit numbers (Unix seconds) -> <T>,
    32-character tokens -> <TOKEN>, loopback ports -> <PORT>, the JUnit path -> <JUNIT>.

Needs only the standard library and requests.
"""

from __future__ import annotations

import argparse
import base64
import difflib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

FROZEN_NOW = 1781517600  # 2026-06-15T10:00:00Z: the mock's clock while its answers are recorded
# The contract suite's "now" (and the mock's or the reference's): the same day, but not a local
# midnight anywhere (10:00:00Z is one in UTC+14, which a reference run keeps on purpose).
CONTRACT_NOW = FROZEN_NOW + 17 * 60 + 23  # 2026-06-15T10:17:23Z
DAY = 86400
TODAY_UTC = FROZEN_NOW - FROZEN_NOW % DAY  # 2026-06-15T00:00:00Z
PAST = TODAY_UTC - 30 * DAY  # 2026-05-16T00:00:00Z: a UTC midnight well before "now"
LONGEST_DAYS = 3660
MAX_SECONDS = 99999999999
SEED = 42
CLIENT = "cudis-wellness"
ENDPOINTS = ("heart_beat", "step", "sleep")
STARTUP_TIMEOUT = 30.0
REQUEST_TIMEOUT = 60.0
SUITE_TIMEOUT = 300.0

REFERENCE_MODULE = "tests.contract_tests.implementations.reference"
SERVING_MODULE = "tests.servers"
"""Its `in_thread(app)` serves an app (before: `tests.contract_tests.implementations.serving`, `serving(app)`)."""

# ---------------------------------------------------------------------------------------------
# processes


class Processes:
    """Every process `record` starts, each in its own session (so its children go with it)."""

    def __init__(self) -> None:
        self._items: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()

    def start(self, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        proc = subprocess.Popen(list(argv), start_new_session=True, **kwargs)
        with self._lock:
            self._items.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
        if proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, timeout)):
                try:
                    os.killpg(proc.pid, sig)  # the group this process leads (start_new_session)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        with self._lock:
            if proc in self._items:
                self._items.remove(proc)

    def stop_all(self) -> None:
        with self._lock:
            items = list(reversed(self._items))
        for proc in items:
            self.stop(proc)


PROCS = Processes()


def _on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop the processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Env:
    """How to run the code under test: interpreter, PYTHONPATH, a scratch cwd."""

    def __init__(self, python: str, code_root: Path, scratch: Path) -> None:
        self.python = python
        self.code_root = code_root
        self.scratch = scratch
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUDIS_")}
        for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            env.pop(name, None)
        env.pop("COLUMNS", None)
        env.pop("LINES", None)
        env.update(
            PYTHONPATH=str(code_root),
            PYTHONUNBUFFERED="1",
            PYTHONDONTWRITEBYTECODE="1",  # write nothing into the code root
            NO_PROXY="127.0.0.1,localhost",
            TZ="UTC",
            LC_ALL="C.UTF-8",
            LANG="C.UTF-8",
        )
        self.vars = env

    def run(self, args: Sequence[str], timeout: float = 300.0, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        """Run `python ARGS` to completion (registered, so an interrupt stops it)."""
        proc = PROCS.start(
            [self.python, *args],
            env=self.vars,
            cwd=self.scratch,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            **kwargs,
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        finally:
            PROCS.stop(proc)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def wait_until(url: str, proc: subprocess.Popen[bytes], timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}\n{tail}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


# ---------------------------------------------------------------------------------------------
# normalisation

DURATION_RE = re.compile(r"(?<![\w.])\d+\.\d+ s\b")
JUNIT_TIME_RE = re.compile(r'\btime="[0-9.]+"')
UNIX_RE = re.compile(r"(?<![\w.])\d{9,11}(?:\.\d+)?(?![\w])")
TOKEN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z0-9]{32}(?![A-Za-z0-9])")
PORT_RE = re.compile(r"\b(127\.0\.0\.1|localhost):\d{2,5}\b")
PID_RE = re.compile(r'("worker":\s*)\d+')
MASKED_RE = re.compile(r"(Bearer )[A-Z0-9]{4}(\u2026|\\u2026)")
CSRF_RE = re.compile(r'(name="csrf_token" value=")[^"]*(")')


def normalise_report(text: str) -> str:
    """What a contract report may differ in from run to run: timings, Unix seconds, tokens, ports."""
    text = JUNIT_TIME_RE.sub('time="<S>"', text)
    text = DURATION_RE.sub("<S> s", text)
    text = PORT_RE.sub(r"\1:<PORT>", text)
    text = TOKEN_RE.sub("<TOKEN>", text)
    text = UNIX_RE.sub("<T>", text)
    return text


# ---------------------------------------------------------------------------------------------
# writing


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, value: Any) -> None:
    write_text(path, json.dumps(value, indent=1, ensure_ascii=False) + "\n")


def body_field(data: bytes) -> dict[str, str]:
    try:
        return {"body": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"body_b64": base64.b64encode(data).decode("ascii")}


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.=+-]+", "_", text).strip("_")[:80]


# ---------------------------------------------------------------------------------------------
# the mock over HTTP

# Response headers that say nothing about the code's behaviour (or change on every run).
SKIP_HEADERS = {"date", "server", "x-cudis-mock-worker", "connection", "keep-alive"}


class Mock:
    def __init__(self, env: Env, name: str, extra: Sequence[str], outdir: Path) -> None:
        self.env = env
        self.name = name
        self.extra = list(extra)
        self.outdir = outdir
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = ""
        self.port = 0
        self.tokens: dict[str, str] = {}  # token -> placeholder
        self.lock = threading.Lock()
        self.session = requests.Session()
        self.session.trust_env = False

    # lifecycle
    def start(self) -> None:
        log_dir = self.outdir / "raw" / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        last: Exception | None = None
        for _attempt in range(3):
            self.port = free_port()
            self.base = f"http://127.0.0.1:{self.port}"
            self.stdout_path = log_dir / f"serve-{self.name}.stdout"
            self.stderr_path = log_dir / f"serve-{self.name}.stderr"
            argv = [
                self.env.python, "-m", "mock_server.cli", "serve",
                "--host", "127.0.0.1", "--port", str(self.port), "--seed", str(SEED), *self.extra,
            ]  # fmt: skip
            with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
                self.proc = PROCS.start(argv, env=self.env.vars, cwd=self.env.scratch, stdout=out, stderr=err)
            try:
                wait_until(self.base + "/__mock__/clock", self.proc, STARTUP_TIMEOUT, self.stderr_path)
                return
            except RuntimeError as exc:  # most likely the port was taken in between: try another
                last = exc
                PROCS.stop(self.proc)
        raise RuntimeError(f"mock {self.name!r} did not start: {last}")

    def stop(self) -> None:
        if self.proc is not None:
            PROCS.stop(self.proc)
            self.proc = None
            banner = self.stdout_path.read_text(errors="replace")
            write_text(self.outdir / "serve" / f"{self.name}.banner.txt", self.scrub(normalise_report(banner)))

    # control API (not recorded)
    def admin(self, method: str, path: str, payload: Any = None) -> Any:
        r = self.session.request(method, self.base + path, json=payload, timeout=REQUEST_TIMEOUT)
        if r.status_code >= 300:
            raise RuntimeError(f"{method} {path} {payload!r}: HTTP {r.status_code} {r.text[:500]}")
        return r.json() if r.content else None

    def freeze(self, now: float = FROZEN_NOW) -> None:
        self.admin("PUT", "/__mock__/clock", {"now": now})

    def mint(self, label: str, **fields: Any) -> str:
        grant = self.admin("POST", "/__mock__/tokens", {"client_id": CLIENT, **fields})
        token = str(grant["access_token"])
        with self.lock:
            self.tokens[token] = f"<TOKEN:{label}>"
        return token

    def scrub(self, text: str) -> str:
        with self.lock:
            tokens = dict(self.tokens)
        for token, placeholder in tokens.items():
            text = text.replace(token, placeholder)
            for ellipsis in ("\u2026", "\\u2026"):  # a token masked to its first characters
                text = text.replace(token[:4] + ellipsis, f"<MASKED:{placeholder[7:-1]}>{ellipsis}")
        if self.port:
            text = text.replace(f":{self.port}", ":<PORT>")
        text = CSRF_RE.sub(r"\1<CSRF>\2", text)
        text = PID_RE.sub(r"\1<PID>", text)  # the journal's worker
        text = MASKED_RE.sub(r"\1<MASKED>\2", text)  # the journal's masked tokens (first 4 characters)
        return text

    # recorded requests
    def call(
        self,
        where: str,
        name: str,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        query: str = "",
        scrub_body: Callable[[str], str] | None = None,
    ) -> requests.Response | None:
        """Send one request and write what came back to http/<server>/<where>/<name>.json."""
        url = self.base + path + (f"?{query}" if query else "")
        sent = dict(headers or {})
        record: dict[str, Any] = {
            "request": {
                "method": method,
                "path": self.scrub(path),
                "query": self.scrub(query),
                "headers": {k: self.scrub(v) for k, v in sent.items()},
                **({} if body is None else body_field(body)),
            }
        }
        if "body" in record["request"]:
            record["request"]["body"] = self.scrub(record["request"]["body"])
        response: requests.Response | None
        try:
            response = self.session.request(
                method, url, headers=sent, data=body, timeout=REQUEST_TIMEOUT, allow_redirects=False
            )
        except requests.RequestException as exc:
            response = None
            record["error"] = type(exc).__name__
        if response is not None:
            content = response.content
            answer: dict[str, Any] = {
                "status": response.status_code,
                "content_type": response.headers.get("Content-Type"),
                "headers": {
                    k: self.scrub(v)
                    for k, v in sorted(response.headers.items(), key=lambda kv: kv[0].lower())
                    if k.lower() not in SKIP_HEADERS
                },
            }
            fields = body_field(content)
            if "body" in fields:
                text = self.scrub(fields["body"])
                if scrub_body:
                    text = scrub_body(text)
                if text != fields["body"] and "Content-Length" in answer["headers"]:
                    # the length of what was scrubbed (a PID, say) may vary: keep only that it was sent
                    answer["headers"]["Content-Length"] = "<scrubbed body>"
                fields["body"] = text
            answer.update(fields)
            record["response"] = answer
        write_json(self.outdir / "http" / self.name / where / f"{name}.json", record)
        return response


def auth(token: str, client: str = CLIENT) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Cudis-Client-Id": client}


def jbody(start: Any, end: Any) -> bytes:
    return json.dumps({"startTime": start, "endTime": end}).encode()


def qs(start: Any, end: Any) -> str:
    return urllib.parse.urlencode({"startTime": start, "endTime": end})


# (name, startTime, endTime): relative to the frozen clock
RANGES: list[tuple[str, float, float]] = [
    ("1d-past", PAST - DAY, PAST),
    ("2d-past", PAST - 2 * DAY, PAST),
    ("7d-past", PAST - 7 * DAY, PAST),
    ("month-past", PAST - 30 * DAY, PAST),
    ("year-past", PAST - 365 * DAY, PAST),
    ("3660d-to-now", FROZEN_NOW - LONGEST_DAYS * DAY, FROZEN_NOW),
    ("3660d-past", PAST - LONGEST_DAYS * DAY, PAST),
    ("3661d-to-now-refused", FROZEN_NOW - (LONGEST_DAYS + 1) * DAY, FROZEN_NOW),
    ("3660d-plus-1s-refused", PAST - LONGEST_DAYS * DAY - 1, PAST),
    ("empty-past", PAST, PAST),
    ("empty-now", FROZEN_NOW, FROZEN_NOW),
    ("empty-zero", 0, 0),
    ("reversed-1d", PAST, PAST - DAY),
    ("reversed-1s", PAST, PAST - 1),
    ("1d-to-now", FROZEN_NOW - DAY, FROZEN_NOW),
    ("7d-to-now", FROZEN_NOW - 7 * DAY, FROZEN_NOW),
    ("3d-across-now", FROZEN_NOW - 3 * DAY, FROZEN_NOW + 3 * DAY),
    ("today-utc", TODAY_UTC, TODAY_UTC + DAY),
    ("month-into-year-ahead", FROZEN_NOW - 30 * DAY, FROZEN_NOW + 300 * DAY),
    ("future-week", FROZEN_NOW + DAY, FROZEN_NOW + 8 * DAY),
    ("far-past-1970", 0, 7 * DAY),
    ("before-joining-2015", 1420070400, 1420070400 + 60 * DAY),
    ("around-joining-2020-2023", 1606780800, 1685577600),
    ("fractional", PAST - 2 * DAY + 0.5, PAST - 0.25),
    ("mid-day", PAST - 3 * DAY + 12345, PAST - 12345),
    ("max-bound", MAX_SECONDS - 2 * DAY, MAX_SECONDS),
]
SMALL_RANGES = {
    "1d-past", "7d-past", "month-past", "3660d-to-now", "3661d-to-now-refused", "empty-past",
    "reversed-1d", "7d-to-now", "3d-across-now", "far-past-1970", "fractional",
}  # fmt: skip


def record_user(mock: Mock, user: str, ranges: Iterable[tuple[str, float, float]], forms: Sequence[str]) -> int:
    token = mock.mint(user, user_id=user)
    count = 0
    for i, (name, start, end) in enumerate(ranges):
        for endpoint in ENDPOINTS:
            path = f"/partner/v1/query/{endpoint}"
            if "body" in forms:
                mock.call(
                    f"users/{user}", f"{i:02d}-{name}-{endpoint}-body", "GET", path,
                    headers={**auth(token), "Content-Type": "application/json"}, body=jbody(start, end),
                )  # fmt: skip
                count += 1
            if "query" in forms:
                mock.call(
                    f"users/{user}", f"{i:02d}-{name}-{endpoint}-query", "GET", path,
                    headers=auth(token), query=qs(start, end),
                )  # fmt: skip
                count += 1
    return count


def bad_inputs(mock: Mock, user: str = "typical") -> int:
    """Bad bodies, content types, credentials, methods, paths and per-request faults."""
    token = mock.mint(f"{user}-bad", user_id=user)
    other = mock.mint("local-dev", user_id=user, client_id="local-dev")
    noscope = mock.mint("no-scope", user_id=user, scope="")
    revoked = mock.mint("revoked", user_id=user)
    mock.admin("DELETE", f"/__mock__/tokens/{revoked}")
    good = jbody(PAST - 3 * DAY, PAST)
    js = {"Content-Type": "application/json"}
    bodies: list[tuple[str, dict[str, str], bytes | None, str]] = [
        ("no-body-no-query", {}, None, ""),
        ("empty-body", js, b"", ""),
        ("whitespace-body", js, b"  \n", ""),
        ("not-json", js, b"not json", ""),
        ("truncated-json", js, b'{"startTime": 1781000000, "endTime"', ""),
        ("json-array", js, b"[1781000000, 1781100000]", ""),
        ("json-number", js, b"1781000000", ""),
        ("json-null", js, b"null", ""),
        ("empty-object", js, b"{}", ""),
        ("string-start", js, b'{"startTime": "1781000000", "endTime": 1781100000}', ""),
        ("string-both", js, b'{"startTime": "1781000000", "endTime": "1781100000"}', ""),
        ("milliseconds", js, jbody((PAST - 3 * DAY) * 1000, PAST * 1000), ""),
        ("milliseconds-end-only", js, jbody(PAST - 3 * DAY, PAST * 1000), ""),
        ("missing-start", js, b'{"endTime": 1781100000}', ""),
        ("missing-end", js, b'{"startTime": 1781000000}', ""),
        ("null-start", js, b'{"startTime": null, "endTime": 1781100000}', ""),
        ("bool-start", js, b'{"startTime": true, "endTime": 1781100000}', ""),
        ("negative-start", js, b'{"startTime": -1, "endTime": 1781100000}', ""),
        ("nan-start", js, b'{"startTime": NaN, "endTime": 1781100000}', ""),
        ("infinity-end", js, b'{"startTime": 1781000000, "endTime": Infinity}', ""),
        ("huge-exponent", js, b'{"startTime": 1781000000, "endTime": 1e400}', ""),
        ("exponent-form", js, b'{"startTime": 1.781e9, "endTime": 1.7811e9}', ""),
        ("object-start", js, b'{"startTime": {}, "endTime": 1781100000}', ""),
        ("extra-field", js, b'{"startTime": 1781000000, "endTime": 1781100000, "tz": "UTC"}', ""),
        ("duplicate-key", js, b'{"startTime": 1, "startTime": 1781000000, "endTime": 1781100000}', ""),
        ("nested-range", js, b'{"range": {"startTime": 1781000000, "endTime": 1781100000}}', ""),
        ("invalid-utf8", js, b'{"startTime": 1781000000, "endTime": 1781100000, "x": "\xff"}', ""),
        ("utf8-bom", js, b"\xef\xbb\xbf" + good, ""),
        ("text-plain", {"Content-Type": "text/plain"}, good, ""),
        ("no-content-type", {}, good, ""),
        ("json-charset", {"Content-Type": "application/json; charset=utf-8"}, good, ""),
        ("vnd-json", {"Content-Type": "application/vnd.api+json"}, good, ""),
        ("form-urlencoded", {"Content-Type": "application/x-www-form-urlencoded"}, b"startTime=1&endTime=2", ""),
        ("too-large-body", js, b'{"startTime": 1781000000, "endTime": 1781100000, "pad": "' + b"x" * 70000 + b'"}', ""),
        ("query-not-number", {}, None, "startTime=abc&endTime=1781100000"),
        ("query-nan", {}, None, "startTime=NaN&endTime=1781100000"),
        ("query-inf", {}, None, "startTime=1781000000&endTime=inf"),
        ("query-hex", {}, None, "startTime=0x10&endTime=1781100000"),
        ("query-only-start", {}, None, "startTime=1781000000"),
        ("query-empty-values", {}, None, "startTime=&endTime="),
        ("query-repeated", {}, None, "startTime=1781000000&startTime=1&endTime=1781100000"),
        ("query-milliseconds", {}, None, "startTime=1781000000000&endTime=1781100000000"),
        ("query-fraction", {}, None, "startTime=1781000000.5&endTime=1781100000.25"),
        ("query-exponent", {}, None, "startTime=1.781e9&endTime=1.7811e9"),
        ("query-negative", {}, None, "startTime=-5&endTime=1781100000"),
        ("query-spaces", {}, None, "startTime=%201781000000&endTime=1781100000%20"),
        ("query-percent-00", {}, None, "startTime=17810%0000&endTime=1781100000"),
        ("query-broken-percent", {}, None, "startTime=%zz&endTime=1781100000"),
        ("query-and-body-agree", js, jbody(1781000000, 1781100000), "startTime=1781000000&endTime=1781100000"),
        ("query-and-body-differ", js, jbody(1781000000, 1781100000), "startTime=1780000000&endTime=1780100000"),
        ("bad-query-good-body", js, jbody(1781000000, 1781100000), "startTime=abc&endTime=1"),
        ("empty-body-good-query", js, b"", "startTime=1781000000&endTime=1781100000"),
    ]  # fmt: skip
    count = 0
    for endpoint in ENDPOINTS:
        path = f"/partner/v1/query/{endpoint}"
        where = f"bad-input/{endpoint}"
        for i, (name, headers, body, query) in enumerate(bodies):
            mock.call(where, f"{i:02d}-{name}", "GET", path, headers={**auth(token), **headers}, body=body, query=query)
            count += 1
        creds: list[tuple[str, dict[str, str]]] = [
            ("no-authorization", {"Cudis-Client-Id": CLIENT}),
            ("no-client-id", {"Authorization": f"Bearer {token}"}),
            ("no-credentials", {}),
            ("unknown-token", auth("0" * 32)),
            ("wrong-client-id", auth(token, "local-dev")),
            ("unknown-client-id", auth(token, "nobody")),
            ("other-clients-token", auth(other, CLIENT)),
            ("other-client-own-id", auth(other, "local-dev")),
            ("token-without-scope", auth(noscope)),
            ("revoked-token", auth(revoked)),
            ("bearer-lowercase", {"Authorization": f"bearer {token}", "Cudis-Client-Id": CLIENT}),
            ("bearer-no-token", {"Authorization": "Bearer", "Cudis-Client-Id": CLIENT}),
            ("basic-scheme", {"Authorization": "Basic dXNlcjpwYXNz", "Cudis-Client-Id": CLIENT}),
            ("token-without-scheme", {"Authorization": token, "Cudis-Client-Id": CLIENT}),
            ("client-id-lowercase-header", {"Authorization": f"Bearer {token}", "cudis-client-id": CLIENT}),
            ("client-id-case", auth(token, CLIENT.upper())),
        ]
        for i, (name, headers) in enumerate(creds):
            for variant, body in (("good-body", good), ("bad-body", b"not json")):
                mock.call(
                    f"credentials/{endpoint}", f"{i:02d}-{name}-{variant}", "GET", path,
                    headers={**headers, **js}, body=body,
                )  # fmt: skip
                count += 1
        for method in ("POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
            mock.call(f"methods/{endpoint}", method, method, path, headers={**auth(token), **js}, body=good)
            count += 1
        faults = [
            "status=503", "status=500", "status=599", "code=20007", "code=50100", "code=40001",
            "rate_limit", "rate_limit=5", "malformed", "latency=5", "latency=1-3", "latency=5,status=502",
            "drop", "bogus", "status=404", "code=99999", "latency=abc", "",
        ]  # fmt: skip
        for i, fault in enumerate(faults):
            mock.call(
                f"fault-header/{endpoint}", f"{i:02d}-{slug(fault) or 'empty'}", "GET", path,
                headers={**auth(token), **js, "X-Cudis-Mock-Fault": fault}, body=good,
            )  # fmt: skip
            count += 1
    paths = [
        "/partner/v1/query/steps", "/partner/v1/query/", "/partner/v1/query/step/", "/partner/v1/query",
        "/partner/v1/query/HEART_BEAT", "/partner/v2/query/step", "/", "/favicon.ico", "/__mock__/nothing",
        "/partner/v1/query/heart_beat%00",
    ]  # fmt: skip
    for i, p in enumerate(paths):
        mock.call("paths", f"{i:02d}-{slug(p) or 'root'}", "GET", p, headers={**auth(token), **js}, body=good)
        count += 1
    return count


MINTED_RE = re.compile(r'("access_token":\s*")[A-Z0-9]{32}(")')


def scrub_minted(text: str) -> str:
    return MINTED_RE.sub(r"\1<TOKEN:minted>\2", text)


RUNNING_RE = re.compile(r'("(?:now|iso|offset)":\s*)("[^"]*"|[-0-9.e+]+)')


def scrub_running_clock(text: str) -> str:
    """A running clock's answer: its instant moves with the wall clock, so only its shape is kept."""
    return RUNNING_RE.sub(r"\1<RUNNING>", text)


def control_api(mock: Mock) -> int:
    """The control API's answers (what tests and CI scripts see), token values masked."""
    count = 0
    js = {"Content-Type": "application/json"}

    def c(
        name: str, method: str, path: str, payload: bytes | None = None, headers: dict[str, str] | None = None
    ) -> requests.Response | None:
        nonlocal count
        count += 1
        return mock.call(
            "control", f"{count:03d}-{name}", method, path,
            headers=headers if headers is not None else js, body=payload, scrub_body=scrub_minted,
        )  # fmt: skip

    c("clock", "GET", "/__mock__/clock", headers={})
    c("users", "GET", "/__mock__/users", headers={})
    c("clients", "GET", "/__mock__/clients", headers={})
    for name, payload in [
        ("clock-set-ms", b'{"now": 1781517600000}'),
        ("clock-set-negative", b'{"now": -1}'),
        ("clock-set-missing", b"{}"),
        ("clock-set-string", b'{"now": "1781517600"}'),
        ("clock-set-extra", b'{"now": 1781517600, "tz": "UTC"}'),
        ("clock-set-not-json", b"now"),
    ]:
        c(name, "PUT", "/__mock__/clock", payload)
    c("clock-advance-bad", "POST", "/__mock__/clock/advance", b'{"seconds": "x"}')
    c("clock-advance-huge", "POST", "/__mock__/clock/advance", b'{"seconds": 99999999999}')
    c("clock-advance-day", "POST", "/__mock__/clock/advance", b'{"seconds": 86400}')
    c("clock-after-advance", "GET", "/__mock__/clock", headers={})
    count += 1
    mock.call(
        "control", f"{count:03d}-clock-running", "PUT", "/__mock__/clock", headers=js,
        body=b'{"now": 1781517600, "frozen": false}', scrub_body=scrub_running_clock,
    )  # fmt: skip
    c("clock-refreeze", "PUT", "/__mock__/clock", json.dumps({"now": FROZEN_NOW}).encode())
    for name, payload in [
        ("mint-unknown-user", b'{"user_id": "nobody"}'),
        ("mint-unknown-client", b'{"client_id": "nobody"}'),
        ("mint-extra-field", b'{"user_id": "typical", "foo": 1}'),
        ("mint-zero-lifetime", b'{"expires_in": 0}'),
        ("mint-eleven-years", b'{"expires_in": 346896000}'),
        ("mint-bad-scope", b'{"scope": "daily;drop"}'),
        ("mint-unknown-scope", b'{"scope": "weekly"}'),
        ("mint-not-json", b"user_id=typical"),
        ("mint-array", b"[]"),
    ]:
        c(name, "POST", "/__mock__/tokens", payload)
    c("revoke-unknown", "DELETE", "/__mock__/tokens/NOPE", headers={})
    for name, payload in [
        ("fault-bad-kind", b'{"kind": "explode"}'),
        ("fault-missing-kind", b"{}"),
        ("fault-bad-status", b'{"kind": "status", "status": 404}'),
        ("fault-unknown-code", b'{"kind": "code", "code": 12345}'),
        ("fault-extra", b'{"kind": "drop", "colour": "red"}'),
    ]:
        c(name, "POST", "/__mock__/faults", payload)
    c("faults-empty", "GET", "/__mock__/faults", headers={})
    c("fault-remove-unknown", "DELETE", "/__mock__/faults/nope", headers={})
    c("explorer-typical-fixed", "GET", "/__mock__/explorer?user=typical&from=2026-05-01&to=2026-05-10", headers={})
    c("explorer-default", "GET", "/__mock__/explorer", headers={})
    c("explorer-sparse", "GET", "/__mock__/explorer?user=sparse&from=2026-04-01&to=2026-05-31", headers={})
    c("explorer-unknown-user", "GET", "/__mock__/explorer?user=nobody", headers={})
    c("explorer-bad-date", "GET", "/__mock__/explorer?user=typical&from=2026-02-30", headers={})
    c("explorer-reversed", "GET", "/__mock__/explorer?user=typical&from=2026-05-10&to=2026-05-01", headers={})
    c("explorer-too-long", "GET", "/__mock__/explorer?user=typical&from=2010-01-01&to=2026-05-01", headers={})
    c("admin-method", "PATCH", "/__mock__/clock", b"{}")
    return count


def stateful(mock: Mock) -> int:
    """Faults, expiry, revocation and the journal, in one fixed order (run with nothing in parallel)."""
    count = 0
    js = {"Content-Type": "application/json"}
    good = jbody(PAST - 3 * DAY, PAST)

    def c(
        name: str, method: str, path: str, payload: bytes | None = None, headers: dict[str, str] | None = None
    ) -> requests.Response | None:
        nonlocal count
        count += 1
        return mock.call(
            "stateful",
            f"{count:03d}-{name}",
            method,
            path,
            headers=headers if headers is not None else js,
            body=payload,
        )

    token = mock.mint("stateful", user_id="athlete")
    short = mock.mint("short-lived", user_id="athlete", expires_in=60)
    q = {**auth(token), **js}
    c("journal-clear", "DELETE", "/__mock__/requests", headers={})
    c("query-ok", "GET", "/partner/v1/query/heart_beat", good, q)
    c("short-token-ok", "GET", "/partner/v1/query/step", good, {**auth(short), **js})
    c("advance-61s", "POST", "/__mock__/clock/advance", b'{"seconds": 61}')
    c("short-token-expired", "GET", "/partner/v1/query/step", good, {**auth(short), **js})
    c("advance-back", "POST", "/__mock__/clock/advance", b'{"seconds": -61}')
    c("short-token-back-in-time", "GET", "/partner/v1/query/step", good, {**auth(short), **js})
    c("advance-29-days", "POST", "/__mock__/clock/advance", b'{"seconds": 2505600}')
    c("query-29-days-later", "GET", "/partner/v1/query/sleep", good, q)
    c("advance-2-days", "POST", "/__mock__/clock/advance", b'{"seconds": 172800}')
    c("token-expired-after-30-days", "GET", "/partner/v1/query/sleep", good, q)
    c("refreeze", "PUT", "/__mock__/clock", json.dumps({"now": FROZEN_NOW}).encode())
    c("fault-status-twice", "POST", "/__mock__/faults", b'{"kind": "status", "status": 503, "times": 2}')
    for i in range(3):
        c(f"under-status-fault-{i}", "GET", "/partner/v1/query/heart_beat", good, q)
    c("fault-code-step", "POST", "/__mock__/faults", b'{"kind": "code", "code": 50100, "endpoint": "queryStep"}')
    c(
        "fault-rate-limit",
        "POST",
        "/__mock__/faults",
        b'{"kind": "rate_limit", "retry_after": 2, "endpoint": "/partner/v1/query/sleep", "times": 1}',
    )
    c(
        "fault-percent",
        "POST",
        "/__mock__/faults",
        b'{"kind": "code", "code": 20007, "percent": 40, "seed": 3, "endpoint": "queryHeartBeat"}',
    )
    c("faults-listed", "GET", "/__mock__/faults", headers={})
    for i in range(10):
        c(f"percent-fault-{i}", "GET", "/partner/v1/query/heart_beat", good, q)
    for ep in ENDPOINTS:
        c(f"under-faults-{ep}", "GET", f"/partner/v1/query/{ep}", good, q)
    c("faults-counted", "GET", "/__mock__/faults", headers={})
    c("faults-clear", "DELETE", "/__mock__/faults", headers={})
    c("fault-malformed", "POST", "/__mock__/faults", b'{"kind": "malformed", "times": 1}')
    c("malformed-answer", "GET", "/partner/v1/query/step", good, q)
    c(
        "fault-latency",
        "POST",
        "/__mock__/faults",
        b'{"kind": "latency", "min_ms": 1, "max_ms": 5, "seed": 7, "times": 1}',
    )
    c("latency-answer", "GET", "/partner/v1/query/step", good, q)
    c("fault-drop", "POST", "/__mock__/faults", b'{"kind": "drop", "times": 1}')
    c("dropped", "GET", "/partner/v1/query/step", good, q)
    c("after-drop", "GET", "/partner/v1/query/step", good, q)
    c("faults-after", "GET", "/__mock__/faults", headers={})
    c("revoke", "DELETE", f"/__mock__/tokens/{token}", headers={})
    c("revoked-query", "GET", "/partner/v1/query/step", good, q)
    c("revoke-again", "DELETE", f"/__mock__/tokens/{token}", headers={})
    c("journal", "GET", "/__mock__/requests?limit=40", headers={})
    c("journal-limit-2", "GET", "/__mock__/requests?limit=2", headers={})
    c("journal-bad-limit", "GET", "/__mock__/requests?limit=0", headers={})
    return count


def oauth(mock: Mock) -> int:
    count = 0

    def c(
        name: str,
        method: str,
        path: str,
        query: str = "",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response | None:
        nonlocal count
        count += 1
        return mock.call("oauth", f"{count:02d}-{name}", method, path, headers=headers or {}, body=body, query=query)

    base = {
        "response_type": "token",
        "client_id": "JDS734JSNDPW",
        "redirect_uri": "https://example.com/callback",
        "state": "xyz",
    }
    enc = urllib.parse.urlencode
    page = c("consent-page", "GET", "/oauth/authorize", enc(base))
    c("no-redirect-uri", "GET", "/oauth/authorize", enc({k: v for k, v in base.items() if k != "redirect_uri"}))
    c("bad-response-type", "GET", "/oauth/authorize", enc({**base, "response_type": "code"}))
    c("missing-response-type", "GET", "/oauth/authorize", enc({k: v for k, v in base.items() if k != "response_type"}))
    c("unknown-client", "GET", "/oauth/authorize", enc({**base, "client_id": "nobody"}))
    c("bad-redirect", "GET", "/oauth/authorize", enc({**base, "redirect_uri": "https://evil.example/cb"}))
    c("bad-scope", "GET", "/oauth/authorize", enc({**base, "scope": "weekly"}))
    c(
        "loopback-any-port",
        "GET",
        "/oauth/authorize",
        enc({**base, "client_id": "cudis-mobile-demo", "redirect_uri": "http://127.0.0.1:49152/callback"}),
    )
    c(
        "local-dev",
        "GET",
        "/oauth/authorize",
        enc({**base, "client_id": "local-dev", "redirect_uri": "http://localhost:3000/callback"}),
    )
    csrf = ""
    if page is not None:
        m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        csrf = m.group(1) if m else ""

    def grant_scrub(text: str) -> str:
        return re.sub(r"access_token=[A-Z0-9]{32}", "access_token=<TOKEN:granted>", text)

    for name, fields in [
        ("approve", {"csrf_token": csrf, "user": "typical", "grant": "daily", "decision": "approve"}),
        ("approve-no-scope", {"csrf_token": csrf, "user": "athlete", "decision": "approve"}),
        ("deny", {"csrf_token": csrf, "user": "typical", "grant": "daily", "decision": "deny"}),
        ("bad-csrf", {"csrf_token": "forged", "user": "typical", "grant": "daily", "decision": "approve"}),
        ("unknown-user", {"csrf_token": csrf, "user": "nobody", "grant": "daily", "decision": "approve"}),
        (
            "login-password",
            {"csrf_token": csrf, "username": "alex", "password": "cudis", "grant": "daily", "decision": "approve"},
        ),
        (
            "login-wrong-password",
            {"csrf_token": csrf, "username": "alex", "password": "nope", "grant": "daily", "decision": "approve"},
        ),
    ]:
        count += 1
        r = mock.session.post(
            mock.base + "/oauth/authorize", data=fields, allow_redirects=False, timeout=REQUEST_TIMEOUT
        )
        rec = {
            "request": {
                "method": "POST",
                "path": "/oauth/authorize",
                "form": {k: ("<CSRF>" if k == "csrf_token" and v == csrf else v) for k, v in fields.items()},
            },
            "response": {
                "status": r.status_code,
                "content_type": r.headers.get("Content-Type"),
                "headers": {
                    k: grant_scrub(mock.scrub(v))
                    for k, v in sorted(r.headers.items(), key=lambda kv: kv[0].lower())
                    if k.lower() not in SKIP_HEADERS
                },
                "body": grant_scrub(mock.scrub(r.text)),
            },
        }
        write_json(mock.outdir / "http" / mock.name / "oauth" / f"{count:02d}-post-{name}.json", rec)
    return count


def record_http(env: Env, outdir: Path, jobs: int, log: Callable[[str], None]) -> int:
    total = 0
    # 1. defaults: every user, every range, both forms; then bad input, control API, state, oauth
    mock = Mock(env, "default", [], outdir)
    try:
        mock.start()
        mock.freeze()
        users = [u["id"] for u in mock.admin("GET", "/__mock__/users")["users"]]
        log(f"  default server: {len(users)} users: {', '.join(users)}")
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            counts = list(pool.map(lambda u: record_user(mock, u, RANGES, ("body", "query")), users))
        total += sum(counts)
        total += bad_inputs(mock)
        total += control_api(mock)
        total += stateful(mock)
        total += oauth(mock)
        mock.freeze()
    finally:
        mock.stop()
    log(f"  default server: {total} requests")

    # 2. --empty-days zero --error-status mapped: a subset
    mapped = Mock(env, "zero-mapped", ["--empty-days", "zero", "--error-status", "mapped"], outdir)
    sub = 0
    try:
        mapped.start()
        mapped.freeze()
        subset = [
            u
            for u in users
            if u in {"typical", "sparse", "new-user", "no-data", "kiritimati", "baker-island", "qa-edge"}
        ]
        ranges = [r for r in RANGES if r[0] in SMALL_RANGES]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            sub += sum(pool.map(lambda u: record_user(mapped, u, ranges, ("body", "query")), subset))
        sub += bad_inputs(mapped)
        sub += stateful(mapped)
    finally:
        mapped.stop()
    log(f"  zero-mapped server: {sub} requests")
    total += sub

    # 3. a built-in scenario (start-up faults, reset re-applies them)
    scen = Mock(env, "scenario-not-yet-available", ["--scenario", "step-and-sleep-not-yet-available"], outdir)
    n = 0
    try:
        scen.start()
        scen.freeze()
        token = scen.mint("scenario", user_id="typical")
        js = {**auth(token), "Content-Type": "application/json"}
        good = jbody(PAST - 3 * DAY, PAST)
        for phase in ("start", "after-reset"):
            if phase == "after-reset":
                scen.call("scenario", "reset", "POST", "/__mock__/reset")
                scen.freeze()
                token = scen.mint("scenario-2", user_id="typical")
                js = {**auth(token), "Content-Type": "application/json"}
            scen.call("scenario", f"{phase}-faults", "GET", "/__mock__/faults")
            for ep in ENDPOINTS:
                scen.call("scenario", f"{phase}-{ep}", "GET", f"/partner/v1/query/{ep}", headers=js, body=good)
                n += 1
        scen.call(
            "scenario",
            "old-token-after-reset",
            "GET",
            "/partner/v1/query/heart_beat",
            headers={**auth(scen.mint("scenario-3", user_id="typical")), "Content-Type": "application/json"},
            body=good,
        )
        n += 4
    finally:
        scen.stop()
    total += n
    return total


# ---------------------------------------------------------------------------------------------
# generate


def record_generate(env: Env, outdir: Path, log: Callable[[str], None]) -> int:
    gen = outdir / "generate"
    tmp = Path(tempfile.mkdtemp(prefix="gen-", dir=env.scratch))
    now = ["--now", str(FROZEN_NOW)]
    june = ["--from", "2026-05-20", "--to", "2026-06-20"]  # across the frozen "today"

    def to(name: str) -> list[str]:
        return ["--out", str(tmp / name)]

    # (name, arguments after `generate`, what it writes into tmp)
    runs: list[tuple[str, list[str], str | None]] = [
        ("edge-cases-dir", ["--edge-cases", *now, *to("edge-cases")], "edge-cases"),
        ("edge-cases-stdout", ["--edge-cases", *now], None),
        ("edge-cases-zero", ["--edge-cases", *now, "--empty-days", "zero", *to("edge-zero")], "edge-zero"),
        ("fixtures-ndjson", [*now, *june, "--format", "ndjson", *to("fixtures.ndjson")], "fixtures.ndjson"),
        ("fixtures-json", [*now, *june, "--format", "json", *to("fixtures.json")], "fixtures.json"),
        ("fixtures-csv", [*now, *june, "--format", "csv", *to("fixtures.csv")], "fixtures.csv"),
        ("fixtures-csv-zero", [*now, *june, "--format", "csv", "--empty-days", "zero", *to("zero.csv")], "zero.csv"),
        (
            "per-day",
            [
                *now,
                "--users",
                "typical,kiritimati,new-user",
                "--from",
                "2026-06-08",
                "--to",
                "2026-06-16",
                "--per",
                "day",
                "--format",
                "ndjson",
                *to("per-day.ndjson"),
            ],
            "per-day.ndjson",
        ),
        (
            "year-seed-7",
            [
                *now,
                "--seed",
                "7",
                "--users",
                "athlete,sparse",
                "--from",
                "2025-01-01",
                "--to",
                "2025-12-31",
                "--format",
                "csv",
                *to("year-seed-7.csv"),
            ],
            "year-seed-7.csv",
        ),
        (
            "population",
            [
                *now,
                "--seed",
                "7",
                "--population",
                "5",
                "--from",
                "2026-04-01",
                "--to",
                "2026-04-30",
                "--format",
                "json",
                *to("population.json"),
            ],
            "population.json",
        ),
        (
            "population-persona",
            [
                *now,
                "--seed",
                "3",
                "--population",
                "athlete:2",
                "--population",
                "sparse:2",
                "--from",
                "2026-04-01",
                "--to",
                "2026-04-14",
                "--format",
                "ndjson",
                *to("personas.ndjson"),
            ],
            "personas.ndjson",
        ),
        (
            "population-and-users",
            [
                *now,
                "--seed",
                "7",
                "--users",
                "typical",
                "--population",
                "2",
                "--from",
                "2026-06-01",
                "--to",
                "2026-06-03",
                "--format",
                "csv",
                *to("mixed.csv"),
            ],
            "mixed.csv",
        ),
        ("stdout-default", [*now, "--users", "typical", "--from", "2026-06-10", "--to", "2026-06-16"], None),
        (
            "iso-now",
            [
                "--now",
                "2026-06-15T10:00:00Z",
                "--users",
                "new-user,no-data",
                "--from",
                "2026-06-10",
                "--to",
                "2026-06-16",
            ],
            None,
        ),
        ("err-too-long", [*now, "--users", "typical", "--from", "2010-01-01", "--to", "2026-06-01"], None),
        (
            "too-long-per-day",
            [
                *now,
                "--users",
                "no-data",
                "--from",
                "2016-01-01",
                "--to",
                "2026-06-01",
                "--per",
                "day",
                "--format",
                "csv",
            ],
            None,
        ),
        ("err-unknown-user", [*now, "--users", "nobody", "--from", "2026-06-01", "--to", "2026-06-02"], None),
        ("err-reversed", [*now, "--from", "2026-06-02", "--to", "2026-06-01"], None),
        ("err-bad-date", [*now, "--from", "2026-02-30", "--to", "2026-03-01"], None),
        ("err-bad-now", ["--now", "yesterday", "--from", "2026-06-01", "--to", "2026-06-02"], None),
        ("err-bad-population", [*now, "--population", "nobody:3", "--from", "2026-06-01", "--to", "2026-06-02"], None),
        ("err-no-range", now, None),
    ]
    for name, args, output in runs:
        result = env.run(["-m", "mock_server.cli", "generate", *args], timeout=300)
        meta = {
            "argv": ["generate", *[a.replace(str(tmp), "<TMP>") for a in args]],
            "exit": result.returncode,
            "stderr": result.stderr.decode("utf-8", "replace").replace(str(tmp), "<TMP>"),
        }
        write_json(gen / f"{name}.run.json", meta)
        if result.stdout:
            write_bytes(gen / f"{name}.stdout", result.stdout)
        if output:
            src = tmp / output
            if src.is_dir():
                shutil.copytree(src, gen / output, dirs_exist_ok=True)
            elif src.exists():
                shutil.copyfile(src, gen / output)
    shutil.rmtree(tmp, ignore_errors=True)
    log(f"  generate: {len(runs)} runs")
    return len(runs)


# ---------------------------------------------------------------------------------------------
# contract suite

# The reference implementation served as a real HTTP server, exactly as the suite's own tests
# serve it (serving(create_reference_app(Behaviour(...)))). Given an instant, its clock
# (datetime.now in the reference module) stands still there, so "today" is fixed.
REFERENCE_SERVER = r"""
import importlib, json, sys, threading, time
ref = importlib.import_module(sys.argv[1])
_serving_module = importlib.import_module(sys.argv[2])
serving = getattr(_serving_module, 'serving', None) or _serving_module.in_thread
kwargs = json.loads(sys.argv[3])
start = float(sys.argv[4])
if start >= 0:
    base = ref.datetime
    class _Clock(base):
        @classmethod
        def now(cls, tz=None):
            return base.fromtimestamp(start, tz)
    ref.datetime = _Clock
app = ref.create_reference_app(ref.Behaviour(**kwargs))
clock = ref.Reference(ref.Behaviour()).clock()
with serving(app) as url:
    print(json.dumps({"url": url, "clock": clock}), flush=True)
    threading.Event().wait()
"""

REFERENCE_CREDENTIALS = r"""
import importlib, json, sys
ref = importlib.import_module(sys.argv[1])
print(json.dumps([ref.CLIENT_ID, ref.TOKEN, ref.EXPIRED_TOKEN]))
"""

LIST_DEFECTS = r"""
import importlib, json, sys
ref = importlib.import_module(sys.argv[1])
print(json.dumps(list(ref.DEFECTS)))
"""

# `cudis-contract` made repeatable (what the plain `python -m contract_tests.cli` is not):
# 1. its wall clock (time.time) stands still at a fixed instant (durations use time.monotonic
#    and are untouched): the ranges it draws around "now" are the same on any day and at any
#    speed; against the mock, frozen at the same instant, the offset it reads from
#    GET /__mock__/clock is 0.
# 2. Hypothesis (6.13x+) mixes literal constants from every *local* module loaded in the process
#    (not site-packages, not stdlib, not tests) into its draws, so any literal added, changed or
#    moved in contract_tests/ (or anything it imports from the code root) changes the generated
#    requests with the same --seed. That pool is kept empty, so the draws depend on the seed only.
# It says on stderr what it did; that line is part of the recorded report.
SUITE_SHIM = r"""
import runpy, sys, time
start = float(sys.argv.pop(1))
time.time = lambda: start
time.time_ns = lambda: int(start) * 1_000_000_000
try:
    from hypothesis.internal.conjecture import providers as _providers
    _providers._get_local_constants = lambda: _providers._local_constants
    _constants = "off"
except Exception as exc:
    _constants = f"NOT switched off ({type(exc).__name__})"
print(f"golden shim: time.time frozen at {start:.0f}; hypothesis local constants {_constants}", file=sys.stderr)
sys.argv[0] = "cudis-contract"
runpy.run_module("contract_tests.cli", run_name="__main__", alter_sys=True)
"""


def run_suite(env: Env, outdir: Path, name: str, base_url: str, extra: Sequence[str], now: int | None) -> int:
    """`cudis-contract run` against `base_url`; through SUITE_SHIM frozen at `now` unless it is None."""
    raw = outdir / "raw" / "contract"
    raw.mkdir(parents=True, exist_ok=True)
    junit = env.scratch / f"junit-{name}.xml"
    args = ["run", "--base-url", base_url, "--seed", "1", "--max-examples", "25", "--junit-xml", str(junit), *extra]
    argv = ["-m", "contract_tests.cli", *args] if now is None else ["-c", SUITE_SHIM, str(now), *args]
    result = env.run(argv, timeout=SUITE_TIMEOUT)
    text = result.stdout.decode("utf-8", "replace")
    err = result.stderr.decode("utf-8", "replace")
    xml = junit.read_text(encoding="utf-8") if junit.exists() else ""
    write_text(raw / f"{name}.txt", text)
    write_text(raw / f"{name}.stderr", err)
    write_text(raw / f"{name}.xml", xml)

    def norm(s: str) -> str:
        return normalise_report(s.replace(str(junit), "<JUNIT>"))

    out = outdir / "contract"
    stderr = f"\n--- stderr\n{norm(err)}" if err else ""
    write_text(out / f"{name}.txt", f"exit: {result.returncode}\n{norm(text)}{stderr}")
    write_text(out / f"{name}.xml", norm(xml))
    return result.returncode


def record_contract(
    env: Env, outdir: Path, jobs: int, shim: bool, modules: tuple[str, str], log: Callable[[str], None]
) -> int:
    reference_module, serving_module = modules
    listed = env.run(["-c", LIST_DEFECTS, reference_module], timeout=60)
    creds = env.run(["-c", REFERENCE_CREDENTIALS, reference_module], timeout=60)
    if listed.returncode != 0 or creds.returncode != 0:
        problem = (listed.stderr + creds.stderr).decode(errors="replace")[-2000:]
        raise RuntimeError(f"cannot read {reference_module}: {problem}")
    defects = json.loads(listed.stdout)
    client_id, token, expired = json.loads(creds.stdout)

    # (name, target, Behaviour of the reference or the mock's clock mode, instant)
    ref, mapped, code = "reference", {"error_status": "mapped"}, {"bad_input_code": 10001}
    runs: list[tuple[str, str, Any, int]] = [
        ("mock-frozen-clock", "mock", True, CONTRACT_NOW),
        ("mock-running-clock", "mock", False, CONTRACT_NOW),  # the expired-token probe runs only so
        ("reference", ref, {}, CONTRACT_NOW),
        ("reference-error-status-mapped", ref, mapped, CONTRACT_NOW),
        ("reference-bad-input-code-10001", ref, code, CONTRACT_NOW),
        ("reference-bad-input-code-10001-mapped", ref, {**code, **mapped}, CONTRACT_NOW),
        # 10:00:00Z is midnight in UTC+14, where the reference lives: see the report
        ("reference-at-utc14-midnight", ref, {}, FROZEN_NOW),
    ]
    runs += [(f"defect-{d}", "reference", {"defect": d}, CONTRACT_NOW) for d in defects]
    write_json(
        outdir / "contract" / "runs.json", [{"name": n, "target": t, "with": w, "now": i} for n, t, w, i in runs]
    )
    reference_args = ["--client-id", client_id, "--token", token, "--expired-token", expired]

    def against_mock(name: str, frozen: bool, now: int) -> int:
        mock = Mock(env, f"contract-{name}", [], outdir)
        try:
            mock.start()
            mock.admin("PUT", "/__mock__/clock", {"now": now, "frozen": frozen})
            # the suite reads the mock's clock and offsets its own by it (0 through the shim)
            return run_suite(env, outdir, name, mock.base, [], now if shim else None)
        finally:
            mock.stop()

    def against_reference(name: str, behaviour: dict[str, Any], now: int) -> int:
        log_path = outdir / "raw" / "logs" / f"reference-{name}.stderr"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        argv = [REFERENCE_SERVER, reference_module, serving_module, json.dumps(behaviour), str(now if shim else -1)]
        with open(log_path, "wb") as err:
            proc = PROCS.start(
                [env.python, "-c", *argv], env=env.vars, cwd=env.scratch, stdout=subprocess.PIPE, stderr=err
            )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().decode()
            if not line:
                proc.wait(5)
                raise RuntimeError(f"reference {name} did not start:\n{log_path.read_text(errors='replace')[-2000:]}")
            info = json.loads(line)
            if shim and info["clock"] != now:  # the reference no longer reads its clock as it did
                write_text(outdir / "contract" / f"{name}.clock-not-frozen", f"reference clock read {info['clock']}\n")
            return run_suite(env, outdir, name, info["url"], reference_args, now if shim else None)
        finally:
            PROCS.stop(proc)

    def one(run: tuple[str, str, Any, int]) -> str:
        name, target, what, now = run
        code = against_mock(name, what, now) if target == "mock" else against_reference(name, what, now)
        return f"{name}: exit {code}"

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for line in pool.map(one, runs):
            log(f"  contract {line}")
    return len(runs)


# ---------------------------------------------------------------------------------------------
# commands


def cmd_record(args: argparse.Namespace) -> int:
    outdir = Path(args.outdir).resolve()
    code_root = Path(args.code_root).resolve()
    if outdir.exists() and any(outdir.iterdir()):
        if not args.force:
            print(f"golden: {outdir} is not empty (use --force to replace it)", file=sys.stderr)
            return 2
        shutil.rmtree(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    started = time.monotonic()

    def log(msg: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {msg}", flush=True)

    scratch = Path(tempfile.mkdtemp(prefix="golden-"))
    env = Env(args.python, code_root, scratch)
    try:
        where = env.run(
            ["-c", "import mock_server, contract_tests; print(mock_server.__file__); print(contract_tests.__file__)"],
            timeout=60,
        )
        files = where.stdout.decode().split()
        log(f"code under test: {' '.join(files)}")
        if where.returncode != 0 or not all(Path(f).resolve().is_relative_to(code_root) for f in files):
            raise RuntimeError(f"the packages do not come from {code_root}: {files} {where.stderr.decode()[-500:]}")
        jobs = args.jobs or min(4, os.cpu_count() or 2)
        parts = set(args.only.split(",")) if args.only else {"http", "generate", "contract"}
        summary: dict[str, Any] = {"frozen_now": FROZEN_NOW, "contract_now": CONTRACT_NOW, "seed": SEED}
        if "http" in parts:
            summary["http_requests"] = record_http(env, outdir, jobs, log)
        if "generate" in parts:
            summary["generate_runs"] = record_generate(env, outdir, log)
        if "contract" in parts:
            summary["contract_runs"] = record_contract(
                env, outdir, jobs, not args.plain_suite, (args.reference_module, args.serving_module), log
            )
        summary["suite"] = "plain" if args.plain_suite else "shim (time.time frozen, no hypothesis local constants)"
        write_json(outdir / "summary.json", summary)
        count = sum(1 for p in outdir.rglob("*") if p.is_file() and "raw" not in p.relative_to(outdir).parts)
        log(f"done: {summary}, {count} files compared by `compare` (plus raw/)")
        return 0
    finally:
        PROCS.stop_all()
        shutil.rmtree(scratch, ignore_errors=True)


def _display(path: Path) -> list[str]:
    """A file as lines for a diff: JSON pretty-printed (an HTTP record's body parsed too)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [f"<binary {len(data)} bytes>"]
    if path.suffix == ".json":
        try:
            value = json.loads(text)
            response = value.get("response") if isinstance(value, dict) else None
            if isinstance(response, dict) and isinstance(response.get("body"), str):
                try:
                    response["body"] = json.loads(response["body"])
                except ValueError:
                    response["body"] = response["body"].splitlines()
            return json.dumps(value, indent=1, ensure_ascii=False, sort_keys=False).splitlines()
        except ValueError:
            pass
    if path.suffix in (".ndjson", ".stdout") and text.lstrip().startswith("{"):
        lines = []
        for line in text.splitlines():
            try:
                lines += json.dumps(json.loads(line), indent=1).splitlines()
            except ValueError:
                lines.append(line)
        return lines
    return text.splitlines()


def cmd_compare(args: argparse.Namespace) -> int:
    a, b = Path(args.a), Path(args.b)

    def files(root: Path) -> set[str]:
        out = set()
        for p in root.rglob("*"):
            if p.is_file():
                rel = p.relative_to(root)
                if not args.include_raw and rel.parts[0] == "raw":
                    continue
                out.add(rel.as_posix())
        return out

    fa, fb = files(a), files(b)
    only_a, only_b = sorted(fa - fb), sorted(fb - fa)
    same, differ = 0, []
    for rel in sorted(fa & fb):
        if (a / rel).read_bytes() == (b / rel).read_bytes():
            same += 1
        else:
            differ.append(rel)
    print(f"golden compare: {a} vs {b}")
    print(f"  identical: {same}   different: {len(differ)}   only in A: {len(only_a)}   only in B: {len(only_b)}")
    for label, items in (("only in A", only_a), ("only in B", only_b)):
        for rel in items[: args.max_files]:
            print(f"  {label}: {rel}")
        if len(items) > args.max_files:
            print(f"  ... and {len(items) - args.max_files} more {label}")
    if differ:
        groups: dict[str, int] = {}
        for rel in differ:
            key = "/".join(rel.split("/")[:3])
            groups[key] = groups.get(key, 0) + 1
        print("  differences by area:")
        for key, n in sorted(groups.items()):
            print(f"    {n:5d}  {key}")
    for rel in differ[: args.max_files]:
        diff = list(
            difflib.unified_diff(
                _display(a / rel), _display(b / rel), f"A/{rel}", f"B/{rel}", n=args.context, lineterm=""
            )
        )
        print()
        for line in diff[: args.max_lines]:
            print(line)
        if len(diff) > args.max_lines:
            print(f"... ({len(diff) - args.max_lines} more diff lines)")
    if len(differ) > args.max_files:
        print(f"\n... and {len(differ) - args.max_files} more different files:")
        for rel in differ[args.max_files : args.max_files + 50]:
            print(f"  {rel}")
    return 1 if differ or only_a or only_b else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="golden", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="record a golden set of one version of the code")
    rec.add_argument("outdir")
    rec.add_argument(
        "--code-root", required=True, help="directory put on PYTHONPATH (holds mock_server/, contract_tests/, tests/)"
    )
    rec.add_argument("--python", default=sys.executable, help="interpreter with the dependencies (default: this one)")
    rec.add_argument("--jobs", type=int, default=0, help="parallel requests/suite runs (default min(4, CPUs))")
    rec.add_argument("--only", help="comma-separated subset of http,generate,contract")
    rec.add_argument(
        "--plain-suite", action="store_true",
        help="run `python -m contract_tests.cli` as it is, on real time (its reports then vary with the day "
        "and with the literals of the code), instead of through the repeatable shim (see SUITE_SHIM)",
    )  # fmt: skip
    rec.add_argument("--reference-module", default=REFERENCE_MODULE, help=f"default {REFERENCE_MODULE}")
    rec.add_argument("--serving-module", default=SERVING_MODULE, help=f"default {SERVING_MODULE}")
    rec.add_argument("--force", action="store_true", help="replace OUTDIR if it is not empty")
    cmp_ = sub.add_parser("compare", help="compare two recorded directories; exit 1 on any difference")
    cmp_.add_argument("a")
    cmp_.add_argument("b")
    cmp_.add_argument("--include-raw", action="store_true", help="also compare raw/ (timings, ports: always differ)")
    cmp_.add_argument("--max-files", type=int, default=5, help="diffs shown (default 5)")
    cmp_.add_argument("--max-lines", type=int, default=60, help="lines per diff (default 60)")
    cmp_.add_argument("--context", type=int, default=3)
    args = parser.parse_args(argv)
    return cmd_record(args) if args.command == "record" else cmd_compare(args)


if __name__ == "__main__":
    sys.exit(main())

"""The front: a plain mint and query answered before Flask is imported, everything else by the Flask
app built on first need (or in the background), once."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from typing import Any

import pytest

from mock_server.front import DeferredApp

# Starts the front as `serve --workers` does, answers three requests, and says which of them found Flask loaded.
FRONT_SCRIPT = """
import io, json, sys
from mock_server import cli
from mock_server.serving import server, workers
from mock_server.context import build_context
from mock_server.front import deferred_front

FLASKY = ("flask", "werkzeug", "jinja2")

def call(wsgi, method, path, body=b"", headers=()):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8080", "HTTP_HOST": "127.0.0.1:8080", "REMOTE_ADDR": "127.0.0.1",
               "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
               "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
               "wsgi.run_once": False, "wsgi.version": (1, 0), "CONTENT_LENGTH": str(len(body)),
               "CONTENT_TYPE": "application/json", **dict(headers)}
    status = []
    answer = b"".join(wsgi(environ, lambda s, h, e=None: status.append(s)))
    return {"status": status[0], "body": json.loads(answer) if answer.startswith(b"{") else answer.decode()[:40],
            "flask loaded": any(name.split(".")[0] in FLASKY for name in sys.modules)}

mock = build_context()
wsgi, _deferred = deferred_front(mock)
imported = [name for name in sys.modules if name.split(".")[0] in FLASKY]
minted = call(wsgi, "POST", "/__mock__/tokens", b'{"user_id": "athlete"}')
token = minted["body"]["access_token"]
now = int(mock.clock.now()) // 86400 * 86400
body = json.dumps({"startTime": now - 7 * 86400, "endTime": now}).encode()
headers = {"HTTP_AUTHORIZATION": "Bearer " + token, "HTTP_CUDIS_CLIENT_ID": "cudis-wellness"}
queried = call(wsgi, "GET", "/partner/v1/query/step", body, headers)
clock = call(wsgi, "GET", "/__mock__/clock", b"", {"CONTENT_TYPE": ""})
print(json.dumps({"imported at start": imported, "mint": minted, "query": queried, "clock": clock}))
"""


def test_a_mint_and_a_query_are_answered_before_flask_is_imported_and_the_rest_after() -> None:
    ran = subprocess.run([sys.executable, "-c", FRONT_SCRIPT], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    seen = json.loads(ran.stdout)
    assert seen["imported at start"] == []
    assert seen["mint"]["status"] == "201 CREATED" and not seen["mint"]["flask loaded"]
    assert seen["query"]["status"] == "200 OK" and seen["query"]["body"]["code"] == 200
    assert seen["query"]["body"]["data"]["list"] and not seen["query"]["flask loaded"]
    assert seen["clock"]["status"] == "200 OK" and "now" in seen["clock"]["body"] and seen["clock"]["flask loaded"]


def _answering(text: bytes) -> Any:
    def app(_environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [])
        return [text]

    return app


def test_the_deferred_app_is_built_once_however_many_requests_wait_for_it() -> None:
    builds: list[int] = []

    def build() -> Any:
        builds.append(1)
        time.sleep(0.05)  # long enough for every caller to be waiting on the lock
        return _answering(b"built")

    deferred = DeferredApp(build)
    answers: list[bytes] = []
    callers = [
        threading.Thread(target=lambda: answers.append(b"".join(deferred({}, lambda *_: None)))) for _ in range(8)
    ]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert builds == [1] and answers == [b"built"] * 8


def test_started_the_deferred_app_is_built_in_the_background() -> None:
    built = threading.Event()

    def build() -> Any:
        built.set()
        return _answering(b"ready")

    deferred = DeferredApp(build)
    deferred.start()
    assert built.wait(10)
    assert b"".join(deferred({}, lambda *_: None)) == b"ready"


def test_a_build_that_failed_in_the_background_fails_the_request_that_needs_it_with_the_reason() -> None:
    attempts: list[int] = []

    def build() -> Any:
        attempts.append(1)
        raise RuntimeError("the spec has an operation without a handler")

    deferred = DeferredApp(build)
    deferred.start()
    for _ in range(1000):
        if attempts:
            break
        time.sleep(0.01)
    with pytest.raises(RuntimeError, match="without a handler"):
        deferred({}, lambda *_: None)
    assert len(attempts) == 2

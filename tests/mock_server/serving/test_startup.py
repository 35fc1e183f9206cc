"""What a server start imports: only what minting a token and answering a query need (cold start)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

# Starts as `serve --workers` does (the context and the front, no Flask app), mints a token with the
# body in argv[1], asks a query, then the clock (which needs the Flask app); says what each found loaded.
SERVE_AND_ANSWER = """
import io, json, sys, tempfile
from pathlib import Path
import mock_server.cli, mock_server.serving.server, mock_server.serving.workers
from mock_server.config import MockConfig
from mock_server.context import build_context
from mock_server.front import deferred_front
from mock_server.state import SqliteStore

WATCHED = {"flask", "werkzeug", "jinja2", "jsonschema", "referencing"}
QA = {"mock_server.qa.cli", "mock_server.qa.dataset", "mock_server.qa.writers"}

def loaded():
    return sorted({name.split(".")[0] for name in sys.modules} & WATCHED) + sorted(QA & set(sys.modules))

def call(wsgi, method, path, body=b"", headers=()):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8080", "HTTP_HOST": "127.0.0.1:8080", "REMOTE_ADDR": "127.0.0.1",
               "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
               "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
               "wsgi.run_once": False, "wsgi.version": (1, 0), "CONTENT_LENGTH": str(len(body)),
               "CONTENT_TYPE": "application/json", **dict(headers)}
    status = []
    answer = b"".join(wsgi(environ, lambda s, h, e=None: status.append(s)))
    return {"status": status[0], "body": json.loads(answer), "loaded": loaded()}

store = SqliteStore(Path(tempfile.mkdtemp()) / "state.sqlite")
wsgi, _deferred = deferred_front(build_context(MockConfig(workers=2), store=store))
started = loaded()
minted = call(wsgi, "POST", "/__mock__/tokens", sys.argv[1].encode())
token = minted["body"].get("access_token", "")
body = json.dumps({"startTime": 1_700_000_000, "endTime": 1_702_592_000}).encode()
headers = {"HTTP_AUTHORIZATION": "Bearer " + token, "HTTP_CUDIS_CLIENT_ID": "cudis-wellness"}
queried = call(wsgi, "GET", "/partner/v1/query/step", body, headers)
clock = call(wsgi, "GET", "/__mock__/clock", b"", {"CONTENT_TYPE": ""})
print(json.dumps({"started": started, "minted": minted, "queried": queried, "clock": clock}))
"""


def _start_and_ask(token_request: dict[str, Any]) -> dict[str, Any]:
    ran = subprocess.run(
        [sys.executable, "-c", SERVE_AND_ANSWER, json.dumps(token_request)], capture_output=True, text=True, check=True
    )
    seen: dict[str, Any] = json.loads(ran.stdout)
    return seen


def test_a_worker_mints_and_answers_before_it_imports_flask_or_the_explaining_validator() -> None:
    """Flask, werkzeug and jinja2 (about 0.15 s of imports here) come with the app a worker builds in
    the background; jsonschema (about 50 ms) only to word what is wrong with a body; `cudis-mock
    generate`'s modules only to generate."""
    seen = _start_and_ask({"client_id": "cudis-wellness", "user_id": "typical"})
    assert seen["started"] == []
    assert seen["minted"]["status"] == "201 CREATED" and seen["minted"]["loaded"] == []
    assert seen["queried"]["body"]["code"] == 200 and seen["queried"]["loaded"] == []
    assert "now" in seen["clock"]["body"] and seen["clock"]["loaded"] == ["flask", "jinja2", "werkzeug"]


def test_an_invalid_body_after_such_a_start_is_still_explained_field_by_field() -> None:
    seen = _start_and_ask({"client_id": "cudis-wellness", "user_id": 7})
    assert seen["minted"]["status"] == "400 BAD REQUEST" and "user_id" in seen["minted"]["body"]["msg"]
    assert {"flask", "jsonschema", "referencing"} <= set(seen["minted"]["loaded"])

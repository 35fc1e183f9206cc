"""What a server start imports: only what serving a valid request needs (cold start)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

SERVE_AND_ANSWER = """
import json, sys, tempfile
from pathlib import Path
import mock_server.cli, mock_server.serving.workers
from mock_server.app import create_app
from mock_server.config import MockConfig
from mock_server.state import SqliteStore

store = SqliteStore(Path(tempfile.mkdtemp()) / "state.sqlite")
client = create_app(MockConfig(workers=2), store=store).test_client()
minted = client.post("/__mock__/tokens", json=json.loads(sys.argv[1])).get_json()
token = minted.get("access_token", "")
answer = client.get(
    "/partner/v1/query/step",
    json={"startTime": 1_700_000_000, "endTime": 1_702_592_000},
    headers={"Authorization": "Bearer " + token, "Cudis-Client-Id": "cudis-wellness"},
).get_json()
loaded = sorted({name.split(".")[0] for name in sys.modules} & {"jsonschema", "referencing"})
loaded += sorted({"mock_server.qa.cli", "mock_server.qa.dataset", "mock_server.qa.writers"} & set(sys.modules))
print(json.dumps({"minted": minted, "answer": answer["code"], "loaded": loaded}))
"""


def _start_and_ask(token_request: dict[str, Any]) -> dict[str, Any]:
    ran = subprocess.run(
        [sys.executable, "-c", SERVE_AND_ANSWER, json.dumps(token_request)], capture_output=True, text=True, check=True
    )
    seen: dict[str, Any] = json.loads(ran.stdout)
    return seen


def test_starting_a_server_and_answering_valid_requests_never_imports_the_explaining_validator() -> None:
    """jsonschema (about 50 ms of imports) is only needed to word what is wrong with a body, and
    `cudis-mock generate`'s modules only to generate."""
    seen = _start_and_ask({"client_id": "cudis-wellness", "user_id": "typical"})
    assert seen["answer"] == 200
    assert seen["loaded"] == []


def test_an_invalid_body_after_such_a_start_is_still_explained_field_by_field() -> None:
    seen = _start_and_ask({"client_id": "cudis-wellness", "user_id": 7})
    assert "access_token" not in seen["minted"]
    assert "user_id" in seen["minted"]["msg"]
    assert seen["loaded"] == ["jsonschema", "referencing"]

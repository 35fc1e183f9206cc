"""What a journal entry keeps of a request and its answer, with secrets masked."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from ...conftest import FIXED_NOW

HEART = "/partner/v1/query/heart_beat"
RANGE = {"startTime": 1726358400, "endTime": 1726704000}
TOKEN = "PHCW3OVMXQZX5FJUR6ZK4FAA2MK2CWWA"


def only_entry(client: FlaskClient) -> dict[str, Any]:
    (entry,) = client.get("/__mock__/requests").json["requests"]  # type: ignore[index]
    return entry  # type: ignore[no-any-return]


def test_an_entry_is_stamped_by_the_mocks_clock_and_names_its_worker(client: FlaskClient, freeze: Any) -> None:
    freeze()
    client.get(HEART, json=RANGE)
    entry = only_entry(client)
    assert (entry["time"], entry["worker"]) == (FIXED_NOW, os.getpid())


def test_a_refusal_keeps_why_though_the_msg_does_not_say(client: FlaskClient, auth: dict[str, str]) -> None:
    client.get(HEART, json=RANGE, headers={"Authorization": auth["Authorization"]})
    entry = only_entry(client)
    assert (entry["status"], entry["code"]) == (200, 20007)
    assert entry["reason"] == "missing Cudis-Client-Id header"
    assert entry["problems"] == [] and entry["fault"] is None


def test_a_token_in_the_path_or_a_cookie_is_cut_to_its_hint(client: FlaskClient) -> None:
    client.set_cookie("session", "abc123")
    client.get(f"/partner/v1/query/{TOKEN}")
    entry = only_entry(client)
    assert entry["path"] == "/partner/v1/query/PHCW…"
    assert (entry["status"], entry["code"]) == (404, 40400)
    assert entry["headers"]["Cookie"] == "sess…"
    assert "abc123" not in str(entry)


def test_an_answer_that_is_not_an_envelope_has_no_code(client: FlaskClient) -> None:
    client.get("/oauth/authorize", query_string={"response_type": "token", "client_id": "cudis-wellness"})
    entry = only_entry(client)
    assert entry["status"] == 200 and entry["code"] is None
    assert entry["query"] == "response_type=token&client_id=cudis-wellness"


def test_a_body_that_is_not_utf8_is_kept_readable(client: FlaskClient, auth: dict[str, str]) -> None:
    client.get(HEART, data=b'{"startTime": \xff}', headers={**auth, "Content-Type": "application/json"})
    entry = only_entry(client)
    assert entry["body"] == '{"startTime": \ufffd}' and entry["code"] == 40000


def test_an_error_inside_the_mock_is_listed_under_problems(app: Flask, client: FlaskClient) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    app.view_functions["query.queryHeartBeat"] = broken
    client.get(HEART, json=RANGE)
    entry = only_entry(client)
    assert (entry["status"], entry["code"], entry["problems"]) == (500, 50000, ["RuntimeError: boom"])


def test_the_control_api_is_not_journaled(client: FlaskClient, mint: Any) -> None:
    mint()
    client.get("/__mock__/clock")
    client.get(HEART, json=RANGE)
    assert only_entry(client)["path"] == HEART

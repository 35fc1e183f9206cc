"""What a journal entry keeps of a request and its answer, with secrets masked."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from mock_server import MockConfig, create_app

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


def test_every_header_value_is_masked_for_tokens(client: FlaskClient) -> None:
    client.get(
        HEART,
        headers={
            "Referer": f"http://app.example/cb?access_token={TOKEN}&scope=daily",
            "X-Access-Token": TOKEN,
            "Proxy-Authorization": f"Bearer {TOKEN}",
            "X-Api-Key": "lowercase-secret-value",
            "X-Forwarded-For": f"10.0.0.1, {TOKEN}",
        },
    )
    headers = only_entry(client)["headers"]
    text = str(headers)
    assert TOKEN not in text and "lowercase-secret-value" not in text
    assert headers["Referer"] == "http://app.example/cb?access_token=PHCW…&scope=daily"
    assert headers["X-Access-Token"] == "PHCW…" and headers["Proxy-Authorization"] == "Bearer PHCW…"
    assert headers["X-Api-Key"] == "lowe…"


def test_an_oversized_request_is_cut_and_marked(client: FlaskClient) -> None:
    big = {f"X-Big-{i}": "v" * 50_000 for i in range(70)}
    client.get(HEART + "?q=" + "a" * 10_000, headers=big, data=b"b" * 60_000)
    entry = only_entry(client)
    assert set(entry["truncated"]) == {"query", "headers", "body"}
    assert len(entry["headers"]) == 64
    assert all(len(v.encode()) < 1100 for v in entry["headers"].values())
    assert entry["headers"]["X-Big-0"].endswith("…(48976 more bytes)")
    assert entry["body"].endswith("…(55904 more bytes)") and len(entry["query"]) < 2100
    assert len(str(entry)) < 90_000


def test_an_ordinary_entry_is_not_marked(client: FlaskClient) -> None:
    client.get(HEART, json=RANGE)
    assert "truncated" not in only_entry(client)


def test_the_journal_keeps_at_most_journal_bytes() -> None:
    client = create_app(MockConfig(journal_bytes=100_000)).test_client()
    for _ in range(200):
        client.get(HEART, headers={f"X-Big-{i}": "v" * 2000 for i in range(40)})
    listed = client.get("/__mock__/requests")
    assert len(listed.data) < 110_000
    entries = listed.json["requests"]  # type: ignore[index]
    assert 1 <= len(entries) < 200 and entries[-1]["id"] == 200

"""`--record DIR` writes fixtures that `cudis-mock serve --fixtures DIR` replays; `--replay-only` refuses the rest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from flask import Flask, Response

from cudis_spec import load_spec
from mock_server import MockConfig, create_app

from ..contract_tests.implementations.reference import CLIENT_ID as REFERENCE_CLIENT
from ..contract_tests.implementations.reference import TOKEN as REFERENCE_TOKEN
from ..contract_tests.implementations.reference import create_reference_app
from ..servers import MockProcess, in_thread
from .conftest import journal, last_days, proxy_to, query

METRICS = [op.metric for op in load_spec().queries]
RANGES = [last_days(7), last_days(10, ago=30), {"startTime": 1726444800, "endTime": 1726704000}]
CLIENT = "cudis-wellness"


def _record(upstream: str, token: str, directory: Path, ranges: list[dict[str, int]]) -> dict[tuple[str, str], bytes]:
    """Send each metric and range through a recording proxy; what the app got, by (metric, body)."""
    got = {}
    with proxy_to(upstream, record=directory) as proxy:
        for metric in METRICS:
            for body in ranges:
                answer = query(proxy, metric, body, token, CLIENT)
                assert answer.json()["code"] == 200
                got[(metric, json.dumps(body))] = answer.content
        # Neither a refusal nor bad input is recorded.
        assert query(proxy, "step", last_days(2), "NOTATOKEN", CLIENT).json()["code"] == 20007
        assert query(proxy, "step", {"startTime": "yesterday"}, token, CLIENT).json()["code"] == 40001
        assert all(entry["problems"] == [] for entry in journal(proxy))
    return got


def _recordings(directory: Path) -> list[dict[str, Any]]:
    recordings: list[dict[str, Any]] = yaml.safe_load((directory / "recordings.yaml").read_text())["recordings"]
    return recordings


@pytest.fixture(scope="module")
def recording(mock_process: MockProcess, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[Any, bytes]]:
    directory = tmp_path_factory.mktemp("recording") / "staging"
    return directory, _record(mock_process.base_url, mock_process.token, directory, RANGES)


def test_the_recording_is_a_complete_fixtures_directory(recording: tuple[Path, dict[Any, bytes]]) -> None:
    directory, got = recording
    assert sorted(p.name for p in directory.iterdir()) == [
        "clients.yaml",
        "personas.yaml",
        "recordings.yaml",
        "users.yaml",
    ]
    assert len(_recordings(directory)) == len(got) == len(METRICS) * len(RANGES)
    (user,) = yaml.safe_load((directory / "users.yaml").read_text())["users"]
    assert user["id"] == "recorded" and user["persona"] == "recorded" and user["pinned"]
    (client,) = yaml.safe_load((directory / "clients.yaml").read_text())["clients"]
    assert client["id"] == CLIENT


def test_no_token_or_secret_is_written(recording: tuple[Path, dict[Any, bytes]], mock_process: MockProcess) -> None:
    directory, _ = recording
    text = "".join(path.read_text() for path in directory.iterdir())
    for secret in (mock_process.token, mock_process.token[:8], "NOTATOKEN", "Bearer", "Authorization", "password"):
        assert secret not in text


def test_serve_fixtures_replays_every_recorded_request_byte_for_byte(recording: tuple[Path, dict[Any, bytes]]) -> None:
    directory, got = recording
    with MockProcess.start("--fixtures", str(directory)) as replay:
        token = replay.mint(user_id="recorded", client_id=CLIENT)
        for (metric, body), content in got.items():
            answer = query(replay.base_url, metric, json.loads(body), token, CLIENT)
            assert answer.content == content, (metric, body)


def test_other_ranges_show_the_pinned_recorded_days(recording: tuple[Path, dict[Any, bytes]]) -> None:
    directory, got = recording
    recorded = {}
    for (metric, _body), content in got.items():
        for item in json.loads(content)["data"]["list"]:
            recorded[(metric, item["date"])] = item
    with MockProcess.start("--fixtures", str(directory)) as replay:
        token = replay.mint(user_id="recorded", client_id=CLIENT)
        for metric in METRICS:
            inner = last_days(3, ago=1)  # inside the 7 recorded days, and never asked for as such
            items = query(replay.base_url, metric, inner, token, CLIENT).json()["data"]["list"]
            overlap = [item for item in items if (metric, item["date"]) in recorded]
            assert overlap, metric
            assert overlap == [recorded[(metric, item["date"])] for item in overlap]


def test_replay_only_answers_recorded_requests_and_refuses_the_rest(recording: tuple[Path, dict[Any, bytes]]) -> None:
    directory, got = recording
    with MockProcess.start("--fixtures", str(directory), "--replay-only") as replay:
        token = replay.mint(user_id="recorded", client_id=CLIENT)
        (metric, body), content = next(iter(got.items()))
        assert query(replay.base_url, metric, json.loads(body), token, CLIENT).content == content
        other = last_days(2, ago=100)
        refused = query(replay.base_url, "sleep", other, token, CLIENT).json()
        assert refused["code"] == 40410 and refused["data"] is None
        assert "'recorded'" in refused["msg"] and "sleep" in refused["msg"]
        assert f"startTime {other['startTime']}" in refused["msg"] and "--replay-only" in refused["msg"]


def test_recording_again_merges_and_a_conflicting_answer_is_reported(mock_process: MockProcess, tmp_path: Path) -> None:
    directory = tmp_path / "rec"
    first = _record(mock_process.base_url, mock_process.token, directory, RANGES[:1])
    _record(mock_process.base_url, mock_process.token, directory, RANGES[1:2])
    assert len(_recordings(directory)) == len(METRICS) * 2
    before = (directory / "recordings.yaml").read_text()
    # Another upstream (other seed, other data) answers an already recorded request differently.
    with in_thread(create_app(MockConfig(seed=7))) as other:
        token = requests.post(f"{other}/__mock__/tokens", json={}, timeout=10).json()["access_token"]
        with proxy_to(other, record=directory) as proxy:
            metric, body = next(iter(first))
            assert query(proxy, metric, json.loads(body), token, CLIENT).json()["code"] == 200
            (entry,) = journal(proxy)
    assert entry["problems"] and entry["problems"][0].startswith("conflict: ")
    assert (directory / "recordings.yaml").read_text() == before


def test_a_recording_of_the_reference_implementation_replays_its_data(tmp_path: Path) -> None:
    directory = tmp_path / "reference"
    with in_thread(create_reference_app()) as upstream:
        got = {}
        with proxy_to(upstream, record=directory, record_user="kiri") as proxy:
            for metric in METRICS:
                for body in RANGES[:2]:
                    answer = query(proxy, metric, body, REFERENCE_TOKEN, REFERENCE_CLIENT)
                    assert answer.headers["X-Cudis-Contract"] == "pass"
                    got[(metric, json.dumps(body))] = answer.json()["data"]
    (user,) = yaml.safe_load((directory / "users.yaml").read_text())["users"]
    # The reference's user lives at UTC+14: the dates it lists put the user well east of UTC.
    assert user["timezone"].startswith("Etc/GMT-"), user["timezone"]
    text = "".join(path.read_text() for path in directory.iterdir())
    assert REFERENCE_TOKEN not in text
    with MockProcess.start("--fixtures", str(directory), "--replay-only") as replay:
        token = replay.mint(user_id="kiri", client_id=REFERENCE_CLIENT)
        for (metric, body), data in got.items():
            answer = query(replay.base_url, metric, json.loads(body), token, REFERENCE_CLIENT).json()
            assert answer["code"] == 200 and answer["data"] == data


def test_an_answer_holding_something_shaped_like_a_token_is_not_recorded(tmp_path: Path) -> None:
    leaky = Flask(__name__)
    secret = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

    @leaky.route("/partner/v1/query/<metric>")
    def _query(metric: str) -> Response:
        body = {"code": 200, "msg": "success", "data": {"countStep": 0, "list": [], "note": secret}}
        return Response(json.dumps(body), mimetype="application/json")

    with in_thread(leaky) as upstream, proxy_to(upstream, record=tmp_path / "rec") as proxy:
        assert query(proxy, "step", last_days(2), "T" * 32, CLIENT).json()["code"] == 200
        (entry,) = journal(proxy)
    assert entry["problems"] == ["not recorded: the answer holds something shaped like a token or a password"]
    assert not (tmp_path / "rec").exists()

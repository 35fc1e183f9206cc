"""recordings.yaml: recorded answers served back as recorded; a broken one refused with its file, line and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mock_server import MockConfig, create_app
from mock_server.people import FixtureError, load_fixtures
from mock_server.people.files import builtin_fixtures_dir

DATA = '{"countStep":7,"list":[{"date":"2024-09-16","y":7.0}]}'
RANGE = {"startTime": 1726444800, "endTime": 1726704000}


def _directory(tmp_path: Path, recording: str) -> Path:
    target = tmp_path / "fixtures"
    shutil.copytree(builtin_fixtures_dir(), target)
    (target / "recordings.yaml").write_text(recording)
    return target


def _item(**changes: object) -> str:
    item = {"user": "typical", "operation": "queryStep", **RANGE, "data": DATA, **changes}
    return "recordings:\n  - " + json.dumps(item) + "\n"


def test_a_recorded_answer_is_served_byte_for_byte_and_only_for_its_range(tmp_path: Path) -> None:
    app = create_app(MockConfig(fixtures=_directory(tmp_path, _item())))
    client = app.test_client()
    token = client.post("/__mock__/tokens", json={"user_id": "typical"}).json["access_token"]  # type: ignore[index]
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    answer = client.get("/partner/v1/query/step", json=RANGE, headers=headers)
    assert answer.data == b'{"code":200,"msg":"success","data":' + DATA.encode() + b"}"
    other = client.get("/partner/v1/query/step", json={**RANGE, "endTime": RANGE["endTime"] + 1}, headers=headers)
    assert other.json["data"]["list"] != [{"date": "2024-09-16", "y": 7.0}]  # type: ignore[index]
    heart = client.get("/partner/v1/query/heart_beat", json=RANGE, headers=headers)
    assert heart.json["code"] == 200  # type: ignore[index]


def test_replay_only_refuses_what_is_not_recorded(tmp_path: Path) -> None:
    client = create_app(MockConfig(fixtures=_directory(tmp_path, _item()), replay_only=True)).test_client()
    token = client.post("/__mock__/tokens", json={"user_id": "typical"}).json["access_token"]  # type: ignore[index]
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    assert client.get("/partner/v1/query/step", json=RANGE, headers=headers).json["code"] == 200  # type: ignore[index]
    refused = client.get("/partner/v1/query/heart_beat", json=RANGE, headers=headers)
    assert refused.status_code == 200
    assert refused.json == {  # type: ignore[comparison-overlap]
        "code": 40410,
        "msg": "Not recorded: user 'typical', heart_beat, startTime 1726444800, endTime 1726704000 "
        f"(the recording in {tmp_path / 'fixtures'} does not hold it; --replay-only serves nothing else)",
        "data": None,
    }


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"user": "nobody"}, "recordings[0].user", "unknown user 'nobody'"),
        ({"operation": "queryWeight"}, "recordings[0].operation", "not a query operation"),
        ({"data": "{not json"}, "recordings[0].data", "not JSON text"),
        ({"token": "x"}, "recordings[0].token", "unknown field"),
    ],
)
def test_a_broken_recording_is_refused_with_its_field(
    tmp_path: Path, changes: dict[str, object], field: str, problem: str
) -> None:
    with pytest.raises(FixtureError) as refused:
        load_fixtures(_directory(tmp_path, _item(**changes)))
    assert refused.value.field == field and problem in refused.value.problem
    assert refused.value.path.name == "recordings.yaml"


def test_two_answers_for_one_request_are_refused(tmp_path: Path) -> None:
    twice = _item() + "  - " + json.dumps({"user": "typical", "operation": "queryStep", **RANGE, "data": "{}"}) + "\n"
    with pytest.raises(FixtureError, match=r"recordings\[1\]\.data: another answer"):
        load_fixtures(_directory(tmp_path, twice))


def test_replay_only_without_a_recording_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match=r"--replay-only: .* holds no recordings\.yaml"):
        create_app(MockConfig(replay_only=True))

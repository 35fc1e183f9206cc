"""The edge-case catalogue: every request in it gets, from the live mock, exactly the answer it records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_server.cli import main
from tests.conftest import FIXED_NOW, LiveMock, frozen

EXPECTED = {
    "empty-range",
    "one-day",
    "zero-steps",
    "no-deep-sleep",
    "largest-values",
    "extreme-month",
    "long-gap",
    "sparse-wear",
    "before-joining",
    "new-user",
    "never-worn",
    "utc-plus-14",
    "utc-minus-12",
    "dst-spring-forward",
    "dst-fall-back",
    "leap-day",
    "longest-range",
    "longest-range-plus-one-second",
    "milliseconds",
}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("edge-cases")
    assert main(["generate", "--edge-cases", "--now", str(FIXED_NOW), "--out", str(out)]) == 0
    records = {}
    for path in sorted(out.glob("*.json")):
        record = json.loads(path.read_text())
        records[record["name"]] = record
    assert "| `01-empty-range.json` |" in (out / "README.md").read_text()
    return records


def _data(record: dict[str, Any], operation: str = "queryStep") -> dict[str, Any]:
    request = next(r for r in record["requests"] if r["operation"] == operation)
    data: dict[str, Any] = request["response"]["data"]
    return data


def _dates(record: dict[str, Any], operation: str) -> list[str]:
    return [item["date"] for item in _data(record, operation)["list"]]


def test_the_catalogue_has_every_case_the_issue_names(catalogue: dict[str, dict[str, Any]]) -> None:
    assert set(catalogue) == EXPECTED


def test_every_request_reproduces_its_answer_on_the_live_mock(
    catalogue: dict[str, dict[str, Any]], live_mock: LiveMock
) -> None:
    session = requests.Session()
    with frozen(live_mock):
        for record in catalogue.values():
            minted = session.post(
                live_mock.base_url + record["setup"]["mint"]["path"], json=record["setup"]["mint"]["json"]
            )
            token = minted.json()["access_token"]
            for request in record["requests"]:
                headers = {k: v.replace("$TOKEN", token) for k, v in request["headers"].items()}
                response = session.request(
                    request["method"],
                    live_mock.base_url + request["path"],
                    data=json.dumps(request["json"]),
                    headers=headers,
                )
                assert response.text == json.dumps(request["response"], separators=(",", ":")), record["name"]
                assert (
                    f"$BASE{request['path']}" in request["curl"] and '"Authorization: Bearer $TOKEN"' in request["curl"]
                )


def test_the_cases_show_what_they_say(catalogue: dict[str, dict[str, Any]]) -> None:
    c = catalogue
    assert all(
        _data(c[name], op)["list"] == []
        for name in ("empty-range", "new-user", "never-worn")
        for op in ("queryHeartBeat", "queryStep", "querySleep")
    )
    assert _data(c["empty-range"], "queryHeartBeat")["maximum"] == 0
    assert _dates(c["one-day"], "queryStep") == ["2024-09-16"]
    assert _data(c["zero-steps"]) == {"countStep": 0, "list": [{"date": "2024-03-05", "y": 0.0}]}
    night = _data(c["no-deep-sleep"], "querySleep")
    assert night["deepRatio"] == 0 and night["deepRatio"] + night["shallowRatio"] + night["awakeRatio"] == 100
    largest = c["largest-values"]
    assert _data(largest)["countStep"] == 200000
    assert (_data(largest, "queryHeartBeat")["maximum"], _data(largest, "queryHeartBeat")["minimum"]) == (250, 20)
    assert _data(largest, "querySleep")["sumDuration"] == 3 * 1440
    gap = _dates(c["long-gap"], "queryStep")
    assert "2024-03-31" in gap and "2024-05-16" in gap and not [d for d in gap if "2024-04-01" <= d <= "2024-05-15"]
    assert _dates(c["before-joining"], "queryStep")[0] == "2023-03-15"
    assert _dates(c["utc-plus-14"], "queryStep") == ["2024-09-12", "2024-09-13"]
    assert _dates(c["utc-minus-12"], "queryStep") == ["2024-09-11", "2024-09-12"]
    for name, hours in (("dst-spring-forward", 71), ("dst-fall-back", 73)):
        body = c[name]["requests"][0]["json"]
        assert body["endTime"] - body["startTime"] == hours * 3600
        assert len(_dates(c[name], "queryStep")) == 3
    assert _dates(c["leap-day"], "queryStep") == ["2024-02-28", "2024-02-29", "2024-03-01"]
    longest = c["longest-range"]["requests"][0]["json"]
    assert longest["endTime"] - longest["startTime"] == 3660 * 86400
    assert len(_dates(c["longest-range"], "queryStep")) > 1000
    refused = c["longest-range-plus-one-second"]["requests"][0]["response"]
    assert refused["code"] == 40002 and "split it" in refused["msg"]
    assert c["milliseconds"]["requests"][0]["response"]["code"] == 40001


def test_without_out_the_catalogue_goes_to_stdout_as_ndjson(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--edge-cases", "--now", str(FIXED_NOW)]) == 0
    names = [json.loads(line)["name"] for line in capsys.readouterr().out.splitlines()]
    assert set(names) == EXPECTED


def test_with_other_fixtures_only_the_cases_of_known_users_are_written(tmp_path: Path) -> None:
    from mock_server.people.files import builtin_fixtures_dir

    directory = tmp_path / "fixtures"
    directory.mkdir()
    for name in ("clients.yaml", "personas.yaml"):
        (directory / name).write_text((builtin_fixtures_dir() / name).read_text())
    (directory / "users.yaml").write_text("users:\n  - {id: typical, persona: typical, timezone: America/New_York}\n")
    out = tmp_path / "cases"
    assert main(["generate", "--edge-cases", "--fixtures", str(directory), "--out", str(out)]) == 0
    written = {json.loads(p.read_text())["user"]["id"] for p in out.glob("*.json")}
    assert written == {"typical"}

"""`cudis-mock generate` writes exactly what the live mock answers over HTTP, for the same seed, user and range."""

from __future__ import annotations

import csv
import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
import yaml

from mock_server import MockConfig, create_app
from mock_server.cli import main
from mock_server.people import load_fixtures
from mock_server.people.files import builtin_fixtures_dir
from mock_server.qa.answers import local_range
from mock_server.qa.population import parse_population, population_users
from tests.conftest import FIXED_NOW, LiveMock, frozen
from tests.servers import in_thread

METRIC_FIELDS = (("heart_beat", ("maxY", "minY")), ("step", ("y",)), ("sleep", ("deepY", "shallowY", "awakeY")))


@contextmanager
def served(config: MockConfig) -> Iterator[LiveMock]:
    app = create_app(config)
    with in_thread(app) as base_url:
        yield LiveMock(base_url=base_url, app=app)


class Asker:
    """Sends a record's request to a live mock with a token for the record's user."""

    def __init__(self, live: LiveMock) -> None:
        self.live = live
        self.tokens: dict[str, str] = {}
        self.session = requests.Session()

    def body(self, user_id: str, path: str, request: dict[str, Any]) -> str:
        if user_id not in self.tokens:
            self.tokens[user_id] = self.live.mint(user_id=user_id)
        response = self.session.get(
            self.live.base_url + path,
            data=json.dumps(request),
            headers={
                "Authorization": f"Bearer {self.tokens[user_id]}",
                "Cudis-Client-Id": "cudis-wellness",
                "Content-Type": "application/json",
            },
            timeout=30,
        )
        assert response.status_code == 200
        return response.text


def _generate(tmp_path: Path, *args: str, name: str = "out") -> Path:
    out = tmp_path / name
    assert main(["generate", "--now", str(FIXED_NOW), *args, "--out", str(out)]) == 0
    return out


def _assert_ndjson_matches(lines: list[str], asker: Asker) -> None:
    for line in lines:
        record = json.loads(line)
        served_body = asker.body(record["user_id"], record["path"], record["request"])
        # Byte for byte: the record ends with the server's body verbatim.
        assert line.endswith(f',"response":{served_body}}}'), (record["user_id"], record["operation"])


def test_ndjson_equals_the_live_servers_answers_for_every_fixture_user(tmp_path: Path, live_mock: LiveMock) -> None:
    # 20 Feb to 15 Mar 2024: a leap day, the US spring DST change, and the qa-edge pins.
    out = _generate(tmp_path, "--seed", "42", "--from", "2024-02-20", "--to", "2024-03-15")
    lines = out.read_text().splitlines()
    users = load_fixtures().users
    assert len(lines) == 3 * len(users)
    assert {json.loads(line)["user_id"] for line in lines} == set(users)
    with frozen(live_mock):
        _assert_ndjson_matches(lines, Asker(live_mock))


def test_per_day_records_and_a_range_reaching_past_today_match_too(tmp_path: Path, live_mock: LiveMock) -> None:
    # The mock answers nothing for the user's current day or later.
    today = datetime.fromtimestamp(FIXED_NOW, ZoneInfo("America/New_York")).date()
    first, last = today - timedelta(days=5), today + timedelta(days=2)
    out = _generate(
        tmp_path, "--users", "typical,kiritimati,new-user", "--from", str(first), "--to", str(last), "--per", "day"
    )
    lines = out.read_text().splitlines()
    assert len(lines) == 3 * 3 * 8
    with frozen(live_mock):
        _assert_ndjson_matches(lines, Asker(live_mock))
    lists = [json.loads(line)["response"]["data"]["list"] for line in lines if '"user_id":"typical"' in line]
    assert sum(1 for items in lists if items) > 0
    assert all(item["date"] < today.isoformat() for items in lists for item in items)


def test_json_document_holds_the_same_records_as_ndjson(tmp_path: Path) -> None:
    args = ("--users", "doc-example,qa-edge", "--from", "2024-02-27", "--to", "2024-03-08")
    document = json.loads(_generate(tmp_path, *args, "--format", "json", name="a.json").read_text())
    lines = _generate(tmp_path, *args, "--format", "ndjson", name="b.ndjson").read_text().splitlines()
    assert document["seed"] == 42 and document["from"] == "2024-02-27" and document["per"] == "range"
    assert document["records"] == [json.loads(line) for line in lines]


def test_csv_rows_are_the_servers_list_items_per_user_and_day(tmp_path: Path, live_mock: LiveMock) -> None:
    out = _generate(
        tmp_path, "--users", "qa-edge,sparse", "--from", "2024-02-28", "--to", "2024-04-03", "--format", "csv"
    )
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert len(rows) == 2 * 36
    asker = Asker(live_mock)
    with frozen(live_mock):
        for user_id in ("qa-edge", "sparse"):
            mine = [row for row in rows if row["user_id"] == user_id]
            tz = load_fixtures().users[user_id].timezone
            assert {row["timezone"] for row in mine} == {tz}
            start, end = local_range(ZoneInfo(tz), date(2024, 2, 28), date(2024, 4, 3))
            request = {"startTime": start, "endTime": end}
            for metric, fields in METRIC_FIELDS:
                served_items = json.loads(asker.body(user_id, f"/partner/v1/query/{metric}", request))["data"]["list"]
                from_csv = [
                    {"date": row["date"], **{f: json.loads(row[f"{metric}.{f}"]) for f in fields}}
                    for row in mine
                    if row[f"{metric}.{fields[0]}"] != ""
                ]
                assert from_csv == served_items
                # Types survive: 2929.0 stays a float, sleep minutes stay integers.
                assert [type(item[fields[0]]) for item in from_csv] == [type(item[fields[0]]) for item in served_items]
    leap = next(row for row in rows if row["user_id"] == "qa-edge" and row["date"] == "2024-02-29")
    assert leap["step.y"] == "2929.0"
    gap = [row for row in rows if row["user_id"] == "qa-edge" and row["date"] >= "2024-04-01"]
    assert gap and all(row["heart_beat.maxY"] == row["step.y"] == row["sleep.deepY"] == "" for row in gap)


def test_population_users_are_answered_as_the_server_answers_them_when_served(tmp_path: Path) -> None:
    """Population users written as fixtures and served with the same seed give the same answers."""
    fixtures = load_fixtures()
    specs = [parse_population("12", fixtures.personas), parse_population("athlete:3", fixtures.personas)]
    profiles = list(population_users(7, specs, fixtures.personas))
    assert [p.id for p in profiles][:2] == ["pop-00001", "pop-00002"] and profiles[-1].id == "pop-athlete-00003"
    assert len({p.persona.name for p in profiles}) > 2
    directory = tmp_path / "fixtures"
    directory.mkdir()
    for name in ("clients.yaml", "personas.yaml"):
        (directory / name).write_text((builtin_fixtures_dir() / name).read_text())
    users = [{"id": p.id, "persona": p.persona.name, "timezone": p.timezone} for p in profiles]
    (directory / "users.yaml").write_text(yaml.safe_dump({"users": users}))

    out = _generate(
        tmp_path,
        "--seed",
        "7",
        "--population",
        "12",
        "--population",
        "athlete:3",
        "--from",
        "2025-10-01",
        "--to",
        "2025-11-30",
    )
    lines = out.read_text().splitlines()
    assert len(lines) == 3 * 15
    with served(MockConfig(seed=7, fixtures=directory, validate_responses=True)) as live, frozen(live):
        _assert_ndjson_matches(lines, Asker(live))


def test_same_seed_same_output_and_another_seed_differs(tmp_path: Path) -> None:
    args = ("--population", "5", "--from", "2025-01-01", "--to", "2025-01-31")
    a = _generate(tmp_path, "--seed", "3", *args, name="a").read_bytes()
    b = _generate(tmp_path, "--seed", "3", *args, name="b").read_bytes()
    c = _generate(tmp_path, "--seed", "4", *args, name="c").read_bytes()
    assert a == b != c


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2024-01-10", "--to", "2024-01-01"], "--to 2024-01-01 is before --from 2024-01-10"),
        (["--from", "2000-01-01", "--to", "2024-01-01"], "split it into several runs"),
        (["--from", "2024-01-01"], "--from DATE and --to DATE are required"),
        (["--from", "2024-01-01", "--to", "2024-01-02", "--users", "nobody"], "unknown user 'nobody'"),
        (["--from", "2024-01-01", "--to", "2024-01-02", "--population", "runner:5"], "unknown persona 'runner'"),
        (["--from", "2024-01-01", "--to", "2024-01-02", "--population", "many"], "PERSONA:COUNT"),
    ],
)
def test_bad_flags_exit_2_and_say_what_to_fix(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", *args]) == 2
    assert message in capsys.readouterr().err


def test_a_bad_date_is_refused_with_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--from", "2024-02-30", "--to", "2024-03-01"]) == 2
    err = capsys.readouterr().err
    assert "Usage: cudis-mock generate [OPTIONS]" in err
    assert "'2024-02-30' is not a date; write YYYY-MM-DD" in err


_POPULATION = ["generate", "--population", "3", "--from", "2025-01-01", "--to", "2025-01-07", "--now", str(FIXED_NOW)]


def test_no_progress_bar_off_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*_POPULATION, "--out", str(tmp_path / "out.ndjson")]) == 0
    assert capsys.readouterr().err == ""


def test_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """stderr on a pseudo-terminal, as in an interactive shell: the bar counts the users to the end."""
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "mock_server.cli", *_POPULATION, "--out", str(tmp_path / "out.ndjson")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
    ) as process:
        os.close(terminal)
        drawn = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
        assert process.wait(timeout=60) == 0
    os.close(controller)
    screen = re.sub(r"\x1b\[[?0-9;]*[A-Za-z]", "", drawn.decode())  # the cursor hidden while drawing
    frames = [frame.strip() for frame in screen.replace("\r\n", "\n").split("\r") if frame.strip()]
    assert frames[0] == "generate 3 users  [" + "-" * 36 + "]  0/3    0%", screen
    assert frames[-1] == "generate 3 users  [" + "#" * 36 + "]  3/3  100%", screen

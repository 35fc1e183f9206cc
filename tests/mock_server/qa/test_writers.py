"""The output formats of `generate`: each well-formed whatever it holds, the responses kept byte for byte."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from mock_server.people import load_fixtures
from mock_server.qa.dataset import DatasetRequest, UserAnswers, Window, user_answers
from mock_server.qa.writers import CSV_COLUMNS, WRITERS, CsvWriter, JsonWriter, NdjsonWriter
from mock_server.synth import UserProfile

from ...conftest import FIXED_NOW

REQUEST = DatasetRequest(42, Window(date(2026, 11, 1), date(2026, 11, 3)), FIXED_NOW)


@pytest.fixture(scope="module")
def users() -> dict[str, UserProfile]:
    return dict(load_fixtures().users)


def written(kind: str, request: DatasetRequest, *answers: UserAnswers) -> str:
    out = io.StringIO()
    writer = WRITERS[kind](out, request)
    for one in answers:
        writer.write(one)
    writer.close()
    return out.getvalue()


def test_the_formats_are_json_ndjson_and_csv() -> None:
    assert {"json": JsonWriter, "ndjson": NdjsonWriter, "csv": CsvWriter} == WRITERS


@pytest.mark.parametrize("kind", ["json", "ndjson", "csv"])
def test_no_users_still_gives_a_well_formed_file(kind: str) -> None:
    text = written(kind, REQUEST)
    if kind == "json":
        document = json.loads(text)
        assert document["records"] == [] and document["seed"] == 42 and document["per"] == "range"
        assert (document["from"], document["to"], document["now"]) == ("2026-11-01", "2026-11-03", FIXED_NOW)
    elif kind == "ndjson":
        assert text == ""
    else:
        assert text == ",".join(CSV_COLUMNS) + "\n"


def test_ndjson_records_keep_each_response_byte_for_byte_even_for_an_odd_user_id(
    users: dict[str, UserProfile],
) -> None:
    profile = replace(users["athlete"], id='quote " and \\ and ü')
    answers = user_answers(REQUEST, users["athlete"])
    answers = UserAnswers(profile, tuple(replace(a, user_id=profile.id) for a in answers.answers))
    lines = written("ndjson", REQUEST, answers).splitlines()
    assert len(lines) == 3
    for line, answer in zip(lines, answers.answers, strict=True):
        record = json.loads(line)
        assert record["user_id"] == profile.id and record["persona"] == "athlete"
        assert record["path"] == answer.path and record["request"] == answer.request
        assert json.dumps(record["response"], separators=(",", ":")).encode() == answer.body


def test_csv_has_a_row_per_date_with_empty_cells_where_nothing_was_recorded(users: dict[str, UserProfile]) -> None:
    request = replace(REQUEST, empty_days="omit")
    answers = user_answers(request, users["no-data"])
    rows = list(csv.DictReader(io.StringIO(written("csv", request, answers))))
    assert [row["date"] for row in rows] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert all(row[column] == "" for row in rows for column in CSV_COLUMNS[4:])
    assert {(row["user_id"], row["timezone"], row["persona"]) for row in rows} == {("no-data", "UTC", "no_data")}


def test_csv_per_day_stops_before_the_users_current_day(users: dict[str, UserProfile]) -> None:
    today = date(2026, 11, 19)  # FIXED_NOW, in New York too
    window = Window(today - timedelta(days=2), today + timedelta(days=1))
    request = DatasetRequest(42, window, FIXED_NOW, granularity="day")
    rows = list(csv.DictReader(io.StringIO(written("csv", request, user_answers(request, users["typical"])))))
    assert [row["date"] for row in rows] == ["2026-11-17", "2026-11-18"]
    assert all(row["step.y"] for row in rows)


def test_csv_writes_no_rows_for_a_user_whose_range_the_server_refused(users: dict[str, UserProfile]) -> None:
    answers = user_answers(REQUEST, users["typical"])
    refused = tuple(replace(a, body=b'{"code":40002,"msg":"Invalid range","data":null}') for a in answers.answers)
    text = written("csv", REQUEST, UserAnswers(answers.profile, refused))
    assert text == ",".join(CSV_COLUMNS) + "\n"

"""Output formats of `cudis-mock generate`: json, ndjson, csv. Each writes one user at a time.

json and ndjson hold one record per user and query (the full envelope, byte for byte as
the server sends it); csv holds one row per user and local date with the list items of
the three endpoints side by side.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from typing import Any, Protocol, TextIO
from zoneinfo import ZoneInfo

from ..synth.calendar import days_in_range, local_date
from .dataset import DatasetRequest, UserAnswers

CSV_COLUMNS = (
    "user_id",
    "timezone",
    "persona",
    "date",
    "heart_beat.maxY",
    "heart_beat.minY",
    "step.y",
    "sleep.deepY",
    "sleep.shallowY",
    "sleep.awakeY",
)
_CSV_FIELDS = {
    "heart_beat": ("maxY", "minY"),
    "step": ("y",),
    "sleep": ("deepY", "shallowY", "awakeY"),
}


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def record_json(answers: UserAnswers) -> list[str]:
    """One compact JSON object per query: who asked, what, and the response body verbatim."""
    profile = answers.profile
    head = (
        f'{{"user_id":{_dumps(profile.id)},"timezone":{_dumps(profile.timezone)},'
        f'"persona":{_dumps(profile.persona.name)}'
    )
    return [
        f'{head},"operation":{_dumps(a.operation_id)},"path":{_dumps(a.path)},'
        f'"request":{_dumps(a.request)},"response":{a.body.decode("utf-8")}}}'
        for a in answers.answers
    ]


class Writer(Protocol):
    def write(self, answers: UserAnswers) -> None: ...
    def close(self) -> None: ...


class NdjsonWriter:
    def __init__(self, out: TextIO, request: DatasetRequest) -> None:
        self.out = out

    def write(self, answers: UserAnswers) -> None:
        for line in record_json(answers):
            self.out.write(line)
            self.out.write("\n")

    def close(self) -> None:
        self.out.flush()


class JsonWriter:
    """One JSON document: the run's settings and a `records` array, written as it goes."""

    def __init__(self, out: TextIO, request: DatasetRequest) -> None:
        self.out = out
        self.first = True
        header = {
            "generator": "cudis-mock generate",
            "seed": request.seed,
            "now": request.now,
            "from": request.window.first.isoformat(),
            "to": request.window.last.isoformat(),
            "empty_days": request.empty_days,
            "per": request.granularity,
        }
        out.write(_dumps(header)[:-1] + ',"records":[\n')

    def write(self, answers: UserAnswers) -> None:
        for line in record_json(answers):
            if not self.first:
                self.out.write(",\n")
            self.out.write(line)
            self.first = False

    def close(self) -> None:
        self.out.write("\n]}\n")
        self.out.flush()


class CsvWriter:
    """One row per user and local date the window covers before the user's current day."""

    def __init__(self, out: TextIO, request: DatasetRequest) -> None:
        self.out = out
        self.request = request
        self.csv = csv.writer(out, lineterminator="\n")
        self.csv.writerow(CSV_COLUMNS)

    def write(self, answers: UserAnswers) -> None:
        by_date: dict[str, dict[str, Any]] = {}
        for answer in answers.answers:
            if answer.data is None:
                continue
            for item in answer.data["list"]:
                row = by_date.setdefault(item["date"], {})
                for field in _CSV_FIELDS[answer.metric]:
                    row[f"{answer.metric}.{field}"] = item[field]
        if all(answer.data is None for answer in answers.answers):
            return  # the server refused the range (an error envelope): there are no days to show
        profile = answers.profile
        for day in self._dates(answers):
            values: Mapping[str, Any] = by_date.get(day, {})
            self.csv.writerow(
                [profile.id, profile.timezone, profile.persona.name, day]
                + [_cell(values.get(column)) for column in CSV_COLUMNS[4:]]
            )

    def _dates(self, answers: UserAnswers) -> list[str]:
        # The dates the server's range covers; a day without data keeps empty cells.
        first = answers.answers[0].request
        tz = ZoneInfo(answers.profile.timezone)
        today = local_date(self.request.now, tz)
        if self.request.granularity == "range":
            return [d.isoformat() for d in days_in_range(first["startTime"], first["endTime"], tz, today)]
        return [d.isoformat() for d in self.request.window.dates() if d < today]

    def close(self) -> None:
        self.out.flush()


def _cell(value: Any) -> str:
    return "" if value is None else json.dumps(value)


WRITERS: dict[str, type[NdjsonWriter] | type[JsonWriter] | type[CsvWriter]] = {
    "json": JsonWriter,
    "ndjson": NdjsonWriter,
    "csv": CsvWriter,
}

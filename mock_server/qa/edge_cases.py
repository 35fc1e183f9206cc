"""A catalogue of boundary datasets, each with the requests that reproduce it against the mock.

Every case names a fixture user and a range; its record holds the token set-up, the exact
requests (JSON and curl) and the exact answers of `cudis-mock serve --seed <seed>` with the
built-in fixtures. All ranges but `new-user` lie in the past, so the answers do not depend on
when they are replayed; `new-user` is empty whenever it is asked.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cudis_spec import Spec, load_spec

from ..people import Fixtures
from ..synth import METRICS, DataEngine, EmptyDays, Metric
from ..synth.calendar import local_date
from .answers import answer_range, local_range

RangeOf = Callable[[ZoneInfo, float], tuple[float, float]]
"""(user's zone, the mock's now) -> (startTime, endTime)."""


def _days(first: str, last: str) -> RangeOf:
    """Local dates first..last (inclusive) in the user's own zone."""
    return lambda tz, now: local_range(tz, date.fromisoformat(first), date.fromisoformat(last))


def _utc_day(day: str) -> RangeOf:
    """One UTC day, whatever the user's zone."""
    start = datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()
    return lambda tz, now: (start, start + 86400)


def _instant(first: str, seconds: float) -> RangeOf:
    start = datetime.fromisoformat(first).replace(tzinfo=UTC).timestamp()
    return lambda tz, now: (start, start + seconds)


def _longest_from(first: str, extra_seconds: float = 0) -> RangeOf:
    """From a UTC instant, the longest range the spec lets a query ask (plus `extra_seconds`)."""
    start = datetime.fromisoformat(first).replace(tzinfo=UTC).timestamp()
    return lambda tz, now: (start, start + (load_spec().range.longest_seconds or 0) + extra_seconds)


def _last_days(count: int) -> RangeOf:
    def range_of(tz: ZoneInfo, now: float) -> tuple[float, float]:
        today = local_date(now, tz)
        return local_range(tz, today - timedelta(days=count), today - timedelta(days=1))

    return range_of


@dataclass(frozen=True)
class EdgeCase:
    name: str
    title: str
    why: str
    user_id: str
    range_of: RangeOf
    metrics: tuple[Metric, ...] = METRICS
    milliseconds: bool = False
    """Send the range in milliseconds (a classic client bug) instead of seconds."""


CATALOGUE: tuple[EdgeCase, ...] = (
    EdgeCase(
        "empty-range",
        "An empty range",
        "startTime equals endTime: no day overlaps an empty instant, so every list is empty and aggregates are 0.",
        "typical",
        _instant("2024-09-16T04:00:00", 0),
    ),
    EdgeCase(
        "one-day",
        "One local day",
        "Local midnight to the next local midnight (New York): exactly one item per list.",
        "typical",
        _days("2024-09-16", "2024-09-16"),
    ),
    EdgeCase(
        "zero-steps",
        "A day with zero steps",
        "The ring was worn but recorded no step: the day is listed with y 0.0 (not left out) and countStep is 0.",
        "qa-edge",
        _days("2024-03-05", "2024-03-05"),
    ),
    EdgeCase(
        "no-deep-sleep",
        "A night without deep sleep",
        "deepY 0 for the only night: deepRatio is 0 and the other two ratios still add up to 100.",
        "qa-edge",
        _days("2024-03-06", "2024-03-06"),
    ),
    EdgeCase(
        "largest-values",
        "The largest valid values",
        "The fixture schema's maxima: 250/20 bpm, 200,000 steps, 1,440 minutes in each sleep stage "
        "(sumDuration 4,320, more than a day: parsers must not assume a night fits in 24 h).",
        "qa-edge",
        _days("2024-03-07", "2024-03-07"),
    ),
    EdgeCase(
        "extreme-month",
        "A month of extreme but valid values",
        "The `extreme` persona: 100,000-step days, 30 bpm minima, nights from 30 minutes to 15 hours.",
        "extreme",
        _days("2024-09-01", "2024-09-30"),
    ),
    EdgeCase(
        "long-gap",
        "A long gap",
        "45 days with the ring in a drawer (1 April to 15 May 2024): the lists jump from 31 March to 16 May.",
        "qa-edge",
        _days("2024-03-25", "2024-05-25"),
    ),
    EdgeCase(
        "sparse-wear",
        "Many short gaps",
        "Worn on under half the days and rarely at night: heart rate, steps and sleep list different dates.",
        "sparse",
        _days("2024-09-01", "2024-09-30"),
    ),
    EdgeCase(
        "before-joining",
        "A range starting before the user joined",
        "The user joined on 15 March 2023: the lists start on that date, not on the range's first day.",
        "sedentary",
        _days("2023-03-01", "2023-03-31"),
    ),
    EdgeCase(
        "new-user",
        "A new user",
        "Joined today, so the last week holds no complete day: every list is empty whenever this is replayed.",
        "new-user",
        _last_days(7),
    ),
    EdgeCase(
        "never-worn",
        "A user who never wore the ring",
        "A month of empty lists and zero aggregates.",
        "no-data",
        _days("2024-09-01", "2024-09-30"),
    ),
    EdgeCase(
        "utc-plus-14",
        "UTC+14 (Pacific/Kiritimati)",
        "One UTC day (12 September 2024) overlaps two local dates, 12 and 13 September: dates are the user's own.",
        "kiritimati",
        _utc_day("2024-09-12"),
    ),
    EdgeCase(
        "utc-minus-12",
        "UTC-12 (Etc/GMT+12)",
        "One UTC day (12 September 2024) overlaps two local dates, 11 and 12 September.",
        "baker-island",
        _utc_day("2024-09-12"),
    ),
    EdgeCase(
        "dst-spring-forward",
        "Across the spring daylight-saving change",
        "New York, 9-11 March 2024: 10 March has 23 hours, so three local days span 71 hours, not 72.",
        "typical",
        _days("2024-03-09", "2024-03-11"),
    ),
    EdgeCase(
        "dst-fall-back",
        "Across the autumn daylight-saving change",
        "New York, 2-4 November 2024: 3 November has 25 hours, so three local days span 73 hours.",
        "typical",
        _days("2024-11-02", "2024-11-04"),
    ),
    EdgeCase(
        "leap-day",
        "29 February",
        "28 February to 1 March 2024, with 29 February pinned: three items, the leap day among them.",
        "qa-edge",
        _days("2024-02-28", "2024-03-01"),
    ),
    EdgeCase(
        "longest-range",
        "The longest range served ({longest_days} days)",
        "endTime - startTime is exactly {longest_days} days (to 1 January 2025); the lists start when the user joined.",
        "typical",
        _longest_from("2014-12-24T00:00:00"),
    ),
    EdgeCase(
        "longest-range-plus-one-second",
        "One second longer than the longest range",
        "Refused with code {invalid_range} and a message saying to split the range.",
        "typical",
        _longest_from("2014-12-24T00:00:00", 1),
        metrics=("step",),
    ),
    EdgeCase(
        "milliseconds",
        "A range sent in milliseconds",
        "A classic client bug: refused with code {invalid_field} and a message saying to divide by 1000.",
        "typical",
        _days("2024-09-16", "2024-09-16"),
        metrics=("step",),
        milliseconds=True,
    ),
)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _curl(base: str, path: str, headers: dict[str, str], body: dict[str, Any] | None, method: str) -> str:
    parts = [f"curl -s -X {method} {base}{path}"]
    for name, value in headers.items():
        header = f"{name}: {value}"
        # $TOKEN must expand in the shell, so that header goes in double quotes.
        parts.append(f'-H "{header}"' if "$" in value else f"-H {shlex.quote(header)}")
    if body is not None:
        parts.append(f"-d {shlex.quote(json.dumps(body, separators=(', ', ': ')))}")
    return " ".join(parts)


def case_record(
    case: EdgeCase,
    fixtures: Fixtures,
    seed: int,
    now: float,
    empty_days: EmptyDays = "omit",
    spec: Spec | None = None,
) -> dict[str, Any]:
    """The case as a self-contained record: set-up, requests and the mock's answers."""
    spec = spec or load_spec()
    profile = fixtures.users[case.user_id]
    client_id = fixtures.default_client.id
    engine = DataEngine(seed, {profile.id: profile})
    start, end = case.range_of(engine.timezone(profile.id), now)
    scale = 1000 if case.milliseconds else 1
    body = {"startTime": _number(start * scale), "endTime": _number(end * scale)}
    mint = {"client_id": client_id, "user_id": profile.id}
    mint_shell = (
        "TOKEN=$("
        + _curl("$BASE", "/__mock__/tokens", {"Content-Type": "application/json"}, mint, "POST")
        + " | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')"
    )
    headers = {"Authorization": "Bearer $TOKEN", "Cudis-Client-Id": client_id, "Content-Type": "application/json"}
    requests = []
    for metric in case.metrics:
        answer = answer_range(engine, metric, profile.id, body, now, empty_days, spec)
        requests.append(
            {
                "operation": answer.operation_id,
                "method": "GET",
                "path": answer.path,
                "headers": headers,
                "json": body,
                "curl": _curl("$BASE", answer.path, headers, body, "GET"),
                "response": json.loads(answer.body),
            }
        )
    facts = {
        "longest_days": spec.range.longest_days,
        "invalid_range": spec.codes.by_key("invalid-range").code,
        "invalid_field": spec.codes.by_key("invalid-field").code,
    }
    return {
        "name": case.name,
        "title": case.title.format(**facts),
        "why": case.why.format(**facts),
        "seed": seed,
        "now": now,
        "empty_days": empty_days,
        "user": {"id": profile.id, "timezone": profile.timezone, "persona": profile.persona.name},
        "setup": {
            "serve": f"cudis-mock serve --seed {seed}" + (" --empty-days zero" if empty_days == "zero" else ""),
            "base": "BASE=http://127.0.0.1:8080",
            "mint": {"method": "POST", "path": "/__mock__/tokens", "json": mint},
            "shell": mint_shell,
        },
        "requests": requests,
    }


def catalogue_records(
    fixtures: Fixtures, seed: int, now: float, empty_days: EmptyDays = "omit"
) -> Iterator[dict[str, Any]]:
    """Every case of the catalogue whose user the fixtures have."""
    spec = load_spec()
    for case in CATALOGUE:
        if case.user_id in fixtures.users:
            yield case_record(case, fixtures, seed, now, empty_days, spec)


def index_markdown(records: list[dict[str, Any]]) -> str:
    """A short README for a catalogue directory."""
    lines = [
        "# Edge-case catalogue",
        "",
        f"Generated by `cudis-mock generate --edge-cases` (seed {records[0]['seed'] if records else '?'}).",
        "Start the mock as each file's `setup.serve` says, set `BASE` and `TOKEN` as in `setup.shell`,",
        "then run a request's `curl`: the answer equals its `response`.",
        "",
        "| file | case | user | why |",
        "|---|---|---|---|",
    ]
    for index, record in enumerate(records, 1):
        lines.append(
            f"| `{index:02d}-{record['name']}.json` | {record['title']} | `{record['user']['id']}` | {record['why']} |"
        )
    return "\n".join(lines) + "\n"

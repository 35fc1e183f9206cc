"""What the mock answers to a range query, computed without HTTP: the query view's path minus credentials.

The generator, the edge-case catalogue and the explorer all go through `answer_range`,
so a dataset holds byte for byte what `GET /partner/v1/query/<metric>` returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, cached_property
from typing import Any
from zoneinfo import ZoneInfo

from cudis_spec import Spec, load_spec

from ..http.envelope import ApiError, success_body_json
from ..http.ranges import RangeRules, parse_range, range_rules
from ..synth import DataEngine, EmptyDays, Metric
from ..synth.calendar import local_midnight


@cache
def _rules(spec: Spec) -> RangeRules:
    return range_rules(spec)


def local_range(tz: ZoneInfo, first: date, last: date) -> tuple[int, int]:
    """startTime and endTime covering exactly the local dates first..last (inclusive) in `tz`."""
    return int(local_midnight(first, tz)), int(local_midnight(last + timedelta(days=1), tz))


@dataclass(frozen=True)
class RecordedAnswer:
    """One query and the mock's exact answer to it."""

    user_id: str
    metric: Metric
    operation_id: str
    path: str
    request: dict[str, Any]
    """The JSON body sent (`startTime`, `endTime`)."""
    body: bytes
    """The response body, byte for byte."""

    @cached_property
    def data(self) -> dict[str, Any] | None:
        """The envelope's `data` (None for an error envelope)."""
        data: dict[str, Any] | None = json.loads(self.body)["data"]
        return data


def answer_range(
    engine: DataEngine,
    metric: Metric,
    user_id: str,
    request: dict[str, Any],
    now: float,
    empty_days: EmptyDays,
    spec: Spec | None = None,
) -> RecordedAnswer:
    """The answer the mock gives `user_id` for `request` (a JSON body), valid credentials assumed."""
    spec = spec or load_spec()
    operation = spec.query(metric)
    try:
        asked = parse_range(json.dumps(request).encode(), "application/json", {}, _rules(spec))
        data = engine.answer_json(metric, user_id, asked.start, asked.end, now, empty_days)
        body = success_body_json(spec.codes, data)
    except ApiError as error:
        body = error.body(spec.codes)
    return RecordedAnswer(
        user_id=user_id,
        metric=metric,
        operation_id=operation.operation_id,
        path=operation.path,
        request=dict(request),
        body=body,
    )

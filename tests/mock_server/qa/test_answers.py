"""answer_range: the mock's answer to a range query without HTTP, for exactly the local dates asked."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient

from mock_server.people import load_fixtures
from mock_server.qa.answers import answer_range, local_range
from mock_server.synth import DataEngine

from ...conftest import FIXED_NOW


@pytest.fixture(scope="module")
def engine() -> DataEngine:
    return DataEngine(42, dict(load_fixtures().users))


def test_a_local_range_covers_exactly_the_local_dates_even_across_a_clock_change(engine: DataEngine) -> None:
    tz = engine.timezone("typical")  # America/New_York: 2026-03-08 has 23 hours
    start, end = local_range(tz, date(2026, 3, 7), date(2026, 3, 9))
    assert end - start == 3 * 86400 - 3600
    for metric in ("heart_beat", "step", "sleep"):
        answer = answer_range(engine, metric, "typical", {"startTime": start, "endTime": end}, FIXED_NOW, "zero")
        assert answer.data is not None
        assert [item["date"] for item in answer.data["list"]] == ["2026-03-07", "2026-03-08", "2026-03-09"]


def test_empty_days_omitted_or_given_as_zeros(engine: DataEngine) -> None:
    start, end = local_range(engine.timezone("no-data"), date(2026, 3, 7), date(2026, 3, 8))
    body = {"startTime": start, "endTime": end}
    omitted = answer_range(engine, "step", "no-data", body, FIXED_NOW, "omit")
    zeros = answer_range(engine, "step", "no-data", body, FIXED_NOW, "zero")
    assert omitted.data == {"countStep": 0, "list": []}
    assert zeros.data == {"countStep": 0, "list": [{"date": "2026-03-07", "y": 0.0}, {"date": "2026-03-08", "y": 0.0}]}


def test_an_answer_names_its_endpoint_and_keeps_the_request_as_sent(engine: DataEngine) -> None:
    body: dict[str, object] = {"startTime": 1726358400, "endTime": 1726704000}
    answer = answer_range(engine, "sleep", "athlete", body, FIXED_NOW, "omit")
    body["endTime"] = 0
    assert (answer.metric, answer.path, answer.user_id) == ("sleep", "/partner/v1/query/sleep", "athlete")
    assert answer.operation_id and answer.request == {"startTime": 1726358400, "endTime": 1726704000}
    assert json.loads(answer.body)["code"] == 200


@pytest.mark.parametrize(
    "body",
    [{"startTime": 1726704000, "endTime": 1726358400}, {"startTime": 1726358400}, {"startTime": "soon", "endTime": 1}],
    ids=["reversed", "no-end", "not-a-number"],
)
def test_a_range_the_server_refuses_gets_the_servers_error_envelope(
    engine: DataEngine, body: dict[str, object], client: FlaskClient, auth: dict[str, str], freeze: Callable[..., float]
) -> None:
    freeze()
    answer = answer_range(engine, "step", "typical", body, FIXED_NOW, "omit")
    served = client.get("/partner/v1/query/step", json=body, headers=auth)
    assert answer.data is None
    assert answer.body == served.data

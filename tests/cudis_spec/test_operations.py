"""The operations table: each query operation's metric, path and schemas, from the spec alone."""

from __future__ import annotations

import pytest

from cudis_spec import load_spec

SPEC = load_spec()


@pytest.mark.parametrize(
    ("metric", "operation_id", "path", "data_schema"),
    [
        ("heart_beat", "queryHeartBeat", "/partner/v1/query/heart_beat", "HeartBeatData"),
        ("step", "queryStep", "/partner/v1/query/step", "StepData"),
        ("sleep", "querySleep", "/partner/v1/query/sleep", "SleepData"),
    ],
)
def test_each_metric_has_its_query_operation(metric: str, operation_id: str, path: str, data_schema: str) -> None:
    op = SPEC.query(metric)
    assert (op.operation_id, op.method, op.path, op.data_schema) == (operation_id, "GET", path, data_schema)
    assert SPEC.query_by_id(operation_id) is op
    assert op.body_pointer == SPEC.range.body_pointer


def test_an_unknown_metric_or_operation_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="heart_beat, step, sleep"):
        SPEC.query("calories")
    with pytest.raises(ValueError, match="queryHeartBeat"):
        SPEC.query_by_id("queryCalories")


def test_every_operation_of_both_documents_is_listed_once() -> None:
    documents = {op.document for op in SPEC.operations.values()}
    assert documents == {"api", "admin"}
    assert SPEC.operations["authorize"].label == "GET /oauth/authorize"
    assert SPEC.operations["queryStep"].flask_rule == "/partner/v1/query/step"

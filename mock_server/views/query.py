"""The three documented query endpoints."""

from __future__ import annotations

from flask import Response, request

from ..context import mock_context
from ..http.envelope import success_body_json
from ..http.ranges import parse_range
from ..oauth.tokens import bearer_token, check_access, token_digest
from ..synth import Metric


def _query(metric: Metric) -> Response:
    mock = mock_context()
    req = request._get_current_object()  # type: ignore[attr-defined]  # one proxy look-up, not five
    now = mock.clock.now()
    token = bearer_token(req.headers.get("Authorization"))
    record = mock.store.get_token(token_digest(token)) if token else None
    record = check_access(record, req.headers.get("Cudis-Client-Id"), now)
    asked = parse_range(req.get_data(cache=True), req.headers.get("Content-Type"), req.args, mock.range_rules)
    data = mock.engine.answer_json(metric, record.user_id, asked.start, asked.end, now, mock.config.empty_days)
    return Response(success_body_json(data), status=200, mimetype="application/json")


def query_heart_beat() -> Response:
    return _query("heart_beat")


def query_step() -> Response:
    return _query("step")


def query_sleep() -> Response:
    return _query("sleep")


HANDLERS = {
    "queryHeartBeat": query_heart_beat,
    "queryStep": query_step,
    "querySleep": query_sleep,
}

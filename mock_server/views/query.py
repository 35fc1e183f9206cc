"""The documented query endpoints: one handler per query operation of the spec, bound to its metric."""

from __future__ import annotations

from functools import partial

from flask import Response, request

from cudis_spec import Spec

from ..context import mock_context
from ..http.envelope import success_body_json
from ..http.ranges import parse_range
from ..oauth.tokens import bearer_token, check_access, token_digest
from ..synth import Metric
from .routing import Handler


def answer_query(metric: Metric) -> Response:
    """Credentials, then the range, then the days: the answer of `metric` for the token's user."""
    mock = mock_context()
    req = request._get_current_object()  # type: ignore[attr-defined]  # one proxy look-up, not five
    now = mock.clock.now()
    token = bearer_token(req.headers.get("Authorization"))
    record = mock.store.get_token(token_digest(token)) if token else None
    record = check_access(record, req.headers.get(mock.spec.client_id_header), now)
    asked = parse_range(req.get_data(cache=True), req.headers.get("Content-Type"), req.args, mock.range_rules)
    data = mock.engine.answer_json(metric, record.user_id, asked.start, asked.end, now, mock.config.empty_days)
    success = mock.spec.codes.success
    return Response(success_body_json(mock.spec.codes, data), status=success.http, mimetype="application/json")


def handlers(spec: Spec) -> dict[str, Handler]:
    """A handler for each query operation of the spec (`x-cudis-metric` says which data it answers)."""
    return {op.operation_id: partial(answer_query, op.metric) for op in spec.queries}  # type: ignore[arg-type]

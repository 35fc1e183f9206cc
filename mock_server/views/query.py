"""The documented query endpoints: one handler per query operation of the spec, bound to its metric."""

from __future__ import annotations

from functools import cache, partial

from flask import Response, request

from cudis_spec import Spec

from ..context import mock_context
from ..http.envelope import NotRecorded, success_body_json
from ..oauth.tokens import bearer_token, check_access, token_digest
from ..people.recordings import seconds_text
from ..synth import Metric
from .routing import Handler


@cache
def _environ_key(header: str) -> str:
    """Where WSGI puts a request header (`Cudis-Client-Id` -> `HTTP_CUDIS_CLIENT_ID`)."""
    return "HTTP_" + header.upper().replace("-", "_")


def answer_query(metric: Metric) -> Response:
    """Credentials, then the range, then the days: the answer of `metric` for the token's user."""
    mock = mock_context()
    req = request._get_current_object()  # type: ignore[attr-defined]  # one proxy look-up, not five
    now = mock.clock.now()
    environ = req.environ  # the headers read from it directly: werkzeug's Headers map the same keys
    token = bearer_token(environ.get("HTTP_AUTHORIZATION"))
    record = mock.store.get_token(token_digest(token)) if token else None
    record = check_access(record, environ.get(_environ_key(mock.spec.client_id_header)), now)
    args = req.args if environ.get("QUERY_STRING") else None
    repeated = [name for name in args if len(args.getlist(name)) > 1] if args else ()
    asked = mock.ranges.parse(req.get_data(cache=True), environ.get("CONTENT_TYPE"), args or {}, repeated)
    recordings = mock.fixtures.recordings
    data = recordings.get((record.user_id, metric, asked.start, asked.end)) if recordings else None
    if data is None:
        if mock.config.replay_only:
            raise NotRecorded(
                f"user {record.user_id!r}, {metric}, startTime {seconds_text(asked.start)}, "
                f"endTime {seconds_text(asked.end)} "
                f"(the recording in {mock.fixtures.source} does not hold it; --replay-only serves nothing else)"
            )
        data = mock.engine.answer_json(metric, record.user_id, asked.start, asked.end, now, mock.config.empty_days)
    success = mock.spec.codes.success
    return Response(success_body_json(mock.spec.codes, data), status=success.http, mimetype="application/json")


def handlers(spec: Spec) -> dict[str, Handler]:
    """A handler for each query operation of the spec (`x-cudis-metric` says which data it answers)."""
    return {op.operation_id: partial(answer_query, op.metric) for op in spec.queries}  # type: ignore[arg-type]

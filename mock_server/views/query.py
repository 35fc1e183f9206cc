"""The documented query endpoints: one handler per query operation of the spec, bound to its metric."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import partial
from typing import Any

from flask import Response, request

from cudis_spec import Spec

from ..context import MockContext, mock_context
from ..http.envelope import NotRecorded, success_body_json
from ..http.masks import environ_key
from ..oauth.tokens import bearer_token, check_access, token_digest
from ..people.recordings import seconds_text
from ..synth import Metric
from .routing import Handler


def query_body(
    mock: MockContext,
    metric: Metric,
    environ: Mapping[str, Any],
    raw_body: bytes,
    args: Mapping[str, str],
    repeated: Collection[str] = (),
) -> bytes:
    """Credentials, then the range, then the days: the success envelope of `metric` for the token's
    user, or the typed error that refuses the request. Reads the headers from the WSGI environ
    (the same keys werkzeug's `Headers` map) and the store's tokens; writes nothing."""
    now = mock.clock.now()
    token = bearer_token(environ.get("HTTP_AUTHORIZATION"))
    record = mock.store.get_token(token_digest(token)) if token else None
    record = check_access(record, environ.get(environ_key(mock.spec.client_id_header)), now)
    asked = mock.ranges.parse(raw_body, environ.get("CONTENT_TYPE"), args, repeated)
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
    return success_body_json(mock.spec.codes, data)


def answer_query(metric: Metric) -> Response:
    """The Flask view of a query endpoint (`query_body` with the request's body and query string)."""
    mock = mock_context()
    req = request._get_current_object()  # type: ignore[attr-defined]  # one proxy look-up, not five
    environ = req.environ
    args = req.args if environ.get("QUERY_STRING") else None
    repeated = [name for name in args if len(args.getlist(name)) > 1] if args else ()
    body = query_body(mock, metric, environ, req.get_data(cache=True), args or {}, repeated)
    return Response(body, status=mock.spec.codes.success.http, mimetype="application/json")


def handlers(spec: Spec) -> dict[str, Handler]:
    """A handler for each query operation of the spec (`x-cudis-metric` says which data it answers)."""
    return {op.operation_id: partial(answer_query, op.metric) for op in spec.queries}  # type: ignore[arg-type]

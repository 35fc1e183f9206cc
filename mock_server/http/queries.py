"""The answer of a query endpoint, from the WSGI environ: the Flask view's and the fast path's one core."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ..context import MockContext
from ..oauth.tokens import bearer_token, check_access, token_digest
from ..people.recordings import seconds_text
from ..synth import Metric
from .envelope import NotRecorded, success_body_json
from .masks import environ_key


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

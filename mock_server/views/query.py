"""The documented query endpoints: one handler per query operation of the spec, bound to its metric."""

from __future__ import annotations

from functools import partial

from flask import Response, request

from cudis_spec import Spec

from ..context import mock_context
from ..http.queries import query_body
from ..synth import Metric
from .routing import Handler


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

"""The schema family: the answer's shape. HTTP 200 or a 4xx, `application/json`, and the envelope's JSON Schema."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..cases import Case
from ..findings import Break, Family, Severity
from ..schema_errors import assumed, error_path, error_text, leaves
from ..transport import Exchange
from .conditions import a_sound_envelope, a_success_envelope, answered
from .registry import Context, Layer, check, requires


@check(Family.SCHEMA, Layer.HTTP)
@requires(answered)
def status_is_200_or_a_4xx(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """The answer is HTTP 200 or a 4xx error."""
    if exchange.status != 200 and not 400 <= (exchange.status or 0) < 500:
        yield Break("response-status", Severity.FAILURE, "the answer is HTTP 200 or a 4xx error", exchange.summary())


@check(Family.SCHEMA, Layer.HTTP)
@requires(answered)
def content_type_is_json(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """The answer is `Content-Type: application/json`."""
    if exchange.content_type.split(";", 1)[0].strip().lower() != "application/json":
        says = "the answer is `Content-Type: application/json`"
        yield Break(
            "response.content-type", Severity.FAILURE, says, f"Content-Type: {exchange.content_type or '(none)'}"
        )


@check(Family.SCHEMA, Layer.ENVELOPE)
@requires(a_success_envelope)
def success_comes_with_http_200(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """A success envelope comes with HTTP 200."""
    if exchange.status != 200:
        yield Break("response-status", Severity.FAILURE, "a success envelope comes with HTTP 200", exchange.summary())


@check(Family.SCHEMA, Layer.SCHEMA)
@requires(a_sound_envelope)
def envelope_matches_its_schema(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """The envelope matches its schema: the operation's success envelope, or the error envelope.

    A deviation the spec marks as assumed (or integer versus number) is a warning.
    """
    success = a_success_envelope(ctx, exchange, case)
    pointer = case.operation.success_pointer if success else case.operation.error_pointer
    schema_name = pointer.rsplit("/", 1)[-1]
    for error in ctx.spec.api.validator(pointer).iter_errors(exchange.json()):
        for leaf in leaves(error):
            assumption = assumed(leaf)
            severity = Severity.WARNING if assumption else Severity.FAILURE
            says = f"the answer matches {schema_name} ({leaf.validator}: {json.dumps(leaf.validator_value)[:80]})"
            yield Break(f"response-schema:{error_path(leaf)}", severity, says, error_text(leaf), assumption)

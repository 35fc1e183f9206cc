"""Preconditions shared by checks: conditions of the checks' own signature, put in front of them by `@requires`.

Each condition implies the ones it builds on: an error envelope was answered, an answer came
from the operation's own method.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..cases import BodyKind, Case
from ..transport import Exchange
from .registry import Context

ENVELOPE_FIELDS = ("code", "msg", "data")


def the_operation(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """Sent with the operation's own method: a query or a probe (another method is the protocol's to judge)."""
    return exchange.method == case.operation.method


def another_method(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """Sent with another method than the operation's. HEAD on a GET operation is not one: it is the GET
    without its content (RFC 9110, section 9.3.2), which a server may answer as the GET or refuse."""
    if exchange.method == "HEAD" and case.operation.method == "GET":
        return False
    return not the_operation(ctx, exchange, case)


def answered(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """The operation answered, with no 5xx (no answer and a crash are each a check's own finding)."""
    return the_operation(ctx, exchange, case) and exchange.status is not None and exchange.status < 500


def a_json_body(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """The answer's body is JSON (`null` included)."""
    return answered(ctx, exchange, case) and (exchange.json() is not None or exchange.content.strip() == b"null")


def a_json_object(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """The answer's body is a JSON object, whatever its keys."""
    return answered(ctx, exchange, case) and isinstance(exchange.json(), Mapping)


def succeeded(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """The answer is a JSON object with the success code."""
    return a_json_object(ctx, exchange, case) and exchange.json().get("code") == ctx.spec.codes.success.code


def an_envelope(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """The answer is a `{code, msg, data}` object."""
    document = exchange.json()
    return (
        answered(ctx, exchange, case) and isinstance(document, Mapping) and all(k in document for k in ENVELOPE_FIELDS)
    )


def a_success_envelope(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """The answer is an envelope with the success code."""
    return an_envelope(ctx, exchange, case) and exchange.json()["code"] == ctx.spec.codes.success.code


def an_error_envelope(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """The answer is an envelope with another code than success."""
    return an_envelope(ctx, exchange, case) and not a_success_envelope(ctx, exchange, case)


def has_null_data(envelope: Mapping[str, Any]) -> bool:
    return envelope["data"] is None


def has_a_message(envelope: Mapping[str, Any]) -> bool:
    return isinstance(envelope["msg"], str) and bool(envelope["msg"])


def a_sound_envelope(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """A success envelope, or an error envelope with a message and `data: null`: one worth holding to its schema."""
    if a_success_envelope(ctx, exchange, case):
        return True
    return an_error_envelope(ctx, exchange, case) and has_null_data(exchange.json()) and has_a_message(exchange.json())


def a_query(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """A query sent with the valid credentials."""
    return the_operation(ctx, exchange, case) and case.probe is None


def a_valid_body(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """The body keeps everything the contract says of a range."""
    return case.body.kind is BodyKind.VALID


def a_bad_body(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """The body breaks what the page states, or what the spec assumes."""
    return case.body.kind is not BodyKind.VALID


def a_probe(ctx: Context, exchange: Exchange, case: Case) -> bool:
    """A query sent with bad credentials in place of the valid ones."""
    return the_operation(ctx, exchange, case) and case.probe is not None

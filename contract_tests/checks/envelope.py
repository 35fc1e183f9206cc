"""The envelope family: every answer is a JSON `{code, msg, data}`; an error has a message and `data: null`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from ..cases import Case
from ..findings import Break, Family, Severity
from ..transport import Exchange
from .conditions import (
    ENVELOPE_FIELDS,
    a_json_body,
    an_envelope,
    an_error_envelope,
    answered,
    has_a_message,
    has_null_data,
)
from .registry import Context, Layer, check, requires


@check(Family.ENVELOPE, Layer.ENVELOPE)
@requires(answered)
def body_is_json(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """The body is JSON."""
    if not a_json_body(ctx, exchange, case):
        yield Break("envelope.json", Severity.FAILURE, "the body is a JSON envelope", exchange.summary())


@check(Family.ENVELOPE, Layer.ENVELOPE)
@requires(a_json_body)
def body_is_an_envelope(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """The body is an object with `code`, `msg` and `data`."""
    document = exchange.json()
    missing = [k for k in ENVELOPE_FIELDS if not isinstance(document, Mapping) or k not in document]
    if missing:
        got = f"no {', '.join(missing)} in {exchange.summary()}"
        yield Break("envelope.fields", Severity.FAILURE, "every answer is an object {code, msg, data}", got)


@check(Family.ENVELOPE, Layer.ENVELOPE)
@requires(an_error_envelope)
def error_envelope_has_null_data(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """An error envelope has `data: null`."""
    envelope = exchange.json()
    if not has_null_data(envelope):
        says = f"an error envelope (code {envelope['code']!r}) has `data: null`"
        yield Break("envelope.error-data-null", Severity.FAILURE, says, f"data: {json.dumps(envelope['data'])[:200]}")


@check(Family.ENVELOPE, Layer.ENVELOPE)
@requires(an_error_envelope)
def error_envelope_has_a_message(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """An error envelope's `msg` is a non-empty string."""
    envelope = exchange.json()
    if not has_a_message(envelope):
        says = "an error envelope's `msg` is a non-empty string"
        yield Break("envelope.error-msg", Severity.FAILURE, says, f"msg: {json.dumps(envelope['msg'])[:200]}")


@check(Family.ENVELOPE, Layer.ENVELOPE)
@requires(an_envelope)
def vendor_code_has_its_msg(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """A code the page shows comes with the `msg` the page shows for it (`success`, `Session expired. ...`)."""
    envelope = exchange.json()
    code = envelope["code"]
    codes = ctx.spec.codes
    if not isinstance(code, int) or isinstance(code, bool) or code not in codes:
        return
    info = codes[code]
    if info.source != "vendor" or "{" in info.msg or envelope["msg"] == info.msg:
        return
    says = f"code {code} comes with `msg: {info.msg!r}`, as the page shows it"
    yield Break("envelope.vendor-msg", Severity.FAILURE, says, f"msg: {json.dumps(envelope['msg'])[:200]}")

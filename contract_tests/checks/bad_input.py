"""The bad-input family: every request is answered, without a crash, and bad input never succeeds.

A body that breaks what the page states must be refused (a failure); one that breaks only
what the spec assumes should be, with one of the spec's bad-input codes (warnings).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..cases import BodyKind, Case
from ..findings import Break, Family, Severity
from ..transport import Exchange
from .conditions import a_bad_body, a_json_object, a_query, succeeded, the_operation
from .registry import Context, Layer, check, requires


@check(Family.BAD_INPUT, Layer.ANSWER)
@requires(the_operation)
def server_answers(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """The server answers every request."""
    if exchange.status is None:
        yield Break("transport", Severity.FAILURE, "the server answers every request", exchange.summary())


@check(Family.BAD_INPUT, Layer.ANSWER)
@requires(the_operation)
def server_does_not_crash(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """No request gets a 5xx."""
    if exchange.status is not None and exchange.status >= 500:
        yield Break("server-error", Severity.FAILURE, "no request gets a 5xx (a crash)", exchange.summary())


@check(Family.BAD_INPUT, Layer.MEANING)
@requires(a_query, a_bad_body, succeeded)
def bad_input_is_refused(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """Bad input never gets a success envelope.

    A failure when the body breaks what the page states (not JSON, not an object, a field not
    a number); a warning naming the assumption when it breaks only what the spec assumes
    (bounds, required fields, request rules, no body).
    """
    body = case.body
    if body.kind is BodyKind.INVALID:
        says = f"a body that breaks the page's contract is refused ({body.reason})"
        yield Break("invalid-input-refused", Severity.FAILURE, says, exchange.summary())
    else:
        says = f"the spec assumes this input is refused ({body.reason})"
        yield Break("assumed-invalid-input-refused", Severity.WARNING, says, exchange.summary(), body.assumption)


@check(Family.BAD_INPUT, Layer.MEANING)
@requires(a_query, a_bad_body, a_json_object)
def bad_input_gets_a_bad_input_code(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """A refused bad input gets one of the spec's bad-input codes."""
    document = exchange.json()
    code = document.get("code")
    codes = ctx.spec.codes
    if code == codes.success.code or (isinstance(code, int) and code in codes.bad_input_codes()):
        return
    expected = ", ".join(str(c) for c in sorted(codes.bad_input_codes()))
    says = f"bad input ({case.body.reason}) gets one of the codes {expected}"
    yield Break("bad-input-codes", Severity.WARNING, says, f"code {code!r}: {document.get('msg')!r}", "bad-input-codes")

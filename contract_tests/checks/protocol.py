"""The protocol family: the HTTP status an error envelope comes with, and other methods on the query paths.

Both are the spec's assumptions (`error-http-status`), so a deviation is only ever a warning.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..cases import Case
from ..findings import Break, Family, Severity
from ..transport import Exchange
from .conditions import an_error_envelope, another_method
from .registry import Context, Layer, check, requires


@check(Family.PROTOCOL, Layer.ENVELOPE)
@requires(an_error_envelope)
def error_status_is_200_or_its_codes(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """An error envelope comes with HTTP 200 or the status the spec maps its code to (any 4xx for an unknown code)."""
    code = exchange.json()["code"]
    codes = ctx.spec.codes
    mapped = codes[code].http if isinstance(code, int) and code in codes else None
    status = exchange.status
    if status == 200 or status == mapped or (mapped is None and 400 <= (status or 0) < 500):
        return
    says = f"an error envelope with code {code} comes with HTTP 200 or {mapped}"
    yield Break("error-http-status", Severity.WARNING, says, f"HTTP {status}", "error-http-status")


@check(Family.PROTOCOL, Layer.MEANING)
@requires(another_method)
def other_methods_get_405(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """Another method on a query path gets HTTP 405."""
    if exchange.status != 405:
        says = f"{exchange.method} on a query path gets HTTP 405"
        yield Break("other-methods-405", Severity.WARNING, says, exchange.summary(150), "error-http-status")

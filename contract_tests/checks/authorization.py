"""The authorization family: bad credentials with a valid range get the session-expired envelope.

With schemathesis' `ignored_auth` a refusal sent with HTTP 200 goes unseen; this check reads
the envelope. The runner sends one probe of each kind (`cases.AuthProbe`); the rule broken
is named after the probe (`authorization.wrong-token`). The page names an expired token and
an invalid client id; with no token at all it is silent, so another refusal code there is
only a warning.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..cases import AuthProbe, Case
from ..findings import Break, Family, Severity
from ..transport import Exchange
from .conditions import a_json_object, a_probe
from .registry import Context, Layer, check, requires

_SAYS = {
    AuthProbe.NO_TOKEN: "a request without `Authorization` is refused",
    AuthProbe.WRONG_TOKEN: "a request with a token the server never issued gets {expired}",
    AuthProbe.TOKEN_START_CHANGED: "a request with the token's first character changed gets {expired}",
    AuthProbe.TOKEN_END_CHANGED: "a request with the token's last character changed gets {expired}",
    AuthProbe.NO_CLIENT_ID: "a request without `Cudis-Client-Id` gets {expired} (the page: the client id is invalid)",
    AuthProbe.WRONG_CLIENT_ID: "a request with another `Cudis-Client-Id` than the token's gets {expired}",
    AuthProbe.EXPIRED_TOKEN: "a request with an expired token gets {expired} (the page: the token has expired)",
}
"""What the contract says of each probe."""


@check(Family.AUTHORIZATION, Layer.MEANING)
@requires(a_probe, a_json_object)
def bad_credentials_are_refused(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """A request with bad credentials (and a valid range) gets the session-expired envelope, `data: null`."""
    assert case.probe is not None  # a_probe
    document = exchange.json()
    code = document.get("code")
    expired = ctx.spec.codes.session_expired.code
    rule = f"authorization.{case.probe.value}"
    says = _SAYS[case.probe].format(expired=expired)
    if code == ctx.spec.codes.success.code or code is None:
        yield Break(rule, Severity.FAILURE, says + ", not answered", exchange.summary())
    elif code != expired:
        severity = Severity.WARNING if case.probe is AuthProbe.NO_TOKEN else Severity.FAILURE
        yield Break(rule, severity, says + f" (code {expired})", f"code {code!r}: {document.get('msg')!r}")

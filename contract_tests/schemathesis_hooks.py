"""Hooks for the plain `schemathesis run openapi/cudis-v1.yaml --url URL -H ... -H ...` (see `schemathesis.toml`).

The built-in checks that read a refusal from the HTTP status (`ignored_auth`,
`missing_required_header`, `negative_data_rejection`, `positive_data_acceptance`) cannot see one
sent as HTTP 200 with an error envelope, which the page does. The toml switches them off and
these take their place, each the same check shown the status the envelope stands for, plus the
contract itself: every query sent with the `-H` credentials is judged by the suite's engine (a
wrong token, wrong data, a bad input accepted all fail).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case as GeneratedCase
from schemathesis import CheckContext, Response
from schemathesis.specs.openapi import checks as builtin

from cudis_spec import load_spec

from .cases import BodyKind, classify_body
from .schemathesis_checks import (
    Credentials,
    _as_http_status,
    _query_operation,
    ignored_auth_by_envelope,
    keeps_the_contract,
    missing_header_rejected_by_envelope,
    negative_data_rejected_by_envelope,
)

__all__ = ["missing_header_rejected_by_envelope", "negative_data_rejected_by_envelope"]


def _credentials(response: Response) -> Credentials | None:
    """The credentials the run was given with -H, as the request carried them."""
    sent = response.request.headers
    scheme, _, token = str(sent.get("Authorization", "")).partition(" ")
    client_id = sent.get(load_spec().client_id_header)
    if scheme != "Bearer" or not token or not client_id:
        return None
    return Credentials(token, str(client_id))


class _PerCredentials:
    """One check instance per set of credentials (the probes of `ignored_auth_by_envelope` go once each)."""

    def __init__(self) -> None:
        self.probes: dict[Credentials, Any] = {}

    def ignored_auth(self, credentials: Credentials) -> Any:
        if credentials not in self.probes:
            self.probes[credentials] = ignored_auth_by_envelope(credentials)
        return self.probes[credentials]


_RUN = _PerCredentials()


@schemathesis.check
def contract_with_given_credentials(ctx: CheckContext, response: Response, case: GeneratedCase[Any]) -> bool | None:
    """A query sent with the -H credentials breaks no rule of the contract (the suite's engine; warnings pass)."""
    credentials = _credentials(response)
    return None if credentials is None else keeps_the_contract(credentials)(ctx, response, case)


@schemathesis.check
def auth_refused_by_envelope(ctx: CheckContext, response: Response, case: GeneratedCase[Any]) -> bool | None:
    """`ignored_auth` for an API that refuses with HTTP 200 and code 20007: the suite's authorization probes."""
    credentials = _credentials(response)
    return None if credentials is None else _RUN.ignored_auth(credentials)(ctx, response, case)


@schemathesis.check
def positive_data_accepted_by_envelope(ctx: CheckContext, response: Response, case: GeneratedCase[Any]) -> bool | None:
    """`positive_data_acceptance`, shown the status an envelope stands for.

    A body JSON Schema finds valid may still break the spec's request rules (`x-cudis-request-rules`:
    start after end, a range over the longest), which a generator cannot see: those are skipped.
    An unknown client or redirect URI on the authorize page gets its documented 400, never a
    redirect (RFC 6749 4.2.2.1): generated client ids are unknown ones.
    """
    operation = _query_operation(case)
    if operation is not None:
        body = response.request.body
        sent = body.encode() if isinstance(body, str) else body
        kind = classify_body(load_spec(), operation, sent, str(response.request.headers.get("Content-Type", ""))).kind
        if kind is not BodyKind.VALID:
            return None
    elif case.operation.definition.raw.get("operationId") in ("authorize", "authorizeDecision") and (
        response.status_code in (400, 403) or 200 <= response.status_code < 400
    ):
        return None
    return builtin.positive_data_acceptance(ctx, _as_http_status(response), case)

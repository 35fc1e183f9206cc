"""Envelope-aware schemathesis checks, each named for the rule it guards (the contract's own checks live in
`contract_tests.checks`).

The CUDIS API answers errors as `{code, msg, data}` envelopes, by default with HTTP 200,
so schemathesis' built-in checks that expect 4xx cannot see a rejection. The
`*_by_envelope` checks translate the envelope into the HTTP status it stands for and
delegate to the built-in check, so its full logic (and its exemptions) still applies.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import requests
import schemathesis
from schemathesis import Case, CheckContext, CheckFunction, Response
from schemathesis.specs.openapi import checks as builtin

from cudis_spec import RangeContext, check_data, load_spec

from .envelope import envelope_of, equivalent_status
from .findings import Severity
from .transport import Exchange
from .verdicts import auth_breaks, auth_probes

BUILTINS_REPLACED = (
    builtin.negative_data_rejection,
    builtin.missing_required_header,
    builtin.ignored_auth,
    builtin.positive_data_acceptance,
)
"""Built-in checks that assume 4xx for a rejection; the checks below replace them."""


def _as_http_status(response: Response) -> Response:
    status = equivalent_status(response.status_code, response.content, load_spec().codes)
    if status == response.status_code:
        return response
    return Response(
        status_code=status,
        headers=response.headers,
        content=response.content,
        request=response.request,
        elapsed=response.elapsed,
        verify=response.verify,
        message=response.message,
        http_version=response.http_version,
        encoding=response.encoding,
    )


def _is_query(case: Case[Any]) -> bool:
    return _operation_id(case) in {op.operation_id for op in load_spec().queries}


def _operation_id(case: Case[Any]) -> str:
    return str(case.operation.definition.raw.get("operationId", ""))


def _is_positive(case: Case[Any]) -> bool:
    return case.meta is not None and not case.meta.generation.mode.is_negative


def _range_body(case: Case[Any]) -> dict[str, Any] | None:
    body = case.body
    if not isinstance(body, dict):
        return None
    numbers = {k: body.get(k) for k in ("startTime", "endTime")}
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers.values()):
        return None
    return body


@schemathesis.check
def negative_data_rejected_by_envelope(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Invalid input is refused: by a 4xx, or by an error envelope."""
    return builtin.negative_data_rejection(ctx, _as_http_status(response), case)


@schemathesis.check
def missing_header_rejected_by_envelope(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A request without a required header is refused: by a 4xx, or by an error envelope."""
    return builtin.missing_required_header(ctx, _as_http_status(response), case)


@dataclass(frozen=True)
class Credentials:
    """The token and client id the implementation under test should accept."""

    token: str
    client_id: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Cudis-Client-Id": self.client_id}

    def sent_with(self, response: Response) -> bool:
        sent = response.request.headers
        return bool(
            sent.get("Authorization") == f"Bearer {self.token}" and sent.get("Cudis-Client-Id") == self.client_id
        )


def valid_request_gets_success(credentials: Credentials) -> CheckFunction:
    """A check: a valid range query sent with the valid credentials gets `code: 200`.

    Without it a wrong token would pass everything: an error envelope is valid
    against the schema.
    """

    def valid_request_gets_success(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
        if not _is_query(case) or not _is_positive(case) or not credentials.sent_with(response):
            return None
        body = _range_body(case)
        if body is None or load_spec().range.broken_rules(body):
            return None
        envelope = envelope_of(response.content)
        if envelope is None:
            return None  # the schema checks report a body that is no envelope
        codes = load_spec().codes
        if envelope.get("code") != codes.success.code:
            hint = " (the credentials given were refused)" if envelope.get("code") == codes.session_expired.code else ""
            raise AssertionError(
                f"a valid request was answered with code {envelope.get('code')}{hint}: {envelope.get('msg')!r}"
            )
        return True

    return valid_request_gets_success


def ignored_auth_by_envelope(
    credentials: Credentials, expired_token: str | None = None, foreign_token: str = "NOSUCHTOKEN0000000000000000000000"
) -> CheckFunction:
    """A check replacing the built-in `ignored_auth`, which cannot see a refusal sent as HTTP 200.

    Once per query operation, it resends a valid range with no token, a wrong token, no or
    another client id (and an expired token when given); each must get the session-expired envelope
    with `data: null`. The probes go out directly, as `ignored_auth`'s own do.
    """
    probed: set[str] = set()

    def ignored_auth_by_envelope(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
        operation_id = _operation_id(case)
        if not _is_query(case) or operation_id in probed or not credentials.sent_with(response):
            return None
        spec = load_spec()
        operation = spec.query_by_id(operation_id)
        if response.request.method != operation.method:
            return None  # the unsupported-method probes of the coverage phase
        probed.add(operation_id)
        now = time.time()
        body = json.dumps({"startTime": int(now) - 3 * 86400, "endTime": int(now)}).encode()
        url = str(response.request.url).split("?", 1)[0]
        problems = []
        for probe, headers in auth_probes(credentials.token, credentials.client_id, expired_token, foreign_token):
            sent = {**headers, "Content-Type": "application/json"}
            answer = requests.request(case.method, url, headers=sent, data=body, timeout=10)
            exchange = Exchange(case.method, url, sent, body, answer.status_code, dict(answer.headers), answer.content)
            problems += [
                f"{b.rule}: {b.says}; got {b.got}"
                for b in auth_breaks(spec, operation, probe, exchange, now)
                if b.severity is Severity.FAILURE
            ]
        if problems:
            raise AssertionError("; ".join(problems))
        return True

    return ignored_auth_by_envelope


@schemathesis.check
def success_data_obeys_spec_rules(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A success envelope's data obeys the spec's rules (aggregates, dates, ratios)."""
    if not _is_query(case):
        return None
    envelope = envelope_of(response.content)
    if envelope is None or envelope.get("code") != load_spec().codes.success.code:
        return None
    body = _range_body(case) or {}
    context = RangeContext(start=body.get("startTime"), end=body.get("endTime"))
    rules = [r for r in load_spec().data_rules(_operation_id(case)) if r.get("source", "vendor") == "vendor"]
    violations = check_data(rules, envelope.get("data"), context)
    if violations:
        raise AssertionError("; ".join(str(v) for v in violations))
    return True


ENVELOPE_CHECKS: tuple[CheckFunction, ...] = (
    negative_data_rejected_by_envelope,
    missing_header_rejected_by_envelope,
    success_data_obeys_spec_rules,
)

"""The contract's checks for schemathesis: the engine's registered checks, run on what schemathesis sends.

Why adapters, rather than dropping this path for the engine alone: schemathesis brings what
the suite's runner does not (its coverage phase with other media types and methods, its
built-in checks, stateful runs), and people run it on their own; the mock's conformance test
and its negative run lean on it. Why not a second set of checks either: two engines drift.
So each adapter turns a schemathesis (case, response) into the engine's `Exchange` and
`Case`, runs the very checks `cudis-contract` runs (`engine.judge`), and raises
AssertionError for the breaks of FAILURE severity; a warning (a deviation from an assumption
of the spec) does not fail. A rule changes in one place and both paths see it.

- `keeps_the_contract(credentials)`: every query sent with the valid credentials is judged by
  every registered check (a request with a query string, the mock's extension, only up to its
  schema: what it means is outside the page's contract).
- `ignored_auth_by_envelope(credentials)`: replaces `ignored_auth`, which cannot see a
  refusal sent with HTTP 200; once per operation it sends the authorization probes and judges
  their answers.
- `negative_data_rejected_by_envelope`, `missing_header_rejected_by_envelope`: not verdicts of
  the contract but schemathesis' own checks (for any operation, the mock's control API too),
  shown the HTTP status an error envelope stands for, so that their full logic still applies.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from schemathesis import Case as GeneratedCase
from schemathesis import CheckContext, CheckFunction, Response
from schemathesis.specs.openapi import checks as builtin

from cudis_spec import CodeCatalogue, QueryOperation, load_spec

from .cases import Case, auth_probes, classify_body
from .checks import Context, Layer, registered
from .engine import judge
from .findings import Break, Family, Severity
from .transport import Exchange

BUILTINS_REPLACED = (
    builtin.negative_data_rejection,
    builtin.missing_required_header,
    builtin.ignored_auth,
    builtin.positive_data_acceptance,
)
"""Built-in checks that assume 4xx for a rejection; the checks below replace them."""


# -- schemathesis' own checks, shown the status an envelope stands for -------------------------


def envelope_of(content: bytes) -> Mapping[str, Any] | None:
    """The `{code, msg, data}` object of a body, or None when it is not one."""
    try:
        document = json.loads(content)
    except ValueError:
        return None
    if isinstance(document, Mapping) and {"code", "msg", "data"} <= set(document):
        return document
    return None


def equivalent_status(status: int, content: bytes, catalogue: CodeCatalogue) -> int:
    """The HTTP status an envelope means: its code's status from the catalogue.

    An HTTP 200 carrying an error envelope is a rejection; codes unknown to the
    catalogue count as a generic client error (400).
    """
    if status != 200:
        return status
    document = envelope_of(content)
    if document is None or document.get("code") == catalogue.success.code:
        return status
    code = document.get("code")
    return catalogue[code].http if isinstance(code, int) and code in catalogue else 400


def _as_http_status(response: Response) -> Response:
    """The response as if sent with the HTTP status its envelope stands for."""
    shown = copy.copy(response)
    shown.status_code = equivalent_status(response.status_code, response.content, load_spec().codes)
    return shown


@schemathesis.check
def negative_data_rejected_by_envelope(ctx: CheckContext, response: Response, case: GeneratedCase[Any]) -> bool | None:
    """Invalid input is refused: by a 4xx, or by an error envelope."""
    return builtin.negative_data_rejection(ctx, _as_http_status(response), case)


@schemathesis.check
def missing_header_rejected_by_envelope(ctx: CheckContext, response: Response, case: GeneratedCase[Any]) -> bool | None:
    """A request without a required header is refused: by a 4xx, or by an error envelope."""
    return builtin.missing_required_header(ctx, _as_http_status(response), case)


BUILTINS_BY_ENVELOPE: tuple[CheckFunction, ...] = (
    negative_data_rejected_by_envelope,
    missing_header_rejected_by_envelope,
)


# -- the engine's checks -----------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """The token and client id the implementation under test should accept, and its clock."""

    token: str
    client_id: str
    now: Callable[[], float] = field(default=time.time, compare=False)
    """The server's now (the mock's clock can be set): the dates rules need it."""

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", load_spec().client_id_header: self.client_id}

    def headers_for(self, case: GeneratedCase[Any]) -> dict[str, str]:
        """The credentials in place of a generated case's, except a header a negative case left out or emptied (the
        one value the client-id header's schema refuses): replaced, the request would be valid."""
        generated = {name.lower(): value for name, value in (case.headers or {}).items()}
        return {
            name: value
            for name, value in self.headers().items()
            if name.lower() in generated and generated[name.lower()] != ""
        }

    def sent_with(self, response: Response) -> bool:
        sent = response.request.headers
        return bool(
            sent.get("Authorization") == f"Bearer {self.token}"
            and sent.get(load_spec().client_id_header) == self.client_id
        )


def _query_operation(case: GeneratedCase[Any]) -> QueryOperation | None:
    operation_id = str(case.operation.definition.raw.get("operationId", ""))
    return next((op for op in load_spec().queries if op.operation_id == operation_id), None)


def _body_bytes(body: Any) -> bytes | None:
    return body.encode() if isinstance(body, str) else body


def exchange_of(response: Response) -> Exchange:
    """The engine's view of what schemathesis sent and got."""
    request = response.request
    return Exchange(
        str(request.method),
        str(request.url),
        dict(request.headers),
        _body_bytes(request.body),
        response.status_code,
        {name: ", ".join(values) for name, values in response.headers.items()},
        response.content,
    )


def _fail_on_failures(judged: list[tuple[Family, Break]]) -> None:
    """Raise AssertionError naming the breaks of FAILURE severity; warnings pass."""
    problems = [f"{b.rule}: {b.says}; got {b.got}" for _, b in judged if b.severity is Severity.FAILURE]
    if problems:
        raise AssertionError("; ".join(problems))


def keeps_the_contract(credentials: Credentials) -> CheckFunction:
    """A check: a query sent with the valid credentials breaks no rule of the contract (warnings pass).

    Among others: a valid range gets the success code (without that, a wrong token would pass
    everything, an error envelope being valid against the schema), the data keep the spec's
    rules, a body that breaks the page's contract is refused.
    """

    def keeps_the_contract(ctx: CheckContext, response: Response, case: GeneratedCase[Any]) -> bool | None:
        operation = _query_operation(case)
        if operation is None or not credentials.sent_with(response):
            return None
        exchange = exchange_of(response)
        spec = load_spec()
        sent_type = str(response.request.headers.get("Content-Type", ""))
        checked = Case(operation, classify_body(spec, operation, exchange.body, sent_type))
        checks = registered()
        if "?" in exchange.url:  # the mock's query-string extension: judged as an answer, not for what it means
            checks = tuple(c for c in checks if c.layer < Layer.MEANING)
        context = Context(spec, credentials.now())
        _fail_on_failures(judge(context, exchange, checked, checks))
        return True

    return keeps_the_contract


def ignored_auth_by_envelope(
    credentials: Credentials, expired_token: str | None = None, foreign_token: str = "NOSUCHTOKEN0000000000000000000000"
) -> CheckFunction:
    """A check replacing the built-in `ignored_auth`, which cannot see a refusal sent as HTTP 200.

    Once per query operation, it resends a valid range with no token, a wrong token, no or
    another client id (and an expired token when given); the engine judges each answer (it
    must be the session-expired envelope with `data: null`). The probes go out directly, as
    `ignored_auth`'s own do.
    """
    probed: set[str] = set()

    def ignored_auth_by_envelope(ctx: CheckContext, response: Response, case: GeneratedCase[Any]) -> bool | None:
        operation = _query_operation(case)
        if operation is None or operation.operation_id in probed or not credentials.sent_with(response):
            return None
        if response.request.method != operation.method:
            return None  # the unsupported-method probes of the coverage phase
        probed.add(operation.operation_id)
        spec = load_spec()
        now = credentials.now()
        body = json.dumps({"startTime": int(now) - 3 * 86400, "endTime": int(now)}).encode()
        valid = classify_body(spec, operation, body, "application/json")
        url = str(response.request.url).split("?", 1)[0]
        context = Context(spec, now)
        judged: list[tuple[Family, Break]] = []
        for probe, headers in auth_probes(credentials.token, credentials.client_id, expired_token, foreign_token):
            sent = {**headers, "Content-Type": "application/json"}
            answer = requests.request(operation.method, url, headers=sent, data=body, timeout=10)
            exchange = Exchange(
                operation.method, url, sent, body, answer.status_code, dict(answer.headers), answer.content
            )
            judged += judge(context, exchange, Case(operation, valid, probe))
        _fail_on_failures(judged)
        return True

    return ignored_auth_by_envelope

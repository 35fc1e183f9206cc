"""Judge one exchange against the spec. Pure: an exchange and what was meant in, the broken rules out.

Honest verdicts: what the vendor's page states is a FAILURE; where the page is silent and
the spec records an assumption, a deviation is a WARNING naming the assumption.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from jsonschema import ValidationError

from cudis_spec import QueryOperation, RangeContext, Spec, check_data
from cudis_spec.document import ASSUMED_KEYWORDS

from .findings import Severity
from .transport import Exchange

_RANGE_FIELDS = ("startTime", "endTime")
SHORT_RANGE_SECONDS = 31 * 86400
"""A valid range up to this long must succeed; a longer one may be refused (see `longest-range`)."""


@dataclass(frozen=True)
class Break:
    """A rule an exchange broke."""

    rule: str
    severity: Severity
    says: str
    got: str
    assumption: str | None = None


class BodyKind(StrEnum):
    VALID = "valid"
    """Keeps everything the contract says of a range."""
    ASSUMED_INVALID = "assumed-invalid"
    """Breaks only what the spec assumed (bounds, required fields, request rules, no body)."""
    INVALID = "invalid"
    """Breaks what the page states: not JSON, not an object, a field not a number."""


@dataclass(frozen=True)
class RequestBody:
    """What a query's body is, as the contract sees it."""

    kind: BodyKind
    reason: str
    value: Any = None
    assumption: str | None = None

    @property
    def range(self) -> tuple[float, float] | None:
        if not isinstance(self.value, Mapping):
            return None
        numbers = [
            float(v)
            for v in (self.value.get(name) for name in _RANGE_FIELDS)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        ]
        return (numbers[0], numbers[1]) if len(numbers) == 2 else None

    def must_succeed(self, spec: Spec) -> Break | None:
        """None when a refusal is a failure; else the warning a refusal of this valid request is."""
        if self.kind is not BodyKind.VALID:
            return None
        extra = sorted(set(self.value) - set(_RANGE_FIELDS)) if isinstance(self.value, Mapping) else []
        if extra:
            return Break(
                "valid-request-succeeds",
                Severity.WARNING,
                "unknown body fields are ignored",
                f"refused with unknown fields {extra[:3]}",
                "unknown-fields",
            )
        span = self.range
        if span and span[1] - span[0] > SHORT_RANGE_SECONDS:
            return Break(
                "valid-request-succeeds",
                Severity.WARNING,
                f"ranges up to {spec.range.longest_days} days are served",
                f"a range of {(span[1] - span[0]) / 86400:.0f} days was refused",
                "longest-range",
            )
        return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def classify_body(spec: Spec, operation: QueryOperation, body: bytes | None, content_type: str) -> RequestBody:
    """Whether a query body keeps the contract, breaks an assumption, or breaks what the page states."""
    if body is None or not body.strip():
        return RequestBody(BodyKind.ASSUMED_INVALID, "no body (the page always sends one)", None, "bad-input-codes")
    try:
        value = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError):
        return RequestBody(BodyKind.INVALID, "the body is not JSON")
    vendor_errors = list(spec.api.validator(operation.body_pointer, vendor_only=True).iter_errors(value))
    if vendor_errors:
        return RequestBody(BodyKind.INVALID, _schema_error_text(vendor_errors[0]), value)
    errors = list(spec.api.validator(operation.body_pointer).iter_errors(value))
    if errors:
        error = errors[0]
        assumption = _assumption_of(error) or "bad-input-codes"
        return RequestBody(BodyKind.ASSUMED_INVALID, _schema_error_text(error), value, assumption)
    broken = spec.range.broken_rules(value)
    if broken:
        return RequestBody(BodyKind.ASSUMED_INVALID, broken[0].message, value, broken[0].assumption)
    if "json" not in content_type.lower():
        return RequestBody(BodyKind.ASSUMED_INVALID, f"sent as {content_type or 'no Content-Type'}", value)
    return RequestBody(BodyKind.VALID, "a valid range", value)


def _path(error: ValidationError) -> str:
    """`data.list[].maxY`: where the error is (with a missing property's name), list indices left out."""
    text = ""
    for part in error.absolute_path:
        text += "[]" if isinstance(part, int) else f".{part}"
    if error.validator == "required" and isinstance(error.instance, Mapping):
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
        missing = [name for name in required if name not in error.instance]
        text += f".{missing[0]}" if missing else ""
    return text.lstrip(".") or "(the body)"


def _schema_error_text(error: ValidationError) -> str:
    message = error.message if len(error.message) < 200 else error.message[:200] + "..."
    return f"{_path(error)}: {message}"


def _assumption_of(error: ValidationError) -> str | None:
    """The assumption behind the keyword a schema error broke, when the schema marks it as assumed."""
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    assumed: Mapping[str, str] = schema.get(ASSUMED_KEYWORDS, {})
    return assumed.get(str(error.validator))


def _is_assumed(error: ValidationError) -> str | None:
    """The assumption a schema error is about, or None when the page states what was broken."""
    assumption = _assumption_of(error)
    if assumption:
        return assumption
    if (
        error.validator == "type"
        and error.validator_value == "integer"
        and isinstance(error.instance, float)
        and math.isfinite(error.instance)
    ):
        return "value-types"  # the page shows whole numbers; integer versus number is the spec's reading
    return None


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def response_breaks(spec: Spec, operation: QueryOperation, exchange: Exchange, now: float) -> list[Break]:
    """What any answer of a query operation must keep: a status, JSON, the envelope, the schema."""
    if exchange.status is None:
        return [Break("transport", Severity.FAILURE, "the server answers every request", exchange.summary())]
    if exchange.status >= 500:
        return [Break("server-error", Severity.FAILURE, "no request gets a 5xx (a crash)", exchange.summary())]
    breaks: list[Break] = []
    if exchange.status != 200 and not 400 <= exchange.status < 500:
        breaks.append(
            Break("response-status", Severity.FAILURE, "the answer is HTTP 200 or a 4xx error", exchange.summary())
        )
    media = _media_type(exchange.content_type)
    if media != "application/json":
        breaks.append(
            Break(
                "response.content-type",
                Severity.FAILURE,
                "the answer is `Content-Type: application/json`",
                f"Content-Type: {exchange.content_type or '(none)'}",
            )
        )
    document = exchange.json()
    if document is None and exchange.content.strip() != b"null":
        breaks.append(Break("envelope.json", Severity.FAILURE, "the body is a JSON envelope", exchange.summary()))
        return breaks
    missing = [k for k in ("code", "msg", "data") if not isinstance(document, Mapping) or k not in document]
    if missing:
        breaks.append(
            Break(
                "envelope.fields",
                Severity.FAILURE,
                "every answer is an object {code, msg, data}",
                f"no {', '.join(missing)} in {exchange.summary()}",
            )
        )
        return breaks
    assert isinstance(document, Mapping)
    code = document["code"]
    if code == spec.codes.success.code:
        if exchange.status != 200:
            breaks.append(
                Break("response-status", Severity.FAILURE, "a success envelope comes with HTTP 200", exchange.summary())
            )
        pointer = operation.success_pointer
    else:
        if document["data"] is not None:
            breaks.append(
                Break(
                    "envelope.error-data-null",
                    Severity.FAILURE,
                    f"an error envelope (code {code!r}) has `data: null`",
                    f"data: {json.dumps(document['data'])[:200]}",
                )
            )
        if not isinstance(document["msg"], str) or not document["msg"]:
            breaks.append(
                Break(
                    "envelope.error-msg",
                    Severity.FAILURE,
                    "an error envelope's `msg` is a non-empty string",
                    f"msg: {json.dumps(document['msg'])[:200]}",
                )
            )
        breaks += _error_status_breaks(spec, exchange, code)
        pointer = operation.error_pointer
    if not any(b.rule.startswith("envelope.") for b in breaks):
        breaks += _schema_breaks(spec, pointer, document)
    return breaks


def _error_status_breaks(spec: Spec, exchange: Exchange, code: Any) -> list[Break]:
    assert exchange.status is not None
    mapped = spec.codes[code].http if isinstance(code, int) and code in spec.codes else None
    if exchange.status == 200 or exchange.status == mapped or (mapped is None and 400 <= exchange.status < 500):
        return []
    return [
        Break(
            "error-http-status",
            Severity.WARNING,
            f"an error envelope with code {code} comes with HTTP 200 or {mapped}",
            f"HTTP {exchange.status}",
            "error-http-status",
        )
    ]


def _schema_breaks(spec: Spec, pointer: str, document: Any) -> list[Break]:
    breaks = []
    schema_name = pointer.rsplit("/", 1)[-1]
    for error in spec.api.validator(pointer).iter_errors(document):
        for leaf in _leaves(error):
            assumption = _is_assumed(leaf)
            breaks.append(
                Break(
                    f"response-schema:{_path(leaf)}",
                    Severity.WARNING if assumption else Severity.FAILURE,
                    f"the answer matches {schema_name} ({leaf.validator}: {json.dumps(leaf.validator_value)[:80]})",
                    _schema_error_text(leaf),
                    assumption,
                )
            )
    return breaks


def _leaves(error: ValidationError) -> list[ValidationError]:
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in _leaves(sub)]


def data_breaks(
    spec: Spec, operation: QueryOperation, exchange: Exchange, body: RequestBody, now: float
) -> list[Break]:
    """What a success envelope's data must keep: the spec's `x-cudis-rules`."""
    document = exchange.json()
    if not isinstance(document, Mapping) or document.get("code") != spec.codes.success.code:
        return []
    span = body.range
    context = RangeContext(start=span[0] if span else None, end=span[1] if span else None, now=now)
    breaks = []
    for violation in check_data(spec.data_rules(operation.operation_id), document.get("data"), context):
        vendor = violation.source == "vendor"
        breaks.append(
            Break(
                violation.rule_id,
                Severity.FAILURE if vendor else Severity.WARNING,
                _rule_text(spec, violation.rule_id),
                violation.message,
                None if vendor else spec.data_rule(violation.rule_id).get("assumption"),
            )
        )
    return breaks


def _rule_text(spec: Spec, rule_id: str) -> str:
    """What a data rule says: its kind, its parameters, and the kind's meaning."""
    rule = spec.data_rule(rule_id)
    about = ("id", "kind", "source", "assumption", "x-cudis-assumption")
    fields = {k: v for k, v in rule.items() if k not in about}
    return f"{rule['kind']} {json.dumps(fields)}: {spec.rule_kinds.get(rule['kind'], '')}"


def query_breaks(
    spec: Spec, operation: QueryOperation, exchange: Exchange, body: RequestBody, now: float
) -> list[Break]:
    """Everything a query answered with the valid credentials must keep, given what its body was."""
    breaks = response_breaks(spec, operation, exchange, now)
    document = exchange.json()
    if exchange.status is None or exchange.status >= 500 or not isinstance(document, Mapping):
        return breaks
    code = document.get("code")
    success, expired = spec.codes.success.code, spec.codes.session_expired.code
    if body.kind is BodyKind.VALID:
        if code != success:
            lenient = body.must_succeed(spec)
            hint = " (the credentials given were refused)" if code == expired else ""
            got = f"code {code!r}{hint}: {document.get('msg')!r}"
            if lenient is not None and code != expired:
                breaks.append(Break(lenient.rule, lenient.severity, lenient.says, got, lenient.assumption))
            else:
                breaks.append(
                    Break(
                        "valid-request-succeeds", Severity.FAILURE, f"a valid range query gets `code: {success}`", got
                    )
                )
        breaks += data_breaks(spec, operation, exchange, body, now)
        return breaks
    if code == success:
        if body.kind is BodyKind.INVALID:
            breaks.append(
                Break(
                    "invalid-input-refused",
                    Severity.FAILURE,
                    f"a body that breaks the page's contract is refused ({body.reason})",
                    exchange.summary(),
                )
            )
        else:
            breaks.append(
                Break(
                    "assumed-invalid-input-refused",
                    Severity.WARNING,
                    f"the spec assumes this input is refused ({body.reason})",
                    exchange.summary(),
                    body.assumption,
                )
            )
    elif code not in spec.codes.bad_input_codes():
        codes = ", ".join(str(c) for c in sorted(spec.codes.bad_input_codes()))
        breaks.append(
            Break(
                "bad-input-codes",
                Severity.WARNING,
                f"bad input ({body.reason}) gets one of the codes {codes}",
                f"code {code!r}: {document.get('msg')!r}",
                "bad-input-codes",
            )
        )
    return breaks


class AuthProbe(StrEnum):
    NO_TOKEN = "no-token"
    WRONG_TOKEN = "wrong-token"
    NO_CLIENT_ID = "no-client-id"
    WRONG_CLIENT_ID = "wrong-client-id"
    EXPIRED_TOKEN = "expired-token"


_PROBE_SAYS = {
    AuthProbe.NO_TOKEN: "a request without `Authorization` is refused",
    AuthProbe.WRONG_TOKEN: "a request with a token the server never issued gets {expired}",
    AuthProbe.NO_CLIENT_ID: "a request without `Cudis-Client-Id` gets {expired} (the page: the client id is invalid)",
    AuthProbe.WRONG_CLIENT_ID: "a request with another `Cudis-Client-Id` than the token's gets {expired}",
    AuthProbe.EXPIRED_TOKEN: "a request with an expired token gets {expired} (the page: the token has expired)",
}


def auth_probes(
    token: str, client_id: str, expired_token: str | None, foreign_token: str
) -> list[tuple[AuthProbe, dict[str, str]]]:
    """The credentials each probe sends in place of the valid ones."""
    bearer = f"Bearer {token}"
    probes = [
        (AuthProbe.NO_TOKEN, {"Cudis-Client-Id": client_id}),
        (AuthProbe.WRONG_TOKEN, {"Authorization": f"Bearer {foreign_token}", "Cudis-Client-Id": client_id}),
        (AuthProbe.NO_CLIENT_ID, {"Authorization": bearer}),
        (AuthProbe.WRONG_CLIENT_ID, {"Authorization": bearer, "Cudis-Client-Id": f"not-{client_id}"}),
    ]
    if expired_token:
        probes.append(
            (AuthProbe.EXPIRED_TOKEN, {"Authorization": f"Bearer {expired_token}", "Cudis-Client-Id": client_id})
        )
    return probes


def auth_breaks(spec: Spec, operation: QueryOperation, probe: AuthProbe, exchange: Exchange, now: float) -> list[Break]:
    """A request with bad credentials and a valid range gets the session-expired envelope with `data: null`."""
    breaks = response_breaks(spec, operation, exchange, now)
    document = exchange.json()
    if exchange.status is None or exchange.status >= 500 or not isinstance(document, Mapping):
        return breaks
    rule = f"authorization.{probe.value}"
    code = document.get("code")
    expired = spec.codes.session_expired.code
    says = _PROBE_SAYS[probe].format(expired=expired)
    if code == spec.codes.success.code or code is None:
        breaks.append(Break(rule, Severity.FAILURE, says + ", not answered", exchange.summary()))
    elif code != expired:
        # The page names an expired token and an invalid client id; with no token at all it is silent.
        severity = Severity.WARNING if probe is AuthProbe.NO_TOKEN else Severity.FAILURE
        breaks.append(Break(rule, severity, says + f" (code {expired})", f"code {code!r}: {document.get('msg')!r}"))
    return breaks


def other_method_breaks(exchange: Exchange, method: str) -> list[Break]:
    """Another method on a query path gets 405: the spec's assumption, so only ever a warning."""
    if exchange.status == 405:
        return []
    return [
        Break(
            "other-methods-405",
            Severity.WARNING,
            f"{method} on a query path gets HTTP 405",
            exchange.summary(150),
            "error-http-status",
        )
    ]

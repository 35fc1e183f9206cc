"""The spec-rules family: a valid range query succeeds, and its data keep the spec's `x-cudis-rules`.

What the vendor's page states is a failure; a rule with `source: assumption` is a warning
naming its assumption.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from cudis_spec import RangeContext, Spec, check_data

from ..cases import RANGE_FIELDS, Case, RequestBody
from ..findings import Break, Family, Severity
from ..transport import Exchange
from .conditions import a_json_object, a_query, a_valid_body, succeeded
from .registry import Context, Layer, check, requires

SHORT_RANGE_SECONDS = 31 * 86400
"""A valid range up to this long must succeed; a longer one may be refused (see `longest-range`)."""


def _refusal_allowed(spec: Spec, body: RequestBody) -> tuple[str, str] | None:
    """(what the spec assumes, the assumption) when refusing this valid body is only a warning."""
    extra = sorted(set(body.value) - set(RANGE_FIELDS)) if isinstance(body.value, Mapping) else []
    if extra:
        return "unknown body fields are ignored", "unknown-fields"
    span = body.range
    if span and span[1] - span[0] > SHORT_RANGE_SECONDS:
        return f"ranges up to {spec.range.longest_days} days are served", "longest-range"
    return None


@check(Family.SPEC_RULES, Layer.MEANING)
@requires(a_query, a_valid_body, a_json_object)
def valid_query_succeeds(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """A valid range sent with the valid credentials gets the success code.

    Without it a wrong token would pass everything: an error envelope is valid against the
    schema. Refusing unknown fields or a range over 31 days is only a warning.
    """
    document = exchange.json()
    code = document.get("code")
    codes = ctx.spec.codes
    if code == codes.success.code:
        return
    hint = " (the credentials given were refused)" if code == codes.session_expired.code else ""
    got = f"code {code!r}{hint}: {document.get('msg')!r}"
    allowed = _refusal_allowed(ctx.spec, case.body)
    if allowed is not None and code != codes.session_expired.code:
        says, assumption = allowed
        yield Break("valid-request-succeeds", Severity.WARNING, says, got, assumption)
    else:
        yield Break(
            "valid-request-succeeds", Severity.FAILURE, f"a valid range query gets `code: {codes.success.code}`", got
        )


def _rule_text(spec: Spec, rule_id: str) -> str:
    """What a data rule says: its kind, its parameters, and the kind's meaning."""
    rule = spec.data_rule(rule_id)
    about = ("id", "kind", "source", "assumption", "x-cudis-assumption")
    fields = {k: v for k, v in rule.items() if k not in about}
    return f"{rule['kind']} {json.dumps(fields)}: {spec.rule_kinds.get(rule['kind'], '')}"


@check(Family.SPEC_RULES, Layer.MEANING)
@requires(a_query, succeeded)
def success_data_keeps_spec_rules(ctx: Context, exchange: Exchange, case: Case) -> Iterator[Break]:
    """A success envelope's data keep the operation's `x-cudis-rules` (aggregates, ratios, dates in the range).

    Whatever the input: a success answer to a range the suite considers bad (start after end)
    still lists only the asked range's days; that it answered at all is the bad-input family's.
    """
    span = case.body.range
    context = RangeContext(
        start=span[0] if span else None,
        end=span[1] if span else None,
        now=ctx.now,
        offsets=ctx.offsets,
        offsets_since=ctx.offsets_since,
    )
    spec = ctx.spec
    for violation in check_data(spec.data_rules(case.operation.operation_id), exchange.json().get("data"), context):
        vendor = violation.source == "vendor"
        yield Break(
            violation.rule_id,
            Severity.FAILURE if vendor else Severity.WARNING,
            _rule_text(spec, violation.rule_id),
            violation.message,
            None if vendor else spec.data_rule(violation.rule_id).get("assumption"),
        )

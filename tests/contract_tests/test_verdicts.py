"""Verdicts on single exchanges: what is a failure, what only a warning, and what passes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract_tests.findings import Severity
from contract_tests.transport import Exchange
from contract_tests.verdicts import AuthProbe, BodyKind, auth_breaks, classify_body, query_breaks
from cudis_spec import load_spec

SPEC = load_spec()
STEP = SPEC.query("step")
NOW = 1795521600.0  # Thursday 2026-11-19 12:00 UTC


def _exchange(status: int, document: Any, content_type: str = "application/json") -> Exchange:
    return Exchange(
        "GET", "http://x/partner/v1/query/step", {}, b"{}", status, {"Content-Type": content_type},
        json.dumps(document).encode(),
    )  # fmt: skip


def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (_body({"startTime": 1726444800, "endTime": 1726704000}), BodyKind.VALID),
        (_body({"startTime": "1726444800", "endTime": 1726704000}), BodyKind.INVALID),
        (b"not json", BodyKind.INVALID),
        (b'{"startTime": NaN, "endTime": 1}', BodyKind.INVALID),
        (_body({"startTime": -1, "endTime": 5}), BodyKind.ASSUMED_INVALID),  # bounds: the spec's assumption
        (_body({"startTime": 9, "endTime": 5}), BodyKind.ASSUMED_INVALID),  # a request rule, assumed
        (_body({"endTime": 5}), BodyKind.ASSUMED_INVALID),  # `required` is an assumed keyword
        (None, BodyKind.ASSUMED_INVALID),
    ],
)
def test_bodies_are_classified_by_what_the_page_states(body: bytes | None, kind: BodyKind) -> None:
    assert classify_body(SPEC, STEP, body, "application/json").kind is kind


def _rules(body: bytes, exchange: Exchange) -> dict[str, Severity]:
    kind = classify_body(SPEC, STEP, body, "application/json")
    return {b.rule: b.severity for b in query_breaks(SPEC, STEP, exchange, kind, NOW)}


VALID = _body({"startTime": 1726444800, "endTime": 1726704000})
OK = {"code": 200, "msg": "success", "data": {"countStep": 3, "list": [{"date": "2024-09-16", "y": 3.0}]}}


def test_a_correct_answer_breaks_nothing() -> None:
    assert _rules(VALID, _exchange(200, OK)) == {}


def test_an_error_envelope_for_a_valid_request_is_a_failure() -> None:
    refused = {"code": 20007, "msg": "Session expired. Please sign in again", "data": None}
    assert _rules(VALID, _exchange(200, refused)) == {"valid-request-succeeds": Severity.FAILURE}


def test_error_statuses_the_catalogue_maps_pass_and_others_warn() -> None:
    bad = _body({"startTime": "x", "endTime": 1})
    error = {"code": 40001, "msg": "Invalid startTime", "data": None}
    assert _rules(bad, _exchange(400, error)) == {}
    assert _rules(bad, _exchange(422, error)) == {"error-http-status": Severity.WARNING}


def test_a_fractional_aggregate_where_the_spec_reads_integer_is_only_a_warning() -> None:
    floats = {**OK, "data": {**OK["data"], "countStep": 3.5}}  # type: ignore[dict-item]
    rules = _rules(VALID, _exchange(200, floats))
    assert rules["response-schema:data.countStep"] is Severity.WARNING


def test_accepting_a_wrong_token_is_a_failure_and_another_code_without_token_a_warning() -> None:
    accepted = auth_breaks(SPEC, STEP, AuthProbe.WRONG_TOKEN, _exchange(200, OK), NOW)
    assert [(b.rule, b.severity) for b in accepted] == [("authorization.wrong-token", Severity.FAILURE)]
    other = {"code": 401, "msg": "no token", "data": None}
    missing = auth_breaks(SPEC, STEP, AuthProbe.NO_TOKEN, _exchange(401, other), NOW)
    assert [(b.rule, b.severity) for b in missing] == [("authorization.no-token", Severity.WARNING)]

"""Exchanges to judge, built by hand: a request to `step` and the answer an implementation might give."""

from __future__ import annotations

import json
from typing import Any

from contract_tests.cases import AuthProbe, Case, classify_body
from contract_tests.checks import Context
from contract_tests.engine import judge
from contract_tests.findings import Break, Family, Severity
from contract_tests.transport import Exchange
from cudis_spec import load_spec

SPEC = load_spec()
STEP = SPEC.query("step")
NOW = 1795521600.0  # Tuesday 2026-11-24 12:00 UTC


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


VALID = body({"startTime": 1726444800, "endTime": 1726704000})
OK = {"code": 200, "msg": "success", "data": {"countStep": 3, "list": [{"date": "2024-09-16", "y": 3.0}]}}
EXPIRED = {"code": 20007, "msg": "Session expired. Please sign in again", "data": None}


def answer(status: int | None, document: Any, content_type: str = "application/json", method: str = "GET") -> Exchange:
    """`document` as the JSON body of an answer (bytes as they are); status None: no answer came back."""
    content = document if isinstance(document, bytes) else json.dumps(document).encode()
    url = "http://x/partner/v1/query/step"
    if status is None:
        return Exchange(method, url, {}, b"{}", error="ConnectionError: refused")
    return Exchange(method, url, {}, b"{}", status, {"Content-Type": content_type}, content)


def query(sent: bytes | None, content_type: str = "application/json") -> Case:
    """A query with the valid credentials and this body."""
    return Case(STEP, classify_body(SPEC, STEP, sent, content_type))


def probe(kind: AuthProbe) -> Case:
    """A query with a valid range and the bad credentials of one probe."""
    return Case(STEP, classify_body(SPEC, STEP, VALID, "application/json"), kind)


def judged(exchange: Exchange, case: Case) -> list[tuple[Family, Break]]:
    return judge(Context(SPEC, NOW), exchange, case)


def rules(sent: bytes | None, exchange: Exchange) -> dict[str, Severity]:
    """The rules a query with this body breaks with this answer, and how badly."""
    return {b.rule: b.severity for _, b in judged(exchange, query(sent))}


def families(exchange: Exchange, case: Case) -> set[Family]:
    return {family for family, _ in judged(exchange, case)}
